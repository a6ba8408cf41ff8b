/**
 * Two nodes' registries on one PostgreSQL database, their events shared through a real Redis: what one node changes,
 * the other's memory follows (product settings, published thing models, topology), announced there with the node it
 * came from, and nothing comes back to the node that made it.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePostgres } from '../db/migrate.ts';
import { migrations } from '../db/migrations/index.ts';
import { createLogger } from '../logger.ts';
import { createRegistry, type Registry } from '../registry.ts';
import type { RegistryEventMap } from '../registry-events.ts';
import { SecretBox } from '../secrets/secret-box.ts';
import { insertDevices } from '../testing/registry-databases.ts';
import { startRedis, type RedisServer } from '../testing/redis-server.ts';
import { testPostgres } from '../testing/test-postgres.ts';
import { until } from '../testing/until.ts';
import { CodecSandbox } from '../codecs/codec-sandbox.ts';
import { CodecStore } from '../codecs/codec-store.ts';
import { ClusterBus } from './cluster-bus.ts';

const postgres = testPostgres();
const secrets = new SecretBox(randomBytes(32));
const logger = createLogger('silent');
let redis: RedisServer;
/** The database both nodes share. */
let databaseUrl: string;
const nodes: { id: string; registry: Registry; codecs: CodecStore; bus: ClusterBus; seen: { name: string; origin?: string }[] }[] = [];
const sandboxes: Promise<CodecSandbox>[] = [];

beforeAll(async () => {
  redis = await startRedis();
  const { url, sql: setup } = await postgres.connect('cluster_bus', { max: 1 });
  databaseUrl = url;
  await migratePostgres(setup, migrations);
  for (const id of ['node-a', 'node-b']) {
    const sql = postgres.pool(url);
    const registry = createRegistry(sql, secrets, logger);
    const sandbox = CodecSandbox.create();
    sandboxes.push(sandbox);
    const codecs = new CodecStore(sql, registry.products, () => sandbox, registry.events);
    registry.reloadOn('codec.published', (e) => codecs.reload(e.productKey));
    const load = async () => {
      await registry.load();
      await codecs.load();
    };
    await load();
    const seen: { name: string; origin?: string }[] = [];
    for (const name of ['product.changed', 'thing-model.published', 'topology.changed'] as const) {
      registry.events.on(name, (e: RegistryEventMap[typeof name][0]) => seen.push({ name, origin: e.origin }));
    }
    nodes.push({ id, registry, codecs, bus: await ClusterBus.connect(redis.url, { nodeId: id, registry, load, logger }), seen });
  }
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.bus.close()));
  for (const sandbox of sandboxes) (await sandbox).dispose();
  await redis?.stop();
});

