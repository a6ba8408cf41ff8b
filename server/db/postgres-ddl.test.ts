/**
 * The registry's migrations on a real PostgreSQL (Debian's, shared by the test run): each translates, applies once
 * (also when nodes start together), and leaves the same tables, columns and rules SQLite has.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { testPostgres } from '../testing/test-postgres.ts';
import { openDatabase } from './database.ts';
import { migratePostgres } from './migrate.ts';
import { migrations } from './migrations/index.ts';
import { toPostgresDdl } from './postgres-ddl.ts';
import { isUniqueViolation, PostgresSql } from './sql.ts';

const postgres = testPostgres();
let url: string;
let db: PostgresSql;

beforeAll(async () => {
  ({ url, sql: db } = await postgres.connect('ddl'));
}, 60_000);

describe('the registry schema on PostgreSQL', () => {
  it('applies every migration once, also when three nodes start at the same moment', async () => {
    const nodes = [db, PostgresSql.connect(url, { max: 1 }), PostgresSql.connect(url, { max: 1 })];
    try {
      const applied = await Promise.all(nodes.map((n) => migratePostgres(n, migrations)));
      // One node applied them all; the others waited for its lock and found nothing left to do.
      expect(applied.map((ids) => ids.length).sort((a, b) => a - b)).toEqual([0, 0, migrations.length]);
      expect(await migratePostgres(db, migrations)).toEqual([]);
      const recorded = await db.all<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id');
      expect(recorded.map((r) => r.id)).toEqual(migrations.map((m) => m.id).sort());
    } finally {
      await Promise.all(nodes.slice(1).map((n) => n.close()));
    }
  });

  it('has the tables and columns SQLite has, with the same nullability, defaults and keys', async () => {
    const sqlite = openDatabase(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tw-ddl-')), 'thingwire.db'));
    try {
      const tables = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[]);
      const pgColumns = await db.all<{ table_name: string; column_name: string; is_nullable: string; column_default: string | null; is_identity: string }>(
        "SELECT table_name, column_name, is_nullable, column_default, is_identity FROM information_schema.columns WHERE table_schema = 'public'",
      );
      expect(tables.length).toBeGreaterThan(20);
      expect([...new Set(pgColumns.map((c) => c.table_name))].sort()).toEqual(tables);
      for (const table of tables) {
        const columns = sqlite.prepare(`PRAGMA table_info(${table})`).all() as { name: string; notnull: number; dflt_value: string | null; pk: number }[];
        const expected = columns.map((c) => ({
          column: c.name,
          // A single INTEGER PRIMARY KEY is NOT NULL in effect (a rowid); PostgreSQL says so.
          notNull: c.notnull === 1 || c.pk > 0,
          hasDefault: c.dflt_value !== null,
        })).sort((a, b) => a.column.localeCompare(b.column));
        const actual = pgColumns.filter((c) => c.table_name === table).map((c) => ({
          column: c.column_name,
          notNull: c.is_nullable === 'NO',
          // An identity column's default is the sequence, where SQLite's rowid needs none.
          hasDefault: c.column_default !== null,
        })).sort((a, b) => a.column.localeCompare(b.column));
        expect(actual, table).toEqual(expected);
        const pgKey = await db.all<{ column_name: string }>(
          `SELECT a.attname AS column_name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
           WHERE i.indrelid = ?::regclass AND i.indisprimary`, [table]);
        expect(pgKey.map((k) => k.column_name).sort(), `${table}'s primary key`).toEqual(columns.filter((c) => c.pk > 0).map((c) => c.name).sort());
      }
    } finally {
      sqlite.close();
    }
  });

  it('keeps the rules: usernames unique whatever their case, published versions unchangeable, checks enforced', async () => {
    const at = new Date().toISOString();
    await db.run("INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES ('Admin', 'x', 'admin', ?, ?)", [at, at]);
    const again = await db.run("INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES ('admin', 'x', 'admin', ?, ?)", [at, at]).catch((e: unknown) => e);
    expect(isUniqueViolation(again)).toBe(true);
    expect(await db.get('SELECT username FROM users WHERE username = ?', ['ADMIN'])).toEqual({ username: 'Admin' });
    const user = await db.get<{ id: number }>("INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES ('eng', 'x', 'engineer', ?, ?) RETURNING id", [at, at]);
    expect(user?.id).toEqual(expect.any(Number));

    await db.run(`INSERT INTO products (product_key, name, dialect, sign_methods, timestamp_window_seconds, require_timestamp, dynamic_registration, product_secret, created_at, updated_at)
      VALUES ('pk1', 'P', 'alink', '[]', 300, 0, 0, 'sealed', ?, ?)`, [at, at]);
    await db.run("INSERT INTO thing_model_versions (product_key, version, tsl, published_at, published_by) VALUES ('pk1', 1, '{}', ?, 'eng')", [at]);
    await expect(db.run("UPDATE thing_model_versions SET tsl = '{\"changed\":1}' WHERE product_key = 'pk1'")).rejects.toThrow('published thing model versions cannot be changed');
    await expect(db.run("UPDATE products SET dialect = 'mqtt' WHERE product_key = 'pk1'")).rejects.toThrow(/check constraint/);
    // A device's id is generated, a sub-device's topology row refers to it.
    const device = await db.get<{ id: number }>("INSERT INTO devices (product_key, device_name, device_secret, created_at, updated_at) VALUES ('pk1', 'd1', 's', ?, ?) RETURNING id", [at, at]);
    expect(device?.id).toBeGreaterThan(0);
  });
});

describe('toPostgresDdl', () => {
  it('translates keys, integers and refusing triggers, and refuses what it does not know', () => {
    expect(toPostgresDdl('CREATE TABLE t (id INTEGER PRIMARY KEY, other_id INTEGER PRIMARY KEY REFERENCES o(id), n INTEGER, r REAL, b BLOB) WITHOUT ROWID;'))
      .toBe('CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, other_id BIGINT PRIMARY KEY REFERENCES o(id), n BIGINT, r DOUBLE PRECISION, b BYTEA);');
    expect(toPostgresDdl("CREATE TRIGGER no_change BEFORE UPDATE ON t\n BEGIN\n  SELECT RAISE(ABORT, 'no');\n END;")).toContain(
      "CREATE TRIGGER no_change BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION no_change();",
    );
    expect(() => toPostgresDdl('PRAGMA foreign_keys = OFF')).toThrow(/cannot translate "PRAGMA"/);
    expect(() => toPostgresDdl('CREATE TRIGGER x AFTER INSERT ON t BEGIN UPDATE t SET a = 1; END;')).toThrow(/cannot translate/);
  });
});
