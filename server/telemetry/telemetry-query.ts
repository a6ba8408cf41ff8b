/**
 * Query rules every backend applies the same way: argument checks, bucket layout and merging, column choice; and the
 * SQL the SQLite and PostgreSQL backends share.
 */
import { ApiError, badRequest } from '../errors.ts';
import type { ProductSchema } from './product-schemas.ts';
import { assertProductKey, decodeValue, type PropertyColumn } from './telemetry-columns.ts';
import type { Bucket, BucketQuery, EventQuery, HistoryPoint, HistoryQuery, LatestValue, StoredEvent, TimeRange } from './telemetry-store.ts';
import type { EventType } from '../../domain/thing-model/tsl-types.ts';
import { DEFAULT_LIMIT, MAX_BUCKETS, MAX_LIMIT, type EpochMs } from '../../domain/telemetry/telemetry-rows.ts';

/** TDengine's smallest INTERVAL; applied to both backends so they give the same buckets. */
export const MIN_BUCKET_MS = 10;

/** Checks a query's product key and time range (`from` ≤ `to`, whole milliseconds). */
export function checkRange(productKey: string, range: TimeRange): void {
  assertProductKey(productKey);
  if (!Number.isSafeInteger(range.from) || !Number.isSafeInteger(range.to)) {
    throw badRequest('from and to must be whole milliseconds since the epoch.');
  }
  if (range.from > range.to) throw badRequest(`from (${range.from}) is after to (${range.to}).`);
}

/** The row limit to apply: the default when absent; refused outside 1..MAX_LIMIT. */
export function limitOf(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw badRequest(`limit must be 1 to ${MAX_LIMIT}.`);
  return limit;
}

/**
 * Where the buckets of a range fall: `width = max(MIN_BUCKET_MS, ceil((to - from) / buckets))`, bucket `i` covers
 * `[from + i·width, from + (i+1)·width)`, so the first starts at `from` and there are at most `buckets` of them
 * inside the range. TDengine aligns INTERVAL windows to the epoch, so its offset is `from mod width`.
 */
export function bucketLayout(query: BucketQuery): { width: number; offset: number } {
  const { from, to, buckets } = query;
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > MAX_BUCKETS) {
    throw badRequest(`buckets must be 1 to ${MAX_BUCKETS}.`);
  }
  const width = Math.max(MIN_BUCKET_MS, Math.ceil((to - from) / buckets));
  return { width, offset: ((from % width) + width) % width };
}

/** The property's columns that hold numbers, for downsampling; 422 when it never had a numeric type. */
export function numericColumns(schema: ProductSchema | undefined, property: string): PropertyColumn[] {
  const columns = columnsOf(schema, property);
  const numeric = columns.filter((c) => c.kind === 'int' || c.kind === 'double');
  if (columns.length > 0 && numeric.length === 0) {
    throw new ApiError(422, 'telemetry_not_numeric', `Property "${property}" is not numeric; only int, float, double and enum properties can be downsampled.`);
  }
  return numeric;
}

/** Every column a property has had, in table order. */
export function columnsOf(schema: ProductSchema | undefined, property: string): PropertyColumn[] {
  return schema?.columns.filter((c) => c.property === property) ?? [];
}

/**
 * Buckets computed per column (a property whose type changed has several) → one list: min of mins, max of maxes,
 * count-weighted average. Columns never both hold a value of one row, so the counts add up.
 */
export function mergeBuckets(perColumn: Bucket[][]): Bucket[] {
  if (perColumn.length === 1) return perColumn[0]!;
  const byTime = new Map<EpochMs, Bucket>();
  for (const list of perColumn) {
    for (const b of list) {
      const seen = byTime.get(b.time);
      if (!seen) {
        byTime.set(b.time, { ...b });
        continue;
      }
      const count = seen.count + b.count;
      seen.avg = (seen.avg * seen.count + b.avg * b.count) / count;
      seen.min = Math.min(seen.min, b.min);
      seen.max = Math.max(seen.max, b.max);
      seen.count = count;
    }
  }
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}

/** The value of a row read across a property's columns: the one column that holds it, decoded. */
export function valueOfRow(columns: readonly PropertyColumn[], raws: readonly unknown[]): unknown {
  for (let i = 0; i < columns.length; i++) {
    const raw = raws[i];
    if (raw !== null && raw !== undefined) return decodeValue(columns[i]!.kind, raw);
  }
  return null;
}

