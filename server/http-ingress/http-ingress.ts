import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { DeviceAuthenticator, DeviceConnectRequest } from '../device-auth/device-authenticator.ts';
import type { SignInBans } from '../device-auth/sign-in-bans.ts';
import type { DeviceHub } from '../device-hub/device-hub.ts';
import type { DeviceSession } from '../device-hub/device-session.ts';
import { fingerprintOf } from '../device-hub/uplink-receipts.ts';
import type { DeviceCredentials } from '../devices/device-store.ts';
import type { DeviceClockRule } from '../dialects/dialect.ts';
import { codecs } from '../dialects/index.ts';
import type { IngressGate } from '../ingress/ingress-gate.ts';
import type { Dialect, ThingCommand, ThingMessage } from '../../domain/devices/thing-message.ts';
import { DeviceTokens } from './device-tokens.ts';

/** Where the HTTP ingress is mounted on the platform's HTTP port (outside `/api/v1`: devices are not users). */
export const HTTP_INGRESS_PATH = '/device';

export interface HttpIngressOptions {
  /** How long a token from `/auth` is good for; default 1 h. */
  tokenTtlMs?: number;
  /** A device is online while its last request (sign-in or post) is at most this old; default 5 min. */
  onlineWindowMs?: number;
  /** Largest body of a post; default 256 KB (the MQTT listener's default payload limit). */
  maxBodyBytes?: number;
  /** Posts per second per device, bursts of twice that (0: none); default 100, as the MQTT listener's. */
  ratePerDevice?: number;
  /** How long flows have to give a post its verdict before it is answered 504; absent: the hub's default (5 s). */
  replyTimeoutMs?: number;
}

export interface HttpIngressDeps {
  hub: DeviceHub;
  authenticator: DeviceAuthenticator;
  /** The device's secret and enabled flag (the registry's), read on every post: tokens are checked at use. */
  credentialsFor(productKey: string, deviceName: string): DeviceCredentials | undefined;
  tokens: DeviceTokens;
  logger: Logger;
  gate?: IngressGate;
  bans?: SignInBans;
  clockRule?(productKey: string): DeviceClockRule;
  /** ms since epoch; default Date.now (tests). Timers still use setTimeout. */
  now?: () => number;
}

/** Sign-in refusals that count towards an address's ban, as on MQTT; plus tokens nobody issued. */
const GUESSING: ReadonlySet<string> = new Set(['bad-signature', 'unknown-device', 'malformed', 'invalid token', 'malformed token']);
const MAX_AUTH_BYTES = 8 * 1024;
const DEVICE_REPLY_KINDS: ReadonlySet<string> = new Set(['service.reply', 'property.set.reply']);
const ID_IN_PAYLOAD = /"id"\s*:\s*"?(\d{1,10})/;
/** What may go into an alink client id parameter without changing how the rest parses. */
const PARAM = /^[A-Za-z0-9]{1,32}$/;
const DIGITS = /^\d{1,16}$/;

/** Why a post's answer is what it is: sent once, when the hub gives the verdict. */
interface Waiter {
  res: Response;
  /** The reply envelope the dialect encoded for this post (hub → session.replyUplink), when it made one. */
  envelope?: Buffer;
  done: boolean;
}

/**
 * Device ingress over HTTP, after Alibaba IoT's HTTP access (docs/protocol.md "HTTP devices"): `POST /auth` signs in
 * with the same signature as an MQTT CONNECT and gets a short-lived token; `POST /topic/{topic}` with the token in the
 * `password` header posts one uplink, which goes through the device's dialect and the device hub exactly as an MQTT
 * publish does, and is answered, in the HTTP response, with the reply envelope the device would have got on
 * `{topic}_reply`, once the verdict is durable.
 *
 * **Online state.** HTTP devices hold no connection, so "connected" is inferred: a device is online while its last
 * request (a sign-in or a post with a valid token) is at most `onlineWindowMs` old. The first such request opens a
 * session in the hub (history: `connected`, protocol `http`); further requests only refresh it; `onlineWindowMs`
 * without one closes it (history: `disconnected`, `keepalive-timeout: no request for N s`), and the next request
 * opens a new one. This keeps the hub's state machine as it is (one session per device, opened/seen/closed) and says
 * what is known — the device talked recently — rather than what is not (whether it still holds a token: a token is
 * only proof of a past sign-in). A device posting less often than the window shows as a connect and disconnect per
 * post; raise the window for such fleets. Sessions open with `commandsReady: false`: commands to an HTTP device wait
 * (queued ones until their TTL) since nothing can carry them yet.
 *
 * A device connected over another transport (MQTT) at the same time keeps that connection as its session: its HTTP
 * requests go through a session of their own that is never opened, so they neither take the connection over nor
 * change its online state.
 *
 * Tokens are checked on every post against the registry: a deleted or disabled device, or a rotated secret, voids
 * them at once (the hub also ends the device's session then, as it kicks MQTT connections).
 *
 * Mounted by app.ts on the platform's HTTP port ({@link HTTP_INGRESS_PATH}), configured by flags, not by a listener
 * node as MQTT is: it shares the HTTP server, so there is nothing to start or stop per deploy.
 */
