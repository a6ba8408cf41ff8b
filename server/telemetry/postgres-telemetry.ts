import type { Receipt } from '../../domain/devices/thing-message.ts';
import type { TslDocument } from '../../domain/thing-model/tsl-types.ts';
import { RECEIPT_WINDOW_MS } from '../device-hub/uplink-receipts.ts';
import { migratePostgres, type MigrationLogger } from '../db/migrate.ts';
import { StartupError } from '../http/port-check.ts';
import { PostgresSql, type Sql } from '../db/sql.ts';
import { telemetryMigrations } from './migrations/index.ts';
import { ProductSchemas, type SchemaStorage } from './product-schemas.ts';
import { prepareBatch, type PreparedEvent, type PreparedRow } from './telemetry-batch.ts';
import { assertProductKey, type SchemaPlan, type StorageKind, type StoredColumn } from './telemetry-columns.ts';
import {
  bucketLayout, checkRange, columnsOf, eventsSelect, historyPoints, historySelect, LATEST_SELECT, latestOf, limitOf, mergeBuckets, numericColumns,
  PRODUCT_TABLES_SELECT, productTableNames, productTablesDdl, productTablesOf, quoteIdentifier as quote, storedEventOf, TABLE_NAMES_TAKEN,
  type EventDbRow, type ProductTables,
} from './telemetry-query.ts';
import type { Bucket, BucketQuery, EventQuery, HistoryPoint, HistoryQuery, LatestValue, StoredEvent, TelemetryBackend, TelemetryBatch, WriteResult } from './telemetry-store.ts';

/** The PostgreSQL schema that holds telemetry, apart from the registry's tables in `public`. */
export const TELEMETRY_SCHEMA = 'telemetry';

/**
 * Each storage kind is a domain over the PostgreSQL type that holds it: int and date are both integers, text and json
 * both text, and the table must say which kind a column holds (its domain does; `information_schema` names it).
 */
const DOMAINS: Record<StorageKind, [domain: string, type: string]> = {
  int: ['tw_int', 'integer'],
  double: ['tw_double', 'double precision'],
  text: ['tw_text', 'text'],
  bool: ['tw_bool', 'boolean'],
  date: ['tw_date', 'bigint'],
  json: ['tw_json', 'text'],
};
const KIND_OF_DOMAIN = new Map(Object.entries(DOMAINS).map(([kind, [domain]]) => [domain, kind as StorageKind]));

/** One partition of a product's tables per week of device time: retention drops whole weeks. */
export const PARTITION_MS = 7 * 24 * 3_600_000;
/** PostgreSQL's check_violation, which is what a row with no partition to go to raises. */
const NO_PARTITION_FOR_ROW = '23514';
/** PostgreSQL takes at most 65,535 parameters per statement; rows are inserted in chunks under that. */
const MAX_PARAMETERS = 30_000;


/**
 * Telemetry in PostgreSQL (`--telemetry postgres`; in cluster mode every node writes here), in the schema
 * `telemetry` beside the registry's tables. Per product, as in SQLite: a wide property table `t_<product>` (one column
 * per property, indexed on device and time) and an event table `e_<product>`, both partitioned by week of device time
 * (`…_w<week>`, created as rows for that week arrive), and the `latest` table holding every device's shadow. Each
 * `writeBatch` is one transaction of multi-row INSERTs; receipts commit with their rows. Table changes (new products,
 * new columns, new weeks) are safe for several nodes at once: each takes a per-product advisory lock and reads the
 * table back.
 */
export class PostgresTelemetry implements TelemetryBackend {
  readonly #sql: PostgresSql;
  readonly #schemas: ProductSchemas;
  readonly #tables = new Map<string, ProductTables>();
  /** Weeks known to have their partition, by table. */
  readonly #weeks = new Map<string, Set<number>>();
  #receiptsSweptAt = 0;

  private constructor(sql: PostgresSql) {
    this.#sql = sql;
    this.#schemas = new ProductSchemas(this.#storage());
  }

