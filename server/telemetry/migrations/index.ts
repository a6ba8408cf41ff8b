import type { Migration } from '../../db/migrations/index.ts';
import * as createTelemetryTables from './20261122-01-create-telemetry-tables.ts';
import * as createUplinkReceipts from './20261205-10-create-uplink-receipts.ts';

/**
 * Migrations of the telemetry database (telemetry.db, apart from the registry's file so telemetry writes never wait
 * for registry writes), applied by the same `migrate` as the registry's. Product tables are not migrations: they
 * follow each product's thing model at run time.
 */
export const telemetryMigrations: Migration[] = [
  { id: '20261122-01-create-telemetry-tables', sql: createTelemetryTables.sql },
  { id: '20261205-10-create-uplink-receipts', sql: createUplinkReceipts.sql },
];
