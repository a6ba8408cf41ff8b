/**
 * The telemetry store (docs/architecture.md "Storage"): property history, events and the latest value per device property (the
 * device shadow), behind one interface with two backends: SQLite (embedded default) and TDengine (at scale). Both pass
 * the same contract suite (telemetry-contract.ts).
 *
 * Values cross this interface in the form the thing model's validators produce (tsl-compiler.ts): numbers for
 * int/float/double/enum, 0 or 1 for bool, a string of digits (UTC ms) for date, a string for text, the JSON value
 * for struct and array. Reads give them back in the same form, whatever the backend stores.
 */
import type { Receipt } from '../../domain/devices/thing-message.ts';
import type { EventType, TslDocument } from '../../domain/thing-model/tsl-types.ts';
import type { EpochMs, EventRow, PropertyRow, SkippedItem } from '../../domain/telemetry/telemetry-rows.ts';

export interface TelemetryBatch {
  properties: PropertyRow[];
  events: EventRow[];
  /**
   * The verdicts of the messages these rows came from, committed with them by backends that can
   * (`recentReceipts` defined): a device resending a stored message after a crash is then answered, not stored twice.
   */
  receipts?: Receipt[];
}

export interface WriteResult {
  /** Property rows written (a row none of whose values could be stored is not written). */
  propertyRows: number;
  events: number;
  skipped: SkippedItem[];
}

/** A property's most recent value and when it was measured. */
export interface LatestValue {
  value: unknown;
  time: EpochMs;
}

/** A time range: `from` inclusive, `to` exclusive, both UTC ms. */
export interface TimeRange {
  from: EpochMs;
  to: EpochMs;
}

export type SortOrder = 'asc' | 'desc';

export interface HistoryQuery extends TimeRange {
  productKey: string;
  deviceName: string;
  property: string;
  /** At most this many points (default {@link DEFAULT_LIMIT}, at most {@link MAX_LIMIT}). */
  limit?: number;
  /** By time; `asc` (default) gives the first `limit` points of the range, `desc` the last. */
  order?: SortOrder;
}

export interface HistoryPoint {
  time: EpochMs;
  value: unknown;
}

export interface BucketQuery extends TimeRange {
  productKey: string;
  deviceName: string;
  property: string;
  /** How many equal buckets to split the range into (1..{@link MAX_BUCKETS}); see `bucketLayout`. */
  buckets: number;
}

/** Aggregates of one time bucket; only buckets holding at least one value are returned. */
export interface Bucket {
  /** The bucket's start; it covers `[time, time + width)`. */
  time: EpochMs;
  min: number;
  max: number;
  avg: number;
  count: number;
}

export interface EventQuery extends TimeRange {
  productKey: string;
  deviceName?: string;
  eventId?: string;
  type?: EventType;
  limit?: number;
  /** By time; `asc` by default. */
  order?: SortOrder;
}

export interface StoredEvent {
  deviceName: string;
  time: EpochMs;
  receivedAt: EpochMs;
  eventId: string;
  type: EventType;
  data: Record<string, unknown>;
}

/**
 * Where telemetry is kept. One implementation per database; every implementation passes `runTelemetryContract`.
 *
 * Lifecycle: call {@link TelemetryBackend.ensureSchema} for every product's published thing model at startup and on
 * each `thing-model.published` event, before writing that product's telemetry; rows for a product not ensured in
 * this process are skipped (reported in {@link WriteResult.skipped}), because which column is current for a property
 * whose type changed is only known from the model.
 */
export interface TelemetryBackend {
  /**
   * Makes sure the product's tables have a column for every property of this thing model version. Columns are only
   * ever added (never dropped or retyped), so history recorded under earlier versions stays readable: a property
   * whose storage type changed gets a new column (naming in telemetry-columns.ts) and reads merge both.
   */
  ensureSchema(productKey: string, version: number, tsl: TslDocument): Promise<void>;
  /**
   * Stores property rows (one row per row given: its time and the properties it carried), events, and the latest
   * value per (device, property), as one transaction (SQLite) or one group of multi-row INSERTs (TDengine). Values
   * that cannot be stored are skipped and listed, never failing the rest of the batch.
   */
  writeBatch(batch: TelemetryBatch): Promise<WriteResult>;
  /**
   * Receipts committed with rows since `since` (ms), for the device hub at start-up. Defined only by backends that
   * commit `batch.receipts` in the same transaction as the rows (SQLite); others ignore receipts.
   */
  recentReceipts?(since: EpochMs): Promise<Receipt[]>;
  /** The device shadow: each property's most recent value and its time; `{}` for a device with no telemetry. */
  latest(productKey: string, deviceName: string): Promise<Record<string, LatestValue>>;
  /** A property's values in a time range, across every column the property had over its model versions. */
  history(query: HistoryQuery): Promise<HistoryPoint[]>;
  /**
   * A numeric property downsampled for charts: min/max/avg/count per time bucket. A 422 `telemetry_not_numeric` for
   * a property that never had a numeric type.
   */
  historyBuckets(query: BucketQuery): Promise<Bucket[]>;
  events(query: EventQuery): Promise<StoredEvent[]>;
  /**
   * Retention: deletes the product's property rows and events older than `before`, and latest values measured
   * before it (so both backends agree: TDengine derives the latest values from the rows). Returns how many property
   * rows and events were deleted.
   */
  deleteBefore(productKey: string, before: EpochMs): Promise<number>;
  close(): Promise<void>;
}
