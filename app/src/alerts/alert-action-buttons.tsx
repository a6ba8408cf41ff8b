import type { ReactNode } from 'react';
import { Button } from '../ui/button.tsx';
import { allows, type AlertAction } from './alert-actions.ts';
import { alertOn, type Alert } from './alert-types.ts';
import { t } from './alerts.messages.ts';

/** A link that looks like the app's secondary button (for actions that go somewhere). */
export const LINK_BUTTON =
  'inline-flex items-center justify-center gap-1.5 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-800 shadow-sm hover:bg-slate-50';

/** Acknowledge and Clear for one alert, each only where its state allows it. */
export function RowActions({ alert, busy, onAct, size = 'sm' }: { alert: Alert; busy?: AlertAction; onAct(action: AlertAction): void; size?: 'sm' | 'md' }) {
  const name = alertOn(alert);
  const buttons: ReactNode[] = [];
  if (allows(alert, 'acknowledge') || busy === 'acknowledge') {
    buttons.push(
      <Button key="ack" size={size} variant="secondary" disabled={!!busy} aria-label={t('action.ackLabel', { name })} title={t('action.ackHint')} onClick={() => onAct('acknowledge')}>
        <i aria-hidden className="fa fa-eye" /> {busy === 'acknowledge' ? t('action.acking') : t('action.ack')}
      </Button>,
    );
  }
  if (allows(alert, 'clear') || busy === 'clear') {
    buttons.push(
      <Button key="clear" size={size} variant="secondary" disabled={!!busy} aria-label={t('action.clearLabel', { name })} title={t('action.clearHint')} onClick={() => onAct('clear')}>
        <i aria-hidden className="fa fa-check" /> {busy === 'clear' ? t('action.clearing') : t('action.clear')}
      </Button>,
    );
  }
  return <span className="inline-flex flex-wrap justify-end gap-1.5 2xl:flex-nowrap">{buttons}</span>;
}

