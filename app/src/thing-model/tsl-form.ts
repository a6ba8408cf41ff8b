/**
 * The thing model editor's form model and its two-way mapping to Alibaba TSL JSON (docs/thing-models.md).
 *
 * The forms edit strings (a half-typed `-` is a legitimate state of a min field) and lists of value/label pairs (an
 * enum whose two rows briefly share a value must not lose one), so they cannot edit the TSL object directly. The
 * mapping is built to be faithful: a document read and written back without edits is the same document (unknown keys,
 * key order, numbers written as JSON numbers, Alibaba's generated `post`/`set`/`get` all kept), and only the features a
 * user edited are rewritten in Alibaba's own shape. Pure, no React.
 */
import { t } from './thing-model.messages.ts';

/** The nine TSL data types. */
export const TYPE_NAMES = ['int', 'float', 'double', 'text', 'bool', 'enum', 'date', 'struct', 'array'] as const;
export type TypeName = (typeof TYPE_NAMES)[number];
/** What an `array` may hold (Alibaba's limit). */
export const ARRAY_ITEM_TYPES = ['int', 'float', 'double', 'text', 'struct'] as const;

export const NUMERIC_TYPES: readonly string[] = ['int', 'float', 'double'];

/** Method strings of the features Alibaba generates from the properties. */
export const BUILTIN_METHODS = {
  post: 'thing.event.property.post',
  set: 'thing.service.property.set',
  get: 'thing.service.property.get',
} as const;

type Json = Record<string, unknown>;

/** One value/label row of an enum. `key` identifies the row for React only. */
export interface EnumEntry {
  key: string;
  value: string;
  label: string;
}

/**
 * A data type as the form edits it: every spec of every type is kept, so switching `int` → `float` → `int` keeps the
 * bounds typed so far; only the specs of `type` are written out.
 */
export interface DataTypeForm {
  /** One of {@link TYPE_NAMES}, or an unknown type read from JSON (kept, and reported by the check). */
  type: string;
  min: string;
  max: string;
  step: string;
  unit: string;
  unitName: string;
  /** text: maximum length. */
  length: string;
  /** bool: the labels of 0 and 1. */
  falseLabel: string;
  trueLabel: string;
  entries: EnumEntry[];
  /** struct: its fields. */
  fields: ParamForm[];
  /** array: the maximum number of elements and the element type. */
  size: string;
  item: DataTypeForm | null;
  /** The document wrote numeric specs as JSON numbers (`-40`) rather than Alibaba's strings (`"-40"`). */
  numbers: boolean;
  /** The specs of a type this editor does not know, written back unchanged. */
  rawSpecs?: unknown;
}

/** What properties, parameters, struct fields, services and events share. */
interface FeatureBase {
  /** Identifies the row for React only; never written. */
  key: string;
  identifier: string;
  name: string;
  desc: string;
  /** Keys the form does not edit (`required`, vendor additions), written back as they were. */
  extra: Json;
  /** The object this was read from: written back unchanged while the form leaves it equivalent. */
  origin?: unknown;
}

/** A struct field, or an input/output parameter of a service or event. */
export interface ParamForm extends FeatureBase {
  dataType: DataTypeForm;
}

export interface PropertyForm extends FeatureBase {
  accessMode: string;
  dataType: DataTypeForm;
}

export interface ServiceForm extends FeatureBase {
  callType: string;
  inputData: ParamForm[];
  outputData: ParamForm[];
  /** Whether to write `method` (Alibaba does); it always follows the identifier. */
  method: boolean;
}

export interface EventForm extends FeatureBase {
  type: string;
  outputData: ParamForm[];
  method: boolean;
}

/** A whole thing model as the editor holds it. */
export interface ThingModelForm {
  /** Top-level keys other than the three lists (`schema`, `profile`, …), in the document's order. */
  head: Json;
  /** The order of the top-level keys, lists included. */
  order: string[];
  properties: PropertyForm[];
  /** The product's own services and events; Alibaba's generated ones are in `builtins`. */
  services: ServiceForm[];
  events: EventForm[];
  /** Alibaba's generated `set`/`get` services and `post` event as read; rewritten from the properties. */
  builtins: { set?: Json; get?: Json; post?: Json };
}

let nextKey = 0;
/** A React key, unique in this page. */
export const newKey = (): string => `k${++nextKey}`;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');

// ---------------------------------------------------------------------------------------------------------------------
// New, empty pieces

