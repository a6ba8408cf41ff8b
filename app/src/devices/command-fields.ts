/**
 * The command form described as data, from the published thing model: one field per writable property or service
 * input, the control its TSL type calls for, and the checks the platform's thing model compiler applies
 * (`server/thing-model/tsl-compiler.ts`), so a wrong value is marked under its field before anything is sent.
 * Framework-free, so it is tested without a browser.
 */
import type { TslArrayItem, TslDataType, TslDocument, TslParam, TslService } from '../../../domain/thing-model/tsl-types.ts';
import { tc } from '../i18n/common.messages.ts';
import { formatValue } from './device-detail-format.ts';
import { t } from './device-commands.messages.ts';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const FLOAT32_MAX = 3.4028234663852886e38;
const TEXT_DEFAULT_LENGTH = 10240;
const SET_METHOD = 'thing.service.property.set';
const GET_METHOD = 'thing.service.property.get';

/** Which control a field gets. */
export type FieldControl = 'number' | 'switch' | 'select' | 'text' | 'datetime' | 'json';

/** One input of the form. */
export interface CommandField {
  identifier: string;
  name: string;
  desc?: string;
  dataType: TslDataType;
  control: FieldControl;
  min?: number;
  max?: number;
  step?: number;
  unit?: string;
  /** select (enum) and switch (bool): value → label, in the model's order. */
  options?: [string, string][];
  maxLength?: number;
}

/** What the user typed: text for every control but the switch. */
export type RawInput = string | boolean;

/** A TSL number spec (Alibaba writes them as strings). */
export function tslNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
  return undefined;
}

const isNumeric = (t: TslDataType | TslArrayItem): t is Extract<TslDataType, { type: 'int' | 'float' | 'double' }> =>
  t.type === 'int' || t.type === 'float' || t.type === 'double';

/** Whether values of this type can be charted (and downsampled by the history API). */
export const isNumericType = (t: TslDataType) => isNumeric(t);

/** The field for a property or a service input. */
export function fieldOf(param: Pick<TslParam, 'identifier' | 'name' | 'dataType' | 'desc'>): CommandField {
  const { dataType } = param;
  const base = { identifier: param.identifier, name: param.name, desc: param.desc, dataType };
  switch (dataType.type) {
    case 'int':
    case 'float':
    case 'double':
      return {
        ...base, control: 'number',
        min: tslNumber(dataType.specs?.min), max: tslNumber(dataType.specs?.max),
        step: tslNumber(dataType.specs?.step) ?? (dataType.type === 'int' ? 1 : undefined), unit: dataType.specs?.unit,
      };
    case 'bool':
      return { ...base, control: 'switch', options: [['0', dataType.specs['0'] ?? tc('off')], ['1', dataType.specs['1'] ?? tc('on')]] };
    case 'enum':
      return { ...base, control: 'select', options: Object.entries(dataType.specs) };
    case 'text':
      return { ...base, control: 'text', maxLength: tslNumber(dataType.specs?.length) ?? TEXT_DEFAULT_LENGTH };
    case 'date':
      return { ...base, control: 'datetime' };
    case 'struct':
    case 'array':
      return { ...base, control: 'json' };
  }
}

/** The properties the platform may set (`rw`), as fields. */
export function writableFields(tsl: TslDocument | null | undefined): CommandField[] {
  return (tsl?.properties ?? []).filter((p) => p.accessMode === 'rw').map(fieldOf);
}

/** The product's own services (not Alibaba's generated property set/get, which the property form covers). */
export function invocableServices(tsl: TslDocument | null | undefined): TslService[] {
  return (tsl?.services ?? []).filter((s): s is TslService => s.method !== SET_METHOD && s.method !== GET_METHOD);
}

/**
 * The input a field starts with: the device's current value when it reported one (so "Send" without an edit sends
 * it back unchanged, and an edit is a visible change), else empty, the switch off, an enum's first value.
 */
