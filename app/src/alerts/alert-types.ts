/**
 * Alerts as `GET /api/v1/alerts` answers them (`server/alerts/alert-schemas.ts` is the source; the app reads the API
 * over HTTP, so the shape is restated here rather than imported from the server).
 */
export type AlertSeverity = 'info' | 'warning' | 'critical';
export type AlertState = 'active' | 'acknowledged' | 'cleared';
export type AlertKind = 'threshold' | 'event' | 'offline';

export interface Alert {
  id: number;
  /** The alert node (rule) that raised it, by its runtime id. */
  ruleId: string;
  /** The rule node's name when the alert was raised; may be empty. */
  ruleName: string;
  nodeId: string;
  kind: AlertKind;
  productKey: string;
  deviceName: string;
  severity: AlertSeverity;
  state: AlertState;
  raisedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  clearedAt: string | null;
  /** The operator who cleared it; null while open and when the rule cleared it by itself. */
  clearedBy: string | null;
  /** What raised it: the property value, the event data, or the offline state. */
  value: unknown;
  /** What cleared it automatically (the value, the clear event, the online state); null otherwise. */
  clearValue: unknown;
  /** The rule's parameters when it was raised. */
  details: Record<string, unknown>;
  message: string;
}

export interface AlertListAnswer {
  items: Alert[];
  total: number;
  limit: number;
  offset: number;
}

/** The state filter of the list: the API's states, `open` (active or acknowledged) and `all` (no filter). */
export type StateFilter = 'open' | AlertState | 'all';

export const stateFilters: readonly { value: StateFilter; label: string }[] = [
  { value: 'open', label: 'Open (not cleared)' },
  { value: 'active', label: 'Active' },
  { value: 'acknowledged', label: 'Acknowledged' },
  { value: 'cleared', label: 'Cleared' },
  { value: 'all', label: 'All' },
];

export const severities: readonly AlertSeverity[] = ['critical', 'warning', 'info'];

/** States only move forward; a later one wins when a stale answer and a fresh one disagree. */
export const stateRank: Record<AlertState, number> = { active: 0, acknowledged: 1, cleared: 2 };

/** The title of an alert: its rule's name, or what kind of rule raised it when the node has no name. */
export function alertTitle(alert: Pick<Alert, 'ruleName' | 'kind'>): string {
  return alert.ruleName || `${alert.kind} alert`;
}

/** A value in one short line: numbers and strings as they are, objects as compact JSON cut at `max` characters. */
export function shortValue(value: unknown, max = 40): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value.length > max ? `${value.slice(0, max - 1)}…` : value;
  if (typeof value !== 'object') return String(value);
  // The offline rule's value is {status: 'offline', reason?}: the word says it better than the JSON.
  const record = value as Record<string, unknown>;
  if (typeof record.status === 'string' && Object.keys(record).every((k) => k === 'status' || k === 'reason')) {
    return record.reason ? `${record.status} (${String(record.reason)})` : record.status;
  }
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
