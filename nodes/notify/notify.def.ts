import { Type } from '@sinclair/typebox';
import { HEADER_NAME_PATTERN } from '../../domain/notify/notify-schemas.ts';
import { choice, defineNode } from '../kit/define-node.ts';

const help = `Sends a message to a web service as a signed JSON webhook, reliably: it is stored first and retried
until the service takes it, even across a restart of the platform.

### Input
Any message. **Body** says what is sent: \`msg.payload\` or the whole message (without \`msg.req\` and \`msg.res\`
of an **http in** node), as JSON. A Buffer is sent in its JSON form (\`{"type":"Buffer","data":[...]}\`); turn it into
text or base64 first if the receiver wants that.

### Output
The message, once the notification is stored (not yet delivered), with \`msg.notification = {id}\`. The id is also
sent as the \`X-Thingwire-Notification-Id\` header and names the notification in the API
(\`GET /api/v1/notifications/{id}\`, with every attempt).

### Delivery
- Each attempt is a \`POST\` with \`Content-Type: application/json\`; up to 4 are in flight at once.
- **2xx**: delivered.
- **408**, **429**, **5xx**, no response within **Timeout**, no connection: tried again after a growing wait (5 s,
  10 s, 20 s, … up to 1 h, each shortened by up to half at random; a \`Retry-After\` is honoured), up to **Max
  attempts** in all, then failed. With the defaults the attempts span about 5 to 10 minutes; 20 attempts span
  about 5 to 10 hours.
- Any **other status** (3xx, 4xx) fails at once: the service refused this request and would refuse it again.
  Redirects are not followed. Fix the cause, then \`POST /api/v1/notifications/{id}/retry\`.
- Delivery is at least once: after a restart during an attempt the service may get a notification twice.
  Deduplicate by \`X-Thingwire-Notification-Id\`.

The status counts notifications waiting, delivered and failed since the last deploy; a failure is also logged as a
warning with the reason.

### Verifying a notification
Every attempt carries \`X-Thingwire-Timestamp\` (Unix seconds) and
\`X-Thingwire-Signature: sha256=<hex>\`, the HMAC-SHA256 of \`timestamp + "." + body\` keyed with the node's
**Secret**. The receiver, before parsing the body:
1. takes the raw body bytes (a parsed and re-serialised body would not match);
2. computes \`"sha256=" + hex(HMAC_SHA256(secret, timestamp + "." + rawBody))\`;
3. compares it with the header in constant time;
4. rejects a timestamp more than 5 minutes from its own clock (a replayed old request).

\`\`\`js
const crypto = require('node:crypto');
function verify(secret, rawBody, headers) {
  const timestamp = headers['x-thingwire-timestamp'];
  const signature = headers['x-thingwire-signature'] ?? '';
  const expected = 'sha256=' + crypto.createHmac('sha256', secret).update(timestamp + '.' + rawBody).digest('hex');
  return expected.length === signature.length
    && crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
    && Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300;
}
\`\`\`
In Python: \`hmac.compare_digest("sha256=" + hmac.new(secret.encode(), f"{ts}.".encode() + raw_body, hashlib.sha256).hexdigest(), sig)\`
and the same timestamp check.

### Addresses
Webhooks go to public addresses only. Loopback (\`127.0.0.1\`, \`localhost\`, \`::1\`), link-local (such as the
cloud metadata service at \`169.254.169.254\`), private (\`10.x\`, \`172.16–31.x\`, \`192.168.x\`, \`fc00::/7\`),
carrier-grade NAT, multicast and reserved addresses are refused, also when a host name resolves to one: the
address is checked when the connection is made. An IP address the platform refuses is refused at deploy (red
status); a host name that resolves to one fails its notification at once, with the reason. The platform's
administrator can allow ranges with \`--webhook-allow-cidrs\` (e.g. \`10.1.0.0/16\`) or every private address with
\`--allow-private-webhooks\`. Ports that other protocols use (25, 110, 6667, …) are refused too.

### Properties
- **URL**: the service's \`http://\` or \`https://\` address, without a user name or password (use **Headers**).
- **Body**: \`msg.payload\`, or the whole message.
- **Timeout**: how long one attempt waits for the response.
- **Max attempts**: attempts before the notification counts as failed.
- **Secret**: signs every request; at least 16 characters (\`openssl rand -hex 32\` makes a good one). The
  receiver needs the same secret. Changing it applies to notifications still waiting, too.
- **Headers**: extra headers as a JSON object, e.g. \`{"Authorization": "Bearer …"}\`. Like the **Secret** they are
  stored encrypted, never in the flow JSON, and never shown again: the form stays empty, and leaving it empty keeps
  the stored headers; enter \`{}\` to remove them. The notifications API lists header names only.
`;

/** Sends each message as a signed JSON webhook through the durable outbox; outputs the message once it is stored. */
export const notify = defineNode({
  type: 'notify',
  // 2: headers moved from the config (the flow JSON, readable with flows:read) to the encrypted credentials.
  version: 2,
  label: 'notify',
  paletteLabel: 'webhook',
  category: 'notify',
  color: '#E7E7AE',
  icon: 'font-awesome/fa-paper-plane',
  inputs: 1,
  outputs: 1,
  outputLabels: ['stored'],
  config: Type.Object({
    // `format: 'uri'` would say it better, but the node schema validator has no formats; the runtime checks the rest.
    url: Type.String({ title: 'URL', description: 'An http:// or https:// address', pattern: '^https?://\\S+$' }),
    method: choice(['POST'], { title: 'Method', default: 'POST' }),
    body: Type.Union([Type.Literal('payload', { title: 'msg.payload' }), Type.Literal('message', { title: 'whole message' })], {
      title: 'Body',
      description: 'What is sent as JSON',
      default: 'payload',
    }),
    timeoutMs: Type.Integer({ title: 'Timeout (ms)', description: 'Per attempt', minimum: 100, maximum: 60_000, default: 5_000 }),
    maxAttempts: Type.Integer({ title: 'Max attempts', minimum: 1, maximum: 50, default: 8 }),
  }),
  credentials: Type.Object({
    secret: Type.String({ title: 'Secret', description: 'Signs every request (HMAC-SHA256)', minLength: 16, 'x-secret': true }),
    // Credentials, because they usually carry one (`Authorization`); `x-secret` makes it a Node-RED password-type
    // credential, which Node-RED never hands back to an editor.
    headers: Type.Optional(
      Type.Record(Type.String({ pattern: HEADER_NAME_PATTERN }), Type.String(), {
        title: 'Headers',
        description: 'Extra request headers, as a JSON object of strings',
        additionalProperties: false,
        'x-secret': true,
      }),
    ),
  }),
  ui: { order: ['url', 'method', 'body', 'timeoutMs', 'maxAttempts'] },
  migrations: [
    {
      from: 1,
      // On the whole flow node, before Node-RED stores it: Node-RED takes `credentials` off the node and keeps it
      // encrypted in flows_cred.json.
      migrate({ headers, ...node }) {
        // Nothing to move: the node's stored credentials stay as they are.
        if (headers === undefined || isEmptyObject(headers)) return node;
        const credentials = typeof node['credentials'] === 'object' && node['credentials'] !== null ? (node['credentials'] as Record<string, unknown>) : {};
        // Headers typed into the credentials in the same edit are newer than the ones in the flow JSON.
        return { ...node, credentials: { ...credentials, headers: credentials['headers'] ?? headers } };
      },
    },
  ],
  help,
});

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}