export function initialInput(field: CommandField, current?: unknown): RawInput {
  if (current !== undefined && current !== null) {
    switch (field.control) {
      case 'switch': return current === 1 || current === true || current === '1';
      case 'select': return field.options?.some(([v]) => v === String(current)) ? String(current) : field.options?.[0]?.[0] ?? '';
      case 'number': return typeof current === 'number' ? String(current) : '';
      case 'text': return typeof current === 'string' ? current : '';
      case 'datetime': return Number.isFinite(Number(current)) ? toDatetimeLocal(Number(current)) : '';
      // Struct and array values are stored as JSON text.
      case 'json': return typeof current === 'string' ? current : JSON.stringify(current);
    }
  }
  if (field.control === 'switch') return false;
  if (field.control === 'select') return field.options?.[0]?.[0] ?? '';
  return '';
}

/** A datetime-local input's text for a time (browser zone, to the second). */
export function toDatetimeLocal(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** The value to send for what was typed, or what is wrong with it (shown under the field). */
export function parseInput(field: CommandField, raw: RawInput): { value: unknown; error?: undefined } | { error: string } {
  switch (field.control) {
    case 'switch':
      return { value: raw === true ? 1 : 0 };
    case 'select': {
      const value = Number(raw);
      return field.options?.some(([v]) => v === raw) ? { value } : { error: t('parse.pickValue') };
    }
    case 'number': {
      const text = String(raw).trim();
      if (text === '') return { error: t('parse.enterNumber') };
      const value = Number(text);
      if (!Number.isFinite(value)) return { error: t('parse.notNumber') };
      const error = checkValue(field.dataType, value);
      return error ? { error } : { value };
    }
    case 'text': {
      const error = checkValue(field.dataType, String(raw));
      return error ? { error } : { value: String(raw) };
    }
    case 'datetime': {
      const text = String(raw);
      const ms = text === '' ? NaN : new Date(text).getTime();
      if (Number.isNaN(ms)) return { error: t('parse.pickDate') };
      if (ms < 0) return { error: t('parse.after1970') };
      // Alibaba's form: UTC milliseconds as a string of digits.
      return { value: String(ms) };
    }
    case 'json': {
      const text = String(raw).trim();
      if (text === '') return { error: field.dataType.type === 'array' ? t('parse.enterArray', { example: '[]' }) : t('parse.enterObject', { example: '{}' }) };
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        return { error: t('parse.badJson', { message: (err as Error).message }) };
      }
      const error = checkValue(field.dataType, value);
      return error ? { error } : { value };
    }
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What is wrong with a value of a TSL type, in the words the platform uses (undefined: nothing). Nested problems name
 * their place (`Schedule[0].StartTime: must be an integer`).
 */
export function checkValue(dataType: TslDataType | TslArrayItem, value: unknown, at = ''): string | undefined {
  const where = (message: string) => (at ? t('check.at', { at, message }) : message.charAt(0).toUpperCase() + message.slice(1));
  if (isNumeric(dataType)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) return where(t(dataType.type === 'int' ? 'check.integer' : 'check.number'));
    if (dataType.type === 'int' && !Number.isInteger(value)) return where(t('check.whole'));
    const min = tslNumber(dataType.specs?.min) ?? (dataType.type === 'int' ? INT32_MIN : dataType.type === 'float' ? -FLOAT32_MAX : undefined);
    const max = tslNumber(dataType.specs?.max) ?? (dataType.type === 'int' ? INT32_MAX : dataType.type === 'float' ? FLOAT32_MAX : undefined);
    if (min !== undefined && value < min) return where(t('check.min', { min: String(min) }));
    if (max !== undefined && value > max) return where(t('check.max', { max: String(max) }));
    return undefined;
  }
  switch (dataType.type) {
    case 'text': {
      if (typeof value !== 'string') return where(t('check.string'));
      const length = tslNumber(dataType.specs?.length) ?? TEXT_DEFAULT_LENGTH;
      return [...value].length > length ? where(t('check.length', { length: String(length) })) : undefined;
    }
    case 'date':
      return (typeof value === 'string' && /^[0-9]{1,16}$/.test(value)) || (Number.isSafeInteger(value) && (value as number) >= 0)
        ? undefined : where(t('check.date'));
    case 'bool':
      return [0, 1, true, false].includes(value as never) ? undefined : where(t('check.bool', { off: dataType.specs['0'], on: dataType.specs['1'] }));
    case 'enum':
      return typeof value === 'number' && Object.keys(dataType.specs).includes(String(value))
        ? undefined : where(t('check.enum', { values: Object.entries(dataType.specs).map(([k, l]) => `${k} (${l})`).join(', ') }));
    case 'struct': {
      if (!isPlainObject(value)) return where(t('check.object', { fields: dataType.specs.map((f) => f.identifier).join(', ') }));
      for (const key of Object.keys(value)) {
        const field = dataType.specs.find((f) => f.identifier === key);
        if (!field) return where(t('check.notField', { key, fields: dataType.specs.map((f) => f.identifier).join(', ') }));
        const problem = checkValue(field.dataType, value[key], at ? `${at}.${key}` : key);
        if (problem) return problem;
      }
      return undefined;
    }
    case 'array': {
      if (!Array.isArray(value)) return where(t('check.array'));
      const size = tslNumber(dataType.specs.size) ?? 0;
      if (value.length > size) return where(t('check.items', { size: String(size) }));
      for (let i = 0; i < value.length; i++) {
        const problem = checkValue(dataType.specs.item, value[i], `${at}[${i}]`);
        if (problem) return problem;
      }
      return undefined;
    }
  }
  return undefined;
}

/** A plausible value of a type, for sample payloads and JSON placeholders: a number inside its range, a label's key. */
export function sampleValue(dataType: TslDataType | TslArrayItem): unknown {
  if (isNumeric(dataType)) {
    const min = tslNumber(dataType.specs?.min);
    const max = tslNumber(dataType.specs?.max);
    const mid = min !== undefined && max !== undefined ? (min + max) / 2 : min ?? max ?? 0;
    return dataType.type === 'int' ? Math.round(mid) : Math.round(mid * 10) / 10;
  }
  switch (dataType.type) {
    case 'text': return 'hello';
    case 'date': return String(Date.UTC(2026, 0, 1));
    case 'bool': return 1;
    case 'enum': return Number(Object.keys(dataType.specs)[0] ?? 0);
    case 'struct': return Object.fromEntries(dataType.specs.map((f) => [f.identifier, sampleValue(f.dataType)]));
    case 'array': return [sampleValue(dataType.specs.item)];
  }
  return null;
}

/** The hint under a field: its range, unit, length or labels. */
export function fieldHint(field: CommandField): string | undefined {
  const parts: string[] = [];
  if (field.control === 'number') {
    if (field.min !== undefined && field.max !== undefined) parts.push(t('hint.range', { min: String(field.min), max: String(field.max) }));
    else if (field.min !== undefined) parts.push(`≥ ${field.min}`);
    else if (field.max !== undefined) parts.push(`≤ ${field.max}`);
    parts.push(field.dataType.type === 'int' ? t('hint.whole') : field.dataType.type);
    if (field.unit) parts.push(field.unit);
  } else if (field.control === 'text') {
    parts.push(t('hint.text', { length: String(field.maxLength) }));
  } else if (field.control === 'datetime') {
    parts.push(t('hint.date'));
  } else if (field.control === 'json') {
    parts.push(t('hint.json', { example: JSON.stringify(sampleValue(field.dataType)) }));
  }
  if (field.desc) parts.push(field.desc);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

/**
 * A command as the page names it while it waits and beside its reply, in the thing model's words: "Mode = cool (2),
 * Target temperature = 21.5 °C" for a property set, "reboot(Delay = 3 s)" for a service; a struct or array value as
 * JSON, cut at 40 characters.
 */
export function commandSummary(fields: readonly CommandField[], identifiers: readonly string[], params: Readonly<Record<string, unknown>>, serviceId?: string): string {
  const shown = (id: string) => {
    const field = fields.find((f) => f.identifier === id);
    const value = params[id];
    const text = field && (typeof value !== 'object' || value === null) ? formatValue(value, field.dataType) : JSON.stringify(value);
    return `${field?.name ?? id} = ${text.length > 40 ? `${text.slice(0, 39)}…` : text}`;
  };
  if (serviceId !== undefined) return `${serviceId}(${Object.keys(params).map(shown).join(', ')})`;
  return identifiers.map(shown).join(', ');
}