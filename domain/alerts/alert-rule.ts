/**
 * What an alert rule is and how its conditions are judged. A rule is an alert node in a flow: the node turns its
 * config into an {@link AlertRule} and the engine evaluates it per device. Pure functions and types only.
 */
import type { ThingMessageKind } from '../devices/thing-message.ts';
import type { EventType } from '../thing-model/tsl-types.ts';
import type { PropertyValue } from '../thing-model/compiled-thing-model.ts';
import type { AlertSeverity } from './alert-schemas.ts';

export const comparisonOperators = ['>', '>=', '<', '<=', '==', '!='] as const;
export const rangeOperators = ['between', 'outside'] as const;

export type ComparisonOperator = (typeof comparisonOperators)[number];
export type RangeOperator = (typeof rangeOperators)[number];

/** A test on one numeric value: a comparison with `value`, or a closed range `[low, high]` (bounds included). */
export type AlertCondition = ComparisonCondition | RangeCondition;
export interface ComparisonCondition {
  operator: ComparisonOperator;
  value: number;
}
export interface RangeCondition {
  operator: RangeOperator;
  low: number;
  high: number;
}

/** Whether the condition is a range (`between`/`outside`) rather than a comparison. */
export function isRangeCondition(condition: AlertCondition): condition is RangeCondition {
  return condition.operator === 'between' || condition.operator === 'outside';
}

/** Which events raise an event rule that names no event identifier, by the event's thing-model type. */
export type EventTypeFilter = 'alert-or-error' | 'alert' | 'error' | 'any';

/**
 * A property crosses a condition and holds it for `forMs` (judged on message times) → raise. While raised, a value
 * for which `clear` holds and `raise` does not → clear; `clear: 'auto'` clears as soon as `raise` stops holding.
 */
export interface ThresholdTrigger {
  kind: 'threshold';
  property: string;
  raise: AlertCondition;
  forMs: number;
  clear: AlertCondition | 'auto';
}

/**
 * An event raises: the one named by `eventId`, or (empty `eventId`) any event whose thing-model type passes
 * `eventType`. An event is a moment, not a state, so only `clearEventId` (or an operator) clears.
 */
export interface EventTrigger {
  kind: 'event';
  eventId: string;
  eventType: EventTypeFilter;
  /** The event that clears the alert (`overheat` raises, `cooled` clears); empty: only an operator clears. */
  clearEventId: string;
}

/** The device stays offline (per the hub's `state` messages) longer than `offlineMs`; coming back online clears. */
export interface OfflineTrigger {
  kind: 'offline';
  offlineMs: number;
}

export type AlertTrigger = ThresholdTrigger | EventTrigger | OfflineTrigger;

/** One rule: who it is, how bad its alerts are, which devices it watches, and its trigger. */
export type AlertRule = {
  /** Unique and stable across deploys and restarts: one open alert per (id, device) is the invariant. */
  id: string;
  name: string;
  /** The node as drawn in the editor, for linking back to it; usually equal to `id`. */
  nodeId: string;
  severity: AlertSeverity;
  /** Only devices of this product; empty: every product. */
  productKey: string;
  /** `{{placeholder}}` text of the alert's message; empty: a default sentence per kind (see alert-message.ts). */
  messageTemplate: string;
} & AlertTrigger;

/**
 * What the engine reads of a device message: the fields of `msg.thing` it needs and `msg.payload` as thing-validate
 * normalised it (`property.post`: `{identifier: value}`; `event.post`: the event data; `state`: `{status, reason}`).
 */
export interface AlertInput {
  productKey: string;
  deviceName: string;
  kind: ThingMessageKind;
  eventId?: string;
  payload: unknown;
  /** Each property value with its time, as thing-validate lists them; without it, `payload` and the message time. */
  values?: readonly PropertyValue[];
  deviceTime?: number;
  receivedAt?: number;
}

