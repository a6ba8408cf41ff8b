export const sql = `
    -- One row per alert occurrence, kept after it clears: the table is the alert history as well as the open list.
    -- Rules are alert nodes in flows, not rows: rule_id is the node's runtime id (stable across deploys and restarts),
    -- node_id the node as drawn in the editor (they differ only inside a subflow instance).
    -- No foreign key to devices: an alert outlives the device it was about, as history.
    CREATE TABLE alerts (
      id INTEGER PRIMARY KEY,
      rule_id TEXT NOT NULL,
      rule_name TEXT NOT NULL DEFAULT '',
      node_id TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('threshold', 'event', 'offline')),
      product_key TEXT NOT NULL,
      device_name TEXT NOT NULL,
      severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
      state TEXT NOT NULL CHECK (state IN ('active', 'acknowledged', 'cleared')),
      raised_at TEXT NOT NULL,
      acknowledged_at TEXT,
      acknowledged_by TEXT,
      cleared_at TEXT,
      cleared_by TEXT,                             -- the operator; NULL when the rule's clear condition cleared it
      value TEXT,                                  -- JSON: the value (event data, state) that raised it
      clear_value TEXT,                            -- JSON: the value that cleared it automatically
      details TEXT NOT NULL DEFAULT '{}',          -- JSON: the rule's parameters as they were when it was raised
      message TEXT NOT NULL DEFAULT '',
      CHECK ((state = 'cleared') = (cleared_at IS NOT NULL))
    );
    -- At most one open (active or acknowledged) alert per rule and device. The engine relies on this index, not on
    -- its memory, to decide whether a raise happened: messages handled at the same time (or by another process on the
    -- same file) cannot open a second one.
    CREATE UNIQUE INDEX alerts_one_open_per_rule_device ON alerts(rule_id, product_key, device_name)
      WHERE state != 'cleared';
    CREATE INDEX alerts_by_device ON alerts(product_key, device_name, id);
    CREATE INDEX alerts_by_state ON alerts(state, id);
    CREATE INDEX alerts_by_rule ON alerts(rule_id, id);
  `;
