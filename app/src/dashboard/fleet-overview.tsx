/**
 * The built-in "Fleet" dashboard: the fleet at a glance. Device counts (each a link to the filtered device list),
 * messages per second with the last minute as a sparkline, open alerts by severity and the newest connection events.
 * The figures come from `GET /overview` (every 5 s, and soon after a device goes online or offline) and the rate from
 * the live feed every second. A fresh install says what to set up first.
 */
import { tc } from '../i18n/common.messages.ts';
import { formatNumber } from '../i18n/messages.ts';
import { richText } from '../i18n/rich.tsx';
import { useLiveConnection, useLiveRate, useLiveRateHistory } from '../live/device-feed.ts';
import { Link, pathOf } from '../routing.ts';
import { useCan } from '../session.ts';
import { Badge, type Tone } from '../ui/badge.tsx';
import { cx } from '../ui/cx.ts';
import { EmptyState, ErrorNote } from '../ui/feedback.tsx';
import { Panel } from '../ui/page.tsx';
import { TBody, Table, Td, Th } from '../ui/table.tsx';
import { TimeAgo, formatTime } from '../ui/time.tsx';
import { useApi } from '../use-api.ts';
import { t, type DashboardKey } from './dashboard.messages.ts';
import { useOverview, type ConnectionEvent, type Overview, type Severity } from './overview-api.ts';
import { Sparkline } from './sparkline.tsx';
import { StatCard } from './stat-card.tsx';

const LINK = 'text-sky-700 hover:underline';
const BUTTON_LINK = 'inline-flex items-center gap-1.5 rounded-md border border-sky-700 bg-sky-700 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-sky-800';
const CODE = 'npm run sign';
const SMALL = 'text-xs';

export function FleetOverview() {
  const overview = useOverview();
  const data = overview.data;
  const fresh = data !== undefined && data.devices.total === 0;
  // Small beside figures already shown.
  const errorClass = data ? SMALL : undefined;
  return (
    <>
      {overview.error && <ErrorNote error={overview.error} className={errorClass} />}
      {data === undefined ? (
        overview.loading && <p className="py-6 text-sm text-slate-500" aria-live="polite">{t('fleet.loading')}</p>
      ) : fresh ? (
        <GettingStarted />
      ) : (
        <>
          <DeviceCounts devices={data.devices} />
          <div className="grid gap-5 lg:grid-cols-2">
            <MessageRate polled={data.messages} />
            <OpenAlerts alerts={data.alerts} />
          </div>
          <RecentConnections events={data.recentConnections} />
        </>
      )}
    </>
  );
}

/** Whether live updates are arriving; the fleet overview still polls when they are not. */
export function LiveIndicator() {
  const state = useLiveConnection();
  const [text, dot, hint] = state === 'open'
    ? [t('live.open'), 'bg-emerald-500', t('live.openHint')]
    : state === 'connecting'
      ? [t('live.connecting'), 'bg-amber-400', t('live.connectingHint')]
      : [t('live.closed'), 'bg-slate-400', t('live.closedHint')];
  return (
    <span className="inline-flex items-center gap-1.5 text-xs text-slate-600" title={hint} data-testid="live-state" data-state={state}>
      <span aria-hidden className={cx('h-2 w-2 rounded-full', dot, state === 'open' && 'motion-safe:animate-pulse')} />
      {text}
    </span>
  );
}

function DeviceCounts({ devices }: { devices: Overview['devices'] }) {
  const disabled = devices.disabled > 0 ? t('fleet.disabled', { count: devices.disabled }) : undefined;
  return (
    <section aria-label={t('fleet.devices')} className="grid grid-cols-2 gap-3 lg:grid-cols-4">
      <StatCard id="total" label={t('fleet.devices')} value={devices.total} icon="fa-microchip" tone="blue" to="/devices" hint={disabled ?? t('fleet.allProducts')} />
      <StatCard id="online" label={tc('online')} value={devices.online} icon="fa-circle" tone="green" to="/devices?status=online" hint={share(devices.online, devices.total)} />
      <StatCard id="offline" label={tc('offline')} value={devices.offline} icon="fa-circle-o" tone="slate" to="/devices?status=offline" hint={t('fleet.offlineHint')} />
      <StatCard id="inactive" label={t('fleet.inactive')} value={devices.inactive} icon="fa-clock-o" tone="amber" to="/devices?status=inactive" hint={t('fleet.inactiveHint')} />
    </section>
  );
}

function share(part: number, total: number): string {
  if (total === 0) return '';
  const percent = (part / total) * 100;
  return t('fleet.share', { percent: percent > 0 && percent < 1 ? '<1' : Math.round(percent) });
}

/** 0, 0.4, 8.5, 12, 1,250: a tenth is worth showing only for small rates. */
function formatRate(perSecond: number): string {
  if (perSecond === 0) return '0';
  return perSecond < 10 ? perSecond.toFixed(1) : formatNumber(Math.round(perSecond));
}

