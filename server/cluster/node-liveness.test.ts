/**
 * Node liveness on a real Redis, and the leader's sweep of a lost node's devices on a real PostgreSQL: a node that
 * stops renewing drops out by itself, one that stops cleanly at once, and the devices still online through a node
 * that is gone are set offline.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { createRegistry } from '../registry.ts';
import { SecretBox } from '../secrets/secret-box.ts';
import { registryDatabases } from '../testing/registry-databases.ts';
import { startRedis, type RedisServer } from '../testing/redis-server.ts';
import { until } from '../testing/until.ts';
import { NodeLiveness, sweepLostNodes } from './node-liveness.ts';

const databases = registryDatabases();
const logger = createLogger('silent');
let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedis();
}, 60_000);
afterAll(async () => {
  await redis?.stop();
});

describe('node liveness', () => {
  it('sees every node alive, keeps renewing past its time, drops a node that stopped cleanly at once and a killed one after its time', async () => {
    const raw = new Redis(redis.url);
    const a = await NodeLiveness.start(redis.url, { nodeId: 'a', logger });
    const b = await NodeLiveness.start(redis.url, { nodeId: 'b', logger });
    // Renews every 100 ms, and counts as alive 1.5 s after the last renewal (room for a busy machine's late timers).
    const started = Date.now();
    const c = await NodeLiveness.start(redis.url, { nodeId: 'c', logger, ttlMs: 1500, beatMs: 100 });
    // A node that said it was alive once, for 300 ms, and was then killed: nobody deletes its key.
    await raw.set('thingwire:node:killed', String(Date.now()), 'PX', 300);
    try {
      expect(await a.alive()).toEqual(new Set(['a', 'b', 'c', 'killed']));
      await b.close();
      expect(await a.alive()).toEqual(new Set(['a', 'c', 'killed']));
      await until('the killed node gone', () => a.alive(), (alive) => !alive.has('killed'));
      // c renewed after its first 1.5 s ran out, and is still there.
      await until('c renewed past its first time', async () => Number(await raw.get('thingwire:node:c')), (at) => at > started + 1600);
      expect(await a.alive()).toEqual(new Set(['a', 'c']));
    } finally {
      await Promise.all([a.close(), c.close()]);
      raw.disconnect();
    }
  });
});

describe('the sweep of a lost node\'s devices', () => {
  it('sets offline only the devices of nodes no longer alive, and says which node lost which', async () => {
    const sql = await databases.open('postgres');
    const registry = createRegistry(sql, new SecretBox(randomBytes(32)), logger, { nodeId: 'alive-node' });
    await registry.products.create({ productKey: 'pk', name: 'p' });
    await registry.devices.createMany(['a1', 'g1', 'g2'].map((deviceName) => ({ productKey: 'pk', deviceName })));
    const gone = createRegistry(sql, new SecretBox(randomBytes(32)), logger, { nodeId: 'gone-node' });
    const online = (deviceName: string) => ({ productKey: 'pk', deviceName, status: 'online' as const, at: new Date().toISOString() });
    registry.devices.queueStatus(online('a1'));
    await registry.devices.flushStatus();
    gone.devices.queueStatus(online('g1'));
    gone.devices.queueStatus(online('g2'));
    await gone.devices.flushStatus();

    const lost: [string, string[]][] = [];
    const sweep = sweepLostNodes({
      liveness: { alive: async () => new Set(['alive-node']) },
      devices: registry.devices,
      lost: (node, devices) => lost.push([node, devices.map((d) => d.deviceName).sort()]),
      logger,
    });
    expect(await sweep.sweep()).toBe(2);
    expect(lost).toEqual([['gone-node', ['g1', 'g2']]]);
    expect(await registry.devices.countByStatus()).toMatchObject({ online: 1, offline: 2 });
    expect(await registry.devices.heldBy()).toEqual(new Map([['alive-node', 1]]));
    // Nothing more to do the next time.
    expect(await sweep.sweep()).toBe(0);
  });
});
