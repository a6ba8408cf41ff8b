import { DEVICE_NAME_PATTERN } from '../../domain/products/identity.ts';
import { TSL_IDENTIFIER } from '../../domain/thing-model/tsl-problems.ts';
import type { ProductSchema } from './product-schemas.ts';
import { encodeValue, type ColumnValue, type PropertyColumn } from './telemetry-columns.ts';
import type { TelemetryBatch } from './telemetry-store.ts';
import type { EventType } from '../../domain/thing-model/tsl-types.ts';
import type { EpochMs, PropertyRow, SkippedItem, SkipReason } from '../../domain/telemetry/telemetry-rows.ts';

const DEVICE_NAME = new RegExp(DEVICE_NAME_PATTERN);
const EVENT_TYPES: ReadonlySet<string> = new Set<EventType>(['info', 'alert', 'error']);

/** A property row with its values in the order of its group's columns. */
export interface PreparedRow {
  deviceName: string;
  ts: EpochMs;
  receivedAt: EpochMs;
  values: ColumnValue[];
}

/** Rows of one product that carry the same columns: one prepared statement (SQLite), one column list (TDengine). */
export interface PreparedGroup {
  productKey: string;
  columns: PropertyColumn[];
  rows: PreparedRow[];
}

export interface PreparedEvent {
  productKey: string;
  deviceName: string;
  ts: EpochMs;
  receivedAt: EpochMs;
  eventId: string;
  type: EventType;
  /** The event data, serialised. */
  data: string;
}

/** The newest value of a batch per (product, device, property), in the thing model's form. */
export interface PreparedLatest {
  productKey: string;
  deviceName: string;
  property: string;
  value: unknown;
  ts: EpochMs;
}

export interface PreparedBatch {
  groups: PreparedGroup[];
  events: PreparedEvent[];
  latest: PreparedLatest[];
  skipped: SkippedItem[];
  propertyRows: number;
}

/** What differs between backends in turning a batch into rows. */
export interface BatchRules {
  /** Serialises struct/array values and event data. */
  json(value: object): string;
  /** Why an encoded value cannot be stored in its column (declared width, characters), if it cannot. */
  valueProblem?(column: PropertyColumn, value: ColumnValue): [SkipReason, string] | undefined;
  /** Why serialised event data does not fit the event table, if it does not. */
  eventTooLong?(productKey: string, data: string): string | undefined;
  /** Whether to work out each property's newest value (`PreparedBatch.latest`): a backend keeping a shadow table needs it. */
  keepLatest: boolean;
  /** Why a time cannot be stored, if it cannot. */
  timeProblem?(ts: EpochMs): string | undefined;
}

/**
 * Checks and encodes a batch against the products' schemas: each value goes to its property's current column,
 * values that cannot be stored are listed in `skipped` with the reason, and rows are grouped by the columns they
 * carry. The backends only execute the result.
 */
