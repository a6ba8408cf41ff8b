import type Database from 'better-sqlite3';
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

export interface Migration {
  /** The file name without extension, `YYYYMMDD-NN-verb-object`; applied in this order. */
  id: string;
  up(db: Database.Database): void;
}

/** Every migration, oldest first. A new migration is one file and one line here. */
export const migrations: Migration[] = [
  { id: '20261122-01-create-auth-tables', up: createAuthTables.up },
  { id: '20261122-02-create-registry-tables', up: createRegistryTables.up },
  { id: '20261122-03-create-device-hub-tables', up: createDeviceHubTables.up },
  { id: '20261122-04-create-alerts', up: createAlerts.up },
  { id: '20261122-05-create-notify-outbox', up: createNotifyOutbox.up },
  { id: '20261122-06-add-product-retention-days', up: addProductRetentionDays.up },
  { id: '20261205-11-add-product-future-times', up: addProductFutureTimes.up },
  { id: '20261205-12-create-uplink-receipts', up: createUplinkReceipts.up },
  { id: '20261205-13-create-ota-tables', up: createOtaTables.up },
  { id: '20261205-14-create-device-topology', up: createDeviceTopology.up },
  { id: '20261205-15-create-product-codecs', up: createProductCodecs.up },
  { id: '20261205-16-create-modbus-tables', up: createModbusTables.up },
  { id: '20261206-17-add-user-preferences', up: addUserPreferences.up },
  { id: '20261206-18-create-dashboards', up: createDashboards.up },
];
