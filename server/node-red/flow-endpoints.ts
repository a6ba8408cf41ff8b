import type { EventEmitter } from 'node:events';
import type http from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import type { Principal } from '../../domain/auth/permissions.ts';
import { SESSION_COOKIE } from '../auth/auth-routes.ts';
import { ApiError, forbidden, internalError, sendApiError, unauthorized } from '../errors.ts';
import { admitUpgrade, originAllowed, refuseUpgrade } from '../http/socket-access.ts';
import { isPublicEndpoint } from '../../nodes/core/core-nodes.def.ts';
import type { FlowNode } from '../../domain/flows/flow-json.ts';

// The route matcher of the Express 4 that serves Node-RED's `http in` routes (its runtime's): a public endpoint is
// matched by exactly the rules that route a request to its node.
const runtimeRequire = createRequire(createRequire(import.meta.url).resolve('@node-red/runtime'));
const pathToRegexp = createRequire(runtimeRequire.resolve('express'))('path-to-regexp') as (
  path: string,
  keys: unknown[],
  options: { sensitive: boolean; strict: boolean; end: boolean },
) => RegExp;

/** Where flow endpoints live below the HTTP root (Node-RED's `httpNodeRoot`). */
export const FLOW_ENDPOINT_ROOT = '/nodes';


/** Request headers that tell a flow who called; set only by the gate (a caller's own are dropped). */
export const CALLER_HEADERS = { user: 'x-thingwire-user', role: 'x-thingwire-role' } as const;

export interface FlowEndpointsOptions {
  /** Resolves the caller of a WebSocket upgrade (session cookie, bearer token or `access_token`). */
  authenticate(req: http.IncomingMessage): Promise<Principal | undefined>;
  /** Resolves the caller of an HTTP request (session cookie or bearer token). */
  authenticateRequest(req: http.IncomingMessage): Promise<Principal | undefined>;
  allowedOrigins: readonly string[];
  /** Node-RED's app for `/nodes` (`http in` routes). */
  nodeApp: http.RequestListener;
  /** Node-RED's WebSocket listeners take upgrades from here. */
  upgrades: EventEmitter;
  /**
   * Flow answers are sandboxed (`Content-Security-Policy: sandbox`): true when they share the UI's origin, false on
   * their own port (`--flow-http-port`), where pages may run scripts.
   */
  sandbox: boolean;
}

interface PublicRoute {
  method: string;
  regexp: RegExp;
}

/**
 * The gate in front of flow endpoints (`/nodes/*`): a signed-in user or API token is required unless the endpoint's
 * node is marked public (`http in` or `websocket-listener` with `public: true`); a cookie-authenticated write from a
 * foreign origin is refused (CSRF); our credentials are taken off the request before a flow sees it (an endpoint
 * must not capture a visitor's session) and the caller is named in `x-thingwire-user`/`x-thingwire-role` instead;
 * answers carry `nosniff`, on the UI's port also `Content-Security-Policy: sandbox`, and never set our session cookie.
 */
export class FlowEndpoints {
  #routes: PublicRoute[] = [];
  #sockets = new Set<string>();
  #listeners = new Set<string>();

  constructor(private readonly options: FlowEndpointsOptions) {}

  /** Reads which endpoints exist and which are public from the deployed flows (call on every `flows:started`). */
  update(flows: readonly FlowNode[]): void {
    const routes: PublicRoute[] = [];
    const sockets = new Set<string>();
    const listeners = new Set<string>();
    for (const node of flows) {
      if (node.type === 'websocket-listener' && node['d'] !== true && typeof node['path'] === 'string' && node['path']) {
        listeners.add(listenerPath(node['path']));
      }
      if (!isPublicEndpoint(node) || node['d'] === true) continue;
      if (node.type === 'http in' && typeof node['url'] === 'string' && node['url']) {
        const url = node['url'].startsWith('/') ? node['url'] : `/${node['url']}`;
        const method = typeof node['method'] === 'string' ? node['method'].toUpperCase() : 'GET';
        routes.push({ method, regexp: expressPathRegexp(url) });
      } else if (node.type === 'websocket-listener' && typeof node['path'] === 'string' && node['path']) {
        sockets.add(listenerPath(node['path']));
      }
    }
    this.#routes = routes;
    this.#sockets = sockets;
    this.#listeners = listeners;
  }

  /** Whether a request reaches a public `http in` endpoint (matched as Express 4 matches it). */
  isPublic(method: string, url: string): boolean {
    const path = (url.split('?')[0] ?? '').slice(FLOW_ENDPOINT_ROOT.length) || '/';
    return this.#routes.some((r) => (r.method === method || (r.method === 'GET' && method === 'HEAD')) && r.regexp.test(path));
  }

  handleRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    guardAnswer(res, this.options.sandbox);
    this.options.authenticateRequest(req).then((principal) => this.#request(req, res, principal), () => sendApiError(res, internalError()));
  }

