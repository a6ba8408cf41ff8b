import { randomBytes } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { PostgresSql } from '../db/sql.ts';
import { createDatabaseAt, startPostgres, type PostgresServer } from './postgres-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's shared PostgreSQL (postgres-setup.ts), as a URL of its `postgres` database; unset when none runs. */
    postgresAdminUrl?: string;
  }
}

export interface TestPostgres {
  /** The URL of a new, empty database, named apart from every other file's. */
  database(prefix?: string): Promise<string>;
  /** A new, empty database and a pool on it, closed after the file. */
  connect(prefix?: string, options?: { max?: number }): Promise<{ url: string; sql: PostgresSql }>;
  /** Another pool on a database made before (a second node on the same one), closed after the file. */
  pool(url: string, options?: { max?: number }): PostgresSql;
}

/**
 * PostgreSQL for a test file: the run's shared server when the project starts one (postgres-setup.ts), else one of
 * the file's own, stopped after it. Files running side by side on the shared server never meet: each makes its own
 * databases.
 */
export function testPostgres(): TestPostgres {
  const shared = inject('postgresAdminUrl');
  let own: Promise<PostgresServer> | undefined;
  const pools: PostgresSql[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((sql) => sql.close()));
    await (await own?.catch(() => undefined))?.stop();
  });
  const database = async (prefix = 'test') => {
    const name = `${prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_${process.pid}_${randomBytes(4).toString('hex')}`;
    if (shared) return createDatabaseAt(shared, name);
    own ??= startPostgres();
    return (await own).createDatabase(name);
  };
  const pool = (url: string, options: { max?: number } = {}) => {
    const sql = PostgresSql.connect(url, { max: options.max ?? 4 });
    pools.push(sql);
    return sql;
  };
  return {
    database,
    pool,
    async connect(prefix, options = {}) {
      const url = await database(prefix);
      return { url, sql: pool(url, options) };
    },
  };
}
