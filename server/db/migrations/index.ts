import * as createAuthTables from './20261122-01-create-auth-tables.ts';
import * as createRegistryTables from './20261122-02-create-registry-tables.ts';
import * as createDeviceHubTables from './20261122-03-create-device-hub-tables.ts';
import * as createAlerts from './20261122-04-create-alerts.ts';
import * as createNotifyOutbox from './20261122-05-create-notify-outbox.ts';
import * as addProductRetentionDays from './20261122-06-add-product-retention-days.ts';
import * as createUplinkReceipts from './20261205-12-create-uplink-receipts.ts';
import * as addProductFutureTimes from './20261205-11-add-product-future-times.ts';
import * as createOtaTables from './20261205-13-create-ota-tables.ts';
import * as createDeviceTopology from './20261205-14-create-device-topology.ts';
import * as createProductCodecs from './20261205-15-create-product-codecs.ts';
import * as createModbusTables from './20261205-16-create-modbus-tables.ts';
import * as addUserPreferences from './20261206-17-add-user-preferences.ts';
import * as createDashboards from './20261206-18-create-dashboards.ts';
import * as addDeviceOnlineNode from './20261206-19-add-device-online-node.ts';
import * as createFlowStore from './20261206-20-create-flow-store.ts';
import * as createAlertWaits from './20261206-21-create-alert-waits.ts';
import * as createFirmwareChunks from './20261206-22-create-firmware-chunks.ts';

export interface Migration {
  /** The file name without extension, `YYYYMMDD-NN-verb-object`; applied in this order, by SQLite and PostgreSQL alike. */
  id: string;
  /** The change in SQLite's SQL. */
  sql: string;
  /** The same change in PostgreSQL's, where `toPostgresDdl(sql)` does not give it (see `postgres-ddl.ts`). */
  postgres?: string;
}

/** Every migration, oldest first. A new migration is one file and one line here. */
export const migrations: Migration[] = [
  { id: '20261122-01-create-auth-tables', sql: createAuthTables.sql },
  { id: '20261122-02-create-registry-tables', sql: createRegistryTables.sql },
  { id: '20261122-03-create-device-hub-tables', sql: createDeviceHubTables.sql },
  { id: '20261122-04-create-alerts', sql: createAlerts.sql },
  { id: '20261122-05-create-notify-outbox', sql: createNotifyOutbox.sql },
  { id: '20261122-06-add-product-retention-days', sql: addProductRetentionDays.sql },
  { id: '20261205-11-add-product-future-times', sql: addProductFutureTimes.sql },
  { id: '20261205-12-create-uplink-receipts', sql: createUplinkReceipts.sql },
  { id: '20261205-13-create-ota-tables', sql: createOtaTables.sql },
  { id: '20261205-14-create-device-topology', sql: createDeviceTopology.sql },
  { id: '20261205-15-create-product-codecs', sql: createProductCodecs.sql },
  { id: '20261205-16-create-modbus-tables', sql: createModbusTables.sql },
  { id: '20261206-17-add-user-preferences', sql: addUserPreferences.sql },
  { id: '20261206-18-create-dashboards', sql: createDashboards.sql },
  { id: '20261206-19-add-device-online-node', sql: addDeviceOnlineNode.sql },
  { id: '20261206-20-create-flow-store', sql: createFlowStore.sql },
  { id: '20261206-21-create-alert-waits', sql: createAlertWaits.sql },
  { id: '20261206-22-create-firmware-chunks', sql: createFirmwareChunks.sql },
];
