/**
 * Alerts everywhere in the app, from the live feed: the navigation's badge (open alerts by severity) and a toast for
 * each critical alert raised while the app is open.
 */
import { useState } from 'react';
import type { AlertFeedTransition, OpenAlertCounts } from '../../../domain/alerts/alert-feed.ts';
import type { AlertSeverity } from '../../../domain/alerts/alert-schemas.ts';
import { useLiveAlertCounts, useLiveAlerts } from '../live/device-feed.ts';
import { Link, pathOf } from '../routing.ts';
import { cx } from '../ui/cx.ts';
import { severityLabel } from './alert-types.ts';
import { t } from './alerts.messages.ts';

const ORDER: readonly AlertSeverity[] = ['critical', 'warning', 'info'];
const TONE: Record<AlertSeverity, string> = {
  critical: 'bg-red-600 text-white',
  warning: 'bg-amber-400 text-amber-950',
  info: 'bg-slate-300 text-slate-800',
};

/** Open alerts (active or acknowledged) per severity, worst first, leaving out severities with none. */
export function openBySeverity(counts: OpenAlertCounts): { severity: AlertSeverity; open: number }[] {
  return ORDER.map((severity) => ({ severity, open: counts.active[severity] + counts.acknowledged[severity] })).filter((s) => s.open > 0);
}

/**
 * The counts beside "Alerts" in the navigation, one pill per severity; with the navigation narrowed to icons, one
 * number on the icon in the worst severity's colour. Nothing while no alert is open.
 */
export function AlertNavBadge({ narrow, className }: { narrow: boolean; className?: string }) {
  const counts = useLiveAlertCounts();
  const open = counts ? openBySeverity(counts) : [];
  if (open.length === 0) return null;
  const total = open.reduce((sum, s) => sum + s.open, 0);
  const label = t('badge.label', { total, list: open.map((s) => t('badge.item', { count: s.open, severity: severityLabel(s.severity) })).join(t('badge.separator')) });
  return (
    <span data-testid="alert-badge" title={label} aria-label={label} className={cx('flex gap-1', narrow ? 'absolute top-0.5 right-1' : 'ml-auto', className)}>
      {(narrow ? [{ severity: open[0]!.severity, open: total }] : open).map((s) => (
        <span key={s.severity} className={cx('min-w-5 rounded-full px-1.5 text-center text-[11px] leading-5 font-semibold tabular-nums', TONE[s.severity])}>
          {s.open}
        </span>
      ))}
    </span>
  );
}

/** How long a toast stays unless dismissed. */
const TOAST_MS = 10_000;
const MAX_TOASTS = 3;

/** Toasts for critical alerts raised while the app is open, newest on top, each linking to its alert. */
export function CriticalAlertToasts() {
  const [toasts, setToasts] = useState<AlertFeedTransition['alert'][]>([]);
  const dismiss = (id: number) => setToasts((list) => list.filter((t) => t.id !== id));
  useLiveAlerts((transitions) => {
    const raised = transitions.filter((t) => t.transition === 'raised' && t.alert.severity === 'critical').map((t) => t.alert);
    if (raised.length === 0) return;
    setToasts((list) => [...raised.reverse(), ...list].slice(0, MAX_TOASTS));
    for (const alert of raised) setTimeout(() => dismiss(alert.id), TOAST_MS);
  });
  if (toasts.length === 0) return null;
  return (
    <div className="pointer-events-none fixed top-14 right-4 z-50 flex w-80 flex-col gap-2">
      {toasts.map((alert) => (
        <div key={alert.id} role="alert" className="pointer-events-auto rounded-lg border border-red-200 bg-white p-3 text-sm shadow-lg">
          <div className="flex items-start gap-2">
            <i aria-hidden className="fa fa-exclamation-circle mt-0.5 text-red-600" />
            <div className="min-w-0 flex-1">
              <p className="font-semibold text-red-800">{t('toast.title', { title: alert.ruleName || t('toast.untitled'), device: alert.deviceName })}</p>
              <p className="mt-0.5 break-words text-slate-700">{alert.message}</p>
              <Link to={pathOf('alerts', String(alert.id))} className="mt-1 inline-block text-sky-700 hover:underline" onClick={() => dismiss(alert.id)}>
                {t('toast.open')}
              </Link>
            </div>
            <button type="button" aria-label={t('dismiss')} className="text-slate-400 hover:text-slate-700" onClick={() => dismiss(alert.id)}>
              <i aria-hidden className="fa fa-times" />
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