export function emptyDataType(type: string = 'int'): DataTypeForm {
  return {
    type, min: '', max: '', step: '', unit: '', unitName: '', length: '', falseLabel: 'off', trueLabel: 'on',
    entries: [], fields: [], size: '', item: null, numbers: false,
  };
}

/**
 * The data type changed to `type`: what the new type needs and does not have yet is filled with a sensible start (a
 * text length, a first enum value, a first struct field, an int element), the rest is kept.
 */
export function withType(dataType: DataTypeForm, type: string, options: { inStruct?: boolean } = {}): DataTypeForm {
  const next: DataTypeForm = { ...dataType, type };
  delete next.rawSpecs;
  if (type === 'text' && next.length === '') next.length = '255';
  if (type === 'enum' && next.entries.length === 0) next.entries = [{ key: newKey(), value: '0', label: '' }];
  if (type === 'struct' && next.fields.length === 0) next.fields = [newParam()];
  if (type === 'array') {
    if (next.size === '') next.size = '10';
    if (!next.item || (options.inStruct && next.item.type === 'struct')) next.item = emptyDataType('int');
  }
  return next;
}

export function newParam(): ParamForm {
  return { key: newKey(), identifier: '', name: '', desc: '', extra: {}, dataType: emptyDataType('int') };
}

export function newProperty(): PropertyForm {
  return { key: newKey(), identifier: '', name: '', desc: '', accessMode: 'r', extra: { required: false }, dataType: emptyDataType('int') };
}

export function newService(): ServiceForm {
  return { key: newKey(), identifier: '', name: '', desc: '', callType: 'async', extra: { required: false }, inputData: [], outputData: [], method: true };
}

export function newEvent(): EventForm {
  return { key: newKey(), identifier: '', name: '', desc: '', type: 'info', extra: { required: false }, outputData: [], method: true };
}

