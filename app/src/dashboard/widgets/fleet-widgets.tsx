/** Widgets about the fleet rather than one property: devices by a tag's value, open alerts, the message rate. */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Alert } from '../../../../domain/alerts/alert-schemas.ts';
import type { Device } from '../../../../domain/devices/device-schemas.ts';
import { apiGet } from '../../api.ts';
import { useLiveAlerts, useLiveDeviceStates, useLiveRate, useLiveRateHistory } from '../../live/device-feed.ts';
import { Link, pathOf } from '../../routing.ts';
import { Badge, type Tone } from '../../ui/badge.tsx';
import { cx } from '../../ui/cx.ts';
import { ErrorNote } from '../../ui/feedback.tsx';
import { formatTime, ago } from '../../ui/time-format.ts';
import { queryString } from '../../use-api.ts';
import { MAX_MAP_DEVICES } from '../../../../domain/dashboards/dashboard-schemas.ts';
import type { Widget } from '../dashboard-api.ts';
import { t, type DashboardKey } from '../dashboard.messages.ts';
import { Sparkline } from '../sparkline.tsx';
import { deviceKey } from '../../live/device-feed-client.ts';

type TileState = 'online' | 'offline' | 'disabled';

const TILE: Record<TileState, string> = {
  online: 'bg-emerald-500 border-emerald-600',
  offline: 'bg-slate-300 border-slate-400',
  disabled: 'bg-white border-slate-300 border-dashed',
};

/** Devices (of a product, or all) as tiles grouped by the value of a tag, coloured by state; states arrive live. */
export function StatusMapWidget({ widget }: { widget: Widget }) {
  const [devices, setDevices] = useState<Device[]>();
  const [error, setError] = useState<unknown>();
  const states = useLiveDeviceStates();
  useEffect(() => {
    let current = true;
    apiGet<{ items: Device[] }>(`/devices${queryString({ limit: MAX_MAP_DEVICES, productKey: widget.productKey })}`).then(
      (page) => current && setDevices(page.items),
      (err: unknown) => current && setError(err),
    );
    return () => void (current = false);
  }, [widget.productKey]);
  const groups = useMemo(() => {
    const byValue = new Map<string, Device[]>();
    for (const d of devices ?? []) {
      const value = d.tags[widget.tag ?? ''] ?? '';
      byValue.set(value, [...(byValue.get(value) ?? []), d]);
    }
    return [...byValue].sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
  }, [devices, widget.tag]);
  if (error) return <ErrorNote error={error} className="text-xs" />;
  if (!devices) return <p className="text-sm text-slate-500">{t('widget.loading')}</p>;
  if (devices.length === 0) return <p className="text-sm text-slate-500">{t('map.empty')}</p>;
  const stateOf = (d: Device): TileState => {
    if (!d.enabled) return 'disabled';
    const live = states.get(deviceKey(d.productKey, d.deviceName));
    return (live ? live.online : d.status === 'online') ? 'online' : 'offline';
  };
  const label = { online: t('state.online'), offline: t('state.offline'), disabled: t('state.disabled') };
  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="min-h-0 flex-1 space-y-1.5 overflow-auto">
        {groups.map(([value, list]) => {
          const online = list.filter((d) => stateOf(d) === 'online').length;
          return (
            <div key={value} data-group={value}>
              <p className="mb-0.5 flex justify-between gap-2 text-xs text-slate-600">
                <span className="truncate font-medium">{value === '' ? t('map.noTag', { tag: widget.tag ?? '' }) : `${widget.tag} = ${value}`}</span>
                <span className="shrink-0 tabular-nums">{t('map.onlineOf', { online, count: list.length })}</span>
              </p>
              <ul className="flex flex-wrap gap-1">
                {list.map((d) => {
                  const state = stateOf(d);
                  return (
                    <li key={`${d.productKey}/${d.deviceName}`}>
                      <Link
                        to={pathOf('devices', d.productKey, d.deviceName)}
                        className={cx('block h-3.5 w-3.5 rounded-sm border', TILE[state])}
                        title={`${d.deviceName}: ${label[state]}`}
                        aria-label={`${d.deviceName}: ${label[state]}`}
                        data-tile={state}
                      />
                    </li>
                  );
                })}
              </ul>
            </div>
          );
        })}
      </div>
      <p className="mt-1 flex gap-3 text-[11px] text-slate-500">
        {(['online', 'offline', 'disabled'] as const).map((s) => (
          <span key={s} className="inline-flex items-center gap-1"><span aria-hidden className={cx('inline-block h-2.5 w-2.5 rounded-sm border', TILE[s])} />{label[s]}</span>
        ))}
      </p>
    </div>
  );
}