export function prepareBatch(
  batch: TelemetryBatch,
  schemaOf: (productKey: string) => ProductSchema | undefined,
  rules: BatchRules,
): PreparedBatch {
  const skipped: SkippedItem[] = [];
  const groups = new Map<string, PreparedGroup>();
  /** (product, device) → property → newest value: one map lookup per row rather than per value. */
  const latest = new Map<string, Map<string, PreparedLatest>>();
  /**
   * (product, reported keys) → columns: a product's devices report the same keys message after message, so the
   * lookups, ordering and group of a row are worked out once per batch and key list, not per row.
   */
  const shapes = new Map<string, RowShape>();
  const validDevices = new Set<string>();
  let propertyRows = 0;

  for (const row of batch.properties) {
    const { productKey, deviceName, ts } = row;
    const current = schemaOf(productKey)?.current;
    const rowProblem: [SkipReason, string] | undefined = !current
      ? ['unknown-product', `no thing model was given to ensureSchema for product "${productKey}"`]
      : !validDevice(validDevices, deviceName)
        ? ['bad-device-name', `not a device name (${DEVICE_NAME_PATTERN})`]
        : timeOutOfRange(rules, ts);
    if (rowProblem || !current) {
      for (const identifier of Object.keys(row.values)) skipValue(skipped, row, identifier, ...rowProblem!);
      continue;
    }
    const keys = Object.keys(row.values);
    const signature = `${productKey}\u0000${keys.join('\u0000')}`;
    let shape = shapes.get(signature);
    if (!shape) shapes.set(signature, (shape = rowShape(current, keys)));
    for (const identifier of shape.unknown) skipValue(skipped, row, identifier, 'unknown-property', 'the thing model has no such property');
    if (shape.columns.length === 0) continue;

    const { columns, keys: known } = shape;
    const values: ColumnValue[] = new Array<ColumnValue>(columns.length);
    let stored: boolean[] | undefined;
    let newest: Map<string, PreparedLatest> | undefined;
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      const identifier = known[i]!;
      const encoded = encodeValue(column.kind, row.values[identifier], rules.json);
      const problem: [SkipReason, string] | undefined = !encoded.ok
        ? ['wrong-type', `${encoded.detail}; the property is stored as ${column.kind}`]
        : rules.valueProblem?.(column, encoded.column);
      if (problem || !encoded.ok) {
        skipValue(skipped, row, identifier, ...problem!);
        (stored ??= columns.map(() => true))[i] = false;
        continue;
      }
      values[i] = encoded.column;
      if (rules.keepLatest) {
        newest ??= mapOf(latest, `${productKey}\u0000${deviceName}`);
        const seen = newest.get(identifier);
        // `>=`: of two values with the same time the later one in the batch wins, as a later batch would.
        if (!seen || ts >= seen.ts) newest.set(identifier, { productKey, deviceName, property: identifier, value: encoded.value, ts });
      }
    }
    let group: PreparedGroup;
    let rowValues = values;
    if (!stored) {
      group = shape.group ??= groupOf(groups, productKey, shape.groupKey, columns);
    } else {
      // Some values could not be stored: the row carries fewer columns, so it belongs to another group.
      const kept = columns.filter((_, i) => stored[i]);
      if (kept.length === 0) continue;
      rowValues = values.filter((_, i) => stored[i]);
      group = groupOf(groups, productKey, kept.map((c) => c.name).join('\u0000'), kept);
    }
    group.rows.push({ deviceName, ts, receivedAt: row.receivedAt, values: rowValues });
    propertyRows++;
  }

  const events: PreparedEvent[] = [];
  for (const event of batch.events) {
    const { productKey, deviceName, ts, eventId } = event;
    const skip = (reason: SkipReason, detail: string) =>
      skipped.push({ productKey, deviceName, ts, identifier: eventId, kind: 'event', reason, detail });
    const schema = schemaOf(productKey);
    if (!schema?.current) {
      skip('unknown-product', `no thing model was given to ensureSchema for product "${productKey}"`);
      continue;
    }
    if (!validDevice(validDevices, deviceName)) {
      skip('bad-device-name', `not a device name (${DEVICE_NAME_PATTERN})`);
      continue;
    }
    if (!TSL_IDENTIFIER.test(eventId)) {
      skip('unknown-event', 'not a TSL identifier');
      continue;
    }
    const type = event.type ?? schema.eventTypes.get(eventId);
    if (type === undefined) {
      skip('unknown-event', 'no type was given and the thing model does not define the event');
      continue;
    }
    if (!EVENT_TYPES.has(type)) {
      skip('wrong-type', `event type "${String(type)}" is not info, alert or error`);
      continue;
    }
    const timeProblem = timeOutOfRange(rules, ts);
    if (timeProblem) {
      skip(...timeProblem);
      continue;
    }
    const data = rules.json(event.data ?? {});
    const tooLong = rules.eventTooLong?.(productKey, data);
    if (tooLong !== undefined) {
      skip('too-long', tooLong);
      continue;
    }
    events.push({ productKey, deviceName, ts, receivedAt: event.receivedAt, eventId, type, data });
  }

  const newest = [...latest.values()].flatMap((byProperty) => [...byProperty.values()]);
  return { groups: [...groups.values()], events, latest: newest, skipped, propertyRows };
}

function timeOutOfRange(rules: BatchRules, ts: EpochMs): ['out-of-range', string] | undefined {
  if (!Number.isSafeInteger(ts)) return ['out-of-range', 'the time is not a whole number of milliseconds'];
  const problem = rules.timeProblem?.(ts);
  return problem === undefined ? undefined : ['out-of-range', problem];
}

interface RowShape {
  /** Known identifiers and their columns, in column-name order (the group's column order). */
  keys: string[];
  columns: PropertyColumn[];
  unknown: string[];
  groupKey: string;
  /** The group of rows that carry every known value (the usual case), once looked up. */
  group?: PreparedGroup;
}

function skipValue(skipped: SkippedItem[], row: PropertyRow, identifier: string, reason: SkipReason, detail: string): void {
  skipped.push({ productKey: row.productKey, deviceName: row.deviceName, ts: row.ts, identifier, kind: 'property', reason, detail });
}

function rowShape(current: ReadonlyMap<string, PropertyColumn>, keys: readonly string[]): RowShape {
  const known = keys
    .map((key) => ({ key, column: current.get(key) }))
    .filter((k): k is { key: string; column: PropertyColumn } => k.column !== undefined)
    .sort((a, b) => (a.column.name < b.column.name ? -1 : 1));
  const columns = known.map((k) => k.column);
  return {
    keys: known.map((k) => k.key),
    columns,
    unknown: keys.filter((key) => !current.has(key)),
    groupKey: columns.map((c) => c.name).join('\u0000'),
  };
}

function groupOf(
  groups: Map<string, PreparedGroup>,
  productKey: string,
  columnsKey: string,
  columns: PropertyColumn[],
): PreparedGroup {
  const key = `${productKey}\u0000${columnsKey}`;
  let group = groups.get(key);
  if (!group) groups.set(key, (group = { productKey, columns, rows: [] }));
  return group;
}

function mapOf<K, V>(maps: Map<string, Map<K, V>>, key: string): Map<K, V> {
  let map = maps.get(key);
  if (!map) maps.set(key, (map = new Map()));
  return map;
}

function validDevice(valid: Set<string>, deviceName: string): boolean {
  if (valid.has(deviceName)) return true;
  if (!DEVICE_NAME.test(deviceName)) return false;
  valid.add(deviceName);
  return true;
}
