import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { migrations, type Migration } from './migrations/index.ts';

export type Db = Database.Database;

/** Opens (creating if needed) the SQLite file in WAL mode and brings its schema up to date. */
export function openDatabase(file: string, logger?: Logger): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, migrations, logger);
  return db;
}

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
