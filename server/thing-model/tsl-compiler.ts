import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { CompiledThingModel, FieldError, PropertyValue, ValidationOutcome } from '../../domain/thing-model/compiled-thing-model.ts';
import { INT32_MAX, INT32_MIN, TslInvalidError, checkTsl, tslNumber } from './tsl-check.ts';
import {
  isBuiltinEvent,
  isBuiltinService,
  type TslArrayItem,
  type TslDataType,
  type TslDocument,
  type TslParam,
} from '../../domain/thing-model/tsl-types.ts';

/**
 * Turns a TSL document into ajv validators answering in the device protocol's terms (docs/protocol.md "Reply codes"
 * 400/404/422), with reasons a device developer can act on ("must be ≤ 100") instead of ajv's wording.
 *
 * One JSON Schema per property, per event's output and per service's input and output, compiled eagerly when a
 * version is first used (ThingModelValidators caches the result per published version), so the hot path is a
 * dictionary lookup and a compiled ajv function per property: no schema compilation and no closures per message.
 * `npx vitest bench server/thing-model` measures it.
 */

/** Largest finite single-precision value: a `float` without bounds is checked against it. */
const FLOAT32_MAX = 3.4028234663852886e38;
/** A `text` without `length` may be as long as Alibaba allows. */
const TEXT_DEFAULT_LENGTH = 10240;
/**
 * Alibaba's `date` is UTC ms written as a string of digits. 16 digits is beyond any real timestamp (13 digits last
 * until the year 2286) and matches the integer form's bound, Number.MAX_SAFE_INTEGER.
 */
const DATE_PATTERN = '^[0-9]{1,16}$';
const DATE_REASON = 'must be a UTC time in milliseconds: a string of digits or a non-negative integer';

/**
 * The reasons a schema node gives for its failures, written at compile time and stored in the schema under the
 * annotation keyword `x-tsl`; ajv (with `verbose`) hands the failing node back as `parentSchema`, so turning an ajv
 * error into a reason is a property read. Any failure without a specific reason reads `type`.
 */
interface Reasons {
  type: string;
  /** `minimum` */
  min?: string;
  /** `maximum`, `maxLength`, `maxItems` */
  max?: string;
  /** `additionalProperties`: a key the struct or parameter list does not define */
  unknownKey?: string;
}

type JsonSchema = Record<string, unknown>;
type Normaliser = (value: unknown) => unknown;

/** A data type compiled to a schema, and how to normalise a value that passed it (only where bool/date occur). */
interface CompiledType {
  schema: JsonSchema;
  normalise: Normaliser | undefined;
}

/**
 * One Ajv for every thing model: one option set and keyword table, and compiled models release their schemas from
 * its cache when evicted. `strict` catches any schema this file builds wrongly; `allErrors` reports every failing
 * field, not the first; union types are needed for `date`; `verbose` gives errors their schema node (see Reasons),
 * at no cost to values that pass.
 */
const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true, verbose: true });
ajv.addKeyword('x-tsl');

/**
 * A thing model compiled from TSL. Holds its schemas in the shared Ajv until {@link TslThingModel.release} (called by
 * ThingModelValidators on eviction), because ajv keeps every compiled schema in its cache for the process's life.
 */
export interface TslThingModel extends CompiledThingModel {
  /** Drops this model's schemas from the shared Ajv; the model's validators keep working for callers holding it. */
  release(): void;
}

/**
 * Compiles a TSL document into the validators of {@link CompiledThingModel}. The document is checked first; a
 * document with problems throws {@link TslInvalidError} listing all of them.
 */
export function compileThingModel(productKey: string, version: number, doc: TslDocument): TslThingModel {
  const problems = checkTsl(doc);
  if (problems.length > 0) throw new TslInvalidError(problems);
  return new CompiledTsl(productKey, version, doc);
}

interface PropertyValidator {
  writable: boolean;
  validate: ValidateFunction;
  normalise: Normaliser | undefined;
  /**
   * A struct that itself has a field named `value` cannot tell `{value, time}` from a bare struct by the key alone;
   * structs cannot hold structs, so there the wrapper is recognised only when its `value` is an object.
   */
  wrapperNeedsObjectValue: boolean;
}

/** An event's output, or a service's input or output: an object of named parameters. */
interface ParamsValidator {
  validate: ValidateFunction;
  normalise: Normaliser | undefined;
}

interface ServiceValidators {
  input: ParamsValidator;
  output: ParamsValidator;
}

const NOT_IN_MODEL = 'not defined in the thing model';

