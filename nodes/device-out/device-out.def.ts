import { Type } from '@sinclair/typebox';
import { defineNode } from '../kit/define-node.ts';

const help = `Sends a command to a device in its own dialect and waits for its reply.

### Input
\`msg.payload\`: the properties to set, the service's input, or the raw bytes (Buffer, or a base64 string, which is
decoded; a string that is not base64 is refused with 400 on output 2).
The target device is the node's **Product** / **Device**, else \`msg.thing.productKey\` / \`msg.thing.deviceName\`
(so a device's own message can be answered with a command). With **Command** *from message*, \`msg.command\` is
\`property.set\`, \`service.invoke\` or \`raw.down\` and \`msg.serviceId\` names the service.

### Outputs
1. **reply**: the device answered 200; \`msg.payload\` is its reply data, \`msg.reply\` = \`{id, code, data}\`. A raw
   downlink gets no reply: it comes out here once sent, with \`msg.reply.code\` 202.
2. **error**: the device answered another code, did not answer in time (504), was offline (503), the queued
   command expired (410), or the command cannot be sent as given (400: e.g. properties that are not an object);
   \`msg.error = {code, message}\`. A property set or service call that does not fit the product's published thing
   model (a property not in it or read-only, a value out of range or not in the enum, an unknown service or input)
   is never sent: 422, with each failing field in \`msg.error.details\` = \`[{field, reason}]\` (\`field\` like
   \`params.mode\`). A product without a published thing model is not checked. Raw downlinks are not checked.

### Properties
- **Command**: set properties, invoke a service (name it in **Service**), raw downlink, or from the message.
- **Timeout**: how long to wait for the reply.
- **When offline**: *queue* keeps the command for **Queue TTL** and delivers it when the device reconnects;
  *fail* answers 503 at once.

The command goes the way the device can take it: published on its MQTT connection, handed to its next poll (HTTP
devices: \`GET /device/commands\`), or pushed to its observation (CoAP). A device between two polls is online but
cannot be reached: the command waits for the next poll up to **Timeout**, or up to **Queue TTL** with *queue*.`;

/** Property set, service invocation or raw downlink to a device, with its reply (or the failure) as output. */
export const deviceOut = defineNode({
  type: 'device-out',
  version: 1,
  label: 'device out',
  category: 'device',
  color: '#A6BBCF',
  icon: 'bridge.svg',
  inputs: 1,
  outputs: 2,
  outputLabels: ['reply', 'error / timeout'],
  config: Type.Object({
    product: Type.String({ title: 'Product', 'x-ref': 'product', default: '' }),
    device: Type.String({ title: 'Device', 'x-ref': 'device', default: '' }),
    command: Type.Union([Type.Literal('property.set'), Type.Literal('service.invoke'), Type.Literal('raw.down'), Type.Literal('from-message')], { title: 'Command', default: 'property.set' }),
    service: Type.String({ title: 'Service', description: 'Service identifier for service.invoke', default: '' }),
    timeoutMs: Type.Integer({ title: 'Timeout (ms)', minimum: 100, maximum: 600_000, default: 10_000 }),
    whenOffline: Type.Union([Type.Literal('fail'), Type.Literal('queue')], { title: 'When offline', default: 'fail' }),
    queueTtlSeconds: Type.Integer({ title: 'Queue TTL (s)', minimum: 1, maximum: 7 * 86400, default: 3600 }),
  }),
  help,
});
