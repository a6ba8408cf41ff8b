import { Type } from '@sinclair/typebox';
import { defineNode } from '../kit/define-node.ts';

const operators = ['>', '>=', '<', '<=', '==', '!=', 'between', 'outside'] as const;
const operatorChoices = operators.map((operator) =>
  Type.Literal(operator, operator === 'between' || operator === 'outside' ? { title: `${operator} Low and High` } : {}),
);

const help = `Raises and clears alerts on device messages, one rule per node, evaluated for each device on its own.

### Input
Device messages, best straight after **thing validate** (valid output): \`msg.thing\` says which device and what
kind of message, \`msg.payload\` holds the values: \`{identifier: value}\` for property posts (with their times in
\`msg.thing.values\`), the event's data for events, \`{status}\` for \`state\` messages from **device in**.

### Output
One message per **transition**, never per device message: \`msg.payload\` is
\`{transition: 'raised' | 'cleared', alert}\`, where \`alert\` has \`id\`, \`severity\`, \`state\`, \`productKey\`,
\`deviceName\`, \`value\` (what raised it), \`clearValue\`, \`message\`, \`raisedAt\`, \`clearedAt\`, \`clearedBy\`, ….
\`msg.topic\` is \`productKey/deviceName\`. A rule has at most one open alert per device: while it is open, further
messages that meet the condition send nothing, so a notification wired here is sent once per alert.

**Acknowledging** an alert (in the alerts screen or \`POST /api/v1/alerts/:id/acknowledge\`) sends nothing: someone is
already on it. **Clearing** by hand sends \`cleared\` like an automatic clear.

### Properties
- **Severity**: info, warning or critical.
- **Product**: only devices of this product; empty: every product.
- **Trigger**:
  - *threshold*: the **Property** meets the **Condition** (against **Value**, or **Low**–**High** for *between* /
    *outside*, bounds included) continuously **For** that many seconds, judged on the values' own times; if the
    device goes quiet while it holds, the alert is raised when the time is up. **Clear when**: *auto* clears as soon
    as the condition no longer holds; any other choice is a separate clear condition (hysteresis: raise \`> 30\`,
    clear \`< 28\`), and a value that meets both keeps the alert. Values that are not numbers are ignored (booleans
    count as 1 and 0).
  - *event*: the device reports the **Event** named, or, left empty, any event whose thing-model type is the
    **Event type**. It clears when the device reports the **Clear event**; empty: only by hand.
  - *offline*: the device stays offline longer than **Offline for** minutes; it clears when the device is back
    online. Wire **device in** with the \`state\` kind into this node.
- **Message**: the alert's text, with placeholders \`{{rule}}\` \`{{severity}}\` \`{{product}}\` \`{{device}}\`
  \`{{value}}\` \`{{property}}\` \`{{condition}}\` \`{{for}}\` \`{{event}}\` \`{{eventType}}\` \`{{minutes}}\` \`{{reason}}\`;
  empty: a sentence that fits the trigger.

### Restarts and deploys
Open alerts are kept in the database, and a redeployed or restarted rule goes on clearing them. A *for* duration or
offline wait in progress is not kept: it starts again with the device's next message (or next offline state).
Deleting the node leaves its open alerts for an operator to clear.

The status shows how many alerts of this rule are active (and acknowledged).
`;

/** Threshold, event and offline alert rules; emits only when an alert is raised or cleared. */
export const alert = defineNode({
  type: 'alert',
  version: 1,
  label: 'alert',
  category: 'alerts',
  color: '#F3B567',
  icon: 'font-awesome/fa-bell',
  inputs: 1,
  outputs: 1,
  outputLabels: ['raised / cleared'],
  config: Type.Object(
    {
      name: Type.String({ title: 'Name', default: '' }),
      severity: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')], {
        title: 'Severity',
        default: 'warning',
      }),
      product: Type.String({
        title: 'Product',
        description: 'Only devices of this product; empty: every product',
        'x-ref': 'product',
        default: '',
      }),
      // Offline is the default because it is the one trigger complete without further input; the others need a
      // property or event to mean anything.
      trigger: Type.Union([Type.Literal('threshold'), Type.Literal('event'), Type.Literal('offline')], {
        title: 'Trigger',
        default: 'offline',
      }),
      property: Type.String({ title: 'Property', description: 'threshold: the property identifier', default: '' }),
      operator: Type.Union(operatorChoices, { title: 'Condition', default: '>' }),
      value: Type.Number({ title: 'Value', description: 'threshold: compared with the property', default: 0 }),
      low: Type.Number({ title: 'Low', description: 'between / outside: low end of the range, included', default: 0 }),
      high: Type.Number({ title: 'High', description: 'between / outside: high end of the range, included', default: 0 }),
      forSeconds: Type.Number({
        title: 'For (seconds)',
        description: 'threshold: how long the condition must hold before the alert is raised',
        minimum: 0,
        maximum: 604_800,
        default: 0,
      }),
      clearOperator: Type.Union(
        [Type.Literal('auto', { title: 'auto (condition no longer holds)' }), ...operatorChoices],
        { title: 'Clear when', default: 'auto' },
      ),
      clearValue: Type.Number({ title: 'Clear value', default: 0 }),
      clearLow: Type.Number({ title: 'Clear low', default: 0 }),
      clearHigh: Type.Number({ title: 'Clear high', default: 0 }),
      event: Type.String({ title: 'Event', description: 'event: identifier; empty: any event of the Event type', default: '' }),
      eventType: Type.Union(
        [
          Type.Literal('alert-or-error', { title: 'alert or error' }),
          Type.Literal('alert'),
          Type.Literal('error'),
          Type.Literal('any'),
        ],
        { title: 'Event type', default: 'alert-or-error' },
      ),
      clearEvent: Type.String({ title: 'Clear event', description: 'event: the event that clears; empty: only by hand', default: '' }),
      offlineMinutes: Type.Number({ title: 'Offline for (minutes)', minimum: 1, maximum: 10_080, default: 5 }),
      message: Type.String({ title: 'Message', description: 'Template; empty: a sentence that fits the trigger', default: '' }),
    },
    {
      // What each trigger needs, in the schema so the editor and the deploy check report it as the runtime does.
      allOf: [
        {
          if: { type: 'object', properties: { trigger: { const: 'threshold' } }, required: ['trigger'] },
          // `required` too: ajv judges allOf before it fills defaults, so an absent property is not yet ''.
          then: { type: 'object', properties: { property: { type: 'string', minLength: 1 } }, required: ['property'] },
        },
      ],
    },
  ),
  ui: {
    order: [
      'name', 'severity', 'product', 'trigger', 'property', 'operator', 'value', 'low', 'high', 'forSeconds',
      'clearOperator', 'clearValue', 'clearLow', 'clearHigh', 'event', 'eventType', 'clearEvent', 'offlineMinutes', 'message',
    ],
    fields: { message: { widget: 'textarea' } },
  },
  help,
});
