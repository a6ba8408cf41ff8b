import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { migrations } from '../db/migrations/index.ts';
import { createLogger } from '../logger.ts';
import { createRegistry } from '../registry.ts';
import { SecretBox } from '../secrets/secret-box.ts';

// What the retention sweeper builds on and no HTTP route shows.
let dir: string;
let file: string;
let db: Db | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-products-'));
  file = path.join(dir, 'thingwire.db');
});
afterEach(() => {
  db?.close();
  db = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

const registryOn = (database: Db) => createRegistry(database, new SecretBox(randomBytes(32)), createLogger('silent'));

describe('retention policies', () => {
  it('lists every product by key with its retention days, null for forever, following changes', () => {
    db = openDatabase(file);
    const { products } = registryOn(db);
    products.create({ productKey: 'b-meter', name: 'meter', retentionDays: 30 });
    products.create({ productKey: 'a-plug', name: 'plug' });
    products.create({ productKey: 'c-camera', name: 'camera', retentionDays: 7 });
    expect(products.retentionPolicies()).toEqual([
      { productKey: 'a-plug', days: null },
      { productKey: 'b-meter', days: 30 },
      { productKey: 'c-camera', days: 7 },
    ]);

    products.update('a-plug', { retentionDays: 90 });
    products.update('b-meter', { retentionDays: null });
    products.delete('c-camera');
    expect(products.retentionPolicies()).toEqual([
      { productKey: 'a-plug', days: 90 },
      { productKey: 'b-meter', days: null },
    ]);
  });

  it('keeps the telemetry of products created before the setting existed forever', () => {
    const before = migrations.filter((m) => m.id < '20261122-06-add-product-retention-days');
    const old = new Database(file);
    migrate(old, before);
    old.prepare(`
      INSERT INTO products (product_key, name, dialect, sign_methods, timestamp_window_seconds, require_timestamp,
                            dynamic_registration, product_secret, created_at, updated_at)
      VALUES ('legacy', 'legacy', 'alink', '["hmacsha256"]', 300, 0, 0, 'sealed', 'then', 'then')`).run();
    old.close();

    db = openDatabase(file);
    const { products } = registryOn(db);
    expect(products.retentionPolicies()).toEqual([{ productKey: 'legacy', days: null }]);
    expect(products.get('legacy').retentionDays).toBeNull();
    // Nor did they believe device clocks far ahead before the setting existed.
    expect(products.get('legacy').futureTimes).toBe('refuse');
    expect(products.futureTimes('legacy')).toBe('refuse');
  });
});

describe('future times', () => {
  it('are read once per product and follow every change the store makes', () => {
    db = openDatabase(file);
    const { products } = registryOn(db);
    expect(products.futureTimes('nowhere')).toBe('refuse');
    products.create({ productKey: 'nowhere', name: 'created after a lookup', futureTimes: 'clamp' });
    expect(products.futureTimes('nowhere')).toBe('clamp');
    products.update('nowhere', { futureTimes: 'refuse' });
    expect(products.futureTimes('nowhere')).toBe('refuse');
    products.update('nowhere', { futureTimes: 'clamp' });
    expect(products.futureTimes('nowhere')).toBe('clamp');
    products.delete('nowhere');
    expect(products.futureTimes('nowhere')).toBe('refuse');
  });
});
