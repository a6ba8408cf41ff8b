import type dgram from 'node:dgram';
import { isIPv6, type AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { Server, parameters, type IncomingMessage, type OutgoingMessage, type CoapPacket } from 'coap';
import { DeviceTokens } from '../ingress/device-tokens.ts';
import { ListenerPool } from '../ingress/listener-pool.ts';
import { bindUdpSocket } from '../ingress/udp-socket.ts';
import { TokenIngress, answer, type IngressAnswer, type Peer, type TokenIngressDeps } from '../ingress/token-ingress.ts';
import type { CoapListenerConfig } from '../../domain/devices/coap-listener-config.ts';

/** The CoAP option that carries a device's token (Alibaba IoT's CoAP access). */
export const TOKEN_OPTION = '2088';
const MAX_AUTH_BYTES = 8 * 1024;
/** Block-wise uploads being put together at once, and the bytes they may hold: beyond either, the oldest is dropped. */
const MAX_TRANSFERS = 1000;
const MAX_TRANSFER_BYTES = 32 * 1024 * 1024;
/** A block-wise upload with no block for this long is dropped (RFC 7959 leaves it to the server). */
const TRANSFER_IDLE_MS = 60_000;
/** Observations of command resources at once (one per device; a device's new one replaces its old one). */
const MAX_OBSERVATIONS = 100_000;
/** Responses the package keeps to answer retransmitted requests (its default is 32 MiB). */
const RESPONSE_CACHE_BYTES = 8 * 1024 * 1024;
/** A notification's payload that still fits one block; larger batches go out as several notifications. */
const NOTIFICATION_BYTES = 1024;

// A single command too large for one block still goes out as one notification (a larger datagram) rather than being
// lost: the package refuses to generate datagrams over this, which is only meant to keep its own responses small.
parameters.maxMessageSize = Math.max(parameters.maxMessageSize, 64 * 1024 - 64);

export const coapRestartKey = (c: CoapListenerConfig) => JSON.stringify([c.port, c.host]);

/** The CoAP response code of an answer's HTTP-like code (docs/protocol.md "CoAP devices"). */
const CODES: Record<number, string> = {
  400: '4.00', 401: '4.01', 403: '4.03', 404: '4.04', 405: '4.05', 409: '4.09', 413: '4.13', 422: '4.22', 429: '4.29',
  500: '5.00', 503: '5.03', 504: '5.04',
};

/** `success` is the code a 2xx answer takes: 2.04 Changed for a post, 2.05 Content for what is read. */
export function coapCodeOf(code: number, success: '2.04' | '2.05'): string {
  if (code >= 200 && code < 300) return success;
  return CODES[code] ?? (code >= 500 ? '5.00' : '4.00');
}

/** A body arriving block by block (RFC 7959 Block1), per client endpoint and path. */
interface Transfer {
  key: string;
  blocks: Buffer[];
  bytes: number;
  /** The next block number expected. */
  next: number;
  lastAt: number;
}

/** What the block-wise layer decided about a request before it reaches the handler. */
type BlockStep =
  | { kind: 'continue'; block1: Buffer }
  | { kind: 'complete'; block1: Buffer }
  | { kind: 'too-large' }
  | { kind: 'incomplete' };

/** An observation of `/commands`: one per device. */
interface Observation {
  device: string;
  /** Client endpoint and token: a GET with the same ones deregisters it (RFC 7641 §3.6). */
  exchange: string;
  cancel(): void;
  /** Ends it when its token expires. */
  expiry?: NodeJS.Timeout;
  /** Takes its reader away from the device's session. */
  stopReading?: () => void;
}

/**
 * Device ingress over CoAP, after Alibaba IoT's CoAP access (docs/protocol.md "CoAP devices"), framing the requests
 * of a {@link TokenIngress}: `POST /auth` signs in, `POST /topic/{topic}` posts one uplink (token in option 2088) and
 * is answered with the device's reply envelope and the CoAP code of its verdict; `GET /commands` with Observe pushes
 * the device's commands as notifications, without it reads them once.
 *
 * The `coap` package does the message layer (confirmable retransmission, deduplication of retransmitted requests by
 * message id, piggybacked or separate responses, Block2 for long responses, observe streams). Block-wise uploads
 * (Block1) are put together here instead: the package keys them by request token, which libcoap changes with every
 * block, and holds them without limit. Every piece of state a datagram can create is bounded: the package's response
 * cache, the uploads in progress (count, bytes, idle time, the body limit each), one observation per device.
 */
export class CoapListener {
  readonly ingress: TokenIngress;
  #config: CoapListenerConfig;
  readonly #logger: TokenIngressDeps['logger'];
  #socket: dgram.Socket | undefined;
  #server: Server | undefined;
  /** Block-wise uploads in progress, least recently active first. */
  readonly #transfers = new Map<string, Transfer>();
  #transferBytes = 0;
  readonly #steps = new WeakMap<CoapPacket, BlockStep>();
  /** Requests being answered, by client endpoint and message id: a retransmission meanwhile is not processed again. */
  readonly #inFlight = new Set<string>();
  readonly #observations = new Map<string, Observation>();
  readonly #observationsByExchange = new Map<string, Observation>();

  constructor(config: CoapListenerConfig, deps: TokenIngressDeps) {
    this.#config = config;
    this.#logger = deps.logger;
    this.ingress = new TokenIngress('coap', deps, config);
  }

  get config(): CoapListenerConfig {
    return this.#config;
  }

  /** Settings but the port and host apply at once. */
  set config(config: CoapListenerConfig) {
    this.#config = config;
    this.ingress.settings = config;
  }

  /** The UDP port it listens on (the one bound when the config said 0). */
  get port(): number | undefined {
    return this.#socket ? (this.#socket.address() as AddressInfo).port : undefined;
  }

  /** Observations of command resources open now. */
  get observationCount(): number {
    return this.#observations.size;
  }

  /** Block-wise uploads in progress now. */
  get transferCount(): number {
    return this.#transfers.size;
  }

  async start(): Promise<void> {
    const { host } = this.#config;
    const socket = await bindUdpSocket(this.#config.port, host, this.#logger, 'coap');
    const server = new GuardedServer(
      { type: isIPv6(host) ? 'udp6' : 'udp4', cacheSize: RESPONSE_CACHE_BYTES },
      (packet, rsinfo) => this.#admit(packet, rsinfo),
      (err) => this.#logger.debug({ err }, 'coap datagram dropped'),
    );
    server.on('request', (req: IncomingMessage, res: OutgoingMessage) => this.#request(req, res));
    server.on('error', (err: Error) => this.#logger.warn({ err }, 'coap server error'));
    server.listen(socket);
    this.#socket = socket;
    this.#server = server;
  }

  async stop(): Promise<void> {
    this.ingress.close();
    for (const observation of [...this.#observations.values()]) observation.cancel();
    this.#transfers.clear();
    this.#transferBytes = 0;
    this.#server?.close();
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  // ── datagrams ─────────────────────────────────────────────────────────────────────────────────────────────────

  /** Before the package handles a parsed request: retransmissions of requests in progress, and Block1 uploads. */
  #admit(packet: CoapPacket, rsinfo: AddressInfo): boolean {
    if (packet.code === '0.00') {
      // An empty message: a confirmable one is a CoAP ping (RFC 7252 §4.3), answered with RST, which the package
      // would instead take for a request.
      if (packet.confirmable) this.#socket?.send(Buffer.from([0x70, 0x00, (packet.messageId! >> 8) & 0xff, packet.messageId! & 0xff]), rsinfo.port, rsinfo.address);
      return packet.ack === true || packet.reset === true; // an empty ACK or RST is the package's (observe, retransmission)
    }
    if (packet.ack || packet.reset || !packet.code?.startsWith('0.')) return true; // the package's business
    const endpoint = `${rsinfo.address}:${rsinfo.port}`;
    if (this.#inFlight.has(`${endpoint}/${packet.messageId}`)) return false;
    const options = packet.options ?? [];
    const i = options.findIndex((o) => o.name === 'Block1');
    if (i < 0) return true;
    const block1 = options[i]!.value as Buffer;
    // Take the option away so the package does not put the body together itself (see the class comment).
    options.splice(i, 1);
    this.#steps.set(packet, this.#block(endpoint, packet, block1));
    return true;
  }

  /** One Block1 block of an upload: what the request handler is to answer. */
  #block(endpoint: string, packet: CoapPacket, block1: Buffer): BlockStep {
    const now = Date.now();
    this.#expireTransfers(now);
    const value = block1.length === 0 ? 0 : block1.readUIntBE(0, Math.min(block1.length, 3));
    const num = value >> 4;
    const more = (value & 0x08) !== 0;
    const szx = value & 0x07;
    if (szx === 7) return { kind: 'incomplete' }; // reserved (BERT is for TCP)
    const size = 2 ** (szx + 4);
    const path = (packet.options ?? []).filter((o) => o.name === 'Uri-Path').map((o) => String(o.value)).join('/');
    const key = `${endpoint} ${path}`;
    const payload = packet.payload ?? Buffer.alloc(0);
    let transfer = this.#transfers.get(key);
    if (num === 0) {
      if (transfer) this.#dropTransfer(transfer);
      transfer = { key, blocks: [], bytes: 0, next: 0, lastAt: now };
    } else if (!transfer) {
      return { kind: 'incomplete' };
    } else if (num < transfer.next) {
      // A retransmitted block whose answer was lost: answered again, not added again.
      return more ? { kind: 'continue', block1 } : { kind: 'incomplete' };
    } else if (num > transfer.next || transfer.bytes !== num * size) {
      this.#dropTransfer(transfer);
      return { kind: 'incomplete' };
    }
    if (transfer.bytes + payload.length > this.#config.maxBodyBytes) {
      this.#dropTransfer(transfer);
      return { kind: 'too-large' };
    }
    if (more && payload.length !== size) {
      this.#dropTransfer(transfer);
      return { kind: 'incomplete' };
    }
    this.#transfers.delete(key); // re-inserted last: the map stays ordered by activity
    transfer.blocks.push(payload);
    transfer.bytes += payload.length;
    this.#transferBytes += payload.length;
    transfer.next = num + 1;
    transfer.lastAt = now;
    if (!more) {
      this.#transferBytes -= transfer.bytes;
      packet.payload = Buffer.concat(transfer.blocks);
      return { kind: 'complete', block1 };
    }
    this.#transfers.set(key, transfer);
    while (this.#transfers.size > MAX_TRANSFERS || this.#transferBytes > MAX_TRANSFER_BYTES) {
      this.#dropTransfer(this.#transfers.values().next().value!);
    }
    return { kind: 'continue', block1 };
  }

  #expireTransfers(now: number): void {
    for (const transfer of this.#transfers.values()) {
      if (now - transfer.lastAt < TRANSFER_IDLE_MS) break;
      this.#dropTransfer(transfer);
    }
  }

  #dropTransfer(transfer: Transfer): void {
    if (this.#transfers.get(transfer.key) !== transfer) return;
    this.#transfers.delete(transfer.key);
    this.#transferBytes -= transfer.bytes;
  }

  // ── requests ──────────────────────────────────────────────────────────────────────────────────────────────────

  #request(req: IncomingMessage, res: OutgoingMessage): void {
    const exchange = `${req.rsinfo.address}:${req.rsinfo.port}/${req._packet.messageId}`;
    this.#inFlight.add(exchange);
    let answered = false;
    const reply = (a: IngressAnswer, success: '2.04' | '2.05', extra?: (res: OutgoingMessage) => void) => {
      if (answered) return;
      answered = true;
      this.#inFlight.delete(exchange);
      try {
        res.code = coapCodeOf(a.code, success);
        res.setOption('Content-Format', 'application/json');
        // RFC 7252 §5.10.5 (5.03) and RFC 8516 (4.29): Max-Age says when to try again.
        if (a.retryAfter) res.setOption('Max-Age', a.retryAfter);
        extra?.(res);
        res.end(a.body);
      } catch (err) {
        this.#logger.warn({ err }, 'coap response failed');
      }
    };
    res.on('error', (err: Error) => this.#logger.debug({ err }, 'coap response not delivered'));
    try {
      this.#route(req, res, reply);
    } catch (err) {
      this.#logger.error({ err }, 'coap device request failed');
      reply(answer(500, 'platform error'), '2.04');
    }
    // An observation stays open; the retransmissions of its request are the package's to answer from now on.
    if (req.headers.Observe === 0) this.#inFlight.delete(exchange);
  }

  /** Answers 5.00 to a request whose handling failed; the reason goes to the log, not to the device. */
  #failed<S extends '2.04' | '2.05'>(reply: (a: IngressAnswer, success: S) => void, success: S): (err: unknown) => void {
    return (err) => {
      this.#logger.error({ err }, 'coap device request failed');
      reply(answer(500, 'platform error'), success);
    };
  }

  #route(req: IncomingMessage, res: OutgoingMessage, reply: (a: IngressAnswer, success: '2.04' | '2.05', extra?: (res: OutgoingMessage) => void) => void): void {
    const peer: Peer = { address: req.rsinfo.address, secure: false };
    const path = req.url.split('?')[0]!;
    const step = this.#steps.get(req._packet);
    if (step?.kind === 'incomplete') return reply(answer(408, 'block-wise transfer incomplete: start again at block 0'), '2.04', (r) => void (r.code = '4.08'));
    const echoBlock1 = step && 'block1' in step ? (r: OutgoingMessage) => void r.setOption('Block1', step.block1) : undefined;
    if (step?.kind === 'continue') {
      // More blocks to come: 2.31 Continue, the block acknowledged (RFC 7959 §2.3).
      return reply({ code: 200, body: Buffer.alloc(0) }, '2.04', (r) => {
        r.code = '2.31';
        echoBlock1!(r);
      });
    }
    const method = req.method;
    if (path === '/auth') {
      if (method !== 'POST') return reply(answer(405, 'POST the sign-in'), '2.05');
      if (step?.kind === 'too-large' || req.payload.length > MAX_AUTH_BYTES) return reply(answer(413, 'sign-in body too large'), '2.05');
      this.ingress.signIn(req.payload, peer).then((a) => reply(a, '2.05', echoBlock1), (err: unknown) => {
        this.#logger.error({ err }, 'coap sign-in failed');
        reply(answer(500, 'platform error'), '2.05');
      });
      return;
    }
    if (path === '/topic' || path.startsWith('/topic/')) {
      if (method !== 'POST') return reply(answer(405, 'POST a device message'), '2.04');
      const respond = (a: IngressAnswer) => reply(a, '2.04', echoBlock1);
      this.ingress.acceptPost(tokenOf(req), path.slice('/topic'.length) || '/', peer, respond).then((post) => {
        if (!post) return;
        if (step?.kind === 'too-large' || req.payload.length > this.#config.maxBodyBytes) {
          return post.refuse(413, `body exceeds the limit of ${this.#config.maxBodyBytes} bytes`, (a) => reply(a, '2.04', (r) => void r.setOption('Size1', this.#config.maxBodyBytes)));
        }
        post.take(req.payload, respond);
      }, this.#failed(reply, '2.04'));
      return;
    }
    if (path === '/commands') {
      if (method !== 'GET') return reply(answer(405, 'GET the commands'), '2.05');
      const exchange = `${req.rsinfo.address}:${req.rsinfo.port}/${req._packet.token?.toString('hex') ?? ''}`;
      // A GET with the token of an observation ends it, whatever it asks next (RFC 7641 §3.6).
      this.#observationsByExchange.get(exchange)?.cancel();
      if (req.headers.Observe === 0) return this.#observe(req, res, exchange, peer, reply);
      this.ingress.poll(tokenOf(req), peer, 0, (a) => reply(a, '2.05')).then((polled) => {
        if (typeof polled !== 'function') reply(polled, '2.05');
      }, this.#failed(reply, '2.05'));
      return;
    }
    reply(answer(404, `no device resource ${method} ${path}`), '2.04');
  }

  /** `GET /commands` with Observe 0: each batch of commands is a notification until the observation ends. */
  #observe(req: IncomingMessage, res: OutgoingMessage, exchange: string, peer: Peer, reply: (a: IngressAnswer, success: '2.05') => void): void {
    // The package answers an observe request with a write stream: each write is a notification.
    const stream = res as unknown as Writable & { code: string; setOption(name: string, value: unknown): unknown };
    const token = tokenOf(req);
    const device = token ? DeviceTokens.peek(token) : undefined;
    if (device && !this.#observations.has(`${device.productKey}/${device.deviceName}`) && this.#observations.size >= MAX_OBSERVATIONS) {
      return reply({ ...answer(503, 'too many observations'), retryAfter: 60 }, '2.05');
    }
    let ended = false;
    const observation: Observation = {
      device: device ? `${device.productKey}/${device.deviceName}` : '',
      exchange,
      cancel: () => {
        if (ended) return;
        ended = true;
        clearTimeout(observation.expiry);
        observation.stopReading?.();
        if (this.#observations.get(observation.device) === observation) this.#observations.delete(observation.device);
        if (this.#observationsByExchange.get(exchange) === observation) this.#observationsByExchange.delete(exchange);
        if (!stream.writableEnded) stream.end();
      },
    };
    const push = (a: IngressAnswer) => {
      if (ended) return;
      for (const body of notifications(a.body)) {
        stream.code = coapCodeOf(a.code, '2.05');
        stream.setOption('Content-Format', 'application/json');
        stream.write(body);
      }
    };
    this.ingress.observe(token, peer, push).then((observed) => {
      if (typeof observed !== 'function') {
        ended = true;
        return reply(observed, '2.05');
      }
      observation.stopReading = observed;
      // RST to a notification, a confirmable notification never acknowledged, or the listener stopping: it ends.
      stream.on('finish', observation.cancel);
      stream.on('close', observation.cancel);
      if (stream.writableEnded || stream.destroyed) return observation.cancel();
      // One per device: a device that observes again (after a reboot, from a new port) replaces its old observation.
      this.#observations.get(observation.device)?.cancel();
      this.#observations.set(observation.device, observation);
      this.#observationsByExchange.set(exchange, observation);
      // The observation lasts as long as the token it was made with: the device signs in again and observes anew.
      observation.expiry = setTimeout(observation.cancel, Math.max(0, device!.expiresAt - Date.now()));
      observation.expiry.unref();
    }, (err: unknown) => {
      ended = true;
      this.#failed(reply, '2.05')(err);
    });
  }
}

/**
 * The package's server with two guards: a parsed request passes `admit` before the package handles it, and the errors
 * it would answer with 5.00 (to the wrong address: it leaves the address out) are dropped instead, as RFC 7252 §4.2
 * allows for messages that cannot be processed.
 */
class GuardedServer extends Server {
  readonly #admit: (packet: CoapPacket, rsinfo: AddressInfo) => boolean;
  readonly #dropped: (err: unknown) => void;

  constructor(options: ConstructorParameters<typeof Server>[0], admit: (packet: CoapPacket, rsinfo: AddressInfo) => boolean, dropped: (err: unknown) => void) {
    super(options);
    this.#admit = admit;
    this.#dropped = dropped;
  }

  override _handle(packet: CoapPacket, rsinfo: AddressInfo): void {
    if (this.#admit(packet, rsinfo)) super._handle(packet, rsinfo);
  }

  override _sendError(payload: Buffer): void {
    this.#dropped(new Error(payload.toString()));
  }
}

function tokenOf(req: IncomingMessage): string | undefined {
  const option = req._packet.options?.find((o) => String(o.name) === TOKEN_OPTION);
  return option && Buffer.isBuffer(option.value) ? option.value.toString('utf8') : undefined;
}

/**
 * The notifications a batch of commands goes out in: one when it fits a block, else one per command (a command
 * larger than a block alone in a larger datagram).
 */
function notifications(body: Buffer): Buffer[] {
  if (body.length <= NOTIFICATION_BYTES) return [body];
  const parsed = JSON.parse(body.toString('utf8')) as { data?: unknown[] };
  if (!Array.isArray(parsed.data) || parsed.data.length <= 1) return [body];
  return parsed.data.map((command) => Buffer.from(JSON.stringify({ ...parsed, data: [command] })));
}

/** The CoAP listeners the CoAP listener nodes own, kept across deploys (see {@link ListenerPool}). */
export class CoapListenerPool extends ListenerPool<CoapListenerConfig, CoapListener> {}

export function createCoapListenerPool(deps: TokenIngressDeps, logger: TokenIngressDeps['logger'], graceMs?: number): CoapListenerPool {
  return new CoapListenerPool('coap', (config) => new CoapListener(config, deps), coapRestartKey, logger, graceMs);
}
