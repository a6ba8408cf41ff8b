/**
 * The browser's end of `/api/v1/live/devices` (see `server/live/device-feed.ts`): device states for the whole
 * fleet, property values and events of the devices some screen watches, the fleet's message rate, and OTA events
 * (device upgrades and campaigns changing state, docs/ota.md).
 *
 * One client per app. Its socket opens when the first user {@link DeviceFeedClient.retain}s it and closes a moment
 * after the last one lets go; it reconnects with backoff meanwhile and, on every (re)connect, tells the server the
 * union of the devices watched. Reads are snapshots that stay the same object until they change, for
 * `useSyncExternalStore`. Pure TS, no React.
 */
import {
  createReconnectingSocket,
  sameOriginSocketUrl,
  type SocketConstructor,
  type SocketState,
} from '../../../editor/live/reconnecting-socket.ts';
import type { AlertFeedTransition, OpenAlertCounts } from '../../../domain/alerts/alert-feed.ts';
import type { OtaEvent } from '../../../domain/ota/ota-schemas.ts';

/** A device's connection state as the feed last reported it. */
export interface LiveDeviceState {
  online: boolean;
  /** ms since epoch of the change. */
  at: number;
}

/** A property's latest value as the feed last reported it. */
export interface LivePropertyValue {
  value: unknown;
  /** ms since epoch: the device's time when it sent one, else when the platform received it. */
  time: number;
}

export interface LiveRate {
  uplinksPerSecond: number;
  downlinksPerSecond: number;
  online: number;
  at: number;
}

export interface LiveEvent {
  identifier: string;
  params: unknown;
  at: number;
}

/** How the feed keys a device in its maps (states, properties): `productKey/deviceName`. */
export const deviceKey = (productKey: string, deviceName: string) => `${productKey}/${deviceName}`;

export interface DeviceFeedClient {
  /** Keeps the socket open until the returned function is called (counted: every user calls it once). */
  retain(): () => void;
  connectionState(): SocketState;
  subscribeConnection(listener: () => void): () => void;
  /** States pushed since the client started, keyed `productKey/deviceName`; a new Map after each change. */
  deviceStates(): ReadonlyMap<string, LiveDeviceState>;
  /** One device's state; the same object until that device's state changes. */
  deviceState(key: string): LiveDeviceState | undefined;
  /** Calls `listener` (at most every few tenths of a second) after states changed. */
  subscribeStates(listener: () => void): () => void;
  /**
   * Watches a device (`productKey/deviceName`) until the returned function is called: the server then pushes its
   * property values and events. Counted, and it retains the socket. Its values are forgotten when nobody watches it.
   */
  watch(key: string): () => void;
  /** Property values pushed since the device was first watched, merged per identifier (the newest time wins). */
  properties(key: string): Readonly<Record<string, LivePropertyValue>>;
  subscribeProperties(key: string, listener: () => void): () => void;
  /** Calls `listener` with each event of the device (watch it too, or nothing arrives). */
  subscribeEvents(key: string, listener: (event: LiveEvent) => void): () => void;
  /** The latest rate push. */
  rate(): LiveRate | undefined;
  /** The rate pushes of the last minute or so, oldest first; a new array on each push. */
  rateHistory(): readonly LiveRate[];
  subscribeRate(listener: () => void): () => void;
  /**
   * Calls `listener` with the OTA events of each `{type:'ota', events}` push (every socket gets them; the newest state
   * of each device upgrade per push). Retain the socket too, or nothing arrives.
   */
  subscribeOta(listener: (events: readonly OtaEvent[]) => void): () => void;
  /** Open alerts by state and severity, as the last `{type:'alerts'}` push said (one comes as the socket opens). */
  alertCounts(): OpenAlertCounts | undefined;
  /**
   * Calls `listener` after each alerts push, with the transitions it carried (none in the push a socket opens with):
   * counts have been updated by then. Retain the socket too, or nothing arrives.
   */
  subscribeAlerts(listener: (transitions: readonly AlertFeedTransition[]) => void): () => void;
  /** Events the server dropped (more than it pushes per period) for the watched devices, since the client started. */
  droppedEvents(): number;
  /** Closes the socket for good. */
  close(): void;
}

