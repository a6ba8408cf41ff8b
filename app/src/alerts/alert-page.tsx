import type { ReactNode } from 'react';
import { ApiError } from '../api.ts';
import { Link, pathOf } from '../routing.ts';
import { useCan } from '../session.ts';
import { useLiveAlerts } from '../live/device-feed.ts';
import { useApi } from '../use-api.ts';
import { SeverityBadge } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { cx } from '../ui/cx.ts';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Facts, Page, Panel } from '../ui/page.tsx';
import { formatTime, TimeAgo } from '../ui/time.tsx';
import { useAlertActions } from './alert-actions.ts';
import { LINK_BUTTON, RowActions } from './alert-action-buttons.tsx';
import { AlertStateBadge } from './alert-state-badge.tsx';
import { alertTitle, propertyValueText, type Alert, type AlertKind } from './alert-types.ts';
import { usePublishedTsl } from '../devices/device-detail-api.ts';
import { ValueTree } from './value-tree.tsx';

const kindLabels: Record<AlertKind, string> = {
  threshold: 'Threshold on a property',
  event: 'Device event',
  offline: 'Device offline',
};

/**
 * `/alerts/:id`: one alert in full: what raised it, who acknowledged it, what cleared it, the rule's parameters as
 * they were when it was raised, and the actions its state allows. Follows the live feed, so a clear by the rule or
 * another operator's acknowledgement shows up here too.
 */
export function AlertPage({ id }: { id: string }) {
  const valid = /^[1-9][0-9]*$/.test(id);
  const read = useApi<Alert>(valid ? `/alerts/${id}` : null);
  // A push about this alert, or a reconnect (its transitions may have been missed): read it again.
  useLiveAlerts((transitions) => {
    if (transitions.length === 0 || transitions.some((t) => String(t.alert.id) === id)) void read.reload();
  });
  const canAck = useCan('alerts:ack');
  const actions = useAlertActions(read.reload);
  const back = <Link to="/alerts" className="text-sky-800 hover:underline"><i aria-hidden className="fa fa-angle-left" /> Alerts</Link>;

  if (!valid || (read.error instanceof ApiError && read.error.status === 404 && !read.data)) {
    return (
      <Page title={`Alert ${id}`} back={back}>
        <EmptyState title={`Alert ${id} does not exist`} action={<Link to="/alerts" className={LINK_BUTTON}>Back to the alerts</Link>}>
          It may have been raised on another Thingwire, or the link is mistyped.
        </EmptyState>
      </Page>
    );
  }
  if (!read.data) {
    return (
      <Page title={`Alert ${id}`} back={back}>
        {read.error ? <ErrorNote error={read.error} /> : <Loading what="the alert" />}
      </Page>
    );
  }

  const alert = actions.view(read.data);
  const error = actions.error(alert.id);
  return (
    <Page
      title={alertTitle(alert)}
      back={back}
      subtitle={
        <span className="flex flex-wrap items-center gap-2">
          <SeverityBadge severity={alert.severity} />
          <AlertStateBadge state={alert.state} />
          <span>{alert.message}</span>
        </span>
      }
      actions={canAck && <RowActions alert={alert} size="md" busy={actions.busy(alert.id)} onAct={(a) => void actions.act(alert, a)} />}
    >
      {error !== undefined && (
        <div className="flex items-start gap-2">
          <ErrorNote error={error} className="flex-1" />
          <Button size="sm" variant="ghost" onClick={() => actions.dismiss(alert.id)}>Dismiss</Button>
        </div>
      )}
      {read.error && <ErrorNote error={read.error} />}

      <div className="grid gap-5 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="min-w-0 space-y-5">
          <Panel title="Timeline">
            <Timeline alert={alert} />
          </Panel>
          <Panel title="What raised it">
            <RaisingValue alert={alert} />
          </Panel>
          {alert.clearValue !== null && alert.clearValue !== undefined && (
            <Panel title="What cleared it">
              <ValueTree value={alert.clearValue} />
            </Panel>
          )}
        </div>
        <div className="min-w-0 space-y-5">
          <Panel title="Device">
            <Facts
              items={[
                ['Device', <Link key="d" to={pathOf('devices', alert.productKey, alert.deviceName)} className="text-sky-800 hover:underline">{alert.deviceName}</Link>],
                ['Product', <Link key="p" to={pathOf('products', alert.productKey)} className="text-sky-800 hover:underline">{alert.productKey}</Link>],
              ]}
            />
            <p className="mt-3 text-sm">
              <Link to={`/alerts?state=all&productKey=${encodeURIComponent(alert.productKey)}&deviceName=${encodeURIComponent(alert.deviceName)}`} className="text-sky-800 hover:underline">
                Every alert of this device
              </Link>
            </p>
          </Panel>
          <Panel title="Rule">
            <RuleFacts alert={alert} />
            <p className="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-sm">
              <Link to={`/alerts?state=all&ruleId=${encodeURIComponent(alert.ruleId)}`} className="text-sky-800 hover:underline">Every alert of this rule</Link>
              <Link to={`/flows?node=${encodeURIComponent(alert.nodeId)}`} className="text-sky-800 hover:underline">Edit the rule in the flows</Link>
            </p>
          </Panel>
        </div>
      </div>
    </Page>
  );
}

