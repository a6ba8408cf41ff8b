import { bench, describe } from 'vitest';
import { compileThingModel } from './tsl-compiler.ts';
import type { TslDataType, TslProperty } from '../../domain/thing-model/tsl-types.ts';

// `npx vitest bench server/thing-model`: the property-post hot path for a typical 10-property report.
const types: TslDataType[] = [
  { type: 'int', specs: { min: '0', max: '1000' } },
  { type: 'float', specs: { min: '-40', max: '120' } },
  { type: 'text', specs: { length: '32' } },
  { type: 'bool', specs: { '0': 'off', '1': 'on' } },
  { type: 'enum', specs: { '0': 'auto', '1': 'cool', '2': 'heat' } },
];
const samples: unknown[] = [500, 21.5, 'hello', 1, 2];
const properties: TslProperty[] = Array.from({ length: 10 }, (_, i) => ({
  identifier: `p${i}`,
  name: `P${i}`,
  accessMode: 'rw',
  dataType: types[i % types.length] as TslDataType,
}));
const model = compileThingModel('pk', 1, { properties });
const bare = Object.fromEntries(properties.map((p, i) => [p.identifier, samples[i % samples.length]]));
const wrapped = Object.fromEntries(
  properties.map((p, i) => [p.identifier, { value: samples[i % samples.length], time: 1524448722000 }]),
);

describe('validatePropertyPost, 10 properties', () => {
  bench('bare values', () => {
    model.validatePropertyPost(bare);
  });
  bench('{value, time}', () => {
    model.validatePropertyPost(wrapped);
  });
});