  #request(req: http.IncomingMessage, res: http.ServerResponse, principal: Principal | undefined): void {
    if (!this.isPublic(req.method ?? 'GET', req.url ?? '/')) {
      if (!principal) return sendApiError(res, unauthorized());
      const write = !['GET', 'HEAD', 'OPTIONS'].includes(req.method ?? 'GET');
      const origin = req.headers.origin;
      if (write && origin && !req.headers.authorization && !originAllowed(origin, req.headers.host, this.options.allowedOrigins)) {
        return sendApiError(res, forbidden(`requests from ${origin}`));
      }
    }
    withoutOurCredentials(req, principal);
    this.options.nodeApp(req, res);
  }

  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0]!;
    if (this.#sockets.has(path)) {
      withoutOurCredentials(req, undefined);
      return this.#upgrade(req, socket, head, path);
    }
    admitUpgrade(req, socket, { authenticate: this.options.authenticate, permission: 'authenticated', allowedOrigins: this.options.allowedOrigins }).then((principal) => {
      if (!principal) return;
      withoutOurCredentials(req, principal);
      this.#upgrade(req, socket, head, path);
    }, () => refuseUpgrade(socket, internalError()));
  }

  #upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, path: string): void {
    // Node-RED leaves an upgrade no listener takes hanging for 5 s, then drops it: answer at once, saying why.
    if (!this.#listeners.has(path) || this.options.upgrades.listenerCount('upgrade') === 0) {
      return refuseUpgrade(socket, new ApiError(404, 'not_found',
        `No flow listens for WebSocket connections at ${path}: a websocket-listener's path is matched exactly (case and a trailing slash count).`));
    }
    this.options.upgrades.emit('upgrade', req, socket, head);
  }
}

/** Where Node-RED serves a `websocket-listener` of this path: below the HTTP root, exactly (its own rule). */
function listenerPath(path: string): string {
  return `${FLOW_ENDPOINT_ROOT}/${path.replace(/^\//, '')}`;
}

/** Express 4's regexp for a route path: case-insensitive, trailing slash optional, as Node-RED's routes are. */
function expressPathRegexp(path: string): RegExp {
  return pathToRegexp(path, [], { sensitive: false, strict: false, end: true });
}

/**
 * Takes the session cookie, our bearer token and `access_token` off a request and names the caller instead, so a
 * flow (which an engineer wrote) never holds a visitor's credentials.
 */
function withoutOurCredentials(req: http.IncomingMessage, principal: Principal | undefined): void {
  const { headers } = req;
  if (/^Bearer\s+tw[st]_/.test(headers.authorization ?? '')) delete headers.authorization;
  if (headers.cookie) {
    const kept = headers.cookie.split(';').filter((part) => part.split('=')[0]?.trim() !== SESSION_COOKIE).join(';').trim();
    if (kept) headers.cookie = kept;
    else delete headers.cookie;
  }
  if (req.url?.includes('access_token=')) {
    const url = new URL(req.url, 'http://x');
    url.searchParams.delete('access_token');
    req.url = url.pathname + url.search;
  }
  delete headers[CALLER_HEADERS.user];
  delete headers[CALLER_HEADERS.role];
  if (principal) {
    headers[CALLER_HEADERS.user] = principal.username;
    headers[CALLER_HEADERS.role] = principal.role;
  }
}

/**
 * Makes a flow's answer carry our headers whatever the flow sets (`msg.headers` of an `http response` node) and never
 * set our session cookie (a flow could otherwise sign a visitor in as someone else).
 */
function guardAnswer(res: http.ServerResponse, sandbox: boolean): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => http.ServerResponse;
  res.writeHead = ((...args: unknown[]) => {
    // Headers handed to writeHead itself would win over setHeader's: move them over, so one set of rules judges all.
    const index = args.findIndex((a, i) => i > 0 && a !== null && typeof a === 'object');
    if (index > 0) {
      const given = args[index] as Record<string, string | string[]> | string[];
      const pairs = Array.isArray(given) ? given.flatMap((v, i) => (i % 2 ? [] : [[v, given[i + 1]!] as const])) : Object.entries(given);
      for (const [name, value] of pairs) res.setHeader(name, value);
      args.splice(index, 1);
    }
    const cookies = res.getHeader('set-cookie');
    if (cookies !== undefined) {
      const kept = [cookies].flat().map(String).filter((c) => c.split('=')[0]?.trim() !== SESSION_COOKIE);
      if (kept.length) res.setHeader('set-cookie', kept);
      else res.removeHeader('set-cookie');
    }
    res.setHeader('x-content-type-options', 'nosniff');
    // On the UI's origin a page from a flow never runs as the UI; on its own port a flow sets what policy it likes.
    if (sandbox) res.setHeader('content-security-policy', 'sandbox');
    return writeHead(...args);
  }) as typeof res.writeHead;
}
