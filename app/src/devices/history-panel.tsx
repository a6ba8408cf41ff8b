/**
 * History: a chart per numeric property over a chosen range, downsampled by the API into round buckets (avg line,
 * min/max band), re-fetched while the range ends now, and the range as CSV.
 */
import { useEffect, useEffectEvent, useMemo, useState } from 'react';
import type { TslDocument, TslProperty } from '../../../domain/thing-model/tsl-types.ts';
import { apiGet } from '../api.ts';
import { TimeSeriesChart } from '../ui/chart-time-series.tsx';
import { cx } from '../ui/cx.ts';
import { Button } from '../ui/button.tsx';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { Panel } from '../ui/page.tsx';
import { formatTime } from '../ui/time.tsx';
import { queryString } from '../use-api.ts';
import { tc } from '../i18n/common.messages.ts';
import { formatNumber } from '../i18n/messages.ts';
import { isNumericType, toDatetimeLocal } from './command-fields.ts';
import { devicePath } from './device-detail-api.ts';
import { t } from './device-detail.messages.ts';
import { chartColumns, queryRange, RANGE_PRESETS, refreshMs, widthLabel, type HistoryBucket, type HistoryQueryRange, type RangeChoice } from './history-range.ts';

/** What the history tab keeps across tab switches: the chosen range. */
export type HistoryState = RangeChoice;

export function HistoryPanel({ productKey, deviceName, tsl, choice, onChoice }: {
  productKey: string;
  deviceName: string;
  tsl: TslDocument | null | undefined;
  choice: RangeChoice;
  onChoice(choice: RangeChoice): void;
}) {
  const numeric = useMemo(() => (tsl?.properties ?? []).filter((p) => isNumericType(p.dataType)), [tsl]);
  const base = devicePath(productKey, deviceName);
  if (tsl === undefined) return <Loading what={t('chart.loadingModel')} />;

  const csvHref = () => {
    const r = queryRange(choice, Date.now());
    return `/api/v1${base}/telemetry.csv${queryString({ from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString() })}`;
  };

  return (
    <div className="space-y-4">
      <RangeSelector choice={choice} onChoice={onChoice} csvHref={csvHref} />
      {tsl === null ? (
        <EmptyState title={t('values.noModel')}>{t('chart.noModelBody')}</EmptyState>
      ) : numeric.length === 0 ? (
        <EmptyState title={t('chart.nothing')}>
          {t('chart.nothingBody')}
        </EmptyState>
      ) : (
        <div className="grid gap-4 2xl:grid-cols-2">
          {numeric.map((p) => <PropertyChart key={p.identifier} base={base} property={p} choice={choice} />)}
        </div>
      )}
    </div>
  );
}

const choiceKey = (c: RangeChoice) => ('preset' in c ? c.preset : `${c.from}-${c.to}`);

function RangeSelector({ choice, onChoice, csvHref }: { choice: RangeChoice; onChoice(c: RangeChoice): void; csvHref(): string }) {
  const custom = !('preset' in choice);
  const [editing, setEditing] = useState(custom);
  // The fields start from the custom range shown, or else the last hour.
  const [from, setFrom] = useState(() => toDatetimeLocal(custom ? choice.from : Date.now() - 3_600_000));
  const [to, setTo] = useState(() => toDatetimeLocal(custom ? choice.to : Date.now()));
  const [error, setError] = useState<string>();

  const apply = () => {
    const f = new Date(from).getTime();
    const until = new Date(to).getTime();
    if (Number.isNaN(f) || Number.isNaN(until)) return setError(t('range.pickBoth'));
    if (f >= until) return setError(t('range.order'));
    setError(undefined);
    onChoice({ from: f, to: until });
  };

  return (
    <div className="rounded-lg border border-slate-200 bg-white px-3 py-2.5 shadow-sm">
      <div className="flex flex-wrap items-center gap-2">
        <span className="mr-1 text-sm font-medium text-slate-700" id="history-range-label">{t('range.label')}</span>
        <div role="group" aria-labelledby="history-range-label" className="inline-flex overflow-hidden rounded-md border border-slate-300">
          {RANGE_PRESETS.map((p) => {
            const on = 'preset' in choice && choice.preset === p.value && !editing;
            return (
              <button
                key={p.value}
                type="button"
                aria-pressed={on}
                onClick={() => {
                  setEditing(false);
                  onChoice({ preset: p.value });
                }}
                className={cx('border-r border-slate-300 px-3 py-1.5 text-sm last:border-r-0', on ? 'bg-sky-700 font-medium text-white' : 'bg-white text-slate-700 hover:bg-slate-50')}
              >
                {t(p.labelKey)}
              </button>
            );
          })}
          <button
            type="button"
            aria-pressed={editing || custom}
            onClick={() => setEditing(true)}
            className={cx('px-3 py-1.5 text-sm', editing || custom ? 'bg-sky-700 font-medium text-white' : 'bg-white text-slate-700 hover:bg-slate-50')}
          >
            {t('range.custom')}
          </button>
        </div>
        <a
          href={csvHref()}
          onClick={(e) => (e.currentTarget.href = csvHref())}
          download
          className="ml-auto inline-flex items-center gap-1.5 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-800 shadow-sm hover:bg-slate-50"
        >
          <i className="fa fa-download" aria-hidden /> {t('range.csv')}
        </a>
      </div>
      {(editing || custom) && (
        <div className="mt-3 flex flex-wrap items-end gap-3 border-t border-slate-100 pt-3">
          <Field label={t('range.from')} className="w-56" error={error}>
            <input type="datetime-local" step={1} className={INPUT} value={from} onChange={(e) => setFrom(e.target.value)} />
          </Field>
          <Field label={t('range.to')} className="w-56">
            <input type="datetime-local" step={1} className={INPUT} value={to} onChange={(e) => setTo(e.target.value)} />
          </Field>
          <Button variant="primary" onClick={apply}>{t('range.show')}</Button>
        </div>
      )}
    </div>
  );
}

