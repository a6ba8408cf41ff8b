import { t } from '../editor.messages.ts';
/**
 * What the live socket's debug messages hold, read back into values. The runtime's debug node (and its log handler,
 * for `node.warn`/`node.error`) sends Node-RED's encoded form: `msg` is text and `format` says how to read it
 * (`Object`, `array[3]`, `string[12]`, `number`, `buffer[4]`, `error`, …); nested values it could not put in JSON are
 * `{__enc__: true, type, data?, length?}`. Browser-safe, no React.
 */

/** Node-RED's log levels as they appear on log messages sent to the debug sidebar. */
const LOG_LEVEL_ERROR = 20;
const LOG_LEVEL_WARN = 30;

/** One message as the debug sidebar lists it. */
export interface DebugEntry {
  kind: 'debug';
  /** Increasing per client: a stable React key. */
  seq: number;
  /** When the browser received it (ms since the epoch); the runtime does not stamp debug messages. */
  receivedAt: number;
  /** The emitting node (a debug node, or the node that called `node.error`/`node.warn`). */
  nodeId?: string;
  /** The tab or subflow of the emitting node. */
  z?: string;
  /** Node-RED's flow path of the emitting node (`tab/subflow-instance`). */
  path?: string;
  name?: string;
  topic?: string;
  /** The message property shown (`payload`, or `msg` for the whole message). */
  property?: string;
  /** Node-RED's format label (`Object`, `string[5]`, …). */
  format?: string;
  /** The value, decoded from its text form. */
  value: unknown;
  /** Set for messages from the runtime log: an error (red) or a warning. */
  level?: 'error' | 'warn';
  /** Cluster mode: the node of the cluster whose flows sent it. */
  clusterNode?: string;
}

/** A runtime event (`runtime-state`, `runtime-deploy`, …) as the live socket forwards it. */
export interface RuntimeEntry {
  kind: 'runtime';
  seq: number;
  receivedAt: number;
  /** Node-RED's event id, e.g. `runtime-state`. */
  id: string;
  payload: unknown;
  /** `error` when the payload says something failed (`error` set, or `type: 'error'`), `warn` for warnings. */
  level?: 'error' | 'warn';
  /** The payload's `text`, when it has one. */
  text?: string;
}

export type LiveLogEntry = DebugEntry | RuntimeEntry;

/** A value Node-RED encoded because JSON cannot hold it: a long array cut short, a buffer, a function, NaN… */
export interface EncodedValue {
  __enc__: true;
  type: string;
  data?: unknown;
  length?: number;
}

export function isEncodedValue(value: unknown): value is EncodedValue {
  return typeof value === 'object' && value !== null && (value as { __enc__?: unknown }).__enc__ === true;
}

/** Reads a raw debug message from the live socket; `seq` and `receivedAt` are the caller's. */
export function debugEntryOf(raw: unknown, seq: number, receivedAt: number): DebugEntry {
  const m = (typeof raw === 'object' && raw !== null ? raw : { msg: raw }) as Record<string, unknown>;
  const entry: DebugEntry = { kind: 'debug', seq, receivedAt, value: decodeDebugValue(m['msg'], text(m['format'])) };
  const id = text(m['_alias']) ?? text(m['id']);
  if (id !== undefined) entry.nodeId = id;
  for (const key of ['z', 'path', 'name', 'topic', 'property', 'format', 'clusterNode'] as const) {
    const value = m[key];
    if (typeof value === 'string' && value !== '') entry[key] = value;
    else if (key === 'topic' && (typeof value === 'number' || typeof value === 'boolean')) entry.topic = String(value);
  }
  if (m['level'] === LOG_LEVEL_ERROR || entry.format === 'error') entry.level = 'error';
  else if (m['level'] === LOG_LEVEL_WARN) entry.level = 'warn';
  return entry;
}

/** Reads a runtime event (`{id, payload}`) from the live socket. */
export function runtimeEntryOf(id: string, payload: unknown, seq: number, receivedAt: number): RuntimeEntry {
  const entry: RuntimeEntry = { kind: 'runtime', seq, receivedAt, id, payload };
  if (typeof payload === 'object' && payload !== null) {
    const p = payload as Record<string, unknown>;
    const said = runtimeText(p);
    if (said !== undefined) entry.text = said;
    if (p['error'] !== undefined || p['type'] === 'error') entry.level = 'error';
    else if (p['type'] === 'warning') entry.level = 'warn';
  }
  return entry;
}

/** What a runtime event says, in words: Node-RED sends its editor's message catalogue keys, not text. */
function runtimeText(p: Record<string, unknown>): string | undefined {
  const list = (value: unknown) => (Array.isArray(value) ? value.map(String).join(', ') : '');
  switch (p['error']) {
    case 'missing-types':
      return t('debug.missingTypes', { types: list(p['types']) });
    case 'missing-modules':
      return t('debug.missingModules', { modules: list((p['modules'] as { module?: unknown }[] | undefined)?.map((m) => m.module)) });
    case 'safe-mode':
      return t('debug.safeMode');
  }
  return typeof p['text'] === 'string' ? p['text'] : undefined;
}

/** Turns Node-RED's text form of a debug value back into a value, as its own debug sidebar does. */
export function decodeDebugValue(msg: unknown, format: string | undefined): unknown {
  if (typeof msg !== 'string' || format === undefined) return msg;
  if (format === 'null') return null;
  if (format === 'undefined') return undefined;
  if (format === 'number') return Number(msg);
  if (format === 'boolean') return msg === 'true';
  if (format.startsWith('string') || format === 'regexp' || format === 'function') return msg;
  if (format.startsWith('buffer')) return { __enc__: true, type: 'Buffer', data: msg, length: msg.length / 2 } satisfies EncodedValue;
  try {
    const value: unknown = JSON.parse(msg);
    // A top-level error arrives wrapped; show what a person wants: the message (and the rest on expanding).
    if (isEncodedValue(value) && value.type === 'error') return value.data;
    return value;
  } catch {
    return msg;
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
