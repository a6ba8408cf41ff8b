import type dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { codecs as dialects } from '../dialects/index.ts';
import { codecFailure, encodeCommand, encodeReply, hexOf, rawTopic, takeFrame, type ProductCodec } from '../codecs/codec-frames.ts';
import type { CodecContext } from '../codecs/codec-sandbox.ts';
import type { CodecStore } from '../codecs/codec-store.ts';
import { DeviceTokens } from '../ingress/device-tokens.ts';
import { ListenerPool } from '../ingress/listener-pool.ts';
import { bindUdpSocket } from '../ingress/udp-socket.ts';
import { RateBuckets } from '../ingress/rate-bucket.ts';
import {
  TokenIngress, answer, delivered, type DeviceReach, type IngressAnswer, type Peer, type SignedIn, type TokenDevice,
  type TokenIngressDeps,
} from '../ingress/token-ingress.ts';
import type { ThingCommand, ThingMessage } from '../../domain/devices/thing-message.ts';
import type { UdpListenerConfig } from '../../domain/devices/udp-listener-config.ts';

/** What the UDP listener needs beyond a token ingress: products' published codecs (the CodecStore). */
export interface UdpIngressDeps extends TokenIngressDeps {
  codecs: Pick<CodecStore, 'published' | 'loadedCodec'>;
}

/** Source addresses whose datagram rate is tracked at once (the least recently heard from is forgotten first). */
const MAX_RATE_ADDRESSES = 100_000;
/** Datagrams waiting behind one that awaits a product's codec (a sign-in); more are dropped and counted. */
const MAX_QUEUED = 1000;
/** The sign-in answer when the one with the token would be larger than the sign-in datagram. */
const SIGNED_IN_SHORT = Buffer.from(JSON.stringify({ code: 0, message: 'success' }));

export const udpRestartKey = (c: UdpListenerConfig) => JSON.stringify([c.port, c.host]);

/** A source address and port a device signed in (or sent its token) from: its datagrams from there are its own. */
interface Binding {
  key: string;
  productKey: string;
  deviceName: string;
  token: string;
  expiresAt: number;
  lastAt: number;
}

/** What the listener dropped or refused, for /metrics. */
export interface UdpListenerStats {
  datagrams: number;
  /** Over the per-address rate: dropped unread. */
  rateLimited: number;
  /** Over the size limit. */
  oversized: number;
  /** From an address nobody is bound to, and neither a sign-in, a token datagram nor a codec login. */
  unrecognised: number;
  /** Answers not sent because they would have been larger than the datagram they answered (no amplification). */
  unanswered: number;
  /** Dropped because too many waited behind sign-ins looking up their product's codec. */
  busy: number;
  /** Bindings forgotten to make room for new ones. */
  bindingsEvicted: number;
  /** Addresses bound now. */
  boundAddresses: number;
}

/**
 * Device ingress over plain UDP (docs/protocol.md "UDP devices"): each datagram is one frame, framing the requests of a
 * {@link TokenIngress}. A JSON sign-in datagram (or a codec `login`, read by the listener's product's codec) gets a
 * token and binds the source address and port to the device for its online window; a datagram carrying the token, or
 * any datagram from the bound address, is the device's: codec bytes for a product with a published codec, else
 * `{"topic", "payload"}` as the device would publish on MQTT, answered with `{"topic": "…_reply", "payload"}`. Commands
 * go to the device's last address while it is online, and otherwise wait as for HTTP devices.
 *
 * UDP source addresses can be forged, so nothing an unauthenticated datagram causes is sent back larger than it was
 * (a forged sign-in must not turn the platform into an amplifier), every source address is rate-limited before its
 * datagram is read, and everything a datagram can create is bounded: the rate table, the bindings, the queue.
 */