  /** Connects to `url`, creating the telemetry schema and its tables if missing. */
  static async open(url: string, logger?: MigrationLogger, options: { max?: number; password?: string } = {}): Promise<PostgresTelemetry> {
    const sql = PostgresSql.connect(url, {
      max: options.max ?? 4, applicationName: 'thingwire telemetry', searchPath: [TELEMETRY_SCHEMA, 'public'], password: options.password,
    });
    try {
      await sql.transaction(async (tx) => {
        await tx.lock('thingwire telemetry schema');
        await tx.run(`CREATE SCHEMA IF NOT EXISTS ${TELEMETRY_SCHEMA}`);
        for (const [domain, type] of Object.values(DOMAINS)) {
          const exists = await tx.get('SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = ? AND t.typname = ?', [TELEMETRY_SCHEMA, domain]);
          if (!exists) await tx.run(`CREATE DOMAIN ${TELEMETRY_SCHEMA}.${domain} AS ${type}`);
        }
      });
      await migratePostgres(sql, telemetryMigrations, logger);
    } catch (err) {
      await sql.close();
      throw new StartupError(
        `PostgreSQL at ${url} (--postgres-url) cannot be used for telemetry: ${(err as Error).message}. Check that it runs, ` +
        'that the URL and THINGWIRE_POSTGRES_PASSWORD are right, and that its user may create the telemetry schema.',
        { cause: err },
      );
    }
    return new PostgresTelemetry(sql);
  }

  async ensureSchema(productKey: string, version: number, tsl: TslDocument): Promise<void> {
    await this.#schemas.ensure(productKey, version, tsl);
  }

