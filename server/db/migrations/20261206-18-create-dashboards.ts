export const sql = `
    -- Composable dashboards (docs: README "The management app"): a user's own, or shared with every signed-in user.
    -- The widgets and their grid layout are one JSON array, checked by the API before it is stored.
    CREATE TABLE dashboards (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      owner TEXT NOT NULL,
      name TEXT NOT NULL,
      shared INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
      widgets TEXT NOT NULL DEFAULT '[]',
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX dashboards_by_owner ON dashboards(owner);
    CREATE INDEX dashboards_shared ON dashboards(shared) WHERE shared = 1;
  `;
