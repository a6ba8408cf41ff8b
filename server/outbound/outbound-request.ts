import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { hostOf, type OutboundPolicy } from './outbound-policy.ts';

/** One request the platform makes on a user's behalf. */
export interface OutboundRequest {
  /** Default `GET`. */
  method?: string;
  headers?: Readonly<Record<string, string>>;
  body?: string | Uint8Array;
  /** Aborts the request, whether it is connecting, waiting for the response or reading the body. */
  signal?: AbortSignal;
  /** Where the request may go; every address connected to is checked against it. */
  policy: OutboundPolicy;
  /**
   * Redirects followed, each checked as the first request was; a redirect beyond them (any, by default) is
   * answered as it came, for the caller to report.
   */
  maxRedirects?: number;
  /** Bytes of the response body kept; the rest is discarded unread. Default 64 KiB. */
  maxBodyBytes?: number;
}

/** The answer, with the start of its body. */
export interface OutboundResponse {
  status: number;
  statusText: string;
  headers: http.IncomingHttpHeaders;
  /** The address that answered: the request's, or where the redirects led. */
  url: string;
  /** The body up to `maxBodyBytes`. */
  body: Buffer;
  /** More bytes came than `body` keeps. */
  truncated: boolean;
  /** Why the body ended early (the signal aborted, the connection dropped); the status still stands. */
  bodyError?: Error;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers that carry the caller's credentials for one origin, as `fetch` drops them on a redirect elsewhere. */
const ORIGIN_CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);
const BODY_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']);

/**
 * Makes an HTTP(S) request where the {@link OutboundPolicy} allows it: the URL is checked before connecting (an IP
 * literal host is connected to without a lookup) and every address a host name resolves to is checked in the
 * connection's own lookup, so the address judged is the address connected to; a DNS answer that changes between a
 * check and the connection (DNS rebinding) has nothing to slip through. Each request has its own connection: a
 * pooled one might have been opened without the check.
 *
 * Rejects with an `OutboundRefusedError` when the policy refuses, with the signal's abort error, or with the network
 * error (`ECONNREFUSED`, `ENOTFOUND`, …). Any HTTP status resolves.
 */
export async function outboundRequest(url: string | URL, request: OutboundRequest): Promise<OutboundResponse> {
  let current = new URL(url);
  let method = (request.method ?? 'GET').toUpperCase();
  let headers: Record<string, string> = { ...request.headers };
  let body = request.body;
  const maxRedirects = request.maxRedirects ?? 0;
  for (let redirects = 0; ; redirects++) {
    const response = await send(current, method, headers, body, request);
    const location = response.headers.location;
    if (!REDIRECT_STATUSES.has(response.status) || redirects >= maxRedirects || !location) return response;
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      return response;
    }
    // As fetch does: 303, and 301/302 after a POST, continue as a GET without the body.
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
      headers = without(headers, BODY_HEADERS);
    }
    if (next.origin !== current.origin) headers = without(headers, ORIGIN_CREDENTIAL_HEADERS);
    current = next;
  }
}

function send(
  url: URL,
  method: string,
  headers: Readonly<Record<string, string>>,
  body: string | Uint8Array | undefined,
  request: OutboundRequest,
): Promise<OutboundResponse> {
  const refusal = request.policy.urlRefusal(url);
  if (refusal) return Promise.reject(refusal);
  request.signal?.throwIfAborted();
  const maxBodyBytes = request.maxBodyBytes ?? 65_536;
  const host = hostOf(url);
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request({
      method,
      protocol: url.protocol,
      hostname: host,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      headers: body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
      agent: false,
      lookup: checkedLookup(request.policy),
      ...(request.signal ? { signal: request.signal } : {}),
    });
    // `on`, not `once`: a second error (the socket failing after an abort) must find a listener.
    req.on('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const finish = (bodyError?: Error) => {
        if (settled) return;
        settled = true;
        // Nothing more is wanted: what was not read is dropped with the connection.
        res.destroy();
        const all = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          url: url.href,
          body: all.subarray(0, maxBodyBytes),
          truncated: size > maxBodyBytes,
          ...(bodyError ? { bodyError } : {}),
        });
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.byteLength;
        if (size >= maxBodyBytes) finish();
      });
      res.once('end', () => finish());
      res.on('error', (err) => finish(request.signal?.aborted ? asError(request.signal.reason) : err));
      res.once('close', () => finish(res.complete ? undefined : new Error('the connection closed before the response body ended')));
    });
    req.end(body);
  });
}

/**
 * A connection's lookup that resolves the name as usual and passes on only the addresses the policy allows, so the
 * connection can only reach those; when it allows none, the connection fails with the refusal of the first.
 */
function checkedLookup(policy: OutboundPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const allowed = addresses.filter((a) => !policy.addressRefusal(a.address));
      if (allowed.length === 0) {
        const [first] = addresses;
        return callback(first ? policy.addressRefusal(first.address, hostname)! : new Error(`${hostname} has no address`), '');
      }
      if (options.all) return callback(null, allowed);
      return callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

function without(headers: Readonly<Record<string, string>>, names: ReadonlySet<string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.has(name.toLowerCase())));
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
