/**
 * The SQL the TDengine backend sends, as pure functions of their inputs, so the exact statements are unit-tested
 * without a server (tdengine-telemetry.test.ts).
 *
 * Layout, per Thingwire instance one database (millisecond precision); per product:
 * - super table `t_<productKey>`: `ts TIMESTAMP, received_at TIMESTAMP` + one column per property (names and kinds
 *   in telemetry-columns.ts), `TAGS (device NCHAR(64))`; one sub-table per device, created by the first INSERT.
 * - super table `e_<productKey>`: `ts, received_at, event_id, type, data` with the same tag.
 *
 * Injection: every identifier is generated here and checked against a strict pattern, then backquoted (TDengine
 * keeps backquoted names as they are, with no escape for a backquote inside, hence the check rather than an escape).
 * Device names, the one outside input that names things, never become identifiers: sub-tables are named by a hash
 * and the device name is only ever a string literal (the tag value), escaped per TDengine's escape table.
 */
import { createHash } from 'node:crypto';
import type { TslArrayItem, TslDataType } from '../../domain/thing-model/tsl-types.ts';
import type { PreparedEvent, PreparedGroup } from './telemetry-batch.ts';
import { textLengthOf, type ColumnValue, type PropertyColumn, type StorageKind } from './telemetry-columns.ts';

/** Database names are written bare (unquoted), so they are held to TDengine's plain identifier rule, lowercase. */
const DATABASE_NAME = /^[a-z][a-z0-9_]{0,63}$/;
/** What this module generates: product keys (`[A-Za-z0-9_-]`), column names (`@`), hashes. */
const IDENTIFIER = /^[A-Za-z0-9_@-]{1,192}$/;

/** Device names are at most 64 characters (docs/protocol.md "Identity"); the tag is as wide. */
export const DEVICE_TAG = '`device` NCHAR(64)';

/**
 * Column type per storage kind. float is stored as DOUBLE, not FLOAT: devices send decimal JSON numbers, and a
 * FLOAT column would give back 23.6 as 23.6000003814697 in averages and make the two backends disagree; the four
 * extra bytes per value compress away. Text is NCHAR (TDengine's advice for non-ASCII text) and counts characters
 * as TSL lengths do; struct/array JSON is VARCHAR holding ASCII-only JSON (see `asciiJson`), so a byte is a
 * character and the two stay distinguishable when the table is described.
 */
const COLUMN_TYPES: Record<StorageKind, (width: number | undefined) => string> = {
  int: () => 'INT',
  double: () => 'DOUBLE',
  text: (width) => `NCHAR(${width ?? 1})`,
  bool: () => 'BOOL',
  date: () => 'TIMESTAMP',
  json: (width) => `VARCHAR(${width ?? 1})`,
};

/** Storage kind of a column type as DESCRIBE reports it; VARCHAR is what TDengine 3 calls BINARY. */
export function kindOfColumnType(type: string): StorageKind | undefined {
  switch (type.toUpperCase()) {
    case 'INT':
      return 'int';
    case 'DOUBLE':
      return 'double';
    case 'NCHAR':
      return 'text';
    case 'BOOL':
      return 'bool';
    case 'TIMESTAMP':
      return 'date';
    case 'VARCHAR':
    case 'BINARY':
      return 'json';
    default:
      return undefined;
  }
}

/** Bytes a column takes in a row, for TDengine's row size limit: NCHAR is 4 bytes a character, and variable columns carry 2 more. */
export function columnRowBytes(kind: StorageKind, width: number | undefined): number {
  switch (kind) {
    case 'int':
      return 4;
    case 'double':
    case 'date':
      return 8;
    case 'bool':
      return 1;
    case 'text':
      return 4 * (width ?? 1) + 2;
    case 'json':
      return (width ?? 1) + 2;
  }
}

export function checkDatabaseName(database: string): string {
  if (!DATABASE_NAME.test(database)) {
    throw new Error(`TDengine database name "${database}" must match ${DATABASE_NAME.source}.`);
  }
  return database;
}

/** A backquoted identifier; throws for anything but what this module generates. */
export function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`refusing to use "${name}" as a TDengine identifier`);
  return `\`${name}\``;
}

