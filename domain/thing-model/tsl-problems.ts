/**
 * Alibaba's TSL rules as a pure check: no server state, so the browser's thing model editor runs the same code and
 * shows what the server would refuse under the field before saving, in the server's words and at its JSON pointers.
 */
import { BUILTIN_IDENTIFIERS, BUILTIN_METHODS } from './tsl-types.ts';

/** One thing wrong with a TSL document, located by a JSON pointer into it (`/properties/2/dataType/specs/min`). */
export interface TslProblem {
  path: string;
  message: string;
}

/**
 * A {@link TslProblem} with what it says as data: a stable `code` and its `params` (text as the English message
 * writes it: values shown as JSON, numbers as digits), so a screen can say it in its own language. `message` is
 * the English the server answers with, built from the same code and params.
 */
export interface CodedTslProblem extends TslProblem {
  code: TslProblemCode;
  params: TslProblemParams;
}

export type TslProblemParams = Readonly<Record<string, string>>;

/**
 * Every problem the check can find, by code, in English. `value` is the user's value as JSON (`"abc"`, `42`); `key` a
 * field name (`min`, `inputData`); `what` (duplicateIdentifier) one of {@link TSL_DUPLICATE_KINDS}.
 */
const ENGLISH = {
  notObject: () => 'a thing model must be a JSON object with properties, services and events',
  notList: (p: TslProblemParams) => `${p.key} must be a list`,
  propertyNotObject: () => 'a property must be an object',
  serviceNotObject: () => 'a service must be an object',
  eventNotObject: () => 'an event must be an object',
  accessMode: (p: TslProblemParams) => `accessMode must be "r" (read-only) or "rw" (read-write), not ${p.value}`,
  reservedService: (p: TslProblemParams) => `"${p.id}" is reserved for the built-in property services; choose another`,
  reservedEvent: (p: TslProblemParams) => `"${p.id}" is reserved for the built-in property post event; choose another`,
  method: (p: TslProblemParams) => `method must be "${p.expected}" (or left out), not ${p.value}`,
  callType: (p: TslProblemParams) => `callType must be "sync" or "async", not ${p.value}`,
  eventType: (p: TslProblemParams) => `event type must be "info", "alert" or "error", not ${p.value}`,
  identifierMissing: () => 'identifier is missing',
  identifierInvalid: (p: TslProblemParams) =>
    `${p.value} is not a valid identifier: use a letter, then up to 31 letters, digits or underscores`,
  nameMissing: () => 'name is missing',
  paramsNotList: (p: TslProblemParams) => `${p.key} must be a list of parameters`,
  paramNotObject: () => 'a parameter must be an object with identifier, name and dataType',
  builtinIdentifier: (p: TslProblemParams) => `the built-in ${p.method} must have identifier "${p.expected}", not ${p.value}`,
  builtinNotProperty: (p: TslProblemParams) => `${p.method} lists ${p.value}, which is not a property of this thing model`,
  dataTypeNotObject: () => 'dataType must be an object with type and specs',
  unknownType: (p: TslProblemParams) => `unknown type ${p.value}; use one of ${p.types}`,
  dateSpecs: () => 'date specs must be an empty object',
  nestedStruct: () => 'a struct cannot contain another struct (Alibaba forbids nesting); flatten it',
  numericSpecs: (p: TslProblemParams) => `${p.type} specs must be an object with min, max and step`,
  notNumber: (p: TslProblemParams) => `${p.key} (${p.value}) is not a number`,
  notWholeInt: (p: TslProblemParams) => `${p.key} (${p.value}) must be a whole number for an int`,
  outsideInt32: (p: TslProblemParams) => `${p.key} (${p.value}) is outside the int32 range ${p.min}..${p.max}`,
  minAboveMax: (p: TslProblemParams) => `min (${p.min}) is greater than max (${p.max})`,
  stepNotPositive: (p: TslProblemParams) => `step (${p.value}) must be greater than 0`,
  textSpecs: () => 'text specs must be an object with length',
  textLength: (p: TslProblemParams) => `length (${p.value}) must be a whole number from 1 to ${p.max}`,
  boolLabels: () => 'bool needs labels for its values, e.g. {"0": "off", "1": "on"}',
  enumLabels: () => 'enum needs at least one value with its label, e.g. {"0": "auto", "1": "manual"}',
  boolValue: (p: TslProblemParams) => `bool values are 0 and 1 only; remove ${p.value}`,
  enumValue: (p: TslProblemParams) => `enum value ${p.value} is not an integer; enum values are whole numbers with labels`,
  labelNotText: (p: TslProblemParams) => `the label of ${p.key} must be text, not ${p.value}`,
  boolLabelMissing: (p: TslProblemParams) => `bool needs a label for ${p.key}`,
  structFields: () => 'a struct needs a list of at least one field',
  arraySpecs: () => 'array specs must be an object with size and item',
  arraySizeMissing: (p: TslProblemParams) => `size is missing; set the maximum number of elements, 1 to ${p.max}`,
  arraySize: (p: TslProblemParams) => `size (${p.value}) must be a whole number from 1 to ${p.max}`,
  arrayItemMissing: () => 'item is missing; give the element type, e.g. {"type": "int"}',
  arrayItemType: (p: TslProblemParams) => `an array holds ${p.types}, not ${p.value}`,
  nestedStructArray: () => 'a struct cannot contain an array of structs (Alibaba forbids nesting structs)',
  duplicateIdentifier: (p: TslProblemParams) => `duplicate ${p.what} identifier "${p.id}" (already used at ${p.first})`,
} satisfies Record<string, (params: TslProblemParams) => string>;

