import { describe, expect, it } from 'vitest';
import type { TslDocument } from '../../../domain/thing-model/tsl-types.ts';
import { conditionFromText, describeCondition } from '../../../domain/alerts/alert-rule.ts';
import { setLocale } from '../i18n/locale.ts';
import { conditionText, propertyValueText, storedConditionText, triggerText } from './alert-types.ts';

const tsl = {
  properties: [
    { identifier: 'temperature', name: 'Temperature', accessMode: 'r', dataType: { type: 'float', specs: { min: '-40', max: '125', unit: '°C' } } },
    { identifier: 'mode', name: 'Mode', accessMode: 'rw', dataType: { type: 'enum', specs: { 0: 'auto', 1: 'cool', 2: 'heat' } } },
  ],
  services: [],
  events: [],
} as unknown as TslDocument;

describe('alert rules and values in words', () => {
  it('says when a rule raises and clears', () => {
    expect(triggerText({ kind: 'threshold', property: 'temperature', raise: { operator: '>', value: 30 }, forSeconds: 10, clear: 'auto' }))
      .toBe('temperature > 30 for 10 s; clears when it no longer holds');
    expect(triggerText({ kind: 'threshold', property: 'humidity', raise: { operator: 'outside', low: 20, high: 80 }, forSeconds: 0, clear: { operator: 'between', low: 25, high: 75 } }))
      .toBe('humidity outside 20 and 80; clears when humidity between 25 and 75');
    expect(triggerText({ kind: 'event', eventId: '', eventType: 'alert-or-error', clearEventId: '' })).toBe('any alert or error event; cleared by hand');
    expect(triggerText({ kind: 'event', eventId: 'overheat', eventType: 'any', clearEventId: 'cooled' })).toBe('event overheat; clears on event cooled');
    expect(triggerText({ kind: 'offline', offlineMinutes: 5 })).toBe('offline for more than 5 min; clears when back online');
    expect(triggerText(null)).toBe('cannot be read');
  });

  it('writes a threshold alert\'s value with its unit or label, and leaves the rest to the caller', () => {
    const threshold = (property: string, value: unknown) => ({ kind: 'threshold' as const, value, details: { property } });
    expect(propertyValueText(threshold('temperature', 35), tsl)).toBe('35 °C');
    expect(propertyValueText(threshold('mode', 2), tsl)).toBe('heat (2)');
    expect(propertyValueText(threshold('humidity', 50), tsl)).toBeUndefined();
    expect(propertyValueText(threshold('mode', 2), null)).toBeUndefined();
    expect(propertyValueText({ kind: 'offline', value: { status: 'offline' }, details: {} }, tsl)).toBeUndefined();
  });
});

describe('conditions as the alert engine stored them', () => {
  it('says them in the UI\'s words, and other text as it is', () => {
    for (const condition of [{ operator: '>', value: 30 }, { operator: '!=', value: -1.5 }, { operator: 'between', low: 20, high: 30 }, { operator: 'outside', low: -5, high: 5 }] as const) {
      expect(conditionFromText(describeCondition(condition))).toEqual(condition);
      expect(storedConditionText(describeCondition(condition))).toBe(conditionText(condition));
    }
    expect(storedConditionText('between 20 and 30')).toBe('between 20 and 30');
    setLocale('zh-CN');
    try {
      expect(storedConditionText('between 20 and 30')).toBe('介于 20 ~ 30');
      expect(storedConditionText('when the raise condition no longer holds')).toBe('when the raise condition no longer holds');
    } finally {
      setLocale('en');
    }
    expect(conditionFromText('> thirty')).toBeUndefined();
  });
});