export class HttpIngress {
  readonly router = express.Router();
  readonly options: Required<Omit<HttpIngressOptions, 'replyTimeoutMs'>> & Pick<HttpIngressOptions, 'replyTimeoutMs'>;
  readonly #deps: HttpIngressDeps;
  readonly #now: () => number;
  /** The open session of each device, by `pk/dn`. */
  readonly #sessions = new Map<string, HttpDeviceSession>();
  readonly #readBody: express.RequestHandler;
  readonly #readAuth: express.RequestHandler;
  #closed = false;

  constructor(deps: HttpIngressDeps, options: HttpIngressOptions = {}) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.options = {
      tokenTtlMs: options.tokenTtlMs ?? 3_600_000,
      onlineWindowMs: options.onlineWindowMs ?? 300_000,
      maxBodyBytes: options.maxBodyBytes ?? 256 * 1024,
      ratePerDevice: options.ratePerDevice ?? 100,
      replyTimeoutMs: options.replyTimeoutMs,
    };
    // Bodies are read as bytes whatever their content type: the dialect decodes them, as it decodes MQTT payloads.
    this.#readBody = express.raw({ type: () => true, limit: this.options.maxBodyBytes });
    this.#readAuth = express.raw({ type: () => true, limit: MAX_AUTH_BYTES });
    this.router.post('/auth', (req, res, next) => this.#readAuth(req, res, (err?: unknown) => (err ? next(err) : this.#auth(req, res))));
    this.router.use('/topic', (req, res, next) => {
      if (req.method !== 'POST') return answer(res, 405, { code: 405, message: 'POST a device message' });
      this.#post(req, res, next);
    });
    this.router.use((req, res) => answer(res, 404, { code: 404, message: `no device route ${req.method} ${req.baseUrl}${req.path}` }));
    this.router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      // The body reader's refusals (too large, an encoding it cannot inflate, a broken stream) say their status.
      const status = (err as { status?: number }).status;
      if (status && status >= 400 && status < 500) return answer(res, status, { code: status, message: (err as Error).message });
      this.#deps.logger.error({ err }, 'http device request failed');
      answer(res, 500, { code: 500, message: 'platform error' });
    });
  }

  /** Ends every session (`server-stop`); later requests are answered 503. Call before the hub closes. */
  close(): void {
    this.#closed = true;
    for (const session of [...this.#sessions.values()]) {
      this.#end(session);
      this.#deps.hub.closed(session.id, 'server-stop');
    }
  }

  // ── POST /auth ────────────────────────────────────────────────────────────────────────────────────────────────

  #auth(req: Request, res: Response): void {
    if (this.#closed) return answer(res, 503, { code: 503, message: 'server stopping' });
    const remoteAddress = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    if (this.#deps.bans?.banned(remoteAddress)) {
      res.setHeader('Retry-After', '60');
      return answer(res, 429, { code: 429, message: 'too many failed sign-ins from this address' });
    }
    let body: unknown;
    try {
      body = JSON.parse((req.body as Buffer | undefined)?.toString('utf8') ?? '');
    } catch {
      return answer(res, 400, { code: 400, message: 'body is not JSON' });
    }
    const connect = connectRequest(body, req.secure);
    if (!connect) return answer(res, 400, { code: 400, message: 'expected {productKey, deviceName, clientId, timestamp, signmethod, sign} or {productKey, deviceName, password}' });
    let result;
    try {
      result = this.#deps.authenticator.authenticate(connect);
    } catch (err) {
      this.#deps.logger.error({ err }, 'device authentication failed');
      result = { ok: false as const, reason: 'malformed' as const };
    }
    if (!result.ok) {
      const b = body as { productKey?: unknown; deviceName?: unknown };
      this.#deps.hub.recordRefused({
        productKey: result.productKey ?? (typeof b.productKey === 'string' ? b.productKey : undefined),
        deviceName: result.deviceName ?? (typeof b.deviceName === 'string' ? b.deviceName : undefined),
        remoteAddress, protocol: 'http', dialect: result.dialect, clientId: connect.clientId, reason: result.reason,
      });
      if (GUESSING.has(result.reason)) this.#deps.bans?.failed(remoteAddress);
      // One answer whatever the reason, as CONNACK 5 on MQTT: nobody learns whether a device exists.
      return answer(res, 401, { code: 401, message: 'not authorized' });
    }
    const credentials = this.#deps.credentialsFor(result.productKey, result.deviceName);
    if (!credentials) return answer(res, 401, { code: 401, message: 'not authorized' }); // deleted meanwhile
    const expiresAt = this.#now() + this.options.tokenTtlMs;
    const token = this.#deps.tokens.issue({ productKey: result.productKey, deviceName: result.deviceName, dialect: result.dialect, expiresAt }, credentials.secret);
    this.#present(result.productKey, result.deviceName, result.dialect, result.clientId, remoteAddress);
    answer(res, 200, { code: 0, message: 'success', info: { token, expiresAt } });
  }

  // ── POST /topic/{topic} ───────────────────────────────────────────────────────────────────────────────────────

  #post(req: Request, res: Response, next: NextFunction): void {
    if (this.#closed) return answer(res, 503, { code: 503, message: 'server stopping' });
    const remoteAddress = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    if (this.#deps.bans?.banned(remoteAddress)) {
      res.setHeader('Retry-After', '60');
      return answer(res, 429, { code: 429, message: 'too many failed sign-ins from this address' });
    }
    const token = req.get('password');
    if (!token) return answer(res, 401, { code: 401, message: 'no token: sign in at /auth and send the token in the password header' });
    const named = DeviceTokens.peek(token);
    const credentials = named && this.#deps.credentialsFor(named.productKey, named.deviceName);
    const grant = credentials ? this.#deps.tokens.verify(token, credentials.secret, this.#now()) : { refused: named ? 'invalid token' : 'malformed token' };
    if ('refused' in grant || !credentials!.enabled) {
      const why = 'refused' in grant ? grant.refused : 'device disabled';
      if (GUESSING.has(why)) this.#deps.bans?.failed(remoteAddress);
      this.#deps.logger.debug({ remoteAddress, why }, 'http device token refused');
      // Not in the connection history: a device whose token expired would write one entry per post. It signs in again.
      return answer(res, 401, { code: 401, message: why === 'token expired' ? 'token expired: sign in again at /auth' : 'not authorized' });
    }
    const session = this.#present(grant.productKey, grant.deviceName, grant.dialect, grant.deviceName, remoteAddress);
    let topic: string;
    try {
      topic = decodeURIComponent(req.path);
    } catch {
      return this.#refuse(session, req.path, undefined, 400, 'topic is not valid percent-encoding', res);
    }
    // Alink topics start with "/" (/sys/{pk}/{dn}/…), things topics do not ({pk}/{dn}/…): the URL path always does.
    if (session.dialect === 'things') topic = topic.slice(1);
    const codec = codecs[session.dialect];
    if (!codec.canPublish(session, topic)) return this.#refuse(session, topic, undefined, 403, 'topic outside the device namespace', res);
    this.#deps.hub.seen(session);
    this.#readBody(req, res, (err?: unknown) => {
      if (err) {
        if ((err as { type?: string }).type !== 'entity.too.large') return next(err);
        return this.#refuse(session, topic, undefined, 413, `body exceeds the limit of ${this.options.maxBodyBytes} bytes`, res);
      }
      this.#take(session, topic, Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), res);
    });
  }

  /** Rate limit, backpressure, decode, hand to the hub; the verdict is the response. */
  #take(session: HttpDeviceSession, topic: string, payload: Buffer, res: Response): void {
    const now = this.#now();
    const id = ID_IN_PAYLOAD.exec(payload.subarray(0, 256).toString('latin1'))?.[1];
    if (!session.takeToken(this.options.ratePerDevice, now)) {
      return this.#refuse(session, topic, id, 429, `rate limit of ${this.options.ratePerDevice} messages/s exceeded`, res);
    }
    const gate = this.#deps.gate;
    if (gate && !gate.open) {
      // No connection to hold back as MQTT does: the device is told to come back, and nothing was taken.
      res.setHeader('Retry-After', '1');
      return this.#refuse(session, topic, id, 503, `platform busy: ${gate.reason ?? 'overloaded'}`, res);
    }
    try {
      const decoded = codecs[session.dialect].decodeUplink(session, topic, payload, now, this.#deps.clockRule?.(session.productKey));
      if (!decoded.ok) {
        const envelope = decoded.reply?.payload;
        return this.#refuse(session, topic, decoded.id, decoded.code, decoded.reason, res, envelope);
      }
      // The device always waits for the answer (it is the HTTP response), so the hub is asked for one whatever `ack`
      // said; except for a device's reply to a command, which has its verdict already (asking would make it wait for a
      // flow): its post is answered 200 once taken.
      const deviceReply = DEVICE_REPLY_KINDS.has(decoded.message.kind);
      const message = { ...decoded.message, protocol: 'http' as const, ack: decoded.message.ack || !deviceReply };
      const waiter = session.wait(topic, message.id, res);
      const fingerprint = message.kind === 'raw.up' ? undefined : fingerprintOf(payload);
      this.#deps.hub.uplink(session, message, {
        fingerprint,
        onVerdict: (code, text) => {
          session.unwait(topic, message.id, waiter);
          send(waiter, code, waiter.envelope ?? envelopeOf(message.id, code, text));
        },
      });
    } catch (err) {
      this.#deps.logger.error({ err, topic, device: `${session.productKey}/${session.deviceName}` }, 'http uplink handling failed');
      this.#refuse(session, topic, id, 500, 'platform error', res);
    }
  }

  /** Answers a post the ingress will not process, recorded in the device's message log as MQTT refusals are. */
  #refuse(session: HttpDeviceSession, topic: string, id: string | undefined, code: number, reason: string, res: Response, envelope?: Buffer): void {
    const waiter: Waiter = { res, done: false };
    this.#deps.hub.refused(session, { id, topic }, code, reason, () => send(waiter, code, envelope ?? envelopeOf(id, code, reason)));
  }

  /**
   * The device's session, opened when it has none (or one in another dialect), its last request set to now. See the
   * class comment for what online means here.
   */
  #present(productKey: string, deviceName: string, dialect: Dialect, clientId: string, remoteAddress: string): HttpDeviceSession {
    const key = `${productKey}/${deviceName}`;
    const now = this.#now();
    let session = this.#sessions.get(key);
    // Signing in again in the other dialect is a new session (a takeover); in the same one, the session goes on.
    if (session && session.dialect !== dialect) session = undefined;
    if (session) {
      session.lastRequestAt = now;
      session.remoteAddress = remoteAddress;
      return session;
    }
    session = new HttpDeviceSession(this, productKey, deviceName, dialect, clientId, remoteAddress, now);
    // Connected over another transport (MQTT): that connection stays the device's session, and this post goes through
    // a session of its own that is never opened, so it neither takes the connection over nor touches online state.
    if (this.#deps.hub.isOnline(productKey, deviceName) && !this.#sessions.has(key)) return session;
    this.#sessions.set(key, session);
    // A session this device already had is closed by the hub as a takeover (HttpDeviceSession.close drops it).
    this.#deps.hub.opened(session, { commandsReady: false });
    this.#watch(session);
    return session;
  }

  /** Closes the session once it has seen no request for the online window (checked lazily: one timer per session). */
  #watch(session: HttpDeviceSession): void {
    const window = this.options.onlineWindowMs;
    const due = session.lastRequestAt + window - this.#now();
    session.timer = setTimeout(() => {
      if (this.#sessions.get(session.key) !== session) return;
      // A post still waiting for its verdict is a request in progress: its answer needs the session.
      if (this.#now() - session.lastRequestAt < window || session.waiting) return this.#watch(session);
      this.#end(session);
      this.#deps.hub.closed(session.id, 'keepalive-timeout', `no request for ${window / 1000} s`);
    }, Math.max(due, 50));
    session.timer.unref();
  }

  /** Forgets a session (the hub closed it, or it is about to be told). */
  #end(session: HttpDeviceSession): void {
    clearTimeout(session.timer);
    if (this.#sessions.get(session.key) === session) this.#sessions.delete(session.key);
  }

  /** For HttpDeviceSession.close. */
  ended(session: HttpDeviceSession): void {
    this.#end(session);
  }
}

