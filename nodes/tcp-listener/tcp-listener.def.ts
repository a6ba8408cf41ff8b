import { Type } from '@sinclair/typebox';
import { defineNode } from '../kit/define-node.ts';

const help = `Devices that send bytes over plain TCP: field devices, serial-to-TCP converters, anything that cannot speak
MQTT. Each connection is one device.

The stream is cut into **frames** (see *Framing*); everything the platform sends back is framed the same way. The
**first frame signs in**: JSON \`{productKey, deviceName, clientId, timestamp, signmethod, sign}\` (things dialect:
\`{productKey, deviceName, password}\`), the same signature as on MQTT, answered \`{"code":0,"message":"success"}\` or
\`{"code":401,"message":"not authorized"}\` (and closed). When **Product** names a product with a published codec, the
first frame may instead be binary: the codec's \`decode\` returns \`{kind: 'login', params: {deviceName, sign, …}}\`, and
the answer is the codec's \`encode\` of \`{kind: 'reply', request: 'login', code, message}\`.

After sign-in the device's own product decides: with a published codec, each frame goes through its \`decode\` and
commands through its \`encode\`; without one, each frame is JSON \`{"topic": "…", "payload": {…}}\` exactly as the
device would publish it on MQTT, answered with \`{"topic": "…_reply", "payload": {…}}\`, and commands arrive as the
same \`{topic, payload}\` JSON. Messages reach **device in** nodes (\`msg.thing.protocol\` is \`tcp\`).

### Properties
- **Port**, **Host**: where the TCP server listens.
- **Framing**: \`newline\` (LF; a CR before it is dropped), \`length16\` / \`length32\` (big-endian length prefix, not
  counting itself), \`fixed\` (every frame **Fixed frame** bytes), \`codec\` (the product codec's \`frame(bytes)\`).
- **Max frame**: a longer frame, or a prefix announcing one, closes the connection before it is read.
- **Product**: the product whose codec reads frames before sign-in (a codec login; \`frame\` for codec framing).
- **Sign-in timeout**, **Max connections signing in**: connections that do not sign in in time are closed; beyond the
  maximum, new ones are closed at once.
- **Idle timeout**: a device that sends no frame for this long is closed (history: \`keepalive-timeout\`).
- **Rate per device**: frames per second (bursts of twice that); beyond it frames are refused 429. 0 = no limit.
- **Max unsent bytes**: a device that does not read what it is sent is closed past this many bytes waiting.
- **Reply timeout**: how long flows have to answer a message that asked for an answer before it gets 504.

Redeploying keeps devices connected unless port, host or framing change. No TLS: bind it where only your devices
reach it, or put a TLS terminator in front.`;

/** The TCP device ingress: a config node owning one pooled TCP listener. */
export const tcpListener = defineNode({
  type: 'thing-tcp-listener',
  version: 1,
  label: 'TCP listener',
  category: 'config',
  color: '#D8BFD8',
  icon: 'bridge.svg',
  inputs: 0,
  outputs: 0,
  isConfigNode: true,
  config: Type.Object({
    port: Type.Integer({ title: 'Port', description: 'TCP port', minimum: 0, maximum: 65535, default: 7000 }),
    host: Type.String({ title: 'Host', description: 'Address the TCP server binds', default: '0.0.0.0' }),
    framing: Type.Union(
      [Type.Literal('newline'), Type.Literal('length16'), Type.Literal('length32'), Type.Literal('fixed'), Type.Literal('codec')],
      { title: 'Framing', description: 'How the byte stream is cut into frames', default: 'newline' },
    ),
    fixedBytes: Type.Integer({ title: 'Fixed frame (bytes)', description: 'Framing "fixed": the length of every frame', minimum: 1, maximum: 16 * 1024 * 1024, default: 20 }),
    maxFrameBytes: Type.Integer({ title: 'Max frame (bytes)', minimum: 16, maximum: 16 * 1024 * 1024, default: 64 * 1024 }),
    productKey: Type.String({ title: 'Product', description: 'Its codec reads frames before sign-in; empty: JSON sign-in only', 'x-ref': 'product', default: '' }),
    signInTimeoutMs: Type.Integer({ title: 'Sign-in timeout (ms)', description: 'Connections not signed in by then are closed', minimum: 100, maximum: 120_000, default: 10_000 }),
    maxPendingSignIns: Type.Integer({ title: 'Max connections signing in', description: 'More are closed as they arrive', minimum: 1, maximum: 1_000_000, default: 2000 }),
    idleTimeoutSeconds: Type.Integer({ title: 'Idle timeout (s)', description: 'A device with no frame for this long is closed', minimum: 1, maximum: 86_400, default: 300 }),
    ratePerDevice: Type.Number({ title: 'Rate per device (msg/s)', minimum: 0, maximum: 100_000, default: 100 }),
    maxWriteBufferBytes: Type.Integer({ title: 'Max unsent bytes', description: 'A device that does not read is closed past this', minimum: 1024, maximum: 64 * 1024 * 1024, default: 1024 * 1024 }),
    replyTimeoutMs: Type.Integer({ title: 'Reply timeout (ms)', description: 'Unanswered messages that asked for an answer get 504 after this', minimum: 100, maximum: 60_000, default: 5000 }),
  }),
  help,
});
