/**
 * Per-device rate limits counted across the nodes of a cluster, on a real Redis: a device whose posts alternate
 * between two nodes gets the single node's limit in all, not twice it; and a node that cannot reach Redis says so
 * (undefined) instead of refusing.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { testRedis } from '../testing/test-redis.ts';
import { until } from '../testing/until.ts';
import { SharedRateLimits } from './shared-rates.ts';

const logger = createLogger('silent');
const redis = testRedis();

function node(url?: string): SharedRateLimits {
  const connection = redis.connection(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  connection.on('error', () => undefined); // the unreachable one's; take() says so
  return new SharedRateLimits(connection, logger);
}

describe('shared rate limits', () => {
  it('lets a device burst twice its rate across two nodes in all, refuses the next, and lets it on as time passes', async () => {
    const a = node();
    const b = node();
    const taken: (boolean | undefined)[] = [];
    // 5 per second, bursts of 10: posts alternate between the nodes, as a round-robin balancer sends them.
    for (let i = 0; i < 12; i++) taken.push(await (i % 2 ? b : a).take('pk/alternating', 5));
    expect(taken.filter((t) => t === true)).toHaveLength(10);
    expect(taken.slice(10)).toEqual([false, false]);
    // Another device has its own limit.
    expect(await b.take('pk/other', 5)).toBe(true);
    // A refused post does not count: the device gets on once a fifth of a second has passed.
    await until('the device let on again', () => a.take('pk/alternating', 5), (t) => t === true, 5_000);
  });

  it('has no limit at a rate of 0, and answers undefined when Redis cannot be reached', async () => {
    const a = node();
    expect(await a.take('pk/unlimited', 0)).toBe(true);
    const unreachable = node('redis://127.0.0.1:1');
    expect(await unreachable.take('pk/any', 5)).toBeUndefined();
  });
});