describe('the cluster bus', () => {
  it('brings a product made on one node into the other\'s memory, and its changes and deletion', async () => {
    const [a, b] = nodes as [typeof nodes[0], typeof nodes[0]];
    await a.registry.products.create({ productKey: 'shared', name: 'shared', nodeType: 'gateway' });
    await until('node b knows the product', () => b.registry.products.exists('shared'), Boolean);
    expect(b.registry.products.nodeType('shared')).toBe('gateway');

    await a.registry.products.update('shared', { futureTimes: 'clamp', auth: { requireTimestamp: true } });
    await until('node b follows the change', () => b.registry.products.futureTimes('shared'), (v) => v === 'clamp');
    expect(b.registry.products.auth('shared')?.requireTimestamp).toBe(true);

    // Made on b this time: a follows, and b's own event does not come back to it.
    await b.registry.products.create({ productKey: 'from-b', name: 'from b' });
    await until('node a knows b\'s product', () => a.registry.products.exists('from-b'), Boolean);
    await b.registry.products.delete('from-b');
    await until('node a forgets it', () => a.registry.products.exists('from-b'), (v) => !v);
    await b.bus.settled();
    expect(b.seen.filter((e) => e.name === 'product.changed')).toEqual([
      { name: 'product.changed', origin: 'node-a' }, { name: 'product.changed', origin: 'node-a' },
      { name: 'product.changed', origin: undefined }, { name: 'product.changed', origin: undefined },
    ]);
    expect(a.seen.filter((e) => e.name === 'product.changed').map((e) => e.origin)).toEqual([undefined, undefined, 'node-b', 'node-b']);
  });

  it('validates with a thing model published on the other node', async () => {
    const [a, b] = nodes as [typeof nodes[0], typeof nodes[0]];
    await a.registry.products.create({ productKey: 'meter', name: 'meter' });
    const tsl = { properties: [{ identifier: 'power', name: 'power', accessMode: 'r', dataType: { type: 'float', specs: { min: '0', max: '100' } } }] };
    await a.registry.thingModels.saveDraft('meter', tsl, 'engineer');
    await a.registry.thingModels.publish('meter', 'engineer');
    const compiled = await until('node b has the published model', () => b.registry.thingModels.compiledFor('meter'), Boolean);
    expect(compiled!.version).toBe(1);
    expect(b.registry.thingModels.publishedTsl('meter')?.version).toBe(1);
    expect(b.seen).toContainEqual({ name: 'thing-model.published', origin: 'node-a' });
  });

  it('decodes with a codec version published on the other node, in place of the one it had loaded', async () => {
    const [a, b] = nodes as [typeof nodes[0], typeof nodes[0]];
    await a.registry.products.create({ productKey: 'tag', name: 'tag' });
    const codec = (reading: number) => `function decode(bytes) { return [{ kind: 'property.post', params: { reading: ${reading} } }]; }`;
    await a.codecs.saveDraft('tag', codec(1), 'engineer');
    await a.codecs.publish('tag', 'engineer');
    await until('node b has version 1', () => b.codecs.hasPublished('tag'), Boolean);
    const decodeOnB = async () => {
      const loaded = (await b.codecs.published('tag'))!;
      const out = loaded.sandbox.decode('tag', Buffer.from([1]), { productKey: 'tag' });
      return { version: loaded.version, out: out.ok ? out.value : out.error };
    };
    expect(await decodeOnB()).toEqual({ version: 1, out: [{ kind: 'property.post', params: { reading: 1 } }] });
    await a.codecs.saveDraft('tag', codec(2), 'engineer');
    await a.codecs.publish('tag', 'engineer');
    await until('node b decodes with version 2', decodeOnB, (v) => v.version === 2);
    expect(await decodeOnB()).toEqual({ version: 2, out: [{ kind: 'property.post', params: { reading: 2 } }] });
  });

  it('links a sub-device on one node and lets the other node\'s gateway session see it', async () => {
    const [a, b] = nodes as [typeof nodes[0], typeof nodes[0]];
    const sql = postgres.pool(databaseUrl);
    await a.registry.products.create({ productKey: 'gwp', name: 'gateways', nodeType: 'gateway' });
    await a.registry.products.create({ productKey: 'subp', name: 'subs', nodeType: 'sub-device' });
    const gw = { productKey: 'gwp', deviceName: 'gw1' };
    const s1 = { productKey: 'subp', deviceName: 's1' };
    await insertDevices(sql, [gw, s1]);
    expect(await a.registry.topology.link(gw, [s1], 'gateway')).toMatchObject({ ok: true });
    await until('node b sees the link', () => b.registry.topology.isLinked(gw, s1), Boolean);
    expect(await b.registry.topology.unlink(gw, s1, 'user admin')).toBe(true);
    await until('node a sees it gone', () => a.registry.topology.isLinked(gw, s1), (v) => !v);
  });

  it('tells the other node of a device disabled here, for the session it may hold there', async () => {
    const [a, b] = nodes as [typeof nodes[0], typeof nodes[0]];
    await a.registry.products.create({ productKey: 'lamps', name: 'lamps' });
    await a.registry.devices.create({ productKey: 'lamps', deviceName: 'porch' });
    const seen: unknown[] = [];
    b.registry.events.on('device.changed', (e) => seen.push(e));
    await a.registry.devices.update('lamps', 'porch', { enabled: false });
    await until('node b hears of it', () => seen, (list) => list.some((e) => (e as { change: string }).change === 'disabled'));
    expect(seen).toContainEqual({ productKey: 'lamps', deviceName: 'porch', change: 'disabled', origin: 'node-a' });
    expect((await b.registry.devices.credentialsFor('lamps', 'porch'))?.enabled).toBe(false);
  });

  it('shares other kinds of change: each node follows the others\' once, and does not send them on', async () => {
    const [a, b] = nodes as [typeof nodes[0], typeof nodes[0]];
    const deploys = [new EventEmitter(), new EventEmitter()] as const;
    const followed: [string, unknown][] = [];
    a.bus.share<{ rev: string }>('flows.deployed', deploys[0], (e) => {
      followed.push(['node-a', e]);
      deploys[0].emit('flows.deployed', e);
    });
    b.bus.share<{ rev: string }>('flows.deployed', deploys[1], (e) => {
      followed.push(['node-b', e]);
      // As a node that loaded the flows announces it locally: with the origin, so it goes no further.
      deploys[1].emit('flows.deployed', e);
    });
    deploys[0].emit('flows.deployed', { rev: 'r1' });
    await until('node b followed the deploy', () => followed, (list) => list.length > 0);
    deploys[1].emit('flows.deployed', { rev: 'r2' });
    await until('node a followed the other', () => followed, (list) => list.length > 1);
    await Promise.all([a.bus.settled(), b.bus.settled()]);
    expect(followed).toEqual([['node-b', { rev: 'r1', origin: 'node-a' }], ['node-a', { rev: 'r2', origin: 'node-b' }]]);
    expect(() => a.bus.share('flows.deployed', deploys[0], () => undefined)).toThrow(/shared already/);
  });

  it('reloads the registry when its Redis connection comes back, for what pub/sub could not deliver meanwhile', async () => {
    const [a, b] = nodes as [typeof nodes[0], typeof nodes[0]];
    await a.registry.products.create({ productKey: 'missed', name: 'missed' });
    await until('node b knows the product', () => b.registry.products.exists('missed'), Boolean);
    // A change b never hears of (as if made while it was cut off), then every subscriber's connection cut.
    await postgres.pool(databaseUrl).run("UPDATE products SET future_times = 'clamp' WHERE product_key = 'missed'");
    const admin = new Redis(redis.url, { lazyConnect: true });
    await admin.connect();
    expect(await admin.client('KILL', 'TYPE', 'pubsub')).toBeGreaterThanOrEqual(2);
    admin.disconnect();
    await until('node b reloaded after reconnecting', () => b.registry.products.futureTimes('missed'), (v) => v === 'clamp');
    // And the bus works again.
    await a.registry.products.update('missed', { futureTimes: 'refuse' });
    await until('node b follows again', () => b.registry.products.futureTimes('missed'), (v) => v === 'refuse');
  });
});
