import { ApiError } from '../errors.ts';
import type { EventType, TslDataType, TslDocument } from '../../domain/thing-model/tsl-types.ts';
import { isBuiltinEvent } from '../../domain/thing-model/tsl-types.ts';
import { ProductSchemas, type SchemaStorage } from './product-schemas.ts';
import { prepareBatch, type BatchRules } from './telemetry-batch.ts';
import { textLengthOf, type PropertyColumn, type SchemaPlan, type StorageKind, type StoredColumn } from './telemetry-columns.ts';
import { bucketLayout, checkRange, columnsOf, limitOf, mergeBuckets, numericColumns, valueOfRow } from './telemetry-query.ts';
import type { Bucket, BucketQuery, EventQuery, HistoryPoint, HistoryQuery, LatestValue, StoredEvent, TelemetryBackend, TelemetryBatch, WriteResult } from './telemetry-store.ts';
import { affectedRows, TdengineRest, type TdengineConnection, type TdResult } from './tdengine-rest.ts';
import {
  addColumnSql,
  asciiJson,
  bucketsSql,
  checkDatabaseName,
  columnRowBytes,
  columnType,
  createDatabaseSql,
  createEventTableSql,
  createPropertyTableSql,
  databaseInfoSql,
  deleteBeforeSql,
  describeSql,
  eventsSql,
  eventTable,
  historySql,
  insertStatements,
  jsonWidth,
  kindOfColumnType,
  latestSql,
  propertyTable,
  stableExistsSql,
  widenColumnSql,
} from './tdengine-sql.ts';

export interface TdengineTelemetryOptions extends TdengineConnection {
  /** The database of this Thingwire instance (created with millisecond precision if missing); default `thingwire`. */
  database?: string;
  /** Longest INSERT statement sent; TDengine's `maxSQLLength` defaults to 1 MB. Default 1,000,000 bytes. */
  maxSqlBytes?: number;
  /**
   * Widest text column, in characters (default 2048). TDengine rows hold at most 64 KB and NCHAR takes 4 bytes a
   * character, so TSL's default text length (10,240) cannot be declared for more than one property; a longer value
   * is skipped with reason `too-long`.
   */
  maxTextLength?: number;
  /** Widest struct/array column, in bytes of ASCII JSON (default 8192); longer values are skipped (`too-long`). */
  maxJsonLength?: number;
  /** Widest event data column (default 16,384 bytes). */
  maxEventDataLength?: number;
  /** Clock, for the database's keep window; tests set it. */
  now?: () => number;
}

/** TDengine's row size limit (3.0.5 and later), less the two timestamps every row has. */
const MAX_ROW_BYTES = 65_536 - 16;
/** Parallel LAST queries per `latest` call. */
const LATEST_CONCURRENCY = 8;
/** Rows older than keep minus this margin are not sent: TDengine would refuse the whole statement for one of them. */
const KEEP_MARGIN_MS = 60 * 60_000;
const DEFAULT_KEEP_MS = 3650 * 86_400_000;

/**
 * Opens the TDengine backend: creates the database if missing and checks it counts time in milliseconds (the SQL
 * writes times as integer milliseconds, which TDengine reads in the database's precision).
 */
export async function openTdengineTelemetry(options: TdengineTelemetryOptions): Promise<TdengineTelemetry> {
  const database = checkDatabaseName(options.database ?? 'thingwire');
  const rest = new TdengineRest(options);
  await rest.query(createDatabaseSql(database));
  const info = await rest.query(databaseInfoSql(database));
  const row = info.rows[0];
  const precision = row?.[column(info, 'precision')];
  if (precision !== 'ms') {
    throw new Error(`TDengine database "${database}" has precision "${String(precision)}"; Thingwire needs one created with PRECISION 'ms'.`);
  }
  return new TdengineTelemetry(rest, database, parseKeep(row?.[column(info, 'keep')]) ?? DEFAULT_KEEP_MS, options);
}

