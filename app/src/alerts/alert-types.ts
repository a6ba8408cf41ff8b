/**
 * Alerts as `GET /api/v1/alerts` answers them: the types are the API's own response schema
 * (`domain/alerts/alert-schemas.ts`), imported as types only, so the screens cannot drift from what the API sends.
 */
import type { Alert, AlertRuleSummary, AlertSeverity, AlertState } from '../../../domain/alerts/alert-schemas.ts';
import { describeCondition } from '../../../domain/alerts/alert-rule.ts';
import type { TslDocument } from '../../../domain/thing-model/tsl-types.ts';
import { formatValue } from '../devices/device-detail-format.ts';

export type { Alert, AlertKind, AlertRuleSummary, AlertSeverity, AlertState } from '../../../domain/alerts/alert-schemas.ts';

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

/** When a rule raises and clears, in a sentence: "temperature > 30 for 10 s; clears when it no longer holds". */
export function triggerText(trigger: AlertRuleSummary['trigger']): string {
  if (trigger === null) return 'cannot be read';
  switch (trigger.kind) {
    case 'threshold': {
      const held = trigger.forSeconds > 0 ? ` for ${trigger.forSeconds} s` : '';
      const clears = trigger.clear === 'auto' ? 'clears when it no longer holds' : `clears when ${trigger.property} ${describeCondition(trigger.clear)}`;
      return `${trigger.property} ${describeCondition(trigger.raise)}${held}; ${clears}`;
    }
    case 'event': {
      const types = { 'alert-or-error': 'alert or error', alert: 'alert', error: 'error', any: '' }[trigger.eventType];
      const raises = trigger.eventId ? `event ${trigger.eventId}` : `any ${types ? `${types} ` : ''}event`;
      return `${raises}; ${trigger.clearEventId ? `clears on event ${trigger.clearEventId}` : 'cleared by hand'}`;
    }
    case 'offline':
      return `offline for more than ${trigger.offlineMinutes} min; clears when back online`;
  }
}

/**
 * The value that raised a threshold alert in its thing model's words: "35 °C", "heat (2)", "on (1)"; undefined when
 * the model (or the property) is not known, for the caller to show it as it is.
 */
export function propertyValueText(alert: Pick<Alert, 'kind' | 'value' | 'details'>, tsl: TslDocument | null | undefined, max = 40): string | undefined {
  const property = alert.details['property'];
  if (alert.kind !== 'threshold' || typeof property !== 'string' || (typeof alert.value === 'object' && alert.value !== null)) return undefined;
  const dataType = tsl?.properties?.find((p) => p.identifier === property)?.dataType;
  if (!dataType) return undefined;
  const text = formatValue(alert.value, dataType);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
