import { describe, expect, it } from 'vitest';
import { RateBucket, RateBuckets } from './rate-bucket.ts';

describe('rate limits', () => {
  it('lets a burst of twice the rate through, then the rate', () => {
    const bucket = new RateBucket(0);
    const taken = Array.from({ length: 30 }, () => bucket.take(10, 0)).filter(Boolean).length;
    expect(taken).toBe(20);
    expect(bucket.take(10, 50)).toBe(false); // half a token back
    expect(bucket.take(10, 100)).toBe(true);
    expect(bucket.take(0, 100)).toBe(true); // 0: no limit
  });

  it('keys its buckets by address and forgets the least recently used beyond its bound', () => {
    const buckets = new RateBuckets(2);
    expect(buckets.take('a', 1, 0) && buckets.take('a', 1, 0)).toBe(true);
    expect(buckets.take('a', 1, 0)).toBe(false);
    expect(buckets.take('b', 1, 0)).toBe(true);
    expect(buckets.take('c', 1, 0)).toBe(true); // 'a' is forgotten: it starts again full
    expect(buckets.size).toBe(2);
    expect(buckets.take('a', 1, 0)).toBe(true);
  });
});