/** A rule that cannot be evaluated as given; `problems` lists every reason. */
export class AlertRuleError extends Error {
  override name = 'AlertRuleError';
  readonly code = 'invalid_alert_rule';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

/** The longest `for` or offline duration: Node's timers hold at most 2^31-1 ms, and a week is plenty for an alert. */
export const MAX_RULE_DURATION_MS = 7 * 24 * 3_600_000;

/** Throws {@link AlertRuleError} naming every problem of the rule; returns it when it can be evaluated. */
export function checkAlertRule(rule: AlertRule): AlertRule {
  const problems: string[] = [];
  if (!rule.id) problems.push('the rule has no id');
  const duration = (ms: number, what: string, min: number) => {
    if (!Number.isFinite(ms) || ms < min || ms > MAX_RULE_DURATION_MS) {
      problems.push(`${what} must be from ${min / 1000} s to ${MAX_RULE_DURATION_MS / 3_600_000} h (got ${ms / 1000} s)`);
    }
  };
  const condition = (c: AlertCondition, what: string) => {
    if (isRangeCondition(c)) {
      if (!Number.isFinite(c.low) || !Number.isFinite(c.high)) problems.push(`${what}: low and high must be numbers`);
      else if (c.low > c.high) problems.push(`${what}: low ${c.low} is above high ${c.high}`);
    } else if (!Number.isFinite(c.value)) {
      problems.push(`${what}: the value must be a number`);
    }
  };
  switch (rule.kind) {
    case 'threshold':
      if (!rule.property) problems.push('a threshold rule needs a property');
      condition(rule.raise, 'raise condition');
      if (rule.clear !== 'auto') condition(rule.clear, 'clear condition');
      duration(rule.forMs, 'the for duration', 0);
      break;
    case 'event':
      if (rule.clearEventId && rule.clearEventId === rule.eventId) {
        problems.push(`the clear event cannot be the raising event (${rule.eventId})`);
      }
      break;
    case 'offline':
      duration(rule.offlineMs, 'the offline time', 1000);
      break;
  }
  if (problems.length > 0) throw new AlertRuleError(problems);
  return rule;
}

/**
 * A message value as a number a condition can judge: numbers, and booleans as 1/0 (Alink sends bools as 0/1, other
 * dialects as true/false; the rule's `== 1` should match both). Anything else cannot be judged.
 */
export function numericValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}

/** Whether `value` satisfies the condition. */
export function conditionHolds(condition: AlertCondition, value: number): boolean {
  switch (condition.operator) {
    case '>': return value > condition.value;
    case '>=': return value >= condition.value;
    case '<': return value < condition.value;
    case '<=': return value <= condition.value;
    case '==': return value === condition.value;
    case '!=': return value !== condition.value;
    case 'between': return value >= condition.low && value <= condition.high;
    case 'outside': return value < condition.low || value > condition.high;
  }
}

/** `> 30`, `between 20 and 30`: the condition in words, for messages and details. */
export function describeCondition(condition: AlertCondition): string {
  return isRangeCondition(condition)
    ? `${condition.operator} ${condition.low} and ${condition.high}`
    : `${condition.operator} ${condition.value}`;
}

/**
 * A condition {@link describeCondition} wrote, read back (an alert's details keep its words, `clearCondition` only
 * them), so a screen can say it in its own language; undefined when `text` is not such words.
 */
export function conditionFromText(text: string): AlertCondition | undefined {
  const range = /^(between|outside) (\S+) and (\S+)$/.exec(text);
  if (range) {
    const low = Number(range[2]);
    const high = Number(range[3]);
    return Number.isFinite(low) && Number.isFinite(high) ? { operator: range[1] as RangeOperator, low, high } : undefined;
  }
  const comparison = /^(>=|<=|==|!=|>|<) (\S+)$/.exec(text);
  const value = Number(comparison?.[2]);
  return comparison && Number.isFinite(value) ? { operator: comparison[1] as ComparisonOperator, value } : undefined;
}

/** Whether an event of thing-model type `type` (undefined: not in the model) passes the filter. */
export function eventTypeMatches(filter: EventTypeFilter, type: EventType | undefined): boolean {
  switch (filter) {
    case 'any': return true;
    case 'alert-or-error': return type === 'alert' || type === 'error';
    default: return type === filter;
  }
}
