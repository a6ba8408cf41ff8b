import http from 'node:http';
import type { Duplex } from 'node:stream';
import { allows, type Permission, type Principal } from '../../domain/auth/permissions.ts';
import { ApiError, errorBody } from '../errors.ts';

export interface UpgradeAccess {
  /** Resolves the caller of an upgrade request (cookie, bearer header or `access_token` query). */
  authenticate(req: http.IncomingMessage): Promise<Principal | undefined>;
  /** What the caller must hold; `authenticated`: any signed-in user. */
  permission: Permission | 'authenticated';
  /** Origins allowed besides the server's own. */
  allowedOrigins: readonly string[];
}

/**
 * Admits a WebSocket upgrade or answers it 401/403 in the API's error envelope before the handshake. Browsers send
 * cookies with cross-site WebSocket handshakes, so a foreign `Origin` is refused (cross-site WebSocket hijacking).
 * Resolves to the caller when admitted.
 */
export async function admitUpgrade(req: http.IncomingMessage, socket: Duplex, access: UpgradeAccess): Promise<Principal | undefined> {
  const refuse = (status: 401 | 403, message: string) => {
    refuseUpgrade(socket, new ApiError(status, status === 401 ? 'unauthorized' : 'forbidden', message));
    return undefined;
  };
  const principal = await access.authenticate(req);
  if (!principal) return refuse(401, 'Sign in first: send the session cookie, a bearer token or access_token.');
  if (access.permission !== 'authenticated' && !allows(principal, access.permission)) {
    return refuse(403, `Your role lacks ${access.permission}.`);
  }
  const origin = req.headers.origin;
  if (origin && !originAllowed(origin, req.headers.host, access.allowedOrigins)) {
    return refuse(403, `Connections from ${origin} are not allowed. Add it to THINGWIRE_CORS_ORIGINS if it is yours.`);
  }
  return principal;
}

/**
 * Answers a WebSocket upgrade request with an HTTP error in the API's envelope instead of the handshake, and closes
 * the connection: the client learns why (a status and a message) rather than seeing the socket hang up.
 */
export function refuseUpgrade(socket: Duplex, err: ApiError): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: errorBody(err) });
  // No Content-Length: the body ends with the connection, so a client that never reads it (as `ws` does) still sees
  // the close at once rather than holding the socket open.
  socket.end(`HTTP/1.1 ${err.status} ${http.STATUS_CODES[err.status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`);
}

/** Whether `origin` is the server's own (same host and port) or one of the configured ones. */
export function originAllowed(origin: string, host: string | undefined, allowedOrigins: readonly string[]): boolean {
  try {
    return new URL(origin).host === host || allowedOrigins.includes(origin);
  } catch {
    return false;
  }
}
