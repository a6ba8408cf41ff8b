import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TslDocument } from '../../../domain/thing-model/tsl-types.ts';
import { checkValue, commandSummary, fieldOf, initialInput, invocableServices, parseInput, sampleValue, writableFields } from './command-fields.ts';

const tsl = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../../server/thing-model/fixtures/alibaba-example-tsl.json'), 'utf8')) as TslDocument;
const field = (id: string) => writableFields(tsl).find((f) => f.identifier === id)!;

describe('the command form from Alibaba\'s example thing model', () => {
  it('offers the rw properties with the control their type calls for, and the product\'s own services', () => {
    expect(writableFields(tsl).map((f) => [f.identifier, f.control])).toEqual([
      ['PowerSwitch', 'switch'], ['DeviceLabel', 'text'], ['LastMaintenance', 'datetime'], ['WorkMode', 'select'],
      ['AlarmThresholds', 'json'], ['Schedule', 'json'],
    ]);
    expect(field('WorkMode').options).toEqual([['0', 'auto'], ['1', 'cool'], ['2', 'heat'], ['3', 'dry']]);
    expect(invocableServices(tsl).map((s) => s.identifier)).toEqual(['Calibrate', 'Reboot']);
  });

  it('turns inputs into the values the platform accepts, and says what is wrong under the field', () => {
    const humidity = fieldOf(tsl.properties!.find((p) => p.identifier === 'CurrentHumidity')!);
    expect(humidity).toMatchObject({ control: 'number', min: 0, max: 100, step: 1, unit: '%' });
    expect(parseInput(humidity, '42')).toEqual({ value: 42 });
    expect(parseInput(humidity, '4.5')).toEqual({ error: 'Must be a whole number' });
    expect(parseInput(humidity, '101')).toEqual({ error: 'Must be ≤ 100' });
    expect(parseInput(humidity, '')).toEqual({ error: 'Enter a number' });
    expect(parseInput(field('PowerSwitch'), true)).toEqual({ value: 1 });
    expect(parseInput(field('WorkMode'), '2')).toEqual({ value: 2 });
    expect(parseInput(field('DeviceLabel'), 'x'.repeat(65))).toEqual({ error: 'Must be at most 64 characters' });
    expect(parseInput(field('LastMaintenance'), '2026-01-01T00:00:00')).toEqual({ value: String(new Date('2026-01-01T00:00:00').getTime()) });
    expect(parseInput(field('AlarmThresholds'), '[1, 2, 3, 4, 5]')).toEqual({ error: 'Must have at most 4 items' });
    expect(parseInput(field('AlarmThresholds'), '[1, 2.5]')).toEqual({ error: '[1]: must be a whole number' });
    expect(parseInput(field('AlarmThresholds'), '[1,')).toMatchObject({ error: expect.stringMatching(/^Not valid JSON/) });
  });

  it('builds samples every check accepts', () => {
    for (const p of tsl.properties!) expect(checkValue(p.dataType, sampleValue(p.dataType)), p.identifier).toBeUndefined();
  });

  it('names the nested place of a problem in a struct', () => {
    const schedule = field('Schedule');
    const sample = sampleValue(schedule.dataType) as Record<string, unknown>[];
    const key = Object.keys(sample[0]!)[0]!;
    expect(parseInput(schedule, JSON.stringify([{ ...sample[0], [key]: 'x' }]))).toMatchObject({ error: expect.stringMatching(new RegExp(`^\\[0\\]\\.${key}: must be`)) });
    expect(parseInput(schedule, '[{"nope": 1}]')).toMatchObject({ error: expect.stringContaining('"nope" is not a field') });
  });

  it('starts from the device\'s current values, and sends them back unchanged', () => {
    expect(initialInput(field('PowerSwitch'), 1)).toBe(true);
    expect(initialInput(field('WorkMode'), 3)).toBe('3');
    expect(initialInput(field('WorkMode'))).toBe('0');
    expect(parseInput(field('AlarmThresholds'), initialInput(field('AlarmThresholds'), '[10,20]'))).toEqual({ value: [10, 20] });
    const ms = Date.UTC(2026, 2, 3, 4, 5, 6);
    expect(parseInput(field('LastMaintenance'), initialInput(field('LastMaintenance'), String(ms)))).toEqual({ value: String(ms) });
  });
});

describe('a command as the page names it', () => {
  const fields = [
    fieldOf({ identifier: 'mode', name: 'Mode', dataType: { type: 'enum', specs: { 0: 'auto', 1: 'cool', 2: 'heat' } } }),
    fieldOf({ identifier: 'power', name: 'Power', dataType: { type: 'bool', specs: { 0: 'off', 1: 'on' } } }),
    fieldOf({ identifier: 'target', name: 'Target temperature', dataType: { type: 'float', specs: { min: '5', max: '30', unit: '°C' } } }),
    fieldOf({ identifier: 'delay', name: 'Delay', dataType: { type: 'int', specs: { min: '0', max: '60', unit: 's' } } }),
    fieldOf({ identifier: 'schedule', name: 'Schedule', dataType: { type: 'array', specs: { size: '10', item: { type: 'int' } } } }),
  ];

  it('writes enum and bool values with their labels and numbers with their units', () => {
    expect(commandSummary(fields, ['mode', 'power', 'target'], { mode: 1, power: 0, target: 21.5 })).toBe('Mode = cool (1), Power = off (0), Target temperature = 21.5 °C');
    expect(commandSummary(fields, ['delay'], { delay: 3 }, 'reboot')).toBe('reboot(Delay = 3 s)');
    expect(commandSummary(fields, [], {}, 'ping')).toBe('ping()');
  });

  it('writes a struct or array as JSON, cut short', () => {
    expect(commandSummary(fields, ['schedule'], { schedule: [1, 2, 3] })).toBe('Schedule = [1,2,3]');
    const long = Array.from({ length: 30 }, (_, i) => i);
    expect(commandSummary(fields, ['schedule'], { schedule: long })).toBe(`Schedule = ${JSON.stringify(long).slice(0, 39)}…`);
  });
});
