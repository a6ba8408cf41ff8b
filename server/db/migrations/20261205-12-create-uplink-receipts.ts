export const sql = `
    -- The verdicts uplinks were refused with (4xx), by the device's message id, so that a device resending one after a
    -- restart is answered the same way (see UplinkReceipts). Verdicts of stored messages live in the telemetry
    -- database, committed with the rows. Kept for the dedup window, then swept.
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
  `;