class CompiledTsl implements TslThingModel {
  /**
   * A null-prototype dictionary rather than a Map: measurably faster on the hot path, and safe because keys are
   * TSL identifiers while a device's `__proto__` or `constructor` simply finds nothing.
   */
  private readonly properties: Record<string, PropertyValidator | undefined> = Object.create(null);
  private readonly events = new Map<string, ParamsValidator>();
  private readonly services = new Map<string, ServiceValidators>();
  /** Schemas compiled for this model, deduplicated: identical property types share one validator. */
  private readonly compiled = new Map<string, { schema: JsonSchema; validate: ValidateFunction }>();

  constructor(
    readonly productKey: string,
    readonly version: number,
    doc: TslDocument,
  ) {
    for (const property of doc.properties ?? []) {
      const { schema, normalise } = compileType(property.dataType);
      this.properties[property.identifier] = {
        writable: property.accessMode === 'rw',
        validate: this.compile(schema),
        normalise,
        wrapperNeedsObjectValue:
          property.dataType.type === 'struct' && property.dataType.specs.some((field) => field.identifier === 'value'),
      };
    }
    // Alibaba's generated post event and set/get services repeat the properties; the property validators above
    // already cover them, so only the product's own events and services are compiled here.
    for (const event of doc.events ?? []) {
      if (isBuiltinEvent(event)) continue;
      const validator = this.compileParams(event.outputData ?? [], `an output of event "${event.identifier}"`);
      this.events.set(event.identifier, validator);
    }
    for (const service of doc.services ?? []) {
      if (isBuiltinService(service)) continue;
      this.services.set(service.identifier, {
        input: this.compileParams(service.inputData ?? [], `an input of service "${service.identifier}"`),
        output: this.compileParams(service.outputData ?? [], `an output of service "${service.identifier}"`),
      });
    }
  }

  release(): void {
    for (const { schema } of this.compiled.values()) ajv.removeSchema(schema);
    this.compiled.clear();
  }

  validatePropertyPost(
    params: unknown,
    options?: { dropUnknown?: boolean },
  ): ValidationOutcome<{ values: PropertyValue[]; dropped: string[] }> {
    if (!isPlainObject(params)) return malformed('params', 'must be an object of property values');
    const dropUnknown = options?.dropUnknown === true;
    const values: PropertyValue[] = [];
    const dropped: string[] = [];
    let errors: FieldError[] | undefined;
    let unknown = false;
    for (const identifier in params) {
      const property = this.properties[identifier];
      if (property === undefined) {
        if (dropUnknown) {
          dropped.push(identifier);
        } else {
          unknown = true;
          (errors ??= []).push({ field: identifier, reason: NOT_IN_MODEL });
        }
        continue;
      }
      const reported = params[identifier];
      let value = reported;
      let time: unknown;
      // Inline and typeof first: most values are bare numbers or strings and skip all of this. `.value` rather than
      // hasOwn: params come from JSON, where no key is inherited and none is undefined.
      if (typeof reported === 'object' && reported !== null) {
        const inner = (reported as { value?: unknown }).value;
        if (inner !== undefined && (!property.wrapperNeedsObjectValue || isPlainObject(inner))) {
          const problem = wrapperProblem(reported as Record<string, unknown>);
          if (problem !== undefined) {
            (errors ??= []).push({ field: identifier, reason: problem });
            continue;
          }
          value = inner;
          time = (reported as { time?: unknown }).time;
        }
      }
      if (!property.validate(value)) {
        appendErrors((errors ??= []), identifier, property.validate.errors);
        continue;
      }
      if (property.normalise !== undefined) value = property.normalise(value);
      values.push(time === undefined ? { identifier, value } : { identifier, value, time: time as number });
    }
    if (errors !== undefined) return { ok: false, code: unknown ? 404 : 422, errors };
    return { ok: true, value: { values, dropped } };
  }

  validatePropertySet(params: unknown): ValidationOutcome<Record<string, unknown>> {
    return this.validatePropertyValues(params, true);
  }

  validatePropertyGet(params: unknown): ValidationOutcome<string[]> {
    if (!Array.isArray(params)) return malformed('params', 'must be a list of property identifiers');
    const errors: FieldError[] = [];
    let unknown = false;
    params.forEach((identifier: unknown, i) => {
      if (typeof identifier !== 'string') {
        errors.push({ field: `[${i}]`, reason: 'must be a property identifier' });
      } else if (this.properties[identifier] === undefined) {
        unknown = true;
        errors.push({ field: identifier, reason: NOT_IN_MODEL });
      }
    });
    if (errors.length > 0) return { ok: false, code: unknown ? 404 : 400, errors };
    return { ok: true, value: params as string[] };
  }

