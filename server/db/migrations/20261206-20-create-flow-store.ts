export const sql = `
    -- The flow runtime's storage in cluster mode (server/node-red/sql-flow-storage.ts): the flows, their encrypted
    -- credentials, the runtime's own settings and the library, shared by every node. One row per kind of document.
    CREATE TABLE flow_documents (
      name TEXT PRIMARY KEY CHECK (name IN ('flows', 'credentials', 'settings', 'sessions')),
      body TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE TABLE flow_library (
      type TEXT NOT NULL,
      path TEXT NOT NULL,
      meta TEXT NOT NULL,
      body TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (type, path)
    );
  `;
