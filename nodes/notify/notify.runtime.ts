import { webhookHeadersProblem, webhookUrlProblem } from '../../domain/notify/webhook-checks.ts';
import { implementNode } from '../kit/implement-node.ts';
import type { NodeMessage, NodeStatus } from '../kit/node-red-api.ts';
import { throttledStatus } from '../kit/throttled-status.ts';
import { notify } from './notify.def.ts';

/**
 * Hands each message to the notification outbox (`services.notify`) and passes it on once it is stored, with
 * `msg.notification = {id}`; the outbox delivers, retries and logs. The node's status follows the outcomes.
 */
export const notifyNode = implementNode(notify, ({ config, credentials, node, services }) => {
  const outbox = services.notify;
  if (!outbox) throw new Error('the notification outbox is not available');
  // Credentials since config version 2: deploys (and the upgrade of stored flows at start) move a version-1 node's
  // headers there before Node-RED stores the node. The kit's migration at construction only shapes the config (the
  // headers leave it; it cannot reach the credentials), so whatever an old config still says, they come from here.
  const headers = credentials.headers ?? {};
  // A problem the schema cannot see (a malformed host, credentials in the URL, a reserved header, an address or port
  // the platform will not call) fails the deploy here, once, rather than every message later.
  const problem = webhookUrlProblem(config.url) ?? webhookHeadersProblem(headers) ?? outbox.urlRefusal(config.url);
  if (problem) throw new Error(problem);
  // The kit has validated the credentials; the type cannot know.
  const secret = credentials.secret;
  if (!secret) throw new Error('Secret is required');
  // Keyed by node, so a redeploy with a new secret re-keys this node's waiting notifications too.
  const signingKey = { ref: `node:${node.id}`, secret };

  const waiting = new Set<string>();
  let delivered = 0;
  let failed = 0;
  let lastOutcome: 'delivered' | 'failed' | undefined;
  const status = throttledStatus(node);
  const showStatus = () => {
    const fill: NodeStatus['fill'] = lastOutcome === 'failed' ? 'red' : lastOutcome === 'delivered' ? 'green' : 'blue';
    status.set({ fill, shape: waiting.size > 0 ? 'ring' : 'dot', text: `${waiting.size} waiting, ${delivered} delivered, ${failed} failed` });
  };
  // Outcomes of notifications sent before this deploy count as well: they are this node's.
  const unsubscribe = outbox.subscribe(node.id, (outcome) => {
    waiting.delete(outcome.id);
    lastOutcome = outcome.state;
    if (outcome.state === 'delivered') delivered++;
    else {
      failed++;
      node.warn(`notification ${outcome.id} failed after ${outcome.attempts} attempt(s): ${outcome.lastError ?? 'unknown error'}`);
    }
    showStatus();
  });

  return {
    async onInput(message, send, done) {
      const { id } = await outbox.enqueue({
        nodeId: node.id,
        url: config.url,
        method: config.method,
        headers,
        body: bodyOf(message, config.body),
        signingKey,
        timeoutMs: config.timeoutMs,
        maxAttempts: config.maxAttempts,
      });
      waiting.add(id);
      message['notification'] = { id };
      send(message);
      showStatus();
      done();
    },
    onClose() {
      unsubscribe();
      status.dispose();
    },
  };
});

/** The JSON text to send. `msg.req` and `msg.res` of an http-in node are live objects, neither data nor JSON. */
function bodyOf(message: NodeMessage, body: 'payload' | 'message'): string {
  const { req: _req, res: _res, ...rest } = message;
  const value = body === 'payload' ? message.payload : rest;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new Error(`${body === 'payload' ? 'msg.payload' : 'the message'} cannot be sent as JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  // `undefined` (no payload) and functions have no JSON form; the receiver gets JSON null rather than an empty body.
  return text ?? 'null';
}
