import { Type } from '@sinclair/typebox';
import { choice, defineNode } from '../kit/define-node.ts';

const help = `Gives a device message its verdict, if nobody did yet: recorded in the device's message log, and sent to
the device when it asked for a reply (\`ack\`).

The first node that accepts or rejects a device message answers it: **thing validate** rejects with 422, storage
accepts with 200 once the data is committed. Use this node where a flow accepts messages some other way (forwards
them, hands them to another system) so the device hears 200, and its message log shows 200, instead of 504 at the reply timeout.

### Input
A message from **device in** (it carries \`msg.thing.replyToken\`). The reply data is \`msg.payload\` when
**Send payload** is on, else \`{}\`.

### Output
The message, unchanged, with \`msg.replied\` true when this node's answer was the verdict (the one the device got,
when it asked for one).

### Properties
- **Code**: 200 accepted; or an error code of the device protocol (400, 404, 422, 429, 500).
- **Message**: the reply's \`message\` text.`;

/** Answers a device uplink from a flow (accept or reject) by its reply token. */
export const deviceReply = defineNode({
  type: 'device-reply',
  version: 1,
  label: 'device reply',
  category: 'device',
  color: '#A6BBCF',
  icon: 'font-awesome/fa-reply',
  inputs: 1,
  outputs: 1,
  config: Type.Object({
    code: choice([200, 400, 401, 404, 422, 429, 500] as const, { title: 'Code', default: 200 }),
    message: Type.String({ title: 'Message', default: 'success' }),
    sendPayload: Type.Boolean({ title: 'Send payload', default: false }),
  }),
  help,
});
