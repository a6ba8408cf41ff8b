/**
 * Time ranges of the history charts and how they are downsampled: a round bucket width chosen so a range comes back
 * as at most ~600 buckets (≥ 300 for the presets), with the range aligned to whole buckets so a chart re-fetched a
 * few seconds later gets the same buckets (the line does not wobble as time moves). Framework-free, tested in node.
 */

import { t } from './device-detail.messages.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const RANGE_PRESETS = [
  { value: '15m', labelKey: 'range.15m', span: 15 * MINUTE },
  { value: '1h', labelKey: 'range.1h', span: HOUR },
  { value: '6h', labelKey: 'range.6h', span: 6 * HOUR },
  { value: '24h', labelKey: 'range.24h', span: DAY },
  { value: '7d', labelKey: 'range.7d', span: 7 * DAY },
] as const;

export type RangePreset = (typeof RANGE_PRESETS)[number]['value'];

/** What the range selector holds: a preset ending now, or fixed times. */
export type RangeChoice = { preset: RangePreset } | { from: number; to: number };

/** The most buckets a chart asks for. */
export const MAX_POINTS = 600;

/** Round bucket widths, smallest first; the API's smallest is 10 ms, charts never need less than a second. */
const WIDTHS = [
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 3 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY,
];

/** The smallest round width giving at most {@link MAX_POINTS} buckets over `span`. */
export function bucketWidth(span: number): number {
  return WIDTHS.find((w) => span / w <= MAX_POINTS) ?? Math.ceil(span / MAX_POINTS);
}

/** A range to query: `[from, to)` in ms, and how many buckets of `width` ms cover it exactly. */
export interface HistoryQueryRange {
  from: number;
  to: number;
  width: number;
  buckets: number;
  /** Whether it ends now (and should be re-fetched as time passes). */
  live: boolean;
}

/**
 * The query for a choice at `now`. A preset ends with the bucket holding `now` and starts whole buckets back, so
 * the API's `width = ceil((to - from) / buckets)` is exactly `width`.
 */
export function queryRange(choice: RangeChoice, now: number): HistoryQueryRange {
  if ('preset' in choice) {
    const span = RANGE_PRESETS.find((p) => p.value === choice.preset)!.span;
    const width = bucketWidth(span);
    const to = Math.floor(now / width) * width + width;
    const from = to - Math.ceil(span / width) * width;
    return { from, to, width, buckets: (to - from) / width, live: true };
  }
  const width = bucketWidth(choice.to - choice.from);
  const buckets = Math.max(1, Math.ceil((choice.to - choice.from) / width));
  return { from: choice.from, to: choice.to, width, buckets, live: choice.to > now };
}

/** How often a range ending now is re-fetched: about a bucket, between 5 s and a minute. */
export const refreshMs = (range: HistoryQueryRange) => Math.min(60_000, Math.max(5000, range.width));

/** A bucket as the history API answers it. */
export interface HistoryBucket {
  time: string;
  min: number;
  max: number;
  avg: number;
  count: number;
}

/** Chart columns from buckets: avg line, min/max band, a break where the data has a hole, and the value count. */
export function chartColumns(items: readonly HistoryBucket[], width: number): {
  x: number[]; y: (number | null)[]; min: (number | null)[]; max: (number | null)[]; values: number; spread: boolean;
} {
  const x: number[] = [];
  const y: (number | null)[] = [];
  const min: (number | null)[] = [];
  const max: (number | null)[] = [];
  const times = items.map((b) => Date.parse(b.time));
  // The usual distance between buckets with data: a device posting every 5 s into 2 s buckets leaves every other
  // bucket empty, which is not a hole; one silent for many times that is.
  const steps = times.slice(1).map((t, i) => t - times[i]!).sort((a, b) => a - b);
  const usual = steps.length > 0 ? steps[Math.floor(steps.length / 2)]! : width;
  const hole = Math.max(3 * usual, 3 * width);
  let values = 0;
  let spread = false;
  items.forEach((b, i) => {
    if (i > 0 && times[i]! - times[i - 1]! > hole) {
      x.push(times[i - 1]! + width);
      y.push(null);
      min.push(null);
      max.push(null);
    }
    x.push(times[i]!);
    y.push(b.avg);
    min.push(b.min);
    max.push(b.max);
    values += b.count;
    if (b.min !== b.max) spread = true;
  });
  return { x, y, min, max, values, spread };
}

/** "2 s", "5 min", "1 h" for a bucket width. */
export function widthLabel(ms: number): string {
  if (ms < MINUTE) return t('width.s', { n: Math.round(ms / SECOND) });
  if (ms < HOUR) return t('width.min', { n: Math.round(ms / MINUTE) });
  if (ms < DAY) return t('width.h', { n: Math.round(ms / HOUR) });
  return t('width.d', { n: Math.round(ms / DAY) });
}
