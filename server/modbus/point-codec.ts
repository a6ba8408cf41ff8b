/**
 * Between a point table (domain/modbus/point-table.ts) and Modbus requests: which reads to send, what their replies
 * mean, and which write a property set becomes. Pure: the poller owns the connection, this owns the arithmetic, so
 * every type and order is tested without a slave.
 */
import {
  MODBUS_MAX_READ_BITS, MODBUS_MAX_READ_REGISTERS, type ModbusFunction, type ModbusPoint,
} from '../../domain/modbus/point-table.ts';

/** One read request and the points its reply carries. `quantity` is registers (functions 3/4) or bits (1/2). */
export interface ReadRequest {
  function: ModbusFunction;
  address: number;
  quantity: number;
  points: ModbusPoint[];
}

export interface ReadLimits {
  /** Registers per read of functions 3/4; Modbus allows 125, some devices fewer. */
  maxRegisters?: number;
  /** Bits per read of functions 1/2; Modbus allows 2000. */
  maxBits?: number;
  /**
   * Unmapped addresses a request may read across to join two points. Default 0: many devices answer a read that
   * touches an address they do not implement with exception 2 (illegal data address), failing every point in it.
   */
  maxGap?: number;
}

/**
 * The fewest reads that cover every point: points of one function, in address order, share a request while it stays
 * within the limit and the addresses between them are at most `maxGap`. Greedy in address order is optimal here:
 * closing a request later never forces more requests after it.
 */
export function planReads(points: readonly ModbusPoint[], limits: ReadLimits = {}): ReadRequest[] {
  const maxRegisters = limits.maxRegisters ?? MODBUS_MAX_READ_REGISTERS;
  const maxBits = limits.maxBits ?? MODBUS_MAX_READ_BITS;
  const maxGap = limits.maxGap ?? 0;
  const sorted = [...points].sort((a, b) => a.function - b.function || a.address - b.address);
  const requests: ReadRequest[] = [];
  let current: ReadRequest | undefined;
  for (const point of sorted) {
    const max = point.function <= 2 ? maxBits : maxRegisters;
    const end = point.address + point.count;
    if (current && current.function === point.function) {
      const currentEnd = current.address + current.quantity;
      const newEnd = Math.max(currentEnd, end);
      if (point.address - currentEnd <= maxGap && newEnd - current.address <= max) {
        current.quantity = newEnd - current.address;
        current.points.push(point);
        continue;
      }
    }
    current = { function: point.function, address: point.address, quantity: point.count, points: [point] };
    requests.push(current);
  }
  return requests;
}

/** A point's value from a reply, or why there is none; one bad point never hides the others. */
export type PointReading =
  | { property: string; ok: true; value: number | string }
  | { property: string; ok: false; error: string };

/**
 * The values of a request's points from its reply: the registers as 16-bit words (functions 3/4) or the bits
 * (functions 1/2), as modbus-serial gives them in `data`. Numbers come out as `raw × scale + offset`; bool as 0 or 1
 * (the thing model's bool); strings as UTF-8 with NUL padding removed. A NaN or infinite float, or a reply too short
 * for a point, is that point's error.
 */
export function decodeRead(request: ReadRequest, data: readonly number[] | readonly boolean[]): PointReading[] {
  return request.points.map((point) => {
    const from = point.address - request.address;
    const slice = data.slice(from, from + point.count);
    if (from < 0 || slice.length < point.count) {
      return failed(point, `the reply holds ${data.length} of the ${request.quantity} values asked for`);
    }
    if (point.function === 1 || point.function === 2) return { property: point.property, ok: true, value: slice[0] ? 1 : 0 };
    const words = slice as number[];
    const bad = words.find((word) => !Number.isInteger(word) || word < 0 || word > 0xffff);
    if (bad !== undefined) return failed(point, `the reply holds ${String(bad)}, not a 16-bit register`);
    return decodeRegisters(point, words);
  });
}

