import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { startRedis } from './redis-server.ts';

describe('the test harness Redis', () => {
  it('starts Debian\'s redis-server on a loopback port, answers, and is gone after stop', async () => {
    const server = await startRedis();
    const client = new Redis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    try {
      await client.connect();
      await client.set('k', 'v');
      expect(await client.get('k')).toBe('v');
    } finally {
      client.disconnect();
      await server.stop();
    }
    const after = new Redis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    after.on('error', () => undefined);
    await expect(after.connect()).rejects.toThrow();
    after.disconnect();
  });
});
