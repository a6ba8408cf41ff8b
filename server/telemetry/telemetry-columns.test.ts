import { describe, expect, it } from 'vitest';
import type { TslDataType, TslDocument } from '../../domain/thing-model/tsl-types.ts';
import { decodeValue, encodeValue, planColumns, propertyOfColumn, type StoredColumn } from './telemetry-columns.ts';

const tsl = (properties: Record<string, TslDataType>): TslDocument => ({
  properties: Object.entries(properties).map(([identifier, dataType]) => ({ identifier, name: identifier, accessMode: 'r', dataType })),
});
const INT: TslDataType = { type: 'int' };
const TEXT: TslDataType = { type: 'text' };
const FIXED: StoredColumn[] = [
  { name: 'device', kind: 'text' },
  { name: 'ts', kind: 'int' },
  { name: 'received_at', kind: 'int' },
];

/** Applies plans one version after another, as a table would accumulate them. */
function evolve(...versions: TslDocument[]): { names: string[]; current: Record<string, string> } {
  let columns = [...FIXED];
  let current: Record<string, string> = {};
  versions.forEach((doc, i) => {
    const plan = planColumns(columns, doc, i + 1);
    columns = [...columns, ...plan.add];
    current = Object.fromEntries([...plan.current].map(([id, c]) => [id, c.name]));
  });
  return { names: columns.slice(FIXED.length).map((c) => c.name), current };
}

describe('column naming', () => {
  it('names a property p_<identifier>, and a new storage kind p_<identifier>@v<version>', () => {
    expect(evolve(tsl({ temp: INT }), tsl({ temp: TEXT }), tsl({ temp: { type: 'float' } }))).toEqual({
      names: ['p_temp', 'p_temp@v2', 'p_temp@v3'],
      current: { temp: 'p_temp@v3' },
    });
  });

  it('returns to the old column when the type changes back, and treats enum as int and float as double', () => {
    expect(evolve(tsl({ s: INT }), tsl({ s: TEXT }), tsl({ s: { type: 'enum', specs: { '1': 'one' } } }))).toEqual({
      names: ['p_s', 'p_s@v2'],
      current: { s: 'p_s' },
    });
    expect(evolve(tsl({ f: { type: 'float' } }), tsl({ f: { type: 'double' } })).names).toEqual(['p_f']);
  });

  it('never lets two properties share a column name, whatever their case or underscores', () => {
    const { names, current } = evolve(tsl({ temp: INT, Temp: INT, TEMP: INT }), tsl({ temp: TEXT, Temp: TEXT }));
    expect(names).toEqual(['p_temp', 'p_Temp@v1', 'p_TEMP@v1_2', 'p_temp@v2', 'p_Temp@v2_2']);
    expect(current).toEqual({ temp: 'p_temp@v2', Temp: 'p_Temp@v2_2' });
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
  });

  it('parses every name back to its one property, and nothing else as a property', () => {
    expect(propertyOfColumn('p_temp')).toBe('temp');
    expect(propertyOfColumn('p_temp__v3')).toBe('temp__v3');
    expect(propertyOfColumn('p_temp@v3')).toBe('temp');
    expect(propertyOfColumn('p_Temp@v2_2')).toBe('Temp');
    for (const name of ['ts', 'device', 'received_at', 'p_', 'p_1x', 'p_temp@x', 'q_temp']) expect(propertyOfColumn(name)).toBeUndefined();
  });
});

describe('values', () => {
  const json = JSON.stringify;
  it('round-trips each kind in the thing model form', () => {
    const cases: Array<[Parameters<typeof encodeValue>[0], unknown]> = [
      ['int', -2147483648],
      ['double', 0.1],
      ['text', 'x'],
      ['bool', 1],
      ['date', '1524448722000'],
      ['json', { a: [1, 'b'] }],
    ];
    for (const [kind, value] of cases) {
      const encoded = encodeValue(kind, value, json);
      expect(encoded.ok).toBe(true);
      if (encoded.ok) expect(decodeValue(kind, encoded.column)).toEqual(value);
    }
  });

  it('normalises the forms devices may send, and refuses values of another type', () => {
    expect(encodeValue('bool', true, json)).toEqual({ ok: true, column: 1, value: 1 });
    expect(encodeValue('date', 1524448722000, json)).toEqual({ ok: true, column: 1524448722000, value: '1524448722000' });
    for (const [kind, value] of [['int', 1.5], ['int', 2 ** 31], ['double', Number.NaN], ['text', 1], ['bool', 2], ['date', '-1'], ['json', null]] as const) {
      expect(encodeValue(kind, value, json).ok).toBe(false);
    }
  });

  it('reads what TDengine returns: true/false and RFC 3339 timestamps', () => {
    expect(decodeValue('bool', false)).toBe(0);
    expect(decodeValue('date', '2018-04-23T01:58:42.000Z')).toBe('1524448722000');
  });
});
