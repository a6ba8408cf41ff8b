/**
 * What a product codec may hand back, checked on the host side of the sandbox: whatever the codec returns crosses as
 * JSON and is validated here, so a wrong shape becomes an `invalid-result` error naming the path instead of a bad
 * message further down the pipeline.
 */

/**
 * The uplink kinds a codec may produce: the ones a device itself sends (a subset of `ThingMessageKind`), and `login`,
 * a sign-in read from the first frame of a TCP connection or a UDP datagram (its params are the sign-in fields).
 */
export const decodedKinds = ['property.post', 'event.post', 'service.reply', 'property.set.reply', 'login'] as const;
export type DecodedKind = (typeof decodedKinds)[number];

/** One device message decoded from bytes; the listener completes it into a `ThingMessage`. */
export interface DecodedMessage {
  kind: DecodedKind;
  params: unknown;
  /** The device's message id (digits), when the frame carries one. */
  id?: string;
  /** `event.post`: the event identifier. */
  eventId?: string;
  /** `service.reply`: the service identifier. */
  serviceId?: string;
  /** Replies: the device's reply code. */
  code?: number;
  /** Device time, ms since epoch. */
  time?: number;
  /**
   * Posts: the device wants the platform's verdict back, which the codec's `encode` turns into bytes as a
   * `{kind: 'reply', …}` command. Default false: a device without `encode` gets no answer.
   */
  ack?: boolean;
}

/** Why a result was refused: a dotted path into what the codec returned (`[0].params`) and what is wrong there. */
export class InvalidResult extends Error {
  override name = 'InvalidResult';
}

const fields = new Set(['kind', 'params', 'id', 'eventId', 'serviceId', 'code', 'time', 'ack']);
const identifier = /^[A-Za-z_][A-Za-z0-9_]{0,49}$/;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`.slice(0, 60);
}

/** Checks what `decode` returned: an array of messages. Throws {@link InvalidResult}. */
export function checkDecodeResult(value: unknown): DecodedMessage[] {
  if (!Array.isArray(value)) {
    throw new InvalidResult(`decode must return an array of messages, got ${value === undefined ? 'undefined' : describe(value)}`);
  }
  return value.map((m, i) => checkMessage(m, `[${i}]`));
}

function checkMessage(m: unknown, at: string): DecodedMessage {
  if (!isPlainObject(m)) throw new InvalidResult(`${at}: a message must be an object, got ${describe(m)}`);
  for (const key of Object.keys(m)) {
    if (!fields.has(key)) throw new InvalidResult(`${at}.${key}: unknown field (a message has ${[...fields].join(', ')})`);
  }
  const kind = m.kind;
  if (typeof kind !== 'string' || !(decodedKinds as readonly string[]).includes(kind)) {
    throw new InvalidResult(`${at}.kind: must be one of ${decodedKinds.join(', ')}, got ${describe(kind)}`);
  }
  const out: DecodedMessage = { kind: kind as DecodedKind, params: m.params };
  // A post carries an object of values; a reply's data may be anything JSON, or nothing.
  if ((kind === 'property.post' || kind === 'event.post' || kind === 'login') && !isPlainObject(m.params)) {
    throw new InvalidResult(`${at}.params: ${kind} needs an object, got ${m.params === undefined ? 'nothing' : describe(m.params)}`);
  }
  if (m.params === undefined) out.params = {};
  if (m.id !== undefined) {
    const id = typeof m.id === 'number' && Number.isSafeInteger(m.id) && m.id >= 0 ? String(m.id) : m.id;
    if (typeof id !== 'string' || !/^[0-9]{1,20}$/.test(id)) {
      throw new InvalidResult(`${at}.id: must be digits (a string or a non-negative integer), got ${describe(m.id)}`);
    }
    out.id = id;
  }
  for (const [key, needed] of [['eventId', kind === 'event.post'], ['serviceId', kind === 'service.reply']] as const) {
    const v = m[key];
    if (v === undefined && !needed) continue;
    if (!needed) throw new InvalidResult(`${at}.${key}: not allowed on ${kind}`);
    if (typeof v !== 'string' || !identifier.test(v)) {
      throw new InvalidResult(`${at}.${key}: ${kind} needs an identifier (letters, digits, _), got ${v === undefined ? 'nothing' : describe(v)}`);
    }
    out[key] = v;
  }
  if (m.code !== undefined) {
    if (kind !== 'service.reply' && kind !== 'property.set.reply') throw new InvalidResult(`${at}.code: only replies carry a code`);
    if (typeof m.code !== 'number' || !Number.isInteger(m.code)) throw new InvalidResult(`${at}.code: must be an integer, got ${describe(m.code)}`);
    out.code = m.code;
  }
  if (m.ack !== undefined) {
    if (kind !== 'property.post' && kind !== 'event.post') throw new InvalidResult(`${at}.ack: only posts are answered`);
    if (typeof m.ack !== 'boolean') throw new InvalidResult(`${at}.ack: must be true or false, got ${describe(m.ack)}`);
    out.ack = m.ack;
  }
  if (m.time !== undefined) {
    if (typeof m.time !== 'number' || !Number.isSafeInteger(m.time) || m.time < 0) {
      throw new InvalidResult(`${at}.time: must be ms since epoch (a non-negative integer), got ${describe(m.time)}`);
    }
    out.time = m.time;
  }
  return out;
}

/** Checks what `encode` returned: bytes, as a `Uint8Array` (arrives as an array) or an array of integers 0–255. */
export function checkEncodeResult(value: unknown, maxBytes: number): Uint8Array {
  if (!Array.isArray(value)) {
    throw new InvalidResult(`encode must return bytes (a Uint8Array or an array of integers 0–255), got ${value === undefined ? 'undefined' : describe(value)}`);
  }
  if (value.length > maxBytes) throw new InvalidResult(`encode returned ${value.length} bytes, over the ${maxBytes} byte limit`);
  const bytes = new Uint8Array(value.length);
  value.forEach((b, i) => {
    if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) {
      throw new InvalidResult(`[${i}]: a byte must be an integer 0–255, got ${describe(b)}`);
    }
    bytes[i] = b;
  });
  return bytes;
}

/** Checks what `frame` returned: the length of the first whole frame, or 0 when more bytes are needed. */
export function checkFrameResult(value: unknown, available: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > available) {
    throw new InvalidResult(`frame must return 0 (need more bytes) or the length of the first frame, 1–${available}, got ${value === undefined ? 'undefined' : describe(value)}`);
  }
  return value;
}
