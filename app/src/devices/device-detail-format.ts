/** How the device page writes values, units and codes for people. */
import type { TslDataType, TslDocument } from '../../../domain/thing-model/tsl-types.ts';
import { formatTime } from '../ui/time-format.ts';
import { t } from './device-detail.messages.ts';

/** A number without float noise (23.600000000000001 → 23.6), grouped like the rest of the app. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  const digits = abs !== 0 && abs < 0.01 ? 6 : abs < 100 ? 3 : 2;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, useGrouping: abs >= 10_000 });
}

/**
 * A property value as stored (bool as 0/1, enum as its number, date as UTC ms text, struct and array as JSON) in the
 * words of the thing model: the label of a bool or enum with its value, a number with its unit, a date as a time.
 */
export function formatValue(value: unknown, dataType?: TslDataType, unit?: string): string {
  if (value === undefined || value === null) return '—';
  const type = dataType?.type;
  if ((type === 'bool' || type === 'enum') && dataType) {
    const key = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
    const label = (dataType.specs as Record<string, string>)[key];
    return label === undefined ? key : `${label} (${key})`;
  }
  if (type === 'date') {
    const ms = Number(value);
    return Number.isFinite(ms) ? formatTime(ms) : String(value);
  }
  if (typeof value === 'number') {
    const u = unit ?? (dataType && 'specs' in dataType && dataType.specs && 'unit' in dataType.specs ? dataType.specs.unit : undefined);
    return u ? `${formatNumber(value)} ${u}` : formatNumber(value);
  }
  if (typeof value === 'string') {
    // Struct and array values are stored as JSON text; shown compact.
    if ((type === 'struct' || type === 'array') && /^[[{]/.test(value)) {
      try {
        return JSON.stringify(JSON.parse(value));
      } catch {
        return value;
      }
    }
    return value;
  }
  return JSON.stringify(value);
}

/**
 * An event's data in the thing model's words, a field a line part: "Temp = 90 °C, Level = high (2)"; data that is
 * not an object, or an event the model does not have, as JSON.
 */
export function eventDataText(eventId: string, data: unknown, tsl: TslDocument | null | undefined): string {
  const outputs = tsl?.events?.find((e) => e.identifier === eventId)?.outputData;
  if (!outputs || typeof data !== 'object' || data === null || Array.isArray(data)) return JSON.stringify(data);
  return Object.entries(data as Record<string, unknown>).map(([key, value]) => {
    const param = outputs.find((o) => o.identifier === key);
    return `${param?.name ?? key} = ${formatValue(value, param?.dataType)}`;
  }).join(', ');
}

/** What a reply or outcome code means (docs/protocol.md "Reply codes"), for the badge's neighbour. */
export function codeMeaning(code: number | null | undefined): string {
  switch (code) {
    case null: case undefined: return t('code.none');
    case 200: return t('code.ok');
    case 202: return t('code.queued');
    case 400: return t('code.malformed');
    case 401: return t('code.unauthorised');
    case 404: return t('code.unknown');
    case 410: return t('code.expired');
    case 422: return t('code.tsl');
    case 429: return t('code.rateLimited');
    case 500: return t('code.platform');
    case 503: return t('code.offline');
    case 504: return t('code.timeout');
    default: return t(code >= 200 && code < 300 ? 'code.ok' : 'code.error');
  }
}

/** A JSON payload text as it came (the message log keeps params as JSON), pretty when it parses. */
export function prettyJson(text: string | null | undefined): string {
  if (!text) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