/** A string literal per TDengine's escape table (backslash escapes; `\%` and `\_` are only special in LIKE). */
export function stringLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error('TDengine SQL cannot carry a NUL character');
  return `'${value.replace(/[\\'\n\r\t]/g, (c) => STRING_ESCAPES[c]!)}'`;
}
const STRING_ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * JSON with every non-ASCII character as a `\uXXXX` escape: TDengine's VARCHAR is meant for ASCII, a byte is then
 * a character (so declared widths mean what they say), and `JSON.parse` gives back the same value.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The most characters `asciiJson` can write for a value of this type: what a VARCHAR column must declare to hold
 * every valid value. Text counts 6 per character (the `\uXXXX` of non-ASCII), so the bound is generous.
 */
export function jsonWidth(dataType: TslDataType | TslArrayItem): number {
  switch (dataType.type) {
    case 'int':
    case 'enum':
      return 11; // -2147483648
    case 'float':
    case 'double':
      return 24; // -1.7976931348623157e+308
    case 'bool':
      return 1;
    case 'date':
      return 18; // "…16 digits…"
    case 'text':
      return 2 + 6 * textLengthOf(dataType);
    case 'struct': {
      const fields = dataType.specs;
      const inner = fields.reduce((sum, f) => sum + f.identifier.length + 3 + jsonWidth(f.dataType), 0);
      return 2 + inner + Math.max(0, fields.length - 1);
    }
    case 'array': {
      const specs = dataType.specs;
      const size = Number(specs.size) || 1;
      return 2 + size * jsonWidth(specs.item) + (size - 1);
    }
  }
}

/** Super table of a product's property rows / events. */
export const propertyTable = (productKey: string): string => `t_${productKey}`;
export const eventTable = (productKey: string): string => `e_${productKey}`;

/**
 * A device's sub-table: device names may hold `.` (no TDengine table name may) and are unique only within their
 * product while sub-table names are unique in the database, so the name is a hash of both; the device name is the
 * tag. 128 bits: collisions are not a practical concern.
 */
export function subTable(kind: 'properties' | 'events', productKey: string, deviceName: string): string {
  const hash = createHash('sha256').update(`${productKey}\n${deviceName}`).digest('hex').slice(0, 32);
  return `${kind === 'properties' ? 'dt' : 'de'}_${hash}`;
}

const qualified = (database: string, table: string) => `${database}.${identifier(table)}`;

export const createDatabaseSql = (database: string): string =>
  `CREATE DATABASE IF NOT EXISTS ${database} PRECISION 'ms'`;

export const databaseInfoSql = (database: string): string =>
  `SELECT \`precision\`, \`keep\` FROM information_schema.ins_databases WHERE \`name\` = ${stringLiteral(database)}`;

export const createPropertyTableSql = (database: string, productKey: string): string =>
  `CREATE STABLE IF NOT EXISTS ${qualified(database, propertyTable(productKey))} ` +
  `(\`ts\` TIMESTAMP, \`received_at\` TIMESTAMP) TAGS (${DEVICE_TAG})`;

export const createEventTableSql = (database: string, productKey: string, dataWidth: number): string =>
  `CREATE STABLE IF NOT EXISTS ${qualified(database, eventTable(productKey))} ` +
  `(\`ts\` TIMESTAMP, \`received_at\` TIMESTAMP, \`event_id\` VARCHAR(32), \`type\` VARCHAR(8), \`data\` VARCHAR(${dataWidth})) ` +
  `TAGS (${DEVICE_TAG})`;

export const stableExistsSql = (database: string, table: string): string =>
  `SELECT \`stable_name\` FROM information_schema.ins_stables WHERE \`db_name\` = ${stringLiteral(database)} ` +
  `AND \`stable_name\` = ${stringLiteral(table)}`;

export const describeSql = (database: string, table: string): string => `DESCRIBE ${qualified(database, table)}`;

export const addColumnSql = (database: string, productKey: string, column: PropertyColumn): string =>
  `ALTER STABLE ${qualified(database, propertyTable(productKey))} ADD COLUMN ${identifier(column.name)} ${COLUMN_TYPES[column.kind](column.width)}`;