export class UdpListener {
  readonly ingress: TokenIngress;
  #config: UdpListenerConfig;
  readonly #deps: UdpIngressDeps;
  #socket: dgram.Socket | undefined;
  /** By `address:port`, least recently active first. */
  readonly #bindings = new Map<string, Binding>();
  /** The bound address of each device, by `pk/dn`. */
  readonly #bindingOf = new Map<string, string>();
  readonly #rates = new RateBuckets(MAX_RATE_ADDRESSES);
  /** Datagrams are handled in order: those behind one that waits for a codec lookup wait too. */
  #queue: Promise<void> | undefined;
  #queued = 0;
  readonly #stats = { datagrams: 0, rateLimited: 0, oversized: 0, unrecognised: 0, unanswered: 0, busy: 0, bindingsEvicted: 0 };

  constructor(config: UdpListenerConfig, deps: UdpIngressDeps) {
    this.#config = config;
    this.#deps = deps;
    const reach: DeviceReach = {
      command: (session, command, messageId) => this.#command(session, command, messageId),
      reply: (session, message, code, data, text) => this.#reply(session, message, code, data, text),
    };
    this.ingress = new TokenIngress('udp', deps, config, reach);
  }

  get config(): UdpListenerConfig {
    return this.#config;
  }

  /** Settings but the port and host apply at once. */
  set config(config: UdpListenerConfig) {
    this.#config = config;
    this.ingress.settings = config;
    if (!config.bindAddress) for (const binding of [...this.#bindings.values()]) this.#unbind(binding);
  }

  /** The UDP port it listens on (the one bound when the config said 0). */
  get port(): number | undefined {
    return this.#socket ? (this.#socket.address() as AddressInfo).port : undefined;
  }

  stats(): UdpListenerStats {
    return { ...this.#stats, boundAddresses: this.#bindings.size };
  }

  async start(): Promise<void> {
    const socket = await bindUdpSocket(this.#config.port, this.#config.host, this.#deps.logger, 'udp');
    socket.on('message', (bytes, rinfo) => this.#receive(bytes, rinfo));
    this.#socket = socket;
  }

  async stop(): Promise<void> {
    this.ingress.close();
    this.#bindings.clear();
    this.#bindingOf.clear();
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  // ── datagrams ─────────────────────────────────────────────────────────────────────────────────────────────────

  #receive(bytes: Buffer, rinfo: dgram.RemoteInfo): void {
    this.#stats.datagrams++;
    if (!this.#rates.take(rinfo.address, this.#config.ratePerAddress, Date.now())) {
      this.#stats.rateLimited++;
      return;
    }
    const handle = () => {
      try {
        return this.#handle(bytes, rinfo);
      } catch (err) {
        this.#deps.logger.error({ err, remoteAddress: rinfo.address }, 'udp datagram handling failed');
      }
    };
    if (!this.#queue) return void this.#track(handle());
    if (this.#queued >= MAX_QUEUED) {
      this.#stats.busy++;
      return;
    }
    this.#queued++;
    this.#track(this.#queue.then(() => {
      this.#queued--;
      return handle();
    }));
  }

  /** Datagrams after this one wait until it is done. */
  #track(pending: Promise<void> | void): void {
    if (!pending) return;
    const tracked: Promise<void> = pending
      .catch((err: unknown) => this.#deps.logger.error({ err }, 'udp datagram handling failed'))
      .then(() => {
        if (this.#queue === tracked) this.#queue = undefined;
      });
    this.#queue = tracked;
  }

  /** One datagram: what it is depends on what it says and where it comes from (the class comment). */
  #handle(bytes: Buffer, rinfo: dgram.RemoteInfo): Promise<void> | void {
    const peer: Peer = { address: rinfo.address, port: rinfo.port, secure: false };
    const binding = this.#bound(`${rinfo.address}:${rinfo.port}`);
    if (bytes.length > this.#config.maxDatagramBytes) {
      this.#stats.oversized++;
      if (binding) return this.#refuseBound(binding, peer, 413, `datagram of ${bytes.length} bytes exceeds the limit of ${this.#config.maxDatagramBytes}`, bytes);
      return;
    }
    const json = bytes[0] === 0x7b ? jsonObject(bytes) : undefined; // '{'
    if (json && typeof json.token === 'string') return this.#tokenPost(json, json.token, bytes, peer);
    if (json && typeof json.deviceName === 'string' && json.topic === undefined) return this.#signIn(json, bytes, peer);
    if (binding) return this.#fromBound(binding, json, bytes, peer);
    if (this.#config.productKey) return this.#login(bytes, peer);
    this.#stats.unrecognised++;
  }

  /** A JSON sign-in: answered with the token (when that is no larger than the datagram), the address bound. */
  async #signIn(fields: Record<string, unknown>, bytes: Buffer, peer: Peer): Promise<void> {
    if (typeof fields.productKey === 'string') await this.#lookUpCodec(fields.productKey);
    const { answer: signedIn, device } = await this.ingress.signInFor(fields, peer);
    if (device) this.#bind(peer, device);
    const short = signedIn.code === 200 && signedIn.body.length > bytes.length ? SIGNED_IN_SHORT : signedIn.body;
    this.#answerUnauthenticated(short, bytes.length, peer);
  }

  /** A codec `login` read by the listener's product's codec from an address nobody is bound to. */
  async #login(bytes: Buffer, peer: Peer): Promise<void> {
    const productKey = this.#config.productKey;
    await this.#lookUpCodec(productKey);
    const codec = this.#codecOf(productKey);
    const decoded = codec?.sandbox.decode(productKey, bytes, { productKey, protocol: 'udp', remoteAddress: peer.address });
    const login = decoded?.ok ? decoded.value.find((m) => m.kind === 'login') : undefined;
    if (!codec || !login || typeof login.params !== 'object' || login.params === null) {
      this.#stats.unrecognised++;
      if (decoded && !decoded.ok) this.#deps.logger.debug({ remoteAddress: peer.address, why: codecFailure('decode', decoded.error, bytes) }, 'udp datagram from an unbound address not a login');
      return;
    }
    const fields: Record<string, unknown> = { productKey, ...login.params };
    if (typeof fields.productKey === 'string' && fields.productKey !== productKey) await this.#lookUpCodec(fields.productKey);
    const { answer: signedIn, device } = await this.ingress.signInFor(fields, peer);
    if (device) this.#bind(peer, device);
    if (!codec.sandbox.defines(productKey, 'encode')) return;
    const body = JSON.parse(signedIn.body.toString('utf8')) as { message?: string };
    const reply = { kind: 'reply', request: 'login', code: signedIn.code, message: body.message ?? '', ...(device ? { token: device.token } : {}) };
    const context: CodecContext = {
      productKey: device?.productKey ?? productKey, ...(device ? { deviceName: device.deviceName } : {}), protocol: 'udp', remoteAddress: peer.address,
    };
    const encoded = codec.sandbox.encode(productKey, reply, context);
    if (!encoded.ok) return void this.#deps.logger.warn({ productKey, why: codecFailure('encode', encoded.error) }, 'udp login answer not encoded');
    this.#answerUnauthenticated(Buffer.from(encoded.value), bytes.length, peer);
  }

  /** `{token, topic, payload}`: posted as the token's device; a valid token binds this address to it. */
  async #tokenPost(json: Record<string, unknown>, token: string, bytes: Buffer, peer: Peer): Promise<void> {
    const named = DeviceTokens.peek(token);
    if (named) await this.#lookUpCodec(named.productKey);
    await this.#post(token, json, bytes, peer, () => {
      if (named) this.#bind(peer, { productKey: named.productKey, deviceName: named.deviceName, token, expiresAt: named.expiresAt });
    });
  }

  /** A datagram from a bound address without a token: a codec frame, or `{topic, payload}` for a JSON product. */
  async #fromBound(binding: Binding, json: Record<string, unknown> | undefined, bytes: Buffer, peer: Peer): Promise<void> {
    this.#touch(binding);
    const codec = this.#codecOf(binding.productKey);
    if (!codec && json) return this.#post(binding.token, json, bytes, peer);
    const accepted = await this.ingress.acceptFrame(binding.token, peer);
    if (!('session' in accepted)) {
      if (accepted.code === 401) this.#unbind(binding);
      return;
    }
    const { session } = accepted;
    if (!codec) {
      const reason = `not a JSON {"topic", "payload"} datagram, and product ${session.productKey} has no published codec; datagram (${bytes.length} bytes): ${hexOf(bytes)}`;
      return this.#deps.hub.refused(session, { topic: rawTopic(session, session.dialect), kind: 'raw.up' }, 400, reason);
    }
    takeFrame({ hub: this.#deps.hub, clockRule: this.#deps.clockRule, now: this.#deps.now ?? Date.now }, session, codec, bytes, contextOf(session));
  }

  /** A JSON post, answered on its reply topic; `accepted` runs when the token and topic were good. */
  async #post(token: string, json: Record<string, unknown>, bytes: Buffer, peer: Peer, accepted?: () => void): Promise<void> {
    const topic = json.topic;
    if (typeof topic !== 'string' || topic.length === 0 || topic.length > 256) {
      return this.#answerUnauthenticated(answer(400, 'expected {"token", "topic", "payload"} (the token may be left out from a bound address)').body, bytes.length, peer);
    }
    const respond = (a: IngressAnswer) => this.#send(replyDatagram(topic, a.body), peer.address, peer.port!);
    const refused = (a: IngressAnswer) => {
      if (a.code === 401) {
        const key = this.#bindingOf.get(deviceKeyOf(token));
        const binding = key ? this.#bindings.get(key) : undefined;
        if (binding?.token === token) this.#unbind(binding);
      }
      this.#answerUnauthenticated(replyDatagram(topic, a.body), bytes.length, peer);
    };
    // Alink topics start with "/", things topics do not; the ingress takes them as a request path (leading "/").
    const post = await this.ingress.acceptPost(token, topic.startsWith('/') ? topic : `/${topic}`, peer, refused);
    if (!post) return;
    accepted?.();
    post.take(Buffer.from(JSON.stringify(json.payload ?? null)), respond);
  }

  /** Refuses a bound device's datagram without reading it (too large), in its message log. */
  async #refuseBound(binding: Binding, peer: Peer, code: number, reason: string, bytes: Buffer): Promise<void> {
    const accepted = await this.ingress.acceptFrame(binding.token, peer);
    if (!('session' in accepted)) return;
    const { session } = accepted;
    this.#deps.hub.refused(session, { topic: rawTopic(session, session.dialect), kind: 'raw.up' }, code, `${reason}; starts with ${hexOf(bytes.subarray(0, 16))}`);
  }

  // ── what goes to devices ──────────────────────────────────────────────────────────────────────────────────────

  /** A command, to the device's address: the codec's bytes, or `{topic, payload}` for a JSON product. */
  #command(session: TokenDevice, command: ThingCommand, messageId: string): void {
    if (session.remotePort === undefined) throw new Error('the device has no address to send to');
    const codec = this.#codecOf(session.productKey);
    let bytes: Uint8Array;
    if (codec) bytes = encodeCommand(codec, command, messageId, contextOf(session));
    else {
      const out = dialects[session.dialect].encodeCommand(session, command, messageId);
      bytes = Buffer.from(JSON.stringify(delivered(out.topic, out.payload)));
    }
    this.#send(bytes, session.remoteAddress, session.remotePort);
  }

  /** The verdict on a codec frame's post that asked for one (`ack`), encoded by the codec, to the device's address. */
  #reply(session: TokenDevice, message: ThingMessage, code: number, data?: unknown, text?: string): void {
    const codec = this.#codecOf(session.productKey);
    if (!codec || session.remotePort === undefined) return;
    const encoded = encodeReply(codec, message, code, data, text, contextOf(session));
    if (typeof encoded === 'string') {
      return void this.#deps.logger.warn({ productKey: session.productKey, deviceName: session.deviceName, why: encoded }, 'udp reply not encoded');
    }
    if (encoded) this.#send(encoded, session.remoteAddress, session.remotePort);
  }

  /**
   * An answer to a datagram that was not known to be the device's when it came (a sign-in, a token not yet checked):
   * sent only when it is no larger than that datagram, so that a forged source address gets back no more than was sent.
   */
  #answerUnauthenticated(body: Buffer, limit: number, peer: Peer): void {
    if (body.length > limit) {
      this.#stats.unanswered++;
      return;
    }
    this.#send(body, peer.address, peer.port!);
  }

  #send(bytes: Uint8Array, address: string, port: number): void {
    this.#socket?.send(bytes, port, address, (err) => {
      if (err) this.#deps.logger.debug({ err, address, port }, 'udp datagram not sent');
    });
  }

  // ── bindings ──────────────────────────────────────────────────────────────────────────────────────────────────

  #bind(peer: Peer, device: SignedIn): void {
    if (!this.#config.bindAddress) return;
    const key = `${peer.address}:${peer.port}`;
    const deviceKey = `${device.productKey}/${device.deviceName}`;
    const previous = this.#bindingOf.get(deviceKey);
    if (previous !== undefined && previous !== key) this.#unbind(this.#bindings.get(previous));
    const there = this.#bindings.get(key);
    if (there) this.#unbind(there);
    while (this.#bindings.size >= this.#config.maxBoundAddresses) {
      this.#unbind(this.#bindings.values().next().value);
      this.#stats.bindingsEvicted++;
    }
    this.#bindings.set(key, { key, ...device, lastAt: Date.now() });
    this.#bindingOf.set(deviceKey, key);
  }

  /** The binding of an address, while it is within its online window and its token lasts; expired ones go. */
  #bound(key: string): Binding | undefined {
    const now = Date.now();
    // The least recently active first: the expired ones at the front are swept a few at a time.
    let swept = 0;
    for (const binding of this.#bindings.values()) {
      if (swept++ >= 4 || !this.#expired(binding, now)) break;
      this.#unbind(binding);
    }
    const binding = this.#bindings.get(key);
    if (!binding || !this.#expired(binding, now)) return binding;
    this.#unbind(binding);
    return undefined;
  }

  #expired(binding: Binding, now: number): boolean {
    return now - binding.lastAt >= this.#config.onlineWindowMs || binding.expiresAt <= now;
  }

  #touch(binding: Binding): void {
    binding.lastAt = Date.now();
    this.#bindings.delete(binding.key);
    this.#bindings.set(binding.key, binding);
  }

  #unbind(binding: Binding | undefined): void {
    if (!binding || this.#bindings.get(binding.key) !== binding) return;
    this.#bindings.delete(binding.key);
    const deviceKey = `${binding.productKey}/${binding.deviceName}`;
    if (this.#bindingOf.get(deviceKey) === binding.key) this.#bindingOf.delete(deviceKey);
  }

  // ── codecs ────────────────────────────────────────────────────────────────────────────────────────────────────

  /** The product's codec, when it has one loaded (a publish loads the new one in the same place). */
  #codecOf(productKey: string): ProductCodec | undefined {
    return this.#deps.codecs.loadedCodec(productKey);
  }

  /** Waits until the product's published codec, if any, is loaded (before a frame that needs it is read). */
  async #lookUpCodec(productKey: string): Promise<void> {
    try {
      await this.#deps.codecs.published(productKey);
    } catch (err) {
      this.#deps.logger.error({ err, productKey }, 'loading the product\'s codec failed');
    }
  }
}

function contextOf(session: TokenDevice): CodecContext {
  return { productKey: session.productKey, deviceName: session.deviceName, protocol: 'udp', remoteAddress: session.remoteAddress };
}

/** `{"topic": "{topic}_reply", "payload": …}`: how a post's answer goes back. */
function replyDatagram(topic: string, body: Buffer): Buffer {
  return Buffer.from(`{"topic":${JSON.stringify(`${topic}_reply`)},"payload":${body.toString('utf8')}}`);
}

function jsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function deviceKeyOf(token: string): string {
  const named = DeviceTokens.peek(token);
  return named ? `${named.productKey}/${named.deviceName}` : '';
}

/** The UDP listeners the UDP listener nodes own, kept across deploys (see {@link ListenerPool}). */
export class UdpListenerPool extends ListenerPool<UdpListenerConfig, UdpListener> {}

export function createUdpListenerPool(deps: UdpIngressDeps, logger: TokenIngressDeps['logger'], graceMs?: number): UdpListenerPool {
  return new UdpListenerPool('udp', (config) => new UdpListener(config, deps), udpRestartKey, logger, graceMs);
}
