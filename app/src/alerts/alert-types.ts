/**
 * Alerts as `GET /api/v1/alerts` answers them: the types are the API's own response schema
 * (`domain/alerts/alert-schemas.ts`), imported as types only, so the screens cannot drift from what the API sends.
 */
import type { Alert, AlertRuleSummary, AlertSeverity, AlertState } from '../../../domain/alerts/alert-schemas.ts';
import { conditionFromText, isRangeCondition, type AlertCondition, type EventTypeFilter } from '../../../domain/alerts/alert-rule.ts';
import type { TslDocument } from '../../../domain/thing-model/tsl-types.ts';
import { formatValue } from '../devices/device-detail-format.ts';
import { t, type AlertsKey } from './alerts.messages.ts';

export type { Alert, AlertKind, AlertRuleSummary, AlertSeverity, AlertState } from '../../../domain/alerts/alert-schemas.ts';

export interface AlertListAnswer {
  items: Alert[];
  total: number;
  limit: number;
  offset: number;
}

/** The state filter of the list: the API's states, `open` (active or acknowledged) and `all` (no filter). */
export type StateFilter = 'open' | AlertState | 'all';

export const stateFilters: readonly { value: StateFilter; labelKey: AlertsKey }[] = [
  { value: 'open', labelKey: 'filter.open' },
  { value: 'active', labelKey: 'filter.active' },
  { value: 'acknowledged', labelKey: 'filter.acknowledged' },
  { value: 'cleared', labelKey: 'filter.cleared' },
  { value: 'all', labelKey: 'filter.all' },
];

export const severities: readonly AlertSeverity[] = ['critical', 'warning', 'info'];

const severityKeys: Record<AlertSeverity, AlertsKey> = { critical: 'severity.critical', warning: 'severity.warning', info: 'severity.info' };
const stateKeys: Record<AlertState, AlertsKey> = { active: 'state.active', acknowledged: 'state.acknowledged', cleared: 'state.cleared' };

/** A severity in words ("critical", "紧急"); one the screens do not know as it is. */
export function severityLabel(severity: string): string {
  const key = severityKeys[severity as AlertSeverity];
  return key ? t(key) : severity;
}

/** An alert state in words ("active", "告警中"); one the screens do not know as it is. */
export function stateLabel(state: string): string {
  const key = stateKeys[state as AlertState];
  return key ? t(key) : state;
}

/** "Too hot on hall": an alert's title with its device, as rows and buttons name it. */
export function alertOn(alert: Pick<Alert, 'ruleName' | 'kind' | 'deviceName'>): string {
  return t('alertOn', { title: alertTitle(alert), device: alert.deviceName });
}

/** States only move forward; a later one wins when a stale answer and a fresh one disagree. */
export const stateRank: Record<AlertState, number> = { active: 0, acknowledged: 1, cleared: 2 };

/** The title of an alert: its rule's name, or what kind of rule raised it when the node has no name. */
export function alertTitle(alert: Pick<Alert, 'ruleName' | 'kind'>): string {
  if (alert.ruleName) return alert.ruleName;
  switch (alert.kind) {
    case 'threshold': return t('title.threshold');
    case 'event': return t('title.event');
    case 'offline': return t('title.offline');
    default: return t('title.other', { kind: alert.kind });
  }
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

/** A condition in words: "> 30", "between 20 and 30" ("介于 20 和 30 之间"). */
export function conditionText(condition: AlertCondition): string {
  if (isRangeCondition(condition)) {
    return t(condition.operator === 'between' ? 'cond.between' : 'cond.outside', { low: condition.low, high: condition.high });
  }
  return t('cond.compare', { operator: condition.operator, value: condition.value });
}

/** A condition as the alert engine stored it in an alert's details ("between 20 and 30"), in the UI's words; other text as it is. */
export function storedConditionText(text: string): string {
  const condition = conditionFromText(text);
  return condition ? conditionText(condition) : text;
}

const anyEventKeys: Record<EventTypeFilter, AlertsKey> = {
  'alert-or-error': 'trigger.anyEvent.alert-or-error',
  alert: 'trigger.anyEvent.alert',
  error: 'trigger.anyEvent.error',
  any: 'trigger.anyEvent.any',
};

/** When a rule raises and clears, in a sentence: "temperature > 30 for 10 s; clears when it no longer holds". */
export function triggerText(trigger: AlertRuleSummary['trigger']): string {
  if (trigger === null) return t('trigger.unreadable');
  switch (trigger.kind) {
    case 'threshold': {
      const condition = conditionText(trigger.raise);
      const raises = trigger.forSeconds > 0
        ? t('trigger.raiseFor', { property: trigger.property, condition, seconds: trigger.forSeconds })
        : t('trigger.raise', { property: trigger.property, condition });
      const clears = trigger.clear === 'auto'
        ? t('trigger.clearAuto')
        : t('trigger.clearWhen', { property: trigger.property, condition: conditionText(trigger.clear) });
      return t('trigger.joined', { raises, clears });
    }
    case 'event': {
      const raises = trigger.eventId ? t('trigger.eventNamed', { id: trigger.eventId }) : t(anyEventKeys[trigger.eventType] ?? 'trigger.anyEvent.any');
      const clears = trigger.clearEventId ? t('trigger.clearsOnEvent', { id: trigger.clearEventId }) : t('trigger.clearedByHand');
      return t('trigger.joined', { raises, clears });
    }
    case 'offline':
      return t('trigger.offline', { minutes: trigger.offlineMinutes });
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
