import type http from 'node:http';
import type { Principal } from '../auth/auth-service.ts';
import { ApiError, forbidden, unauthorized } from '../errors.ts';
import type { FlowNode } from './flow-runtime.ts';

/** What the gate needs of the flows: the deploy checks of `FlowService`, and the subflows deployed now. */
export interface DeployChecks {
  assertDeployable(flows: unknown): unknown;
  get(): Promise<{ flows: FlowNode[] }>;
}

const MAX_BODY_BYTES = 5 * 1024 * 1024;

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
): http.RequestListener {
  return (req, res) => {
    void gate(req).then(
      () => next(req, res),
      (err: unknown) => {
        const e = err instanceof ApiError ? err : new ApiError(500, 'internal', 'Something went wrong on the server; the error is in its log.');
        if (res.headersSent) return;
        res.writeHead(e.status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) } }));
      },
    );
  };

  async function gate(req: http.IncomingMessage): Promise<void> {
    const principal = authenticate(req);
    if (!principal) throw unauthorized();
    const method = req.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return;
    if (principal.role === 'operator') throw forbidden('flows:write');
    const path = (req.url ?? '').split('?')[0]!.replace(/\/+$/, '');
    const deploysAll = method === 'POST' && path === '/red/flows';
    const deploysOne = (method === 'POST' && path === '/red/flow') || (method === 'PUT' && /^\/red\/flow\/[^/]+$/.test(path));
    if (!deploysAll && !deploysOne) return;
    const body = await readJson(req);
    if (deploysAll) {
      // Admin API v1 sends the array, v2 `{flows, rev}`.
      checks.assertDeployable(Array.isArray(body) ? body : (body as { flows?: unknown } | null)?.flows);
    } else {
      checks.assertDeployable(await oneFlowInContext(body, checks));
    }
    Object.assign(req, { body, _body: true });
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

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, 'payload_too_large', `The body is larger than the ${MAX_BODY_BYTES} byte limit.`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text === '' ? undefined : JSON.parse(text));
      } catch (err) {
        reject(new ApiError(400, 'malformed_json', `The body is not valid JSON: ${(err as Error).message}`));
      }
    });
  });
}
