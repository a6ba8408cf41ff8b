export const sql = `
    -- Firmware images in a cluster (docs/operations.md "Cluster mode"): each image in pieces of 1 MiB, so that every
    -- node can serve a version uploaded through another (it copies the image to its data dir at the first download).
    -- A single node keeps its images as files only (firmware/{id}.bin) and leaves this table empty.
    CREATE TABLE ota_firmware_chunks (
      firmware_id INTEGER NOT NULL REFERENCES ota_firmware (id) ON DELETE CASCADE,
      seq INTEGER NOT NULL,
      data BLOB NOT NULL,
      PRIMARY KEY (firmware_id, seq)
    );
  `;