export interface DeviceFeedClientOptions {
  /** The WebSocket constructor; the global one by default (Node 20 has none: pass `ws`'s). */
  WebSocket?: SocketConstructor;
  /** First reconnect delay (doubled per failed attempt, up to {@link maxReconnectMs}); 500 ms by default. */
  initialReconnectMs?: number;
  maxReconnectMs?: number;
  /** How long the socket stays open after the last user let go (a page change re-retains it); 2 s by default. */
  idleCloseMs?: number;
  /** Rate pushes kept for {@link DeviceFeedClient.rateHistory}; 60 by default. */
  rateHistory?: number;
  /** Devices sent in a watch; the server's limit (100) by default, lowered by what its hello says. */
  maxWatched?: number;
  /** Least time between two state notifications; 150 ms by default. */
  stateNotifyMs?: number;
}

/** The feed's endpoint on the page's own origin (cookie auth needs the same origin). */
export function defaultDeviceFeedUrl(): string {
  return sameOriginSocketUrl('/api/v1/live/devices');
}

const NO_PROPERTIES: Readonly<Record<string, LivePropertyValue>> = Object.freeze({});

/** A client for the device feed at `url` (default: on the page's origin); nothing connects until it is retained. */
export function createDeviceFeedClient(url?: string, options: DeviceFeedClientOptions = {}): DeviceFeedClient {
  const idleCloseMs = options.idleCloseMs ?? 2000;
  const historySize = options.rateHistory ?? 60;
  const stateNotifyMs = options.stateNotifyMs ?? 150;
  let maxWatched = options.maxWatched ?? 100;

  const stateListeners = new Set<() => void>();
  const rateListeners = new Set<() => void>();
  const propertyListeners = new Map<string, Set<() => void>>();
  const eventListeners = new Map<string, Set<(event: LiveEvent) => void>>();
  const otaListeners = new Set<(events: readonly OtaEvent[]) => void>();
  const alertListeners = new Set<(transitions: readonly AlertFeedTransition[]) => void>();
  let alertCounts: OpenAlertCounts | undefined;
  const states = new Map<string, LiveDeviceState>();
  let statesSnapshot: ReadonlyMap<string, LiveDeviceState> | undefined;
  let stateTimer: ReturnType<typeof setTimeout> | undefined;
  let lastStateNotify = 0;
  /** Watch counts by device key, in the order devices were first watched. */
  const watched = new Map<string, number>();
  const properties = new Map<string, Readonly<Record<string, LivePropertyValue>>>();
  let rate: LiveRate | undefined;
  let history: readonly LiveRate[] = [];
  let dropped = 0;

  let users = 0;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let watchTimer: ReturnType<typeof setTimeout> | undefined;
  /** The watch list last sent on the current socket. */
  let sentWatch: string | undefined;
  let closed = false;

  const notify = (listeners: Iterable<() => void> | undefined) => {
    for (const listener of [...(listeners ?? [])]) listener();
  };

  /** A burst of state changes (a server restart reconnects the whole fleet) re-renders lists a few times, not thousands. */
  const statesChanged = () => {
    statesSnapshot = undefined;
    if (stateTimer !== undefined) return;
    const wait = Math.max(0, lastStateNotify + stateNotifyMs - Date.now());
    stateTimer = setTimeout(() => {
      stateTimer = undefined;
      lastStateNotify = Date.now();
      notify(stateListeners);
    }, wait);
  };

  const mergeProperties = (key: string, values: unknown) => {
    if (!watched.has(key) || typeof values !== 'object' || values === null) return;
    const before = properties.get(key) ?? NO_PROPERTIES;
    let next: Record<string, LivePropertyValue> | undefined;
    for (const [identifier, raw] of Object.entries(values as Record<string, unknown>)) {
      const pushed = raw as Partial<LivePropertyValue> | null;
      if (!pushed || typeof pushed.time !== 'number' || !('value' in pushed)) continue;
      const held = (next ?? before)[identifier];
      if (held && held.time > pushed.time) continue;
      (next ??= { ...before })[identifier] = { value: pushed.value, time: pushed.time };
    }
    if (!next) return;
    properties.set(key, next);
    notify(propertyListeners.get(key));
  };

  const receive = (message: Record<string, unknown>) => {
    const key = typeof message['productKey'] === 'string' && typeof message['deviceName'] === 'string'
      ? deviceKey(message['productKey'], message['deviceName']) : undefined;
    switch (message['type']) {
      case 'hello':
        if (typeof message['maxWatched'] === 'number' && message['maxWatched'] > 0) maxWatched = Math.min(maxWatched, message['maxWatched']);
        break;
      case 'state':
        if (key && typeof message['online'] === 'boolean' && typeof message['at'] === 'number') {
          const held = states.get(key);
          if (held && (held.at > message['at'] || (held.at === message['at'] && held.online === message['online']))) break;
          states.set(key, { online: message['online'], at: message['at'] });
          statesChanged();
        }
        break;
      case 'properties':
        if (key) mergeProperties(key, message['values']);
        break;
      case 'event':
        if (key && typeof message['identifier'] === 'string' && typeof message['at'] === 'number') {
          const event: LiveEvent = { identifier: message['identifier'], params: message['params'], at: message['at'] };
          for (const listener of [...(eventListeners.get(key) ?? [])]) listener(event);
        }
        break;
      case 'events-dropped':
        if (typeof message['count'] === 'number' && message['count'] > 0) dropped += message['count'];
        break;
      case 'rate-history': {
        // The minute before this socket opened, as the server measured it: it replaces what the client holds.
        const rates = Array.isArray(message['rates']) ? message['rates'].map(rateOf).filter((r): r is LiveRate => r !== undefined) : [];
        history = rates.slice(-historySize);
        notify(rateListeners);
        break;
      }
      case 'rate': {
        const r = rateOf(message);
        if (!r) break;
        rate = r;
        const joined = [...history, rate];
        history = joined.length > historySize ? joined.slice(joined.length - historySize) : joined;
        notify(rateListeners);
        break;
      }
      case 'ota': {
        const events = Array.isArray(message['events']) ? message['events'].filter(isOtaEvent) : [];
        if (events.length > 0) for (const listener of [...otaListeners]) listener(events);
        break;
      }
      case 'alerts': {
        if (!isAlertCounts(message['counts'])) break;
        alertCounts = message['counts'];
        const transitions = Array.isArray(message['transitions']) ? (message['transitions'] as AlertFeedTransition[]).filter(isAlertTransition) : [];
        for (const listener of [...alertListeners]) listener(transitions);
        break;
      }
      // 'watching' confirms a watch; 'error' answers a request the server could not take (it keeps the previous one).
    }
  };

  const sendWatch = () => {
    watchTimer = undefined;
    const text = JSON.stringify({ type: 'watch', devices: [...watched.keys()].slice(0, maxWatched) });
    if (text !== sentWatch && socket.send(text)) sentWatch = text;
  };
  /** Changes to the watched set within one render are sent as one request. */
  const watchChanged = () => {
    if (watchTimer === undefined) watchTimer = setTimeout(sendWatch, 10);
  };

  const socket = createReconnectingSocket({
    url: () => url ?? defaultDeviceFeedUrl(),
    WebSocket: options.WebSocket,
    initialReconnectMs: options.initialReconnectMs,
    maxReconnectMs: options.maxReconnectMs,
    wanted: () => users > 0,
    onOpen() {
      // A new socket watches nothing until told.
      sentWatch = undefined;
      if (watched.size > 0) sendWatch();
    },
    onMessage: receive,
  });

  const disconnect = () => {
    idleTimer = undefined;
    if (users === 0) socket.stop(1000, 'nothing on screen uses the feed');
  };

  const retain = () => {
    let released = false;
    users++;
    if (idleTimer !== undefined) {
      clearTimeout(idleTimer);
      idleTimer = undefined;
    }
    socket.open();
    return () => {
      if (released) return;
      released = true;
      users--;
      if (users === 0 && !closed) idleTimer = setTimeout(disconnect, idleCloseMs);
    };
  };

  const listen = <T>(map: Map<string, Set<T>>, key: string, listener: T) => {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && map.get(key) === set) map.delete(key);
    };
  };

  return {
    retain,
    connectionState: socket.state,
    subscribeConnection: socket.subscribeState,
    deviceStates: () => (statesSnapshot ??= new Map(states)),
    deviceState: (key) => states.get(key),
    subscribeStates(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    watch(key) {
      const release = retain();
      watched.set(key, (watched.get(key) ?? 0) + 1);
      watchChanged();
      let done = false;
      return () => {
        if (done) return;
        done = true;
        const count = (watched.get(key) ?? 1) - 1;
        if (count > 0) watched.set(key, count);
        else {
          watched.delete(key);
          properties.delete(key);
        }
        watchChanged();
        release();
      };
    },
    properties: (key) => properties.get(key) ?? NO_PROPERTIES,
    subscribeProperties: (key, listener) => listen(propertyListeners, key, listener),
    subscribeEvents: (key, listener) => listen(eventListeners, key, listener),
    rate: () => rate,
    rateHistory: () => history,
    subscribeRate(listener) {
      rateListeners.add(listener);
      return () => rateListeners.delete(listener);
    },
    subscribeOta(listener) {
      otaListeners.add(listener);
      return () => otaListeners.delete(listener);
    },
    alertCounts: () => alertCounts,
    subscribeAlerts(listener) {
      alertListeners.add(listener);
      return () => alertListeners.delete(listener);
    },
    droppedEvents: () => dropped,
    close() {
      closed = true;
      for (const timer of [idleTimer, watchTimer, stateTimer]) if (timer !== undefined) clearTimeout(timer);
      socket.close();
    },
  };
}

