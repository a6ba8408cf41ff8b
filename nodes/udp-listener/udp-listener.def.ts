import { Type } from '@sinclair/typebox';
import { defineNode } from '../kit/define-node.ts';
import { tokenListenerFields } from '../kit/token-listener.ts';

const help = `Devices that send plain UDP datagrams (NB-IoT modules, LoRa gateways, low-power sensors). Each datagram is
one message; nothing is held open.

**Sign-in.** A device sends a JSON datagram with the same fields as an HTTP sign-in,
\`{productKey, deviceName, clientId, timestamp, signmethod, sign}\` (things dialect: \`{productKey, deviceName,
password}\`), and is answered \`{"code":0,"message":"success","info":{"token":"…","expiresAt":…}}\` or
\`{"code":401,"message":"not authorized"}\`. When **Product** has a published codec, a datagram its \`decode\` reads
as a \`login\` signs in too, answered by its \`encode\` of \`{kind: 'reply', request: 'login', code, message, token}\`.

**Posts.** With **Bind address** on, a sign-in binds the source address and port to the device for its online window:
later datagrams from there are the device's. For a product with a published codec they are bytes its codec decodes;
otherwise \`{"topic": "…", "payload": {…}}\` as the device would publish on MQTT, answered
\`{"topic": "…_reply", "payload": {…}}\`. From any address, \`{"token": "…", "topic": "…", "payload": {…}}\` posts as
the token's device (and binds that address instead). Messages reach **device in** nodes (\`msg.thing.protocol\` is
\`udp\`) and go through the same flows as MQTT devices'.

**Commands** go to the device's address as a datagram (codec bytes, or \`{"topic", "payload"}\`) while it is online;
otherwise they wait for its next datagram: send them with **If offline: queue**.

Nothing is answered with more bytes than the datagram it answers until the device is known (the answer is left out
instead), so forged source addresses cannot turn the platform into an amplifier. A source address can be forged
blind: binding trusts the address for the online window, which suits devices on a private network or an operator's
APN; turn it off to take only datagrams that carry a token.

### Properties
- **Port**, **Host**: where the UDP socket binds.
- **Product**: whose codec reads datagrams from addresses nobody is bound to (a codec \`login\`); empty: JSON sign-ins
  only.
- **Bind address**: see above.
- **Max datagram**: larger datagrams are dropped (from a bound address: 413 in the device's message log).
- **Rate per address**: datagrams per second per source IP (bursts of twice that); beyond it they are dropped unread.
  0 = no limit.
- **Max bound addresses**: binding one more forgets the one silent longest.
- **Token lifetime**, **Online window**, **Rate per device**, **Reply timeout**: as for the HTTP listener; a binding
  ends with the online window or the token, whichever comes first.

One UDP listener per port. Redeploying keeps bindings and online state unless port or host change. Counters of what it
dropped are on \`/metrics\` (\`thingwire_udp_*\`).`;

const { maxBodyBytes: _maxBodyBytes, ...tokenFields } = tokenListenerFields('504 in the reply');

/** The UDP device ingress: a config node owning one pooled UDP listener. */
export const udpListener = defineNode({
  type: 'thing-udp-listener',
  version: 1,
  label: 'UDP listener',
  category: 'config',
  color: '#D8BFD8',
  icon: 'white-globe.svg',
  inputs: 0,
  outputs: 0,
  isConfigNode: true,
  config: Type.Object({
    port: Type.Integer({ title: 'Port', description: 'UDP port', minimum: 0, maximum: 65535, default: 5690 }),
    host: Type.String({ title: 'Host', description: 'Address the UDP socket binds', default: '0.0.0.0' }),
    productKey: Type.String({ title: 'Product', description: 'Its codec reads logins from unknown addresses', 'x-ref': 'product', default: '' }),
    bindAddress: Type.Boolean({ title: 'Bind address', description: 'A sign-in binds its source address to the device', default: true }),
    maxDatagramBytes: Type.Integer({ title: 'Max datagram (bytes)', minimum: 64, maximum: 65_507, default: 2048 }),
    ratePerAddress: Type.Number({ title: 'Rate per address (datagrams/s)', minimum: 0, maximum: 100_000, default: 50 }),
    maxBoundAddresses: Type.Integer({ title: 'Max bound addresses', minimum: 1, maximum: 10_000_000, default: 100_000 }),
    ...tokenFields,
  }),
  help,
});
