import { describe, expect, it } from 'vitest';
import { backoffDelay, retryAfterMs, verdictFor } from './delivery-policy.ts';

describe('verdictFor', () => {
  it.each([
    [200, 'delivered'], [202, 'delivered'], [204, 'delivered'],
    [408, 'retry'], [429, 'retry'], [500, 'retry'], [502, 'retry'], [503, 'retry'], [504, 'retry'],
    [301, 'failed'], [302, 'failed'], [400, 'failed'], [401, 'failed'], [403, 'failed'], [404, 'failed'], [413, 'failed'], [422, 'failed'],
  ] as const)('%i: %s', (status, verdict) => {
    expect(verdictFor(status)).toBe(verdict);
  });
});

describe('backoffDelay', () => {
  const options = { baseMs: 1000, maxMs: 30_000 };

  it('doubles per attempt, jittered between half and all of it', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, options, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, options, () => 0))).toEqual([500, 1000, 2000, 4000]);
  });

  it('stops growing at maxMs', () => {
    expect(backoffDelay(20, options, () => 1)).toBe(30_000);
    expect(backoffDelay(20, options, () => 0)).toBe(15_000);
  });

  it('waits at least a Retry-After, up to maxMs', () => {
    expect(backoffDelay(1, options, () => 0, 7000)).toBe(7000);
    expect(backoffDelay(1, options, () => 0, 3_600_000)).toBe(30_000);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-22T10:00:00Z');

  it('reads delay-seconds and HTTP dates', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Sun, 22 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });

  it('ignores an absent or unreadable header', () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
});
