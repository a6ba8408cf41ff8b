export const sql = `
    -- A product's Modbus point table (domain/modbus/point-table.ts), stored checked and with its defaults filled in, as
    -- JSON: it is read whole by the poller and the screens, never queried by field.
    CREATE TABLE product_modbus_points (
      product_key TEXT PRIMARY KEY REFERENCES products(product_key) ON DELETE CASCADE,
      points TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      updated_by TEXT NOT NULL
    );
    -- How one device (a Modbus slave) is reached and how often it is read (domain/modbus/modbus-api.ts). It goes with
    -- its device.
    CREATE TABLE device_modbus_connections (
      device_id INTEGER PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
      connection TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      updated_by TEXT NOT NULL
    );
  `;
