import { randomUUID } from 'node:crypto';
import type { DeviceHub } from '../device-hub/device-hub.ts';
import type { DeviceSession } from '../device-hub/device-session.ts';
import { fingerprintOf } from '../device-hub/uplink-receipts.ts';
import type { DeviceCredentials } from '../devices/device-store.ts';
import type { DeviceClockRule } from '../dialects/dialect.ts';
import { codecs } from '../dialects/index.ts';
import type { IngressGate } from './ingress-gate.ts';
import { rawTopic } from '../codecs/codec-frames.ts';
import { signInDevice, type SignInDeps } from './device-sign-in.ts';
import type { Dialect, ThingCommand, ThingMessage } from '../../domain/devices/thing-message.ts';
import { DeviceTokens } from './device-tokens.ts';
import { RateBucket } from './rate-bucket.ts';

/** The settings a listener node of token devices (HTTP, CoAP, UDP) gives its ingress; all apply without a restart. */
export interface TokenIngressSettings {
  /** How long a token from sign-in is good for. */
  tokenTtlMs: number;
  /** A device is online while its last request (sign-in, post or poll) is at most this old. */
  onlineWindowMs: number;
  /** Posts per second per device, bursts of twice that (0: none). */
  ratePerDevice: number;
  /** How long flows have to give a post its verdict before it is answered 504; absent: the hub's default (5 s). */
  replyTimeoutMs?: number;
}

export const DEFAULT_TOKEN_INGRESS_SETTINGS: TokenIngressSettings = { tokenTtlMs: 3_600_000, onlineWindowMs: 300_000, ratePerDevice: 100 };

export interface TokenIngressDeps extends SignInDeps {
  /** The device's secret and enabled flag (the registry's), read on every request: tokens are checked at use. */
  credentialsFor(productKey: string, deviceName: string): Promise<DeviceCredentials | undefined> | DeviceCredentials | undefined;
  tokens: DeviceTokens;
  gate?: IngressGate;
  clockRule?(productKey: string): DeviceClockRule;
  /**
   * Cluster mode: the per-device rate limit counted across the nodes (SharedRateLimits), since a device's posts may
   * reach any of them. Undefined from it (Redis did not answer), or without it: the session's own limit.
   */
  sharedRate?(device: string, rate: number): Promise<boolean | undefined>;
  /** ms since epoch; default Date.now (tests). Timers still use setTimeout. */
  now?: () => number;
}

/**
 * What a request is answered with, whatever carries it: `code` is an HTTP status (200, 400, 401, 403, 404, 413, 422,
 * 429, 500, 503, 504), which HTTP sends as it is and CoAP maps to its own codes; `body` is JSON (a reply envelope, a
 * token, a list of commands).
 */
export interface IngressAnswer {
  code: number;
  body: Buffer;
  /** Seconds after which trying again makes sense (429 of a banned address, 503 busy). */
  retryAfter?: number;
}

export type Respond = (answer: IngressAnswer) => void;

/** Who sent a request. */
export interface Peer {
  address: string;
  /** Came over TLS/DTLS (a product may require it). */
  secure: boolean;
  /** The source port, where the transport can answer there later (UDP: commands go to it). */
  port?: number;
}

/** A device that signed in: who it is and the token it was given. */
export interface SignedIn {
  productKey: string;
  deviceName: string;
  token: string;
  expiresAt: number;
}

/**
 * A transport that can send to a device between its requests (UDP: to the address of its last datagram, while it is
 * online). With one, a session takes commands as soon as it opens, and hands them and the verdicts of posts that no
 * request waits for (a codec's frames with `ack`) to it instead of to readers.
 */
export interface DeviceReach {
  /** Sends a command; a throw is the command's result (the hub records it), and nothing is sent. */
  command(session: TokenDevice, command: ThingCommand, messageId: string): void;
  /** The platform's verdict on a post the device asked one for and no request is waiting on. */
  reply(session: TokenDevice, message: ThingMessage, code: number, data?: unknown, text?: string): void;
}

/** A token device's session as a {@link DeviceReach} sees it: where to send to. */
export interface TokenDevice extends DeviceSession {
  readonly remotePort: number | undefined;
}

