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
  const problems: TslProblem[] = [];
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

  constructor(private readonly problems: TslProblem[]) {}

  private add(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  document(doc: unknown): void {
    if (!isObject(doc)) {
      this.add('', 'a thing model must be a JSON object with properties, services and events');
      return;
    }
    const properties = this.list(doc, 'properties');
    const services = this.list(doc, 'services');
    const events = this.list(doc, 'events');

    const propertyIds = new DuplicateTracker(this.problems, 'property');
    properties.forEach((property, i) => {
      const path = `/properties/${i}`;
      if (!isObject(property)) return this.add(path, 'a property must be an object');
      const id = this.identifier(property, path);
      if (id !== undefined) {
        propertyIds.see(id, path);
        this.propertyIds.add(id);
      }
      this.name(property, path);
      if (property.accessMode !== 'r' && property.accessMode !== 'rw') {
        this.add(
          `${path}/accessMode`,
          `accessMode must be "r" (read-only) or "rw" (read-write), not ${show(property.accessMode)}`,
        );
      }
      this.dataType(property.dataType, `${path}/dataType`, { inStruct: false });
    });

    // Services and events are separate namespaces from properties and from each other (they use different topics),
    // and the built-in post/set/get repeat property identifiers by design: duplicates are only looked for within
    // one list.
    const serviceIds = new DuplicateTracker(this.problems, 'service');
    services.forEach((service, i) => {
      const path = `/services/${i}`;
      if (!isObject(service)) return this.add(path, 'a service must be an object');
      if (service.method === BUILTIN_METHODS.propertySet || service.method === BUILTIN_METHODS.propertyGet) {
        this.builtin(service, path, service.method, serviceIds);
        return;
      }
      const id = this.identifier(service, path);
      if (id !== undefined) {
        serviceIds.see(id, path);
        if (RESERVED_SERVICE_IDS.has(id)) {
          this.add(`${path}/identifier`, `"${id}" is reserved for the built-in property services; choose another`);
        } else if (service.method !== undefined && service.method !== `thing.service.${id}`) {
          this.add(`${path}/method`, `method must be "thing.service.${id}" (or left out), not ${show(service.method)}`);
        }
      }
      this.name(service, path);
      if (service.callType !== 'sync' && service.callType !== 'async') {
        this.add(`${path}/callType`, `callType must be "sync" or "async", not ${show(service.callType)}`);
      }
      this.params(service, 'inputData', path);
      this.params(service, 'outputData', path);
    });

    const eventIds = new DuplicateTracker(this.problems, 'event');
    events.forEach((event, i) => {
      const path = `/events/${i}`;
      if (!isObject(event)) return this.add(path, 'an event must be an object');
      if (event.method === BUILTIN_METHODS.propertyPost) {
        this.builtin(event, path, event.method, eventIds);
        return;
      }
      const id = this.identifier(event, path);
      if (id !== undefined) {
        eventIds.see(id, path);
        if (RESERVED_EVENT_IDS.has(id)) {
          this.add(`${path}/identifier`, `"${id}" is reserved for the built-in property post event; choose another`);
        } else if (event.method !== undefined && event.method !== `thing.event.${id}.post`) {
          const expected = `thing.event.${id}.post`;
          this.add(`${path}/method`, `method must be "${expected}" (or left out), not ${show(event.method)}`);
        }
      }
      this.name(event, path);
      if (event.type !== 'info' && event.type !== 'alert' && event.type !== 'error') {
        this.add(`${path}/type`, `event type must be "info", "alert" or "error", not ${show(event.type)}`);
      }
      this.params(event, 'outputData', path);
    });
  }

  /** An optional top-level list; anything but an array is a problem and is then treated as empty. */
  private list(doc: Json, key: 'properties' | 'services' | 'events'): unknown[] {
    const value = doc[key];
    if (value === undefined) return [];
    if (Array.isArray(value)) return value;
    this.add(`/${key}`, `${key} must be a list`);
    return [];
  }

  private identifier(item: Json, path: string): string | undefined {
    const id = item.identifier;
    if (id === undefined || id === '') {
      this.add(`${path}/identifier`, 'identifier is missing');
      return undefined;
    }
    if (typeof id !== 'string' || !TSL_IDENTIFIER.test(id)) {
      this.add(
        `${path}/identifier`,
        `${show(id)} is not a valid identifier: use a letter, then up to 31 letters, digits or underscores`,
      );
      return undefined;
    }
    return id;
  }

  private name(item: Json, path: string): void {
    if (typeof item.name !== 'string' || item.name.trim() === '') this.add(`${path}/name`, 'name is missing');
  }

  /** inputData / outputData of a service or event: a list of parameters with unique identifiers. */
  private params(owner: Json, key: 'inputData' | 'outputData', ownerPath: string): void {
    const path = `${ownerPath}/${key}`;
    const list = owner[key];
    if (list === undefined) return; // Alibaba writes empty lists, but an absent list means the same.
    if (!Array.isArray(list)) {
      this.add(path, `${key} must be a list of parameters`);
      return;
    }
    const ids = new DuplicateTracker(this.problems, key === 'inputData' ? 'input parameter' : 'output parameter');
    list.forEach((param, i) => this.param(param, `${path}/${i}`, ids, { inStruct: false }));
  }

  private param(param: unknown, path: string, ids: DuplicateTracker, context: Context): void {
    if (!isObject(param)) {
      this.add(path, 'a parameter must be an object with identifier, name and dataType');
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
      this.add(
        `${path}/identifier`,
        `the built-in ${method} must have identifier "${expected}", not ${show(feature.identifier)}`,
      );
    } else {
      ids.see(expected, path);
    }
    for (const key of ['inputData', 'outputData'] as const) {
      const list = feature[key];
      if (list === undefined) continue;
      if (!Array.isArray(list)) {
        this.add(`${path}/${key}`, `${key} must be a list`);
        continue;
      }
      list.forEach((entry, i) => {
        // get's inputData lists bare identifiers; everywhere else entries are parameter objects.
        const id = typeof entry === 'string' ? entry : isObject(entry) ? entry.identifier : undefined;
        const entryPath = typeof entry === 'string' ? `${path}/${key}/${i}` : `${path}/${key}/${i}/identifier`;
        if (typeof id !== 'string' || !this.propertyIds.has(id)) {
          this.add(entryPath, `${method} lists ${show(id)}, which is not a property of this thing model`);
        }
      });
    }
  }

  private dataType(dataType: unknown, path: string, context: Context): void {
    if (!isObject(dataType)) {
      this.add(path, 'dataType must be an object with type and specs');
      return;
    }
    const type = dataType.type;
    if (typeof type !== 'string' || !TYPES.includes(type)) {
      this.add(`${path}/type`, `unknown type ${show(type)}; use one of ${TYPES.join(', ')}`);
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
        if (specs !== undefined && !isObject(specs)) this.add(specsPath, 'date specs must be an empty object');
        return;
      case 'bool':
      case 'enum':
        return this.labelSpecs(type, specs, specsPath);
      case 'struct':
        if (context.inStruct) {
          this.add(`${path}/type`, 'a struct cannot contain another struct (Alibaba forbids nesting); flatten it');
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
      this.add(path, `${type} specs must be an object with min, max and step`);
      return;
    }
    const bound = (key: 'min' | 'max'): number | undefined => {
      const raw = specs[key];
      if (raw === undefined || raw === '') return undefined; // Alibaba leaves unused bounds empty
      const value = tslNumber(raw);
      if (value === undefined) {
        this.add(`${path}/${key}`, `${key} (${show(raw)}) is not a number`);
        return undefined;
      }
      if (type === 'int' && !Number.isInteger(value)) {
        this.add(`${path}/${key}`, `${key} (${value}) must be a whole number for an int`);
      } else if (type === 'int' && (value < INT32_MIN || value > INT32_MAX)) {
        this.add(`${path}/${key}`, `${key} (${value}) is outside the int32 range ${INT32_MIN}..${INT32_MAX}`);
      }
      return value;
    };
    const min = bound('min');
    const max = bound('max');
    if (min !== undefined && max !== undefined && min > max) {
      this.add(`${path}/min`, `min (${min}) is greater than max (${max})`);
    }
    const rawStep = specs.step;
    if (rawStep !== undefined && rawStep !== '') {
      const step = tslNumber(rawStep);
      if (step === undefined) this.add(`${path}/step`, `step (${show(rawStep)}) is not a number`);
      else if (step <= 0) this.add(`${path}/step`, `step (${step}) must be greater than 0`);
    }
  }

  private textSpecs(specs: unknown, path: string): void {
    if (specs === undefined) return;
    if (!isObject(specs)) {
      this.add(path, 'text specs must be an object with length');
      return;
    }
    if (specs.length === undefined) return;
    const length = tslNumber(specs.length);
    if (length === undefined || !Number.isInteger(length) || length < 1 || length > TSL_TEXT_MAX_LENGTH) {
      const shown = show(specs.length);
      this.add(`${path}/length`, `length (${shown}) must be a whole number from 1 to ${TSL_TEXT_MAX_LENGTH}`);
    }
  }

  private labelSpecs(type: 'bool' | 'enum', specs: unknown, path: string): void {
    if (!isObject(specs) || Object.keys(specs).length === 0) {
      this.add(
        path,
        type === 'bool'
          ? 'bool needs labels for its values, e.g. {"0": "off", "1": "on"}'
          : 'enum needs at least one value with its label, e.g. {"0": "auto", "1": "manual"}',
      );
      return;
    }
    for (const [key, label] of Object.entries(specs)) {
      const keyPath = `${path}/${pointerSegment(key)}`;
      if (type === 'bool' && key !== '0' && key !== '1') {
        this.add(keyPath, `bool values are 0 and 1 only; remove ${show(key)}`);
      } else if (type === 'enum' && (!INTEGER_KEY.test(key) || Number(key) < INT32_MIN || Number(key) > INT32_MAX)) {
        this.add(keyPath, `enum value ${show(key)} is not an integer; enum values are whole numbers with labels`);
      } else if (typeof label !== 'string') {
        this.add(keyPath, `the label of ${key} must be text, not ${show(label)}`);
      }
    }
    if (type === 'bool') {
      for (const key of ['0', '1']) {
        if (!(key in specs)) this.add(path, `bool needs a label for ${key}`);
      }
    }
  }

  private structSpecs(specs: unknown, path: string): void {
    if (!Array.isArray(specs) || specs.length === 0) {
      this.add(path, 'a struct needs a list of at least one field');
      return;
    }
    const ids = new DuplicateTracker(this.problems, 'struct field');
    specs.forEach((field, i) => this.param(field, `${path}/${i}`, ids, { inStruct: true }));
  }

  private arraySpecs(specs: unknown, path: string, context: Context): void {
    if (!isObject(specs)) {
      this.add(path, 'array specs must be an object with size and item');
      return;
    }
    const size = tslNumber(specs.size);
    if (size === undefined || !Number.isInteger(size) || size < 1 || size > TSL_ARRAY_MAX_SIZE) {
      this.add(
        `${path}/size`,
        specs.size === undefined
          ? `size is missing; set the maximum number of elements, 1 to ${TSL_ARRAY_MAX_SIZE}`
          : `size (${show(specs.size)}) must be a whole number from 1 to ${TSL_ARRAY_MAX_SIZE}`,
      );
    }
    const item = specs.item;
    if (!isObject(item)) {
      this.add(`${path}/item`, 'item is missing; give the element type, e.g. {"type": "int"}');
      return;
    }
    if (typeof item.type !== 'string' || !ARRAY_ITEM_TYPES.includes(item.type)) {
      this.add(`${path}/item/type`, `an array holds ${ARRAY_ITEM_TYPES.join(', ')}, not ${show(item.type)}`);
      return;
    }
    if (item.type === 'struct' && context.inStruct) {
      this.add(`${path}/item/type`, 'a struct cannot contain an array of structs (Alibaba forbids nesting structs)');
      return;
    }
    this.dataType(item, `${path}/item`, context);
  }
}

/** Reports the second and later uses of an identifier within one list, pointing at the first. */
class DuplicateTracker {
  private readonly seen = new Map<string, string>();
  constructor(
    private readonly problems: TslProblem[],
    private readonly what: string,
  ) {}

  see(id: string, path: string): void {
    const first = this.seen.get(id);
    if (first === undefined) this.seen.set(id, path);
    else {
      const message = `duplicate ${this.what} identifier "${id}" (already used at ${first})`;
      this.problems.push({ path: `${path}/identifier`, message });
    }
  }
}
