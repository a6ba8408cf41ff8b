import { RECEIPT_WINDOW_MS } from '../device-hub/uplink-receipts.ts';
import type { Receipt } from '../../domain/devices/thing-message.ts';
import Database from 'better-sqlite3';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Db } from '../db/database.ts';
import { migrate, type MigrationLogger } from '../db/migrate.ts';
import type { TslDocument } from '../../domain/thing-model/tsl-types.ts';
import { telemetryMigrations } from './migrations/index.ts';
import { ProductSchemas, type SchemaStorage } from './product-schemas.ts';
import { prepareBatch } from './telemetry-batch.ts';
import { assertProductKey, type PropertyColumn, type SchemaPlan, type StorageKind, type StoredColumn } from './telemetry-columns.ts';
import {
  bucketLayout, checkRange, columnsOf, eventsSelect, historyPoints, historySelect, LATEST_SELECT, latestOf, limitOf, mergeBuckets, numericColumns,
  PRODUCT_TABLES_SELECT, productTableNames, productTablesDdl, productTablesOf, quoteIdentifier as quote, storedEventOf, TABLE_NAMES_TAKEN,
  type EventDbRow, type ProductTables,
} from './telemetry-query.ts';
import type { Bucket, BucketQuery, EventQuery, HistoryPoint, HistoryQuery, LatestValue, StoredEvent, TelemetryBackend, TelemetryBatch, WriteResult } from './telemetry-store.ts';

/** The telemetry database's file name in the data directory. */
export const TELEMETRY_DB_FILE = 'telemetry.db';

/**
 * Declared column types. SQLite would store every kind in INTEGER/REAL/TEXT alone, but then the table could not say
 * which kind a column holds (int, bool and date are all integers); the declared type can, and each keeps the
 * affinity its values need (BOOLEAN, TIMESTAMP and JSON get NUMERIC affinity, which leaves integers and JSON text
 * as they are: JSON of a struct or array never reads as a number).
 */
const COLUMN_TYPES: Record<StorageKind, string> = {
  int: 'INTEGER',
  double: 'REAL',
  text: 'TEXT',
  bool: 'BOOLEAN',
  date: 'TIMESTAMP',
  json: 'JSON',
};
const KIND_OF_TYPE = new Map(Object.entries(COLUMN_TYPES).map(([kind, type]) => [type, kind as StorageKind]));

/** Rows scanned per retention delete: each is its own short write transaction, so ingestion never waits long. */
const RETENTION_WINDOW = 50_000;
/** Cached statements; a product's devices send few distinct column sets, so this is never reached in practice. */
const STATEMENT_CACHE_SIZE = 256;


/**
 * The embedded telemetry backend: its own SQLite file (`telemetry.db`, WAL), apart from the registry's so telemetry
 * writes never contend with registry writes. Per product: a property table `t_<product>` (`device, ts, received_at`
 * and one column per property, indexed on (device, ts)) and an event table `e_<product>`; one `latest` table holds
 * every device's shadow. Each `writeBatch` is one transaction (group commit) of cached prepared statements.
 */
export class SqliteTelemetry implements TelemetryBackend {
  readonly #db: Db;
  readonly #schemas: ProductSchemas;
  readonly #tables = new Map<string, ProductTables>();
  readonly #statements = new Map<string, Database.Statement>();
  readonly #upsertLatest: Database.Statement;
  readonly #insertReceipt: Database.Statement;
  /** Receipts older than the dedup window are deleted at most once a minute, in a write's transaction. */
  #receiptsSweptAt = 0;

