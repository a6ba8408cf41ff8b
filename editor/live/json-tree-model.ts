/**
 * How the debug sidebar's JSON tree shows a value: one-line previews, long strings cut short, big collections shown
 * a page at a time, and Node-RED's encoded values (buffers, arrays it cut short, functions, NaN) by what they are.
 * Pure, so the rules are tested without a browser.
 */
import { isEncodedValue } from './debug-message.ts';
import { t } from '../editor.messages.ts';

/** Characters of a string shown before "more". */
export const TEXT_PREVIEW_LIMIT = 120;
/** Children of an object or array shown before "show more". */
export const CHILD_PAGE = 100;

/** A string cut for display: the part shown and how many characters are hidden. */
export interface TruncatedText {
  shown: string;
  hidden: number;
}

/** Cuts `text` to `limit` characters (never inside a surrogate pair). */
export function truncateText(text: string, limit = TEXT_PREVIEW_LIMIT): TruncatedText {
  if (text.length <= limit) return { shown: text, hidden: 0 };
  let end = limit;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return { shown: text.slice(0, end), hidden: text.length - end };
}

/** What kind of node of the tree a value is. */
export type JsonNodeKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null' | 'undefined' | 'encoded';

export function jsonKindOf(value: unknown): JsonNodeKind {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'array';
  if (isEncodedValue(value)) return isExpandableEncoded(value) ? 'array' : 'encoded';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'object':
      return 'object';
    default:
      return 'string';
  }
}

/** Whether a value opens into children. */
export function isExpandable(value: unknown): boolean {
  const kind = jsonKindOf(value);
  return (kind === 'object' || kind === 'array') && childCount(value) > 0;
}

/** The one-line summary of a collapsed value: `{3}` style counts for collections, the value for the rest. */
export function previewOf(value: unknown): string {
  if (isEncodedValue(value)) return encodedLabel(value);
  if (Array.isArray(value)) return `array[${value.length}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length === 0 ? '{}' : `{ ${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ', …' : ''} }`;
  }
  if (typeof value === 'string') return JSON.stringify(truncateText(value, 40).shown + (value.length > 40 ? '…' : ''));
  return String(value);
}

/** The children of an object or array as `[key, value]`, the first `limit` of them. */
export function childrenOf(value: unknown, limit = CHILD_PAGE): { entries: [string, unknown][]; hidden: number } {
  const source = isEncodedValue(value) ? value.data : value;
  let entries: [string, unknown][];
  if (Array.isArray(source)) entries = source.slice(0, limit).map((item, i) => [String(i), item]);
  else if (source !== null && typeof source === 'object') entries = Object.entries(source).slice(0, limit);
  else entries = [];
  return { entries, hidden: Math.max(0, childCount(value) - entries.length) };
}

function childCount(value: unknown): number {
  const source = isEncodedValue(value) ? value.data : value;
  if (Array.isArray(source)) return source.length;
  if (source !== null && typeof source === 'object') return Object.keys(source).length;
  return 0;
}

/** Encoded values that are collections Node-RED cut short (arrays, sets, maps): shown as their data. */
function isExpandableEncoded(value: { type: string; data?: unknown }): boolean {
  return ['array', 'set', 'map'].includes(value.type) || (/Array$/.test(value.type) && Array.isArray(value.data));
}

/** A label for an encoded value: `buffer[4] 0a0b0c0d`, `array[2000] (first 1000 shown)`, `[function]`. */
export function encodedLabel(value: { type: string; data?: unknown; length?: number }): string {
  const cut = (length: number | undefined, shown: number) => (length !== undefined && length > shown ? t('json.firstShown', { count: String(shown) }) : '');
  switch (value.type) {
    case 'Buffer': {
      const bytes = typeof value.data === 'string' ? value.data : Array.isArray(value.data) ? value.data.map((b) => Number(b).toString(16).padStart(2, '0')).join('') : '';
      return `buffer[${value.length ?? bytes.length / 2}] ${truncateText(bytes, 64).shown}${bytes.length > 64 ? '…' : ''}`;
    }
    case 'function':
      return '[function]';
    case 'internal':
      return '[internal]';
    case 'undefined':
      return 'undefined';
    case 'number':
    case 'bigint':
    case 'regexp':
      return String(value.data);
    case 'error': {
      const data = (value.data ?? {}) as { name?: string; message?: string };
      return `${data.name ?? 'Error'}: ${data.message ?? ''}`;
    }
    default: {
      const shown = Array.isArray(value.data) ? value.data.length : value.data && typeof value.data === 'object' ? Object.keys(value.data).length : 0;
      return `${value.type}[${value.length ?? shown}]${cut(value.length, shown)}`;
    }
  }
}