const ALERTS_SHOWN = 20;

const SEVERITY: Record<string, { tone: Tone; key: DashboardKey }> = {
  critical: { tone: 'red', key: 'severity.critical' },
  warning: { tone: 'amber', key: 'severity.warning' },
  info: { tone: 'blue', key: 'severity.info' },
};
const KIND: Record<string, DashboardKey> = { threshold: 'alerts.kind.threshold', event: 'alerts.kind.event', offline: 'alerts.kind.offline' };

/** An alert's title: its rule's name, or what kind of rule raised it. */
const alertTitle = (a: Alert) => a.ruleName || (KIND[a.kind] ? t(KIND[a.kind]!) : a.kind);

/** The newest open alerts, read again (at most once a second) when the feed says alerts changed. */
export function AlertsWidget() {
  const [alerts, setAlerts] = useState<{ items: Alert[]; total: number }>();
  const [error, setError] = useState<unknown>();
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const lastLoad = useRef(0);
  const load = useRef(() => {
    lastLoad.current = Date.now();
    apiGet<{ items: Alert[]; total: number }>(`/alerts${queryString({ state: 'open', limit: ALERTS_SHOWN })}`).then(
      (page) => {
        setAlerts(page);
        setError(undefined);
      },
      (err: unknown) => setError(err),
    );
  });
  useEffect(() => {
    load.current();
    return () => clearTimeout(pending.current);
  }, []);
  useLiveAlerts(() => {
    if (pending.current !== undefined) return;
    pending.current = setTimeout(() => {
      pending.current = undefined;
      load.current();
    }, Math.max(0, lastLoad.current + 1000 - Date.now()));
  });
  if (error && !alerts) return <ErrorNote error={error} className="text-xs" />;
  if (!alerts) return <p className="text-sm text-slate-500">{t('widget.loading')}</p>;
  if (alerts.items.length === 0) return <p className="py-2 text-sm text-slate-500">{t('alerts.none')}</p>;
  return (
    <div className="flex h-full min-h-0 flex-col">
      <ul className="min-h-0 flex-1 divide-y divide-slate-100 overflow-auto" data-alert-count={alerts.total}>
        {alerts.items.map((a) => (
          <li key={a.id} className="flex items-center gap-2 py-1.5 text-sm">
            <Badge tone={SEVERITY[a.severity]?.tone ?? 'neutral'}>{SEVERITY[a.severity] ? t(SEVERITY[a.severity]!.key) : a.severity}</Badge>
            <Link to={`/alerts/${a.id}`} className="min-w-0 flex-1 truncate text-slate-800 hover:underline">
              {alertTitle(a)} <span className="font-mono text-xs text-slate-500">{a.deviceName}</span>
            </Link>
            <span className="shrink-0 text-xs text-slate-500" title={formatTime(a.raisedAt)}>{ago(a.raisedAt)}</span>
          </li>
        ))}
      </ul>
      {alerts.total > alerts.items.length && (
        <Link to="/alerts?state=open" className="mt-1 text-xs text-sky-700 hover:underline">{t('alerts.more', { count: alerts.total - alerts.items.length })}</Link>
      )}
    </div>
  );
}

const rateText = (perSecond: number) => (perSecond === 0 ? '0' : perSecond < 10 ? perSecond.toFixed(1) : String(Math.round(perSecond)));

/** Messages per second across the fleet with the last minute as a line (the feed's `rate-history`, then a push a second). */
export function RateWidget() {
  const rate = useLiveRate();
  const history = useLiveRateHistory();
  const values = useMemo(() => history.map((r) => r.uplinksPerSecond), [history]);
  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="flex items-end justify-between gap-3">
        <div>
          <p className={cx('text-3xl font-semibold tabular-nums', rate?.uplinksPerSecond ? 'text-slate-900' : 'text-slate-400')} data-value data-rate>
            {rate ? rateText(rate.uplinksPerSecond) : '—'}
          </p>
          <p className="text-xs text-slate-500">{t('rate.uplinks')}</p>
        </div>
        <div className="text-right">
          <p className="text-lg font-semibold tabular-nums text-slate-700">{rate ? rateText(rate.downlinksPerSecond) : '—'}</p>
          <p className="text-xs text-slate-500">{t('rate.downlinks')}</p>
        </div>
      </div>
      <Sparkline values={values} className="mt-2 min-h-0 w-full flex-1" label={t('rate.sparkline', { count: values.length })} />
    </div>
  );
}
