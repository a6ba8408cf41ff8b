/**
 * The product store on both registry databases (SQLite, and a real PostgreSQL): what the retention sweeper and device
 * traffic build on and no HTTP route shows, the settings kept in memory following every change, and a second store on
 * the same database (another node of a cluster) taking a change with `reload`.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { migrations } from '../db/migrations/index.ts';
import { SqliteSql, type Sql } from '../db/sql.ts';
import type { RegistryEventMap, RegistryEvents } from '../registry-events.ts';
import { SecretBox } from '../secrets/secret-box.ts';
import { insertDevices, REGISTRY_DIALECTS, registryDatabases } from '../testing/registry-databases.ts';
import { ProductStore } from './product-store.ts';

const databases = registryDatabases();
const secrets = new SecretBox(randomBytes(32));
const storeOn = (sql: Sql) => {
  const events: RegistryEvents = new EventEmitter<RegistryEventMap>();
  return new ProductStore(sql, secrets, events);
};

describe.each(REGISTRY_DIALECTS)('products on %s', (dialect) => {
  it('lists every product by key with its retention days, null for forever, following changes', async () => {
    const products = storeOn(await databases.open(dialect));
    await products.create({ productKey: 'b-meter', name: 'meter', retentionDays: 30 });
    await products.create({ productKey: 'a-plug', name: 'plug' });
    await products.create({ productKey: 'c-camera', name: 'camera', retentionDays: 7 });
    expect(await products.retentionPolicies()).toEqual([
      { productKey: 'a-plug', days: null },
      { productKey: 'b-meter', days: 30 },
      { productKey: 'c-camera', days: 7 },
    ]);

    await products.update('a-plug', { retentionDays: 90 });
    await products.update('b-meter', { retentionDays: null });
    await products.delete('c-camera');
    expect(await products.retentionPolicies()).toEqual([
      { productKey: 'a-plug', days: 90 },
      { productKey: 'b-meter', days: null },
    ]);
  });

  it('answers what device traffic asks from memory, following every change the store makes', async () => {
    const products = storeOn(await databases.open(dialect));
    expect(products.futureTimes('nowhere')).toBe('refuse');
    expect(products.exists('nowhere')).toBe(false);
    await products.create({ productKey: 'nowhere', name: 'created after a lookup', futureTimes: 'clamp', nodeType: 'gateway', auth: { requireTimestamp: true } });
    expect(products.futureTimes('nowhere')).toBe('clamp');
    expect(products.nodeType('nowhere')).toBe('gateway');
    expect(products.auth('nowhere')).toEqual({ signMethods: ['hmacsha256', 'hmacsha1'], timestampWindowSeconds: 300, requireTimestamp: true, dynamicRegistration: false });
    const updated = await products.update('nowhere', { futureTimes: 'refuse', auth: { timestampWindowSeconds: 60 } });
    // What an update answers is what the table now holds.
    expect(await products.get('nowhere')).toEqual(updated);
    expect(products.futureTimes('nowhere')).toBe('refuse');
    // Auth fields not given keep their values.
    expect(products.auth('nowhere')).toMatchObject({ timestampWindowSeconds: 60, requireTimestamp: true });
    await products.delete('nowhere');
    expect(products.exists('nowhere')).toBe(false);
    expect(products.auth('nowhere')).toBeUndefined();
  });

  it('reads the settings at load, and takes a change another node made with reload', async () => {
    const sql = await databases.open(dialect);
    const here = storeOn(sql);
    await here.create({ productKey: 'meter', name: 'meter' });
    const there = storeOn(sql);
    expect(there.exists('meter')).toBe(false);
    await there.load();
    expect(there.nodeType('meter')).toBe('direct');

    await here.update('meter', { futureTimes: 'clamp' });
    expect(there.futureTimes('meter')).toBe('refuse');
    await there.reload('meter');
    expect(there.futureTimes('meter')).toBe('clamp');
    await here.delete('meter');
    await there.reload('meter');
    expect(there.exists('meter')).toBe(false);
  });

  it('refuses a second product with the same key, and deleting a product that has devices, with the count', async () => {
    const sql = await databases.open(dialect);
    const products = storeOn(sql);
    const { product, productSecret } = await products.create({ productKey: 'lamp', name: 'lamp' });
    expect(product).toMatchObject({ productKey: 'lamp', name: 'lamp', dialect: 'alink', deviceCount: 0, retentionDays: null });
    expect(await products.revealSecret('lamp')).toBe(productSecret);
    await expect(products.create({ productKey: 'lamp', name: 'again' })).rejects.toMatchObject({ status: 409, code: 'product_exists' });

    await insertDevices(sql, [{ productKey: 'lamp', deviceName: 'porch' }, { productKey: 'lamp', deviceName: 'hall' }]);
    expect((await products.list()).map((p) => [p.productKey, p.deviceCount])).toEqual([['lamp', 2]]);
    await expect(products.delete('lamp')).rejects.toMatchObject({ status: 409, code: 'product_has_devices', message: expect.stringContaining('2 devices') });
    await sql.run("DELETE FROM devices WHERE product_key = 'lamp'");
    await products.delete('lamp');
    await expect(products.get('lamp')).rejects.toMatchObject({ status: 404 });
    await expect(products.delete('lamp')).rejects.toMatchObject({ status: 404 });
  });

  it('keeps both of two edits of different fields made at once', async () => {
    const products = storeOn(await databases.open(dialect));
    await products.create({ productKey: 'pump', name: 'pump' });
    await Promise.all([
      products.update('pump', { name: 'Pump' }),
      products.update('pump', { description: 'the well pump' }),
      products.update('pump', { retentionDays: 14 }),
    ]);
    expect(await products.get('pump')).toMatchObject({ name: 'Pump', description: 'the well pump', retentionDays: 14 });
  });
});

describe('a database from before the settings existed (SQLite)', () => {
  it('keeps the telemetry of products created before retention existed forever, and refuses future times', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-products-'));
    const file = path.join(dir, 'thingwire.db');
    try {
      const before = migrations.filter((m) => m.id < '20261122-06-add-product-retention-days');
      const old = new Database(file);
      migrate(old, before);
      old.prepare(`
        INSERT INTO products (product_key, name, dialect, sign_methods, timestamp_window_seconds, require_timestamp,
                              dynamic_registration, product_secret, created_at, updated_at)
        VALUES ('legacy', 'legacy', 'alink', '["hmacsha256"]', 300, 0, 0, 'sealed', 'then', 'then')`).run();
      old.close();

      const sql = new SqliteSql(openDatabase(file));
      const products = storeOn(sql);
      await products.load();
      expect(await products.retentionPolicies()).toEqual([{ productKey: 'legacy', days: null }]);
      expect((await products.get('legacy')).retentionDays).toBeNull();
      // Nor did they believe device clocks far ahead before the setting existed.
      expect((await products.get('legacy')).futureTimes).toBe('refuse');
      expect(products.futureTimes('legacy')).toBe('refuse');
      await sql.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
