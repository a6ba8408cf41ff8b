import { createHash, randomBytes } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { PostgresSql } from '../db/sql.ts';
import { migratePostgres } from '../db/migrate.ts';
import { migrations } from '../db/migrations/index.ts';
import { createDatabaseAt, startPostgres, templateDatabaseAt, type PostgresServer } from './postgres-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's shared PostgreSQL (postgres-setup.ts), as a URL of its `postgres` database; unset when none runs. */
    postgresAdminUrl?: string;
  }
}

export interface TestPostgres {
  /** The URL of a new, empty database, named apart from every other file's. */
  database(prefix?: string): Promise<string>;
  /**
   * The URL of a new database with the platform's migrations applied: a copy of a template migrated once per server,
   * far cheaper than migrating each.
   */
  migratedDatabase(prefix?: string): Promise<string>;
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
  const adminUrl = async () => {
    if (shared) return shared;
    own ??= startPostgres();
    return (await own).adminUrl;
  };
  const nameOf = (prefix: string) => `${prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const database = async (prefix = 'test') => createDatabaseAt(await adminUrl(), nameOf(prefix));
  const migratedDatabase = async (prefix = 'test') => {
    const admin = await adminUrl();
    // Named after the migrations it has: a run with a new migration makes a new template.
    const template = `tw_migrated_${createHash('sha256').update(migrations.map((m) => m.id).join(',')).digest('hex').slice(0, 12)}`;
    await templateDatabaseAt(admin, template, async (url) => {
      const sql = PostgresSql.connect(url, { max: 1 });
      try {
        await migratePostgres(sql, migrations);
      } finally {
        await sql.close();
      }
    });
    return createDatabaseAt(admin, nameOf(prefix), template);
  };
  const pool = (url: string, options: { max?: number } = {}) => {
    const sql = PostgresSql.connect(url, { max: options.max ?? 4 });
    pools.push(sql);
    return sql;
  };
  return {
    database,
    migratedDatabase,
    pool,
    async connect(prefix, options = {}) {
      const url = await database(prefix);
      return { url, sql: pool(url, options) };
    },
  };
}
