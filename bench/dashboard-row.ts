/**
 * The dashboard's row of `npm run bench`: `bench/dashboard.ts` (also `npm run bench:dashboard`) run in a process of
 * its own, so its in-process Thingwire, devices and Chromium stay out of the benchmark's process, and read from its
 * JSON line.
 */
import { runBenchChild } from './bench-child.ts';

/** What one run measured. */
export interface DashboardFigures {
  widgets: number;
  devices: number;
  seconds: number;
  /** CPU of the page's renderer processes (all threads), % of one core. */
  rendererCpuPercent: number;
  /** CPU of every Chromium process (browser, GPU, network, renderers), % of one core. */
  chromiumCpuPercent: number;
  /** The renderer main thread's busy time (CDP TaskDuration) and the script part of it, % of wall time. */
  mainThreadPercent: number;
  scriptPercent: number;
  /** Tasks in which some widget changed, per second. */
  dashboardUpdatesPerSecond: number;
  /** Per live widget (value, gauge, chart, rate): the lowest and the median update rate, and the longest gap. */
  liveWidgetMinPerSecond: number;
  liveWidgetMedianPerSecond: number;
  longestGapSeconds: number;
  /** Updates per second by widget type (mean over the widgets of the type). */
  byType: Record<string, number>;
  pass: boolean;
}

/** The verdict's limits: the renderer under this % of one core, no live widget without an update for longer. */
export const MAX_CPU_PERCENT = 50;
export const MAX_GAP_SECONDS = 2;

/** Runs the dashboard benchmark; a failure is the row's text, not the whole benchmark's end. */
export function measureDashboard(root: string, timeoutMs = 300_000): Promise<DashboardFigures | { error: string }> {
  return runBenchChild<DashboardFigures>(root, ['bench/dashboard.ts', '--json'], (f) => Number.isFinite(f.rendererCpuPercent), timeoutMs);
}

/** The figures in one line, with the verdict. */
export function dashboardLine(f: DashboardFigures): string {
  const types = Object.entries(f.byType).map(([type, n]) => `${type} ${n.toFixed(1)}`).join(', ');
  return `dashboard, ${f.widgets} widgets over ${f.devices} devices posting 1/s: renderer CPU ${f.rendererCpuPercent.toFixed(1)} % of one core ` +
    `(main thread busy ${f.mainThreadPercent.toFixed(1)} %, script ${f.scriptPercent.toFixed(1)} %; all Chromium ${f.chromiumCpuPercent.toFixed(1)} %); ` +
    `${f.dashboardUpdatesPerSecond.toFixed(1)} updates/s, live widgets ${f.liveWidgetMinPerSecond.toFixed(2)} (min) / ${f.liveWidgetMedianPerSecond.toFixed(2)} (median) updates/s, ` +
    `longest gap ${f.longestGapSeconds.toFixed(2)} s (by type: ${types}) over ${f.seconds.toFixed(0)} s: ` +
    `${f.pass ? 'PASS' : 'FAIL'} (< ${MAX_CPU_PERCENT} % of a core, ≥ 1 update/s, no live widget idle > ${MAX_GAP_SECONDS} s)`;
}

/** The table row: `dashboard, 12 widgets over 50 devices: CPU, updates/s, verdict`. */
export function dashboardRow(result: DashboardFigures | { error: string }): string[] {
  const measure = 'dashboard, 12 widgets over 50 devices posting 1/s (headless Chromium 1440 × 900): renderer CPU % of one core, updates/s';
  if ('error' in result) return [measure, `not measured (${result.error})`, '–', ''];
  return [
    measure,
    `${result.rendererCpuPercent.toFixed(1)} % (main thread ${result.mainThreadPercent.toFixed(1)} %), ${result.dashboardUpdatesPerSecond.toFixed(1)} updates/s, ` +
      `live widgets ≥ ${result.liveWidgetMinPerSecond.toFixed(2)}/s, longest gap ${result.longestGapSeconds.toFixed(1)} s: ${result.pass ? 'pass' : 'FAIL'}`,
    '–', '',
  ];
}
