/**
 * The Modbus store's SQL on both registry databases (SQLite, and a real PostgreSQL): point tables and connections
 * saved, replaced and removed, the devices to poll, and both going with the device or product they belong to. The
 * product and thing-model checks around it are the routes' and service's tests'.
 */
import { describe, expect, it } from 'vitest';
import type { Sql } from '../db/sql.ts';
import type { ProductStore } from '../products/product-store.ts';
import { insertDevices, insertProducts, REGISTRY_DIALECTS, registryDatabases } from '../testing/registry-databases.ts';
import type { ThingModelStore } from '../thing-model/thing-model-store.ts';
import { ModbusStore } from './modbus-store.ts';

const databases = registryDatabases();
const tsl = JSON.stringify({ properties: [{ identifier: 'level', name: 'level', accessMode: 'rw', dataType: { type: 'int', specs: {} } }] });
const products = { exists: () => true } as unknown as ProductStore;
const thingModels = { publishedTsl: () => ({ version: 1, tsl }) } as unknown as ThingModelStore;

async function seed(sql: Sql): Promise<void> {
  await insertProducts(sql, ['tank']);
  await insertDevices(sql, ['t1', 't2'].map((deviceName) => ({ productKey: 'tank', deviceName })));
}

describe.each(REGISTRY_DIALECTS)('modbus store on %s', (dialect) => {
  it('saves and replaces point tables and connections, lists what to poll, and drops them with their device', async () => {
    const sql = await databases.open(dialect);
    await seed(sql);
    const store = new ModbusStore(sql, products, thingModels);
    const changes: unknown[] = [];
    store.events.on('changed', (c) => changes.push(c));

    expect(await store.points('tank')).toEqual({ productKey: 'tank', points: [], updatedAt: null, updatedBy: null });
    const point = { property: 'level', function: 3, address: 40, type: 'uint16', writable: true };
    expect((await store.savePoints('tank', [point], 'eng')).points).toEqual([expect.objectContaining({ property: 'level', address: 40 })]);
    expect((await store.savePoints('tank', [{ ...point, address: 41 }], 'eng')).points).toEqual([expect.objectContaining({ address: 41 })]);

    expect(await store.connection('tank', 't1')).toBeNull();
    await expect(store.connection('tank', 'nope')).rejects.toMatchObject({ status: 404 });
    const connection = { transport: 'tcp' as const, host: '10.0.0.5', unitId: 1, intervalMs: 1000 };
    expect(await store.saveConnection('tank', 't1', connection, 'eng')).toEqual({ ...connection, port: 502 });
    await store.saveConnection('tank', 't1', { ...connection, unitId: 2 }, 'eng');
    await store.saveConnection('tank', 't2', connection, 'eng');
    expect((await store.targets()).map((t) => [t.deviceName, t.connection.unitId, t.points[0]!.address, t.enabled])).toEqual([['t1', 2, 41, true], ['t2', 1, 41, true]]);

    expect(await store.deleteConnection('tank', 't2')).toBe(true);
    expect(await store.deleteConnection('tank', 't2')).toBe(false);
    await sql.run("DELETE FROM devices WHERE device_name = 't1'");
    expect(await store.targets()).toEqual([]);
    expect(changes).toEqual([
      { productKey: 'tank' }, { productKey: 'tank' },
      { productKey: 'tank', deviceName: 't1' }, { productKey: 'tank', deviceName: 't1' }, { productKey: 'tank', deviceName: 't2' },
      { productKey: 'tank', deviceName: 't2' },
    ]);
  });
});
