/**
 * The few MQTT wire operations the listener does itself on the hot path, around aedes: encoding a PUBLISH into one
 * buffer, matching a topic against a subscription filter, and sending a connection's packets of one event-loop turn
 * in one write.
 */
import { Writable, type Duplex } from 'node:stream';

/** The size of an MQTT remaining length (1–4 bytes). */
export const lengthSize = (length: number) => (length < 128 ? 1 : length < 16_384 ? 2 : length < 2_097_152 ? 3 : 4);

/** Writes a remaining length at `at`; returns the offset after it. */
export function writeLength(buf: Buffer, at: number, length: number): number {
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    buf[at++] = byte;
  } while (length > 0);
  return at;
}

/**
 * An MQTT 3.1.1 PUBLISH (no DUP, no retain) as one buffer. A string payload is written as latin1, so it must be
 * ASCII (the benchmark's generated JSON); a Buffer is copied as it is.
 */
export function encodePublish(topic: string, payload: Buffer | string, qos: 0 | 1, packetId = 0): Buffer {
  const topicLength = Buffer.byteLength(topic);
  const payloadLength = payload.length;
  const body = 2 + topicLength + (qos ? 2 : 0) + payloadLength;
  const buf = Buffer.allocUnsafe(1 + lengthSize(body) + body);
  buf[0] = 0x30 | (qos << 1);
  let at = writeLength(buf, 1, body);
  at = buf.writeUInt16BE(topicLength, at);
  at += buf.write(topic, at, 'utf8');
  if (qos) at = buf.writeUInt16BE(packetId, at);
  if (typeof payload === 'string') buf.write(payload, at, 'latin1');
  else payload.copy(buf, at);
  return buf;
}

/** Whether `topic` matches the subscription `filter` (`+` one level, `#` this level and below: MQTT 3.1.1 §4.7). */
export function filterMatches(filter: string, topic: string): boolean {
  if (filter === topic) return true;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/** Streams written to in this turn of the event loop, sent out together in its check phase. */
const corked = new Set<Duplex>();
let uncorkScheduled = false;

function uncorkAll(): void {
  uncorkScheduled = false;
  for (const stream of corked) if (!stream.destroyed) stream.uncork();
  corked.clear();
}

/**
 * Holds a stream's writes until the end of this event-loop turn (its check phase), so that the packets a turn
 * produces for one connection (PUBACKs, replies, commands) leave in one `writev` instead of one system call each:
 * measured as the largest single cost per message under load. Everything written in a turn still leaves in it.
 */
export function coalesceWrites(stream: Duplex): void {
  // One shared function for the streams that write as every Writable does (sockets, the MQTT 5 bridge): a closure
  // per connection would be memory each of thousands of idle devices holds.
  if (stream.write === Writable.prototype.write) {
    stream.write = coalescedWrite;
    return;
  }
  const write = stream.write;
  stream.write = function coalescedOwnWrite(this: Duplex, ...args: Parameters<Duplex['write']>) {
    corkThisTurn(this);
    return write.apply(this, args);
  } as Duplex['write'];
}

const coalescedWrite = function coalescedWrite(this: Duplex, ...args: Parameters<Duplex['write']>) {
  corkThisTurn(this);
  return Writable.prototype.write.apply(this, args);
} as Duplex['write'];

function corkThisTurn(stream: Duplex): void {
  if (corked.has(stream) || stream.destroyed) return;
  corked.add(stream);
  stream.cork();
  if (!uncorkScheduled) {
    uncorkScheduled = true;
    setImmediate(uncorkAll);
  }
}