interface Loaded {
  key: string;
  range: HistoryQueryRange;
  items: HistoryBucket[];
  /** When the answer arrived (`Date.now()`). */
  at: number;
}

/**
 * One property's buckets for the choice, re-fetched while the range ends now (on the visible tab only). The last
 * answer stays on screen while the next loads, so the chart does not blink.
 */
function useBuckets(base: string, identifier: string, choice: RangeChoice) {
  const key = choiceKey(choice);
  const [loaded, setLoaded] = useState<Loaded>();
  const [error, setError] = useState<unknown>();
  // The range the choice means at this moment; a new but equal choice (same key) does not reload.
  const rangeNow = useEffectEvent(() => queryRange(choice, Date.now()));
  useEffect(() => {
    let current = true;
    const load = async () => {
      const range = rangeNow();
      try {
        const answer = await apiGet<{ bucketMs: number; items: HistoryBucket[] }>(
          `${base}/properties/${encodeURIComponent(identifier)}/history${queryString({ from: range.from, to: range.to, buckets: range.buckets })}`,
        );
        if (!current) return;
        setLoaded({ key, range, items: answer.items, at: Date.now() });
        setError(undefined);
      } catch (err) {
        if (current) setError(err);
      }
    };
    void load();
    const first = rangeNow();
    if (!first.live) return () => void (current = false);
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void load();
    }, refreshMs(first));
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [base, identifier, key]);
  return { loaded: loaded?.key === key ? loaded : undefined, stale: loaded, error };
}

function PropertyChart({ base, property, choice }: { base: string; property: TslProperty; choice: RangeChoice }) {
  const { loaded, stale, error } = useBuckets(base, property.identifier, choice);
  const shown = loaded ?? stale;
  const unit = 'specs' in property.dataType && property.dataType.specs && 'unit' in property.dataType.specs ? property.dataType.specs.unit : undefined;
  const columns = useMemo(() => (shown ? chartColumns(shown.items, shown.range.width) : undefined), [shown]);
  const data = useMemo(
    () => (columns ? (columns.spread ? { x: columns.x, y: columns.y, min: columns.min, max: columns.max } : { x: columns.x, y: columns.y }) : undefined),
    [columns],
  );
  const title = (
    <span>
      {property.name} <code className="ml-1 font-mono text-xs font-normal text-slate-500">{property.identifier}</code>
      {unit && <span className="ml-1 font-normal text-slate-500">({unit})</span>}
    </span>
  );
  const count = columns && shown && (
    <span className="text-xs text-slate-500">
      <span data-testid={`chart-points-${property.identifier}`} className="tabular-nums">{formatNumber(columns.values)}</span>
      {' '}{t('chart.valuesWord', { count: columns.values })} · {t('chart.buckets', { width: widthLabel(shown.range.width) })}{columns.spread ? t('chart.spread') : ''}
    </span>
  );
  return (
    <Panel title={title} actions={count} className="min-w-0">
      <ErrorNote error={error} className="mb-2" />
      {!shown ? (
        !error && <div className="flex h-[220px] items-center justify-center text-sm text-slate-500">{tc('loadingPlain')}</div>
      ) : shown.items.length === 0 ? (
        <div className="flex h-[220px] flex-col items-center justify-center rounded-md border border-dashed border-slate-300 bg-slate-50 text-center text-sm text-slate-600" data-testid={`history-empty-${property.identifier}`}>
          <p className="font-medium text-slate-800">{t('chart.noValues')}</p>
          <p className="mt-1 text-xs">{t('chart.noValuesBody', { from: formatTime(shown.range.from), to: formatTime(shown.range.to) })}</p>
        </div>
      ) : (
        <TimeSeriesChart
          data={data!}
          range={{ from: shown.range.from, to: Math.min(shown.range.to, 'preset' in choice ? shown.at : shown.range.to) }}
          label={columns!.spread ? t('chart.avg') : property.name}
          unit={unit}
          ariaLabel={t('chart.overTime', { name: property.name })}
        />
      )}
    </Panel>
  );
}
