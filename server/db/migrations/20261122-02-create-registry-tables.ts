export const sql = `
    -- Keys are case-sensitive (BINARY) like the MQTT topics they appear in.
    CREATE TABLE products (
      product_key TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      description TEXT NOT NULL DEFAULT '',
      dialect TEXT NOT NULL CHECK (dialect IN ('alink', 'things')),
      sign_methods TEXT NOT NULL,                -- JSON array of hmacsha256 | hmacsha1 | hmacmd5
      timestamp_window_seconds INTEGER NOT NULL CHECK (timestamp_window_seconds BETWEEN 10 AND 86400),
      require_timestamp INTEGER NOT NULL CHECK (require_timestamp IN (0, 1)),
      dynamic_registration INTEGER NOT NULL CHECK (dynamic_registration IN (0, 1)),
      product_secret TEXT NOT NULL,              -- sealed by SecretBox, never plain
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );

    -- tsl holds the JSON as imported, so an export gives back what was imported.
    CREATE TABLE thing_model_drafts (
      product_key TEXT PRIMARY KEY REFERENCES products(product_key) ON DELETE CASCADE,
      tsl TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      updated_by TEXT NOT NULL
    );
    CREATE TABLE thing_model_versions (
      product_key TEXT NOT NULL REFERENCES products(product_key) ON DELETE CASCADE,
      version INTEGER NOT NULL CHECK (version >= 1),
      tsl TEXT NOT NULL,
      published_at TEXT NOT NULL,
      published_by TEXT NOT NULL,
      PRIMARY KEY (product_key, version)
    ) WITHOUT ROWID;
    -- Devices' messages are validated against the version published when they arrived; a published version that
    -- changed afterwards would make that history unexplainable.
    CREATE TRIGGER thing_model_versions_are_immutable BEFORE UPDATE ON thing_model_versions
    BEGIN
      SELECT RAISE(ABORT, 'published thing model versions cannot be changed');
    END;

    -- No ON DELETE CASCADE from products: deleting a product that still has devices is refused.
    CREATE TABLE devices (
      id INTEGER PRIMARY KEY,
      product_key TEXT NOT NULL REFERENCES products(product_key),
      device_name TEXT NOT NULL,
      description TEXT NOT NULL DEFAULT '',
      enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
      status TEXT NOT NULL DEFAULT 'inactive' CHECK (status IN ('online', 'offline', 'inactive')),
      last_online_at TEXT,
      device_secret TEXT NOT NULL,               -- sealed by SecretBox, never plain
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      UNIQUE (product_key, device_name)
    );
    -- Tags in their own table so that filtering by key:value uses an index.
    CREATE TABLE device_tags (
      device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (device_id, key)
    ) WITHOUT ROWID;
    CREATE INDEX device_tags_by_pair ON device_tags(key, value);
  `;