/** An OTA event the screens can use: a device upgrade or a campaign with the ids and state they key on. */
function isOtaEvent(value: unknown): value is OtaEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as { type?: unknown; upgrade?: Record<string, unknown> | null; campaign?: Record<string, unknown> | null };
  if (event.type === 'ota.device') {
    const u = event.upgrade;
    return typeof u === 'object' && u !== null && typeof u['id'] === 'number' && typeof u['campaignId'] === 'number'
      && typeof u['deviceName'] === 'string' && typeof u['state'] === 'string';
  }
  if (event.type === 'ota.campaign') {
    const c = event.campaign;
    return typeof c === 'object' && c !== null && typeof c['id'] === 'number' && typeof c['state'] === 'string'
      && typeof c['counts'] === 'object' && c['counts'] !== null;
  }
  return false;
}

const SEVERITIES = ['info', 'warning', 'critical'] as const;

function isAlertCounts(value: unknown): value is OpenAlertCounts {
  if (typeof value !== 'object' || value === null) return false;
  const counts = value as Record<string, Record<string, unknown> | undefined>;
  return (['active', 'acknowledged'] as const).every((state) => SEVERITIES.every((severity) => typeof counts[state]?.[severity] === 'number'));
}

function isAlertTransition(value: unknown): value is AlertFeedTransition {
  if (typeof value !== 'object' || value === null) return false;
  const { transition, alert } = value as { transition?: unknown; alert?: Record<string, unknown> | null };
  return typeof transition === 'string' && typeof alert === 'object' && alert !== null && typeof alert['id'] === 'number'
    && typeof alert['severity'] === 'string' && typeof alert['deviceName'] === 'string';
}

function rateOf(value: unknown): LiveRate | undefined {
  const r = value as Partial<Record<keyof LiveRate, unknown>> | null;
  if (typeof r !== 'object' || r === null || typeof r.uplinksPerSecond !== 'number' || typeof r.at !== 'number') return undefined;
  return { uplinksPerSecond: r.uplinksPerSecond, downlinksPerSecond: Number(r.downlinksPerSecond) || 0, online: Number(r.online) || 0, at: r.at };
}
