import { Type } from '@sinclair/typebox';
import { defineNode } from '../kit/define-node.ts';
import { tokenListenerFields } from '../kit/token-listener.ts';

const help = `Devices that speak HTTP instead of holding an MQTT connection (Alibaba IoT's HTTP access).

A device signs in with the same signature as on MQTT and gets a token; it then posts each message with the token
and is answered, in the response, with the reply it would have got on MQTT. Its messages reach **device in** nodes
(\`msg.thing.protocol\` is \`http\`) and go through the same flows as MQTT devices'.

- \`POST {path}/auth\`: \`{productKey, deviceName, clientId, timestamp, signmethod, sign}\` (things dialect:
  \`{productKey, deviceName, password}\`) → \`{"code":0,"info":{"token":"…","expiresAt":…}}\`.
- \`POST {path}/topic/{topic}\`, header \`password: {token}\`, body the message envelope → the reply envelope; the
  HTTP status is its code (200 stored, 400, 403, 413, 422 invalid values, 429, 503, 504).
- \`GET {path}/commands?wait=30\`, header \`password\` → \`{"code":0,"data":[{"topic","payload"}]}\`: the commands
  waiting for the device (answered on their \`_reply\` topics by a post); with none waiting the answer waits up to
  \`wait\` seconds (at most 60). Send devices that poll their commands with **If offline: queue**, so that a command
  waits for the next poll rather than failing after its timeout.

### Properties
- **Port**: 0 (default) serves the routes on the platform's HTTP port under **Path**; another port serves them on a
  server of its own, bound to **Host**.
- **Max body**: larger posts are answered 413 and not processed.
- **Token lifetime**: how long a token from \`/auth\` lasts; the device signs in again when it gets 401.
- **Online window**: a device is online while its last request is at most this old (it holds no connection). Set it
  above the interval devices report at, or they show as a connect and a disconnect per post.
- **Rate per device**: messages per second (bursts of twice that); beyond it devices are answered 429. 0 = no limit.
- **Reply timeout**: how long flows have to answer a post before it is answered 504.

One HTTP listener per port. Redeploying keeps the devices' online state unless port, host or path change.`;

/** The HTTP device ingress: a config node owning one pooled HTTP listener. */
export const httpListener = defineNode({
  type: 'thing-http-listener',
  version: 1,
  label: 'HTTP listener',
  category: 'config',
  color: '#D8BFD8',
  icon: 'white-globe.svg',
  inputs: 0,
  outputs: 0,
  isConfigNode: true,
  config: Type.Object({
    port: Type.Integer({ title: 'Port', description: "0: the platform's HTTP port", minimum: 0, maximum: 65535, default: 0 }),
    host: Type.String({ title: 'Host', description: 'Address its own port binds', default: '0.0.0.0' }),
    path: Type.String({ title: 'Path', description: 'Where the device routes start', pattern: '^/[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$', default: '/device' }),
    ...tokenListenerFields('504'),
  }),
  help,
});
