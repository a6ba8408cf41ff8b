import { badRequest } from '../errors.ts';
import type { TcpFraming } from '../../domain/devices/tcp-listener-config.ts';

/** How a stream is cut, read per frame so that a redeploy changing the limit applies to the next frame. */
export interface FramingSpec {
  framing: TcpFraming;
  /** `fixed`: every frame's length. */
  fixedBytes: number;
  maxFrameBytes: number;
}

/** A codec's `frame(bytes)`: the length of the first whole frame, 0 for "more bytes", or why it failed. */
export type CodecFramer = (bytes: Buffer) => { ok: true; value: number } | { ok: false; reason: string };

/** What the stream holds next. */
export type FrameStep =
  | { kind: 'frame'; frame: Buffer }
  /** No whole frame yet. */
  | { kind: 'more' }
  /** The stream cannot go on: a frame over the limit (`tooLarge`, said before it is buffered) or a failed `frame`. */
  | { kind: 'error'; reason: string; tooLarge: boolean };

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);

/**
 * Cuts a TCP byte stream into frames (docs/protocol.md "TCP devices"): newline-terminated (an optional CR before the
 * LF stripped), big-endian 16- or 32-bit length prefix (not counting itself), fixed length, or where the product
 * codec's `frame` says. Bytes are kept as the chunks they came in and joined only once a whole frame is there, so a
 * frame trickling in byte by byte costs no more than one arriving at once. A frame longer than `maxFrameBytes` is an
 * error as soon as that is known (a length prefix announcing it, or that many bytes without a frame's end), before
 * its bytes are held.
 */
export class FrameReader {
  #chunks: Buffer[] = [];
  #length = 0;
  /** Newline framing: bytes at the start already searched for LF without finding one. */
  #scanned = 0;
  /** Set once the stream has failed: nothing more is read from it. */
  #failed: FrameStep | undefined;

  constructor(
    private readonly spec: () => FramingSpec,
    private readonly codecFrame?: CodecFramer,
  ) {}

  /** Bytes received and not yet returned as frames. */
  get buffered(): number {
    return this.#length;
  }

  push(chunk: Buffer): void {
    if (this.#failed || chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** The next whole frame, `more` when there is none yet, or the error that ends the stream (then always that). */
  next(): FrameStep {
    if (this.#failed) return this.#failed;
    const step = this.#next(this.spec());
    if (step.kind === 'error') {
      this.#failed = step;
      this.#chunks = [];
      this.#length = 0;
    }
    return step;
  }

  #next({ framing, fixedBytes, maxFrameBytes }: FramingSpec): FrameStep {
    switch (framing) {
      case 'newline':
        return this.#line(maxFrameBytes);
      case 'length16':
      case 'length32': {
        const header = framing === 'length16' ? 2 : 4;
        if (this.#length < header) return { kind: 'more' };
        const prefix = this.#peek(header);
        const size = header === 2 ? prefix.readUInt16BE(0) : prefix.readUInt32BE(0);
        if (size > maxFrameBytes) return tooLarge(`length prefix announces a frame of ${size} bytes, over the limit of ${maxFrameBytes}`);
        if (this.#length < header + size) return { kind: 'more' };
        this.#take(header);
        return { kind: 'frame', frame: this.#take(size) };
      }
      case 'fixed':
        if (fixedBytes > maxFrameBytes) return tooLarge(`fixed frames of ${fixedBytes} bytes are over the limit of ${maxFrameBytes}`);
        return this.#length < fixedBytes ? { kind: 'more' } : { kind: 'frame', frame: this.#take(fixedBytes) };
      case 'codec': {
        if (this.#length === 0) return { kind: 'more' };
        if (!this.codecFrame) return { kind: 'error', reason: 'framing is "codec" but the listener\'s product has no published codec with frame()', tooLarge: false };
        const bytes = this.#peek(Math.min(this.#length, maxFrameBytes));
        const found = this.codecFrame(bytes);
        if (!found.ok) return { kind: 'error', reason: found.reason, tooLarge: false };
        if (found.value > 0) return { kind: 'frame', frame: this.#take(found.value) };
        if (this.#length >= maxFrameBytes) return tooLarge(`${this.#length} bytes without a whole frame (codec frame() returned 0), over the limit of ${maxFrameBytes}`);
        return { kind: 'more' };
      }
    }
  }

  #line(maxFrameBytes: number): FrameStep {
    // Only bytes not searched before are searched: a long line arriving in small pieces is scanned once.
    let offset = 0;
    let at = -1;
    for (const chunk of this.#chunks) {
      const from = Math.max(0, this.#scanned - offset);
      if (from < chunk.length) {
        const i = chunk.indexOf(LF, from);
        if (i >= 0) {
          at = offset + i;
          break;
        }
      }
      offset += chunk.length;
    }
    if (at < 0) {
      this.#scanned = this.#length;
      // The longest frame with its CR LF: more bytes than that with no LF cannot become a frame within the limit.
      if (this.#length > maxFrameBytes + 1) return tooLarge(`${this.#length} bytes without a newline, over the limit of ${maxFrameBytes}`);
      return { kind: 'more' };
    }
    this.#scanned = 0;
    let line = this.#take(at + 1).subarray(0, at);
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    if (line.length > maxFrameBytes) return tooLarge(`a line of ${line.length} bytes, over the limit of ${maxFrameBytes}`);
    return { kind: 'frame', frame: line };
  }

  /** The first `n` bytes (n ≤ buffered), without taking them. */
  #peek(n: number): Buffer {
    const first = this.#chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    const joined = Buffer.concat(this.#chunks, this.#length);
    this.#chunks = [joined];
    return joined.subarray(0, n);
  }

  /** Takes the first `n` bytes (n ≤ buffered). */
  #take(n: number): Buffer {
    if (n === 0) return EMPTY;
    const out = this.#peek(n);
    const first = this.#chunks[0]!;
    if (first.length === n) this.#chunks.shift();
    else this.#chunks[0] = first.subarray(n);
    this.#length -= n;
    return out;
  }
}

function tooLarge(reason: string): FrameStep {
  return { kind: 'error', reason, tooLarge: true };
}

/**
 * Bytes the platform sends, framed as the device frames what it sends: a length prefix added, a LF appended; `fixed`
 * and `codec` as they are (the codec's `encode` made whole frames). Throws a 400 for bytes a 16-bit prefix cannot
 * announce.
 */
export function frameOut(framing: TcpFraming, bytes: Uint8Array): Buffer {
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (framing) {
    case 'newline':
      return Buffer.concat([body, Buffer.of(LF)]);
    case 'length16': {
      if (body.length > 0xffff) throw badRequest(`${body.length} bytes do not fit a frame with a 16-bit length prefix`);
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(body.length);
      return Buffer.concat([prefix, body]);
    }
    case 'length32': {
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(body.length);
      return Buffer.concat([prefix, body]);
    }
    default:
      return Buffer.from(body);
  }
}