  validateEvent(
    eventId: string,
    params: unknown,
  ): ValidationOutcome<{ value: Record<string, unknown>; time?: number }> {
    const event = this.events.get(eventId);
    if (event === undefined) {
      return { ok: false, code: 404, errors: [{ field: eventId, reason: 'not an event of the thing model' }] };
    }
    if (!isPlainObject(params)) return malformed('params', 'must be an object {value, time}');
    const envelopeErrors: FieldError[] = [];
    for (const key in params) {
      if (key !== 'value' && key !== 'time') {
        envelopeErrors.push({ field: key, reason: 'unexpected: event params are {value, time}' });
      }
    }
    if (!isPlainObject(params.value)) {
      envelopeErrors.push({ field: 'value', reason: "must be an object of the event's output parameters" });
    }
    if (envelopeErrors.length > 0) return { ok: false, code: 400, errors: envelopeErrors };
    const time = params.time;
    const errors: FieldError[] = [];
    if (time !== undefined && !isTime(time)) errors.push({ field: 'time', reason: TIME_REASON });
    if (!event.validate(params.value)) appendErrors(errors, '', event.validate.errors);
    if (errors.length > 0) return { ok: false, code: 422, errors };
    const reported = params.value as Record<string, unknown>;
    const value = event.normalise === undefined ? reported : (event.normalise(reported) as Record<string, unknown>);
    return { ok: true, value: time === undefined ? { value } : { value, time: time as number } };
  }

  validateServiceInput(serviceId: string, params: unknown): ValidationOutcome<Record<string, unknown>> {
    // The built-in property services arrive here when a caller routes every `thing.service.*` the same way.
    if (serviceId === 'set') return this.validatePropertySet(params);
    if (serviceId === 'get') {
      return malformed('params', 'property get takes a list of property identifiers; see validatePropertyGet');
    }
    const service = this.services.get(serviceId);
    if (service === undefined) return unknownService(serviceId);
    return validateParams(service.input, params);
  }

  validateServiceOutput(serviceId: string, data: unknown): ValidationOutcome<Record<string, unknown>> {
    // Alibaba's set_reply carries `{}`; get_reply carries the values of the properties asked for, any access mode.
    if (serviceId === 'set') {
      if (isPlainObject(data) || data === undefined) return { ok: true, value: {} };
      return malformed('data', 'must be an object');
    }
    if (serviceId === 'get') return this.validatePropertyValues(data, false);
    const service = this.services.get(serviceId);
    if (service === undefined) return unknownService(serviceId);
    // A service without outputs is often answered without `data` at all.
    return validateParams(service.output, data === undefined ? {} : data);
  }

  /** Bare property values by identifier: a property set (only `rw`) or a get reply (any). */
  private validatePropertyValues(params: unknown, settable: boolean): ValidationOutcome<Record<string, unknown>> {
    if (!isPlainObject(params)) return malformed('params', 'must be an object of property values');
    const out: Record<string, unknown> = {};
    let errors: FieldError[] | undefined;
    let unknown = false;
    for (const identifier in params) {
      const property = this.properties[identifier];
      if (property === undefined) {
        unknown = true;
        (errors ??= []).push({ field: identifier, reason: NOT_IN_MODEL });
        continue;
      }
      if (settable && !property.writable) {
        (errors ??= []).push({ field: identifier, reason: 'read-only' });
        continue;
      }
      const value = params[identifier];
      if (!property.validate(value)) {
        appendErrors((errors ??= []), identifier, property.validate.errors);
        continue;
      }
      out[identifier] = property.normalise === undefined ? value : property.normalise(value);
    }
    if (errors !== undefined) return { ok: false, code: unknown ? 404 : 422, errors };
    return { ok: true, value: out };
  }

  private compileParams(params: TslParam[], unknownKey: string): ParamsValidator {
    const { schema, normalise } = compileObject(params, false, {
      type: 'must be an object of named parameters',
      unknownKey: `not ${unknownKey}`,
    });
    return { validate: this.compile(schema), normalise };
  }

