import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pointTableFromCsv } from '../../domain/modbus/point-table-csv.ts';
import { checkPointTable, type ModbusPoint, type PointInput } from '../../domain/modbus/point-table.ts';
import { decodeRead, encodeWrite, planReads, PointWriteError, type ModbusWrite, type ReadRequest } from './point-codec.ts';

function table(inputs: PointInput[]): ModbusPoint[] {
  const outcome = checkPointTable(inputs);
  if (!outcome.ok) throw new Error(outcome.problems.map((p) => p.message).join('; '));
  return outcome.points;
}

function point(input: Partial<PointInput> & Pick<PointInput, 'type'>): ModbusPoint {
  return table([{ property: 'p', function: 3, address: 0, writable: true, ...input }])[0]!;
}

/** Reads the point alone, as if the slave had answered with `words`. */
function read(p: ModbusPoint, data: number[] | boolean[]) {
  const request: ReadRequest = { function: p.function, address: p.address, quantity: p.count, points: [p] };
  return decodeRead(request, data)[0]!;
}

function sent(write: ModbusWrite): number[] | boolean[] {
  return 'words' in write ? write.words : write.bits;
}

const ORDERS = [
  { name: 'ABCD', byteOrder: 'big', wordOrder: 'big' },
  { name: 'CDAB', byteOrder: 'big', wordOrder: 'little' },
  { name: 'BADC', byteOrder: 'little', wordOrder: 'big' },
  { name: 'DCBA', byteOrder: 'little', wordOrder: 'little' },
] as const;

describe('decodeRead: known registers', () => {
  // float32 123.456 is 0x42F6E979; Modbus Poll shows it as these words in each of its orders.
  const float32 = { ABCD: [0x42f6, 0xe979], CDAB: [0xe979, 0x42f6], BADC: [0xf642, 0x79e9], DCBA: [0x79e9, 0xf642] };
  // int32 -123456789 is 0xF8A432EB.
  const int32 = { ABCD: [0xf8a4, 0x32eb], CDAB: [0x32eb, 0xf8a4], BADC: [0xa4f8, 0xeb32], DCBA: [0xeb32, 0xa4f8] };
  // float64 -1234.5678 is 0xC0934A456D5CFAAD.
  const float64 = {
    ABCD: [0xc093, 0x4a45, 0x6d5c, 0xfaad], CDAB: [0xfaad, 0x6d5c, 0x4a45, 0xc093],
    BADC: [0x93c0, 0x454a, 0x5c6d, 0xadfa], DCBA: [0xadfa, 0x5c6d, 0x454a, 0x93c0],
  };

  for (const order of ORDERS) {
    it(`reads float32, int32 and float64 in ${order.name}`, () => {
      expect(read(point({ type: 'float32', byteOrder: order.byteOrder, wordOrder: order.wordOrder }), float32[order.name]))
        .toEqual({ property: 'p', ok: true, value: Math.fround(123.456) });
      expect(read(point({ type: 'int32', byteOrder: order.byteOrder, wordOrder: order.wordOrder }), int32[order.name]))
        .toEqual({ property: 'p', ok: true, value: -123456789 });
      expect(read(point({ type: 'float64', byteOrder: order.byteOrder, wordOrder: order.wordOrder }), float64[order.name]))
        .toEqual({ property: 'p', ok: true, value: -1234.5678 });
    });
  }

  it('reads 16-bit types, signed and not, in either byte order', () => {
    expect(read(point({ type: 'int16' }), [0xff85])).toMatchObject({ value: -123 });
    expect(read(point({ type: 'uint16' }), [0xff85])).toMatchObject({ value: 65413 });
    expect(read(point({ type: 'int16', byteOrder: 'little' }), [0x85ff])).toMatchObject({ value: -123 });
    expect(read(point({ type: 'uint32' }), [0xffff, 0xfffe])).toMatchObject({ value: 4294967294 });
  });

  it('applies scale and offset the way the manual states them, without binary noise', () => {
    expect(read(point({ type: 'int16', scale: 0.1 }), [3])).toMatchObject({ value: 0.3 });
    expect(read(point({ type: 'int16', scale: 0.01, offset: -40 }), [6550])).toMatchObject({ value: 25.5 });
    expect(read(point({ type: 'uint16', scale: 2.5, offset: 1 }), [4])).toMatchObject({ value: 11 });
  });

  it('reads bool as the thing model\'s 0 or 1, from a bit or a register', () => {
    const coil = point({ type: 'bool', function: 1 });
    expect(read(coil, [true])).toMatchObject({ value: 1 });
    expect(read(coil, [false])).toMatchObject({ value: 0 });
    expect(read(point({ type: 'bool' }), [0x0100])).toMatchObject({ value: 1 });
    expect(read(point({ type: 'bool' }), [0])).toMatchObject({ value: 0 });
  });

  it('reads a string in address order with its NUL padding removed, UTF-8 included', () => {
    // "Ab", "c\0", "\0\0" big-endian; the same swapped within each register.
    expect(read(point({ type: 'string', count: 3 }), [0x4162, 0x6300, 0x0000])).toMatchObject({ value: 'Abc' });
    expect(read(point({ type: 'string', count: 3, byteOrder: 'little', wordOrder: 'little' }), [0x6241, 0x0063, 0]))
      .toMatchObject({ value: 'Abc' });
    expect(read(point({ type: 'string', count: 2 }), [0xc3a9, 0x7465])).toMatchObject({ value: 'éte' });
  });

  it('reports NaN, Infinity and a short reply as that point\'s error and still reads the others', () => {
    const points = table([
      { property: 'nan', function: 3, address: 0, type: 'float32' },
      { property: 'inf', function: 3, address: 2, type: 'float32', wordOrder: 'little' },
      { property: 'good', function: 3, address: 4, type: 'int16' },
      { property: 'missing', function: 3, address: 5, type: 'int16' },
    ]);
    const [request] = planReads(points);
    expect(decodeRead(request!, [0x7fc0, 0, 0, 0x7f80, 42])).toEqual([
      { property: 'nan', ok: false, error: 'nan (function 3, address 0): the registers hold NaN (0x7fc0 0x0000), which is no value' },
      { property: 'inf', ok: false, error: 'inf (function 3, address 2): the registers hold Infinity (0x0000 0x7f80), which is no value' },
      { property: 'good', ok: true, value: 42 },
      { property: 'missing', ok: false, error: 'missing (function 3, address 5): the reply holds 5 of the 6 values asked for' },
    ]);
  });
});