function MessageRate({ polled }: { polled: Overview['messages'] }) {
  const live = useLiveRate();
  const history = useLiveRateHistory();
  const up = live?.uplinksPerSecond ?? polled.uplinksPerSecond;
  const down = live?.downlinksPerSecond ?? polled.downlinksPerSecond;
  const values = history.map((r) => r.uplinksPerSecond);
  const peak = values.length > 0 ? Math.max(...values) : 0;
  return (
    <Panel title={t('fleet.messages')} actions={<span className="text-xs text-slate-500">{t('fleet.perSecond')}</span>}>
      <div className="flex flex-wrap items-end justify-between gap-x-6 gap-y-2">
        <div>
          <div className={cx('text-3xl font-semibold tabular-nums', up === 0 ? 'text-slate-400' : 'text-slate-900')} data-stat="uplinks">
            {formatRate(up)}
          </div>
          <div className="text-xs text-slate-500">{t('fleet.uplinks')}</div>
        </div>
        <div className="text-right">
          <div className={cx('text-xl font-semibold tabular-nums', down === 0 ? 'text-slate-400' : 'text-slate-900')} data-stat="downlinks">
            {formatRate(down)}
          </div>
          <div className="text-xs text-slate-500">{t('fleet.downlinks')}</div>
        </div>
      </div>
      <Sparkline
        values={values}
        className="mt-3 h-14 w-full"
        label={values.length > 1 ? t('fleet.sparkline', { count: values.length, peak: formatRate(peak) }) : t('fleet.sparklineCollecting')}
      />
      <div className="mt-1 flex justify-between text-[11px] text-slate-400">
        <span>{values.length > 1 ? tc('secondsAgo', { n: values.length }) : t('fleet.live')}</span>
        <span>{values.length > 1 ? t('fleet.peak', { peak: formatRate(peak) }) : ''}</span>
        <span>{t('fleet.now')}</span>
      </div>
    </Panel>
  );
}

const SEVERITIES: readonly { severity: Severity; labelKey: DashboardKey; tone: string; icon: string }[] = [
  { severity: 'critical', labelKey: 'severity.critical', tone: 'text-red-700', icon: 'fa-exclamation-circle text-red-500' },
  { severity: 'warning', labelKey: 'severity.warning', tone: 'text-amber-700', icon: 'fa-exclamation-triangle text-amber-500' },
  { severity: 'info', labelKey: 'severity.info', tone: 'text-sky-800', icon: 'fa-info-circle text-sky-500' },
];

function OpenAlerts({ alerts }: { alerts: Overview['alerts'] }) {
  const active = SEVERITIES.reduce((n, s) => n + alerts.active[s.severity], 0);
  const acknowledged = SEVERITIES.reduce((n, s) => n + alerts.acknowledged[s.severity], 0);
  return (
    <Panel title={t('fleet.openAlerts')} actions={<Link to="/alerts" className={cx(LINK, 'text-xs')}>{t('fleet.allAlerts')}</Link>}>
      <ul className="grid grid-cols-3 gap-3">
        {SEVERITIES.map(({ severity, labelKey, tone, icon }) => {
          const count = alerts.active[severity];
          const acked = alerts.acknowledged[severity];
          return (
            <li key={severity} className="min-w-0 rounded-md border border-slate-200 transition-colors hover:border-sky-300 hover:bg-sky-50/40">
              <Link to={`/alerts?state=active&severity=${severity}`} className="block rounded-t-md px-3 pt-2" data-stat={`alerts-${severity}`}>
                <span className="flex items-center gap-1.5 text-xs font-medium text-slate-600">
                  <i aria-hidden className={cx('fa fa-fw', icon)} />
                  <span className="truncate">{t(labelKey)}</span>
                </span>
                <span className={cx('block text-2xl font-semibold tabular-nums', count === 0 ? 'text-slate-400' : tone)} data-value>
                  {formatNumber(count)}
                </span>
                <span className="sr-only"> {t('fleet.active')}</span>
              </Link>
              {acked > 0 ? (
                <Link to={`/alerts?state=acknowledged&severity=${severity}`} className={cx(LINK, 'block truncate px-3 pb-2 text-xs')}>
                  {t('fleet.acknowledged', { count: acked })}
                </Link>
              ) : (
                <span className="block truncate px-3 pb-2 text-xs text-slate-400">{t('fleet.active')}</span>
              )}
            </li>
          );
        })}
      </ul>
      <p className="mt-3 text-xs text-slate-500">
        {active === 0 && acknowledged === 0
          ? t('fleet.alertsNone')
          : active === 0
            ? t('fleet.alertsAllAcknowledged')
            : t('fleet.alertsWaiting', { count: active })}
      </p>
    </Panel>
  );
}

const EVENT_TONES: Record<ConnectionEvent['event'], Tone> = { connected: 'green', disconnected: 'neutral', refused: 'red' };
const EVENT_KEYS: Record<ConnectionEvent['event'], DashboardKey> = { connected: 'event.connected', disconnected: 'event.disconnected', refused: 'event.refused' };

