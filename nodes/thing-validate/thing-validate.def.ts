import { Type } from '@sinclair/typebox';
import { defineNode } from '../kit/define-node.ts';

const help = `Checks a device message against its product's published thing model.

### Input
A device message from a **device in** node: \`msg.payload\` holds the params, \`msg.thing\` the rest
(\`productKey\`, \`deviceName\`, \`kind\`, \`eventId\` / \`serviceId\`, times, reply token).

### Outputs
1. **valid**: the message with a normalised payload:
   - \`property.post\`: \`msg.payload\` is \`{identifier: value}\` and \`msg.thing.values\` lists each value with its
     time (the device's, else the receive time); with *drop*, \`msg.thing.dropped\` names what was left out;
   - \`event.post\`: \`msg.payload\` is the event's output data; a device time moves to \`msg.thing.deviceTime\`;
   - \`service.reply\`: \`msg.payload\` is the service's output data;
   - any other kind (OTA, state, set replies) passes through unchanged.
2. **invalid**: the message with \`msg.error = {code, message, details}\` and \`msg.thing.replyCode\`, the code the
   device is answered with: **400** malformed, **404** unknown property, event or service (or a product with no
   published thing model), **422** values that fail the model (\`details\` lists each field and why).

### Properties
- **Product**: the product whose model to use; empty uses each message's own \`msg.thing.productKey\`.
- **Unknown properties**: *reject* answers 404 for an identifier the model does not define; *drop* leaves it out
  and validates the rest.

The status shows how many messages passed and failed, refreshed at most once a second.
`;

/** Validates device messages against the product's thing model; failures go to a second output with a reply code. */
export const thingValidate = defineNode({
  type: 'thing-validate',
  version: 1,
  label: 'validate',
  paletteLabel: 'thing validate',
  category: 'thing model',
  color: '#7FC9B8',
  icon: 'font-awesome/fa-check-square-o',
  inputs: 1,
  outputs: 2,
  outputLabels: ['valid', 'invalid'],
  config: Type.Object({
    product: Type.String({
      title: 'Product',
      description: 'Product key whose thing model to use; empty: the product of each message',
      'x-ref': 'product',
      default: '',
    }),
    unknownProperties: Type.Union([Type.Literal('reject', { title: 'reject (404)' }), Type.Literal('drop')], {
      title: 'Unknown properties',
      description: 'What to do with a property the thing model does not define',
      default: 'reject',
    }),
  }),
  help,
});
