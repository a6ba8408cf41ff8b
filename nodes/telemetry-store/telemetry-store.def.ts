import { Type } from '@sinclair/typebox';
import { defineNode } from '../kit/define-node.ts';

const help = `Stores device telemetry: property values (history and each device's latest values) and events.

Writes are **group commits**: messages arriving within a few milliseconds share one transaction, so thousands of
devices cost a few commits a second. A message is passed on, and the device answered, only once the commit holding
it is done.

### Input
A device message, normally from **thing validate** (values normalised to their declared types, each with its time):
- \`property.post\`: one row per distinct time of its values (\`msg.thing.values\`, else \`msg.payload\`
  \`{identifier: value}\` at the message's time);
- \`event.post\`: one event, \`msg.payload\` being its output data.
Any other kind (state changes, replies) is not stored and passes straight through output 1.

### Outputs
1. **stored**: the message after its commit. Values the database could not take (a wrong type, too long) are listed
   in \`msg.thing.skipped\` and shown in the status; the rest are stored.
2. **not stored**: the message with \`msg.error = {code, message}\` when the write queue was full (**503**: the
   platform is overloaded; devices are slowed down before this happens), the database failed, or none of its values
   could be stored, e.g. a product with no published thing model (**500**, the reason in the message).

### Properties
- **Answer the device**: give the message its verdict, 200 once stored (or the error code), unless a node did
  already: recorded in the device's message log, and sent to a device that asked for a reply. Turn off when a later
  node answers.

The status shows messages stored and refused, and the write queue when it is filling.`;

/** Group-committed storage of property values and events; answers the device once its data is committed. */
export const telemetryStore = defineNode({
  type: 'telemetry-store',
  version: 1,
  label: 'telemetry store',
  category: 'storage',
  color: '#E2D96E',
  icon: 'font-awesome/fa-database',
  inputs: 1,
  outputs: 2,
  outputLabels: ['stored', 'not stored'],
  config: Type.Object({
    reply: Type.Boolean({
      title: 'Answer the device',
      description: 'Reply 200 once the message is stored (or the error code if it could not be)',
      default: true,
    }),
  }),
  help,
});
