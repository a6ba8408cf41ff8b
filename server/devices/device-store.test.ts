/**
 * The device store on both registry databases (SQLite, and a real PostgreSQL): what the device hub and the routes
 * build on — registry events, the credentials lookup, listings with their filters, the status writes the hub batches —
 * answered the same by both.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Sql } from '../db/sql.ts';
import { createLogger } from '../logger.ts';
import { createRegistry, type Registry } from '../registry.ts';
import type { DeviceChange } from '../registry-events.ts';
import { SecretBox } from '../secrets/secret-box.ts';
import { REGISTRY_DIALECTS, registryDatabases } from '../testing/registry-databases.ts';

const databases = registryDatabases();

/** A registry on a fresh database of `dialect` (or `sql`, another node's), with product `pk`. */
async function registryOn(
  dialect: (typeof REGISTRY_DIALECTS)[number], options: { nodeId?: string; sql?: Sql } = {},
): Promise<{ registry: Registry; sql: Sql }> {
  const sql = options.sql ?? (await databases.open(dialect));
  const registry = createRegistry(sql, new SecretBox(randomBytes(32)), createLogger('silent'), { nodeId: options.nodeId });
  if (options.sql) {
    await registry.load();
    return { registry, sql };
  }
  await registry.load();
  await registry.products.create({ productKey: 'pk', name: 'product' });
  return { registry, sql };
}

