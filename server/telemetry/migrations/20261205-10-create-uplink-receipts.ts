import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    -- The verdicts of stored messages, committed in the same transaction as their rows: after a crash, a device that
    -- resends a message it got no acknowledgement for is answered from here instead of being stored twice. Kept for
    -- the dedup window (ten minutes by default), then swept.
    CREATE TABLE uplink_receipts (
      product_key TEXT NOT NULL,
      device_name TEXT NOT NULL,
      msg_id TEXT NOT NULL,
      fingerprint INTEGER NOT NULL,
      code INTEGER NOT NULL,
      reason TEXT,
      at INTEGER NOT NULL
    );
    CREATE INDEX uplink_receipts_at ON uplink_receipts (at);
  `);
}
