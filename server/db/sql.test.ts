/**
 * The registry's SQL, one contract for SQLite (a real file) and PostgreSQL (a real server, Debian's, shared by the
 * test run): what a store writes once must behave the same on both.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPostgres } from '../testing/test-postgres.ts';
import { toPostgresDdl } from './postgres-ddl.ts';
import { isUniqueViolation, SqliteSql, toPostgresParams, type SqlDatabase } from './sql.ts';

const postgres = testPostgres();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-sql-'));
const sqlite: SqliteSql[] = [];

afterAll(async () => {
  await Promise.all(sqlite.map((db) => db.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The table the contract runs on, written as a migration is: SQLite's DDL, translated for PostgreSQL. */
const SCHEMA = 'CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, big INTEGER, ratio REAL)';

const dialects: Record<string, () => Promise<SqlDatabase>> = {
  sqlite: async () => {
    const db = new SqliteSql(new Database(path.join(dir, `${sqlite.length}.db`)));
    sqlite.push(db);
    await db.run(SCHEMA);
    return db;
  },
  postgres: async () => {
    const { sql } = await postgres.connect('contract');
    await sql.run(toPostgresDdl(SCHEMA));
    return sql;
  },
};

describe.each(Object.keys(dialects))('%s: the registry SQL contract', (dialect) => {
  let db: SqlDatabase;
  beforeAll(async () => {
    db = await dialects[dialect]!();
  });

  it('binds positional and named parameters, and gives integers back as numbers', async () => {
    const inserted = await db.get<{ id: number }>('INSERT INTO things (name, big, ratio) VALUES (?, ?, ?) RETURNING id', ['a', 2 ** 40, 0.5]);
    expect(inserted?.id).toEqual(expect.any(Number));
    await db.run('INSERT INTO things (name, big, ratio) VALUES (@name, @big, @big)', { name: 'b', big: 7 });
    expect(await db.all('SELECT name, big, ratio FROM things ORDER BY name')).toEqual([
      { name: 'a', big: 2 ** 40, ratio: 0.5 },
      { name: 'b', big: 7, ratio: 7 },
    ]);
    expect(await db.get<{ n: number }>('SELECT count(*) AS n FROM things')).toEqual({ n: 2 });
    expect(await db.get('SELECT name FROM things WHERE name = ?', ['nope'])).toBeUndefined();
    expect(await db.run('UPDATE things SET big = big + 1 WHERE big IS NOT NULL')).toEqual({ changes: 2 });
  });

  it('tells a unique violation from other errors, the same way on both', async () => {
    const err = await db.run('INSERT INTO things (name) VALUES (?)', ['a']).catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
    const other = await db.run('INSERT INTO things (name) VALUES (NULL)').catch((e: unknown) => e);
    expect(other).toBeInstanceOf(Error);
    expect(isUniqueViolation(other)).toBe(false);
  });

  it('commits a transaction when its work resolves and undoes all of it when it throws', async () => {
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO things (name) VALUES (?)', ['t1']);
      await tx.run('INSERT INTO things (name) VALUES (?)', ['t2']);
    });
    await expect(db.transaction(async (tx) => {
      await tx.run('INSERT INTO things (name) VALUES (?)', ['t3']);
      throw new Error('changed my mind');
    })).rejects.toThrow('changed my mind');
    expect((await db.all<{ name: string }>("SELECT name FROM things WHERE name LIKE 't%' ORDER BY name")).map((r) => r.name)).toEqual(['t1', 't2']);
  });

  it('undoes a nested transaction alone when it throws', async () => {
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO things (name) VALUES (?)', ['n1']);
      await tx.transaction(async (inner) => {
        await inner.run('INSERT INTO things (name) VALUES (?)', ['n2']);
        throw new Error('inner fails');
      }).catch(() => undefined);
    });
    expect((await db.all<{ name: string }>("SELECT name FROM things WHERE name LIKE 'n%'")).map((r) => r.name)).toEqual(['n1']);
  });

  it('keeps a statement issued during a transaction out of it: it sees all of the transaction or none', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inside!: () => void;
    const started = new Promise<void>((resolve) => (inside = resolve));
    const tx = db.transaction(async (t) => {
      await t.run('INSERT INTO things (name) VALUES (?)', ['x1']);
      inside();
      await held;
      await t.run('INSERT INTO things (name) VALUES (?)', ['x2']);
    });
    await started;
    // Outside the transaction: on SQLite it waits for the commit; on PostgreSQL it runs beside it, on another
    // connection, and sees all of it or none, never x1 alone.
    const outside = db.all<{ name: string }>("SELECT name FROM things WHERE name LIKE 'x%' ORDER BY name");
    release();
    await tx;
    const seen = (await outside).map((r) => r.name);
    if (dialect === 'sqlite') expect(seen).toEqual(['x1', 'x2']);
    else expect([[], ['x1', 'x2']]).toContainEqual(seen);
  });
});

describe('SQLite transactions', () => {
  it('undo work that waits on something other than its statements, where synchronous users of the file could slip in', async () => {
    const db = await dialects['sqlite']!();
    const tx = db.transaction(async (t) => {
      await t.run('INSERT INTO things (name) VALUES (?)', ['waited']);
      await new Promise((resolve) => setImmediate(resolve));
    });
    await expect(tx).rejects.toThrow(/waited for something other than its own statements/);
    expect(await db.get("SELECT name FROM things WHERE name = 'waited'")).toBeUndefined();
  });
});

describe('PostgreSQL parameters', () => {
  it('rewrites ? and @name to $n, leaving strings, identifiers and comments alone', () => {
    expect(toPostgresParams("SELECT '?', \"@x\" FROM t WHERE a = ? AND b = ? -- why?\n").text).toBe("SELECT '?', \"@x\" FROM t WHERE a = $1 AND b = $2 -- why?\n");
    expect(toPostgresParams('UPDATE t SET a = @a, b = @b WHERE a <> @a')).toEqual({ text: 'UPDATE t SET a = $1, b = $2 WHERE a <> $3', names: ['a', 'b', 'a'] });
    expect(() => toPostgresParams('SELECT ? , @a')).toThrow(/mixes/);
  });
});
