/**
 * The browser's reconnecting WebSocket, shared by the editor's live feed (`live-client.ts`) and the app's device feed
 * (`app/src/live/device-feed-client.ts`): it connects, reports its state, and after the connection drops connects
 * again with a doubling, jittered delay until it is stopped or closed. What the messages mean is the channel's
 * business: it gets each JSON message parsed (others are ignored) and a call on every (re)connect. Pure TS, no React.
 */

export type SocketState = 'connecting' | 'open' | 'closed';

/** The close code the server sends when the socket's access ended or changed: signed out, token revoked, role changed. */
export const ACCESS_CHANGED_CLOSE = 4401;
/**
 * The browser event announced when the server says the caller's access ended or changed: a live socket closed with
 * {@link ACCESS_CHANGED_CLOSE}, or an API call answered 401. The app's session reads `/auth/me` again on it, and so
 * shows the sign-in screen, or the screens the new role allows.
 */
export const ACCESS_CHANGED_EVENT = 'thingwire:access-changed';

/**
 * The browser event announced when the session was checked again and the caller is still signed in (perhaps with
 * another role): sockets closed for changed access connect again on it, not on a timer. Signed out, no socket should
 * try (it would only be refused while the screens that held it unmount).
 */
export const ACCESS_CONFIRMED_EVENT = 'thingwire:access-confirmed';

/** Announces {@link ACCESS_CHANGED_EVENT} on the page (nothing happens where there is no page, as in Node tests). */
export function announceAccessChanged(): void {
  const target = globalThis as { dispatchEvent?: (event: Event) => boolean };
  target.dispatchEvent?.(new Event(ACCESS_CHANGED_EVENT));
}

/** The part of the WebSocket API used: the browser's, or `ws` in Node tests. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketConstructor = new (url: string) => SocketLike;

export interface ReconnectingSocketOptions {
  /** Where to connect; read on every attempt. */
  url: () => string;
  /** The WebSocket constructor; the global one by default (Node 20 has none: pass `ws`'s). */
  WebSocket?: SocketConstructor;
  /** First reconnect delay (doubled per failed attempt, up to {@link maxReconnectMs}); 500 ms by default. */
  initialReconnectMs?: number;
  maxReconnectMs?: number;
  /** Whether a connection is wanted at all; when it says no, a dropped socket stays closed. Always by default. */
  wanted?: () => boolean;
  /** Called on every (re)connect, after the state became `open`: a channel re-sends what the server must know. */
  onOpen?: () => void;
  /** Called with each message that parses as JSON. */
  onMessage: (message: Record<string, unknown>) => void;
  /** Called when the server closed with {@link ACCESS_CHANGED_CLOSE}; {@link announceAccessChanged} by default. */
  onAccessChanged?: () => void;
  /** Where {@link ACCESS_CONFIRMED_EVENT} is announced: the page (`globalThis`) by default. */
  events?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
}

export interface ReconnectingSocket {
  /** `closed` before the first {@link open}, between reconnect attempts, after {@link stop} and after {@link close}. */
  state(): SocketState;
  subscribeState(listener: () => void): () => void;
  /** Connects, unless a socket is already there or a reconnect is already due. */
  open(): void;
  /** Sends when the socket is open; says whether it did. */
  send(data: string): boolean;
  /** Closes the socket (with `code` and `reason`) and reconnects no more until {@link open}, which starts the backoff over. */
  stop(code?: number, reason?: string): void;
  /** Closes the socket for good. */
  close(): void;
}

const OPEN = 1;

/** The WebSocket URL of `path` on the page's own origin (cookie auth needs the same origin). */
export function sameOriginSocketUrl(path: string): string {
  const { protocol, host } = globalThis.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}${path}`;
}

/** A socket to `options.url` that connects on {@link ReconnectingSocket.open} and keeps connecting until stopped. */
export function createReconnectingSocket(options: ReconnectingSocketOptions): ReconnectingSocket {
  const initialDelay = options.initialReconnectMs ?? 500;
  const maxDelay = options.maxReconnectMs ?? 30_000;
  const wanted = options.wanted ?? (() => true);

  const stateListeners = new Set<() => void>();
  let state: SocketState = 'closed';
  let socket: SocketLike | null = null;
  let attempts = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const setState = (next: SocketState) => {
    if (state === next) return;
    state = next;
    for (const listener of [...stateListeners]) listener();
  };

  const connect = () => {
    timer = undefined;
    if (closed || !wanted()) return;
    setState('connecting');
    const Socket = options.WebSocket ?? (globalThis as { WebSocket?: SocketConstructor }).WebSocket;
    let ws: SocketLike;
    try {
      if (!Socket) throw new Error('no WebSocket');
      ws = new Socket(options.url());
    } catch {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      attempts = 0;
      setState('open');
      options.onOpen?.();
    };
    ws.onmessage = (event) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(typeof event.data === 'string' ? event.data : String(event.data)) as Record<string, unknown>;
      } catch {
        return;
      }
      options.onMessage(message);
    };
    ws.onerror = () => {
      // A close event always follows; reconnecting is its job.
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      setState('closed');
      // Reconnecting still follows: with a new role the server admits the socket again; signed out, the session
      // shows the sign-in screen and the channel's users let go of it.
      if ((event as { code?: number } | null)?.code === ACCESS_CHANGED_CLOSE) {
        (options.onAccessChanged ?? announceAccessChanged)();
        awaitAccess();
        return;
      }
      scheduleReconnect();
    };
  };

  /**
   * After a close for changed access: connect again once the session confirms access ({@link ACCESS_CONFIRMED_EVENT}),
   * or after the longest backoff if nothing says so (no session on the page). Signed out, the socket's users close it
   * before either comes.
   */
  const awaitAccess = () => {
    if (closed || timer !== undefined) return;
    const target = (options.events ?? globalThis) as Partial<Pick<EventTarget, 'addEventListener' | 'removeEventListener'>>;
    const confirmed = () => {
      target.removeEventListener?.(ACCESS_CONFIRMED_EVENT, confirmed);
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      attempts = 0;
      connect();
    };
    target.addEventListener?.(ACCESS_CONFIRMED_EVENT, confirmed);
    timer = setTimeout(() => {
      target.removeEventListener?.(ACCESS_CONFIRMED_EVENT, confirmed);
      connect();
    }, maxDelay);
    stopAwaiting = () => target.removeEventListener?.(ACCESS_CONFIRMED_EVENT, confirmed);
  };
  let stopAwaiting: () => void = () => {};

  const scheduleReconnect = () => {
    if (closed || !wanted() || timer !== undefined) return;
    const base = Math.min(maxDelay, initialDelay * 2 ** attempts);
    attempts++;
    // Jitter, so a restarted server is not met by every browser at the same instant.
    timer = setTimeout(connect, base / 2 + Math.random() * (base / 2));
  };

  /** Drops the socket and any due reconnect. */
  const drop = (code?: number, reason?: string) => {
    stopAwaiting();
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const ws = socket;
    socket = null;
    ws?.close(code, reason);
    setState('closed');
  };

  return {
    state: () => state,
    subscribeState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    open() {
      if (!socket && timer === undefined && !closed) connect();
    },
    send(data) {
      if (!socket || socket.readyState !== OPEN) return false;
      socket.send(data);
      return true;
    },
    stop(code, reason) {
      attempts = 0;
      drop(code, reason);
    },
    close() {
      if (closed) return;
      closed = true;
      drop();
    },
  };
}
