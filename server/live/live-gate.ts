import type { EventEmitter } from 'node:events';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { allows, type Principal } from '../../domain/auth/permissions.ts';
import { admitUpgrade, refuseUpgrade, type UpgradeAccess } from '../http/socket-access.ts';
import { internalError } from '../errors.ts';

/** Close code of a socket whose session ended or whose role no longer allows it (4000 + HTTP 401). */
export const SIGNED_OUT_CLOSE_CODE = 4401;

export interface LiveGateOptions extends UpgradeAccess {
  /** What the channel is called in log lines ('live socket', 'device feed'). */
  name: string;
  logger: Logger;
  /** The auth service's events: a user's sockets are checked again as soon as their access changes. */
  authEvents?: EventEmitter<{ 'access-changed': [{ userId: number }] }>;
  /** How often every socket's credentials are checked again (an expired session ends its socket). Default 30 s. */
  recheckMs?: number;
  /** A socket with more than this waiting to be sent is skipped until it catches up. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** A socket was admitted and is open: the channel greets it and listens to it. */
  opened(ws: WebSocket, principal: Principal): void;
  /** An admitted socket is gone (closed, or closed for its credentials); called once per socket. */
  ended?(ws: WebSocket): void;
}

interface Admitted {
  /** The upgrade request: its credentials are checked again. */
  req: http.IncomingMessage;
  userId: number;
  /** Messages not sent because the socket was behind. */
  skipped: number;
}

/**
 * The way into a live WebSocket channel of the API (`/api/v1/live`, `/api/v1/live/devices`), and what keeps it safe
 * once open:
 * - the upgrade is admitted only for a caller holding the permission, from the server's own origin or a configured one
 *   (401/403 before the handshake; see {@link admitUpgrade});
 * - a socket stays open only while its credentials hold: when a user signs out, changes password, is demoted,
 *   disabled or deleted, or a token is revoked (`access-changed` from the auth service), their sockets are checked
 *   at once, and every `recheckMs` all are, so expired sessions end too; a socket that fails is closed with 4401;
 * - a slow socket is skipped ({@link send} says so) rather than buffered without bound.
 *
 * What a channel sends, and how it coalesces and caps it, is the channel's.
 */
export class LiveGate {
  readonly #options: LiveGateOptions;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  readonly #sockets = new Map<WebSocket, Admitted>();
  readonly #maxBuffered: number;
  readonly #timer: NodeJS.Timeout;
  readonly #onAccessChanged = ({ userId }: { userId: number }) => void this.recheck(userId);

  constructor(options: LiveGateOptions) {
    this.#options = options;
    this.#maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
    options.authEvents?.on('access-changed', this.#onAccessChanged);
    this.#timer = setInterval(() => void this.recheck(), options.recheckMs ?? 30_000);
    this.#timer.unref();
  }

  /** Handles an HTTP upgrade on the channel's path; answers 401/403 before the handshake when not allowed. */
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    admitUpgrade(req, socket, this.#options).then((principal) => {
      if (principal) this.#upgrade(req, socket, head, principal);
    }, (err: unknown) => {
      this.#options.logger.error({ err }, `${this.#options.name} upgrade failed`);
      refuseUpgrade(socket, internalError());
    });
  }

  #upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, principal: Principal): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#sockets.set(ws, { req, userId: principal.userId, skipped: 0 });
      ws.on('error', (err) => this.#options.logger.debug({ err }, `${this.#options.name} socket error`));
      ws.once('close', () => this.#end(ws));
      this.#options.opened(ws, principal);
    });
  }

  /** How many sockets are open. */
  get size(): number {
    return this.#sockets.size;
  }

  /**
   * Sends to one socket unless it is behind (more than `maxBufferedBytes` waiting): then the message is skipped, and
   * false returned. The channel's next message carries on; the browser's polling fills the gap.
   */
  send(ws: WebSocket, text: string): boolean {
    const admitted = this.#sockets.get(ws);
    if (!admitted || ws.readyState !== ws.OPEN) return false;
    if (ws.bufferedAmount > this.#maxBuffered) {
      if (admitted.skipped++ === 0) this.#options.logger.debug(`a ${this.#options.name} client is behind; skipping messages to it`);
      return false;
    }
    admitted.skipped = 0;
    ws.send(text);
    return true;
  }

  /** Sends to every open socket (see {@link send}). */
  broadcast(text: string): void {
    for (const ws of this.#sockets.keys()) this.send(ws, text);
  }

  /**
   * Closes (4401) every socket (of `userId`, when given: only that user's access changed) whose credentials no longer
   * resolve to a caller holding the permission.
   */
  async recheck(userId?: number): Promise<void> {
    const { authenticate, permission, logger } = this.#options;
    await Promise.all([...this.#sockets].map(async ([ws, admitted]) => {
      if (userId !== undefined && admitted.userId !== userId) return;
      let principal: Principal | undefined;
      try {
        principal = await authenticate(admitted.req);
      } catch (err) {
        // Not known to be signed out: the next check decides.
        return logger.warn({ err }, `${this.#options.name}: checking a socket's credentials failed`);
      }
      if (principal && (permission === 'authenticated' || allows(principal, permission))) return;
      this.#end(ws);
      ws.close(SIGNED_OUT_CLOSE_CODE, 'signed out');
    }));
  }

  /** Stops checking and drops every socket at once. */
  close(): void {
    clearInterval(this.#timer);
    this.#options.authEvents?.off('access-changed', this.#onAccessChanged);
    this.#sockets.clear();
    // All of them, those still closing after a 4401 too.
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
  }

  #end(ws: WebSocket): void {
    if (!this.#sockets.delete(ws)) return;
    this.#options.ended?.(ws);
  }
}