/** The thing model of a product that has none yet: Alibaba's skeleton, so an export loads in Alibaba's console. */
export function emptyThingModel(productKey: string): ThingModelForm {
  return formFromTsl({
    schema: 'https://iotx-tsl.oss-ap-southeast-1.aliyuncs.com/schema.json',
    profile: { version: '1.0', productKey },
    properties: [],
    events: [],
    services: [],
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// TSL → form

const LISTS = ['properties', 'services', 'events'];

/** Reads a TSL document (anything JSON; what is not TSL-shaped is read as empty) into the form model. */
export function formFromTsl(doc: unknown): ThingModelForm {
  const d = isObject(doc) ? doc : {};
  const head: Json = {};
  for (const [k, v] of Object.entries(d)) if (!LISTS.includes(k)) head[k] = v;
  const order = Object.keys(d);
  for (const k of LISTS) if (!order.includes(k)) order.push(k);
  const list = (key: string): Json[] => (Array.isArray(d[key]) ? (d[key] as unknown[]).map((x) => (isObject(x) ? x : {})) : []);
  const builtins: ThingModelForm['builtins'] = {};
  const services: ServiceForm[] = [];
  for (const s of list('services')) {
    if (s.method === BUILTIN_METHODS.set) builtins.set = s;
    else if (s.method === BUILTIN_METHODS.get) builtins.get = s;
    else services.push(serviceFromTsl(s));
  }
  const events: EventForm[] = [];
  for (const e of list('events')) {
    if (e.method === BUILTIN_METHODS.post) builtins.post = e;
    else events.push(eventFromTsl(e));
  }
  return { head, order, properties: list('properties').map(propertyFromTsl), services, events, builtins };
}

function pick(raw: Json, known: readonly string[]): Json {
  const extra: Json = {};
  for (const [k, v] of Object.entries(raw)) if (!known.includes(k)) extra[k] = v;
  return extra;
}

const PROPERTY_KEYS = ['identifier', 'name', 'desc', 'accessMode', 'dataType'];
const PARAM_KEYS = ['identifier', 'name', 'desc', 'dataType'];
const SERVICE_KEYS = ['identifier', 'name', 'desc', 'callType', 'method', 'inputData', 'outputData'];
const EVENT_KEYS = ['identifier', 'name', 'desc', 'type', 'method', 'outputData'];

export function propertyFromTsl(raw: Json): PropertyForm {
  return {
    key: newKey(), identifier: str(raw.identifier), name: str(raw.name), desc: str(raw.desc), accessMode: str(raw.accessMode),
    dataType: dataTypeFromTsl(raw.dataType), extra: pick(raw, PROPERTY_KEYS), origin: raw,
  };
}

export function paramFromTsl(raw: unknown): ParamForm {
  const p = isObject(raw) ? raw : {};
  return {
    key: newKey(), identifier: str(p.identifier), name: str(p.name), desc: str(p.desc),
    dataType: dataTypeFromTsl(p.dataType), extra: pick(p, PARAM_KEYS), origin: raw,
  };
}

const params = (raw: unknown): ParamForm[] => (Array.isArray(raw) ? raw.map(paramFromTsl) : []);

export function serviceFromTsl(raw: Json): ServiceForm {
  return {
    key: newKey(), identifier: str(raw.identifier), name: str(raw.name), desc: str(raw.desc), callType: str(raw.callType),
    inputData: params(raw.inputData), outputData: params(raw.outputData), method: raw.method !== undefined,
    extra: pick(raw, SERVICE_KEYS), origin: raw,
  };
}

export function eventFromTsl(raw: Json): EventForm {
  return {
    key: newKey(), identifier: str(raw.identifier), name: str(raw.name), desc: str(raw.desc), type: str(raw.type),
    outputData: params(raw.outputData), method: raw.method !== undefined, extra: pick(raw, EVENT_KEYS), origin: raw,
  };
}

export function dataTypeFromTsl(raw: unknown): DataTypeForm {
  const d = isObject(raw) ? raw : {};
  const type = str(d.type);
  const form = emptyDataType(type);
  const specs = d.specs;
  if (NUMERIC_TYPES.includes(type) || type === 'text') {
    const s = isObject(specs) ? specs : {};
    form.min = str(s.min);
    form.max = str(s.max);
    form.step = str(s.step);
    form.unit = str(s.unit);
    form.unitName = str(s.unitName);
    form.length = str(s.length);
    form.numbers = ['min', 'max', 'step', 'length'].some((k) => typeof s[k] === 'number');
  } else if (type === 'bool') {
    const s = isObject(specs) ? specs : {};
    form.falseLabel = str(s['0']);
    form.trueLabel = str(s['1']);
  } else if (type === 'enum') {
    const s = isObject(specs) ? specs : {};
    form.entries = Object.entries(s).map(([value, label]) => ({ key: newKey(), value, label: str(label) }));
  } else if (type === 'struct') {
    form.fields = params(specs);
  } else if (type === 'array') {
    const s = isObject(specs) ? specs : {};
    form.size = str(s.size);
    form.numbers = typeof s.size === 'number';
    form.item = dataTypeFromTsl(s.item);
  } else if (type !== 'date') {
    form.rawSpecs = specs;
  }
  return form;
}

// ---------------------------------------------------------------------------------------------------------------------
// form → TSL

/** A problem only the form can have (two enum rows with one value): TSL JSON cannot even hold it. */
export interface FormProblem {
  path: string;
  message: string;
}

/** JSON pointer segment escaping (RFC 6901), as the server writes enum keys in problem paths. */
export const pointerSegment = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');

/** A spec number as the document writes them: Alibaba's strings, or JSON numbers where the document used those. */
function specNumber(value: string, numbers: boolean): string | number {
  const trimmed = value.trim();
  return numbers && trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

/**
 * The TSL of a data type. `problems`, when given, collects what only the form can get wrong, located by the JSON
 * pointer `path` of this data type in the document.
 */
export function dataTypeToTsl(form: DataTypeForm, options: { arrayItem?: boolean; path?: string; problems?: FormProblem[] } = {}): Json {
  const path = options.path ?? '';
  const { type } = form;
  if (NUMERIC_TYPES.includes(type)) {
    const specs: Json = {};
    for (const k of ['min', 'max', 'step'] as const) if (form[k].trim() !== '') specs[k] = specNumber(form[k], form.numbers);
    if (form.unit !== '') specs.unit = form.unit;
    if (form.unitName !== '') specs.unitName = form.unitName;
    return options.arrayItem && Object.keys(specs).length === 0 ? { type } : { type, specs };
  }
  if (type === 'text') {
    const specs: Json = form.length.trim() === '' ? {} : { length: specNumber(form.length, form.numbers) };
    return options.arrayItem && Object.keys(specs).length === 0 ? { type } : { type, specs };
  }
  if (type === 'date') return { type, specs: {} };
  if (type === 'bool') return { type, specs: { 0: form.falseLabel, 1: form.trueLabel } };
  if (type === 'enum') {
    const specs: Json = {};
    const seen = new Set<string>();
    for (const entry of form.entries) {
      const value = entry.value.trim();
      if (seen.has(value)) options.problems?.push({ path: `${path}/specs/${pointerSegment(value)}`, message: t('form.duplicateValue', { value }) });
      seen.add(value);
      specs[value] = entry.label;
    }
    return { type, specs };
  }
  if (type === 'struct') {
    return { type, specs: form.fields.map((f, i) => paramToTsl(f, { path: `${path}/specs/${i}`, problems: options.problems })) };
  }
  if (type === 'array') {
    const item = form.item ?? emptyDataType('int');
    return {
      type,
      specs: {
        size: specNumber(form.size, form.numbers),
        item: dataTypeToTsl(item, { arrayItem: true, path: `${path}/specs/item`, problems: options.problems }),
      },
    };
  }
  return form.rawSpecs === undefined ? { type } : { type, specs: form.rawSpecs };
}

/** Deep equality of JSON values where the order of object keys does not matter (it does not to the server). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
}

/**
 * The object read from the document when what the form would write is equivalent to it (so untouched features keep
 * their key order and number style), else what the form writes.
 */
function keepOrigin<T extends FeatureBase>(form: T, built: Json, rebuild: (origin: Json) => Json): unknown {
  const origin = form.origin;
  if (!isObject(origin)) return built;
  let normal = rebuilt.get(origin);
  if (normal === undefined) {
    normal = rebuild(origin);
    rebuilt.set(origin, normal);
  }
  return jsonEqual(normal, built) ? origin : built;
}

/** What the form writes for an object it read, per object (documents do not change once read). */
const rebuilt = new WeakMap<object, Json>();

/** Writes `entries` in order with the extra keys after `after` (Alibaba puts `required` there). */
function withExtra(extra: Json, after: string, entries: [string, unknown][]): Json {
  const out: Json = {};
  let placed = false;
  for (const [k, v] of entries) {
    if (v !== undefined) out[k] = v;
    if (k === after) {
      Object.assign(out, extra);
      placed = true;
    }
  }
  if (!placed) Object.assign(out, extra);
  return out;
}

type Sink = { path?: string; problems?: FormProblem[] };

export function paramToTsl(form: ParamForm, sink: Sink = {}): unknown {
  const build = (f: ParamForm, s: Sink) =>
    withExtra(f.extra, 'name', [
      ['identifier', f.identifier], ['name', f.name], ['desc', f.desc || undefined],
      ['dataType', dataTypeToTsl(f.dataType, { path: `${s.path ?? ''}/dataType`, problems: s.problems })],
    ]);
  return keepOrigin(form, build(form, sink), (o) => build(paramFromTsl(o), {}));
}

export function propertyToTsl(form: PropertyForm, sink: Sink = {}): unknown {
  const build = (f: PropertyForm, s: Sink) =>
    withExtra(f.extra, 'accessMode', [
      ['identifier', f.identifier], ['name', f.name], ['accessMode', f.accessMode], ['desc', f.desc || undefined],
      ['dataType', dataTypeToTsl(f.dataType, { path: `${s.path ?? ''}/dataType`, problems: s.problems })],
    ]);
  return keepOrigin(form, build(form, sink), (o) => build(propertyFromTsl(o), {}));
}

const paramsToTsl = (list: ParamForm[], sink: Sink, key: string) =>
  list.map((p, i) => paramToTsl(p, { path: `${sink.path ?? ''}/${key}/${i}`, problems: sink.problems }));

export function serviceToTsl(form: ServiceForm, sink: Sink = {}): unknown {
  const build = (f: ServiceForm, s: Sink) =>
    withExtra(f.extra, 'name', [
      ['identifier', f.identifier], ['name', f.name], ['callType', f.callType], ['desc', f.desc || undefined],
      ['method', f.method ? `thing.service.${f.identifier}` : undefined],
      ['inputData', paramsToTsl(f.inputData, s, 'inputData')], ['outputData', paramsToTsl(f.outputData, s, 'outputData')],
    ]);
  return keepOrigin(form, build(form, sink), (o) => build(serviceFromTsl(o), {}));
}

export function eventToTsl(form: EventForm, sink: Sink = {}): unknown {
  const build = (f: EventForm, s: Sink) =>
    withExtra(f.extra, 'type', [
      ['identifier', f.identifier], ['name', f.name], ['type', f.type], ['desc', f.desc || undefined],
      ['method', f.method ? `thing.event.${f.identifier}.post` : undefined],
      ['outputData', paramsToTsl(f.outputData, s, 'outputData')],
    ]);
  return keepOrigin(form, build(form, sink), (o) => build(eventFromTsl(o), {}));
}

/** The builtin with its property lists rewritten from `properties`, or the original when they still agree. */
function rebuiltBuiltin(raw: Json, lists: Json): Json {
  const built = { ...raw, ...lists };
  return jsonEqual(built, raw) ? raw : built;
}

/** Where the product's own services and events start in the written lists (Alibaba's generated ones come first). */
export function firstOwnIndex(form: ThingModelForm, list: 'services' | 'events'): number {
  return list === 'services' ? (form.builtins.set ? 1 : 0) + (form.builtins.get ? 1 : 0) : form.builtins.post ? 1 : 0;
}

/** The JSON pointer of a feature of `form` in the document {@link tslFromForm} writes. */
export function featurePath(form: ThingModelForm, list: 'properties' | 'services' | 'events', index: number): string {
  return `/${list}/${list === 'properties' ? index : firstOwnIndex(form, list) + index}`;
}

/**
 * The TSL document of the form. `problems`, when given, collects what only the form can have wrong (see
 * {@link FormProblem}), at the paths of the written document.
 */
export function tslFromForm(form: ThingModelForm, problems?: FormProblem[]): Json {
  const properties = form.properties.map((p, i) => propertyToTsl(p, { path: featurePath(form, 'properties', i), problems }));
  // Alibaba's generated features repeat the properties: kept in step with them, so the document stays consistent.
  const asParam = (p: unknown) => {
    const { identifier, name, dataType } = p as Json;
    return { identifier, name, dataType };
  };
  const rw = properties.filter((p, i) => form.properties[i]!.accessMode === 'rw');
  const services: unknown[] = [];
  if (form.builtins.set) {
    const out = Array.isArray(form.builtins.set.outputData) ? form.builtins.set.outputData : [];
    const ids = new Set(form.properties.map((p) => p.identifier));
    services.push(rebuiltBuiltin(form.builtins.set, {
      inputData: rw.map(asParam), outputData: out.filter((o) => isObject(o) && ids.has(str(o.identifier))),
    }));
  }
  if (form.builtins.get) {
    services.push(rebuiltBuiltin(form.builtins.get, { inputData: form.properties.map((p) => p.identifier), outputData: properties.map(asParam) }));
  }
  form.services.forEach((s, i) => services.push(serviceToTsl(s, { path: featurePath(form, 'services', i), problems })));
  const events: unknown[] = [];
  if (form.builtins.post) events.push(rebuiltBuiltin(form.builtins.post, { outputData: properties.map(asParam) }));
  form.events.forEach((e, i) => events.push(eventToTsl(e, { path: featurePath(form, 'events', i), problems })));

  const lists: Json = { properties, services, events };
  const doc: Json = {};
  for (const key of form.order) doc[key] = key in lists ? lists[key] : form.head[key];
  for (const [k, v] of Object.entries(form.head)) if (!(k in doc)) doc[k] = v;
  return doc;
}

// ---------------------------------------------------------------------------------------------------------------------
// Summaries for lists

/** A data type in a few words for a list row: `float −40…120 °C`, `enum 0 auto, 1 cool, …`, `array[4] of int`. */
export function describeDataType(form: DataTypeForm): string {
  const { type } = form;
  if (NUMERIC_TYPES.includes(type)) {
    const range = form.min !== '' || form.max !== '' ? ` ${form.min || '…'}…${form.max || '…'}` : '';
    return `${type}${range}${form.unit ? ` ${form.unit}` : ''}`;
  }
  if (type === 'text') return form.length ? t('describe.text', { length: form.length }) : 'text';
  if (type === 'bool') return `bool 0 ${form.falseLabel} / 1 ${form.trueLabel}`;
  if (type === 'enum') {
    const shown = form.entries.slice(0, 3).map((e) => `${e.value} ${e.label}`).join(', ');
    return `enum ${shown}${form.entries.length > 3 ? ', …' : ''}`;
  }
  if (type === 'struct') {
    const shown = form.fields.slice(0, 4).map((f) => f.identifier || '?').join(', ');
    return `struct {${shown}${form.fields.length > 4 ? ', …' : ''}}`;
  }
  if (type === 'array') return t('describe.array', { size: form.size || '?', item: form.item ? describeDataType(form.item) : '?' });
  if (type === 'date') return t('describe.date');
  return type || t('describe.noType');
}
