import { describe, expect, it } from 'vitest';
import { bucketWidth, chartColumns, queryRange, RANGE_PRESETS } from './history-range.ts';

describe('history ranges', () => {
  it('asks for 300 to 600 round buckets for every preset', () => {
    for (const p of RANGE_PRESETS) {
      const r = queryRange({ preset: p.value }, Date.UTC(2026, 4, 1, 12, 34, 56, 789));
      expect(r.buckets, p.value).toBeGreaterThanOrEqual(300);
      expect(r.buckets, p.value).toBeLessThanOrEqual(601);
      // The API's width = ceil((to - from) / buckets) is the round width itself.
      expect(Math.ceil((r.to - r.from) / r.buckets)).toBe(r.width);
      expect(r.from % r.width).toBe(0);
    }
  });

  it('keeps the same buckets when re-fetched a moment later', () => {
    const a = queryRange({ preset: '1h' }, 1_000_000_001_000);
    const b = queryRange({ preset: '1h' }, 1_000_000_003_000);
    expect(b.from).toBe(a.from);
  });

  it('fits a custom range in at most 600 buckets', () => {
    const r = queryRange({ from: 0, to: 90 * 86_400_000 }, 100 * 86_400_000);
    expect(r.buckets).toBeLessThanOrEqual(600);
    expect(r.live).toBe(false);
    expect(bucketWidth(1000)).toBe(1000);
  });

  it('breaks the line where the device was silent, not between its regular posts', () => {
    const t = (s: number) => new Date(s * 1000).toISOString();
    const b = (s: number, v: number) => ({ time: t(s), min: v, max: v, avg: v, count: 1 });
    const regular = chartColumns([b(0, 1), b(4, 2), b(8, 3), b(12, 4)], 2000);
    expect(regular.y).toEqual([1, 2, 3, 4]);
    expect(regular.spread).toBe(false);
    const gap = chartColumns([b(0, 1), b(4, 2), b(8, 3), b(100, 4)], 2000);
    expect(gap.y).toEqual([1, 2, 3, null, 4]);
    expect(gap.values).toBe(4);
  });
});
