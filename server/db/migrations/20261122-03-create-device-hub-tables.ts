export const sql = `
    -- Written by the device hub in batches (group commit), at most every few seconds per device: the devices table is
    -- not touched once per message.
    ALTER TABLE devices ADD COLUMN last_seen_at TEXT;

    -- No foreign key to devices: rows are written in batches, and one row of a device deleted meanwhile would fail the
    -- whole batch. The hub deletes a device's rows when the device is deleted, and inserts only for existing devices.
    -- Rows are kept per device up to a cap (the hub's retention sweep), so one chatty device cannot push out the
    -- history of the others.
    CREATE TABLE device_messages (
      id INTEGER PRIMARY KEY,
      product_key TEXT NOT NULL,
      device_name TEXT NOT NULL,
      at TEXT NOT NULL,
      direction TEXT NOT NULL CHECK (direction IN ('up', 'down')),
      kind TEXT,
      topic TEXT,
      msg_id TEXT,
      identifier TEXT,                           -- the event or service identifier (event.post, service.*)
      code INTEGER,                              -- the reply code the device got (up) or the command's result (down)
      reason TEXT,
      payload TEXT,                              -- JSON of params, cut to 4 KB
      payload_truncated INTEGER NOT NULL DEFAULT 0 CHECK (payload_truncated IN (0, 1))
    );
    CREATE INDEX device_messages_by_device ON device_messages(product_key, device_name, id);

    CREATE TABLE device_connections (
      id INTEGER PRIMARY KEY,
      product_key TEXT NOT NULL,
      device_name TEXT NOT NULL,
      at TEXT NOT NULL,
      event TEXT NOT NULL CHECK (event IN ('connected', 'disconnected', 'refused')),
      reason TEXT,
      remote_address TEXT,
      protocol TEXT,
      dialect TEXT,
      client_id TEXT
    );
    CREATE INDEX device_connections_by_device ON device_connections(product_key, device_name, id);
  `;