/**
 * The telemetry backend at scale (docs/architecture.md "Storage", docs/operations.md "TDengine"), over TDengine's REST API. Table layout and the exact SQL are
 * in tdengine-sql.ts. Several Thingwire instances may share the database: schema changes are read back from
 * TDengine rather than assumed (see ProductSchemas).
 *
 * Differences from SQLite a user may notice: TDengine keeps one row per device and millisecond (a second row with
 * the same time replaces the first, for properties and events alike), and text/JSON columns have declared widths
 * (see the options).
 */
export class TdengineTelemetry implements TelemetryBackend {
  readonly #schemas: ProductSchemas;
  readonly #eventDataWidth = new Map<string, number>();
  readonly #rules: BatchRules;
  readonly #maxSqlBytes: number;
  readonly #maxText: number;
  readonly #maxJson: number;
  readonly #maxEventData: number;

  constructor(
    private readonly rest: TdengineRest,
    private readonly database: string,
    keepMs: number,
    options: TdengineTelemetryOptions,
  ) {
    this.#maxSqlBytes = options.maxSqlBytes ?? 1_000_000;
    this.#maxText = options.maxTextLength ?? 2048;
    this.#maxJson = options.maxJsonLength ?? 8192;
    this.#maxEventData = options.maxEventDataLength ?? 16_384;
    const now = options.now ?? Date.now;
    this.#schemas = new ProductSchemas(this.#storage(), (dataType, kind) => this.#widthOf(dataType, kind));
    this.#rules = {
      json: asciiJson,
      // The latest values are the last rows (LAST), not a table of their own.
      keepLatest: false,
      valueProblem: (column, value) => {
        if (column.kind === 'text') {
          const text = value as string;
          if (text.includes('\u0000')) return ['unsupported-character', 'TDengine cannot store a NUL character'];
          const width = column.width ?? 0;
          // UTF-16 length bounds the character count from above: only long text pays for counting code points.
          const length = text.length <= width ? text.length : [...text].length;
          if (length > width) return ['too-long', `${length} characters; the column holds ${column.width}`];
        } else if (column.kind === 'json' && (value as string).length > (column.width ?? 0)) {
          return ['too-long', `${(value as string).length} bytes of JSON; the column holds ${column.width}`];
        }
        return undefined;
      },
      eventTooLong: (productKey, data) => {
        const width = this.#eventDataWidth.get(productKey) ?? 0;
        return data.length > width ? `${data.length} bytes of JSON; the product's events hold ${width}` : undefined;
      },
      timeProblem: (ts) =>
        ts < now() - keepMs + KEEP_MARGIN_MS
          ? `older than the TDengine database keeps (${Math.round(keepMs / 86_400_000)} days)`
          : undefined,
    };
  }

  async ensureSchema(productKey: string, version: number, tsl: TslDocument): Promise<void> {
    await this.#schemas.ensure(productKey, version, tsl);
  }

  async writeBatch(batch: TelemetryBatch): Promise<WriteResult> {
    const prepared = prepareBatch(batch, (productKey) => this.#schemas.cached(productKey), this.#rules);
    // Sent one after another: a statement already spans many sub-tables and vnodes, and a failure stops the rest.
    // Retrying a failed batch is safe: rows with the same device and time replace each other.
    for (const sql of insertStatements(this.database, prepared.groups, prepared.events, this.#maxSqlBytes)) {
      await this.rest.query(sql);
    }
    return { propertyRows: prepared.propertyRows, events: prepared.events.length, skipped: prepared.skipped };
  }

  async latest(productKey: string, deviceName: string): Promise<Record<string, LatestValue>> {
    const schema = await this.#schemas.forReading(productKey);
    const out: Record<string, LatestValue> = {};
    if (!schema) return out;
    const columns = [...schema.columns];
    const worker = async () => {
      for (let c = columns.shift(); c; c = columns.shift()) {
        const result = await this.rest.query(latestSql(this.database, productKey, deviceName, c.name));
        const row = result.rows[0];
        if (!row || row[0] === null || row[1] === null) continue;
        const time = timeOf(row[0]);
        const seen = out[c.property];
        if (!seen || time > seen.time) out[c.property] = { value: valueOfRow([c], [row[1]]), time };
      }
    };
    await Promise.all(Array.from({ length: Math.min(LATEST_CONCURRENCY, columns.length) }, worker));
    return out;
  }

  async history(query: HistoryQuery): Promise<HistoryPoint[]> {
    checkRange(query.productKey, query);
    const limit = limitOf(query.limit);
    const columns = columnsOf(await this.#schemas.forReading(query.productKey), query.property);
    if (columns.length === 0) return [];
    const sql = historySql(
      this.database,
      query.productKey,
      query.deviceName,
      columns.map((c) => c.name),
      query.from,
      query.to,
      query.order ?? 'asc',
      limit,
    );
    const result = await this.rest.query(sql);
    return result.rows.map((r) => ({ time: timeOf(r[0]), value: valueOfRow(columns, r.slice(1)) }));
  }

  async historyBuckets(query: BucketQuery): Promise<Bucket[]> {
    checkRange(query.productKey, query);
    const { width, offset } = bucketLayout(query);
    const columns = numericColumns(await this.#schemas.forReading(query.productKey), query.property);
    const perColumn = await Promise.all(
      columns.map(async (c) => {
        const sql = bucketsSql(this.database, query.productKey, query.deviceName, c.name, query.from, query.to, width, offset);
        const result = await this.rest.query(sql);
        return result.rows.map(
          (r): Bucket => ({ time: timeOf(r[0]), min: Number(r[1]), max: Number(r[2]), avg: Number(r[3]), count: Number(r[4]) }),
        );
      }),
    );
    return perColumn.length === 0 ? [] : mergeBuckets(perColumn);
  }

  async events(query: EventQuery): Promise<StoredEvent[]> {
    checkRange(query.productKey, query);
    const limit = limitOf(query.limit);
    if (!(await this.#schemas.forReading(query.productKey))) return [];
    const result = await this.rest.query(eventsSql(this.database, query.productKey, query, query.order ?? 'asc', limit));
    return result.rows.map((r) => ({
      time: timeOf(r[0]),
      receivedAt: timeOf(r[1]),
      deviceName: String(r[2]),
      eventId: String(r[3]),
      type: String(r[4]) as EventType,
      data: JSON.parse(String(r[5])) as Record<string, unknown>,
    }));
  }

  async deleteBefore(productKey: string, before: number): Promise<number> {
    checkRange(productKey, { from: before, to: before });
    if (!(await this.#schemas.forReading(productKey))) return 0;
    let deleted = 0;
    for (const table of [propertyTable(productKey), eventTable(productKey)]) {
      deleted += affectedRows(await this.rest.query(deleteBeforeSql(this.database, table, before)));
    }
    return deleted;
  }

  async close(): Promise<void> {
    // Stateless HTTP: nothing to release.
  }

  #widthOf(dataType: TslDataType, kind: StorageKind): number | undefined {
    if (kind === 'text' && dataType.type === 'text') return Math.min(textLengthOf(dataType), this.#maxText);
    if (kind === 'json') return Math.min(jsonWidth(dataType), this.#maxJson);
    return undefined;
  }

  #storage(): SchemaStorage {
    return {
      createTables: async (productKey, tsl) => {
        await this.rest.query(createPropertyTableSql(this.database, productKey));
        const wanted = this.#eventWidthFor(tsl);
        await this.rest.query(createEventTableSql(this.database, productKey, wanted));
        // The table may predate this model (and have been created narrower by an earlier one).
        const data = (await this.#describe(eventTable(productKey))).find((c) => c.name === 'data');
        let width = data?.width ?? wanted;
        if (width < wanted) {
          await this.rest.query(widenColumnSql(this.database, eventTable(productKey), 'data', `VARCHAR(${wanted})`));
          width = wanted;
        }
        this.#eventDataWidth.set(productKey, width);
      },
      describe: async (productKey) => {
        const exists = await this.rest.query(stableExistsSql(this.database, propertyTable(productKey)));
        return exists.rows.length === 0 ? undefined : this.#describe(propertyTable(productKey));
      },
      alter: async (productKey, plan: SchemaPlan, existing: readonly StoredColumn[]) => {
        assertRowFits(productKey, existing, plan);
        for (const c of plan.add) await this.rest.query(addColumnSql(this.database, productKey, c));
        for (const c of plan.widen) {
          await this.rest.query(widenColumnSql(this.database, propertyTable(productKey), c.name, columnType(c)));
        }
      },
    };
  }

  async #describe(table: string): Promise<StoredColumn[]> {
    const result = await this.rest.query(describeSql(this.database, table));
    const [field, type, length, note] = ['field', 'type', 'length', 'note'].map((name) => column(result, name));
    return result.rows
      .filter((r) => r[note!] !== 'TAG')
      .map((r) => {
        const kind = kindOfColumnType(String(r[type!]));
        const width = kind === 'text' || kind === 'json' ? Number(r[length!]) : undefined;
        return { name: String(r[field!]), kind, width };
      });
  }

  /** Widest JSON any of the model's events can send, within the configured cap. */
  #eventWidthFor(tsl: TslDocument): number {
    let widest = 2;
    for (const event of tsl.events ?? []) {
      if (isBuiltinEvent(event)) continue;
      widest = Math.max(widest, jsonWidth({ type: 'struct', specs: event.outputData ?? [] }));
    }
    return Math.min(Math.max(widest, 256), this.#maxEventData);
  }
}

/** TDengine refuses a table whose declared row exceeds 64 KB; say which properties take the room before it does. */
function assertRowFits(productKey: string, existing: readonly StoredColumn[], plan: SchemaPlan): void {
  const columns = [
    ...existing.filter((c) => c.name !== 'ts' && c.name !== 'received_at').map((c) => plan.widen.find((w) => w.name === c.name) ?? c),
    ...plan.add,
  ];
  const sized = columns.map((c) => ({ c, bytes: c.kind === undefined ? 0 : columnRowBytes(c.kind, c.width) }));
  const total = sized.reduce((sum, s) => sum + s.bytes, 0);
  if (total <= MAX_ROW_BYTES) return;
  const widest = sized
    .filter((s): s is { c: PropertyColumn; bytes: number } => 'property' in s.c)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 5)
    .map((s) => `${s.c.property} (${s.bytes} bytes)`);
  throw new ApiError(
    422,
    'telemetry_row_too_wide',
    `Product "${productKey}" needs ${total} bytes per TDengine row, more than the ${MAX_ROW_BYTES} TDengine allows; ` +
      `give the widest text properties a smaller length: ${widest.join(', ')}.`,
  );
}

/** Index of a result column by name. */
function column(result: TdResult, name: string): number {
  const index = result.columns.findIndex((c) => c.name.toLowerCase() === name);
  if (index < 0) throw new Error(`TDengine's answer has no "${name}" column`);
  return index;
}

/** TIMESTAMP values arrive as RFC 3339 strings from the REST API. */
function timeOf(raw: unknown): number {
  return typeof raw === 'number' ? raw : Date.parse(String(raw));
}

/** `keep` as `information_schema.ins_databases` shows it (`3650d,3650d,3650d`, or in minutes) → the longest, in ms. */
export function parseKeep(raw: unknown): number | undefined {
  const units: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };
  let longest: number | undefined;
  for (const part of String(raw ?? '').split(',')) {
    const match = /^\s*(\d+)([mhd]?)\s*$/.exec(part);
    if (!match) continue;
    const ms = Number(match[1]) * units[match[2] || 'd']!;
    longest = Math.max(longest ?? 0, ms);
  }
  return longest;
}
