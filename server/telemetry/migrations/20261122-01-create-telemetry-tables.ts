export const sql = `
    -- Which tables hold a product's telemetry. SQLite table names are case-insensitive and product keys are not
    -- (\`AbC\` and \`abc\` are two products), so the name is chosen once, free of clashes, and looked up here. The
    -- per-product tables themselves are created at run time from the thing model (sqlite-telemetry.ts).
    CREATE TABLE telemetry_products (
      product_key TEXT PRIMARY KEY,
      property_table TEXT NOT NULL UNIQUE COLLATE NOCASE,
      event_table TEXT NOT NULL UNIQUE COLLATE NOCASE
    );

    -- The device shadow: each property's most recent value (JSON, in the thing model's form) and when it was measured.
    CREATE TABLE latest (
      product_key TEXT NOT NULL,
      device TEXT NOT NULL,
      property TEXT NOT NULL,
      value TEXT NOT NULL,
      ts INTEGER NOT NULL,
      PRIMARY KEY (product_key, device, property)
    ) WITHOUT ROWID;
  `;
