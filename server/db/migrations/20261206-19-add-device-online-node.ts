export const sql = `
    -- Which node of a cluster holds the device's session while it is online (NULL when offline, and on a single node
    -- the one node's id). A node writes "offline" only over its own "online": a device that moved to another node stays
    -- online there; and the devices of a node that died are found by it (see docs/architecture.md "Scale-out").
    ALTER TABLE devices ADD COLUMN online_node TEXT;
    CREATE INDEX devices_by_online_node ON devices(online_node) WHERE online_node IS NOT NULL;
  `;
