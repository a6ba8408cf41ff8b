/**
 * A store's tests run on both registry databases: a fresh SQLite file (the single-node default) and a fresh database
 * on a real PostgreSQL (cluster mode; Debian's server, shared by the run: see test-postgres.ts), each with the registry's
 * migrations applied (on PostgreSQL, a copy of a database migrated once). Call at a test file's top level; `open` gives a new, empty database each time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { openDatabase } from '../db/database.ts';
import { chunks, SqliteSql, type Sql, type SqlDatabase, type SqlDialect } from '../db/sql.ts';
import { testPostgres } from './test-postgres.ts';

export const REGISTRY_DIALECTS: readonly SqlDialect[] = ['sqlite', 'postgres'];

export function registryDatabases(): { open(dialect: SqlDialect): Promise<SqlDatabase> } {
  const postgres = testPostgres();
  const sqlite: SqlDatabase[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-registry-'));
  afterAll(async () => {
    await Promise.all(sqlite.map((db) => db.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    async open(dialect) {
      if (dialect === 'sqlite') {
        const db = new SqliteSql(openDatabase(path.join(dir, `${sqlite.length}.db`)));
        sqlite.push(db);
        return db;
      }
      return postgres.pool(await postgres.migratedDatabase('registry'));
    },
  };
}

/**
 * Products as rows, for a store under test that only needs them to exist (the product store itself is not used: its
 * memory would have to be loaded). Settings are the defaults; the secret is a placeholder.
 */
export async function insertProducts(sql: Sql, productKeys: readonly string[]): Promise<void> {
  const at = new Date().toISOString();
  for (const productKey of productKeys) {
    await sql.run(`INSERT INTO products (product_key, name, dialect, sign_methods, timestamp_window_seconds, require_timestamp, dynamic_registration, product_secret, created_at, updated_at)
      VALUES (?, ?, 'alink', '[]', 300, 0, 0, 'sealed', ?, ?)`, [productKey, productKey, at, at]);
  }
}

/** Devices as rows of products that exist, 500 to a statement; their secrets are placeholders. */
export async function insertDevices(sql: Sql, devices: readonly { productKey: string; deviceName: string }[]): Promise<void> {
  const at = new Date().toISOString();
  for (const part of chunks(devices, 500)) {
    await sql.run(`INSERT INTO devices (product_key, device_name, device_secret, created_at, updated_at) VALUES ${part.map(() => "(?, ?, 'sealed', ?, ?)").join(', ')}`,
      part.flatMap((d) => [d.productKey, d.deviceName, at, at]));
  }
}
