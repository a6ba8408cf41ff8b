import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../db/database.ts';
import { SqliteSql } from '../db/sql.ts';
import { DeviceHub, type DeviceHubOptions } from '../device-hub/device-hub.ts';
import type { MessageLogItem } from '../device-hub/device-log.ts';
import { createLogger } from '../logger.ts';
import { createRegistry, type Registry } from '../registry.ts';
import { SecretBox } from '../secrets/secret-box.ts';

/** A real device hub on a SQLite file in a temp dir, for tests of what uses it (the device nodes). */
export interface TestDeviceHub {
  hub: DeviceHub;
  registry: Registry;
  db: Db;
  /** The device's message log, oldest first (what is buffered is written first). */
  messageLog(productKey: string, deviceName: string): Promise<MessageLogItem[]>;
  /** Closes the hub and the database and removes the temp dir. */
  close(): Promise<void>;
}

/** Creates the products and devices named `productKey/deviceName`, and a hub over them. */
export async function startTestDeviceHub(devices: readonly string[], options: DeviceHubOptions = {}): Promise<TestDeviceHub> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-test-hub-'));
  const db = openDatabase(path.join(dir, 'thingwire.db'));
  const sql = new SqliteSql(db);
  const registry = createRegistry(sql, new SecretBox(randomBytes(32)), createLogger('silent'));
  const products = new Set<string>();
  for (const name of devices) {
    const [productKey, deviceName] = name.split('/') as [string, string];
    if (!products.has(productKey)) await registry.products.create({ productKey, name: productKey });
    products.add(productKey);
    await registry.devices.create({ productKey, deviceName });
  }
  const hub = new DeviceHub(sql, registry.devices, registry.events, createLogger('silent'), options);
  await hub.recover();
  return {
    hub, registry, db,
    messageLog: async (productKey, deviceName) => (await hub.messages(productKey, deviceName, {}, { limit: 500, offset: 0 })).items.reverse(),
    async close() {
      await hub.close();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