function decodeRegisters(point: ModbusPoint, words: number[]): PointReading {
  const bytes = registersToBytes(point, words);
  const view = new DataView(bytes.buffer);
  let raw: number;
  switch (point.type) {
    case 'string': {
      const text = new TextDecoder().decode(bytes).replace(/^\0+|\0+$/g, '');
      return { property: point.property, ok: true, value: text };
    }
    case 'bool': return { property: point.property, ok: true, value: view.getUint16(0) !== 0 ? 1 : 0 };
    case 'int16': raw = view.getInt16(0); break;
    case 'uint16': raw = view.getUint16(0); break;
    case 'int32': raw = view.getInt32(0); break;
    case 'uint32': raw = view.getUint32(0); break;
    case 'float32': raw = view.getFloat32(0); break;
    case 'float64': raw = view.getFloat64(0); break;
  }
  if (!Number.isFinite(raw)) {
    return failed(point, `the registers hold ${String(raw)} (${words.map(hex).join(' ')}), which is no value`);
  }
  return { property: point.property, ok: true, value: applyScale(raw, point) };
}

/**
 * The point's registers as bytes in big-endian order, the order DataView reads: `wordOrder` says which register is
 * most significant, `byteOrder` which byte of each. A string's registers are always in address order (its first
 * characters at the lowest address); only its byte order applies.
 */
function registersToBytes(point: ModbusPoint, words: readonly number[]): Uint8Array {
  const ordered = point.wordOrder === 'little' && point.type !== 'string' ? [...words].reverse() : words;
  const bytes = new Uint8Array(ordered.length * 2);
  ordered.forEach((word, i) => {
    const high = word >> 8;
    const low = word & 0xff;
    bytes[i * 2] = point.byteOrder === 'big' ? high : low;
    bytes[i * 2 + 1] = point.byteOrder === 'big' ? low : high;
  });
  return bytes;
}

/** The inverse of {@link registersToBytes}. */
function bytesToRegisters(point: ModbusPoint, bytes: Uint8Array): number[] {
  const words: number[] = [];
  for (let i = 0; i < bytes.length; i += 2) {
    const first = bytes[i]!;
    const second = bytes[i + 1]!;
    words.push(point.byteOrder === 'big' ? (first << 8) | second : (second << 8) | first);
  }
  return point.wordOrder === 'little' && point.type !== 'string' ? words.reverse() : words;
}

/**
 * raw × scale + offset. A scale of 0.1 or 0.01 divides by 10 or 100 instead: 3 × 0.1 is 0.30000000000000004, 3 / 10
 * is 0.3, and the value a dashboard shows should be the one the device's manual promises.
 */
function applyScale(raw: number, point: ModbusPoint): number {
  const divisor = exactInverse(point.scale);
  return (divisor === undefined ? raw * point.scale : raw / divisor) + point.offset;
}

/** (value − offset) / scale, the same way round as {@link applyScale}. */
function removeScale(value: number, point: ModbusPoint): number {
  const divisor = exactInverse(point.scale);
  const shifted = value - point.offset;
  return divisor === undefined ? shifted / point.scale : shifted * divisor;
}

/** 10 for a scale of 0.1: the integer whose inverse the scale is, when it is one. */
function exactInverse(scale: number): number | undefined {
  if (Math.abs(scale) >= 1) return undefined;
  const inverse = Math.round(1 / scale);
  return 1 / inverse === scale ? inverse : undefined;
}

function failed(point: ModbusPoint, error: string): PointReading {
  return { property: point.property, ok: false, error: `${pointName(point)}: ${error}` };
}

/** Messages name a point by property and address: the codec does not know its row. */
function pointName(point: ModbusPoint): string {
  return `${point.property} (function ${point.function}, address ${point.address})`;
}

function hex(word: number): string {
  return `0x${word.toString(16).padStart(4, '0')}`;
}

/** A Modbus write: single or multiple coils (5, 15) or holding registers (6, 16). */
export type ModbusWrite =
  | { function: 5 | 15; address: number; bits: boolean[] }
  | { function: 6 | 16; address: number; words: number[] };

export type PointWriteErrorCode = 'not_writable' | 'bad_value' | 'out_of_range';

/** A property set that cannot become a write; permanent: the same value is refused again. */
export class PointWriteError extends Error {
  override name = 'PointWriteError';

