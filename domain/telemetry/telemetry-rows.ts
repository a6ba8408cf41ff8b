/**
 * What a device reported, as the telemetry store takes it: rows of property values and events, the reasons an item
 * can be skipped, and the query limits every backend and client shares.
 */
import type { ThingMessage } from '../devices/thing-message.ts';
import type { PropertyValue } from '../thing-model/compiled-thing-model.ts';
import type { EventType } from '../thing-model/tsl-types.ts';

/** Milliseconds since the Unix epoch, UTC. */
export type EpochMs = number;

/** One reported set of property values of one device at one time: one row of the product's property table. */
export interface PropertyRow {
  productKey: string;
  deviceName: string;
  /** When the values were measured: the device's time when it gave one, else the server's receive time. */
  ts: EpochMs;
  receivedAt: EpochMs;
  /** Property identifier → value, as the thing model's validator returned it. */
  values: Record<string, unknown>;
}

/** One event a device reported (`thing.event.{eventId}.post`). */
export interface EventRow {
  productKey: string;
  deviceName: string;
  ts: EpochMs;
  receivedAt: EpochMs;
  eventId: string;
  /**
   * The event's type. Left out, the backend takes it from the thing model last given to `ensureSchema`; an event that
   * model does not define is then skipped (reason `unknown-event`) rather than stored under a guessed type.
   */
  type?: EventType;
  /** The event's output parameters (`params.value`). */
  data: Record<string, unknown>;
}

/** Why a value or event of a batch was not stored. */
export type SkipReason =
  /** `ensureSchema` was not called for the product in this process, so there is no table or no current column. */
  | 'unknown-product'
  /** The thing model given to `ensureSchema` has no such property. */
  | 'unknown-property'
  /** Not a device name (docs/protocol.md "Identity") (device names become table names and tag values). */
  | 'bad-device-name'
  /** The event's type was not given and the thing model does not define the event. */
  | 'unknown-event'
  /** The value does not have the property's type (a message validated against an older model version, or none). */
  | 'wrong-type'
  /** Longer than the backend's column holds (TDengine columns have a declared width; see tdengine-telemetry.ts). */
  | 'too-long'
  /** A character the backend cannot store (TDengine's SQL text cannot carry NUL). */
  | 'unsupported-character'
  /** A time the backend cannot store (TDengine refuses times outside its database's keep window). */
  | 'out-of-range';

/** A value or event that was not stored, and why: nothing is dropped without being reported. */
export interface SkippedItem {
  productKey: string;
  deviceName: string;
  ts: EpochMs;
  /** The property (property rows) or event identifier (events). */
  identifier: string;
  kind: 'property' | 'event';
  reason: SkipReason;
  detail: string;
}

/** Rows a history or event query returns when it names no limit, and the most it may ask for. */
export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 10_000;

/** More points than a chart has pixels is waste; the cap also bounds the work one request can ask for. */
export const MAX_BUCKETS = 10_000;

/** What one submitted message became once its batch was committed (or failed for good). */
export type WriteCallback = (err: Error | null, skipped: readonly SkippedItem[]) => void;

/**
 * The property rows of a validated `thing.event.property.post`: values the device stamped with different times go
 * to different rows, so each value keeps its own time; values without a time take the message's.
 */
export function propertyRowsFromMessage(
  message: Pick<ThingMessage, 'productKey' | 'deviceName' | 'deviceTime' | 'receivedAt'>,
  values: readonly PropertyValue[],
): PropertyRow[] {
  const messageTime = message.deviceTime ?? message.receivedAt;
  const byTime = new Map<number, PropertyRow>();
  for (const { identifier, value, time } of values) {
    const ts = time ?? messageTime;
    let row = byTime.get(ts);
    if (!row) {
      row = { productKey: message.productKey, deviceName: message.deviceName, ts, receivedAt: message.receivedAt, values: {} };
      byTime.set(ts, row);
    }
    row.values[identifier] = value;
  }
  return [...byTime.values()];
}