/**
 * A command as a polling or observing device receives it: the topic and envelope it would get on MQTT (`payload`,
 * parsed), or, for a raw command whose bytes are not JSON, those bytes in base64.
 */
export interface DeliveredCommand {
  topic: string;
  payload?: unknown;
  payloadBase64?: string;
}

/** A device's post that passed its token and topic checks: its body may now be read and taken, or refused. */
export interface AcceptedPost {
  take(payload: Buffer, respond: Respond): void;
  /** Refuses it without reading on (a body over the limit: 413), in the device's message log as other refusals. */
  refuse(code: number, reason: string, respond: Respond): void;
}

/** Someone reading a device's commands: a poll (once) or an observation (until cancelled). */
interface CommandReader {
  /** Takes commands; false when it can take no more (a poll that answered), so it is dropped. */
  deliver(commands: DeliveredCommand[]): boolean;
}

/** Tokens nobody issued: they count towards an address's ban, as bad signatures do. */
const GUESSING: ReadonlySet<string> = new Set(['invalid token', 'malformed token']);
const DEVICE_REPLY_KINDS: ReadonlySet<string> = new Set(['service.reply', 'property.set.reply']);
const ID_IN_PAYLOAD = /"id"\s*:\s*"?(\d{1,10})/;
/** Polls and observations of one device's commands open at once; more are answered 429 (each holds a request). */
const MAX_READERS = 4;
/** Commands a device's outbox keeps while nobody reads them (more wait in the hub, which bounds them too). */
const MAX_OUTBOX = 100;

/**
 * Devices that hold a token instead of a connection (docs/protocol.md "HTTP devices", "CoAP devices"), whatever
 * carries their requests: sign-in with the same signature as an MQTT CONNECT gets a short-lived token; a post with the
 * token goes through the device's dialect and the device hub exactly as an MQTT publish does and is answered with the
 * reply envelope the device would have got on `{topic}_reply`, once the verdict is durable; a poll (or a CoAP
 * observation) receives the device's commands. The HTTP, CoAP and UDP listeners only frame these requests; a transport
 * that can send to a device between its requests (UDP) gives a {@link DeviceReach}, and its sessions then take commands
 * from the start.
 *
 * **Online state.** These devices hold no connection, so "connected" is inferred: a device is online while its last
 * request is at most `onlineWindowMs` old (or a poll or observation of its commands is open). The first such request
 * opens a session in the hub (history: `connected`, with the listener's protocol); further requests only refresh it;
 * `onlineWindowMs` without one closes it (history: `disconnected`, `keepalive-timeout: no request for N s`), and the
 * next request opens a new one. A device posting less often than the window shows as a connect and disconnect per
 * post; raise the window for such fleets.
 *
 * **Commands.** A session takes commands only while someone reads them: a poll waiting (`wait` seconds) or an
 * observation. Otherwise the hub holds them as for a device that is not ready (docs/flows-and-nodes.md "device out"):
 * queued commands until their TTL, others as long as they would wait for a reply; the next poll gets them.
 *
 * A device connected over another transport (MQTT) at the same time keeps that connection as its session: its
 * requests here go through a session of their own that is never opened, so they neither take the connection over nor
 * change its online state, and it cannot poll commands (they go to its connection).
 *
 * Tokens are checked on every request against the registry: a deleted or disabled device, or a rotated secret, voids
 * them at once (the hub also ends the device's session then, as it kicks MQTT connections).
 */
export class TokenIngress {
  settings: TokenIngressSettings;
  readonly protocol: 'http' | 'coap' | 'udp';
  readonly reach: DeviceReach | undefined;
  readonly #deps: TokenIngressDeps;
  readonly #now: () => number;
  /** The open session of each device, by `pk/dn`. */
  readonly #sessions = new Map<string, TokenSession>();
  #closed = false;

  constructor(protocol: 'http' | 'coap' | 'udp', deps: TokenIngressDeps, settings: TokenIngressSettings, reach?: DeviceReach) {
    this.protocol = protocol;
    this.reach = reach;
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.settings = settings;
  }