/** Raised → acknowledged → cleared, with who did it and when; steps still to come are shown as such. */
function Timeline({ alert }: { alert: Alert }) {
  const cleared = alert.state === 'cleared';
  return (
    <ol className="relative space-y-4 border-l border-slate-200 pl-5" aria-label="State timeline">
      <Step icon="fa-bolt" done tone="violet" title="Raised" at={alert.raisedAt}>
        by the rule {alertTitle(alert)}: {alert.message}
      </Step>
      {alert.acknowledgedAt ? (
        <Step icon="fa-eye" done tone="slate" title={`Acknowledged by ${alert.acknowledgedBy ?? 'someone'}`} at={alert.acknowledgedAt}>
          {cleared ? 'Someone took it on.' : 'Someone is on it; the alert stays open until it clears.'}
        </Step>
      ) : (
        <Step icon="fa-eye" title={cleared ? 'Not acknowledged' : 'Not acknowledged yet'}>
          {cleared ? 'It cleared before anyone acknowledged it.' : 'Acknowledge it to tell the others that you are on it.'}
        </Step>
      )}
      {cleared ? (
        <Step icon="fa-check" done tone="green" title={alert.clearedBy ? `Cleared by ${alert.clearedBy}` : 'Cleared by its rule'} at={alert.clearedAt}>
          {alert.clearedBy
            ? 'Cleared by hand. If the condition still holds, the rule raises a new alert.'
            : <>The clear condition held{alert.clearValue !== null && alert.clearValue !== undefined ? <>: <ClearValueText alert={alert} /></> : '.'}</>}
        </Step>
      ) : (
        <Step icon="fa-check" title="Still open">
          It clears by itself when the rule’s clear condition holds{clearConditionText(alert)}, or by hand.
        </Step>
      )}
    </ol>
  );
}

function Step({ icon, title, at, done = false, tone = 'slate', children }: {
  icon: string;
  title: string;
  at?: string | null;
  done?: boolean;
  tone?: 'violet' | 'slate' | 'green';
  children: ReactNode;
}) {
  const dot = !done ? 'bg-white text-slate-400 ring-slate-300' : tone === 'violet' ? 'bg-violet-600 text-white ring-violet-600' : tone === 'green' ? 'bg-emerald-600 text-white ring-emerald-600' : 'bg-slate-600 text-white ring-slate-600';
  return (
    <li className="relative">
      <span aria-hidden className={cx('absolute -left-[1.95rem] top-0 flex h-5 w-5 items-center justify-center rounded-full text-[0.6rem] ring-2', dot)}>
        <i className={cx('fa', icon)} />
      </span>
      <p className={cx('text-sm font-medium', done ? 'text-slate-900' : 'text-slate-500')}>
        {title}
        {at && (
          <span className="ml-2 font-normal text-slate-500">
            {formatTime(at)} (<TimeAgo at={at} />)
          </span>
        )}
      </p>
      <p className={cx('mt-0.5 text-sm', done ? 'text-slate-700' : 'text-slate-500')}>{children}</p>
    </li>
  );
}