  async writeBatch(batch: TelemetryBatch): Promise<WriteResult> {
    const prepared = prepareBatch(batch, (productKey) => this.#schemas.cached(productKey), { json: JSON.stringify, keepLatest: true });
    // Each product's tables once (prepared rows are of products with a schema, so with tables); events by table.
    const products = new Set([...prepared.groups, ...prepared.events].map((r) => r.productKey));
    const tables = new Map(await Promise.all([...products].map(async (pk) => [pk, (await this.#tablesOf(pk))!] as const)));
    const events = new Map<string, PreparedEvent[]>();
    for (const e of prepared.events) {
      const table = tables.get(e.productKey)!.events;
      const rows = events.get(table);
      if (rows) rows.push(e);
      else events.set(table, [e]);
    }
    // Partitions first, each in its own short transaction: DDL inside the batch's would hold its locks to the commit.
    const ensureWeeks = async () => {
      for (const group of prepared.groups) await this.#ensureWeeks(tables.get(group.productKey)!.properties, group.rows);
      for (const [table, rows] of events) await this.#ensureWeeks(table, rows);
    };
    await ensureWeeks();
    const commit = () => this.#sql.transaction(async (tx) => {
      for (const group of prepared.groups) {
        const names = ['device', 'ts', 'received_at', ...group.columns.map((c) => c.name)];
        await insertRows(tx, tables.get(group.productKey)!.properties, names, group.rows.map((r) => [r.deviceName, r.ts, r.receivedAt, ...r.values]));
      }
      for (const [table, rows] of events) {
        await insertRows(tx, table, ['device', 'ts', 'received_at', 'event_id', 'type', 'data'], rows.map((e) => [e.deviceName, e.ts, e.receivedAt, e.eventId, e.type, e.data]));
      }
      await insertRows(tx, 'latest', ['product_key', 'device', 'property', 'value', 'ts'],
        prepared.latest.map((l) => [l.productKey, l.deviceName, l.property, JSON.stringify(l.value), l.ts]),
        'ON CONFLICT (product_key, device, property) DO UPDATE SET value = excluded.value, ts = excluded.ts WHERE excluded.ts >= latest.ts');
      if (batch.receipts) {
        await insertRows(tx, 'uplink_receipts', ['product_key', 'device_name', 'msg_id', 'fingerprint', 'code', 'reason', 'at'],
          batch.receipts.map((r) => [r.productKey, r.deviceName, r.msgId, r.fingerprint, r.code, r.reason, r.at]));
        const now = Date.now();
        if (now - this.#receiptsSweptAt > 60_000) {
          this.#receiptsSweptAt = now;
          await tx.run('DELETE FROM uplink_receipts WHERE at < ?', [now - RECEIPT_WINDOW_MS]);
        }
      }
    });
    try {
      await commit();
    } catch (err) {
      if ((err as { code?: unknown }).code !== NO_PARTITION_FOR_ROW) throw err;
      // Another node's retention dropped a week this node still believed had its partition (a late row for it):
      // read the partitions of these tables again, create what is missing, and commit once more.
      for (const group of prepared.groups) this.#weeks.delete(tables.get(group.productKey)!.properties);
      for (const table of events.keys()) this.#weeks.delete(table);
      await ensureWeeks();
      await commit();
    }
    return { propertyRows: prepared.propertyRows, events: prepared.events.length, skipped: prepared.skipped };
  }

  async recentReceipts(since: number): Promise<Receipt[]> {
    return this.#sql.all<Receipt>(`
      SELECT product_key AS "productKey", device_name AS "deviceName", msg_id AS "msgId", fingerprint, code, reason, at
      FROM uplink_receipts WHERE at >= ? ORDER BY at`, [since]);
  }

  async latest(productKey: string, deviceName: string): Promise<Record<string, LatestValue>> {
    assertProductKey(productKey);
    return latestOf(await this.#sql.all(LATEST_SELECT, [productKey, deviceName]));
  }

  async history(query: HistoryQuery): Promise<HistoryPoint[]> {
    checkRange(query.productKey, query);
    const limit = limitOf(query.limit);
    const schema = await this.#schemas.forReading(query.productKey);
    const columns = columnsOf(schema, query.property);
    if (columns.length === 0) return [];
    const select = historySelect((await this.#tablesOf(query.productKey))!.properties, columns, query, limit);
    const rows = await this.#sql.all<Record<string, unknown>>(select.text, select.params);
    return historyPoints(columns, rows.map((r) => [r['ts'], ...columns.map((c) => r[c.name])]));
  }

  async historyBuckets(query: BucketQuery): Promise<Bucket[]> {
    checkRange(query.productKey, query);
    const { width } = bucketLayout(query);
    const schema = await this.#schemas.forReading(query.productKey);
    const columns = numericColumns(schema, query.property);
    if (columns.length === 0) return [];
    const table = quote((await this.#tablesOf(query.productKey))!.properties);
    return mergeBuckets(
      await Promise.all(columns.map((c) => {
        const col = quote(c.name);
        return this.#sql.all<Bucket>(`
          SELECT @from::bigint + ((ts - @from::bigint) / @width::bigint) * @width::bigint AS time,
            MIN(${col})::double precision AS min, MAX(${col})::double precision AS max, AVG(${col})::double precision AS avg, COUNT(${col}) AS count
          FROM ${table} WHERE device = @device AND ts >= @from AND ts < @to AND ${col} IS NOT NULL
          GROUP BY 1 ORDER BY 1`, { device: query.deviceName, from: query.from, to: query.to, width });
      })),
    );
  }

  async events(query: EventQuery): Promise<StoredEvent[]> {
    checkRange(query.productKey, query);
    const limit = limitOf(query.limit);
    const tables = await this.#tablesOf(query.productKey);
    if (!tables) return [];
    const select = eventsSelect(tables.events, query, limit);
    return (await this.#sql.all<EventDbRow>(select.text, select.params)).map(storedEventOf);
  }

  /** Whole weeks before `before` are dropped as partitions; the week it falls in loses its older rows. */
  async deleteBefore(productKey: string, before: number): Promise<number> {
    checkRange(productKey, { from: before, to: before });
    const tables = await this.#tablesOf(productKey);
    if (!tables) return 0;
    let deleted = 0;
    for (const table of [tables.properties, tables.events]) {
      for (const week of await this.#partitionWeeks(table)) {
        const partition = quote(partitionName(table, week));
        if ((week + 1) * PARTITION_MS <= before) {
          deleted += (await this.#sql.get<{ n: number }>(`SELECT count(*) AS n FROM ${partition}`))!.n;
          await this.#sql.run(`DROP TABLE ${partition}`);
          this.#weeks.get(table)?.delete(week);
        } else if (week * PARTITION_MS < before) {
          deleted += (await this.#sql.run(`DELETE FROM ${partition} WHERE ts < ?`, [before])).changes;
        }
      }
    }
    await this.#sql.run('DELETE FROM latest WHERE product_key = ? AND ts < ?', [productKey, before]);
    return deleted;
  }

  async close(): Promise<void> {
    await this.#sql.close();
  }

  /** The weeks that have a partition of `table`, read from the catalogue. */
  async #partitionWeeks(table: string): Promise<number[]> {
    const rows = await this.#sql.all<{ name: string }>(`
      SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = (quote_ident(?) || '.' || quote_ident(?))::regclass`, [TELEMETRY_SCHEMA, table]);
    const prefix = `${table}_w`;
    return rows.map((r) => r.name).filter((n) => n.startsWith(prefix)).map((n) => Number(n.slice(prefix.length))).filter(Number.isInteger).sort((a, b) => a - b);
  }

  /** Creates the partitions of `table` for the weeks `rows` fall in that do not have one yet. */
  async #ensureWeeks(table: string, rows: readonly Pick<PreparedRow, 'ts'>[]): Promise<void> {
    let known = this.#weeks.get(table);
    if (!known) this.#weeks.set(table, (known = new Set(await this.#partitionWeeks(table))));
    const missing = new Set<number>();
    for (const r of rows) {
      const week = Math.floor(r.ts / PARTITION_MS);
      if (!known.has(week)) missing.add(week);
    }
    for (const week of missing) {
      await this.#sql.transaction(async (tx) => {
        await tx.lock(`telemetry table ${table}`);
        await tx.run(`CREATE TABLE IF NOT EXISTS ${quote(partitionName(table, week))} PARTITION OF ${quote(table)}
          FOR VALUES FROM (${week * PARTITION_MS}) TO (${(week + 1) * PARTITION_MS})`);
      });
      known.add(week);
    }
  }

  async #tablesOf(productKey: string): Promise<ProductTables | undefined> {
    let tables = this.#tables.get(productKey);
    if (!tables) {
      const row = await this.#sql.get<{ property_table: string; event_table: string }>(PRODUCT_TABLES_SELECT, [productKey]);
      if (!row) return undefined;
      tables = productTablesOf(row);
      this.#tables.set(productKey, tables);
    }
    return tables;
  }

  #storage(): SchemaStorage {
    return {
      createTables: async (productKey) => {
        if (await this.#tablesOf(productKey)) return;
        await this.#sql.transaction(async (tx) => {
          // Nodes creating the same product's tables at once: one does, the others find them.
          await tx.lock(`telemetry product ${productKey}`);
          if (await tx.get('SELECT 1 FROM telemetry_products WHERE product_key = ?', [productKey])) return;
          const tables = await chooseTableNames(tx, productKey);
          await tx.run(productTablesDdl(tables, { integer: 'BIGINT', partition: ' PARTITION BY RANGE (ts)' }));
          await tx.run('INSERT INTO telemetry_products (product_key, property_table, event_table) VALUES (?, ?, ?)',
            [productKey, tables.properties, tables.events]);
        });
        this.#tables.delete(productKey);
      },
      describe: async (productKey) => {
        const tables = await this.#tablesOf(productKey);
        if (!tables) return undefined;
        const info = await this.#sql.all<{ name: string; domain: string | null }>(`
          SELECT column_name AS name, domain_name AS domain FROM information_schema.columns
          WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`, [TELEMETRY_SCHEMA, tables.properties]);
        return info.map((c): StoredColumn => ({ name: c.name, kind: c.domain === null ? undefined : KIND_OF_DOMAIN.get(c.domain) }));
      },
      alter: async (productKey, plan: SchemaPlan) => {
        // Widths mean nothing here (plan.widen is always empty); only additions, which reach every partition.
        const table = quote((await this.#tablesOf(productKey))!.properties);
        await this.#sql.transaction(async (tx) => {
          for (const c of plan.add) await tx.run(`ALTER TABLE ${table} ADD COLUMN ${quote(c.name)} ${TELEMETRY_SCHEMA}.${DOMAINS[c.kind][0]}`);
        });
      },
    };
  }
}

/** `rows` into `table` as multi-row INSERTs, chunked under PostgreSQL's parameter limit. */
async function insertRows(tx: Sql, table: string, names: readonly string[], rows: readonly unknown[][], suffix = ''): Promise<void> {
  if (rows.length === 0) return;
  const perChunk = Math.max(1, Math.floor(MAX_PARAMETERS / names.length));
  const columns = names.map(quote).join(', ');
  for (let start = 0; start < rows.length; start += perChunk) {
    const chunk = rows.slice(start, start + perChunk);
    const row = `(${names.map(() => '?').join(', ')})`;
    await tx.run(`INSERT INTO ${quote(table)} (${columns}) VALUES ${chunk.map(() => row).join(', ')} ${suffix}`, chunk.flat());
  }
}

/** The first of {@link productTableNames} no other product has. */
async function chooseTableNames(tx: Sql, productKey: string): Promise<ProductTables> {
  for (let n = 1; ; n++) {
    const tables = productTableNames(productKey, n);
    if (!(await tx.get(TABLE_NAMES_TAKEN, [tables.properties, tables.events]))) return tables;
  }
}

function partitionName(table: string, week: number): string {
  return `${table}_w${week}`;
}
