export const sql = `
    -- Firmware images (docs/ota.md): the file lives under the data dir (firmware/{id}.bin), its hashes here.
    CREATE TABLE ota_firmware (
      id INTEGER PRIMARY KEY,
      product_key TEXT NOT NULL,
      module TEXT NOT NULL,
      version TEXT NOT NULL,
      version_code INTEGER NOT NULL,
      release_notes TEXT NOT NULL DEFAULT '',
      file_name TEXT NOT NULL,
      size INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      md5 TEXT NOT NULL,
      version_constraint TEXT NOT NULL DEFAULT '{}',
      ext_data TEXT NOT NULL DEFAULT '{}',
      created_at TEXT NOT NULL,
      created_by TEXT NOT NULL,
      UNIQUE (product_key, module, version)
    );

    -- The version of each module each device last reported.
    CREATE TABLE ota_device_modules (
      product_key TEXT NOT NULL,
      device_name TEXT NOT NULL,
      module TEXT NOT NULL,
      version TEXT NOT NULL,
      version_code INTEGER NOT NULL,
      reported_at TEXT NOT NULL,
      PRIMARY KEY (product_key, device_name, module)
    ) WITHOUT ROWID;

    CREATE TABLE ota_campaigns (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      product_key TEXT NOT NULL,
      module TEXT NOT NULL,
      firmware_id INTEGER NOT NULL REFERENCES ota_firmware (id),
      target TEXT NOT NULL,
      strategy TEXT NOT NULL,
      state TEXT NOT NULL,
      state_reason TEXT NOT NULL DEFAULT '',
      wave INTEGER NOT NULL DEFAULT 0,
      total INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      created_by TEXT NOT NULL,
      started_at TEXT,
      finished_at TEXT
    );
    CREATE INDEX ota_campaigns_state ON ota_campaigns (state);

    -- One row per device per campaign; position orders the rollout (waves take positions in order).
    CREATE TABLE ota_upgrades (
      id INTEGER PRIMARY KEY,
      campaign_id INTEGER NOT NULL REFERENCES ota_campaigns (id),
      product_key TEXT NOT NULL,
      device_name TEXT NOT NULL,
      module TEXT NOT NULL,
      from_version TEXT NOT NULL,
      position INTEGER NOT NULL,
      wave INTEGER NOT NULL,
      state TEXT NOT NULL,
      step INTEGER,
      percent INTEGER NOT NULL DEFAULT 0,
      message TEXT NOT NULL DEFAULT '',
      reason TEXT NOT NULL DEFAULT '',
      attempts INTEGER NOT NULL DEFAULT 0,
      -- 1 while a queued device was found offline: the dispatcher skips it until the device connects.
      waiting_device INTEGER NOT NULL DEFAULT 0,
      queued_at TEXT NOT NULL,
      notified_at TEXT,
      updated_at TEXT NOT NULL,
      finished_at TEXT
    );
    CREATE INDEX ota_upgrades_campaign ON ota_upgrades (campaign_id, state, position);
    CREATE INDEX ota_upgrades_device ON ota_upgrades (product_key, device_name, module, state);
  `;
