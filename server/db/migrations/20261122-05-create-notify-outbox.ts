export const sql = `
    -- Signing secrets of notification senders, sealed with the SecretBox. A flow node's is \`node:<node id>\`. Outbox
    -- rows refer to them, so a secret is stored once per sender rather than once per message, never sits in a row the
    -- API lists, and a sender that changes its secret changes it for its pending notifications too.
    CREATE TABLE notify_secrets (
      ref TEXT PRIMARY KEY,
      sealed TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );

    CREATE TABLE notify_outbox (
      id TEXT PRIMARY KEY,                       -- a UUID: receivers deduplicate by it, so it must not repeat after a reinstall
      node_id TEXT,                              -- the flow node that sent it; null for a platform sender
      url TEXT NOT NULL,
      method TEXT NOT NULL,
      headers TEXT NOT NULL,                     -- JSON object of the sender's extra headers
      body TEXT NOT NULL,                        -- the JSON text exactly as sent and signed
      secret_ref TEXT NOT NULL REFERENCES notify_secrets(ref),
      timeout_ms INTEGER NOT NULL,
      max_attempts INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,       -- in the current round: a manual retry starts a new one at 0
      next_attempt_at TEXT,                      -- set while pending
      state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
      last_status INTEGER,
      last_error TEXT,
      created_at TEXT NOT NULL,
      delivered_at TEXT
    );
    -- The delivery loop's one question: what is due next.
    CREATE INDEX notify_outbox_due ON notify_outbox(next_attempt_at) WHERE state = 'pending';
    CREATE INDEX notify_outbox_by_created ON notify_outbox(created_at);
    CREATE INDEX notify_outbox_by_state ON notify_outbox(state, created_at);
    -- Without it, deleting a secret no row refers to any more would scan the outbox for the foreign key check.
    CREATE INDEX notify_outbox_by_secret ON notify_outbox(secret_ref);

    -- Every attempt, for the delivery log the API shows; deleted with its notification.
    CREATE TABLE notify_attempts (
      id INTEGER PRIMARY KEY,
      notification_id TEXT NOT NULL REFERENCES notify_outbox(id) ON DELETE CASCADE,
      attempt INTEGER NOT NULL,                  -- 1, 2, … over the notification's whole life, across retries
      started_at TEXT NOT NULL,
      duration_ms INTEGER NOT NULL,
      outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed', 'interrupted')),
      status INTEGER,                            -- the HTTP status; null when no response came
      error TEXT,
      response TEXT                              -- the first 1 KB of the response body
    );
    CREATE INDEX notify_attempts_by_notification ON notify_attempts(notification_id, attempt);
  `;
