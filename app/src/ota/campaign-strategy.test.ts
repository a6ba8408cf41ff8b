import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STRATEGY_FORM, durationWords, localToIso, newCampaign, parseWaves, strategyFromForm, waveIncrements, waveSizes, type StrategyForm,
} from './campaign-strategy.ts';

describe('parseWaves', () => {
  it('reads cumulative percentages, with or without % signs', () => {
    expect(parseWaves('1, 10, 100')).toEqual({ waves: [1, 10, 100] });
    expect(parseWaves('0.5% 5%  100%')).toEqual({ waves: [0.5, 5, 100] });
    expect(parseWaves('100')).toEqual({ waves: [100] });
  });

  it('refuses waves that do not grow, leave 0–100, do not end at 100, or are too many', () => {
    expect(parseWaves('')).toHaveProperty('problem');
    expect(parseWaves('10, 5, 100')).toEqual({ problem: expect.stringContaining('cumulative') });
    expect(parseWaves('10, 10, 100')).toEqual({ problem: expect.stringContaining('cumulative') });
    expect(parseWaves('0, 100')).toEqual({ problem: expect.stringContaining('outside') });
    expect(parseWaves('10, 150')).toEqual({ problem: expect.stringContaining('outside') });
    expect(parseWaves('10, 50')).toEqual({ problem: expect.stringContaining('last wave must be 100') });
    expect(parseWaves('ten, 100')).toEqual({ problem: expect.stringContaining('not a percentage') });
    expect(parseWaves('-5, 100')).toEqual({ problem: expect.stringContaining('not a percentage') });
    expect(parseWaves('1 2 3 4 5 6 7 8 9 10 100')).toEqual({ problem: 'At most 10 waves.' });
  });
});

describe('waveSizes', () => {
  it('rounds each wave up, so a small first wave still holds a device, and the last holds every one', () => {
    expect(waveSizes(300, [1, 10, 100])).toEqual([3, 30, 300]);
    expect(waveSizes(30, [1, 10, 100])).toEqual([1, 3, 30]);
    expect(waveSizes(1, [1, 10, 100])).toEqual([1, 1, 1]);
    expect(waveSizes(7, [50, 100])).toEqual([4, 7]);
    expect(waveSizes(0, [1, 10, 100])).toEqual([0, 0, 0]);
    expect(waveSizes(1000, [100])).toEqual([1000]);
    expect(waveSizes(200, [5, 25, 50, 100])).toEqual([10, 50, 100, 200]);
  });

  it('gives the devices each wave adds', () => {
    expect(waveIncrements([3, 30, 300])).toEqual([3, 27, 270]);
    expect(waveIncrements([1, 1, 1])).toEqual([1, 0, 0]);
  });
});

describe('strategyFromForm', () => {
  const form = (change: Partial<StrategyForm>): StrategyForm => ({ ...DEFAULT_STRATEGY_FORM, ...change });

  it('answers the documented defaults for the untouched form', () => {
    expect(strategyFromForm(DEFAULT_STRATEGY_FORM)).toEqual({
      strategy: { waves: [100], maxInFlight: 100, maxConcurrentDownloads: 50, deviceTimeoutSeconds: 1800, retries: 0, failureThreshold: 0.2, signMethod: 'SHA256' },
    });
  });

  it('takes a preset or custom waves, a rate, a window, a threshold in percent and the sign method', () => {
    const result = strategyFromForm(form({
      wavePreset: 'custom', customWaves: '2, 20, 100', ratePerMinute: '60', maxInFlight: '10', maxConcurrentDownloads: '5',
      startAt: '2026-12-05T10:00', endAt: '2026-12-05T18:30', deviceTimeoutSeconds: '600', retries: '2', failureThresholdPercent: '12.5', signMethod: 'MD5',
    }));
    expect(result).toEqual({
      strategy: {
        waves: [2, 20, 100], ratePerMinute: 60, maxInFlight: 10, maxConcurrentDownloads: 5,
        startAt: new Date('2026-12-05T10:00').toISOString(), endAt: new Date('2026-12-05T18:30').toISOString(),
        deviceTimeoutSeconds: 600, retries: 2, failureThreshold: 0.125, signMethod: 'MD5',
      },
    });
    expect(strategyFromForm(form({ wavePreset: 'canary' }))).toMatchObject({ strategy: { waves: [1, 10, 100] } });
    expect(strategyFromForm(form({ failureThresholdPercent: '0' }))).toMatchObject({ strategy: { failureThreshold: 0 } });
  });

  it('names each field that is wrong', () => {
    const result = strategyFromForm(form({
      wavePreset: 'custom', customWaves: '50', ratePerMinute: '0', maxInFlight: '', maxConcurrentDownloads: '1.5',
      startAt: '2026-12-05T10:00', endAt: '2026-12-05T09:00', deviceTimeoutSeconds: '5', retries: '11', failureThresholdPercent: '120',
    }));
    expect(Object.keys('errors' in result ? result.errors : {}).sort()).toEqual([
      'deviceTimeoutSeconds', 'endAt', 'failureThresholdPercent', 'maxConcurrentDownloads', 'maxInFlight', 'ratePerMinute', 'retries', 'waves',
    ]);
  });
});

describe('newCampaign', () => {
  it('is the body of POST /ota/campaigns, or the problems with the name too', () => {
    expect(newCampaign(' mcu 2.0.0 ', 7, { type: 'all' }, DEFAULT_STRATEGY_FORM)).toEqual({
      campaign: { name: 'mcu 2.0.0', firmwareId: 7, target: { type: 'all' }, strategy: expect.objectContaining({ waves: [100] }) },
    });
    expect(newCampaign('  ', 7, { type: 'all' }, { ...DEFAULT_STRATEGY_FORM, retries: 'x' })).toEqual({
      errors: { name: expect.any(String), retries: expect.any(String) },
    });
  });
});

describe('small words', () => {
  it('says durations and reads datetime-local values', () => {
    expect(durationWords(1800)).toBe('30 min');
    expect(durationWords(90)).toBe('1 min 30 s');
    expect(durationWords(90_000)).toBe('1 d 1 h');
    expect(durationWords(0)).toBe('0 s');
    expect(localToIso('2026-12-05T10:00')).toBe(new Date('2026-12-05T10:00').toISOString());
    expect(localToIso('tomorrow')).toBeUndefined();
  });
});
