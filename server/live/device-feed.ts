import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { EventEmitter } from 'node:events';
import type { Principal } from '../../domain/auth/permissions.ts';
import type { ThingMessage } from '../../domain/devices/thing-message.ts';
import { DEVICE_NAME_PATTERN, PRODUCT_KEY_PATTERN } from '../../domain/products/identity.ts';
import type { CompiledThingModel } from '../../domain/thing-model/compiled-thing-model.ts';
import type { DeviceHub } from '../device-hub/device-hub.ts';
import { LiveGate } from './live-gate.ts';

export const DEVICE_FEED_PATH = '/api/v1/live/devices';

/** Rate measurements (one a second) a socket gets as it opens. */
const RATE_HISTORY = 59;

/** Fleet-wide message rates over the last second, as `GET /overview` and the feed's `rate` messages give them. */
export interface FleetRate {
  uplinksPerSecond: number;
  downlinksPerSecond: number;
  /** Devices online now. */
  online: number;
  /** ms since epoch of the measurement. */
  at: number;
}

export interface DeviceFeedOptions {
  hub: Pick<DeviceHub, 'observe' | 'stats'>;
  /** The published thing models, so pushed values are the ones storage keeps (validated, booleans as 1/0, …). */
  thingModels: { compiledFor(productKey: string): CompiledThingModel | undefined };
  logger: Logger;
  /** Resolves the caller of an upgrade request (cookie, bearer header or `access_token` query). */
  authenticate(req: http.IncomingMessage): Promise<Principal | undefined>;
  /** Origins allowed besides the server's own; a socket from any other origin is refused (cross-site hijacking). */
  allowedOrigins: string[];
  /** Flush period: state changes coalesced per device, property posts merged per device, events capped. */
  flushMs?: number;
  /** How often the rate is measured and pushed. */
  rateMs?: number;
  /** Devices one socket may watch. */
  maxWatched?: number;
  /** Events pushed per flush across all devices; the rest are counted. */
  maxEventsPerFlush?: number;
  /** Property posts kept per watched device between two flushes (the newest). */
  maxPostsPerFlush?: number;
  /** A socket with more than this waiting to be sent is skipped until it catches up. */
  maxBufferedBytes?: number;
  /** How often each socket's credentials are checked again (an expired session stops its feed). */
  recheckMs?: number;
  /** The auth service's events: a socket closes as soon as its session ends or its role loses `devices:read`. */
  authEvents?: EventEmitter<{ 'access-changed': [{ userId: number }] }>;
  now?: () => number;
}

/** What a client sends: the devices whose property values and events it wants, replacing its previous choice. */
interface WatchRequest {
  type: 'watch';
  devices: string[];
}

interface FeedClient {
  ws: WebSocket;
  /** Keys `productKey/deviceName` of the devices it watches. */
  watched: Set<string>;
}

/** A device at least one socket watches, with what it posted since the last flush. */
interface WatchedDevice {
  productKey: string;
  deviceName: string;
  clients: Set<FeedClient>;
  /** Property posts since the last flush, oldest first: params as the device sent them and the message's time. */
  posts: { params: unknown; time: number }[];
  /** Events beyond the per-flush cap since the last flush. */
  droppedEvents: number;
}

const WATCH_KEY = new RegExp(`^(${PRODUCT_KEY_PATTERN.slice(1, -1)})/(${DEVICE_NAME_PATTERN.slice(1, -1)})$`);

/**
 * `/api/v1/live/devices`: the fleet as it changes, for the dashboard, the device list and a device's page.
 *
 * - `{type:'state', productKey, deviceName, online, at}` for every device going online or offline, to every socket,
 *   coalesced per device per flush (latest wins);
 * - `{type:'properties', productKey, deviceName, values:{id:{value, time}}}` and `{type:'event', productKey,
 *   deviceName, identifier, params, at}` for the devices a socket watches (`{type:'watch', devices:['pk/dn', …]}`,
 *   answered `{type:'watching', devices}`): values merged per device per flush, events capped per flush and the rest
 *   counted (`{type:'events-dropped', count}`). Values and events are checked against the published thing model as
 *   the shipped pipeline's `thing validate` does, so what is pushed is what `GET /devices/…/properties` answers next
 *   (a rejected post pushes nothing);
 * - `{type:'rate', uplinksPerSecond, downlinksPerSecond, online, at}` every second, and, as a socket opens, the
 *   minute before as `{type:'rate-history', rates:[…]}` (oldest first), so a chart of it starts full.
 *
 * It observes the device hub ({@link DeviceHub.observe}): its presence does not change how devices are answered. The
 * observer runs on the ingress hot path, so it only files messages away; an unwatched property post costs two Map
 * lookups. Everything else (validation, JSON) happens once per flush. Who may connect, and for how long, and
 * skipping a slow socket rather than buffering without bound, is the {@link LiveGate}'s.
 */
