import type { ReactNode } from 'react';
import { Button } from '../ui/button.tsx';
import { allows, type AlertAction } from './alert-actions.ts';
import { alertTitle, type Alert } from './alert-types.ts';

/** A link that looks like the app's secondary button (for actions that go somewhere). */
export const LINK_BUTTON =
  'inline-flex items-center justify-center gap-1.5 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-800 shadow-sm hover:bg-slate-50';

/** Acknowledge and Clear for one alert, each only where its state allows it. */
export function RowActions({ alert, busy, onAct, size = 'sm' }: { alert: Alert; busy?: AlertAction; onAct(action: AlertAction): void; size?: 'sm' | 'md' }) {
  const name = `${alertTitle(alert)} on ${alert.deviceName}`;
  const buttons: ReactNode[] = [];
  if (allows(alert, 'acknowledge') || busy === 'acknowledge') {
    buttons.push(
      <Button key="ack" size={size} variant="secondary" disabled={!!busy} aria-label={`Acknowledge ${name}`} title="Someone is on it: the alert stays open and still clears by itself" onClick={() => onAct('acknowledge')}>
        <i aria-hidden className="fa fa-eye" /> {busy === 'acknowledge' ? 'Acknowledging…' : 'Acknowledge'}
      </Button>,
    );
  }
  if (allows(alert, 'clear') || busy === 'clear') {
    buttons.push(
      <Button key="clear" size={size} variant="secondary" disabled={!!busy} aria-label={`Clear ${name}`} title="Close it by hand; a condition that still holds raises a new alert" onClick={() => onAct('clear')}>
        <i aria-hidden className="fa fa-check" /> {busy === 'clear' ? 'Clearing…' : 'Clear'}
      </Button>,
    );
  }
  return <span className="inline-flex flex-wrap justify-end gap-1.5 2xl:flex-nowrap">{buttons}</span>;
}

