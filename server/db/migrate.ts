/**
 * Schema migrations, for the registry's database and the telemetry database alike, in SQLite, and for the registry in
 * PostgreSQL (cluster mode) under the same ids. Apart from `database.ts` so a worker thread that opens only the
 * telemetry database does not load the registry's migrations.
 */
import type { Db } from './database.ts';
import type { Migration } from './migrations/index.ts';
import { POSTGRES_PRELUDE, toPostgresDdl } from './postgres-ddl.ts';
import type { Sql } from './sql.ts';

/** What {@link migrate} logs to: a pino logger, or what stands in for one in a worker thread. */
export interface MigrationLogger {
  info(fields: Record<string, unknown>, msg: string): void;
}

const SCHEMA_MIGRATIONS = 'CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)';

/** Applies, in name order and each in its own transaction, the dated migrations not yet recorded. */
export function migrate(db: Db, list: readonly Migration[], logger?: MigrationLogger): string[] {
  db.exec(SCHEMA_MIGRATIONS);
  const applied = new Set(db.prepare('SELECT id FROM schema_migrations').pluck().all() as string[]);
  const done: string[] = [];
  for (const m of [...list].sort((a, b) => a.id.localeCompare(b.id))) {
    if (applied.has(m.id)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)').run(m.id, new Date().toISOString());
    })();
    logger?.info({ migration: m.id }, 'applied migration');
    done.push(m.id);
  }
  return done;
}

/** The advisory lock key under which nodes starting together take turns migrating (any constant; "twmg"). */
const MIGRATION_LOCK = 0x74776d67;

/**
 * The same for PostgreSQL: the migrations not yet recorded, in one transaction (PostgreSQL's DDL is transactional:
 * all or none), while holding an advisory lock, so that of nodes starting at once one migrates and the others find
 * it done.
 */
export async function migratePostgres(sql: Sql, list: readonly Migration[], logger?: MigrationLogger): Promise<string[]> {
  if (sql.dialect !== 'postgres') throw new Error('migratePostgres needs a PostgreSQL database');
  const done = await sql.transaction(async (tx) => {
    await tx.run(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.run(POSTGRES_PRELUDE);
    await tx.run(SCHEMA_MIGRATIONS);
    const applied = new Set((await tx.all<{ id: string }>('SELECT id FROM schema_migrations')).map((r) => r.id));
    const ids: string[] = [];
    for (const m of [...list].sort((a, b) => a.id.localeCompare(b.id))) {
      if (applied.has(m.id)) continue;
      await tx.run(m.postgres ?? toPostgresDdl(m.sql));
      await tx.run('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)', [m.id, new Date().toISOString()]);
      ids.push(m.id);
    }
    return ids;
  });
  for (const id of done) logger?.info({ migration: id }, 'applied migration');
  return done;
}
