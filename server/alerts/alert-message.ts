/**
 * The text of an alert: the rule's `{{placeholder}}` template, or a default sentence per trigger kind. Rendered once,
 * when the alert is raised, and stored with it: later edits of the rule do not rewrite history.
 */
import { describeCondition, type AlertRule } from '../../domain/alerts/alert-rule.ts';

/** Longest stored message; a template that expands a large value must not bloat every listing. */
const MAX_MESSAGE_LENGTH = 1000;

/** What raised the alert, for the message. */
export interface RaiseFacts {
  productKey: string;
  deviceName: string;
  value: unknown;
  /** event rules: the event that raised it and its thing-model type. */
  eventId?: string;
  eventType?: string;
  /** offline rules: why the device went offline, as the hub said. */
  reason?: string;
}

/** The placeholders a template may use, in the order the node's help lists them. */
export const messagePlaceholders = [
  'rule', 'severity', 'product', 'device', 'value', 'property', 'condition', 'for', 'event', 'eventType', 'minutes', 'reason',
] as const;

/** The alert's message: the rule's template with its placeholders filled, or the default sentence. */
export function alertMessage(rule: AlertRule, facts: RaiseFacts): string {
  const text = rule.messageTemplate ? fill(rule.messageTemplate, variables(rule, facts)) : defaultMessage(rule, facts);
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : text;
}

function variables(rule: AlertRule, facts: RaiseFacts): Record<(typeof messagePlaceholders)[number], string> {
  return {
    rule: rule.name || rule.id,
    severity: rule.severity,
    product: facts.productKey,
    device: facts.deviceName,
    value: show(facts.value),
    property: rule.kind === 'threshold' ? rule.property : '',
    condition: rule.kind === 'threshold' ? describeCondition(rule.raise) : '',
    for: rule.kind === 'threshold' ? String(rule.forMs / 1000) : '',
    event: facts.eventId ?? '',
    eventType: facts.eventType ?? '',
    minutes: rule.kind === 'offline' ? String(rule.offlineMs / 60_000) : '',
    reason: facts.reason ?? '',
  };
}

// An unknown placeholder stays as written, so a typo shows in the message instead of silently vanishing.
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? values[name]! : whole));
}

function defaultMessage(rule: AlertRule, facts: RaiseFacts): string {
  switch (rule.kind) {
    case 'threshold': {
      const held = rule.forMs > 0 ? ` for ${rule.forMs / 1000} s` : '';
      return `${rule.property} ${show(facts.value)} (${describeCondition(rule.raise)}${held})`;
    }
    case 'event':
      return `event ${facts.eventId ?? ''}${facts.eventType ? ` (${facts.eventType})` : ''}`;
    case 'offline':
      return `offline for more than ${rule.offlineMs / 60_000} min${facts.reason ? ` (${facts.reason})` : ''}`;
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}