export class DeviceFeed {
  readonly #gate: LiveGate;
  readonly #options: DeviceFeedOptions;
  readonly #now: () => number;
  readonly #maxWatched: number;
  readonly #maxEvents: number;
  readonly #maxPosts: number;
  readonly #clients = new Map<WebSocket, FeedClient>();
  /** Watched devices by product key, then device name: looked up without building a key string per message. */
  readonly #watched = new Map<string, Map<string, WatchedDevice>>();
  /** State changes since the last flush, by `productKey/deviceName`. */
  readonly #states = new Map<string, { productKey: string; deviceName: string; online: boolean; at: number }>();
  #events: { device: WatchedDevice; message: ThingMessage }[] = [];
  #rate: FleetRate;
  /** The measurements before the current one, oldest first: a new socket's sparkline starts full, not empty. */
  readonly #rateHistory: FleetRate[] = [];
  #last: { uplinks: number; downlinks: number; at: number } | undefined;
  readonly #timers: NodeJS.Timeout[];
  readonly #greetings: (() => object)[] = [];
  readonly #unobserve: () => void;

  readonly #onMessage = (message: ThingMessage): void => {
    switch (message.kind) {
      case 'state': {
        if (this.#clients.size === 0) return;
        const online = (message.params as { status?: unknown } | null)?.status === 'online';
        this.#states.set(`${message.productKey}/${message.deviceName}`, {
          productKey: message.productKey, deviceName: message.deviceName, online, at: message.receivedAt,
        });
        return;
      }
      case 'property.post': {
        const device = this.#watched.get(message.productKey)?.get(message.deviceName);
        if (device === undefined) return;
        if (device.posts.length >= this.#maxPosts) device.posts.shift();
        device.posts.push({ params: message.params, time: message.deviceTime ?? message.receivedAt });
        return;
      }
      case 'event.post': {
        const device = this.#watched.get(message.productKey)?.get(message.deviceName);
        if (device === undefined) return;
        if (this.#events.length < this.#maxEvents) this.#events.push({ device, message });
        else device.droppedEvents++;
        return;
      }
    }
  };