/** The value of a threshold alert as "temperature = 35"; event data and the offline state as a table. */
function RaisingValue({ alert }: { alert: Alert }) {
  const property = typeof alert.details.property === 'string' ? alert.details.property : undefined;
  const { tsl } = usePublishedTsl(alert.productKey);
  const scalar = alert.value === null || typeof alert.value !== 'object';
  if (scalar && property) {
    return (
      <div>
        <p className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
          <span className="font-mono text-sm text-slate-600">{property}</span>
          <span className="font-mono text-3xl font-semibold text-slate-900" data-testid="alert-value">
            {propertyValueText(alert, tsl, 60) ?? (alert.value === null ? 'null' : String(alert.value))}
          </span>
          {typeof alert.details.condition === 'string' && <span className="text-sm text-slate-600">raise condition: {property} {alert.details.condition}</span>}
        </p>
      </div>
    );
  }
  return (
    <div data-testid="alert-value">
      {alert.kind === 'event' && typeof alert.details.eventId === 'string' && (
        <p className="mb-2 text-sm text-slate-600">Data of the event <code className="font-mono">{alert.details.eventId}</code>:</p>
      )}
      <ValueTree value={alert.value} />
    </div>
  );
}

function ClearValueText({ alert }: { alert: Alert }) {
  const property = typeof alert.details.property === 'string' ? alert.details.property : undefined;
  const value = alert.clearValue;
  if (property && (value === null || typeof value !== 'object')) return <span className="font-mono">{property} = {String(value)}</span>;
  return <code className="break-all font-mono text-xs">{JSON.stringify(value)}</code>;
}

function clearConditionText(alert: Alert): string {
  const { clearCondition, property, clearEventId } = alert.details;
  if (typeof clearCondition === 'string') return clearCondition.startsWith('when') ? ` (${clearCondition})` : ` (${String(property ?? 'value')} ${clearCondition})`;
  if (alert.kind === 'event') return typeof clearEventId === 'string' && clearEventId ? ` (event ${clearEventId})` : ' (this rule has no clear event: only by hand)';
  if (alert.kind === 'offline') return ' (the device comes back online)';
  return '';
}

/** Labels for the rule parameters the engine stores with an alert; others are shown under their own key. */
const detailLabels: Record<string, { label: string; show?(value: unknown, alert: Alert): ReactNode }> = {
  property: { label: 'Property', show: (v) => <code className="font-mono">{String(v)}</code> },
  condition: { label: 'Raise when', show: (v, a) => <code className="font-mono">{String(a.details.property ?? 'value')} {String(v)}</code> },
  forSeconds: { label: 'Held for', show: (v) => `${String(v)} s` },
  heldSince: { label: 'Held since', show: (v) => formatTime(String(v)) },
  clearCondition: {
    label: 'Clears when',
    show: (v, a) => (String(v).startsWith('when') ? String(v) : <code className="font-mono">{String(a.details.property ?? 'value')} {String(v)}</code>),
  },
  eventId: { label: 'Event', show: (v) => <code className="font-mono">{String(v)}</code> },
  eventType: { label: 'Event type' },
  clearEventId: { label: 'Clear event', show: (v) => (v ? <code className="font-mono">{String(v)}</code> : 'none: only by hand') },
  offlineMinutes: { label: 'Offline for', show: (v) => `${String(v)} min` },
  offlineSince: { label: 'Offline since', show: (v) => formatTime(String(v)) },
  reason: { label: 'Reason' },
};
/** Parts of `condition` stored again one by one, for flows that read them; the sentence says it already. */
const repeated = new Set(['operator', 'threshold', 'low', 'high']);

function RuleFacts({ alert }: { alert: Alert }) {
  const items: [ReactNode, ReactNode][] = [
    ['Name', alert.ruleName || <span className="text-slate-500">(the node has no name)</span>],
    ['Trigger', kindLabels[alert.kind] ?? alert.kind],
  ];
  for (const [key, value] of Object.entries(alert.details)) {
    if (repeated.has(key) && typeof alert.details.condition === 'string') continue;
    if (value === null || value === undefined) continue;
    const known = detailLabels[key];
    items.push([known?.label ?? key, known?.show ? known.show(value, alert) : typeof value === 'object' ? <ValueTree value={value} /> : String(value)]);
  }
  items.push(['Node', <code key="n" className="break-all font-mono text-xs">{alert.nodeId}{alert.ruleId !== alert.nodeId ? ` (runs as ${alert.ruleId})` : ''}</code>]);
  return <Facts items={items} />;
}
