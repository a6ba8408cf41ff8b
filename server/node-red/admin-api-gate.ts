import type http from 'node:http';
import express, { type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { allows, type Principal } from '../../domain/auth/permissions.ts';
import { clientError, forbidden, internalError, sendApiError, unauthorized } from '../errors.ts';
import type { FlowNode } from '../../domain/flows/flow-json.ts';
import type { DeploySummary } from './flow-service.ts';

/** What the gate needs of the flows: the deploy checks of `FlowService`, the flows deployed now, and its audit. */
export interface DeployChecks {
  prepare(flows: unknown, actor: Principal): Promise<{ summary: DeploySummary }>;
  get(): Promise<{ flows: FlowNode[] }>;
  audited(user: string, action: string, details: Record<string, unknown> & Partial<DeploySummary>): Promise<void>;
}

// Whatever the content type says: Node-RED tools send flows as JSON, and anything else is refused as malformed.
const jsonBody = express.json({ limit: '5mb', type: () => true });

/** A write through `/red`, by what it does; `other` is every write not named (node sets, settings, context…). */
type RedWrite = 'deploy-all' | 'deploy-one' | 'delete-one' | 'inject' | 'debug' | 'other';

/**
 * Names a write to Node-RED's admin API. Express 4 routes case-insensitively and ignores a trailing slash, so the
 * path is compared lower-cased, percent-decoded, with repeated and trailing slashes dropped: `POST /red/Flows/` is a
 * deploy like `POST /red/flows`.
 */
export function classifyRedWrite(method: string, url: string): RedWrite {
  let path: string;
  try {
    path = decodeURIComponent((url.split('?')[0] ?? '').replace(/\/+/g, '/')).toLowerCase().replace(/\/+$/, '');
  } catch {
    return 'other';
  }
  if (method === 'POST' && path === '/red/flows') return 'deploy-all';
  if ((method === 'POST' && path === '/red/flow') || (method === 'PUT' && /^\/red\/flow\/[^/]+$/.test(path))) return 'deploy-one';
  if (method === 'DELETE' && /^\/red\/flow\/[^/]+$/.test(path)) return 'delete-one';
  if (method === 'POST' && /^\/red\/inject\/[^/]+$/.test(path)) return 'inject';
  if (method === 'POST' && /^\/red\/debug\/[^/]+(\/[^/]+)?$/.test(path)) return 'debug';
  return 'other';
}

/**
 * Guards Node-RED's own admin API (`/red`), which tools written for Node-RED use, with the same rules as ours:
 * our tokens only (401 in our error envelope, before Node-RED sees the request); operators read only (403);
 * engineers deploy, delete flows, fire inject nodes and toggle debug nodes, and every other write (node sets,
 * settings, context, library) takes `flows:code` (admins), since it changes what the runtime can do. A deploy through
 * it (`POST /red/flows`, `POST /red/flow`, `PUT /red/flow/:id`) gets the same checks as `POST /api/v1/flows`: an
 * uninstalled node type cannot stop every flow, and code nodes take `flows:code`. Every write is audited with its
 * outcome. The body the gate read is handed on as `req.body` with `req._body` set, which Node-RED's body parser
 * takes as already parsed.
 */
export function adminApiGate(
  authenticate: (req: http.IncomingMessage) => Promise<Principal | undefined>,
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
        if (!res.headersSent) sendApiError(res, known);
      },
    );
  };

  async function gate(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const principal = await authenticate(req);
    if (!principal) throw unauthorized();
    const method = req.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') {
      if (!allows(principal, 'flows:read')) throw forbidden('flows:read');
      return;
    }
    const write = classifyRedWrite(method, req.url ?? '');
    const needed = write === 'other' ? 'flows:code' : 'flows:write';
    if (!allows(principal, needed)) throw forbidden(needed);
    let summary: Partial<DeploySummary> | undefined;
    if (write === 'deploy-all' || write === 'deploy-one') {
      const body = await parseJson(req, res);
      // Admin API v1 sends the array, v2 `{flows, rev}`; the checks may upgrade nodes in place, which Node-RED then gets.
      const flows = write === 'deploy-all' ? (Array.isArray(body) ? body : (body as { flows?: unknown } | null)?.flows) : await oneFlowInContext(body, checks);
      const { summary: all } = await checks.prepare(flows, principal);
      // One flow is checked beside the deployed others, so "removed" would count every other flow's nodes.
      const { removed, ...rest } = all;
      summary = write === 'deploy-one' ? rest : { ...rest, removed };
      // Node-RED's own body parser (body-parser 1) skips a request marked as parsed; the stream is consumed by now.
      Object.assign(req, { _body: true });
    }
    const path = (req.url ?? '').split('?')[0];
    res.once('finish', () => {
      // After the answer: a failure to write the audit row can only be logged.
      checks.audited(principal.username, write === 'deploy-all' || write === 'deploy-one' ? 'flows.deploy' : 'red.write', {
        via: '/red', method, path, status: res.statusCode, ...summary,
      }).catch((err: unknown) => logger.error({ err, user: principal.username, path }, 'writing the audit log failed'));
    });
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