describe('encodeWrite', () => {
  it('writes a coil with function 5, a register with 6 and wider values with 16', () => {
    expect(encodeWrite(point({ type: 'bool', function: 1, address: 7 }), 1)).toEqual({ function: 5, address: 7, bits: [true] });
    expect(encodeWrite(point({ type: 'bool', function: 1, address: 7 }), false)).toEqual({ function: 5, address: 7, bits: [false] });
    expect(encodeWrite(point({ type: 'int16', address: 9, scale: 0.1 }), -12.3)).toEqual({ function: 6, address: 9, words: [0xff85] });
    expect(encodeWrite(point({ type: 'float32', address: 2, wordOrder: 'little' }), 123.456))
      .toEqual({ function: 16, address: 2, words: [0xe979, 0x42f6] });
    expect(encodeWrite(point({ type: 'string', count: 3 }), 'Abc')).toEqual({ function: 16, address: 0, words: [0x4162, 0x6300, 0] });
  });

  it('uses only functions 15 and 16 for devices that implement no others', () => {
    const options = { multipleOnly: true };
    expect(encodeWrite(point({ type: 'bool', function: 1 }), 1, options)).toEqual({ function: 15, address: 0, bits: [true] });
    expect(encodeWrite(point({ type: 'uint16' }), 5, options)).toEqual({ function: 16, address: 0, words: [5] });
  });

  it('rounds integer types once scale and offset are taken off', () => {
    expect(encodeWrite(point({ type: 'uint16', scale: 0.1, offset: 20 }), 25.56)).toMatchObject({ words: [56] });
    expect(encodeWrite(point({ type: 'int32', scale: 2 }), 7)).toMatchObject({ words: [0, 4] });
  });

  function refusal(p: ModbusPoint, value: unknown): { code: string; message: string } {
    try {
      encodeWrite(p, value);
    } catch (err) {
      expect(err).toBeInstanceOf(PointWriteError);
      return { code: (err as PointWriteError).code, message: (err as Error).message };
    }
    throw new Error('expected a refusal');
  }

  it('refuses a value out of the type\'s range, saying the range', () => {
    expect(refusal(point({ type: 'int16' }), 32768)).toEqual({
      code: 'out_of_range', message: 'p (function 3, address 0): 32768 is outside -32768..32767 (int16)',
    });
    expect(refusal(point({ type: 'uint16', scale: 0.1 }), 6553.6)).toEqual({
      code: 'out_of_range', message: 'p (function 3, address 0): 6553.6 (65536 once scale and offset are taken off) is outside 0..65535 (uint16)',
    });
    expect(refusal(point({ type: 'uint32' }), -1).code).toBe('out_of_range');
    expect(refusal(point({ type: 'float32' }), 1e39).code).toBe('out_of_range');
    expect(refusal(point({ type: 'string', count: 1 }), 'abc')).toEqual({
      code: 'out_of_range', message: 'p (function 3, address 0) holds 2 bytes; "abc" is 3 in UTF-8',
    });
  });

  it('refuses a value of the wrong kind and a point that is not writable', () => {
    expect(refusal(point({ type: 'int16' }), '12')).toEqual({ code: 'bad_value', message: 'p (function 3, address 0) takes a number, not "12"' });
    expect(refusal(point({ type: 'bool', function: 1 }), 2).code).toBe('bad_value');
    expect(refusal(point({ type: 'float64' }), Number.NaN).code).toBe('bad_value');
    expect(refusal(point({ type: 'string', count: 2 }), 12).code).toBe('bad_value');
    expect(refusal(point({ type: 'int16', writable: false }), 1)).toEqual({ code: 'not_writable', message: 'p (function 3, address 0) is not writable' });
  });
});

