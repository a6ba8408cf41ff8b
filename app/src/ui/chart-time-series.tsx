/**
 * A time series chart on uPlot: one line (a value, or the average of each bucket) with an optional min/max band,
 * sized to its container (ResizeObserver), a time axis in the user's time zone, in the theme's colours, and a value axis with its unit. uPlot
 * draws on canvas and is fast with thousands of points; this wrapper only creates it, feeds it data and resizes it.
 */
import { useEffect, useEffectEvent, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { currentTimeZone } from '../i18n/locale.ts';
import { chartColors } from './theme.ts';
import { formatDate, formatTime } from './time-format.ts';
import { t } from './ui.messages.ts';
import { useTheme } from './use-theme.ts';

export interface TimeSeriesData {
  /** Times in ms since the epoch, ascending. */
  x: readonly number[];
  /** The line: a value per time; null breaks the line (a gap in the data). */
  y: readonly (number | null)[];
  /** Lower and upper edge of a band per time (bucket min/max); both or neither. */
  min?: readonly (number | null)[];
  max?: readonly (number | null)[];
}

const format = (v: number) => {
  const abs = Math.abs(v);
  return v.toLocaleString('en-US', { maximumFractionDigits: abs !== 0 && abs < 0.01 ? 6 : abs < 100 ? 3 : 1, useGrouping: abs >= 10_000 });
};

/**
 * The chart. `range` fixes the time axis to the range asked for (not just where points are), so an empty stretch
 * shows as empty. `label` names the line in the legend; `unit` labels the value axis and legend values.
 */
export function TimeSeriesChart({ data, range, label, unit, height = 220, ariaLabel, bandLabels }: {
  data: TimeSeriesData;
  range: { from: number; to: number };
  label: string;
  unit?: string;
  height?: number;
  ariaLabel: string;
  bandLabels?: [string, string];
}) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const hasBand = data.min !== undefined && data.max !== undefined;
  const [lowLabel, highLabel] = bandLabels ?? [t('chart.min'), t('chart.max')];
  // Read by uPlot when it draws, never during render: the current range and data without recreating the chart (data
  // changes go through setData below; only what shapes the chart recreates it).
  const timeAxis = useEffectEvent((): [number, number] => [range.from / 1000, range.to / 1000]);
  const currentData = useEffectEvent(() => toAligned(data, hasBand));
  const theme = useTheme();

  useEffect(() => {
    const el = container.current!;
    const { line: LINE, band: BAND_EDGE, bandFill: BAND_FILL, axis: AXIS, grid: GRID } = chartColors(theme);
    const zone = currentTimeZone();
    const withUnit = (v: number | null | undefined) => (v === null || v === undefined ? '—' : unit ? `${format(v)} ${unit}` : format(v));
    const series: uPlot.Series[] = [
      { label: t('chart.time'), value: (_u, v) => (v === null || v === undefined ? '—' : formatTime(v * 1000, zone)) },
      { label, stroke: LINE, width: 1.75, value: (_u, v) => withUnit(v) },
    ];
    if (hasBand) {
      series.push(
        { label: lowLabel, stroke: BAND_EDGE, width: 1, value: (_u, v) => withUnit(v), points: { show: false } },
        { label: highLabel, stroke: BAND_EDGE, width: 1, value: (_u, v) => withUnit(v), points: { show: false } },
      );
    }
    const options: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      series,
      // Ticks fall on the hours and days of the user's time zone, not the browser's.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), zone),
      bands: hasBand ? [{ series: [3, 2], fill: BAND_FILL }] : [],
      scales: {
        x: { time: true, range: () => timeAxis() },
        y: { range: (_u, min, max) => (min === max ? [min - 1, max + 1] : uPlot.rangeNum(min, max, 0.1, true)) },
      },
      axes: [
        { stroke: AXIS, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 }, values: (u, splits, axis, space, incr) => timeTicks(u, splits, axis, space, incr, zone) },
        {
          stroke: AXIS,
          grid: { stroke: GRID, width: 1 },
          ticks: { stroke: GRID, width: 1 },
          label: unit,
          labelSize: unit ? 18 : 0,
          values: (_u, splits) => splits.map(format),
          // Wide enough for the longest tick label, so large values are not cut off.
          size: (_u, values) => 14 + 7 * Math.max(3, ...(values ?? []).map((v) => String(v).length)),
        },
      ],
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
    };
    const chart = new uPlot(options, currentData(), el);
    plot.current = chart;
    const resize = new ResizeObserver(() => {
      const width = Math.max(200, el.clientWidth);
      if (width !== chart.width) chart.setSize({ width, height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [label, unit, height, hasBand, lowLabel, highLabel, theme]);

  useEffect(() => {
    plot.current?.setData(toAligned(data, hasBand));
  }, [data, hasBand, range.from, range.to]);

  return <div ref={container} role="figure" aria-label={ariaLabel} data-points={data.x.length} className="w-full min-w-0" />;
}

/**
 * Time axis labels in 24-hour time like the rest of the app: seconds when ticks are that close, the date under the
 * time where a day starts (hour ticks), the date alone for day ticks.
 */
export function timeTicks(_u: uPlot, splits: number[], _axis: number, _space: number, incr: number, zone: string): string[] {
  return splits.map((s, i) => {
    const [date, clock] = formatTime(s * 1000, zone).split(' ') as [string, string];
    const hm = clock.slice(0, 5);
    const day = date.slice(5);
    if (incr >= 86_400) return day;
    if (incr < 60) return clock;
    const before = i > 0 ? formatDate(splits[i - 1]! * 1000, zone) : undefined;
    return incr >= 3600 && before !== date ? `${hm}\n${day}` : hm;
  });
}

/** uPlot's column layout: seconds on x, then the line, then the band's lower and upper edge. */
function toAligned(data: TimeSeriesData, hasBand: boolean): uPlot.AlignedData {
  const columns: (number | null)[][] = [data.x.map((t) => t / 1000), [...data.y]];
  if (hasBand) columns.push([...data.min!], [...data.max!]);
  return columns as uPlot.AlignedData;
}