  /** Ends every session (`server-stop`); later requests are answered 503. */
  close(): void {
    this.#closed = true;
    for (const session of [...this.#sessions.values()]) {
      this.#end(session);
      this.#deps.hub.closed(session.id, 'server-stop');
    }
  }

  /** Devices with an open session here. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  // ── sign-in ───────────────────────────────────────────────────────────────────────────────────────────────────

  /** `/auth`: the sign-in fields as JSON → `{code: 0, info: {token, expiresAt}}`, or 400/401/429. */
  async signIn(rawBody: Buffer, peer: Peer): Promise<IngressAnswer> {
    const early = this.#early(peer);
    if (early) return early;
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      return answer(400, 'body is not JSON');
    }
    return this.signInWith(body, peer);
  }

  /** Signs in with fields already parsed (a UDP auth datagram, a codec's login message): what {@link signIn} answers. */
  async signInWith(body: unknown, peer: Peer): Promise<IngressAnswer> {
    return (await this.signInFor(body, peer)).answer;
  }

  /** {@link signInWith}, and who signed in when it succeeded (UDP binds the address to them). */
  async signInFor(body: unknown, peer: Peer): Promise<{ answer: IngressAnswer; device?: SignedIn }> {
    const early = this.#early(peer);
    if (early) return { answer: early };
    const result = await signInDevice(this.#deps, body, peer, this.protocol);
    if (!result.ok) return { answer: { ...answer(result.code, result.message), ...(result.retryAfter ? { retryAfter: result.retryAfter } : {}) } };
    const credentials = await this.#deps.credentialsFor(result.productKey, result.deviceName);
    if (!credentials) return { answer: answer(401, 'not authorized') }; // deleted meanwhile
    const expiresAt = this.#now() + this.settings.tokenTtlMs;
    const token = this.#deps.tokens.issue({ productKey: result.productKey, deviceName: result.deviceName, dialect: result.dialect, expiresAt }, credentials.secret);
    this.#present(result.productKey, result.deviceName, result.dialect, result.clientId, peer);
    return {
      answer: json(200, { code: 0, message: 'success', info: { token, expiresAt } }),
      device: { productKey: result.productKey, deviceName: result.deviceName, token, expiresAt },
    };
  }

  // ── posts ─────────────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * `/topic/{topic}`: checks the token and that the device may post on `topicPath` (the request path after `/topic`,
   * percent-decoded, always with a leading `/`), before the body is read. Undefined when it may not: `respond` has the
   * refusal then (at once, or once the message log has it).
   */
  async acceptPost(token: string | undefined, topicPath: string, peer: Peer, respond: Respond): Promise<AcceptedPost | undefined> {
    const checked = await this.#session(token, peer);
    if (!('session' in checked)) return void respond(checked);
    const { session } = checked;
    // Alink topics start with "/" (/sys/{pk}/{dn}/…), things topics do not ({pk}/{dn}/…): a request path always does.
    const topic = session.dialect === 'things' ? topicPath.slice(1) : topicPath;
    if (!codecs[session.dialect].canPublish(session, topic)) return void this.#refuse(session, topic, undefined, 403, 'topic outside the device namespace', respond);
    this.#deps.hub.seen(session);
    const withinRate = await this.#admit(session);
    return {
      take: (payload, respond) => this.#take(session, topic, payload, respond, withinRate),
      refuse: (code, reason, respond) => this.#refuse(session, topic, undefined, code, reason, respond),
    };
  }