describe('encode then decode', () => {
  const values = {
    bool: fc.constantFrom(0, 1),
    int16: fc.integer({ min: -0x8000, max: 0x7fff }),
    uint16: fc.integer({ min: 0, max: 0xffff }),
    int32: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    uint32: fc.integer({ min: 0, max: 0xffffffff }),
    float32: fc.float({ noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? 0 : v)),
    float64: fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? 0 : v)),
    string: fc.string({ maxLength: 8, unit: fc.constantFrom('a', 'Z', '7', ' ', 'é', '€') })
      .filter((s) => new TextEncoder().encode(s).length <= 16),
  };

  for (const [type, arbitrary] of Object.entries(values)) {
    for (const order of ORDERS) {
      it(`gives back every ${type} written in ${order.name}`, () => {
        const p = point({ type: type as PointInput['type'], byteOrder: order.byteOrder, wordOrder: order.wordOrder, ...(type === 'string' ? { count: 8 } : {}) });
        fc.assert(fc.property(arbitrary, (value: number | string) => {
          expect(read(p, sent(encodeWrite(p, value)))).toEqual({ property: 'p', ok: true, value });
        }), { numRuns: 200 });
      });
    }
  }

  it('gives back a scaled value to the scale\'s precision', () => {
    const p = point({ type: 'int32', scale: 0.01, offset: -273.15, wordOrder: 'little' });
    fc.assert(fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), (hundredths) => {
      const value = Number((hundredths / 100 - 273.15).toFixed(2));
      const back = read(p, sent(encodeWrite(p, value)));
      expect(back.ok && back.value).toBeCloseTo(value, 9);
    }));
  });
});

