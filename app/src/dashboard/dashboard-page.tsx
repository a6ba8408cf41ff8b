import { useLiveConnection, useLiveRate, useLiveRateHistory } from '../live/device-feed.ts';
import { Link, pathOf } from '../routing.ts';
import { useCan } from '../session.ts';
import { Badge, type Tone } from '../ui/badge.tsx';
import { cx } from '../ui/cx.ts';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Page, Panel } from '../ui/page.tsx';
import { TBody, Table, Td, Th } from '../ui/table.tsx';
import { TimeAgo, formatTime } from '../ui/time.tsx';
import { useApi } from '../use-api.ts';
import { useOverview, type ConnectionEvent, type Overview, type Severity } from './overview-api.ts';
import { Sparkline } from './sparkline.tsx';
import { StatCard } from './stat-card.tsx';

const LINK = 'text-sky-700 hover:underline';
const BUTTON_LINK = 'inline-flex items-center gap-1.5 rounded-md border border-sky-700 bg-sky-700 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-sky-800';

/**
 * `/dashboard`, the landing page after sign-in: the fleet at a glance. Device counts (each a link to the filtered
 * device list), messages per second with the last minute as a sparkline, open alerts by severity and the newest
 * connection events. The figures come from `GET /overview` (every 5 s, and soon after a device goes online or offline)
 * and the rate from the live feed every second. A fresh install says what to set up first.
 */