/** Only NCHAR/VARCHAR widths can change, and only upwards. */
export const widenColumnSql = (database: string, table: string, name: string, type: string): string =>
  `ALTER STABLE ${qualified(database, table)} MODIFY COLUMN ${identifier(name)} ${type}`;

export const columnType = (column: Pick<PropertyColumn, 'kind' | 'width'>): string => COLUMN_TYPES[column.kind](column.width);

/** A column value as a literal of its column's type. */
export function valueLiteral(kind: StorageKind, value: ColumnValue): string {
  switch (kind) {
    case 'bool':
      return value === 1 ? 'true' : 'false';
    case 'text':
    case 'json':
      return stringLiteral(String(value));
    default:
      // int, double, date (ms, read in the database's millisecond precision): JavaScript's shortest round-trip form.
      return String(value);
  }
}

/**
 * Multi-row, multi-table INSERTs creating sub-tables on first use (`USING … TAGS`), cut into statements of at most
 * `maxBytes` (TDengine's `maxSQLLength`, 1 MB by default), one clause per device. A statement is all-or-nothing per
 * vnode, so a batch is as atomic as TDengine makes it.
 */
export function insertStatements(
  database: string,
  groups: readonly PreparedGroup[],
  events: readonly PreparedEvent[],
  maxBytes: number,
): string[] {
  // One clause per sub-table, listing every column the device's rows carry in this batch (NULL where a row lacks
  // one, which is what TDengine stores for an unlisted column anyway): a sub-table named twice in one statement
  // with two column lists is a form TDengine's documentation does not promise to accept.
  const devices = new Map<string, { productKey: string; deviceName: string; columns: Map<string, PropertyColumn>; rows: Array<[PreparedGroup, number]> }>();
  for (const group of groups) {
    for (let r = 0; r < group.rows.length; r++) {
      const { deviceName } = group.rows[r]!;
      const key = `${group.productKey}\u0000${deviceName}`;
      let device = devices.get(key);
      if (!device) devices.set(key, (device = { productKey: group.productKey, deviceName, columns: new Map(), rows: [] }));
      for (const c of group.columns) device.columns.set(c.name, c);
      device.rows.push([group, r]);
    }
  }
  const clauses: Array<{ head: string; rows: string[] }> = [];
  for (const { productKey, deviceName, columns, rows } of devices.values()) {
    const ordered = [...columns.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    const position = new Map(ordered.map((c, i) => [c.name, i]));
    const head =
      `${qualified(database, subTable('properties', productKey, deviceName))} ` +
      `USING ${qualified(database, propertyTable(productKey))} (\`device\`) TAGS (${stringLiteral(deviceName)}) ` +
      `(${['`ts`', '`received_at`', ...ordered.map((c) => identifier(c.name))].join(', ')}) VALUES`;
    const tuples = rows.map(([group, r]) => {
      const row = group.rows[r]!;
      const values = new Array<string>(ordered.length).fill('NULL');
      group.columns.forEach((c, i) => (values[position.get(c.name)!] = valueLiteral(c.kind, row.values[i]!)));
      return `(${[row.ts, row.receivedAt, ...values].join(', ')})`;
    });
    clauses.push({ head, rows: tuples });
  }
  const eventsByTable = new Map<string, { head: string; rows: string[] }>();
  for (const e of events) {
    const table = subTable('events', e.productKey, e.deviceName);
    let clause = eventsByTable.get(table);
    if (!clause) {
      const head =
        `${qualified(database, table)} USING ${qualified(database, eventTable(e.productKey))} (\`device\`) ` +
        `TAGS (${stringLiteral(e.deviceName)}) (\`ts\`, \`received_at\`, \`event_id\`, \`type\`, \`data\`) VALUES`;
      eventsByTable.set(table, (clause = { head, rows: [] }));
    }
    clause.rows.push(`(${e.ts}, ${e.receivedAt}, ${stringLiteral(e.eventId)}, ${stringLiteral(e.type)}, ${stringLiteral(e.data)})`);
  }
  clauses.push(...eventsByTable.values());

  const statements: string[] = [];
  let sql = '';
  let bytes = 0;
  const flush = () => {
    if (sql) statements.push(sql);
    sql = '';
    bytes = 0;
  };
  for (const { head, rows } of clauses) {
    let open = false;
    for (const row of rows) {
      const rowBytes = Buffer.byteLength(row) + 1;
      const headBytes = open ? 0 : Buffer.byteLength(head) + 1;
      if (sql && bytes + headBytes + rowBytes > maxBytes) {
        flush();
        open = false;
      }
      if (!sql) {
        sql = 'INSERT INTO';
        bytes = sql.length;
      }
      if (!open) {
        sql += ` ${head}`;
        bytes += Buffer.byteLength(head) + 1;
        open = true;
      }
      sql += ` ${row}`;
      bytes += rowBytes;
    }
  }
  flush();
  return statements;
}

/** A range condition on the primary timestamp: `from` inclusive, `to` exclusive. */
const range = (from: number, to: number) => `\`ts\` >= ${from} AND \`ts\` < ${to}`;

export function historySql(
  database: string,
  productKey: string,
  deviceName: string,
  columns: readonly string[],
  from: number,
  to: number,
  order: 'asc' | 'desc',
  limit: number,
): string {
  const names = columns.map(identifier);
  return (
    `SELECT \`ts\`, ${names.join(', ')} FROM ${qualified(database, propertyTable(productKey))} ` +
    `WHERE \`device\` = ${stringLiteral(deviceName)} AND ${range(from, to)} ` +
    `AND (${names.map((n) => `${n} IS NOT NULL`).join(' OR ')}) ORDER BY \`ts\` ${order.toUpperCase()} LIMIT ${limit}`
  );
}

/** Downsampling with INTERVAL; windows are aligned to the epoch plus `offset`, so they start at the query's `from`. */
export function bucketsSql(
  database: string,
  productKey: string,
  deviceName: string,
  column: string,
  from: number,
  to: number,
  width: number,
  offset: number,
): string {
  const c = identifier(column);
  return (
    `SELECT _wstart, MIN(${c}), MAX(${c}), AVG(${c}), COUNT(${c}) FROM ${qualified(database, propertyTable(productKey))} ` +
    `WHERE \`device\` = ${stringLiteral(deviceName)} AND ${range(from, to)} AND ${c} IS NOT NULL ` +
    `INTERVAL(${width}a${offset > 0 ? `, ${offset}a` : ''})`
  );
}

/**
 * A column's last non-NULL value and its time. LAST skips NULLs; the filter makes `LAST(ts)` the time of that
 * value rather than of the device's last row. (One query per column: LAST over several columns gives each column's
 * value but only one time.)
 */
export const latestSql = (database: string, productKey: string, deviceName: string, column: string): string =>
  `SELECT LAST(\`ts\`), LAST(${identifier(column)}) FROM ${qualified(database, propertyTable(productKey))} ` +
  `WHERE \`device\` = ${stringLiteral(deviceName)} AND ${identifier(column)} IS NOT NULL`;

export function eventsSql(
  database: string,
  productKey: string,
  filter: { deviceName?: string; eventId?: string; type?: string; from: number; to: number },
  order: 'asc' | 'desc',
  limit: number,
): string {
  const where = [range(filter.from, filter.to)];
  if (filter.deviceName !== undefined) where.push(`\`device\` = ${stringLiteral(filter.deviceName)}`);
  if (filter.eventId !== undefined) where.push(`\`event_id\` = ${stringLiteral(filter.eventId)}`);
  if (filter.type !== undefined) where.push(`\`type\` = ${stringLiteral(filter.type)}`);
  return (
    `SELECT \`ts\`, \`received_at\`, \`device\`, \`event_id\`, \`type\`, \`data\` FROM ${qualified(database, eventTable(productKey))} ` +
    `WHERE ${where.join(' AND ')} ORDER BY \`ts\` ${order.toUpperCase()} LIMIT ${limit}`
  );
}

/** TDengine's DELETE takes a condition on the timestamp only, which is all retention needs. */
export const deleteBeforeSql = (database: string, table: string, before: number): string =>
  `DELETE FROM ${qualified(database, table)} WHERE \`ts\` < ${before}`;
