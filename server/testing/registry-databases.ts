/**
 * A store's tests run on both registry databases: a fresh SQLite file (the single-node default) and a fresh database
 * on a real PostgreSQL (cluster mode; Debian's server, shared by the run: see test-postgres.ts), each with the registry's
 * migrations applied. Call at a test file's top level; `open` gives a new, empty database each time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { openDatabase } from '../db/database.ts';
import { migratePostgres } from '../db/migrate.ts';
import { migrations } from '../db/migrations/index.ts';
import { SqliteSql, type SqlDatabase, type SqlDialect } from '../db/sql.ts';
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
      const { sql } = await postgres.connect('registry');
      await migratePostgres(sql, migrations);
      return sql;
    },
  };
}
