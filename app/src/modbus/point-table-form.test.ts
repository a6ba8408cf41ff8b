import { describe, expect, it } from 'vitest';
import { applies, newRow, pointInput, rowFromPoint, rowProblems, tableProblems, type ModelProperty, type PointRow } from './point-table-form.ts';

const model: ModelProperty[] = [
  { identifier: 'temperature', accessMode: 'r' },
  { identifier: 'setpoint', accessMode: 'rw' },
  { identifier: 'label', accessMode: 'r' },
];
const row = (over: Partial<PointRow>): PointRow => ({ ...newRow([], model), ...over });

describe('the point table form', () => {
  it('sends what the user typed as the server takes it, and reads a saved point back the same', () => {
    const r = row({ property: 'temperature', function: '4', address: '10', type: 'float32', wordOrder: 'little', scale: '0.1', offset: '' });
    expect(pointInput(r)).toEqual({ property: 'temperature', function: 4, address: 10, type: 'float32', byteOrder: 'big', wordOrder: 'little', scale: 0.1, writable: false });
    // A count is sent only for a string: other types span what their type says.
    expect(pointInput({ ...r, count: '7' })).not.toHaveProperty('count');
    expect(pointInput({ ...r, type: 'string', count: '8' })).toMatchObject({ count: 8 });
    const saved = { property: 'label', function: 3 as const, address: 20, count: 8, type: 'string' as const, byteOrder: 'big' as const, wordOrder: 'big' as const, scale: 1, offset: 0, writable: false };
    expect(pointInput(rowFromPoint(saved))).toEqual(saved);
  });

  it('shows the server’s problems under the row and at the field while the user types', () => {
    const rows = [
      row({ property: 'temperature', address: '0', type: 'int32' }),
      row({ property: 'setpoint', address: '1', writable: true }),
      row({ property: 'label', address: 'x1' }),
      row({ property: 'humidity', function: '2', address: '0', type: 'uint16' }),
    ];
    const problems = tableProblems(rows, model);
    expect(rowProblems(problems, 0).messages).toEqual([]);
    expect(rowProblems(problems, 1)).toEqual({
      messages: ['point 2 (setpoint): address 1 of function 3 overlaps point 1 (temperature) at addresses 0..1'], fields: new Set(['address']),
    });
    expect(rowProblems(problems, 2)).toEqual({ messages: ['point 3 (label): address must be a whole number from 0 to 65535'], fields: new Set(['address']) });
    expect(rowProblems(problems, 3).messages).toEqual([
      'point 4 (humidity): function 2 reads single bits, so its type must be bool, not uint16',
      'point 4 (humidity): the published thing model has no property "humidity"',
    ]);
    expect(rowProblems(problems, 3).fields).toEqual(new Set(['type', 'property']));
    // Writing a property the thing model only reads is refused by the server too.
    expect(tableProblems([row({ property: 'temperature', writable: true })], model).map((p) => p.field)).toEqual(['writable']);
    // Without a published thing model, only the table itself is checked.
    expect(tableProblems([row({ property: 'anything' })], null)).toEqual([]);
    expect(tableProblems([row({ property: '' })], model)).toEqual([{ index: 0, property: '', field: 'property', message: 'point 1: choose the property it reads' }]);
  });

  it('adds a row after the last holding register, for a property not mapped yet', () => {
    const first = newRow([], model);
    expect(first).toMatchObject({ property: 'temperature', function: '3', address: '0', type: 'uint16' });
    const second = newRow([{ ...first, type: 'float64' }], model);
    expect(second).toMatchObject({ property: 'setpoint', address: '4' });
    expect(second.key).not.toBe(first.key);
  });

  it('offers count, orders and writable only where they apply', () => {
    expect(applies(row({ type: 'string' }), 'count')).toBe(true);
    expect(applies(row({ type: 'uint16' }), 'count')).toBe(false);
    expect(applies(row({ type: 'uint16' }), 'wordOrder')).toBe(false);
    expect(applies(row({ type: 'float32' }), 'wordOrder')).toBe(true);
    expect(applies(row({ function: '1', type: 'bool' }), 'byteOrder')).toBe(false);
    expect(applies(row({ function: '4' }), 'writable')).toBe(false);
  });
});