describe('planReads', () => {
  const summary = (requests: ReadRequest[]) =>
    requests.map((r) => `${r.function}:${r.address}+${r.quantity} ${r.points.map((p) => p.property).join(',')}`);

  it('joins contiguous points of one function and keeps functions apart', () => {
    const points = table([
      { property: 'b', function: 3, address: 2, type: 'float32' },
      { property: 'a', function: 3, address: 0, type: 'int32' },
      { property: 'c', function: 3, address: 4, type: 'float64' },
      { property: 'x', function: 4, address: 8, type: 'uint16' },
      { property: 'on', function: 1, address: 0, type: 'bool' },
      { property: 'off', function: 1, address: 1, type: 'bool' },
    ]);
    expect(summary(planReads(points))).toEqual(['1:0+2 on,off', '3:0+8 a,b,c', '4:8+1 x']);
  });

  it('reads across a gap only up to maxGap', () => {
    const points = table([
      { property: 'a', function: 3, address: 0, type: 'uint16' },
      { property: 'b', function: 3, address: 3, type: 'uint16' },
      { property: 'c', function: 3, address: 10, type: 'uint16' },
    ]);
    expect(summary(planReads(points))).toEqual(['3:0+1 a', '3:3+1 b', '3:10+1 c']);
    expect(summary(planReads(points, { maxGap: 2 }))).toEqual(['3:0+4 a,b', '3:10+1 c']);
    expect(summary(planReads(points, { maxGap: 6 }))).toEqual(['3:0+11 a,b,c']);
  });

  it('never asks for more than the limit, and never splits a point', () => {
    const registers = table(Array.from({ length: 100 }, (_, i) => ({ property: `r${i}`, function: 3 as const, address: i * 2, type: 'float32' as const })));
    const requests = planReads(registers);
    expect(summary(requests).map((s) => s.split(' ')[0])).toEqual(['3:0+124', '3:124+76']);
    const bits = table(Array.from({ length: 4500 }, (_, i) => ({ property: `b${i}`, function: 2 as const, address: i, type: 'bool' as const })));
    expect(summary(planReads(bits)).map((s) => s.split(' ')[0])).toEqual(['2:0+2000', '2:2000+2000', '2:4000+500']);
    expect(summary(planReads(registers, { maxRegisters: 10 }))).toHaveLength(20);
  });

  it('covers every point exactly once within the limits, for any table', () => {
    const tables = fc.uniqueArray(fc.record({
      function: fc.constantFrom(3 as const, 4 as const),
      address: fc.integer({ min: 0, max: 400 }),
      type: fc.constantFrom('int16' as const, 'float32' as const, 'float64' as const),
    }), { selector: (p) => `${p.function}:${p.address}`, maxLength: 60 });
    fc.assert(fc.property(tables, fc.integer({ min: 4, max: 125 }), fc.integer({ min: 0, max: 10 }), (raw, maxRegisters, maxGap) => {
      // Keep only points that do not overlap an earlier one, as a checked table would.
      const taken = new Set<string>();
      const inputs: PointInput[] = [];
      raw.forEach((p, i) => {
        const span = p.type === 'int16' ? 1 : p.type === 'float32' ? 2 : 4;
        const cells = Array.from({ length: span }, (_, k) => `${p.function}:${p.address + k}`);
        if (cells.some((c) => taken.has(c))) return;
        cells.forEach((c) => taken.add(c));
        inputs.push({ ...p, property: `p${i}` });
      });
      const points = table(inputs);
      const requests = planReads(points, { maxRegisters, maxGap });
      expect(requests.flatMap((r) => r.points).map((p) => p.property).sort()).toEqual(points.map((p) => p.property).sort());
      for (const r of requests) {
        expect(r.quantity).toBeLessThanOrEqual(maxRegisters);
        for (const p of r.points) {
          expect(p.function).toBe(r.function);
          expect(p.address).toBeGreaterThanOrEqual(r.address);
          expect(p.address + p.count).toBeLessThanOrEqual(r.address + r.quantity);
        }
      }
    }));
  });
});

/** docs/modbus.md's example says what its table does; it must stay true. */
describe('docs/modbus.md example', () => {
  it('reads, batches and writes as the page says', () => {
    const page = fs.readFileSync(new URL('../../docs/modbus.md', import.meta.url), 'utf8');
    const outcome = pointTableFromCsv(/```csv\n([^`]*)```/.exec(page)?.[1] ?? '');
    if (!outcome.ok) throw new Error(outcome.problems.map((p) => p.message).join('; '));
    const byName = (name: string) => outcome.points.find((p) => p.property === name)!;
    const plan = (maxGap: number) => planReads(outcome.points, { maxGap }).map((r) => `${r.function}:${r.address}+${r.quantity}`);
    expect(plan(0)).toEqual(['1:0+1', '2:0+1', '3:0+2', '3:10+8', '3:20+1', '4:0+4']);
    expect(plan(10)).toEqual(['1:0+1', '2:0+1', '3:0+21', '4:0+4']);
    const inputRegisters = planReads(outcome.points).find((r) => r.function === 4)!;
    expect(decodeRead(inputRegisters, [0x0000, 0x4461, 0xe240, 0x0001])).toEqual([
      { property: 'power', ok: true, value: 900 },
      { property: 'energy', ok: true, value: 1234.56 },
    ]);
    expect(encodeWrite(byName('setpoint'), 21.5)).toEqual({ function: 6, address: 20, words: [215] });
    expect(encodeWrite(byName('relay'), 1)).toEqual({ function: 5, address: 0, bits: [true] });
  });
});