  /**
   * Whether the device's post is within its rate limit (counted when it is): the cluster's count, else the session's.
   * In a cluster a balancer may send each post to another node, so what the other nodes answered the device (its
   * receipts) is read beside the count, in the same round trip, and a resend through this node is answered as a
   * repeat. A single node asks neither: the answer is at hand, with no promise made per post.
   */
  #admit(session: TokenSession): boolean | Promise<boolean> {
    const rate = this.settings.ratePerDevice;
    const admitted = this.#deps.hub.beforeSession(session.productKey, session.deviceName);
    const shared = this.#deps.sharedRate && rate > 0 ? this.#deps.sharedRate(session.key, rate) : undefined;
    if (!admitted && !shared) return session.takeToken(rate, this.#now());
    return Promise.all([shared, admitted]).then(([counted]) => counted ?? session.takeToken(rate, this.#now()));
  }

  /** Backpressure, decode, hand to the hub (past the rate limit); the verdict is the answer. */
  #take(session: TokenSession, topic: string, payload: Buffer, respond: Respond, withinRate: boolean): void {
    const now = this.#now();
    const id = ID_IN_PAYLOAD.exec(payload.subarray(0, 256).toString('latin1'))?.[1];
    if (!withinRate) {
      return this.#refuse(session, topic, id, 429, `rate limit of ${this.settings.ratePerDevice} messages/s exceeded`, respond);
    }
    const gate = this.#deps.gate;
    if (gate && !gate.open) {
      // No connection to hold back as MQTT does: the device is told to come back, and nothing was taken.
      return this.#refuse(session, topic, id, 503, `platform busy: ${gate.reason ?? 'overloaded'}`, (a) => respond({ ...a, retryAfter: 1 }));
    }
    try {
      const decoded = codecs[session.dialect].decodeUplink(session, topic, payload, now, this.#deps.clockRule?.(session.productKey));
      if (!decoded.ok) return this.#refuse(session, topic, decoded.id, decoded.code, decoded.reason, respond, decoded.reply?.payload);
      // The device always waits for the answer (it is the response), so the hub is asked for one whatever `ack` said;
      // except for a device's reply to a command, which has its verdict already (asking would make it wait for a
      // flow): its post is answered 200 once taken.
      const deviceReply = DEVICE_REPLY_KINDS.has(decoded.message.kind);
      const message = { ...decoded.message, protocol: this.protocol, ack: decoded.message.ack || !deviceReply };
      const waiter = session.wait(topic, message.id);
      this.#deps.hub.uplink(session, message, {
        fingerprint: message.kind === 'raw.up' ? undefined : fingerprintOf(payload),
        onVerdict: (code, text) => {
          session.unwait(topic, message.id, waiter);
          respond({ code: statusOf(code), body: waiter.envelope ?? envelopeOf(message.id, code, text) });
        },
      });
    } catch (err) {
      this.#deps.logger.error({ err, topic, device: `${session.productKey}/${session.deviceName}` }, `${this.protocol} uplink handling failed`);
      this.#refuse(session, topic, id, 500, 'platform error', respond);
    }
  }

  /**
   * A frame of raw bytes from a device known by its token (a UDP datagram from its bound address): its session, once
   * the token, the per-device rate limit and backpressure let it through, for the caller to decode. Otherwise the
   * refusal; past the token check it is in the device's message log.
   */
  async acceptFrame(token: string | undefined, peer: Peer): Promise<{ session: TokenDevice } | IngressAnswer> {
    const checked = await this.#session(token, peer);
    if (!('session' in checked)) return checked;
    const { session } = checked;
    const topic = rawTopic(session, session.dialect);
    const refuse = (code: number, reason: string) => {
      this.#deps.hub.refused(session, { topic, kind: 'raw.up' }, code, reason);
      return answer(code, reason);
    };
    if (!(await this.#admit(session))) return refuse(429, `rate limit of ${this.settings.ratePerDevice} messages/s exceeded`);
    const gate = this.#deps.gate;
    if (gate && !gate.open) return refuse(503, `platform busy: ${gate.reason ?? 'overloaded'}`);
    return { session };
  }

  /** Answers a post the ingress will not process, recorded in the device's message log as MQTT refusals are. */
  #refuse(session: TokenSession, topic: string, id: string | undefined, code: number, reason: string, respond: Respond, envelope?: Buffer): void {
    this.#deps.hub.refused(session, { id, topic }, code, reason, () => respond({ code: statusOf(code), body: envelope ?? envelopeOf(id, code, reason) }));
  }

  // ── commands ──────────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * `GET /commands`: the device's waiting commands, `{code: 0, data: [{topic, payload}]}`. With none waiting and
   * `waitMs` > 0 the answer waits until one comes or `waitMs` passes (a long poll). Returns what ends the wait early
   * (the request went away), or the refusal.
   */
  async poll(token: string | undefined, peer: Peer, waitMs: number, respond: Respond): Promise<(() => void) | IngressAnswer> {
    const reader = await this.#reader(token, peer);
    if (!('session' in reader)) return reader;
    const { session } = reader;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (commands: DeliveredCommand[]) => {
      done = true;
      clearTimeout(timer);
      session.removeReader(poller);
      respond(commandsAnswer(commands));
      return false;
    };
    const poller: CommandReader = { deliver: finish };
    session.addReader(poller); // answers at once when commands were waiting
    if (!done) {
      if (waitMs <= 0) finish([]);
      else timer = setTimeout(() => finish([]), waitMs);
    }
    return () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      session.removeReader(poller);
    };
  }

