/**
 * Schema migrations, for the registry's database and the telemetry database alike. Apart from `database.ts` so a
 * worker thread that opens only the telemetry database does not load the registry's migrations.
 */
import type { Db } from './database.ts';
import type { Migration } from './migrations/index.ts';

/** What {@link migrate} logs to: a pino logger, or what stands in for one in a worker thread. */
export interface MigrationLogger {
  info(fields: Record<string, unknown>, msg: string): void;
}

/** Applies, in name order and each in its own transaction, the dated migrations not yet recorded. */
export function migrate(db: Db, list: readonly Migration[], logger?: MigrationLogger): string[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set(db.prepare('SELECT id FROM schema_migrations').pluck().all() as string[]);
  const done: string[] = [];
  for (const m of [...list].sort((a, b) => a.id.localeCompare(b.id))) {
    if (applied.has(m.id)) continue;
    db.transaction(() => {
      m.up(db);
      db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)').run(m.id, new Date().toISOString());
    })();
    logger?.info({ migration: m.id }, 'applied migration');
    done.push(m.id);
  }
  return done;
}
