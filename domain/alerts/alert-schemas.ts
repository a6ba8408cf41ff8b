import { Type, type Static } from '@sinclair/typebox';
import { comparisonOperators, rangeOperators } from './alert-rule.ts';

/**
 * The shapes of alerts, declared once: the REST routes validate and document with them, the store returns them, and
 * the alert node puts them in `msg.payload.alert`. Browser-safe (TypeBox only).
 */

/** How bad an alert is; set by its rule. */
export const AlertSeverity = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]);

/** `active` → `acknowledged` (an operator is on it) → `cleared`; `active` may also clear directly. */
export const AlertState = Type.Union([Type.Literal('active'), Type.Literal('acknowledged'), Type.Literal('cleared')]);

/** The trigger of the rule that raised it. */
export const AlertKind = Type.Union([Type.Literal('threshold'), Type.Literal('event'), Type.Literal('offline')]);

const Time = Type.String({ format: 'date-time' });
const OptionalTime = Type.Union([Time, Type.Null()]);
const OptionalUser = Type.Union([Type.String(), Type.Null()]);

/** One alert, open or in the history. */
export const Alert = Type.Object({
  id: Type.Integer(),
  ruleId: Type.String({ description: 'The alert node (rule) that raised it, by its runtime id' }),
  ruleName: Type.String({ description: "The rule node's name when the alert was raised; may be empty" }),
  nodeId: Type.String({ description: 'The node as drawn in the editor (differs from ruleId inside a subflow)' }),
  kind: AlertKind,
  productKey: Type.String(),
  deviceName: Type.String(),
  severity: AlertSeverity,
  state: AlertState,
  raisedAt: Time,
  acknowledgedAt: OptionalTime,
  acknowledgedBy: OptionalUser,
  clearedAt: OptionalTime,
  clearedBy: Type.Union([Type.String(), Type.Null()], {
    description: 'The operator who cleared it; null while open and when the rule cleared it automatically',
  }),
  value: Type.Unknown({ description: 'What raised it: the property value, the event data, or the offline state' }),
  clearValue: Type.Unknown({ description: 'What cleared it automatically (the value, the clear event, the online state); null otherwise' }),
  details: Type.Record(Type.String(), Type.Unknown(), { description: "The rule's parameters when it was raised" }),
  message: Type.String(),
});

export type AlertSeverity = Static<typeof AlertSeverity>;
export type AlertState = Static<typeof AlertState>;
export type AlertKind = Static<typeof AlertKind>;
export type Alert = Static<typeof Alert>;

const Comparison = Type.Union(comparisonOperators.map((o) => Type.Literal(o)));
const Range = Type.Union(rangeOperators.map((o) => Type.Literal(o)));
/** A test on a value: a comparison with `value`, or a range `[low, high]` (bounds included). */
export const AlertConditionSchema = Type.Union([
  Type.Object({ operator: Comparison, value: Type.Number() }),
  Type.Object({ operator: Range, low: Type.Number(), high: Type.Number() }),
]);

/**
 * One alert rule of the deployed flows (an alert node), for the rules overview: where it is, what it watches and
 * when it raises and clears, whether it runs, and how many of its alerts are open. The trigger is data, not a
 * sentence, so each screen words it in its own language.
 */
export const AlertRuleSummary = Type.Object({
  nodeId: Type.String({ description: 'The alert node, as drawn in the editor' }),
  name: Type.String({ description: "The node's name; may be empty" }),
  flow: Type.Object({
    id: Type.String(),
    label: Type.String(),
    kind: Type.Union([Type.Literal('tab'), Type.Literal('subflow')], { description: 'subflow: the rule runs once per instance of the subflow' }),
  }),
  severity: AlertSeverity,
  productKey: Type.String({ description: 'Only devices of this product; empty: every product' }),
  trigger: Type.Union([
    Type.Object({
      kind: Type.Literal('threshold'),
      property: Type.String(),
      raise: AlertConditionSchema,
      forSeconds: Type.Number(),
      clear: Type.Union([Type.Literal('auto'), AlertConditionSchema], { description: 'auto: as soon as the raise condition no longer holds' }),
    }),
    Type.Object({
      kind: Type.Literal('event'),
      eventId: Type.String({ description: 'empty: any event whose type passes eventType' }),
      eventType: Type.Union([Type.Literal('alert-or-error'), Type.Literal('alert'), Type.Literal('error'), Type.Literal('any')]),
      clearEventId: Type.String({ description: 'empty: only an operator clears' }),
    }),
    Type.Object({ kind: Type.Literal('offline'), offlineMinutes: Type.Number() }),
    Type.Null(),
  ], { description: 'null: the configuration cannot be read (see problem)' }),
  state: Type.Union([Type.Literal('running'), Type.Literal('disabled'), Type.Literal('stopped')], {
    description: 'running: evaluating devices; disabled: the node or its flow is disabled; stopped: deployed but not running (see problem)',
  }),
  problem: Type.Optional(Type.String({ description: 'Why a stopped rule does not run: its configuration is invalid' })),
  open: Type.Object({ active: Type.Integer(), acknowledged: Type.Integer() }),
});

export type AlertRuleSummary = Static<typeof AlertRuleSummary>;
