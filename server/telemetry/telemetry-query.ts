/** Query rules both backends apply the same way: argument checks, bucket layout and merging, column choice. */
import { ApiError, badRequest } from '../errors.ts';
import type { ProductSchema } from './product-schemas.ts';
import { assertProductKey, decodeValue, type PropertyColumn } from './telemetry-columns.ts';
import type { Bucket, BucketQuery, TimeRange } from './telemetry-store.ts';
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
