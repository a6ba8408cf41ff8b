import { Type } from '@sinclair/typebox';
import { defineNode } from '../kit/define-node.ts';
import { tokenListenerFields } from '../kit/token-listener.ts';

const help = `Devices that speak CoAP over UDP (Alibaba IoT's CoAP access), for constrained devices and lossy links.

A device signs in with the same signature as on MQTT and gets a token; it then posts each message with the token in
CoAP option 2088 and is answered, in the response, with the reply it would have got on MQTT. Its messages reach
**device in** nodes (\`msg.thing.protocol\` is \`coap\`) and go through the same flows as MQTT devices'.

- \`POST /auth\`: \`{productKey, deviceName, clientId, timestamp, signmethod, sign}\` (things dialect:
  \`{productKey, deviceName, password}\`) → 2.05 \`{"code":0,"info":{"token":"…","expiresAt":…}}\`.
- \`POST /topic/{topic}\`, option 2088 = token, payload the message envelope → the reply envelope; the response code
  follows its code (2.04 stored, 4.00, 4.03, 4.13, 4.22 invalid values, 4.29, 5.03, 5.04). Confirmable and
  non-confirmable requests; bodies over one datagram block-wise (Block1).
- \`GET /commands\`, option 2088, Observe 0 → a notification with \`{"code":0,"data":[{"topic","payload"}]}\` for
  every batch of commands (answered by a post on their \`_reply\` topics); without Observe: the waiting commands once.
  Send commands to CoAP devices with **If offline: queue**, so that they wait for the next observation.

No DTLS: bind it where only your devices reach it (a private network, a VPN), or put a DTLS terminator in front.

### Properties
- **Port**: UDP port (5683 is CoAP's).
- **Host**: address the socket binds.
- **Max body**: larger posts (block-wise ones included) are answered 4.13 and not processed.
- **Token lifetime**: how long a token from \`/auth\` lasts; the device signs in again when it gets 4.01.
- **Online window**: a device is online while its last request is at most this old, or while it observes its
  commands.
- **Rate per device**: messages per second (bursts of twice that); beyond it devices are answered 4.29. 0 = no limit.
- **Reply timeout**: how long flows have to answer a post before it is answered 5.04.

One CoAP listener per port. Redeploying keeps the devices' online state and observations unless port or host change.`;

/** The CoAP device ingress: a config node owning one pooled CoAP listener. */
export const coapListener = defineNode({
  type: 'thing-coap-listener',
  version: 1,
  label: 'CoAP listener',
  category: 'config',
  color: '#D8BFD8',
  icon: 'white-globe.svg',
  inputs: 0,
  outputs: 0,
  isConfigNode: true,
  config: Type.Object({
    port: Type.Integer({ title: 'Port', description: 'UDP port', minimum: 0, maximum: 65535, default: 5683 }),
    host: Type.String({ title: 'Host', description: 'Address the UDP socket binds', default: '0.0.0.0' }),
    ...tokenListenerFields('5.04'),
  }),
  help,
});
