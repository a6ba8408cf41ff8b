import type Database from 'better-sqlite3';

/** Each user's language, time zone and theme, as JSON (`null` until they choose: the browser's then apply). */
export function up(db: Database.Database): void {
  db.exec('ALTER TABLE users ADD COLUMN preferences TEXT');
}