export type TslProblemCode = keyof typeof ENGLISH;

/** Every code {@link checkTslCoded} can give, for a screen's catalog to be checked against. */
export const TSL_PROBLEM_CODES = Object.keys(ENGLISH) as readonly TslProblemCode[];

/** What a duplicateIdentifier problem's `what` may be, as its English message writes it. */
export const TSL_DUPLICATE_KINDS = [
  'property', 'service', 'event', 'input parameter', 'output parameter', 'struct field',
] as const;
export type TslDuplicateKind = (typeof TSL_DUPLICATE_KINDS)[number];

/** A problem's English message, from its code and params (what the server answers with). */
export function tslProblemEnglish(code: TslProblemCode, params: TslProblemParams): string {
  return ENGLISH[code](params);
}

/** Alibaba's identifier rule, for properties, services, events, parameters and struct fields alike. */
export const TSL_IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/** Alibaba's limits. */
export const TSL_TEXT_MAX_LENGTH = 10240;
export const TSL_ARRAY_MAX_SIZE = 512;
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

const TYPES = ['int', 'float', 'double', 'text', 'date', 'bool', 'enum', 'struct', 'array'];
const ARRAY_ITEM_TYPES = ['int', 'float', 'double', 'text', 'struct'];

/**
 * Identifiers a product's own service or event cannot take, because the topic router would read them as the
 * built-in features: `thing.service.property.set` / `.get` and the event topic `thing/event/property/post`.
 */
const RESERVED_SERVICE_IDS = new Set(['set', 'get', 'property']);
const RESERVED_EVENT_IDS = new Set(['post', 'property']);

/** A decimal number as Alibaba writes it in specs, or a JSON number. Rejects `""`, `" 5"`, `"0x10"`, `"Infinity"`. */
const NUMERIC_STRING = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
/** An enum/bool key: a decimal integer. */
const INTEGER_KEY = /^-?\d+$/;

/** A spec number (`"-40"` or `-40`) as a number; `undefined` when it is not a number at all. */
export function tslNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === 'string' && NUMERIC_STRING.test(raw)) return Number(raw);
  return undefined;
}

/**
 * Checks a document against Alibaba's TSL rules and lists every problem found, so a user importing a thing model can
 * fix them all at once. An empty list means the document is a valid `TslDocument` (tsl-types.ts).
 */
export function checkTsl(doc: unknown): TslProblem[] {
  return checkTslCoded(doc).map(({ path, message }) => ({ path, message }));
}

