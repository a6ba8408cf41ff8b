export const sql = `
    -- Alert conditions that hold and wait out their time before they raise: a threshold's "for" duration, an offline
    -- rule's wait. Kept in the database, not only in the evaluating node's timers, so that a wait outlives a restart
    -- and, in a cluster, the node that started it: the leader raises what falls due and nobody took
    -- (server/alerts/alert-engine.ts). One row per rule and device; times in ms since the epoch.
    CREATE TABLE alert_waits (
      rule_id TEXT NOT NULL,
      product_key TEXT NOT NULL,
      device_name TEXT NOT NULL,
      since INTEGER NOT NULL,                      -- when the condition began to hold
      due_at INTEGER NOT NULL,                     -- when it raises unless something contradicts it first
      value TEXT,                                  -- JSON: the latest value that held (threshold rules)
      reason TEXT,                                 -- why the device went offline (offline rules)
      PRIMARY KEY (rule_id, product_key, device_name)
    );
    CREATE INDEX alert_waits_due ON alert_waits(due_at);
  `;
