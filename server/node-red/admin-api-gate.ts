import type http from 'node:http';
import express, { type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Principal } from '../auth/auth-service.ts';
import { clientError, errorBody, forbidden, internalError, unauthorized } from '../errors.ts';
import type { FlowNode } from './flow-runtime.ts';

/** What the gate needs of the flows: the deploy checks of `FlowService`, and the subflows deployed now. */
export interface DeployChecks {
  assertDeployable(flows: unknown): unknown;
  get(): Promise<{ flows: FlowNode[] }>;
}

// Whatever the content type says: Node-RED tools send flows as JSON, and anything else is refused as malformed.
const jsonBody = express.json({ limit: '5mb', type: () => true });

/**
 * Guards Node-RED's own admin API (`/red`), which tools written for Node-RED use, with the same rules as ours:
 * our tokens only (401 in our error envelope, before Node-RED sees the request), operators read only (403), and a
 * deploy through it (`POST /red/flows`, `POST /red/flow`, `PUT /red/flow/:id`) gets the same checks as
 * `POST /api/v1/flows`, so an uninstalled node type cannot stop every flow by this way in either. The body the gate
 * read is handed on as `req.body` with `req._body` set, which Node-RED's body parser takes as already parsed.
 */
export function adminApiGate(
  authenticate: (req: http.IncomingMessage) => Principal | undefined,
  checks: DeployChecks,
  next: http.RequestListener,
  logger: Logger,
): http.RequestListener {
  return (req, res) => {
    void gate(req, res).then(
      () => next(req, res),
      (err: unknown) => {
        let known = clientError(err);
        if (!known) {
          logger.error({ err, method: req.method, url: req.url }, 'admin API request failed');
          known = internalError();
        }
        if (res.headersSent) return;
        res.writeHead(known.status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: errorBody(known) }));
      },
    );
  };

  async function gate(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const principal = authenticate(req);
    if (!principal) throw unauthorized();
    const method = req.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return;
    if (principal.role === 'operator') throw forbidden('flows:write');
    const path = (req.url ?? '').split('?')[0]!.replace(/\/+$/, '');
    const deploysAll = method === 'POST' && path === '/red/flows';
    const deploysOne = (method === 'POST' && path === '/red/flow') || (method === 'PUT' && /^\/red\/flow\/[^/]+$/.test(path));
    if (!deploysAll && !deploysOne) return;
    const body = await parseJson(req, res);
    if (deploysAll) {
      // Admin API v1 sends the array, v2 `{flows, rev}`.
      checks.assertDeployable(Array.isArray(body) ? body : (body as { flows?: unknown } | null)?.flows);
    } else {
      checks.assertDeployable(await oneFlowInContext(body, checks));
    }
    // Node-RED's own body parser (body-parser 1) skips a request marked as parsed; the stream is consumed by now.
    Object.assign(req, { _body: true });
  }
}

/**
 * A single flow (`{id, label, nodes, configs, subflows}`) as a flow array the checks can judge: its tab, its nodes,
 * and the subflows deployed now (its nodes may be instances of them).
 */
async function oneFlowInContext(body: unknown, checks: DeployChecks): Promise<unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const flow = body as { id?: unknown; nodes?: unknown; configs?: unknown; subflows?: unknown };
  const list = (value: unknown) => (Array.isArray(value) ? value : []);
  const ownSubflows = new Set(list(flow.subflows).map((s: { id?: unknown }) => s?.id));
  const deployedSubflows = (await checks.get()).flows.filter((n) => n.type === 'subflow' && !ownSubflows.has(n.id));
  return [
    { id: typeof flow.id === 'string' ? flow.id : 'new-flow', type: 'tab' },
    ...list(flow.nodes), ...list(flow.configs), ...list(flow.subflows), ...deployedSubflows,
  ];
}

/** The JSON body, read by the same parser as our API's (its refusals become our 400/413), left on `req.body`. */
function parseJson(req: http.IncomingMessage, res: http.ServerResponse): Promise<unknown> {
  return new Promise((resolve, reject) => {
    jsonBody(req as Request, res as Response, (err?: unknown) => (err ? reject(err) : resolve((req as Request).body)));
  });
}
