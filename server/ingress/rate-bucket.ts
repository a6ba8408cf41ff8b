/**
 * A token bucket for "N per second, bursts of twice that": it starts full (at least the burst), refills at `rate` per
 * second, and each take costs one. The rate is given per take, so a listener's setting changed by a redeploy applies
 * at once.
 */
export class RateBucket {
  #tokens = Number.POSITIVE_INFINITY;
  #refilledAt: number;

  constructor(now: number) {
    this.#refilledAt = now;
  }

  /** False when this one is over the rate (then nothing is taken); a rate of 0 or less is no limit. */
  take(rate: number, now: number): boolean {
    if (rate <= 0) return true;
    this.#tokens = Math.min(rate * 2, this.#tokens + ((now - this.#refilledAt) / 1000) * rate);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/**
 * Rate buckets by key (a source address), at most `maxKeys`: the least recently used is forgotten first, so that a
 * spray of spoofed addresses costs bounded memory (a forgotten address starts again with a full bucket).
 */
export class RateBuckets {
  readonly #buckets = new Map<string, RateBucket>();

  constructor(private readonly maxKeys: number) {}

  take(key: string, rate: number, now: number): boolean {
    if (rate <= 0) return true;
    let bucket = this.#buckets.get(key);
    if (bucket) this.#buckets.delete(key);
    else {
      bucket = new RateBucket(now);
      if (this.#buckets.size >= this.maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!);
    }
    this.#buckets.set(key, bucket);
    return bucket.take(rate, now);
  }

  get size(): number {
    return this.#buckets.size;
  }
}
