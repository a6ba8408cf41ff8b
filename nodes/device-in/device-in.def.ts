import { Type } from '@sinclair/typebox';
import { defineNode } from '../kit/define-node.ts';

export const deviceMessageKinds = [
  'property.post', 'event.post', 'service.reply', 'property.set.reply', 'ota.inform', 'ota.progress', 'ota.get', 'raw.up', 'state',
] as const;

const help = `Messages from devices, whichever listener and dialect they came by.

### Output
\`msg.payload\`: the message's params (property values, event data, a reply's data, \`{status}\` for state
changes). \`msg.thing\`: the rest: \`productKey\`, \`deviceName\`, \`kind\`, \`eventId\` / \`serviceId\`, \`id\`,
\`deviceTime\`, \`receivedAt\`, \`protocol\`, \`dialect\`, \`ack\` and \`replyToken\` (not on a device's own replies
to commands). \`msg.topic\` is \`productKey/deviceName/kind\`.

The first node that accepts or rejects the message gives it its verdict (a **thing validate** failure is 422,
storage 200); if none does within the listener's reply timeout the verdict is 504. A message that no device in
node takes (all filter it out) is answered 503 at once. The verdict is recorded in the device's message log, and sent
to the device when it asked for a reply (\`ack\`). A QoS 1 message is acknowledged (PUBACK) only once it has its
verdict: a flow that never answers holds the device's acknowledgement until the reply timeout.

### Properties
- **Product**, **Device**: only messages of this product / device; empty: all.
- **Kinds**: only these message kinds; none selected: all.
- **Dialect**: only devices speaking this dialect.`;

/** Device uplinks (ThingMessages) into a flow, filtered by product, device, kind and dialect. */
export const deviceIn = defineNode({
  type: 'device-in',
  version: 1,
  label: 'device in',
  category: 'device',
  color: '#A6BBCF',
  icon: 'bridge.svg',
  inputs: 0,
  outputs: 1,
  outputLabels: ['device message'],
  config: Type.Object({
    product: Type.String({ title: 'Product', 'x-ref': 'product', default: '' }),
    device: Type.String({ title: 'Device', 'x-ref': 'device', default: '' }),
    kinds: Type.Array(Type.Union(deviceMessageKinds.map((k) => Type.Literal(k))), { title: 'Kinds', uniqueItems: true, default: [] }),
    dialect: Type.Union([Type.Literal('any'), Type.Literal('alink'), Type.Literal('things')], { title: 'Dialect', default: 'any' }),
  }),
  help,
});
