/** Percentiles and the benchmark's markdown table. */

/** The q-quantile (0..1) of values, nearest-rank; NaN when there are none. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function percentiles(values: number[]): { p50: number; p95: number; p99: number; count: number } {
  const sorted = Float64Array.from(values).sort();
  const list = Array.from(sorted);
  return { p50: quantile(list, 0.5), p95: quantile(list, 0.95), p99: quantile(list, 0.99), count: list.length };
}

/** Cumulative bucket counts of one Prometheus histogram, by upper bound in seconds (+Inf last). */
export type Buckets = Map<number, number>;

/** Reads a histogram's `_bucket` lines from a /metrics text. */
export function histogramBuckets(metrics: string, name: string): Buckets {
  const buckets: Buckets = new Map();
  const re = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+(?:\\.\\d+)?)`, 'gm');
  for (const m of metrics.matchAll(re)) buckets.set(m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]), Number(m[2]));
  return buckets;
}

/**
 * Percentiles (ms) of what a histogram observed between two scrapes, interpolated linearly inside each bucket, as
 * Prometheus's histogram_quantile does.
 */
export function histogramPercentiles(before: Buckets, after: Buckets): { p50: number; p95: number; p99: number; count: number } {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const total = counts.at(-1) ?? 0;
  const at = (q: number) => {
    if (total === 0) return Number.NaN;
    const rank = q * total;
    for (let i = 0; i < bounds.length; i++) {
      if (counts[i]! >= rank) {
        const lower = i === 0 ? 0 : bounds[i - 1]!;
        const upper = bounds[i]!;
        if (!Number.isFinite(upper)) return lower * 1000;
        const below = i === 0 ? 0 : counts[i - 1]!;
        const inBucket = counts[i]! - below;
        return (lower + (upper - lower) * (inBucket > 0 ? (rank - below) / inBucket : 1)) * 1000;
      }
    }
    return Number.NaN;
  };
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), count: total };
}

/** Table cells; a measure that is missing (its phase did not run) or not finite shows as '–'. */
const finite = (n: number | undefined): n is number => n !== undefined && Number.isFinite(n);
export const fmt = {
  int: (n: number | undefined) => (finite(n) ? Math.round(n).toLocaleString('en-US') : '–'),
  ms: (n: number | undefined) => (finite(n) ? (n < 10 ? n.toFixed(1) : Math.round(n).toString()) : '–'),
  ratio: (a: number | undefined, b: number | undefined) => (finite(a) && finite(b) && b > 0 ? (a / b).toFixed(2) : '–'),
  mb: (n: number | undefined) => (finite(n) ? n.toFixed(0) : '–'),
};

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
