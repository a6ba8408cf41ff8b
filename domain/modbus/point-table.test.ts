import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { checkPointTable, orderName, PointTableInput, type PointProblem } from './point-table.ts';

function problems(input: unknown): PointProblem[] {
  const outcome = checkPointTable(input);
  return outcome.ok ? [] : outcome.problems;
}

function messages(input: unknown): string[] {
  return problems(input).map((problem) => problem.message);
}

describe('checkPointTable', () => {
  it('fills in defaults and derives each count from the type', () => {
    const outcome = checkPointTable([
      { property: 'running', function: 1, address: 0, type: 'bool', writable: true },
      { property: 'temperature', function: 3, address: 0, type: 'int16', scale: 0.1 },
      { property: 'energy', function: 4, address: 10, type: 'float64', wordOrder: 'little' },
      { property: 'serial', function: 3, address: 1, type: 'string', count: 8, byteOrder: 'little' },
    ]);
    expect(outcome).toEqual({
      ok: true,
      points: [
        { property: 'running', function: 1, address: 0, count: 1, type: 'bool', byteOrder: 'big', wordOrder: 'big', scale: 1, offset: 0, writable: true },
        { property: 'temperature', function: 3, address: 0, count: 1, type: 'int16', byteOrder: 'big', wordOrder: 'big', scale: 0.1, offset: 0, writable: false },
        { property: 'energy', function: 4, address: 10, count: 4, type: 'float64', byteOrder: 'big', wordOrder: 'little', scale: 1, offset: 0, writable: false },
        { property: 'serial', function: 3, address: 1, count: 8, type: 'string', byteOrder: 'little', wordOrder: 'big', scale: 1, offset: 0, writable: false },
      ],
    });
  });

  it('names the point by row and property in every message', () => {
    expect(problems([
      { property: 'ok', function: 3, address: 0, type: 'uint16' },
      { property: 'level', function: 2, address: 0, type: 'uint16' },
    ])).toEqual([{
      index: 1, property: 'level', field: 'type',
      message: 'point 2 (level): function 2 reads single bits, so its type must be bool, not uint16',
    }]);
  });

  it('refuses what does not fit the schema, one message per point, in the field\'s words', () => {
    expect(messages([
      { property: '1st', function: 3, address: 0, type: 'int16' },
      { property: 'a', function: 5, address: 0, type: 'int16' },
      { property: 'b', function: 3, address: 65_536, type: 'int16' },
      { property: 'c', function: 3, address: 0, type: 'int8' },
      { property: 'd', function: 3, address: 0, type: 'int16', byteOrder: 'middle' },
      { function: 3, address: 0, type: 'int16' },
      { property: 'e', function: 3, address: 0, type: 'int16', colour: 'red' },
      'f',
    ])).toEqual([
      'point 1 (1st): property must be a thing model identifier: a letter, then up to 31 letters, digits or underscores',
      'point 2 (a): function must be 1, 2, 3 or 4',
      'point 3 (b): address must be a whole number from 0 to 65535',
      'point 4 (c): type must be one of bool, int16, uint16, int32, uint32, float32, float64, string',
      'point 5 (d): byteOrder must be big or little',
      'point 6: property is missing',
      'point 7 (e): colour is not a point table field',
      'point 8: must be an object',
    ]);
    expect(messages({ points: [] })).toEqual(['a point table must be a list of points']);
  });

  it('allows bits only as bool, and bool on registers too', () => {
    expect(messages([
      { property: 'a', function: 1, address: 0, type: 'float32' },
      { property: 'b', function: 3, address: 0, type: 'bool' },
      { property: 'c', function: 4, address: 0, type: 'bool' },
    ])).toEqual(['point 1 (a): function 1 reads single bits, so its type must be bool, not float32']);
  });

  it('needs a positive count for a string and refuses a count that disagrees with the type', () => {
    expect(messages([
      { property: 'name', function: 3, address: 0, type: 'string' },
      { property: 'zero', function: 3, address: 10, type: 'string', count: 0 },
      { property: 'power', function: 3, address: 20, type: 'float32', count: 1 },
      { property: 'fine', function: 3, address: 30, type: 'float32', count: 2 },
    ])).toEqual([
      'point 1 (name): a string needs a count: the number of registers it spans (2 characters each)',
      'point 2 (zero): count must be a whole number from 1 to 125',
      'point 3 (power): float32 spans 2 registers, not 1; leave count out',
    ]);
  });

  it('writes only coils and holding registers', () => {
    expect(messages([
      { property: 'a', function: 2, address: 0, type: 'bool', writable: true },
      { property: 'b', function: 4, address: 0, type: 'int16', writable: true },
      { property: 'c', function: 1, address: 0, type: 'bool', writable: true },
      { property: 'd', function: 3, address: 0, type: 'int16', writable: true },
      { property: 'e', function: 3, address: 1, type: 'string', count: 124, writable: true },
    ])).toEqual([
      'point 1 (a): function 2 is read-only in Modbus; only coils (1) and holding registers (3) can be written',
      'point 2 (b): function 4 is read-only in Modbus; only coils (1) and holding registers (3) can be written',
      'point 5 (e): a write carries at most 123 registers, so a writable point cannot span 124',
    ]);
  });

  it('refuses a property mapped twice, a zero scale and a point running past the last address', () => {
    expect(messages([
      { property: 'temp', function: 3, address: 0, type: 'int16' },
      { property: 'temp', function: 4, address: 0, type: 'int16' },
      { property: 'gain', function: 3, address: 1, type: 'int16', scale: 0 },
      { property: 'tail', function: 3, address: 65_535, type: 'int32' },
    ])).toEqual([
      'point 2 (temp): "temp" is already mapped by point 1 (temp)',
      'point 3 (gain): scale 0 would read every value as the offset; use 1 for none',
      'point 4 (tail): spans 2 from 65535, past the last address 65535',
    ]);
  });

  it('refuses two points of one function sharing a register, and allows it across functions', () => {
    expect(messages([
      { property: 'power', function: 3, address: 100, type: 'float32' },
      { property: 'current', function: 3, address: 101, type: 'int16' },
      { property: 'label', function: 3, address: 90, type: 'string', count: 20 },
      { property: 'voltage', function: 4, address: 100, type: 'float32' },
      { property: 'next', function: 3, address: 110, type: 'int16' },
    ])).toEqual([
      'point 1 (power): addresses 100..101 of function 3 overlap point 3 (label) at addresses 90..109',
      'point 2 (current): address 101 of function 3 overlaps point 3 (label) at addresses 90..109',
    ]);
    expect(messages([
      { property: 'a', function: 1, address: 7, type: 'bool' },
      { property: 'b', function: 1, address: 7, type: 'bool' },
    ])).toEqual(['point 2 (b): address 7 of function 1 overlaps point 1 (a) at address 7']);
  });
});

describe('PointTableInput', () => {
  it('compiles in ajv strict mode, as the routes compile it, and fills the same defaults as the check', () => {
    const validate = new Ajv({ strict: true, useDefaults: true, allErrors: true }).compile(PointTableInput);
    const table = [{ property: 'level', function: 4, address: 3, type: 'uint16' }];
    expect(validate(table)).toBe(true);
    const outcome = checkPointTable(table);
    expect(outcome.ok && outcome.points[0]).toEqual({ ...table[0], count: 1, writable: false });
  });
});

describe('orderName', () => {
  it('names byte and word order as Modbus tools do', () => {
    expect(orderName('big', 'big')).toBe('ABCD');
    expect(orderName('big', 'little')).toBe('CDAB');
    expect(orderName('little', 'big')).toBe('BADC');
    expect(orderName('little', 'little')).toBe('DCBA');
  });
});
