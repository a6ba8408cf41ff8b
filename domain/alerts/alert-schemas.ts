import { Type, type Static } from '@sinclair/typebox';

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
