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
/**
 * The shared event this node's live view travels as to the other nodes of a cluster (ClusterBus.share): its debug
 * messages and its flow nodes' statuses since the last flush, and every {@link STATUS_REFRESH_MS} all its statuses
 * (`all`), which also says it is still there.
 */
export const LIVE_SHARED_EVENT = 'live.shared';

export interface LiveBatch {
  messages?: unknown[];
  /** Flow node id → status (`{}` or null: cleared). */
  statuses?: [string, unknown][];
  /** The statuses are all the node has: any other it had is cleared. */
  all?: boolean;
}

/** How often a node shares all its statuses; another node's are dropped when it has not for three times as long. */
const STATUS_REFRESH_MS = 30_000;
/** Which colour a status shown for several nodes takes: the most alarming of theirs. */
const FILL_ORDER = ['red', 'yellow', 'green', 'blue', 'grey'];

export class LiveSocket {
  /** This node's debug messages and statuses, a batch per flush, for the other nodes (cluster mode). */
  readonly shared = new EventEmitter<{ [LIVE_SHARED_EVENT]: [LiveBatch] }>();
  /** This node's debug messages since the last flush, to share (cluster mode), capped like the local ones. */
  #outgoing: unknown[] = [];
  /** This node's statuses changed since the last flush, to share (cluster mode). */
  #outgoingStatuses = new Map<string, unknown>();
  #sharedAllAt = 0;
  /** Other nodes' current statuses, by node (cluster mode), and when each was last heard from. */
  readonly #remote = new Map<string, { statuses: Map<string, unknown>; heardAt: number }>();
  readonly #gate: LiveGate;
  /** Statuses changed since the last flush, for the open editors (in a cluster only the ids: see {@link #shown}). */
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
    if (this.options.nodeId) this.#outgoingStatuses.set(e.id, status);
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
        const ids = new Set(this.#latest.keys());
        for (const { statuses } of this.#remote.values()) for (const id of statuses.keys()) ids.add(id);
        for (const id of ids) this.#gate.send(ws, JSON.stringify({ type: 'status', id, status: this.#shown(id, this.#latest.get(id)) }));
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

  /**
   * What another node of the cluster shared: its debug messages, shown here as this node's are (labelled with theirs),
   * and its statuses, shown beside this node's, each labelled with its node.
   */
  follow(batch: LiveBatch & { origin?: string }): void {
    if (Array.isArray(batch.messages)) {
      for (const message of batch.messages) {
        if (this.#debug.length < this.maxDebug) this.#debug.push(message);
        else this.#dropped++;
      }
    }
    if (typeof batch.origin !== 'string' || !Array.isArray(batch.statuses)) return;
    let remote = this.#remote.get(batch.origin);
    if (!remote) this.#remote.set(batch.origin, (remote = { statuses: new Map(), heardAt: 0 }));
    remote.heardAt = Date.now();
    if (batch.all) {
      for (const id of remote.statuses.keys()) this.#statuses.set(id, undefined);
      remote.statuses.clear();
    }
    for (const entry of batch.statuses) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string') continue;
      const [id, status] = entry as [string, unknown];
      if (isCleared(status)) remote.statuses.delete(id);
      else if (remote.statuses.size < MAX_RETAINED || remote.statuses.has(id)) remote.statuses.set(id, status);
      this.#statuses.set(id, undefined);
    }
  }

  /**
   * The status an editor is shown for a flow node: its own on a single node; in a cluster every node's that has one,
   * each labelled (`n1: 3 connected · n2, n3: 2 connected`, and the same as `byNode`), in the most alarming colour
   * among them.
   */
  #shown(id: string, own: unknown): unknown {
    const nodeId = this.options.nodeId;
    if (!nodeId) return own;
    const reports: [string, { fill?: unknown; shape?: unknown; text?: unknown }][] = [];
    const mine = this.#latest.get(id);
    if (mine !== undefined) reports.push([nodeId, mine as object]);
    for (const [node, { statuses }] of this.#remote) {
      const theirs = statuses.get(id);
      if (theirs !== undefined) reports.push([node, theirs as object]);
    }
    if (reports.length === 0) return {};
    const groups = new Map<string, { status: (typeof reports)[number][1]; nodes: string[] }>();
    for (const [node, status] of reports.sort(([a], [b]) => a.localeCompare(b))) {
      const key = JSON.stringify([status.fill, status.shape, status.text]);
      const group = groups.get(key);
      if (group) group.nodes.push(node);
      else groups.set(key, { status, nodes: [node] });
    }
    const rank = (fill: unknown) => (FILL_ORDER.includes(fill as string) ? FILL_ORDER.indexOf(fill as string) : FILL_ORDER.length);
    const ordered = [...groups.values()].sort((a, b) => rank(a.status.fill) - rank(b.status.fill));
    const text = ordered.map(({ status, nodes }) => (status.text ? `${nodes.join(', ')}: ${String(status.text)}` : nodes.join(', '))).join(' · ');
    const first = ordered[0]!.status;
    // `byNode` lets the editor show each node's on a line of its own, in the UI's language; `text` says it all in English.
    const byNode = ordered.map(({ status, nodes }) => ({
      nodes, ...(status.text ? { text: String(status.text) } : {}), ...(status.fill ? { fill: status.fill } : {}), ...(status.shape ? { shape: status.shape } : {}),
    }));
    return { ...(first.fill ? { fill: first.fill } : {}), ...(first.shape ? { shape: first.shape } : {}), text, byNode };
  }

  /** Shares what this node's live view has for the other nodes; all its statuses now and then (see {@link LiveBatch}). */
  #share(now: number): void {
    const batch: LiveBatch = {};
    if (this.#outgoing.length) batch.messages = this.#outgoing;
    if (now - this.#sharedAllAt >= STATUS_REFRESH_MS) {
      this.#sharedAllAt = now;
      Object.assign(batch, { statuses: [...this.#latest], all: true });
    } else if (this.#outgoingStatuses.size) {
      batch.statuses = [...this.#outgoingStatuses];
    }
    this.#outgoing = [];
    this.#outgoingStatuses.clear();
    if (batch.messages || batch.statuses) this.shared.emit(LIVE_SHARED_EVENT, batch);
    // A node not heard from for three refreshes is gone (killed): its statuses go.
    for (const [node, remote] of this.#remote) {
      if (now - remote.heardAt < 3 * STATUS_REFRESH_MS) continue;
      for (const id of remote.statuses.keys()) this.#statuses.set(id, undefined);
      this.#remote.delete(node);
    }
  }

  #flush(): void {
    // Shared whether or not an editor is open here: one may be open on another node.
    if (this.options.nodeId) this.#share(Date.now());
    if (this.#gate.size === 0) {
      this.#statuses.clear();
      this.#debug = [];
      this.#dropped = 0;
      return;
    }
    for (const [id, status] of this.#statuses) this.#send({ type: 'status', id, status: this.#shown(id, status) });
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
