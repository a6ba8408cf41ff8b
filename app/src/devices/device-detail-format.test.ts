import { describe, expect, it } from 'vitest';
import type { TslDocument } from '../../../domain/thing-model/tsl-types.ts';
import { eventDataText, formatValue } from './device-detail-format.ts';

const tsl = {
  properties: [],
  services: [],
  events: [{
    identifier: 'overheat', name: 'Overheat', type: 'alert', outputData: [
      { identifier: 'temp', name: 'Temp', dataType: { type: 'float', specs: { unit: '°C' } } },
      { identifier: 'level', name: 'Level', dataType: { type: 'enum', specs: { 1: 'low', 2: 'high' } } },
      { identifier: 'fan', name: 'Fan', dataType: { type: 'bool', specs: { 0: 'off', 1: 'on' } } },
    ],
  }],
} as unknown as TslDocument;

describe('values in the thing model\'s words', () => {
  it('writes bool and enum values with their labels and numbers with their units', () => {
    expect(formatValue(2, { type: 'enum', specs: { 1: 'low', 2: 'high' } })).toBe('high (2)');
    expect(formatValue(true, { type: 'bool', specs: { 0: 'off', 1: 'on' } })).toBe('on (1)');
    expect(formatValue(23.600000000000001, { type: 'float', specs: { unit: '°C' } })).toBe('23.6 °C');
    expect(formatValue(7, { type: 'enum', specs: { 1: 'low' } })).toBe('7');
  });

  it('writes an event\'s data field by field, JSON when the model does not know it', () => {
    expect(eventDataText('overheat', { temp: 90, level: 2, fan: 1 }, tsl)).toBe('Temp = 90 °C, Level = high (2), Fan = on (1)');
    expect(eventDataText('overheat', { extra: 'x' }, tsl)).toBe('extra = x');
    expect(eventDataText('unknown', { temp: 90 }, tsl)).toBe('{"temp":90}');
    expect(eventDataText('overheat', [1, 2], tsl)).toBe('[1,2]');
  });
});
