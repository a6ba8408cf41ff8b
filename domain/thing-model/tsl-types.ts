/**
 * Alibaba Cloud IoT's TSL (Thing Specification Language) JSON, as the Alibaba console exports it and as we import it
 * unchanged (docs/thing-models.md). These types describe a document that `checkTsl` accepted; before that
 * a document is `unknown`.
 */

/** Alibaba writes every number in specs as a string (`"min": "-40"`); hand-written documents often use numbers. */
export type TslNumber = string | number;

/** The nine TSL data types. */
export type TslTypeName = 'int' | 'float' | 'double' | 'text' | 'date' | 'bool' | 'enum' | 'struct' | 'array';

/** The types an `array` may hold (Alibaba's limit). */
export type TslArrayItemTypeName = 'int' | 'float' | 'double' | 'text' | 'struct';

/** `int`, `float`, `double`: every spec is optional; `unit`/`unitName` are labels for people. */
export interface TslNumericSpecs {
  min?: TslNumber;
  max?: TslNumber;
  /** A hint for UI sliders; values are not required to be multiples of it (see tsl-compiler.ts). */
  step?: TslNumber;
  unit?: string;
  unitName?: string;
}

/** `text`: `length` is the maximum length, 1..10240; absent means 10240. */
export interface TslTextSpecs {
  length?: TslNumber;
}

/**
 * `bool` and `enum` specs map each allowed value (a decimal integer as an object key) to its label:
 * `{"0": "off", "1": "on"}`. bool allows only the keys `0` and `1`.
 */
export type TslValueLabels = Record<string, string>;

/** One field of a struct, one input/output parameter of a service or event: the same shape in Alibaba's TSL. */
export interface TslParam {
  identifier: string;
  name: string;
  dataType: TslDataType;
  desc?: string;
}

/** The element type of an `array`; a struct element lists its fields in `specs`. */
export type TslArrayItem =
  | { type: 'int' | 'float' | 'double'; specs?: TslNumericSpecs }
  | { type: 'text'; specs?: TslTextSpecs }
  | { type: 'struct'; specs: TslParam[] };

/** `array`: at most `size` (1..512) elements, each of type `item`. */
export interface TslArraySpecs {
  size: TslNumber;
  item: TslArrayItem;
}

/** A property's, field's or parameter's type with its specs, discriminated by `type`. */
export type TslDataType =
  | { type: 'int' | 'float' | 'double'; specs?: TslNumericSpecs }
  | { type: 'text'; specs?: TslTextSpecs }
  /** Value: UTC milliseconds as a string of digits (Alibaba's form) or an integer. specs is `{}`. */
  | { type: 'date'; specs?: Record<string, never> }
  | { type: 'bool'; specs: TslValueLabels }
  | { type: 'enum'; specs: TslValueLabels }
  /** Alibaba forbids a struct inside a struct, directly or as an array of structs. */
  | { type: 'struct'; specs: TslParam[] }
  | { type: 'array'; specs: TslArraySpecs };

/** A property: what the device is. */
export interface TslProperty {
  identifier: string;
  name: string;
  /** `r`: the device reports it; `rw`: the platform may also set it. */
  accessMode: 'r' | 'rw';
  /**
   * Whether it is a mandatory feature of a standard Alibaba product category. Alibaba's export always writes it;
   * hand-written documents often leave it out and nothing here depends on it, so it is optional.
   */
  required?: boolean;
  desc?: string;
  dataType: TslDataType;
}

/** A service defined by the product (invoked with `thing.service.{identifier}`). */
export interface TslService {
  identifier: string;
  name: string;
  callType: 'sync' | 'async';
  required?: boolean;
  /** `thing.service.{identifier}` in Alibaba's export. */
  method?: string;
  desc?: string;
  /** Alibaba always writes both lists, `[]` when empty; hand-written documents may leave them out. */
  inputData?: TslParam[];
  outputData?: TslParam[];
}

/** The type of an event: how serious it is (`info` is routine; alert rules watch `alert` and `error`). */
export type EventType = 'info' | 'alert' | 'error';

/** An event defined by the product (reported with `thing.event.{identifier}.post`). */
export interface TslEvent {
  identifier: string;
  name: string;
  type: EventType;
  required?: boolean;
  /** `thing.event.{identifier}.post` in Alibaba's export. */
  method?: string;
  desc?: string;
  /** Alibaba always writes it, `[]` when empty; hand-written documents may leave it out. */
  outputData?: TslParam[];
}

/** The method strings of the three features Alibaba generates from the properties. */
export const BUILTIN_METHODS = {
  propertyPost: 'thing.event.property.post',
  propertySet: 'thing.service.property.set',
  propertyGet: 'thing.service.property.get',
} as const;

/** Identifier each built-in feature carries in Alibaba's export. */
export const BUILTIN_IDENTIFIERS = {
  [BUILTIN_METHODS.propertyPost]: 'post',
  [BUILTIN_METHODS.propertySet]: 'set',
  [BUILTIN_METHODS.propertyGet]: 'get',
} as const;

/**
 * The `post` event Alibaba generates: its outputData repeats every property. It is derived data: the compiler reads
 * the properties, never this copy.
 */
export interface TslPropertyPostEvent {
  identifier: 'post';
  name: string;
  type: 'info';
  required?: boolean;
  method: typeof BUILTIN_METHODS.propertyPost;
  desc?: string;
  outputData: TslParam[];
}

/** The `set` service Alibaba generates: inputData repeats the `rw` properties. */
export interface TslPropertySetService {
  identifier: 'set';
  name: string;
  callType: 'sync' | 'async';
  required?: boolean;
  method: typeof BUILTIN_METHODS.propertySet;
  desc?: string;
  inputData: TslParam[];
  outputData: TslParam[];
}

/** The `get` service Alibaba generates: inputData is a list of property identifiers, outputData the properties. */
export interface TslPropertyGetService {
  identifier: 'get';
  name: string;
  callType: 'sync' | 'async';
  required?: boolean;
  method: typeof BUILTIN_METHODS.propertyGet;
  desc?: string;
  inputData: string[];
  outputData: TslParam[];
}

/** A whole TSL document. All three lists are optional: a product may define only properties. */
export interface TslDocument {
  /** URL of Alibaba's schema for the document, e.g. `https://iotx-tsl.oss-ap-southeast-1.aliyuncs.com/schema.json`. */
  schema?: string;
  profile?: { productKey?: string; version?: string; [key: string]: unknown };
  properties?: TslProperty[];
  services?: Array<TslService | TslPropertySetService | TslPropertyGetService>;
  events?: Array<TslEvent | TslPropertyPostEvent>;
}

/** Whether a service is Alibaba's generated property `set` or `get` rather than one the product defines. */
export function isBuiltinService(
  service: TslService | TslPropertySetService | TslPropertyGetService,
): service is TslPropertySetService | TslPropertyGetService {
  return service.method === BUILTIN_METHODS.propertySet || service.method === BUILTIN_METHODS.propertyGet;
}

/** Whether an event is Alibaba's generated property `post` rather than one the product defines. */
export function isBuiltinEvent(event: TslEvent | TslPropertyPostEvent): event is TslPropertyPostEvent {
  return event.method === BUILTIN_METHODS.propertyPost;
}