  constructor(
    readonly code: PointWriteErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface WriteOptions {
  /**
   * Always use the multiple-write functions (15, 16), even for one coil or register: some devices implement only
   * those. Default false: 5 and 6 for a single coil or register.
   */
  multipleOnly?: boolean;
}

const INTEGER_RANGES = {
  int16: [-0x8000, 0x7fff], uint16: [0, 0xffff], int32: [-0x80000000, 0x7fffffff], uint32: [0, 0xffffffff],
} as const;

/** Largest finite float32; beyond it `setFloat32` would silently store Infinity. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * The write a property set of `value` becomes: the inverse of {@link decodeRead}, `(value − offset) / scale`, rounded
 * for integer types. Throws a {@link PointWriteError} when the point is not writable, the value is of the wrong kind,
 * or it does not fit the type once scaled.
 */
export function encodeWrite(point: ModbusPoint, value: unknown, options: WriteOptions = {}): ModbusWrite {
  const where = pointName(point);
  if (!point.writable || (point.function !== 1 && point.function !== 3)) {
    throw new PointWriteError('not_writable', `${where} is not writable`);
  }
  if (point.function === 1) {
    const bit = boolValue(value, where);
    return options.multipleOnly ? { function: 15, address: point.address, bits: [bit] } : { function: 5, address: point.address, bits: [bit] };
  }
  const words = bytesToRegisters(point, encodeBytes(point, value, where));
  return words.length === 1 && !options.multipleOnly
    ? { function: 6, address: point.address, words }
    : { function: 16, address: point.address, words };
}

function encodeBytes(point: ModbusPoint, value: unknown, where: string): Uint8Array {
  const bytes = new Uint8Array(point.count * 2);
  const view = new DataView(bytes.buffer);
  switch (point.type) {
    case 'string': {
      if (typeof value !== 'string') throw new PointWriteError('bad_value', `${where} takes a string, not ${describe(value)}`);
      const text = new TextEncoder().encode(value);
      if (text.length > bytes.length) {
        throw new PointWriteError('out_of_range', `${where} holds ${bytes.length} bytes; "${value}" is ${text.length} in UTF-8`);
      }
      // The rest stays NUL, which decoding removes again.
      bytes.set(text);
      return bytes;
    }
    case 'bool':
      view.setUint16(0, boolValue(value, where) ? 1 : 0);
      return bytes;
    default:
      break;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new PointWriteError('bad_value', `${where} takes a number, not ${describe(value)}`);
  }
  const raw = removeScale(value, point);
  switch (point.type) {
    case 'float32':
      if (!(Math.abs(raw) <= FLOAT32_MAX)) throw outOfRange(where, value, raw, '±3.4e38 (float32)');
      view.setFloat32(0, raw);
      return bytes;
    case 'float64':
      if (!Number.isFinite(raw)) throw outOfRange(where, value, raw, 'a finite float64');
      view.setFloat64(0, raw);
      return bytes;
    default: {
      const integer = Math.round(raw);
      const [min, max] = INTEGER_RANGES[point.type];
      if (!(integer >= min && integer <= max)) throw outOfRange(where, value, integer, `${min}..${max} (${point.type})`);
      if (point.type === 'int16') view.setInt16(0, integer);
      else if (point.type === 'uint16') view.setUint16(0, integer);
      else if (point.type === 'int32') view.setInt32(0, integer);
      else view.setUint32(0, integer);
      return bytes;
    }
  }
}

function outOfRange(where: string, value: number, raw: number, range: string): PointWriteError {
  const scaled = raw === value ? '' : ` (${raw} once scale and offset are taken off)`;
  return new PointWriteError('out_of_range', `${where}: ${value}${scaled} is outside ${range}`);
}

/** The thing model's bool is 0 or 1; JSON true/false are taken too, as the thing model validator takes them. */
function boolValue(value: unknown, where: string): boolean {
  if (value === true || value === 1) return true;
  if (value === false || value === 0) return false;
  throw new PointWriteError('bad_value', `${where} takes 0 or 1 (or true/false), not ${describe(value)}`);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : (JSON.stringify(value) ?? String(value));
}