function RecentConnections({ events }: { events: ConnectionEvent[] }) {
  return (
    <section aria-labelledby="recent-connections" className="space-y-2">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="recent-connections" className="text-sm font-semibold text-slate-800">{t('fleet.recent')}</h2>
        <span className="text-xs text-slate-500">{t('fleet.recentHint', { count: events.length })}</span>
      </div>
      {events.length === 0 ? (
        <EmptyState title={t('fleet.noEvents')}>
          {richText(t('fleet.noEventsText', { command: CODE }), { code: (text) => <code className="rounded bg-slate-200 px-1 text-xs">{text}</code> })}
        </EmptyState>
      ) : (
        <Table label={t('fleet.recent')}>
          <thead>
            <tr>
              <Th>{t('fleet.when')}</Th>
              <Th>{t('fleet.device')}</Th>
              <Th>{t('fleet.event')}</Th>
              <Th>{t('fleet.reason')}</Th>
              <Th className="hidden lg:table-cell">{t('fleet.protocol')}</Th>
              <Th className="hidden lg:table-cell">{t('fleet.address')}</Th>
            </tr>
          </thead>
          <TBody>
            {events.map((e, i) => (
              <tr key={`${e.at}-${e.productKey}-${e.deviceName}-${e.event}-${i}`} data-connection={`${e.productKey}/${e.deviceName}`}>
                <Td className="whitespace-nowrap text-slate-600" title={formatTime(e.at)}><TimeAgo at={e.at} /></Td>
                <Td className="max-w-[16rem]">
                  <Link to={pathOf('devices', e.productKey, e.deviceName)} className={cx(LINK, 'block truncate font-medium')}>{e.deviceName}</Link>
                  <span className="block truncate text-xs text-slate-500">{e.productKey}</span>
                </Td>
                <Td><Badge tone={EVENT_TONES[e.event]}>{EVENT_KEYS[e.event] ? t(EVENT_KEYS[e.event]) : e.event}</Badge></Td>
                <Td className="max-w-[22rem] text-slate-600">
                  <span className="line-clamp-2 break-words" title={e.reason ?? undefined}>{e.reason ?? '—'}</span>
                </Td>
                <Td className="hidden whitespace-nowrap text-slate-600 lg:table-cell">{e.protocol ?? '—'}</Td>
                <Td className="hidden whitespace-nowrap font-mono text-xs text-slate-600 lg:table-cell">{e.remoteAddress ?? '—'}</Td>
              </tr>
            ))}
          </TBody>
        </Table>
      )}
    </section>
  );
}

/** A fresh install: what to set up, in order, with the step to take now as the button. */
function GettingStarted() {
  const products = useApi<{ items: { productKey: string }[] }>('/products');
  const canCreateProducts = useCan('products:write');
  const canAddDevices = useCan('devices:write');
  if (products.error && !products.data) return <ErrorNote error={products.error} />;
  if (!products.data) return <p className="py-6 text-sm text-slate-500" aria-live="polite">{t('fleet.loadingProducts')}</p>;
  const hasProducts = products.data.items.length > 0;
  const steps: { title: string; text: string; done: boolean }[] = [
    { title: t('start.product'), text: t('start.productText'), done: hasProducts },
    { title: t('start.device'), text: t('start.deviceText'), done: false },
    { title: t('start.connect'), text: t('start.connectText'), done: false },
  ];
  return (
    <>
      {hasProducts ? (
        <EmptyState
          title={t('start.noDevices')}
          action={<Link to="/devices" className={BUTTON_LINK}>{canAddDevices ? t('start.device') : t('start.goDevices')}</Link>}
        >
          {canAddDevices ? t('start.noDevicesText') : t('start.noDevicesTextOperator')}
        </EmptyState>
      ) : (
        <EmptyState
          title={t('start.noProducts')}
          action={<Link to="/products" className={BUTTON_LINK}>{t('start.goProducts')}</Link>}
        >
          {canCreateProducts ? t('start.noProductsText') : t('start.noProductsTextOperator')}
        </EmptyState>
      )}
      <Panel title={t('start.title')}>
        <ol className="grid gap-4 md:grid-cols-3">
          {steps.map((step, i) => {
            const current = !step.done && steps.slice(0, i).every((s) => s.done);
            return (
              <li key={step.title} className="flex gap-3">
                <span
                  aria-hidden
                  className={cx(
                    'flex h-7 w-7 shrink-0 items-center justify-center rounded-full text-sm font-semibold',
                    step.done ? 'bg-emerald-100 text-emerald-700' : current ? 'bg-sky-700 text-white' : 'bg-slate-100 text-slate-500',
                  )}
                >
                  {step.done ? <i className="fa fa-check" /> : i + 1}
                </span>
                <div className="min-w-0">
                  <p className={cx('text-sm font-semibold', current ? 'text-slate-900' : 'text-slate-700')}>
                    {step.title}
                    {step.done && <span className="sr-only"> {t('start.done')}</span>}
                  </p>
                  <p className="text-sm text-slate-600">{step.text}</p>
                </div>
              </li>
            );
          })}
        </ol>
      </Panel>
    </>
  );
}