/**
 * An HTTP device as the hub sees it: not a connection but a span of recent requests (see {@link HttpIngress}). Replies
 * are not sent by it but kept for the request waiting on them, which answers once the verdict is durable.
 */
class HttpDeviceSession implements DeviceSession {
  readonly id = randomUUID();
  readonly protocol = 'http' as const;
  readonly key: string;
  readonly connectedAt: number;
  timer: NodeJS.Timeout | undefined;
  /** Posts waiting for their verdict, by `{topic}\n{id}` (the same message posted twice at once: both, in order). */
  readonly #waiting = new Map<string, Waiter[]>();
  #tokens = Number.POSITIVE_INFINITY;
  #refilledAt: number;

  constructor(
    private readonly ingress: HttpIngress,
    readonly productKey: string,
    readonly deviceName: string,
    readonly dialect: Dialect,
    readonly clientId: string,
    public remoteAddress: string,
    public lastRequestAt: number,
  ) {
    this.key = `${productKey}/${deviceName}`;
    this.#refilledAt = lastRequestAt;
    this.connectedAt = lastRequestAt;
  }

  get replyTimeoutMs(): number | undefined {
    return this.ingress.options.replyTimeoutMs;
  }

  /** Token bucket of the per-device rate limit; false when the post is over it. */
  takeToken(rate: number, now: number): boolean {
    if (rate <= 0) return true;
    this.#tokens = Math.min(rate * 2, this.#tokens + ((now - this.#refilledAt) / 1000) * rate);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Whether posts are waiting for their verdict. */
  get waiting(): boolean {
    return this.#waiting.size > 0;
  }

  wait(topic: string, id: string, res: Response): Waiter {
    const waiter: Waiter = { res, done: false };
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
    const reply = codecs[this.dialect].encodeReply(message, code, data, text);
    if (waiter && reply) waiter.envelope = reply.payload;
  }

  /** Never called: the session opens not ready for commands (polling for them is not built yet). */
  sendCommand(_command: ThingCommand, _messageId: string): void {
    throw new Error('HTTP devices cannot take commands yet');
  }

  close(_reason: string): void {
    this.ingress.ended(this);
  }
}

/** What a sign-in body asks, in the shape the authenticator reads from a CONNECT; undefined when it has no shape. */
function connectRequest(body: unknown, secure: boolean): DeviceConnectRequest | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.productKey !== 'string' || typeof b.deviceName !== 'string') return undefined;
  if (typeof b.sign === 'string') {
    // Alink: the same fields and content as the MQTT client id `{id}|signmethod=…,timestamp=…|`.
    const clientId = b.clientId ?? '';
    const timestamp = typeof b.timestamp === 'number' ? String(b.timestamp) : b.timestamp;
    if (typeof clientId !== 'string' || /[|,]/.test(clientId)) return undefined;
    if (typeof b.signmethod !== 'string' || !PARAM.test(b.signmethod)) return undefined;
    if (timestamp !== undefined && (typeof timestamp !== 'string' || !DIGITS.test(timestamp))) return undefined;
    const params = [`signmethod=${b.signmethod}`];
    if (timestamp !== undefined) params.push(`timestamp=${timestamp}`);
    return { clientId: `${clientId}|${params.join(',')}|`, username: `${b.deviceName}&${b.productKey}`, password: b.sign, secure };
  }
  if (typeof b.password === 'string') {
    // Things: `{nonce}.{unix s}.{signature}`, client id = dn, username = pk.
    if (b.productKey.includes('&')) return undefined;
    return { clientId: b.deviceName, username: b.productKey, password: b.password, secure };
  }
  return undefined;
}

/** The reply envelope when the dialect made none (a refusal, a device reply): `{id, code, data, message}`. */
function envelopeOf(id: string | undefined, code: number, text: string | null | undefined): Buffer {
  return Buffer.from(JSON.stringify({ id: id ?? null, code, data: {}, message: text ?? (code < 300 ? 'success' : '') }));
}

/** Sends a verdict once: HTTP 200 for 2xx codes, the code itself for 4xx/5xx, 200 for codes HTTP has no use for. */
function send(waiter: Waiter, code: number, envelope: Buffer): void {
  if (waiter.done) return;
  waiter.done = true;
  const { res } = waiter;
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  const status = code >= 400 && code <= 599 ? code : 200;
  res.status(status).type('application/json').send(envelope);
}

function answer(res: Response, status: number, body: object): void {
  if (!res.headersSent) res.status(status).json(body);
}