  private compile(schema: JsonSchema): ValidateFunction {
    const key = JSON.stringify(schema);
    let entry = this.compiled.get(key);
    if (entry === undefined) {
      entry = { schema, validate: ajv.compile(schema) };
      this.compiled.set(key, entry);
    }
    return entry.validate;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// TSL data type → JSON Schema

function compileType(dataType: TslDataType | TslArrayItem): CompiledType {
  switch (dataType.type) {
    case 'int':
    case 'float':
    case 'double':
      return {
        schema: numericSchema(dataType.type, tslNumber(dataType.specs?.min), tslNumber(dataType.specs?.max)),
        normalise: undefined,
      };
    case 'text': {
      const length = tslNumber(dataType.specs?.length) ?? TEXT_DEFAULT_LENGTH;
      // maxLength counts characters (code points, ajv's default) as a person does, so "°C" is 2 whatever the
      // encoding; Alibaba documents the limit in bytes, which is the same for ASCII.
      const reasons: Reasons = { type: 'must be a string', max: `must be at most ${length} characters` };
      return { schema: { type: 'string', maxLength: length, 'x-tsl': reasons }, normalise: undefined };
    }
    case 'date': {
      // pattern applies only to strings and minimum/maximum only to numbers, so one union type says it all.
      const schema = {
        type: ['string', 'integer'],
        pattern: DATE_PATTERN,
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        'x-tsl': { type: DATE_REASON },
      };
      return { schema, normalise: normaliseDate };
    }
    case 'bool': {
      const labels = dataType.specs;
      // Alibaba's bool is 0 or 1. JSON true/false are accepted too, since firmware built on a JSON library writes
      // them naturally, and normalised to 1/0 so storage, rules and flows only ever see the TSL's own form.
      const reasons: Reasons = { type: `must be 0 (${labels['0']}) or 1 (${labels['1']})` };
      return { schema: { enum: [0, 1, true, false], 'x-tsl': reasons }, normalise: normaliseBool };
    }
    case 'enum': {
      const entries = Object.entries(dataType.specs);
      const shown = entries.slice(0, 10).map(([key, label]) => `${key} (${label})`);
      if (entries.length > shown.length) shown.push(`… ${entries.length - shown.length} more`);
      const reasons: Reasons = { type: `must be one of ${shown.join(', ')}` };
      return { schema: { enum: entries.map(([key]) => Number(key)), 'x-tsl': reasons }, normalise: undefined };
    }
    case 'struct': {
      const fields = dataType.specs.map((field) => field.identifier);
      return compileObject(dataType.specs, true, {
        type: `must be an object with the fields ${fields.join(', ')}`,
        unknownKey: `not a field of the struct (fields: ${fields.join(', ')})`,
      });
    }
    case 'array': {
      const size = tslNumber(dataType.specs.size) ?? 0;
      const item = compileType(dataType.specs.item);
      const itemNormalise = item.normalise;
      const reasons: Reasons = { type: 'must be an array', max: `must have at most ${size} items` };
      return {
        schema: { type: 'array', maxItems: size, items: item.schema, 'x-tsl': reasons },
        normalise: itemNormalise === undefined ? undefined : (value) => (value as unknown[]).map(itemNormalise),
      };
    }
  }
}

/**
 * `step` is deliberately not enforced: Alibaba treats it as a UI hint (the console's slider increment) and
 * accepts any value within min..max; and multiples of a decimal step (0.1) cannot be checked exactly in binary
 * floating point anyway.
 */
function numericSchema(type: 'int' | 'float' | 'double', min: number | undefined, max: number | undefined): JsonSchema {
  const reasons: Reasons = { type: type === 'int' ? 'must be an integer' : 'must be a number' };
  const schema: JsonSchema = { type: type === 'int' ? 'integer' : 'number' };
  // The type's own range applies where the TSL gives no bound: int32 for int, single precision for float.
  const typeRange =
    type === 'int'
      ? ([INT32_MIN, INT32_MAX, 'int32'] as const)
      : type === 'float'
        ? ([-FLOAT32_MAX, FLOAT32_MAX, 'float'] as const)
        : undefined;
  if (min !== undefined) {
    schema.minimum = min;
    reasons.min = `must be ≥ ${min}`;
  } else if (typeRange !== undefined) {
    schema.minimum = typeRange[0];
    reasons.min = `must be ≥ ${typeRange[0]} (${typeRange[2]} range)`;
  }
  if (max !== undefined) {
    schema.maximum = max;
    reasons.max = `must be ≤ ${max}`;
  } else if (typeRange !== undefined) {
    schema.maximum = typeRange[1];
    reasons.max = `must be ≤ ${typeRange[1]} (${typeRange[2]} range)`;
  }
  schema['x-tsl'] = reasons;
  return schema;
}

/**
 * A struct (every field required: a struct value is whole) or a service/event parameter object (each parameter
 * optional: firmware reports what it has, as Alibaba allows). Either way a key the TSL does not define is an error.
 */
function compileObject(fields: TslParam[], allRequired: boolean, reasons: Reasons): CompiledType {
  const properties: Record<string, JsonSchema> = {};
  const normalisers: Array<[string, Normaliser]> = [];
  for (const field of fields) {
    const compiled = compileType(field.dataType);
    properties[field.identifier] = compiled.schema;
    if (compiled.normalise !== undefined) normalisers.push([field.identifier, compiled.normalise]);
  }
  const schema: JsonSchema = { type: 'object', properties, additionalProperties: false, 'x-tsl': reasons };
  if (allRequired && fields.length > 0) schema.required = fields.map((field) => field.identifier);
  if (normalisers.length === 0) return { schema, normalise: undefined };
  return {
    schema,
    normalise: (value) => {
      const out = { ...(value as Record<string, unknown>) };
      for (const [key, normalise] of normalisers) {
        if (Object.hasOwn(out, key)) out[key] = normalise(out[key]);
      }
      return out;
    },
  };
}

function normaliseBool(value: unknown): unknown {
  return value === true ? 1 : value === false ? 0 : value;
}

/** Dates are kept in Alibaba's form, a string of digits, whichever form the device sent. */
function normaliseDate(value: unknown): unknown {
  return typeof value === 'number' ? String(value) : value;
}

// ---------------------------------------------------------------------------------------------------------------
// Values, envelopes and errors

const TIME_REASON = 'time must be a non-negative integer (device ms)';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTime(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** What is wrong with a `{value, time}` wrapper itself, if anything. */
function wrapperProblem(wrapper: Record<string, unknown>): string | undefined {
  const time = wrapper.time;
  if (time !== undefined && !isTime(time)) return TIME_REASON;
  for (const key in wrapper) {
    if (key !== 'value' && key !== 'time') return `unexpected "${key}" beside value and time`;
  }
  return undefined;
}

function validateParams(validator: ParamsValidator, params: unknown): ValidationOutcome<Record<string, unknown>> {
  if (!isPlainObject(params)) return malformed('params', 'must be an object of named parameters');
  if (!validator.validate(params)) {
    const errors: FieldError[] = [];
    appendErrors(errors, '', validator.validate.errors);
    return { ok: false, code: 422, errors };
  }
  const value = validator.normalise === undefined ? params : (validator.normalise(params) as Record<string, unknown>);
  return { ok: true, value };
}

function malformed(field: string, reason: string): { ok: false; code: 400; errors: FieldError[] } {
  return { ok: false, code: 400, errors: [{ field, reason }] };
}

function unknownService(serviceId: string): { ok: false; code: 404; errors: FieldError[] } {
  return { ok: false, code: 404, errors: [{ field: serviceId, reason: 'not a service of the thing model' }] };
}

/**
 * Turns ajv's errors into one `{field, reason}` per failing field (a value over max that is also not an integer
 * gets both reasons joined), with fields as dotted paths: `pos.lat`, `list[2].name`.
 */
function appendErrors(out: FieldError[], prefix: string, errors: ErrorObject[] | null | undefined): void {
  const start = out.length;
  for (const error of errors ?? []) {
    const reasons = error.parentSchema?.['x-tsl'] as Reasons | undefined;
    let field = toField(prefix, error.instancePath);
    let reason: string;
    switch (error.keyword) {
      case 'required':
        field = joinField(field, String(error.params.missingProperty));
        reason = 'missing';
        break;
      case 'additionalProperties':
        field = joinField(field, String(error.params.additionalProperty));
        reason = reasons?.unknownKey ?? NOT_IN_MODEL;
        break;
      case 'minimum':
        reason = reasons?.min ?? reasons?.type ?? String(error.message);
        break;
      case 'maximum':
      case 'maxLength':
      case 'maxItems':
        reason = reasons?.max ?? reasons?.type ?? String(error.message);
        break;
      default:
        reason = reasons?.type ?? String(error.message);
    }
    const existing = out.slice(start).find((entry) => entry.field === field);
    if (existing === undefined) out.push({ field, reason });
    else if (!existing.reason.split('; ').includes(reason)) existing.reason += `; ${reason}`;
  }
}

/** `prefix` + an ajv instancePath (`/pos/lat`, `/2/name`) as a dotted field (`pos.lat`, `list[2].name`). */
function toField(prefix: string, instancePath: string): string {
  let field = prefix;
  if (instancePath === '') return field;
  for (const raw of instancePath.slice(1).split('/')) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    // Identifiers start with a letter, so an all-digit segment can only be an array index.
    field = /^\d+$/.test(segment) ? `${field}[${segment}]` : joinField(field, segment);
  }
  return field;
}

function joinField(field: string, key: string): string {
  return field === '' ? key : `${field}.${key}`;
}
