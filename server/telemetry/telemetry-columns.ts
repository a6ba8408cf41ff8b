/**
 * How thing model properties become columns, shared by every backend: the storage kind of each TSL type, the column
 * names, the plan that brings a table up to a model version (columns are only ever added), and the conversion of
 * values between the thing model's form and the database's.
 *
 * ## Column names
 * - `p_<identifier>`: a property's first column. The prefix keeps properties clear of the fixed columns (`ts`,
 *   `device`, `received_at`: all valid TSL identifiers) and of SQL keywords.
 * - `p_<identifier>@v<version>`: added when thing model `version` changed the property's storage kind (int → text,
 *   say), so the old column keeps the history written under the old type. The same suffix is used when
 *   `p_<identifier>` is taken, compared case-insensitively, by another property: TSL identifiers are case-sensitive
 *   (`temp` and `Temp` may both exist) and SQLite column names are not.
 * - `p_<identifier>@v<version>_<n>` (n = 2, 3, …) in the unlikely case that is taken too.
 *
 * `@` never occurs in a TSL identifier, so every name parses back to exactly one property (`propertyOfColumn`), and
 * the table's own column list is the whole catalogue: no mapping table to keep in step with it. A property has at
 * most one column per storage kind; a type that changes back (int → text → int) writes to its old column again.
 */
import { badRequest } from '../errors.ts';
import { PRODUCT_KEY_PATTERN } from '../../domain/products/identity.ts';
import { TSL_TEXT_MAX_LENGTH } from '../thing-model/tsl-check.ts';
import { TSL_IDENTIFIER } from '../../domain/thing-model/tsl-problems.ts';
import { isBuiltinEvent, type TslDataType, type TslDocument } from '../../domain/thing-model/tsl-types.ts';
import type { EventType } from '../../domain/thing-model/tsl-types.ts';

/**
 * How a value is stored, which decides its column type. Fewer kinds than TSL types: enum is stored as int and float
 * as double, because changing between them must not split a property's history over two columns.
 */
export type StorageKind = 'int' | 'double' | 'text' | 'bool' | 'date' | 'json';

/** A column of a product's property table, as the database describes it. */
export interface StoredColumn {
  name: string;
  /** Undefined for a column this module did not create: never read or written, but its name is taken. */
  kind: StorageKind | undefined;
  /** Declared width where the backend declares one (TDengine; see its file for the unit); undefined: unbounded. */
  width?: number;
}

/** A column that holds a property's values. */
export interface PropertyColumn extends StoredColumn {
  kind: StorageKind;
  property: string;
}

const PROPERTY_COLUMN = /^p_([A-Za-z][A-Za-z0-9_]{0,31})(?:@v\d+(?:_\d+)?)?$/;
const PRODUCT_KEY = new RegExp(PRODUCT_KEY_PATTERN);

/** The property a column holds, from its name; undefined for any other column. */
export function propertyOfColumn(name: string): string | undefined {
  return PROPERTY_COLUMN.exec(name)?.[1];
}

/** Product keys end up in table names: anything but a product key (docs/protocol.md "Identity") is refused before any SQL is built. */
export function assertProductKey(productKey: string): void {
  if (!PRODUCT_KEY.test(productKey)) throw badRequest(`"${productKey}" is not a product key (${PRODUCT_KEY_PATTERN}).`);
}

/** The storage kind of a TSL data type. */
export function storageKindOf(dataType: TslDataType): StorageKind {
  switch (dataType.type) {
    case 'int':
    case 'enum':
      return 'int';
    case 'float':
    case 'double':
      return 'double';
    case 'text':
      return 'text';
    case 'bool':
      return 'bool';
    case 'date':
      return 'date';
    case 'struct':
    case 'array':
      return 'json';
  }
}

/** A text property's maximum length in characters (TSL's default when `length` is absent). */
export function textLengthOf(dataType: { type: 'text'; specs?: { length?: string | number } }): number {
  const length = Number(dataType.specs?.length);
  return Number.isInteger(length) && length > 0 ? length : TSL_TEXT_MAX_LENGTH;
}

/** What a schema change does to a property table. */
export interface SchemaPlan {
  add: PropertyColumn[];
  /** Existing text/json columns to declare wider (only backends that declare widths get any). */
  widen: PropertyColumn[];
  /** Each property of the model → the column its new values go to. */
  current: Map<string, PropertyColumn>;
}

/**
 * Plans the columns a table needs for a thing model version, given the columns it has. `widthOf` gives the width to
 * declare for a property's column; backends without declared widths (SQLite) leave it out.
 */
