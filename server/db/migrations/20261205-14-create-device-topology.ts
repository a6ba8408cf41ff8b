export const sql = `
    -- Alibaba's nodeType: 'direct' devices connect themselves, a 'gateway' speaks for its sub-devices, a 'sub-device'
    -- is reached only through a gateway. Fixed at creation; every existing product is direct.
    ALTER TABLE products ADD COLUMN node_type TEXT NOT NULL DEFAULT 'direct' CHECK (node_type IN ('direct', 'gateway', 'sub-device'));

    -- Which gateway each sub-device belongs to: at most one (the primary key), written by the gateway's thing.topo.add
    -- (signed with the sub-device's secret) and removed by thing.topo.delete or an engineer. Deleting either device
    -- removes the link with it.
    CREATE TABLE device_topology (
      sub_device_id INTEGER PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
      gateway_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
      created_at TEXT NOT NULL,
      CHECK (sub_device_id <> gateway_id)
    );
    CREATE INDEX device_topology_by_gateway ON device_topology(gateway_id);
  `;
