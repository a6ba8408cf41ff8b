import { Type } from '@sinclair/typebox';
import { defineNode } from '../kit/define-node.ts';

const help = `An embedded MQTT broker that devices connect to (MQTT 3.1.1 and 5; TCP, optional TLS and WebSocket).

Devices sign in with the Alink or the things signature of their device secret (see the README) and may only
publish and subscribe inside their own topics. Their messages reach **device in** nodes; **device out** nodes send
them commands.

### Properties
- **Port**, **Host**: where MQTT over TCP listens (1883 by default).
- **TLS port**, **Certificate**, **Key**: MQTT over TLS (8883) when a PEM certificate and key are given; 0 = off.
- **WebSocket path**: MQTT over WebSocket on the platform's HTTP port (\`ws://host:1880/mqtt\`); empty = off.
- **Max payload**: larger messages are answered 400 and not processed; a packet more than 64 KB over it closes the
  connection as soon as its header announces the size (MQTT 5: DISCONNECT 0x95), before it is read into memory.
- **Rate per device**: messages per second (bursts of twice that); beyond it devices are answered 429. 0 = no limit.
- **Keepalive**: the range of keepalive seconds a device may ask for; outside it the device is refused.
- **Reply timeout**: how long flows have to answer a device message (accept or reject it); then the message is
  recorded as 504 in the device's message log, and a device that asked for a reply (\`ack\`) is answered 504.
  A QoS 1 message is acknowledged (PUBACK) only once its answer is in and on disk.
- **Sign-in timeout**, **Max connections signing in**: a connection has this long to send a valid CONNECT; at most
  this many may be signing in at once (CONNECT itself is limited to 64 KB). Addresses with 20 failed sign-ins in a
  minute are banned for 5 minutes.

The listener outlives deploys: redeploying flows that do not change its port, host, TLS or WebSocket path keeps
every device connected (the other settings apply at once). Changing one of those restarts it.`;

/** The MQTT ingress: a config node owning one pooled embedded broker. */
export const mqttListener = defineNode({
  type: 'thing-mqtt-listener',
  version: 1,
  label: 'MQTT listener',
  category: 'config',
  color: '#D8BFD8',
  icon: 'bridge.svg',
  inputs: 0,
  outputs: 0,
  isConfigNode: true,
  config: Type.Object({
    port: Type.Integer({ title: 'Port', minimum: 0, maximum: 65535, default: 1883 }),
    host: Type.String({ title: 'Host', description: 'Address to bind', default: '0.0.0.0' }),
    tlsPort: Type.Integer({ title: 'TLS port', description: '0: no TLS', minimum: 0, maximum: 65535, default: 0 }),
    tlsCert: Type.String({ title: 'Certificate', description: 'PEM certificate chain for TLS', default: '' }),
    wsPath: Type.String({ title: 'WebSocket path', description: 'On the HTTP port; empty: no WebSocket', pattern: '^(/[A-Za-z0-9._~/-]*)?$', default: '/mqtt' }),
    maxPayloadBytes: Type.Integer({ title: 'Max payload (bytes)', minimum: 64, maximum: 16 * 1024 * 1024, default: 256 * 1024 }),
    ratePerDevice: Type.Number({ title: 'Rate per device (msg/s)', minimum: 0, maximum: 100_000, default: 100 }),
    keepaliveMin: Type.Integer({ title: 'Keepalive min (s)', minimum: 0, maximum: 65535, default: 10 }),
    keepaliveMax: Type.Integer({ title: 'Keepalive max (s)', minimum: 1, maximum: 65535, default: 1200 }),
    // Bounded above: every message waiting for its verdict is held in memory, and devices give up waiting long before.
    replyTimeoutMs: Type.Integer({ title: 'Reply timeout (ms)', description: 'Unanswered device messages get 504 after this', minimum: 100, maximum: 60_000, default: 5000 }),
    signInTimeoutMs: Type.Integer({ title: 'Sign-in timeout (ms)', description: 'Connections not signed in by then are closed', minimum: 500, maximum: 120_000, default: 10_000 }),
    maxPendingSignIns: Type.Integer({ title: 'Max connections signing in', description: 'More are closed as they arrive', minimum: 1, maximum: 1_000_000, default: 2000 }),
  }),
  credentials: Type.Object({
    tlsKey: Type.Optional(Type.String({ title: 'Key', description: 'PEM private key for TLS', 'x-secret': true })),
  }),
  ui: { fields: { tlsCert: { widget: 'textarea' } } },
  help,
});
