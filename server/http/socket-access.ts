import type { EventEmitter } from 'node:events';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { allows, type Principal } from '../../domain/auth/permissions.ts';
import type { Permission } from '../../domain/auth/permissions.ts';

export interface UpgradeAccess {
  /** Resolves the caller of an upgrade request (cookie, bearer header or `access_token` query). */
  authenticate(req: http.IncomingMessage): Principal | undefined;
  /** What the caller must hold; `authenticated`: any signed-in user. */
  permission: Permission | 'authenticated';
  /** Origins allowed besides the server's own. */
  allowedOrigins: readonly string[];
}

/**
 * Admits a WebSocket upgrade or answers it 401/403 in the API's error envelope before the handshake. Browsers send
 * cookies with cross-site WebSocket handshakes, so a foreign `Origin` is refused (cross-site WebSocket hijacking).
 * Returns the caller when admitted.
 */
export function admitUpgrade(req: http.IncomingMessage, socket: Duplex, access: UpgradeAccess): Principal | undefined {
  const refuse = (status: 401 | 403, message: string) => {
    const text = status === 401 ? 'Unauthorized' : 'Forbidden';
    socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n` +
      JSON.stringify({ error: { code: status === 401 ? 'unauthorized' : 'forbidden', message } }));
    return undefined;
  };
  const principal = access.authenticate(req);
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

/** Whether `origin` is the server's own (same host and port) or one of the configured ones. */
export function originAllowed(origin: string, host: string | undefined, allowedOrigins: readonly string[]): boolean {
  try {
    return new URL(origin).host === host || allowedOrigins.includes(origin);
  } catch {
    return false;
  }
}

/** Close code of a socket whose session ended or whose role no longer allows it (4000 + HTTP 401). */
export const SIGNED_OUT_CLOSE_CODE = 4401;

/**
 * Keeps open only the sockets whose credentials still hold: when a user signs out, changes password, is demoted,
 * disabled or deleted, or a token is revoked (`access-changed` from the auth service), their sockets are re-checked
 * at once; every `recheckMs` all are, so expired sessions end too.
 */
export class SocketSessions {
  /** Each socket's upgrade request (its credentials) and the user it was admitted as. */
  readonly #sockets = new Map<WebSocket, { req: http.IncomingMessage; userId: number }>();
  readonly #timer: NodeJS.Timeout;
  readonly #onAccessChanged = ({ userId }: { userId: number }) => this.recheck(userId);

  constructor(
    private readonly access: UpgradeAccess & {
      /** The auth service's events (`access-changed`). */
      events?: EventEmitter<{ 'access-changed': [{ userId: number }] }>;
      recheckMs?: number;
      /** Called after a socket was closed for its credentials. */
      onEnded?(ws: WebSocket): void;
    },
  ) {
    access.events?.on('access-changed', this.#onAccessChanged);
    this.#timer = setInterval(() => this.recheck(), access.recheckMs ?? 30_000);
    this.#timer.unref();
  }

  /** Watches an admitted socket, with the upgrade request its credentials came with and whom they named. */
  add(ws: WebSocket, req: http.IncomingMessage, principal: Principal): void {
    this.#sockets.set(ws, { req, userId: principal.userId });
    ws.once('close', () => this.#sockets.delete(ws));
  }

  /**
   * Closes every watched socket (of `userId`, when given: only that user's access changed) whose credentials no longer
   * resolve to a caller holding the permission.
   */
  recheck(userId?: number): void {
    for (const [ws, { req, userId: owner }] of this.#sockets) {
      if (userId !== undefined && owner !== userId) continue;
      const principal = this.access.authenticate(req);
      if (principal && (this.access.permission === 'authenticated' || allows(principal, this.access.permission))) continue;
      this.#sockets.delete(ws);
      ws.close(SIGNED_OUT_CLOSE_CODE, 'signed out');
      this.access.onEnded?.(ws);
    }
  }

  close(): void {
    clearInterval(this.#timer);
    this.access.events?.off('access-changed', this.#onAccessChanged);
    this.#sockets.clear();
  }
}
