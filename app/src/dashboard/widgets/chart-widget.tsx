/**
 * A time-series chart of several device properties on one uPlot chart: each series' history for the dashboard's range
 * from the telemetry API (bucket averages, as the device page draws them), then the values the feed pushes appended as
 * they come. The chart is redrawn only when a series got a new point, at most as often as the live store flushes.
 */
import { useEffect, useEffectEvent, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { apiGet } from '../../api.ts';
import { devicePath } from '../../devices/device-detail-api.ts';
import { queryRange, type HistoryBucket, type RangePreset } from '../../devices/history-range.ts';
import { formatNumber } from '../../devices/device-detail-format.ts';
import { ErrorNote } from '../../ui/feedback.tsx';
import { currentTimeZone } from '../../i18n/locale.ts';
import { timeTicks } from '../../ui/chart-time-series.tsx';
import { chartColors } from '../../ui/theme.ts';
import { formatTime } from '../../ui/time-format.ts';
import { useTheme } from '../../ui/use-theme.ts';
import { queryString } from '../../use-api.ts';
import type { Widget, WidgetSeries } from '../dashboard-api.ts';
import { useDashboardLive, type DashboardLive } from '../dashboard-live.tsx';
import { t } from '../dashboard.messages.ts';
import { propertyOf, SERIES_COLOURS, seriesLabel, unitOf, type Models } from './widget-model.ts';

/** One series' points, ascending. */
interface Points {
  t: number[];
  v: (number | null)[];
}

/** The most points a series keeps (history buckets plus live values). */
const MAX_POINTS = 3000;


const seriesKey = (s: WidgetSeries) => `${s.productKey}/${s.deviceName}/${s.property}`;

/** Every series' history for the range (re-read when the range or the series change). */
function useHistory(series: readonly WidgetSeries[], preset: RangePreset) {
  const [loaded, setLoaded] = useState<{ key: string; points: Points[]; from: number }>();
  const [error, setError] = useState<unknown>();
  const key = `${preset}|${series.map(seriesKey).join('|')}`;
  // The key says everything the load reads.
  const wanted = useEffectEvent(() => ({ series, preset }));
  useEffect(() => {
    let current = true;
    const { series, preset } = wanted();
    const range = queryRange({ preset }, Date.now());
    void Promise.all(series.map(async (s) => {
      const answer = await apiGet<{ items: HistoryBucket[] }>(
        `${devicePath(s.productKey, s.deviceName)}/properties/${encodeURIComponent(s.property)}/history${queryString({ from: range.from, to: range.to, buckets: range.buckets })}`,
      );
      return { t: answer.items.map((b) => Date.parse(b.time)), v: answer.items.map((b) => b.avg) };
    })).then(
      (points) => {
        if (!current) return;
        setLoaded({ key, points, from: range.from });
        setError(undefined);
      },
      (err: unknown) => current && setError(err),
    );
    return () => void (current = false);
  }, [key]);
  return { history: loaded?.key === key ? loaded : undefined, error };
}

/** Appends the newest value of each series when it is newer than its last point; answers whether any was. */
function appendLive(live: DashboardLive, series: readonly WidgetSeries[], points: Points[], from: number): boolean {
  let changed = false;
  series.forEach((s, i) => {
    const p = points[i]!;
    const at = live.value(s.productKey, s.deviceName, s.property);
    if (!at || at.time <= (p.t.at(-1) ?? 0) || at.time < from) return;
    const n = typeof at.value === 'number' ? at.value : Number(at.value);
    p.t.push(at.time);
    p.v.push(Number.isFinite(n) ? n : null);
    changed = true;
  });
  return changed;
}

/** uPlot's columns: the union of the series' times, each series null where it has no point (lines span the gaps). */
function aligned(points: readonly Points[], from: number): uPlot.AlignedData {
  const times = new Set<number>();
  for (const p of points) for (const time of p.t) if (time >= from) times.add(time);
  const x = [...times].sort((a, b) => a - b);
  const index = new Map(x.map((time, i) => [time, i]));
  const columns = points.map((p) => {
    const column: (number | null)[] = new Array<number | null>(x.length).fill(null);
    p.t.forEach((time, i) => {
      const at = index.get(time);
      if (at !== undefined) column[at] = p.v[i]!;
    });
    return column;
  });
  return [x.map((time) => time / 1000), ...columns] as uPlot.AlignedData;
}

export function ChartWidget({ widget, models, preset, height }: { widget: Widget; models: Models; preset: RangePreset; height: number }) {
  const series = useMemo(() => widget.series ?? [], [widget.series]);
  const live = useDashboardLive();
  const { history, error } = useHistory(series, preset);
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const points = useRef<Points[]>([]);
  const span = useRef(0);
  // Devices alone when every series is the same property (the title names it).
  const oneProperty = series.every((s) => s.property === series[0]?.property && s.productKey === series[0]?.productKey);
  const labels = series.map((s) => (oneProperty ? s.deviceName : seriesLabel(models, s)));
  const units = series.map((s) => unitOf(propertyOf(models, s)?.dataType));
  const unit = units.every((u) => u === units[0]) ? units[0] : undefined;
  const shape = `${labels.join('|')}|${unit ?? ''}`;

  // The history, copied: live points are appended to the copy.
  useEffect(() => {
    if (!history) return;
    points.current = history.points.map((p) => ({ t: [...p.t], v: [...p.v] }));
    const range = queryRange({ preset }, Date.now());
    span.current = range.to - range.from;
  }, [history, preset]);

  // The chart, made again when what shapes it changes (`shape` stands for the labels and units); sized to its box.
  const theme = useTheme();
  const chartOptions = useEffectEvent((el: HTMLElement): uPlot.Options => {
    const { axis: AXIS, grid: GRID } = chartColors(theme);
    const zone = currentTimeZone();
    return {
      width: Math.max(120, el.clientWidth),
      // Ticks on the hours and days of the user's time zone.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), zone),
      height: Math.max(60, el.clientHeight),
      series: [
        { label: t('chart.time'), value: (_u, v) => (v === null ? '—' : formatTime(v * 1000, zone)) },
        ...labels.map((label, i): uPlot.Series => ({
          label, stroke: SERIES_COLOURS[i % SERIES_COLOURS.length], width: 1.5, spanGaps: true, points: { show: false },
          value: (_u, v) => (v === null || v === undefined ? '—' : units[i] ? `${formatNumber(v)} ${units[i]}` : formatNumber(v)),
        })),
      ],
      scales: {
        x: { time: true, range: () => [(Date.now() - span.current) / 1000, Date.now() / 1000] },
        y: { range: (_u, min, max) => (min === max ? [min - 1, max + 1] : uPlot.rangeNum(min, max, 0.1, true)) },
      },
      axes: [
        { stroke: AXIS, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 }, values: (u, splits, ax, space, incr) => timeTicks(u, splits, ax, space, incr, zone), font: '11px system-ui' },
        {
          stroke: AXIS, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 }, font: '11px system-ui',
          label: unit, labelSize: unit ? 16 : 0, labelFont: '11px system-ui',
          values: (_u, splits) => splits.map((v) => formatNumber(v)),
          size: (_u, values) => 12 + 6 * Math.max(3, ...(values ?? []).map((v) => String(v).length)),
        },
      ],
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
    };
  });
  useEffect(() => {
    const el = container.current;
    if (!el || !history) return;
    const chart = new uPlot(chartOptions(el), aligned(points.current, Date.now() - span.current), el);
    plot.current = chart;
    el.dataset['points'] = String(chart.data[0].length);
    const resize = new ResizeObserver(() => {
      const width = Math.max(120, el.clientWidth);
      const high = Math.max(60, el.clientHeight);
      if (width !== chart.width || high !== chart.height) chart.setSize({ width, height: high });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [shape, history, theme]);

  // Live points, at the store's pace; a redraw only when one arrived.
  const version = live.version();
  useEffect(() => {
    const chart = plot.current;
    const el = container.current;
    if (!chart || !el || !history) return;
    const from = Date.now() - span.current;
    if (!appendLive(live, series, points.current, from)) return;
    for (const p of points.current) {
      // Drop what slid out of the range, and keep the arrays bounded.
      let cut = 0;
      while (cut < p.t.length && p.t[cut]! < from) cut++;
      cut = Math.max(cut, p.t.length - MAX_POINTS);
      if (cut > 0) {
        p.t.splice(0, cut);
        p.v.splice(0, cut);
      }
    }
    chart.setData(aligned(points.current, from));
    el.dataset['points'] = String(chart.data[0].length);
    el.dataset['draws'] = String(Number(el.dataset['draws'] ?? 0) + 1);
  }, [version, live, series, history]);

  if (error) return <ErrorNote error={error} className="text-xs" />;
  return (
    <div className="flex min-w-0 flex-col" style={{ height }}>
      <ul className="mb-1 flex max-h-8 shrink-0 flex-wrap gap-x-3 overflow-hidden text-[11px] leading-4 text-slate-600">
        {labels.map((label, i) => (
          <li key={i} className="inline-flex min-w-0 items-center gap-1">
            <span aria-hidden className="inline-block h-0.5 w-3 rounded" style={{ background: SERIES_COLOURS[i % SERIES_COLOURS.length] }} />
            <span className="truncate">{label}</span>
          </li>
        ))}
      </ul>
      <div ref={container} role="figure" aria-label={t('chart.label', { names: labels.join(', ') })} className="min-h-0 w-full min-w-0 flex-1 overflow-hidden" data-chart>
        {!history && <p className="text-sm text-slate-500">{t('widget.loading')}</p>}
      </div>
    </div>
  );
}
