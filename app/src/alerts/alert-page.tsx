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
import { alertTitle, conditionText, propertyValueText, storedConditionText, type Alert, type AlertKind } from './alert-types.ts';
import { t, type AlertsKey } from './alerts.messages.ts';
import { richText } from '../i18n/rich.tsx';
import type { AlertCondition } from '../../../domain/alerts/alert-rule.ts';
import { usePublishedTsl } from '../devices/device-detail-api.ts';
import { ValueTree } from './value-tree.tsx';

const kindLabels: Record<AlertKind, AlertsKey> = {
  threshold: 'kind.threshold',
  event: 'kind.event',
  offline: 'kind.offline',
};

/**
 * `/alerts/:id`: one alert in full: what raised it, who acknowledged it, what cleared it, the rule's parameters as
 * they were when it was raised, and the actions its state allows. Follows the live feed, so a clear by the rule or
 * another operator's acknowledgement shows up here too.
 */

/** A value that is JSON null, written as JSON writes it. */
const JSON_NULL = 'null';
export function AlertPage({ id }: { id: string }) {
  const valid = /^[1-9][0-9]*$/.test(id);
  const read = useApi<Alert>(valid ? `/alerts/${id}` : null);
  // A push about this alert, or a reconnect (its transitions may have been missed): read it again.
  useLiveAlerts((transitions) => {
    if (transitions.length === 0 || transitions.some((t) => String(t.alert.id) === id)) void read.reload();
  });
  const canAck = useCan('alerts:ack');
  const actions = useAlertActions(read.reload);
  const back = <Link to="/alerts" className="text-sky-800 hover:underline"><i aria-hidden className="fa fa-angle-left" /> {t('list.title')}</Link>;

  if (!valid || (read.error instanceof ApiError && read.error.status === 404 && !read.data)) {
    return (
      <Page title={t('page.title', { id })} back={back}>
        <EmptyState title={t('page.missing', { id })} action={<Link to="/alerts" className={LINK_BUTTON}>{t('page.backToList')}</Link>}>
          {t('page.missingHint')}
        </EmptyState>
      </Page>
    );
  }
  if (!read.data) {
    return (
      <Page title={t('page.title', { id })} back={back}>
        {read.error ? <ErrorNote error={read.error} /> : <Loading what={t('page.loading')} />}
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
          <Button size="sm" variant="ghost" onClick={() => actions.dismiss(alert.id)}>{t('dismiss')}</Button>
        </div>
      )}
      {read.error && <ErrorNote error={read.error} />}

      <div className="grid gap-5 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="min-w-0 space-y-5">
          <Panel title={t('page.timeline')}>
            <Timeline alert={alert} />
          </Panel>
          <Panel title={t('page.whatRaised')}>
            <RaisingValue alert={alert} />
          </Panel>
          {alert.clearValue !== null && alert.clearValue !== undefined && (
            <Panel title={t('page.whatCleared')}>
              <ValueTree value={alert.clearValue} />
            </Panel>
          )}
        </div>
        <div className="min-w-0 space-y-5">
          <Panel title={t('page.device')}>
            <Facts
              items={[
                [t('page.device'), <Link key="d" to={pathOf('devices', alert.productKey, alert.deviceName)} className="text-sky-800 hover:underline">{alert.deviceName}</Link>],
                [t('page.product'), <Link key="p" to={pathOf('products', alert.productKey)} className="text-sky-800 hover:underline">{alert.productKey}</Link>],
              ]}
            />
            <p className="mt-3 text-sm">
              <Link to={`/alerts?state=all&productKey=${encodeURIComponent(alert.productKey)}&deviceName=${encodeURIComponent(alert.deviceName)}`} className="text-sky-800 hover:underline">
                {t('page.deviceAlerts')}
              </Link>
            </p>
          </Panel>
          <Panel title={t('page.rule')}>
            <RuleFacts alert={alert} />
            <p className="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-sm">
              <Link to={`/alerts?state=all&ruleId=${encodeURIComponent(alert.ruleId)}`} className="text-sky-800 hover:underline">{t('page.ruleAlerts')}</Link>
              <Link to={`/flows?node=${encodeURIComponent(alert.nodeId)}`} className="text-sky-800 hover:underline">{t('page.editRule')}</Link>
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
    <ol className="relative space-y-4 border-l border-slate-200 pl-5" aria-label={t('tl.label')}>
      <Step icon="fa-bolt" done tone="violet" title={t('tl.raised')} at={alert.raisedAt}>
        {t('tl.raisedBody', { title: alertTitle(alert), message: alert.message })}
      </Step>
      {alert.acknowledgedAt ? (
        <Step icon="fa-eye" done tone="slate" title={alert.acknowledgedBy ? t('tl.ackedBy', { user: alert.acknowledgedBy }) : t('tl.ackedBySomeone')} at={alert.acknowledgedAt}>
          {cleared ? t('tl.ackedDone') : t('tl.ackedOpen')}
        </Step>
      ) : (
        <Step icon="fa-eye" title={cleared ? t('tl.notAcked') : t('tl.notAckedYet')}>
          {cleared ? t('tl.notAckedDone') : t('tl.notAckedOpen')}
        </Step>
      )}
      {cleared ? (
        <Step icon="fa-check" done tone="green" title={alert.clearedBy ? t('tl.clearedBy', { user: alert.clearedBy }) : t('tl.clearedByRule')} at={alert.clearedAt}>
          {alert.clearedBy
            ? t('tl.clearedByHand')
            : alert.clearValue !== null && alert.clearValue !== undefined
              ? richText(t('tl.clearHeld'), { value: () => <ClearValueText alert={alert} /> })
              : t('tl.clearHeldPlain')}
        </Step>
      ) : (
        <Step icon="fa-check" title={t('tl.stillOpen')}>
          {clearConditionText(alert) ? t('tl.stillOpenBody', { condition: clearConditionText(alert) }) : t('tl.stillOpenBodyPlain')}
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
            {propertyValueText(alert, tsl, 60) ?? (alert.value === null ? JSON_NULL : String(alert.value))}
          </span>
          {typeof alert.details.condition === 'string' && <span className="text-sm text-slate-600">{t('raise.condition', { property, condition: raiseConditionText(alert) })}</span>}
        </p>
      </div>
    );
  }
  return (
    <div data-testid="alert-value">
      {alert.kind === 'event' && typeof alert.details.eventId === 'string' && (
        <p className="mb-2 text-sm text-slate-600">{richText(t('raise.eventData', { eventId: alert.details.eventId }), { code: (id) => <code className="font-mono">{id}</code> })}</p>
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

/** The clear condition in words, for "It clears by itself when … ({condition})"; '' when there is nothing to say. */
function clearConditionText(alert: Alert): string {
  const { clearCondition, clearEventId } = alert.details;
  if (typeof clearCondition === 'string') return clearConditionWords(alert, clearCondition);
  if (alert.kind === 'event') return typeof clearEventId === 'string' && clearEventId ? t('cond.event', { id: clearEventId }) : t('cond.noClearEvent');
  if (alert.kind === 'offline') return t('cond.online');
  return '';
}

/** The engine's own sentence for a clear condition that is "raise no longer holds". */
const AUTO_CLEAR = 'when the raise condition no longer holds';

/** A stored clear condition: the engine's "when …" sentence in the UI's words, or "temperature < 28". */
function clearConditionWords(alert: Alert, clearCondition: string): string {
  if (clearCondition === AUTO_CLEAR) return t('cond.auto');
  if (clearCondition.startsWith('when')) return clearCondition;
  return `${propertyName(alert)} ${storedConditionText(clearCondition)}`;
}

function propertyName(alert: Alert): string {
  return typeof alert.details.property === 'string' ? alert.details.property : t('cond.value');
}

/**
 * The raise condition as the engine stored it ("> 30", "between 20 and 30"), in the UI's words when its parts are
 * stored one by one too (operator, threshold, low, high); otherwise the stored text as it is.
 */
function raiseConditionText(alert: Alert): string {
  const { operator, threshold, low, high, condition } = alert.details;
  if ((operator === 'between' || operator === 'outside') && typeof low === 'number' && typeof high === 'number') {
    return conditionText({ operator, low, high });
  }
  if (typeof operator === 'string' && typeof threshold === 'number' && operator !== 'between' && operator !== 'outside') {
    return conditionText({ operator, value: threshold } as AlertCondition);
  }
  return storedConditionText(String(condition ?? ''));
}

/** Labels for the rule parameters the engine stores with an alert; others are shown under their own key. */
const detailLabels: Record<string, { labelKey: AlertsKey; show?(value: unknown, alert: Alert): ReactNode }> = {
  property: { labelKey: 'detail.property', show: (v) => <code className="font-mono">{String(v)}</code> },
  condition: { labelKey: 'detail.condition', show: (_v, a) => <code className="font-mono">{propertyName(a)} {raiseConditionText(a)}</code> },
  forSeconds: { labelKey: 'detail.forSeconds', show: (v) => t('unit.seconds', { n: typeof v === 'number' ? v : String(v) }) },
  heldSince: { labelKey: 'detail.heldSince', show: (v) => formatTime(String(v)) },
  clearCondition: {
    labelKey: 'detail.clearCondition',
    show: (v, a) => (String(v).startsWith('when') ? clearConditionWords(a, String(v)) : <code className="font-mono">{propertyName(a)} {storedConditionText(String(v))}</code>),
  },
  eventId: { labelKey: 'detail.eventId', show: (v) => <code className="font-mono">{String(v)}</code> },
  eventType: { labelKey: 'detail.eventType', show: (v) => (eventTypeKeys[String(v)] ? t(eventTypeKeys[String(v)]!) : String(v)) },
  clearEventId: { labelKey: 'detail.clearEventId', show: (v) => (v ? <code className="font-mono">{String(v)}</code> : t('detail.noClearEvent')) },
  offlineMinutes: { labelKey: 'detail.offlineMinutes', show: (v) => t('unit.minutes', { n: typeof v === 'number' ? v : String(v) }) },
  offlineSince: { labelKey: 'detail.offlineSince', show: (v) => formatTime(String(v)) },
  reason: { labelKey: 'detail.reason' },
};
const eventTypeKeys: Record<string, AlertsKey> = {
  'alert-or-error': 'eventType.alert-or-error',
  alert: 'eventType.alert',
  error: 'eventType.error',
  any: 'eventType.any',
};
/** Parts of `condition` stored again one by one, for flows that read them; the sentence says it already. */
const repeated = new Set(['operator', 'threshold', 'low', 'high']);

function RuleFacts({ alert }: { alert: Alert }) {
  const items: [ReactNode, ReactNode][] = [
    [t('detail.name'), alert.ruleName || <span className="text-slate-500">{t('detail.noName')}</span>],
    [t('detail.trigger'), kindLabels[alert.kind] ? t(kindLabels[alert.kind]) : alert.kind],
  ];
  for (const [key, value] of Object.entries(alert.details)) {
    if (repeated.has(key) && typeof alert.details.condition === 'string') continue;
    if (value === null || value === undefined) continue;
    const known = detailLabels[key];
    items.push([known ? t(known.labelKey) : key, known?.show ? known.show(value, alert) : typeof value === 'object' ? <ValueTree value={value} /> : String(value)]);
  }
  items.push([t('detail.node'), <code key="n" className="break-all font-mono text-xs">{alert.ruleId !== alert.nodeId ? t('detail.runsAs', { node: alert.nodeId, id: alert.ruleId }) : alert.nodeId}</code>]);
  return <Facts items={items} />;
}
