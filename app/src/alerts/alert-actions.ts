import { useCallback, useState } from 'react';
import { ApiError, apiRequest } from '../api.ts';
import { useUser } from '../session.ts';
import { stateRank, type Alert } from './alert-types.ts';

export type AlertAction = 'acknowledge' | 'clear';

interface RowAction {
  /** What the row shows while the request is out: the change as the user asked for it. */
  optimistic?: Alert;
  /** The alert as the API last answered it (the action's answer, or the current alert a 409 carried). */
  confirmed?: Alert;
  busy?: AlertAction;
  error?: unknown;
}

/** Whether the alert's state lets one do `action`: acknowledge an active alert; clear an open one. */
export function allows(alert: Alert, action: AlertAction): boolean {
  return action === 'acknowledge' ? alert.state === 'active' : alert.state !== 'cleared';
}

/**
 * Acknowledge and clear, optimistically: the row changes at once, and goes back (with the API's refusal beside it)
 * when the API says no. A 409 carries the alert as it is now (someone else acknowledged it first), which the row
 * then shows. Polled lists may answer with data older than an action: states only move forward, so the furthest
 * state known wins.
 */
export function useAlertActions(onSettled?: () => void) {
  const user = useUser();
  const [rows, setRows] = useState<Record<number, RowAction>>({});

  const act = useCallback(async (alert: Alert, action: AlertAction) => {
    const at = new Date().toISOString();
    const optimistic: Alert = action === 'acknowledge'
      ? { ...alert, state: 'acknowledged', acknowledgedAt: at, acknowledgedBy: user.username }
      : { ...alert, state: 'cleared', clearedAt: at, clearedBy: user.username };
    setRows((r) => ({ ...r, [alert.id]: { confirmed: r[alert.id]?.confirmed, optimistic, busy: action } }));
    try {
      const answer = await apiRequest<Alert>('POST', `/alerts/${alert.id}/${action}`);
      setRows((r) => ({ ...r, [alert.id]: { confirmed: answer } }));
    } catch (err) {
      const current = err instanceof ApiError ? alertIn(err.details) : undefined;
      setRows((r) => ({ ...r, [alert.id]: { confirmed: current ?? r[alert.id]?.confirmed, error: err } }));
    }
    onSettled?.();
  }, [onSettled, user.username]);

  /** The alert as the row should show it now. */
  const view = useCallback((alert: Alert): Alert => {
    const row = rows[alert.id];
    if (!row) return alert;
    if (row.optimistic) return row.optimistic;
    const confirmed = row.confirmed;
    return confirmed && stateRank[confirmed.state] > stateRank[alert.state] ? confirmed : alert;
  }, [rows]);

  const dismiss = useCallback((id: number) => {
    setRows((r) => ({ ...r, [id]: { confirmed: r[id]?.confirmed } }));
  }, []);

  return {
    act,
    view,
    dismiss,
    busy: (id: number): AlertAction | undefined => rows[id]?.busy,
    error: (id: number): unknown => rows[id]?.error,
  };
}

function alertIn(details: unknown): Alert | undefined {
  const alert = (details as { alert?: Partial<Alert> } | undefined)?.alert;
  return alert && typeof alert.id === 'number' && typeof alert.state === 'string' ? (alert as Alert) : undefined;
}