/** {@link checkTsl}'s problems with their codes and params, for a screen that says them in its own language. */
export function checkTslCoded(doc: unknown): CodedTslProblem[] {
  const problems: CodedTslProblem[] = [];
  const check = new TslChecker(problems);
  check.document(doc);
  return problems;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON pointer segment escaping (RFC 6901), needed for enum/bool keys which are user text. */
function pointerSegment(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Value as the user wrote it, for messages: strings quoted, everything else as JSON. */
function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** What a data type sits inside, which decides what it may be. */
interface Context {
  inStruct: boolean;
}

class TslChecker {
  /** Property identifiers, to check the built-in post/set/get lists refer to real properties. */
  private propertyIds = new Set<string>();

  constructor(private readonly problems: CodedTslProblem[]) {}

  private add(path: string, code: TslProblemCode, params: TslProblemParams = {}): void {
    this.problems.push(codedProblem(path, code, params));
  }

  document(doc: unknown): void {
    if (!isObject(doc)) {
      this.add('', 'notObject');
      return;
    }
    const properties = this.list(doc, 'properties');
    const services = this.list(doc, 'services');
    const events = this.list(doc, 'events');

    const propertyIds = new DuplicateTracker(this.problems, 'property');
    properties.forEach((property, i) => {
      const path = `/properties/${i}`;
      if (!isObject(property)) return this.add(path, 'propertyNotObject');
      const id = this.identifier(property, path);
      if (id !== undefined) {
        propertyIds.see(id, path);
        this.propertyIds.add(id);
      }
      this.name(property, path);
      if (property.accessMode !== 'r' && property.accessMode !== 'rw') {
        this.add(`${path}/accessMode`, 'accessMode', { value: show(property.accessMode) });
      }
      this.dataType(property.dataType, `${path}/dataType`, { inStruct: false });
    });

    // Services and events are separate namespaces from properties and from each other (they use different topics),
    // and the built-in post/set/get repeat property identifiers by design: duplicates are only looked for within
    // one list.
    const serviceIds = new DuplicateTracker(this.problems, 'service');
    services.forEach((service, i) => {
      const path = `/services/${i}`;
      if (!isObject(service)) return this.add(path, 'serviceNotObject');
      if (service.method === BUILTIN_METHODS.propertySet || service.method === BUILTIN_METHODS.propertyGet) {
        this.builtin(service, path, service.method, serviceIds);
        return;
      }
      const id = this.identifier(service, path);
      if (id !== undefined) {
        serviceIds.see(id, path);
        if (RESERVED_SERVICE_IDS.has(id)) {
          this.add(`${path}/identifier`, 'reservedService', { id });
        } else if (service.method !== undefined && service.method !== `thing.service.${id}`) {
          this.add(`${path}/method`, 'method', { expected: `thing.service.${id}`, value: show(service.method) });
        }
      }
      this.name(service, path);
      if (service.callType !== 'sync' && service.callType !== 'async') {
        this.add(`${path}/callType`, 'callType', { value: show(service.callType) });
      }
      this.params(service, 'inputData', path);
      this.params(service, 'outputData', path);
    });

    const eventIds = new DuplicateTracker(this.problems, 'event');
    events.forEach((event, i) => {
      const path = `/events/${i}`;
      if (!isObject(event)) return this.add(path, 'eventNotObject');
      if (event.method === BUILTIN_METHODS.propertyPost) {
        this.builtin(event, path, event.method, eventIds);
        return;
      }
      const id = this.identifier(event, path);
      if (id !== undefined) {
        eventIds.see(id, path);
        if (RESERVED_EVENT_IDS.has(id)) {
          this.add(`${path}/identifier`, 'reservedEvent', { id });
        } else if (event.method !== undefined && event.method !== `thing.event.${id}.post`) {
          this.add(`${path}/method`, 'method', { expected: `thing.event.${id}.post`, value: show(event.method) });
        }
      }
      this.name(event, path);
      if (event.type !== 'info' && event.type !== 'alert' && event.type !== 'error') {
        this.add(`${path}/type`, 'eventType', { value: show(event.type) });
      }
      this.params(event, 'outputData', path);
    });
  }

  /** An optional top-level list; anything but an array is a problem and is then treated as empty. */
  private list(doc: Json, key: 'properties' | 'services' | 'events'): unknown[] {
    const value = doc[key];
    if (value === undefined) return [];
    if (Array.isArray(value)) return value;
    this.add(`/${key}`, 'notList', { key });
    return [];
  }

  private identifier(item: Json, path: string): string | undefined {
    const id = item.identifier;
    if (id === undefined || id === '') {
      this.add(`${path}/identifier`, 'identifierMissing');
      return undefined;
    }
    if (typeof id !== 'string' || !TSL_IDENTIFIER.test(id)) {
      this.add(`${path}/identifier`, 'identifierInvalid', { value: show(id) });
      return undefined;
    }
    return id;
  }

  private name(item: Json, path: string): void {
    if (typeof item.name !== 'string' || item.name.trim() === '') this.add(`${path}/name`, 'nameMissing');
  }

  /** inputData / outputData of a service or event: a list of parameters with unique identifiers. */
  private params(owner: Json, key: 'inputData' | 'outputData', ownerPath: string): void {
    const path = `${ownerPath}/${key}`;
    const list = owner[key];
    if (list === undefined) return; // Alibaba writes empty lists, but an absent list means the same.
    if (!Array.isArray(list)) {
      this.add(path, 'paramsNotList', { key });
      return;
    }
    const ids = new DuplicateTracker(this.problems, key === 'inputData' ? 'input parameter' : 'output parameter');
    list.forEach((param, i) => this.param(param, `${path}/${i}`, ids, { inStruct: false }));
  }

  private param(param: unknown, path: string, ids: DuplicateTracker, context: Context): void {
    if (!isObject(param)) {
      this.add(path, 'paramNotObject');
      return;
    }
    const id = this.identifier(param, path);
    if (id !== undefined) ids.see(id, path);
    this.name(param, path);
    this.dataType(param.dataType, `${path}/dataType`, context);
  }

  /**
   * Alibaba's generated post event and set/get services. Their data repeats the properties (the compiler reads the
   * properties, not this copy), so the only checks are that they carry their own identifier and name properties
   * that exist.
   */
  private builtin(
    feature: Json,
    path: string,
    method: keyof typeof BUILTIN_IDENTIFIERS,
    ids: DuplicateTracker,
  ): void {
    const expected = BUILTIN_IDENTIFIERS[method];
    if (feature.identifier !== expected) {
      this.add(`${path}/identifier`, 'builtinIdentifier', { method, expected, value: show(feature.identifier) });
    } else {
      ids.see(expected, path);
    }
    for (const key of ['inputData', 'outputData'] as const) {
      const list = feature[key];
      if (list === undefined) continue;
      if (!Array.isArray(list)) {
        this.add(`${path}/${key}`, 'notList', { key });
        continue;
      }
      list.forEach((entry, i) => {
        // get's inputData lists bare identifiers; everywhere else entries are parameter objects.
        const id = typeof entry === 'string' ? entry : isObject(entry) ? entry.identifier : undefined;
        const entryPath = typeof entry === 'string' ? `${path}/${key}/${i}` : `${path}/${key}/${i}/identifier`;
        if (typeof id !== 'string' || !this.propertyIds.has(id)) {
          this.add(entryPath, 'builtinNotProperty', { method, value: show(id) });
        }
      });
    }
  }

  private dataType(dataType: unknown, path: string, context: Context): void {
    if (!isObject(dataType)) {
      this.add(path, 'dataTypeNotObject');
      return;
    }
    const type = dataType.type;
    if (typeof type !== 'string' || !TYPES.includes(type)) {
      this.add(`${path}/type`, 'unknownType', { value: show(type), types: TYPES.join(', ') });
      return;
    }
    const specs = dataType.specs;
    const specsPath = `${path}/specs`;
    switch (type) {
      case 'int':
      case 'float':
      case 'double':
        return this.numericSpecs(type, specs, specsPath);
      case 'text':
        return this.textSpecs(specs, specsPath);
      case 'date':
        if (specs !== undefined && !isObject(specs)) this.add(specsPath, 'dateSpecs');
        return;
      case 'bool':
      case 'enum':
        return this.labelSpecs(type, specs, specsPath);
      case 'struct':
        if (context.inStruct) {
          this.add(`${path}/type`, 'nestedStruct');
          return;
        }
        return this.structSpecs(specs, specsPath);
      case 'array':
        return this.arraySpecs(specs, specsPath, context);
    }
  }

  private numericSpecs(type: 'int' | 'float' | 'double', specs: unknown, path: string): void {
    if (specs === undefined) return;
    if (!isObject(specs)) {
      this.add(path, 'numericSpecs', { type });
      return;
    }
    const bound = (key: 'min' | 'max'): number | undefined => {
      const raw = specs[key];
      if (raw === undefined || raw === '') return undefined; // Alibaba leaves unused bounds empty
      const value = tslNumber(raw);
      if (value === undefined) {
        this.add(`${path}/${key}`, 'notNumber', { key, value: show(raw) });
        return undefined;
      }
      if (type === 'int' && !Number.isInteger(value)) {
        this.add(`${path}/${key}`, 'notWholeInt', { key, value: String(value) });
      } else if (type === 'int' && (value < INT32_MIN || value > INT32_MAX)) {
        this.add(`${path}/${key}`, 'outsideInt32', { key, value: String(value), min: String(INT32_MIN), max: String(INT32_MAX) });
      }
      return value;
    };
    const min = bound('min');
    const max = bound('max');
    if (min !== undefined && max !== undefined && min > max) {
      this.add(`${path}/min`, 'minAboveMax', { min: String(min), max: String(max) });
    }
    const rawStep = specs.step;
    if (rawStep !== undefined && rawStep !== '') {
      const step = tslNumber(rawStep);
      if (step === undefined) this.add(`${path}/step`, 'notNumber', { key: 'step', value: show(rawStep) });
      else if (step <= 0) this.add(`${path}/step`, 'stepNotPositive', { value: String(step) });
    }
  }

  private textSpecs(specs: unknown, path: string): void {
    if (specs === undefined) return;
    if (!isObject(specs)) {
      this.add(path, 'textSpecs');
      return;
    }
    if (specs.length === undefined) return;
    const length = tslNumber(specs.length);
    if (length === undefined || !Number.isInteger(length) || length < 1 || length > TSL_TEXT_MAX_LENGTH) {
      this.add(`${path}/length`, 'textLength', { value: show(specs.length), max: String(TSL_TEXT_MAX_LENGTH) });
    }
  }

  private labelSpecs(type: 'bool' | 'enum', specs: unknown, path: string): void {
    if (!isObject(specs) || Object.keys(specs).length === 0) {
      this.add(path, type === 'bool' ? 'boolLabels' : 'enumLabels');
      return;
    }
    for (const [key, label] of Object.entries(specs)) {
      const keyPath = `${path}/${pointerSegment(key)}`;
      if (type === 'bool' && key !== '0' && key !== '1') {
        this.add(keyPath, 'boolValue', { value: show(key) });
      } else if (type === 'enum' && (!INTEGER_KEY.test(key) || Number(key) < INT32_MIN || Number(key) > INT32_MAX)) {
        this.add(keyPath, 'enumValue', { value: show(key) });
      } else if (typeof label !== 'string') {
        this.add(keyPath, 'labelNotText', { key, value: show(label) });
      }
    }
    if (type === 'bool') {
      for (const key of ['0', '1']) {
        if (!(key in specs)) this.add(path, 'boolLabelMissing', { key });
      }
    }
  }

  private structSpecs(specs: unknown, path: string): void {
    if (!Array.isArray(specs) || specs.length === 0) {
      this.add(path, 'structFields');
      return;
    }
    const ids = new DuplicateTracker(this.problems, 'struct field');
    specs.forEach((field, i) => this.param(field, `${path}/${i}`, ids, { inStruct: true }));
  }

  private arraySpecs(specs: unknown, path: string, context: Context): void {
    if (!isObject(specs)) {
      this.add(path, 'arraySpecs');
      return;
    }
    const size = tslNumber(specs.size);
    if (size === undefined || !Number.isInteger(size) || size < 1 || size > TSL_ARRAY_MAX_SIZE) {
      const max = String(TSL_ARRAY_MAX_SIZE);
      if (specs.size === undefined) this.add(`${path}/size`, 'arraySizeMissing', { max });
      else this.add(`${path}/size`, 'arraySize', { value: show(specs.size), max });
    }
    const item = specs.item;
    if (!isObject(item)) {
      this.add(`${path}/item`, 'arrayItemMissing');
      return;
    }
    if (typeof item.type !== 'string' || !ARRAY_ITEM_TYPES.includes(item.type)) {
      this.add(`${path}/item/type`, 'arrayItemType', { types: ARRAY_ITEM_TYPES.join(', '), value: show(item.type) });
      return;
    }
    if (item.type === 'struct' && context.inStruct) {
      this.add(`${path}/item/type`, 'nestedStructArray');
      return;
    }
    this.dataType(item, `${path}/item`, context);
  }
}

/** Reports the second and later uses of an identifier within one list, pointing at the first. */
class DuplicateTracker {
  private readonly seen = new Map<string, string>();
  constructor(
    private readonly problems: CodedTslProblem[],
    private readonly what: TslDuplicateKind,
  ) {}

  see(id: string, path: string): void {
    const first = this.seen.get(id);
    if (first === undefined) this.seen.set(id, path);
    else this.problems.push(codedProblem(`${path}/identifier`, 'duplicateIdentifier', { what: this.what, id, first }));
  }
}

function codedProblem(path: string, code: TslProblemCode, params: TslProblemParams): CodedTslProblem {
  return { path, code, params, message: tslProblemEnglish(code, params) };
}
