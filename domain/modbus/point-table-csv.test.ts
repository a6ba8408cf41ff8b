import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPointTable, type ModbusPoint, type PointInput } from './point-table.ts';
import { pointTableFromCsv, pointTableToCsv } from './point-table-csv.ts';

function checked(inputs: PointInput[]): ModbusPoint[] {
  const outcome = checkPointTable(inputs);
  if (!outcome.ok) throw new Error(outcome.problems.map((p) => p.message).join('; '));
  return outcome.points;
}

function messages(csv: string): string[] {
  const outcome = pointTableFromCsv(csv);
  return outcome.ok ? [] : outcome.problems.map((problem) => problem.message);
}

describe('pointTableToCsv', () => {
  it('writes a header and every field of every point', () => {
    const points = checked([
      { property: 'temperature', function: 3, address: 0, type: 'int16', scale: 0.1, offset: -40 },
      { property: 'relay', function: 1, address: 5, type: 'bool', writable: true },
    ]);
    expect(pointTableToCsv(points)).toBe([
      'property,function,address,count,type,byteOrder,wordOrder,scale,offset,writable',
      'temperature,3,0,1,int16,big,big,0.1,-40,false',
      'relay,1,5,1,bool,big,big,1,0,true',
      '',
    ].join('\n'));
  });
});

describe('pointTableFromCsv', () => {
  it('reads columns in any order, with empty cells taking defaults, quotes, CRLF, a BOM and blank lines', () => {
    const csv = '\uFEFFtype,address,function,property,scale,writable\r\n'
      + 'float32,100,3,"power",,yes\r\n'
      + '\r\n'
      + 'uint16, 7 ,4,voltage,0.01,\r\n';
    expect(pointTableFromCsv(csv)).toEqual({
      ok: true,
      points: [
        { property: 'power', function: 3, address: 100, count: 2, type: 'float32', byteOrder: 'big', wordOrder: 'big', scale: 1, offset: 0, writable: true },
        { property: 'voltage', function: 4, address: 7, count: 1, type: 'uint16', byteOrder: 'big', wordOrder: 'big', scale: 0.01, offset: 0, writable: false },
      ],
    });
  });

  it('gives back what it exported, for any valid table', () => {
    const point = fc.record({
      function: fc.constantFrom(3 as const, 4 as const),
      type: fc.constantFrom('int16' as const, 'uint32' as const, 'float64' as const, 'string' as const),
      byteOrder: fc.constantFrom('big' as const, 'little' as const),
      wordOrder: fc.constantFrom('big' as const, 'little' as const),
      scale: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((scale) => scale !== 0),
      offset: fc.double({ noNaN: true, noDefaultInfinity: true }).map((offset) => (Object.is(offset, -0) ? 0 : offset)),
    });
    fc.assert(fc.property(fc.array(point, { maxLength: 20 }), (raw) => {
      // Laid out one after another, 4 registers apart, so no two overlap.
      const points = checked(raw.map((p, i) => ({
        ...p, property: `p_${i}`, address: i * 4, ...(p.type === 'string' ? { count: 4 } : {}), writable: p.function === 3,
      })));
      expect(pointTableFromCsv(pointTableToCsv(points))).toEqual({ ok: true, points });
    }), { numRuns: 100 });
  });

  it('refuses a header without the needed columns or with unknown ones', () => {
    expect(messages('property,address,type,colour\n')).toEqual([
      'line 1: "colour" is not a column; the columns are property, function, address, count, type, byteOrder, wordOrder, scale, offset, writable',
      'line 1: the column "function" is missing',
    ]);
    expect(messages('property,function,address,type,type\n')).toEqual(['line 1: the column "type" appears twice']);
    expect(messages('')).toEqual(['line 1: the file is empty; it needs a header row']);
  });

  it('names the line of each bad cell, counting lines inside quoted cells', () => {
    expect(messages([
      'property,function,address,type,writable',
      '"a",3,0,int16,',
      'b,three,1,int16,',
      'c,3,2,int16,maybe',
      'd,3,3',
    ].join('\n'))).toEqual([
      'line 3: function must be a number, not "three"',
      'line 4: writable must be true or false, not "maybe"',
      'line 5: has 3 cells; the header has 5',
    ]);
    expect(messages('property,function,address,type\n"a\nb",3,0,int16\nc,3,x,int16\n')).toEqual(['line 4: address must be a number, not "x"']);
    expect(messages('property,function,address,type\n"a,3,0,int16\n')).toEqual(['line 2: a quoted cell is never closed']);
  });

  it('reports the table\'s own problems at the lines of the points', () => {
    expect(messages([
      'property,function,address,type,count',
      'power,3,100,float32,',
      'current,3,101,int16,',
      'name,3,200,string,',
    ].join('\n'))).toEqual([
      'line 3: point 2 (current): address 101 of function 3 overlaps point 1 (power) at addresses 100..101',
      'line 4: point 3 (name): a string needs a count: the number of registers it spans (2 characters each)',
    ]);
  });
});