  constructor(options: DeviceFeedOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#maxWatched = options.maxWatched ?? 100;
    this.#maxEvents = options.maxEventsPerFlush ?? 50;
    this.#maxPosts = options.maxPostsPerFlush ?? 50;
    this.#rate = { uplinksPerSecond: 0, downlinksPerSecond: 0, online: options.hub.stats().onlineSessions, at: this.#now() };
    this.#measure();
    this.#unobserve = options.hub.observe(this.#onMessage);
    this.#gate = new LiveGate({
      name: 'device feed', logger: options.logger, permission: 'devices:read',
      authenticate: options.authenticate, allowedOrigins: options.allowedOrigins, authEvents: options.authEvents,
      recheckMs: options.recheckMs, maxBufferedBytes: options.maxBufferedBytes,
      opened: (ws, principal) => this.#opened(ws, principal),
      ended: (ws) => this.#drop(ws),
    });
    this.#timers = [
      setInterval(() => this.#flush(), options.flushMs ?? 250),
      setInterval(() => this.#pushRate(), options.rateMs ?? 1000),
    ];
    for (const timer of this.#timers) timer.unref();
  }

  /** The latest measured fleet rate (updated every `rateMs`, whether or not anyone is connected). */
  rate(): FleetRate {
    return this.#rate;
  }

  /** Handles an HTTP upgrade on the feed's path; answers 401/403 before the handshake when not allowed. */
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#gate.handleUpgrade(req, socket, head);
  }

  /** Sends a message to every socket of the feed (OTA progress: see OtaFeed; alerts: see AlertFeed). */
  broadcast(message: object): void {
    if (this.#gate.size > 0) this.#gate.broadcast(JSON.stringify(message));
  }

  /** Whether any socket is open: producers skip building messages nobody reads. */
  get watched(): boolean {
    return this.#gate.size > 0;
  }

  /** Adds a message every socket gets when it opens, after `hello` (the open alerts' counts: see AlertFeed). */
  greet(greeting: () => object): void {
    this.#greetings.push(greeting);
  }

  /** Closes every socket and stops observing the hub. */
  close(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#gate.close();
    this.#unobserve();
    this.#clients.clear();
    this.#watched.clear();
  }

  #opened(ws: WebSocket, principal: Principal): void {
    const client: FeedClient = { ws, watched: new Set() };
    this.#clients.set(ws, client);
    ws.on('message', (data, isBinary) => this.#receive(client, data, isBinary));
    this.#send(client, JSON.stringify({ type: 'hello', user: principal.username, maxWatched: this.#maxWatched }));
    if (this.#rateHistory.length > 0) this.#send(client, JSON.stringify({ type: 'rate-history', rates: this.#rateHistory }));
    this.#send(client, JSON.stringify({ type: 'rate', ...this.#rate }));
    for (const greeting of this.#greetings) this.#send(client, JSON.stringify(greeting()));
  }

  #receive(client: FeedClient, data: RawData, isBinary: boolean): void {
    const answer = (message: string) => this.#send(client, JSON.stringify({ type: 'error', message }));
    if (isBinary) return answer('Send JSON text, e.g. {"type":"watch","devices":["a1sensor/room-101"]}.');
    let request: unknown;
    try {
      request = JSON.parse(String(data));
    } catch {
      return answer('Not JSON. Send {"type":"watch","devices":["productKey/deviceName", …]}.');
    }
    if (typeof request !== 'object' || request === null || (request as { type?: unknown }).type !== 'watch') {
      return answer('Unknown message: the feed takes {"type":"watch","devices":["productKey/deviceName", …]}.');
    }
    const devices = (request as Partial<WatchRequest>).devices;
    if (!Array.isArray(devices)) return answer('watch: devices must be a list of "productKey/deviceName".');
    if (devices.length > this.#maxWatched) {
      return answer(`watch: at most ${this.#maxWatched} devices at a time (got ${devices.length}); nothing changed.`);
    }
    const bad = devices.filter((d) => typeof d !== 'string' || !WATCH_KEY.test(d));
    if (bad.length > 0) {
      const shown = bad.slice(0, 3).map((d) => JSON.stringify(d)).join(', ');
      return answer(`watch: not "productKey/deviceName": ${shown}${bad.length > 3 ? ` and ${bad.length - 3} more` : ''}; nothing changed.`);
    }
    this.#watch(client, new Set(devices as string[]));
    this.#send(client, JSON.stringify({ type: 'watching', devices: [...client.watched] }));
  }

  #watch(client: FeedClient, keys: Set<string>): void {
    for (const key of client.watched) if (!keys.has(key)) this.#unwatch(client, key);
    for (const key of keys) {
      if (client.watched.has(key)) continue;
      const [, productKey, deviceName] = WATCH_KEY.exec(key)!;
      let byName = this.#watched.get(productKey!);
      if (!byName) this.#watched.set(productKey!, (byName = new Map()));
      let device = byName.get(deviceName!);
      if (!device) byName.set(deviceName!, (device = { productKey: productKey!, deviceName: deviceName!, clients: new Set(), posts: [], droppedEvents: 0 }));
      device.clients.add(client);
    }
    client.watched = keys;
  }

  #unwatch(client: FeedClient, key: string): void {
    const [, productKey, deviceName] = WATCH_KEY.exec(key)!;
    const byName = this.#watched.get(productKey!);
    const device = byName?.get(deviceName!);
    if (!byName || !device) return;
    device.clients.delete(client);
    if (device.clients.size > 0) return;
    byName.delete(deviceName!);
    if (byName.size === 0) this.#watched.delete(productKey!);
    // Its buffered events would go nowhere.
    this.#events = this.#events.filter((e) => e.device !== device);
  }

  #drop(ws: WebSocket): void {
    const client = this.#clients.get(ws);
    if (!client) return;
    this.#clients.delete(ws);
    for (const key of client.watched) this.#unwatch(client, key);
    client.watched.clear();
  }

  #flush(): void {
    if (this.#clients.size === 0) {
      this.#states.clear();
      return;
    }
    for (const state of this.#states.values()) {
      const text = JSON.stringify({ type: 'state', ...state });
      this.#gate.broadcast(text);
    }
    this.#states.clear();

    for (const byName of this.#watched.values()) {
      for (const device of byName.values()) {
        if (device.posts.length === 0) continue;
        const values = this.#mergedValues(device);
        device.posts = [];
        if (values === undefined) continue;
        const text = JSON.stringify({ type: 'properties', productKey: device.productKey, deviceName: device.deviceName, values });
        for (const client of device.clients) this.#send(client, text);
      }
    }

    const events = this.#events;
    this.#events = [];
    for (const { device, message } of events) {
      const event = this.#eventOf(message);
      if (event === undefined) continue;
      const text = JSON.stringify({ type: 'event', productKey: device.productKey, deviceName: device.deviceName, ...event });
      for (const client of device.clients) this.#send(client, text);
    }
    const dropped = new Map<FeedClient, number>();
    for (const byName of this.#watched.values()) {
      for (const device of byName.values()) {
        if (device.droppedEvents === 0) continue;
        for (const client of device.clients) dropped.set(client, (dropped.get(client) ?? 0) + device.droppedEvents);
        device.droppedEvents = 0;
      }
    }
    for (const [client, count] of dropped) this.#send(client, JSON.stringify({ type: 'events-dropped', count }));
  }

  /**
   * The device's posts since the last flush merged per identifier (the newest time wins, later posts on a tie: the
   * shadow's rule), as storage would keep them: each post
   * checked against the published thing model whole, as `thing validate` (unknown properties rejected) does, so a
   * rejected post contributes nothing. Without a published model the values are taken as sent.
   */
  #mergedValues(device: WatchedDevice): Record<string, { value: unknown; time: number }> | undefined {
    const model = this.#options.thingModels.compiledFor(device.productKey);
    const merged: Record<string, { value: unknown; time: number }> = {};
    let any = false;
    for (const { params, time } of device.posts) {
      if (model) {
        const outcome = model.validatePropertyPost(params);
        if (!outcome.ok) continue;
        for (const v of outcome.value.values) any = keepNewer(merged, v.identifier, { value: v.value, time: v.time ?? time }) || any;
      } else if (isPlainObject(params)) {
        for (const identifier in params) any = keepNewer(merged, identifier, unwrap(params[identifier], time)) || any;
      }
    }
    return any ? merged : undefined;
  }

  /** An event as storage keeps it: its output data and its time; undefined when the thing model rejects it. */
  #eventOf(message: ThingMessage): { identifier: string; params: unknown; at: number } | undefined {
    const identifier = message.eventId;
    if (!identifier) return undefined;
    const time = message.deviceTime ?? message.receivedAt;
    const model = this.#options.thingModels.compiledFor(message.productKey);
    if (!model) {
      const raw = message.params as { value?: unknown; time?: unknown } | null;
      const wrapped = isPlainObject(raw) && isPlainObject(raw.value);
      return { identifier, params: wrapped ? raw.value : raw, at: wrapped && typeof raw.time === 'number' ? raw.time : time };
    }
    const outcome = model.validateEvent(identifier, message.params);
    if (!outcome.ok) return undefined;
    return { identifier, params: outcome.value.value, at: outcome.value.time ?? time };
  }

  #pushRate(): void {
    this.#measure();
    if (this.#clients.size === 0) return;
    this.#gate.broadcast(JSON.stringify({ type: 'rate', ...this.#rate }));
  }

  /** Messages per second since the previous measurement, from the hub's counters. */
  #measure(): void {
    const stats = this.#options.hub.stats();
    const at = this.#now();
    const last = this.#last;
    this.#last = { uplinks: stats.uplinks, downlinks: stats.downlinks, at };
    if (!last || at <= last.at) {
      this.#rate = { ...this.#rate, online: stats.onlineSessions, at };
      return;
    }
    const seconds = (at - last.at) / 1000;
    const perSecond = (n: number) => Math.round((n / seconds) * 10) / 10;
    // The measurement it replaces joins the history a socket opens with (the current one follows as `rate`).
    this.#rateHistory.push(this.#rate);
    if (this.#rateHistory.length > RATE_HISTORY) this.#rateHistory.shift();
    this.#rate = {
      uplinksPerSecond: perSecond(stats.uplinks - last.uplinks),
      downlinksPerSecond: perSecond(stats.downlinks - last.downlinks),
      online: stats.onlineSessions,
      at,
    };
  }

  #send(client: FeedClient, text: string): void {
    this.#gate.send(client.ws, text);
  }
}

/** Sets `values[identifier]` unless it holds a value measured later; says whether it did. */
function keepNewer(values: Record<string, { value: unknown; time: number }>, identifier: string, next: { value: unknown; time: number }): boolean {
  const held = values[identifier];
  if (held !== undefined && held.time > next.time) return false;
  values[identifier] = next;
  return true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A property value as reported without a thing model to tell: `{value, time}` (only those keys) is the Alink wrapper,
 * anything else the value itself.
 */
function unwrap(reported: unknown, messageTime: number): { value: unknown; time: number } {
  if (isPlainObject(reported) && 'value' in reported) {
    let onlyWrapperKeys = true;
    for (const key in reported) if (key !== 'value' && key !== 'time') onlyWrapperKeys = false;
    const time = reported.time;
    if (onlyWrapperKeys && (time === undefined || typeof time === 'number')) {
      return { value: reported.value, time: typeof time === 'number' ? time : messageTime };
    }
  }
  return { value: reported, time: messageTime };
}
