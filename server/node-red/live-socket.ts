import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { EventEmitter } from 'node:events';
import type { Principal } from '../../domain/auth/permissions.ts';
import { LiveGate } from '../live/live-gate.ts';
import { translateStatus } from './status-text.ts';

export const LIVE_PATH = '/api/v1/live';

/** Statuses kept for editors that open later: far more nodes than a flow set has, bounded against a runaway. */
const MAX_RETAINED = 50_000;

/** Whether a status clears the node's status (`null`, `{}`, no text, fill or shape). */
function isCleared(status: unknown): boolean {
  if (typeof status !== 'object' || status === null) return true;
  const { text, fill, shape } = status as { text?: unknown; fill?: unknown; shape?: unknown };
  return !text && !fill && !shape;
}

export interface LiveSocketOptions {
  events: NodeJS.EventEmitter;
  logger: Logger;
  /** Resolves the caller of an upgrade request (cookie, bearer header or `access_token` query). */
  authenticate(req: http.IncomingMessage): Promise<Principal | undefined>;
  /** Origins allowed besides the server's own; a cookie-authenticated socket from any other origin is refused. */
  allowedOrigins: string[];
  /** The auth service's events: a socket closes as soon as its session ends or its role loses `flows:read`. */
  authEvents?: EventEmitter<{ 'access-changed': [{ userId: number }] }>;
  /**
   * Cluster mode: this node's id, which labels its debug messages (`clusterNode`), so that an editor on any node shows
   * every node's messages and says where each came from. The batches go to the other nodes through {@link
   * LiveSocket.shared}; theirs come in through {@link LiveSocket.follow}.
   */
  nodeId?: string;
  /** Flush period: node statuses are coalesced per node, debug messages capped per period. */
  flushMs?: number;
  maxDebugPerFlush?: number;
}

/**
 * `/api/v1/live`: node status and debug messages from the flow runtime (`RED.events` `node-status` and `comms`),
 * throttled so a busy flow cannot flood a browser: statuses are coalesced per node (latest wins), debug messages are
 * capped per flush and the rest counted as dropped. Status texts that are Node-RED catalog keys arrive translated,
 * and an editor that opens gets each node's current status first. Who may connect, and for how long, is the
 * {@link LiveGate}'s.
 */
/** The shared event this node's debug messages travel as to the other nodes of a cluster (ClusterBus.share). */
export const LIVE_DEBUG_EVENT = 'live.debug';

export class LiveSocket {
  /** This node's debug messages, a batch per flush, for the other nodes (cluster mode). */
  readonly shared = new EventEmitter<{ [LIVE_DEBUG_EVENT]: [{ messages: unknown[] }] }>();
  /** This node's debug messages since the last flush, to share (cluster mode), capped like the local ones. */
  #outgoing: unknown[] = [];
  readonly #gate: LiveGate;
  readonly #statuses = new Map<string, unknown>();
  #debug: unknown[] = [];
  #dropped = 0;
  readonly #timer: NodeJS.Timeout;
  /** Each node's current status, for editors that open later (Node-RED's comms retains them the same way). */
  readonly #latest = new Map<string, unknown>();
  readonly #onStatus = (e: { id: string; status?: unknown }) => {
    // Core nodes set catalog keys as text (`common.status.connected`): the browser gets Node-RED's English.
    const status = translateStatus(e.status ?? null);
    this.#statuses.set(e.id, status);
    if (isCleared(status)) this.#latest.delete(e.id);
    else if (this.#latest.size < MAX_RETAINED || this.#latest.has(e.id)) this.#latest.set(e.id, status);
  };
  readonly #onComms = (e: { topic: string; data: unknown }) => {
    if (e.topic !== 'debug') return;
    const { nodeId } = this.options;
    const data = nodeId && typeof e.data === 'object' && e.data !== null ? { ...e.data, clusterNode: nodeId } : e.data;
    if (this.#debug.length < this.maxDebug) this.#debug.push(data);
    else this.#dropped++;
    if (nodeId && this.#outgoing.length < this.maxDebug) this.#outgoing.push(data);
  };
  readonly #onRuntime = (e: { id: string; payload?: unknown }) => this.#send({ type: 'runtime', id: e.id, payload: e.payload });
  private readonly maxDebug: number;

  constructor(private readonly options: LiveSocketOptions) {
    this.maxDebug = options.maxDebugPerFlush ?? 50;
    this.#gate = new LiveGate({
      name: 'live socket', logger: options.logger, permission: 'flows:read',
      authenticate: options.authenticate, allowedOrigins: options.allowedOrigins, authEvents: options.authEvents,
      opened: (ws, principal) => {
        this.#gate.send(ws, JSON.stringify({ type: 'hello', user: principal.username }));
        // A status set before this editor opened (a client that is disconnected) still shows.
        for (const [id, status] of this.#latest) this.#gate.send(ws, JSON.stringify({ type: 'status', id, status }));
      },
    });
    options.events.on('node-status', this.#onStatus);
    options.events.on('comms', this.#onComms);
    options.events.on('runtime-event', this.#onRuntime);
    this.#timer = setInterval(() => this.#flush(), options.flushMs ?? 200);
    this.#timer.unref();
  }

  /** Handles an HTTP upgrade on the live path; answers 401/403 before the handshake when not allowed. */
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#gate.handleUpgrade(req, socket, head);
  }

  /** Debug messages another node of the cluster shared: shown here as this node's are, labelled with theirs. */
  follow(batch: { messages?: unknown }): void {
    if (!Array.isArray(batch.messages)) return;
    for (const message of batch.messages) {
      if (this.#debug.length < this.maxDebug) this.#debug.push(message);
      else this.#dropped++;
    }
  }

  #flush(): void {
    // Shared whether or not an editor is open here: one may be open on another node.
    if (this.#outgoing.length) {
      this.shared.emit(LIVE_DEBUG_EVENT, { messages: this.#outgoing });
      this.#outgoing = [];
    }
    if (this.#gate.size === 0) {
      this.#statuses.clear();
      this.#debug = [];
      this.#dropped = 0;
      return;
    }
    for (const [id, status] of this.#statuses) this.#send({ type: 'status', id, status });
    this.#statuses.clear();
    if (this.#debug.length) this.#send({ type: 'debug', messages: this.#debug });
    this.#debug = [];
    if (this.#dropped) this.#send({ type: 'debug-dropped', count: this.#dropped });
    this.#dropped = 0;
  }

  #send(message: object): void {
    this.#gate.broadcast(JSON.stringify(message));
  }

  close(): void {
    clearInterval(this.#timer);
    this.#gate.close();
    this.options.events.off('node-status', this.#onStatus);
    this.options.events.off('comms', this.#onComms);
    this.options.events.off('runtime-event', this.#onRuntime);
  }
}