  /** Opens (creating if needed) the telemetry database at `file`. */
  constructor(file: string, logger?: MigrationLogger) {
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    // Durable at each checkpoint rather than each commit: WAL keeps the database consistent through a crash, and a
    // crash loses at most the last transactions, which for telemetry is the trade the batching already makes.
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 5000');
    migrate(this.#db, telemetryMigrations, logger);
    this.#upsertLatest = this.#db.prepare(`
      INSERT INTO latest (product_key, device, property, value, ts) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (product_key, device, property) DO UPDATE SET value = excluded.value, ts = excluded.ts
      WHERE excluded.ts >= latest.ts`);
    this.#insertReceipt = this.#db.prepare(
      'INSERT INTO uplink_receipts (product_key, device_name, msg_id, fingerprint, code, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#schemas = new ProductSchemas(this.#storage());
  }

  async ensureSchema(productKey: string, version: number, tsl: TslDocument): Promise<void> {
    await this.#schemas.ensure(productKey, version, tsl);
  }

  async writeBatch(batch: TelemetryBatch): Promise<WriteResult> {
    const prepared = prepareBatch(batch, (productKey) => this.#schemas.cached(productKey), { json: JSON.stringify, keepLatest: true });
    this.#db.transaction(() => {
      for (const group of prepared.groups) {
        const insert = this.#insertRow(this.#tablesOf(group.productKey)!.properties, group.columns);
        for (const row of group.rows) insert.run(row.deviceName, row.ts, row.receivedAt, ...row.values);
      }
      for (const e of prepared.events) {
        const insert = this.#statement(
          `INSERT INTO ${quote(this.#tablesOf(e.productKey)!.events)} (device, ts, received_at, event_id, type, data) VALUES (?, ?, ?, ?, ?, ?)`,
        );
        insert.run(e.deviceName, e.ts, e.receivedAt, e.eventId, e.type, e.data);
      }
      for (const l of prepared.latest) {
        this.#upsertLatest.run(l.productKey, l.deviceName, l.property, JSON.stringify(l.value), l.ts);
      }
      if (batch.receipts) {
        for (const r of batch.receipts) this.#insertReceipt.run(r.productKey, r.deviceName, r.msgId, r.fingerprint, r.code, r.reason, r.at);
        const now = Date.now();
        if (now - this.#receiptsSweptAt > 60_000) {
          this.#receiptsSweptAt = now;
          this.#statement('DELETE FROM uplink_receipts WHERE at < ?').run(now - RECEIPT_WINDOW_MS);
        }
      }
    })();
    return { propertyRows: prepared.propertyRows, events: prepared.events.length, skipped: prepared.skipped };
  }

  async recentReceipts(since: number): Promise<Receipt[]> {
    return this.#statement(`
      SELECT product_key AS productKey, device_name AS deviceName, msg_id AS msgId, fingerprint, code, reason, at
      FROM uplink_receipts WHERE at >= ? ORDER BY at`).all(since) as Receipt[];
  }

  async latest(productKey: string, deviceName: string): Promise<Record<string, LatestValue>> {
    assertProductKey(productKey);
    return latestOf(this.#statement(LATEST_SELECT).all(productKey, deviceName) as Array<{ property: string; value: string; ts: number }>);
  }

  async history(query: HistoryQuery): Promise<HistoryPoint[]> {
    checkRange(query.productKey, query);
    const limit = limitOf(query.limit);
    const schema = await this.#schemas.forReading(query.productKey);
    const columns = columnsOf(schema, query.property);
    if (columns.length === 0) return [];
    const select = historySelect(this.#tablesOf(query.productKey)!.properties, columns, query, limit);
    return historyPoints(columns, this.#statement(select.text).raw().all(...select.params) as unknown[][]);
  }

  async historyBuckets(query: BucketQuery): Promise<Bucket[]> {
    checkRange(query.productKey, query);
    const { width } = bucketLayout(query);
    const schema = await this.#schemas.forReading(query.productKey);
    const columns = numericColumns(schema, query.property);
    if (columns.length === 0) return [];
    const table = quote(this.#tablesOf(query.productKey)!.properties);
    return mergeBuckets(
      columns.map((c) => {
        const col = quote(c.name);
        // Parameters bind as REAL in better-sqlite3; the casts keep the bucket number an integer division.
        return this.#statement(`
          SELECT CAST(:from AS INTEGER) + ((ts - CAST(:from AS INTEGER)) / CAST(:width AS INTEGER)) * CAST(:width AS INTEGER) AS time,
            MIN(${col}) AS min, MAX(${col}) AS max, AVG(${col}) AS avg, COUNT(${col}) AS count
          FROM ${table} WHERE device = :device AND ts >= :from AND ts < :to AND ${col} IS NOT NULL
          GROUP BY 1 ORDER BY 1`)
          .all({ device: query.deviceName, from: query.from, to: query.to, width }) as Bucket[];
      }),
    );
  }

  async events(query: EventQuery): Promise<StoredEvent[]> {
    checkRange(query.productKey, query);
    const limit = limitOf(query.limit);
    const tables = this.#tablesOf(query.productKey);
    if (!tables) return [];
    const select = eventsSelect(tables.events, query, limit);
    return (this.#statement(select.text).all(...select.params) as EventDbRow[]).map(storedEventOf);
  }

  async deleteBefore(productKey: string, before: number): Promise<number> {
    checkRange(productKey, { from: before, to: before });
    const tables = this.#tablesOf(productKey);
    if (!tables) return 0;
    const deleted = (await this.#deleteOlder(tables.properties, before)) + (await this.#deleteOlder(tables.events, before));
    this.#statement('DELETE FROM latest WHERE product_key = ? AND ts < ?').run(productKey, before);
    return deleted;
  }

  async close(): Promise<void> {
    this.#statements.clear();
    this.#db.close();
  }

  /**
   * Deletes in windows of rowids rather than with one `DELETE … WHERE ts < ?`: the property table has no index on
   * ts alone (it would cost every write), so one statement would scan the whole table holding the write lock, and
   * block the event loop as long. Each window is a short transaction, with the event loop free in between.
   */
  async #deleteOlder(table: string, before: number): Promise<number> {
    const bounds = this.#statement(`SELECT MIN(rowid) AS lo, MAX(rowid) AS hi FROM ${quote(table)}`).get() as {
      lo: number | null;
      hi: number | null;
    };
    if (bounds.lo === null || bounds.hi === null) return 0;
    const window = this.#statement(`DELETE FROM ${quote(table)} WHERE rowid >= ? AND rowid < ? AND ts < ?`);
    let deleted = 0;
    for (let lo = bounds.lo; lo <= bounds.hi; lo += RETENTION_WINDOW) {
      deleted += window.run(lo, lo + RETENTION_WINDOW, before).changes;
      await yieldToEventLoop();
    }
    return deleted;
  }

  #insertRow(table: string, columns: readonly PropertyColumn[]): Database.Statement {
    const names = ['device', 'ts', 'received_at', ...columns.map((c) => c.name)];
    return this.#statement(
      `INSERT INTO ${quote(table)} (${names.map(quote).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
    );
  }

  /** A prepared statement by its SQL, cached (least recently used dropped first). */
  #statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement) {
      this.#statements.delete(sql);
    } else {
      statement = this.#db.prepare(sql);
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) this.#statements.delete(this.#statements.keys().next().value!);
    }
    this.#statements.set(sql, statement);
    return statement;
  }

  #tablesOf(productKey: string): ProductTables | undefined {
    let tables = this.#tables.get(productKey);
    if (!tables) {
      const row = this.#statement(PRODUCT_TABLES_SELECT).get(productKey) as { property_table: string; event_table: string } | undefined;
      if (!row) return undefined;
      tables = productTablesOf(row);
      this.#tables.set(productKey, tables);
    }
    return tables;
  }

  #storage(): SchemaStorage {
    return {
      createTables: async (productKey) => {
        if (this.#tablesOf(productKey)) return;
        this.#db.transaction(() => {
          const tables = this.#chooseTableNames(productKey);
          this.#db.exec(productTablesDdl(tables, { integer: 'INTEGER' }));
          this.#statement('INSERT INTO telemetry_products (product_key, property_table, event_table) VALUES (?, ?, ?)')
            .run(productKey, tables.properties, tables.events);
          this.#tables.set(productKey, tables);
        })();
      },
      describe: async (productKey) => {
        const tables = this.#tablesOf(productKey);
        if (!tables) return undefined;
        const info = this.#db.prepare(`SELECT name, type FROM pragma_table_info(?)`).all(tables.properties) as Array<{
          name: string;
          type: string;
        }>;
        return info.map((c): StoredColumn => ({ name: c.name, kind: KIND_OF_TYPE.get(c.type.toUpperCase()) }));
      },
      alter: async (productKey, plan: SchemaPlan) => {
        // Widths mean nothing to SQLite (plan.widen is always empty here); only additions.
        const table = quote(this.#tablesOf(productKey)!.properties);
        this.#db.transaction(() => {
          for (const c of plan.add) this.#db.exec(`ALTER TABLE ${table} ADD COLUMN ${quote(c.name)} ${COLUMN_TYPES[c.kind]}`);
        })();
      },
    };
  }

  /** The first of {@link productTableNames} no other product has. */
  #chooseTableNames(productKey: string): ProductTables {
    const taken = this.#statement(TABLE_NAMES_TAKEN);
    for (let n = 1; ; n++) {
      const tables = productTableNames(productKey, n);
      if (!taken.get(tables.properties, tables.events)) return tables;
    }
  }
}