export function DashboardPage() {
  const overview = useOverview();
  const data = overview.data;
  const fresh = data !== undefined && data.devices.total === 0;
  return (
    <Page title="Dashboard" subtitle="Your fleet right now" actions={<LiveIndicator />}>
      {overview.error && (
        <ErrorNote error={overview.error} className={data ? 'text-xs' : undefined} />
      )}
      {data === undefined ? (
        overview.loading && <Loading what="the overview" />
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
    </Page>
  );
}

/** Whether live updates are arriving; the page still polls when they are not. */
function LiveIndicator() {
  const state = useLiveConnection();
  const [text, dot, hint] = state === 'open'
    ? ['Live', 'bg-emerald-500', 'Device changes and message rates arrive as they happen.']
    : state === 'connecting'
      ? ['Connecting…', 'bg-amber-400', 'Connecting to the live feed.']
      : ['Live updates paused', 'bg-slate-400', 'The live feed is not connected; it retries by itself. Figures still refresh every 5 s.'];
  return (
    <span className="inline-flex items-center gap-1.5 text-xs text-slate-600" title={hint} data-testid="live-state" data-state={state}>
      <span aria-hidden className={cx('h-2 w-2 rounded-full', dot, state === 'open' && 'animate-pulse')} />
      {text}
    </span>
  );
}

function DeviceCounts({ devices }: { devices: Overview['devices'] }) {
  const disabled = devices.disabled > 0 ? `${devices.disabled.toLocaleString('en')} disabled` : undefined;
  return (
    <section aria-label="Devices" className="grid grid-cols-2 gap-3 lg:grid-cols-4">
      <StatCard id="total" label="Devices" value={devices.total} icon="fa-microchip" tone="blue" to="/devices" hint={disabled ?? 'all products'} />
      <StatCard id="online" label="Online" value={devices.online} icon="fa-circle" tone="green" to="/devices?status=online" hint={share(devices.online, devices.total)} />
      <StatCard id="offline" label="Offline" value={devices.offline} icon="fa-circle-o" tone="slate" to="/devices?status=offline" hint="seen before, not now" />
      <StatCard id="inactive" label="Never connected" value={devices.inactive} icon="fa-clock-o" tone="amber" to="/devices?status=inactive" hint="not signed in yet" />
    </section>
  );
}

function share(part: number, total: number): string {
  if (total === 0) return '';
  const percent = (part / total) * 100;
  return `${percent > 0 && percent < 1 ? '<1' : Math.round(percent)}% of devices`;
}

/** 0, 0.4, 8.5, 12, 1,250: a tenth is worth showing only for small rates. */
function formatRate(perSecond: number): string {
  if (perSecond === 0) return '0';
  return perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond).toLocaleString('en');
}

function MessageRate({ polled }: { polled: Overview['messages'] }) {
  const live = useLiveRate();
  const history = useLiveRateHistory();
  const up = live?.uplinksPerSecond ?? polled.uplinksPerSecond;
  const down = live?.downlinksPerSecond ?? polled.downlinksPerSecond;
  const values = history.map((r) => r.uplinksPerSecond);
  const peak = values.length > 0 ? Math.max(...values) : 0;
  return (
    <Panel title="Messages" actions={<span className="text-xs text-slate-500">per second, fleet-wide</span>}>
      <div className="flex flex-wrap items-end justify-between gap-x-6 gap-y-2">
        <div>
          <div className={cx('text-3xl font-semibold tabular-nums', up === 0 ? 'text-slate-400' : 'text-slate-900')} data-stat="uplinks">
            {formatRate(up)}
          </div>
          <div className="text-xs text-slate-500">from devices (uplinks)</div>
        </div>
        <div className="text-right">
          <div className={cx('text-xl font-semibold tabular-nums', down === 0 ? 'text-slate-400' : 'text-slate-900')} data-stat="downlinks">
            {formatRate(down)}
          </div>
          <div className="text-xs text-slate-500">to devices (commands)</div>
        </div>
      </div>
      <Sparkline
        values={values}
        className="mt-3 h-14 w-full"
        label={values.length > 1 ? `Uplinks per second over the last ${values.length} seconds, peak ${formatRate(peak)}` : 'Uplinks per second: collecting the last minute'}
      />
      <div className="mt-1 flex justify-between text-[11px] text-slate-400">
        <span>{values.length > 1 ? `${values.length} s ago` : 'live'}</span>
        <span>{values.length > 1 ? `peak ${formatRate(peak)}/s` : ''}</span>
        <span>now</span>
      </div>
    </Panel>
  );
}

const SEVERITIES: readonly { severity: Severity; label: string; tone: string; icon: string }[] = [
  { severity: 'critical', label: 'Critical', tone: 'text-red-700', icon: 'fa-exclamation-circle text-red-500' },
  { severity: 'warning', label: 'Warning', tone: 'text-amber-700', icon: 'fa-exclamation-triangle text-amber-500' },
  { severity: 'info', label: 'Info', tone: 'text-sky-800', icon: 'fa-info-circle text-sky-500' },
];

function OpenAlerts({ alerts }: { alerts: Overview['alerts'] }) {
  const active = SEVERITIES.reduce((n, s) => n + alerts.active[s.severity], 0);
  const acknowledged = SEVERITIES.reduce((n, s) => n + alerts.acknowledged[s.severity], 0);
  return (
    <Panel title="Open alerts" actions={<Link to="/alerts" className={cx(LINK, 'text-xs')}>All alerts</Link>}>
      <ul className="grid grid-cols-3 gap-3">
        {SEVERITIES.map(({ severity, label, tone, icon }) => {
          const count = alerts.active[severity];
          const acked = alerts.acknowledged[severity];
          return (
            <li key={severity} className="min-w-0 rounded-md border border-slate-200 transition-colors hover:border-sky-300 hover:bg-sky-50/40">
              <Link to={`/alerts?state=active&severity=${severity}`} className="block rounded-t-md px-3 pt-2" data-stat={`alerts-${severity}`}>
                <span className="flex items-center gap-1.5 text-xs font-medium text-slate-600">
                  <i aria-hidden className={cx('fa fa-fw', icon)} />
                  <span className="truncate">{label}</span>
                </span>
                <span className={cx('block text-2xl font-semibold tabular-nums', count === 0 ? 'text-slate-400' : tone)} data-value>
                  {count.toLocaleString('en')}
                </span>
                <span className="sr-only"> active</span>
              </Link>
              {acked > 0 ? (
                <Link to={`/alerts?state=acknowledged&severity=${severity}`} className={cx(LINK, 'block truncate px-3 pb-2 text-xs')}>
                  +{acked.toLocaleString('en')} acknowledged
                </Link>
              ) : (
                <span className="block truncate px-3 pb-2 text-xs text-slate-400">active</span>
              )}
            </li>
          );
        })}
      </ul>
      <p className="mt-3 text-xs text-slate-500">
        {active === 0 && acknowledged === 0
          ? 'Nothing needs attention: no alert is open.'
          : active === 0
            ? 'Every open alert has been acknowledged; they clear when their condition ends.'
            : `${active.toLocaleString('en')} active ${active === 1 ? 'alert waits' : 'alerts wait'} for someone to acknowledge ${active === 1 ? 'it' : 'them'}.`}
      </p>
    </Panel>
  );
}

const EVENT_TONES: Record<ConnectionEvent['event'], Tone> = { connected: 'green', disconnected: 'neutral', refused: 'red' };

function RecentConnections({ events }: { events: ConnectionEvent[] }) {
  return (
    <section aria-labelledby="recent-connections" className="space-y-2">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="recent-connections" className="text-sm font-semibold text-slate-800">Recent connections</h2>
        <span className="text-xs text-slate-500">the newest {events.length > 0 ? events.length : ''} events of all devices</span>
      </div>
      {events.length === 0 ? (
        <EmptyState title="No connection events yet">
          When a device signs in, disconnects or is refused, it shows here. Connect one with its signed credentials
          (<code className="rounded bg-slate-200 px-1 text-xs">npm run sign</code> prints them).
        </EmptyState>
      ) : (
        <Table label="Recent connections">
          <thead>
            <tr>
              <Th>When</Th>
              <Th>Device</Th>
              <Th>Event</Th>
              <Th>Reason</Th>
              <Th className="hidden lg:table-cell">Protocol</Th>
              <Th className="hidden lg:table-cell">Address</Th>
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
                <Td><Badge tone={EVENT_TONES[e.event]}>{e.event}</Badge></Td>
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
  if (!products.data) return <Loading what="products" />;
  const hasProducts = products.data.items.length > 0;
  const steps: { title: string; text: string; done: boolean }[] = [
    { title: 'Create a product', text: 'A product says how its devices sign in and what they send: publish its thing model (Alibaba TSL JSON).', done: hasProducts },
    { title: 'Add a device', text: 'Each device gets a secret, shown once. Copy it into the device or the simulator.', done: false },
    { title: 'Connect it', text: 'Point the device at this server over MQTT with its signed credentials; it shows here as online.', done: false },
  ];
  return (
    <>
      {hasProducts ? (
        <EmptyState
          title="No devices yet"
          action={<Link to="/devices" className={BUTTON_LINK}>{canAddDevices ? 'Add a device' : 'Go to devices'}</Link>}
        >
          {canAddDevices
            ? 'Your products are ready. Add a device to one of them, then connect it: the dashboard shows it as soon as it signs in.'
            : 'Your products are ready; an engineer or admin adds their devices. The dashboard fills in as they connect.'}
        </EmptyState>
      ) : (
        <EmptyState
          title="No products yet"
          action={<Link to="/products" className={BUTTON_LINK}>Go to products</Link>}
        >
          {canCreateProducts
            ? 'Create a product first: every device belongs to one. Then add devices and connect them; the dashboard fills in as they do.'
            : 'An engineer or admin creates products first; devices follow. The dashboard fills in as they connect.'}
        </EmptyState>
      )}
      <Panel title="Getting started">
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
                    {step.done && <span className="sr-only"> (done)</span>}
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
