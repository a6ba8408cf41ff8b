/**
 * The browser's end of `/api/v1/live` (see `server/node-red/live-socket.ts`): node statuses and debug messages from
 * the flow runtime. One socket per editor, reconnected with backoff; statuses are kept per node (latest wins), debug
 * messages and runtime problems in a bounded buffer, and the server's count of messages it dropped (rate limit) summed.
 * Reads are snapshots that stay the same object until they change, for `useSyncExternalStore`. Pure TS, no React.
 */
import { debugEntryOf, runtimeEntryOf, type LiveLogEntry } from './debug-message.ts';
import { createReconnectingSocket, sameOriginSocketUrl, type SocketConstructor, type SocketState } from './reconnecting-socket.ts';

/** A node's status as Node-RED sets it (`node.status({fill, shape, text})`). */
export interface NodeStatus {
  fill?: string;
  shape?: string;
  text?: string;
  /** A cluster's: each group of nodes with the same status, and that status (`text` says it all in English). */
  byNode?: { nodes: string[]; fill?: string; shape?: string; text?: string }[];
}

/** The live feed of one editor. */
export interface LiveClient {
  /** The socket's state; `closed` between reconnect attempts and after {@link close}. */
  connectionState(): SocketState;
  subscribeConnection(listener: () => void): () => void;
  /** The latest status of a node; undefined when it has none (or it was cleared). */
  nodeStatus(nodeId: string): NodeStatus | undefined;
  /** Calls `listener` when that node's status changes (and only then). */
  subscribeNodeStatus(nodeId: string, listener: () => void): () => void;
  /** Debug messages and runtime problems, oldest first, at most the buffer size; a new array on every change. */
  log(): readonly LiveLogEntry[];
  /** Messages the server dropped (rate limit) since the client started or the log was last cleared. */
  droppedCount(): number;
  /** Calls `listener` when the log or the dropped count changes. */
  subscribeLog(listener: () => void): () => void;
  /** Empties the log and the dropped count. */
  clearLog(): void;
  /** Closes the socket for good. */
  close(): void;
}

export interface LiveClientOptions {
  /** The WebSocket constructor; the global one by default (Node 20 has none: pass `ws`'s). */
  WebSocket?: SocketConstructor;
  /** Log entries kept; 1,000 by default. */
  maxLogEntries?: number;
  /** First reconnect delay (doubled per failed attempt, up to {@link maxReconnectMs}); 500 ms by default. */
  initialReconnectMs?: number;
  maxReconnectMs?: number;
  /** The clock entries are stamped with. */
  now?: () => number;
}

/** The live endpoint of the page's own origin (cookie auth needs the same origin). */
export function defaultLiveUrl(): string {
  return sameOriginSocketUrl('/api/v1/live');
}

/** Connects to `/api/v1/live` (default: on the page's origin) and keeps connecting until closed. */
export function createLiveClient(url?: string, options: LiveClientOptions = {}): LiveClient {
  const target = url ?? defaultLiveUrl();
  const Socket = options.WebSocket ?? (globalThis as { WebSocket?: SocketConstructor }).WebSocket;
  if (!Socket) throw new Error('No WebSocket implementation: pass options.WebSocket');
  const maxEntries = options.maxLogEntries ?? 1000;
  const now = options.now ?? Date.now;

  const statuses = new Map<string, NodeStatus>();
  const statusListeners = new Map<string, Set<() => void>>();
  const logListeners = new Set<() => void>();
  let log: readonly LiveLogEntry[] = [];
  let dropped = 0;
  let seq = 0;

  const notify = (listeners: Iterable<() => void> | undefined) => {
    for (const listener of [...(listeners ?? [])]) listener();
  };

  const append = (entries: LiveLogEntry[]) => {
    if (entries.length === 0) return;
    const joined = [...log, ...entries];
    log = joined.length > maxEntries ? joined.slice(joined.length - maxEntries) : joined;
    notify(logListeners);
  };

  const setStatus = (id: string, raw: unknown) => {
    const status = statusOf(raw);
    const before = statuses.get(id);
    if (status === undefined ? before === undefined : sameStatus(before, status)) return;
    if (status === undefined) statuses.delete(id);
    else statuses.set(id, status);
    notify(statusListeners.get(id));
  };

  const receive = (message: Record<string, unknown>) => {
    switch (message['type']) {
      case 'status':
        if (typeof message['id'] === 'string') setStatus(message['id'], message['status']);
        break;
      case 'debug': {
        const at = now();
        const messages = Array.isArray(message['messages']) ? message['messages'] : [];
        append(messages.map((raw) => debugEntryOf(raw, ++seq, at)));
        break;
      }
      case 'debug-dropped':
        if (typeof message['count'] === 'number' && message['count'] > 0) {
          dropped += message['count'];
          notify(logListeners);
        }
        break;
      case 'runtime':
        if (typeof message['id'] === 'string') {
          // Flows stopping and starting on every deploy is not news; a runtime problem (missing types…) is.
          const entry = runtimeEntryOf(message['id'], message['payload'], ++seq, now());
          if (entry.level !== undefined) append([entry]);
        }
        break;
    }
  };

  const socket = createReconnectingSocket({
    url: () => target,
    WebSocket: Socket,
    initialReconnectMs: options.initialReconnectMs,
    maxReconnectMs: options.maxReconnectMs,
    onMessage: receive,
  });
  socket.open();

  return {
    connectionState: socket.state,
    subscribeConnection: socket.subscribeState,
    nodeStatus: (nodeId) => statuses.get(nodeId),
    subscribeNodeStatus(nodeId, listener) {
      let listeners = statusListeners.get(nodeId);
      if (!listeners) statusListeners.set(nodeId, (listeners = new Set()));
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) statusListeners.delete(nodeId);
      };
    },
    log: () => log,
    droppedCount: () => dropped,
    subscribeLog(listener) {
      logListeners.add(listener);
      return () => logListeners.delete(listener);
    },
    clearLog() {
      if (log.length === 0 && dropped === 0) return;
      log = [];
      dropped = 0;
      notify(logListeners);
    },
    close: socket.close,
  };
}

/** A status as the runtime sent it; undefined for a cleared one (`null`, `{}`). */
function statusOf(raw: unknown): NodeStatus | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const status: NodeStatus = {};
  if (typeof r['fill'] === 'string') status.fill = r['fill'];
  if (typeof r['shape'] === 'string') status.shape = r['shape'];
  if (r['text'] !== undefined && r['text'] !== null && r['text'] !== '') status.text = String(r['text']);
  if (Array.isArray(r['byNode'])) {
    status.byNode = (r['byNode'] as unknown[]).flatMap((g) => {
      if (typeof g !== 'object' || g === null || !Array.isArray((g as { nodes?: unknown }).nodes)) return [];
      const { fill, shape, text } = statusOf(g) ?? {};
      return [{ nodes: ((g as { nodes: unknown[] }).nodes).map(String), ...(fill ? { fill } : {}), ...(shape ? { shape } : {}), ...(text ? { text } : {}) }];
    });
  }
  return Object.keys(status).length === 0 ? undefined : status;
}

function sameStatus(a: NodeStatus | undefined, b: NodeStatus): boolean {
  return a !== undefined && a.fill === b.fill && a.shape === b.shape && a.text === b.text;
}
