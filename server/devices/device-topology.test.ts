/**
 * The gateway topology on both registry databases (SQLite, and a real PostgreSQL): links made all or none, each
 * refusal, the per-gateway limit, what a gateway's traffic reads from memory following every change, a second store on
 * the same database (another node) loading it, and two gateways racing for one sub-device.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Sql } from '../db/sql.ts';
import type { RegistryEventMap, RegistryEvents, TopologyChange } from '../registry-events.ts';
import { insertDevices, insertProducts, REGISTRY_DIALECTS, registryDatabases } from '../testing/registry-databases.ts';
import { DeviceTopology, MAX_SUB_DEVICES_PER_GATEWAY } from './device-topology.ts';

const databases = registryDatabases();
const ref = (deviceName: string, productKey = deviceName.startsWith('gw') ? 'gwp' : 'subp') => ({ productKey, deviceName });

/** A database with a gateway product and a sub-device product, and the devices named. */
async function seeded(dialect: (typeof REGISTRY_DIALECTS)[number], names: string[]): Promise<Sql> {
  const sql = await databases.open(dialect);
  await insertProducts(sql, ['gwp', 'subp']);
  await insertDevices(sql, names.map((n) => ref(n)));
  return sql;
}

function topologyOn(sql: Sql): { topology: DeviceTopology; events: RegistryEvents; changes: TopologyChange[] } {
  const events: RegistryEvents = new EventEmitter<RegistryEventMap>();
  const changes: TopologyChange[] = [];
  events.on('topology.changed', (c) => changes.push(c));
  return { topology: new DeviceTopology(sql, events), events, changes };
}

describe.each(REGISTRY_DIALECTS)('topology on %s', (dialect) => {
  it('links all or none, announces each new link once, and answers from memory', async () => {
    const sql = await seeded(dialect, ['gw1', 'gw2', 's1', 's2', 's3']);
    const { topology, changes } = topologyOn(sql);
    expect(await topology.link(ref('gw1'), [ref('s2'), ref('s1')], 'gateway')).toEqual({ ok: true, added: [ref('s2'), ref('s1')] });
    // Already linked to this gateway: stays, not announced again.
    expect(await topology.link(ref('gw1'), [ref('s1')], 'gateway')).toEqual({ ok: true, added: [] });
    expect(changes.map((c) => [c.subDevice.deviceName, c.change])).toEqual([['s2', 'added'], ['s1', 'added']]);
    expect(topology.isLinked(ref('gw1'), ref('s1'))).toBe(true);
    expect(topology.gatewayOf(ref('s2'))).toEqual(ref('gw1'));
    expect(topology.subDeviceRefs(ref('gw1'))).toEqual([ref('s1'), ref('s2')]);
    expect((await topology.subDevices(ref('gw1'))).map((s) => [s.deviceName, s.enabled, s.status])).toEqual([['s1', true, 'inactive'], ['s2', true, 'inactive']]);

    // The first offender refuses the whole call; s3, before it in the list, is not linked either.
    const refusals = [
      [[ref('s3'), ref('s1')], 'other-gateway', 's1'],
      [[ref('s3'), ref('gw2')], 'self', 'gw2'],
      [[ref('s3'), ref('nobody')], 'unknown-device', 'nobody'],
    ] as const;
    for (const [subs, refusal, device] of refusals) {
      expect(await topology.link(ref('gw2'), subs, 'gateway')).toEqual({ ok: false, refusal, device: expect.objectContaining({ deviceName: device }) });
    }
    expect(await topology.link(ref('gw-none'), [ref('s3')], 'gateway')).toMatchObject({ ok: false, refusal: 'unknown-device' });
    expect(topology.gatewayOf(ref('s3'))).toBeUndefined();
    expect(await topology.subDevices(ref('gw2'))).toEqual([]);

    expect(await topology.unlink(ref('gw2'), ref('s1'), 'user admin')).toBe(false);
    expect(await topology.unlink(ref('gw1'), ref('s1'), 'user admin')).toBe(true);
    expect(changes.at(-1)).toEqual({ gateway: ref('gw1'), subDevice: ref('s1'), change: 'removed', by: 'user admin' });
    expect(topology.isLinked(ref('gw1'), ref('s1'))).toBe(false);
    expect(topology.subDeviceRefs(ref('gw1'))).toEqual([ref('s2')]);
  });

  it('follows links removed elsewhere (a device deleted), and a second store loads what the first linked', async () => {
    const sql = await seeded(dialect, ['gw1', 's1', 's2']);
    const { topology, events } = topologyOn(sql);
    await topology.link(ref('gw1'), [ref('s1'), ref('s2')], 'gateway');
    const other = topologyOn(sql).topology;
    await other.load();
    expect(other.subDeviceRefs(ref('gw1'))).toEqual([ref('s1'), ref('s2')]);

    // The device store deletes s2 (its link goes with it) and says so.
    await sql.run("DELETE FROM devices WHERE device_name = 's2'");
    events.emit('topology.changed', { gateway: ref('gw1'), subDevice: ref('s2'), change: 'removed', by: 'device deleted' });
    expect(topology.subDeviceRefs(ref('gw1'))).toEqual([ref('s1')]);
    expect(await topology.subDevices(ref('gw1'))).toEqual([expect.objectContaining({ deviceName: 's1' })]);
  });

  it(`refuses the sub-device past ${MAX_SUB_DEVICES_PER_GATEWAY} per gateway`, async () => {
    const names = Array.from({ length: MAX_SUB_DEVICES_PER_GATEWAY + 1 }, (_, i) => `s${i}`);
    const sql = await seeded(dialect, ['gw1', ...names]);
    const { topology } = topologyOn(sql);
    const result = await topology.link(ref('gw1'), names.map((n) => ref(n)), 'gateway');
    expect(result).toEqual({ ok: false, refusal: 'too-many', device: ref(`s${MAX_SUB_DEVICES_PER_GATEWAY}`) });
    expect(await topology.subDevices(ref('gw1'))).toEqual([]);
    // Up to the limit in one call, then one more.
    const upTo = await topology.link(ref('gw1'), names.slice(0, -1).map((n) => ref(n)), 'gateway');
    expect(upTo.ok && upTo.added.length).toBe(MAX_SUB_DEVICES_PER_GATEWAY);
    expect(await topology.subDevices(ref('gw1'))).toHaveLength(MAX_SUB_DEVICES_PER_GATEWAY);
    expect(await topology.link(ref('gw1'), [ref(names.at(-1)!)], 'gateway')).toMatchObject({ ok: false, refusal: 'too-many' });
  });

  it('gives a sub-device two gateways ask for at once to one of them', async () => {
    const sql = await seeded(dialect, ['gw1', 'gw2', 's1']);
    const { topology } = topologyOn(sql);
    const results = await Promise.all([topology.link(ref('gw1'), [ref('s1')], 'gateway'), topology.link(ref('gw2'), [ref('s1')], 'gateway')]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ refusal: 'other-gateway', device: ref('s1') });
    const winner = results[0]!.ok ? 'gw1' : 'gw2';
    expect(topology.gatewayOf(ref('s1'))).toEqual(ref(winner));
    expect(await topology.subDevices(ref(winner))).toHaveLength(1);
  });
});