/** An identifier quoted for SQLite and PostgreSQL. */
export function quoteIdentifier(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** A product's property and event tables (SQLite and PostgreSQL). */
export interface ProductTables {
  properties: string;
  events: string;
}

/** Which tables hold a product's telemetry: a row of `telemetry_products`, or none yet. */
export const PRODUCT_TABLES_SELECT = 'SELECT property_table, event_table FROM telemetry_products WHERE product_key = ?';
export const productTablesOf = (row: { property_table: string; event_table: string }): ProductTables => ({ properties: row.property_table, events: row.event_table });
/** Whether another product has taken a pair of names (`productTableNames`). */
export const TABLE_NAMES_TAKEN = 'SELECT 1 FROM telemetry_products WHERE property_table = ? OR event_table = ?';

/**
 * A product's property and event tables and their indexes (SQLite and PostgreSQL): `integer` is the type of the time
 * columns, `partition` what follows each table's columns (PostgreSQL partitions them by time).
 */
export function productTablesDdl(tables: ProductTables, { integer, partition = '' }: { integer: string; partition?: string }): string {
  const t = quoteIdentifier(tables.properties);
  const e = quoteIdentifier(tables.events);
  return `
    CREATE TABLE ${t} (device TEXT NOT NULL, ts ${integer} NOT NULL, received_at ${integer} NOT NULL)${partition};
    -- Tables and indexes share one namespace: the i_ prefix keeps index names clear of every t_/e_ table.
    CREATE INDEX ${quoteIdentifier(`i_${tables.properties}_device`)} ON ${t} (device, ts);
    CREATE TABLE ${e} (
      device TEXT NOT NULL, ts ${integer} NOT NULL, received_at ${integer} NOT NULL,
      event_id TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL
    )${partition};
    CREATE INDEX ${quoteIdentifier(`i_${tables.events}_device`)} ON ${e} (device, ts);
    -- Events are few next to property rows, and product-wide event lists (no device) are a common query.
    CREATE INDEX ${quoteIdentifier(`i_${tables.events}_ts`)} ON ${e} (ts);`;
}

/**
 * The `attempt`th choice of a product's table names: `t_<product>` and `e_<product>` with `-` as `_`, then with a
 * `_2`, `_3`… suffix, for when a product whose key differs only in case (or `-`/`_`) took them.
 */
export function productTableNames(productKey: string, attempt: number): ProductTables {
  const base = productKey.replaceAll('-', '_');
  const suffix = attempt === 1 ? '' : `_${attempt}`;
  return { properties: `t_${base}${suffix}`, events: `e_${base}${suffix}` };
}

/** An event row as SQLite and PostgreSQL store it. */
export interface EventDbRow {
  device: string;
  ts: number;
  received_at: number;
  event_id: string;
  type: EventType;
  data: string;
}

/** The SELECT of a query's events from `table` (SQLite and PostgreSQL, `?` parameters). */
export function eventsSelect(table: string, query: EventQuery, limit: number): { text: string; params: unknown[] } {
  const where = ['ts >= ?', 'ts < ?'];
  const params: unknown[] = [query.from, query.to];
  if (query.deviceName !== undefined) {
    where.push('device = ?');
    params.push(query.deviceName);
  }
  if (query.eventId !== undefined) {
    where.push('event_id = ?');
    params.push(query.eventId);
  }
  if (query.type !== undefined) {
    where.push('type = ?');
    params.push(query.type);
  }
  return {
    text: `SELECT device, ts, received_at, event_id, type, data FROM ${quoteIdentifier(table)}
      WHERE ${where.join(' AND ')} ORDER BY ts ${query.order === 'desc' ? 'DESC' : 'ASC'} LIMIT ?`,
    params: [...params, limit],
  };
}

export function storedEventOf(r: EventDbRow): StoredEvent {
  return {
    deviceName: r.device,
    time: r.ts,
    receivedAt: r.received_at,
    eventId: r.event_id,
    type: r.type,
    data: JSON.parse(r.data) as Record<string, unknown>,
  };
}

/** The SELECT of a property's history from its columns in `table` (SQLite and PostgreSQL, `?` parameters). */
export function historySelect(table: string, columns: readonly PropertyColumn[], query: HistoryQuery, limit: number): { text: string; params: unknown[] } {
  const names = columns.map((c) => quoteIdentifier(c.name));
  return {
    text: `SELECT ts, ${names.join(', ')} FROM ${quoteIdentifier(table)}
      WHERE device = ? AND ts >= ? AND ts < ? AND (${names.map((n) => `${n} IS NOT NULL`).join(' OR ')})
      ORDER BY ts ${query.order === 'desc' ? 'DESC' : 'ASC'} LIMIT ?`,
    params: [query.deviceName, query.from, query.to, limit],
  };
}

/** The rows of {@link historySelect}, each `[ts, …columns]`, as history points. */
export function historyPoints(columns: readonly PropertyColumn[], rows: readonly unknown[][]): HistoryPoint[] {
  return rows.map((r) => ({ time: r[0] as number, value: valueOfRow(columns, r.slice(1)) }));
}

/** The device shadow's query (SQLite and PostgreSQL) and its rows as values by property. */
export const LATEST_SELECT = 'SELECT property, value, ts FROM latest WHERE product_key = ? AND device = ?';

export function latestOf(rows: readonly { property: string; value: string; ts: number }[]): Record<string, LatestValue> {
  const out: Record<string, LatestValue> = {};
  for (const r of rows) out[r.property] = { value: JSON.parse(r.value) as unknown, time: r.ts };
  return out;
}