  /**
   * A CoAP observation of the device's commands: `push` gets each batch as it comes (the first at once, possibly
   * empty) until the returned function cancels it. Or the refusal.
   */
  async observe(token: string | undefined, peer: Peer, push: (answer: IngressAnswer) => void): Promise<(() => void) | IngressAnswer> {
    const reader = await this.#reader(token, peer);
    if (!('session' in reader)) return reader;
    const { session } = reader;
    let first = true;
    const observer: CommandReader = {
      deliver: (commands) => {
        first = false;
        push(commandsAnswer(commands));
        return true;
      },
    };
    session.addReader(observer);
    if (first) push(commandsAnswer([]));
    return () => session.removeReader(observer);
  }

  async #reader(token: string | undefined, peer: Peer): Promise<{ session: TokenSession } | IngressAnswer> {
    const checked = await this.#session(token, peer);
    if (!('session' in checked)) return checked;
    if (!checked.session.opened) return answer(409, 'the device is connected over another protocol: its commands go there');
    if (checked.session.readerCount >= MAX_READERS) return answer(429, `${MAX_READERS} reads of this device's commands are open already`);
    this.#deps.hub.seen(checked.session);
    return checked;
  }

  // ── sessions ──────────────────────────────────────────────────────────────────────────────────────────────────

  /** The device's session for a request with this token, or why there is none. */
  async #session(token: string | undefined, peer: Peer): Promise<{ session: TokenSession } | IngressAnswer> {
    const early = this.#early(peer);
    if (early) return early;
    if (!token) return answer(401, 'no token: sign in at /auth and send the token with each request');
    const named = DeviceTokens.peek(token);
    // The token the device's open session was last verified with: the registry read, the secret's decryption and the
    // MAC are not repeated per post. Safe because the hub ends the session (TokenSession.close) when the device is
    // disabled, deleted or given a new secret, so the next post finds none and is verified in full.
    const open = named && this.#sessions.get(`${named.productKey}/${named.deviceName}`);
    if (open && open.verifiedToken === token && named.expiresAt > this.#now()) {
      return { session: this.#present(named.productKey, named.deviceName, named.dialect, named.deviceName, peer) };
    }
    const credentials = named && (await this.#deps.credentialsFor(named.productKey, named.deviceName));
    const grant = credentials ? this.#deps.tokens.verify(token, credentials.secret, this.#now()) : { refused: named ? 'invalid token' : 'malformed token' };
    if ('refused' in grant || !credentials!.enabled) {
      const why = 'refused' in grant ? grant.refused : 'device disabled';
      if (GUESSING.has(why)) this.#deps.bans?.failed(peer.address);
      this.#deps.logger.debug({ remoteAddress: peer.address, why }, `${this.protocol} device token refused`);
      // Not in the connection history: a device whose token expired would write one entry per post. It signs in again.
      return answer(401, why === 'token expired' ? 'token expired: sign in again at /auth' : 'not authorized');
    }
    const session = this.#present(grant.productKey, grant.deviceName, grant.dialect, grant.deviceName, peer);
    if (session.opened) session.verifiedToken = token;
    return { session };
  }

  /** What every request is answered before anything else: stopping, or a banned address. */
  #early(peer: Peer): IngressAnswer | undefined {
    if (this.#closed) return answer(503, 'server stopping');
    if (this.#deps.bans?.banned(peer.address)) return { ...answer(429, 'too many failed sign-ins from this address'), retryAfter: 60 };
    return undefined;
  }

  /**
   * The device's session, opened when it has none (or one in another dialect), its last request set to now. See the
   * class comment for what online means here.
   */
  #present(productKey: string, deviceName: string, dialect: Dialect, clientId: string, peer: Peer): TokenSession {
    const key = `${productKey}/${deviceName}`;
    const now = this.#now();
    let session = this.#sessions.get(key);
    // Signing in again in the other dialect is a new session (a takeover); in the same one, the session goes on.
    if (session && session.dialect !== dialect) session = undefined;
    if (session) {
      session.lastRequestAt = now;
      session.remoteAddress = peer.address;
      session.remotePort = peer.port;
      return session;
    }
    session = new TokenSession(this, this.#deps.hub, productKey, deviceName, dialect, clientId, peer.address, now);
    session.remotePort = peer.port;
    // Connected over another transport (MQTT): that connection stays the device's session, and this request goes
    // through a session of its own that is never opened, so it neither takes the connection over nor touches online state.
    if (this.#deps.hub.isOnline(productKey, deviceName) && !this.#sessions.has(key)) return session;
    this.#sessions.set(key, session);
    session.opened = true;
    // A session this device already had is closed by the hub as a takeover (TokenSession.close drops it).
    this.#deps.hub.opened(session, { commandsReady: false });
    this.#watch(session);
    // A device the transport can reach takes commands from now on: once the promises of this turn have settled, so
    // that the answer to the request (a sign-in's, sent when its promise resolves) goes out before the commands that
    // waited for the device.
    const opened = session;
    if (this.reach) setImmediate(() => this.#sessions.get(opened.key) === opened && this.#deps.hub.commandsReady(opened));
    return session;
  }

  /** Closes the session once it has seen no request for the online window (checked lazily: one timer per session). */
  #watch(session: TokenSession): void {
    const window = this.settings.onlineWindowMs;
    const due = session.lastRequestAt + window - this.#now();
    session.timer = setTimeout(() => {
      if (this.#sessions.get(session.key) !== session) return;
      // A post waiting for its verdict, or a poll or observation open, is a request in progress.
      if (this.#now() - session.lastRequestAt < window || session.busy) return this.#watch(session);
      this.#end(session);
      this.#deps.hub.closed(session.id, 'keepalive-timeout', `no request for ${window / 1000} s`);
    }, Math.max(due, 50));
    session.timer.unref();
  }

  /** Forgets a session (the hub closed it, or it is about to be told). */
  #end(session: TokenSession): void {
    clearTimeout(session.timer);
    session.dropReaders();
    if (this.#sessions.get(session.key) === session) this.#sessions.delete(session.key);
  }

  /** For TokenSession.close. */
  ended(session: TokenSession): void {
    this.#end(session);
  }
}

/** A post waiting for its verdict. */
interface Waiter {
  /** The reply envelope the dialect encoded for this post (hub → session.replyUplink), when it made one. */
  envelope?: Buffer;
}

/**
 * A token device as the hub sees it: not a connection but a span of recent requests (see {@link TokenIngress}).
 * Replies are not sent by it but kept for the request waiting on them; commands go to whoever reads them.
 */
class TokenSession implements TokenDevice {
  readonly id = randomUUID();
  remotePort: number | undefined;
  readonly key: string;
  readonly connectedAt: number;
  timer: NodeJS.Timeout | undefined;
  /** Opened in the hub (false: the device is connected over another transport; see {@link TokenIngress}). */
  opened = false;
  /** The token a request of this session was last verified with against the registry. */
  verifiedToken: string | undefined;
  /** Posts waiting for their verdict, by `{topic}\n{id}` (the same message posted twice at once: both, in order). */
  readonly #waiting = new Map<string, Waiter[]>();
  readonly #readers = new Set<CommandReader>();
  /** Commands sent while a reader was leaving: the next one gets them. */
  #outbox: DeliveredCommand[] = [];
  readonly #rate: RateBucket;

  constructor(
    private readonly ingress: TokenIngress,
    private readonly hub: DeviceHub,
    readonly productKey: string,
    readonly deviceName: string,
    readonly dialect: Dialect,
    readonly clientId: string,
    public remoteAddress: string,
    public lastRequestAt: number,
  ) {
    this.key = `${productKey}/${deviceName}`;
    this.#rate = new RateBucket(lastRequestAt);
    this.connectedAt = lastRequestAt;
  }

  get protocol(): 'http' | 'coap' | 'udp' {
    return this.ingress.protocol;
  }

  get replyTimeoutMs(): number | undefined {
    return this.ingress.settings.replyTimeoutMs;
  }

  /** Token bucket of the per-device rate limit; false when the post is over it. */
  takeToken(rate: number, now: number): boolean {
    return this.#rate.take(rate, now);
  }

  /** Posts waiting for their verdict, or commands being read: the session is in use. */
  get busy(): boolean {
    return this.#waiting.size > 0 || this.#readers.size > 0;
  }

  get readerCount(): number {
    return this.#readers.size;
  }

  wait(topic: string, id: string): Waiter {
    const waiter: Waiter = {};
    const key = `${topic}\n${id}`;
    const list = this.#waiting.get(key);
    if (list) list.push(waiter);
    else this.#waiting.set(key, [waiter]);
    return waiter;
  }

  unwait(topic: string, id: string, waiter: Waiter): void {
    const key = `${topic}\n${id}`;
    const list = this.#waiting.get(key);
    if (!list) return;
    const i = list.indexOf(waiter);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#waiting.delete(key);
  }

  /** The hub's answer, encoded in the dialect, for the first post of this message still without one. */
  replyUplink(message: ThingMessage, code: number, data?: unknown, text?: string): void {
    const waiter = this.#waiting.get(`${message.topic ?? ''}\n${message.id}`)?.find((w) => !w.envelope);
    if (!waiter && this.ingress.reach) return this.ingress.reach.reply(this, message, code, data, text);
    const reply = codecs[this.dialect].encodeReply(message, code, data, text);
    if (waiter && reply) waiter.envelope = reply.payload;
  }

  /**
   * Called by the hub only while a reader is here (the session is ready for commands then): the command, as the
   * device would get it on MQTT, goes to the readers at the end of this tick, so that a batch the hub delivers at
   * once (queued commands) is one answer.
   */
  sendCommand(command: ThingCommand, messageId: string): void {
    if (this.ingress.reach) return this.ingress.reach.command(this, command, messageId);
    const out = codecs[this.dialect].encodeCommand(this, command, messageId);
    if (this.#outbox.length >= MAX_OUTBOX) this.#outbox.shift();
    this.#outbox.push(delivered(out.topic, out.payload));
    if (this.#outbox.length === 1) queueMicrotask(() => this.#flush());
  }

  addReader(reader: CommandReader): void {
    this.#readers.add(reader);
    if (this.#readers.size === 1) this.hub.commandsReady(this); // delivers what waited, into the outbox
    if (this.#outbox.length > 0) this.#flush();
  }

  removeReader(reader: CommandReader): void {
    if (!this.#readers.delete(reader)) return;
    if (this.#readers.size === 0) this.hub.commandsPaused(this);
  }

  dropReaders(): void {
    this.#readers.clear();
  }

  #flush(): void {
    if (this.#outbox.length === 0 || this.#readers.size === 0) return;
    const commands = this.#outbox;
    this.#outbox = [];
    for (const reader of [...this.#readers]) if (!reader.deliver(commands)) this.removeReader(reader);
  }

  close(_reason: string): void {
    this.ingress.ended(this);
  }
}

/** The reply envelope when the dialect made none (a refusal, a device reply): `{id, code, data, message}`. */
function envelopeOf(id: string | undefined, code: number, text: string | null | undefined): Buffer {
  return Buffer.from(JSON.stringify({ id: id ?? null, code, data: {}, message: text ?? (code < 300 ? 'success' : '') }));
}

/** The status a verdict is answered with: its own code for 4xx/5xx, 200 for the rest (2xx, codes HTTP has no use for). */
function statusOf(code: number): number {
  return code >= 400 && code <= 599 ? code : 200;
}

/** A command's topic and bytes as a device that reads JSON gets them: the payload parsed, or in base64 when not JSON. */
export function delivered(topic: string, payload: Buffer): DeliveredCommand {
  try {
    return { topic, payload: JSON.parse(payload.toString('utf8')) as unknown };
  } catch {
    return { topic, payloadBase64: payload.toString('base64') };
  }
}

function commandsAnswer(commands: DeliveredCommand[]): IngressAnswer {
  return json(200, { code: 0, message: 'success', data: commands });
}

function json(code: number, body: object): IngressAnswer {
  return { code, body: Buffer.from(JSON.stringify(body)) };
}

/** A refusal before any message: `{code, message}` with the status as its code. */
export function answer(code: number, message: string): IngressAnswer {
  return json(code, { code, message });
}