describe.each(REGISTRY_DIALECTS)('devices on %s', (dialect) => {
  it('tells listeners when a device is disabled, re-enabled, rotated or deleted, once per real change', async () => {
    const { registry } = await registryOn(dialect);
    const seen: DeviceChange['change'][] = [];
    registry.events.on('device.changed', (e) => {
      expect(e).toMatchObject({ productKey: 'pk', deviceName: 'dn' });
      seen.push(e.change);
    });
    await registry.devices.create({ productKey: 'pk', deviceName: 'dn' });
    await registry.devices.update('pk', 'dn', { enabled: false });
    await registry.devices.update('pk', 'dn', { enabled: false });
    await registry.devices.update('pk', 'dn', { enabled: true, description: 'back' });
    await registry.devices.rotateSecret('pk', 'dn');
    await registry.devices.delete('pk', 'dn');
    expect(seen).toEqual(['created', 'disabled', 'enabled', 'updated', 'secret-rotated', 'deleted']);
    await expect(registry.devices.delete('pk', 'dn')).rejects.toMatchObject({ status: 404 });
  });

  it('creates all of a bulk upload or, when one name is taken, none of it and says which', async () => {
    const { registry } = await registryOn(dialect);
    const seen: DeviceChange[] = [];
    registry.events.on('device.changed', (e) => seen.push(e));
    await registry.devices.create({ productKey: 'pk', deviceName: 'taken' });
    seen.length = 0;
    await expect(registry.devices.createMany([{ productKey: 'pk', deviceName: 'new' }, { productKey: 'pk', deviceName: 'taken' }]))
      .rejects.toMatchObject({ status: 409, code: 'device_exists', message: expect.stringMatching(/already has a device named "taken"/) });
    expect(seen).toEqual([]);
    expect(await registry.devices.exists('pk', 'new')).toBe(false);
    await expect(registry.devices.create({ productKey: 'nope', deviceName: 'x' })).rejects.toMatchObject({ status: 404 });

    // More than one statement's worth, with tags: every device answered as created, in the order given.
    const many = Array.from({ length: 450 }, (_, i) => ({ productKey: 'pk', deviceName: `m${String(i).padStart(3, '0')}`, tags: { floor: String(i % 3), room: `r${i}` } }));
    const created = await registry.devices.createMany(many);
    expect(created.map((d) => d.deviceName)).toEqual(many.map((d) => d.deviceName));
    expect(created[301]).toMatchObject({ deviceName: 'm301', tags: { floor: '1', room: 'r301' }, status: 'inactive', enabled: true, deviceSecret: expect.any(String) });
    expect(new Set(created.map((d) => d.deviceSecret)).size).toBe(450);
    expect(await registry.devices.existing([{ productKey: 'pk', deviceName: 'm449' }, { productKey: 'pk', deviceName: 'm450' }, { productKey: 'x', deviceName: 'm1' }]))
      .toEqual(new Set(['pk/m449']));
  });

  it('gives the current plain secret and the enabled flag, and nothing for an unknown device', async () => {
    const { registry } = await registryOn(dialect);
    const { deviceSecret } = await registry.devices.create({ productKey: 'pk', deviceName: 'dn' });
    expect(await registry.devices.credentialsFor('pk', 'dn')).toEqual({ secret: deviceSecret, enabled: true });
    expect(await registry.devices.revealSecret('pk', 'dn')).toBe(deviceSecret);

    const rotated = await registry.devices.rotateSecret('pk', 'dn');
    await registry.devices.update('pk', 'dn', { enabled: false });
    expect(await registry.devices.credentialsFor('pk', 'dn')).toEqual({ secret: rotated, enabled: false });

    expect(await registry.devices.credentialsFor('pk', 'other')).toBeUndefined();
    expect(await registry.devices.credentialsFor('other', 'dn')).toBeUndefined();
  });

  it('lists by tag, status and text (any case, % and _ taken literally), a page at a time with the total', async () => {
    const { registry } = await registryOn(dialect);
    await registry.devices.createMany([
      { productKey: 'pk', deviceName: 'Kitchen-Lamp', tags: { floor: '1' } },
      { productKey: 'pk', deviceName: 'hall_lamp', description: '100% bright', tags: { floor: '1', zone: 'b' } },
      { productKey: 'pk', deviceName: 'cellar', description: 'LAMP in the cellar', tags: { floor: '0' } },
      { productKey: 'pk', deviceName: 'attic' },
    ]);
    const names = async (filter: Parameters<Registry['devices']['list']>[0], page = { limit: 50, offset: 0 }) =>
      (await registry.devices.list(filter, page)).items.map((d) => d.deviceName);
    expect(await names({ q: 'lamp' })).toEqual(['Kitchen-Lamp', 'cellar', 'hall_lamp']);
    expect(await names({ q: '100%' })).toEqual(['hall_lamp']);
    expect(await names({ q: 'l_mp' })).toEqual([]);
    expect(await names({ tags: [{ key: 'floor', value: '1' }, { key: 'zone', value: 'b' }] })).toEqual(['hall_lamp']);
    expect(await names({ enabled: true, status: 'inactive', productKey: 'pk' })).toHaveLength(4);
    const page = await registry.devices.list({}, { limit: 2, offset: 1 });
    expect(page).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(page.items.map((d) => d.deviceName)).toEqual(['attic', 'cellar']);
    expect(page.items[1]).toMatchObject({ tags: { floor: '0' }, nodeType: 'direct', gateway: null });
    expect(page.items[0]!.tags).toEqual({});
  });

  it('writes a batch of status changes as each device ended it, and last-seen times, leaving out deleted devices', async () => {
    const { registry } = await registryOn(dialect);
    await registry.devices.createMany(['a', 'b', 'c'].map((deviceName) => ({ productKey: 'pk', deviceName })));
    const { devices } = registry;
    devices.queueStatus({ productKey: 'pk', deviceName: 'a', status: 'online', at: '2026-12-01T10:00:00.000Z' });
    devices.queueStatus({ productKey: 'pk', deviceName: 'b', status: 'online', at: '2026-12-01T10:00:01.000Z' });
    devices.queueStatus({ productKey: 'pk', deviceName: 'b', status: 'offline', at: '2026-12-01T10:00:05.000Z', lastSeenAt: '2026-12-01T10:00:04.000Z' });
    devices.queueStatus({ productKey: 'pk', deviceName: 'gone', status: 'online', at: '2026-12-01T10:00:02.000Z' });
    // Read through get(): the queue is written first.
    expect(await devices.get('pk', 'a')).toMatchObject({ status: 'online', lastOnlineAt: '2026-12-01T10:00:00.000Z', lastSeenAt: '2026-12-01T10:00:00.000Z' });
    expect(await devices.get('pk', 'b')).toMatchObject({ status: 'offline', lastOnlineAt: '2026-12-01T10:00:01.000Z', lastSeenAt: '2026-12-01T10:00:04.000Z' });
    expect(await devices.get('pk', 'c')).toMatchObject({ status: 'inactive', lastOnlineAt: null, lastSeenAt: null });

    await devices.touch([{ productKey: 'pk', deviceName: 'a', lastSeenAt: '2026-12-01T10:01:00.000Z' }]);
    devices.queueStatus({ productKey: 'pk', deviceName: 'a', status: 'offline', at: '2026-12-01T10:02:00.000Z' });
    expect(await devices.get('pk', 'a')).toMatchObject({ status: 'offline', lastOnlineAt: '2026-12-01T10:00:00.000Z', lastSeenAt: '2026-12-01T10:01:00.000Z' });
    expect(await devices.countByStatus()).toEqual({ total: 3, online: 0, offline: 2, inactive: 1, disabled: 0 });

    devices.queueStatus({ productKey: 'pk', deviceName: 'c', status: 'online', at: '2026-12-01T10:03:00.000Z' });
    await devices.flushStatus();
    expect(await devices.markAllOffline()).toEqual([{ productKey: 'pk', deviceName: 'c' }]);
    expect(await devices.countByStatus()).toMatchObject({ online: 0, offline: 3 });
  });

  it('in a cluster, writes offline only over its own node\'s online, and finds the devices of a node that is gone', async () => {
    const { registry: a, sql } = await registryOn(dialect, { nodeId: 'node-a' });
    const { registry: b } = await registryOn(dialect, { nodeId: 'node-b', sql });
    await a.devices.createMany(['moved', 'stays', 'b-only'].map((deviceName) => ({ productKey: 'pk', deviceName })));
    const status = (deviceName: string, s: 'online' | 'offline', at: string) => ({ productKey: 'pk', deviceName, status: s, at });
    a.devices.queueStatus(status('moved', 'online', '2026-12-01T10:00:00.000Z'));
    a.devices.queueStatus(status('stays', 'online', '2026-12-01T10:00:00.000Z'));
    await a.devices.flushStatus();
    // The device reconnects through node B; node A notices its old connection is gone only afterwards.
    b.devices.queueStatus(status('moved', 'online', '2026-12-01T10:00:05.000Z'));
    b.devices.queueStatus(status('b-only', 'online', '2026-12-01T10:00:05.000Z'));
    await b.devices.flushStatus();
    a.devices.queueStatus(status('moved', 'offline', '2026-12-01T10:00:06.000Z'));
    await a.devices.flushStatus();
    expect(await b.devices.get('pk', 'moved')).toMatchObject({ status: 'online', lastOnlineAt: '2026-12-01T10:00:05.000Z' });
    expect(await b.devices.heldBy()).toEqual(new Map([['node-a', 1], ['node-b', 2]]));

    // Node A restarts: only its own devices were left online by it.
    expect(await a.devices.markAllOffline()).toEqual([{ productKey: 'pk', deviceName: 'stays' }]);
    // Node B dies: the leader finds its devices by node.
    expect((await a.devices.markOffline('node-b')).map((d) => d.deviceName).sort()).toEqual(['b-only', 'moved']);
    expect(await a.devices.heldBy()).toEqual(new Map());
    expect(await a.devices.countByStatus()).toMatchObject({ online: 0, offline: 3 });
  });
});