export function planColumns(
  existing: readonly StoredColumn[],
  tsl: TslDocument,
  version: number,
  widthOf?: (dataType: TslDataType, kind: StorageKind) => number | undefined,
): SchemaPlan {
  const taken = new Set(existing.map((c) => c.name.toLowerCase()));
  const columns = propertyColumns(existing);
  const plan: SchemaPlan = { add: [], widen: [], current: new Map() };
  for (const property of tsl.properties ?? []) {
    const id = property.identifier;
    // checkTsl guarantees it for published models; a column named from anything else could not be read back.
    if (!TSL_IDENTIFIER.test(id)) throw badRequest(`"${id}" is not a TSL identifier; it cannot name a column.`);
    const kind = storageKindOf(property.dataType);
    const width = widthOf?.(property.dataType, kind);
    const found = columns.find((c) => c.property === id && c.kind === kind);
    if (found) {
      const wider = width !== undefined && found.width !== undefined && width > found.width;
      const column = wider ? { ...found, width } : found;
      if (wider) plan.widen.push(column);
      plan.current.set(id, column);
      continue;
    }
    const column: PropertyColumn = { name: freeName(id, version, taken), kind, property: id, width };
    taken.add(column.name.toLowerCase());
    columns.push(column);
    plan.add.push(column);
    plan.current.set(id, column);
  }
  return plan;
}

function freeName(id: string, version: number, taken: ReadonlySet<string>): string {
  const candidates = [`p_${id}`, `p_${id}@v${version}`];
  for (const name of candidates) if (!taken.has(name.toLowerCase())) return name;
  for (let n = 2; ; n++) {
    const name = `p_${id}@v${version}_${n}`;
    if (!taken.has(name.toLowerCase())) return name;
  }
}

/** The columns among `columns` that hold property values, in table order. */
export function propertyColumns(columns: readonly StoredColumn[]): PropertyColumn[] {
  const out: PropertyColumn[] = [];
  for (const c of columns) {
    const property = propertyOfColumn(c.name);
    if (property !== undefined && c.kind !== undefined) out.push({ name: c.name, kind: c.kind, width: c.width, property });
  }
  return out;
}

/** The types of the product's own events (not Alibaba's generated property `post`). */
export function eventTypesOf(tsl: TslDocument): Map<string, EventType> {
  const types = new Map<string, EventType>();
  for (const event of tsl.events ?? []) if (!isBuiltinEvent(event)) types.set(event.identifier, event.type);
  return types;
}

// ---------------------------------------------------------------------------------------------------------------
// Values

/** A value as a database column holds it: numbers for int/double/bool (0/1)/date (ms), strings for text and JSON. */
export type ColumnValue = number | string;

export type Encoded = { ok: true; column: ColumnValue; value: unknown } | { ok: false; detail: string };

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const DATE_DIGITS = /^[0-9]{1,16}$/;

/**
 * A thing-model value → its column value (and the value in the thing model's own form, for the latest-value
 * table). `json` serialises struct and array values; backends differ in how (see tdengine-sql.ts).
 */
export function encodeValue(kind: StorageKind, value: unknown, json: (value: object) => string): Encoded {
  switch (kind) {
    case 'int':
      return Number.isInteger(value) && (value as number) >= INT32_MIN && (value as number) <= INT32_MAX
        ? { ok: true, column: value as number, value }
        : { ok: false, detail: 'not a 32-bit integer' };
    case 'double':
      return typeof value === 'number' && Number.isFinite(value)
        ? { ok: true, column: value, value }
        : { ok: false, detail: 'not a finite number' };
    case 'text':
      return typeof value === 'string' ? { ok: true, column: value, value } : { ok: false, detail: 'not a string' };
    case 'bool': {
      // The validator normalises true/false to 1/0; accepting both keeps rows from other sources just as readable.
      const bit = value === 1 || value === true ? 1 : value === 0 || value === false ? 0 : undefined;
      return bit === undefined ? { ok: false, detail: 'not 0 or 1' } : { ok: true, column: bit, value: bit };
    }
    case 'date': {
      const ms = typeof value === 'string' && DATE_DIGITS.test(value) ? Number(value) : value;
      return Number.isSafeInteger(ms) && (ms as number) >= 0
        ? { ok: true, column: ms as number, value: String(ms) }
        : { ok: false, detail: 'not a UTC time in milliseconds' };
    }
    case 'json':
      return typeof value === 'object' && value !== null
        ? { ok: true, column: json(value), value }
        : { ok: false, detail: 'not an object or array' };
  }
}

/**
 * A column value read back → the thing model's form. Accepts what either backend returns: SQLite gives 0/1 for
 * bool and ms for date; TDengine's REST API gives true/false and RFC 3339 strings for TIMESTAMP columns.
 */
export function decodeValue(kind: StorageKind, raw: unknown): unknown {
  switch (kind) {
    case 'int':
    case 'double':
      return typeof raw === 'number' ? raw : Number(raw);
    case 'text':
      return String(raw);
    case 'bool':
      return raw === true || raw === 1 ? 1 : 0;
    case 'date':
      return String(typeof raw === 'number' ? raw : Date.parse(String(raw)));
    case 'json':
      return JSON.parse(String(raw)) as unknown;
  }
}
