import { randomUUID } from 'node:crypto';
import type net from 'node:net';
import { encodeCommand, encodeReply, codecFailure, hexOf, rawTopic, takeFrame, type FrameDeps, type ProductCodec } from '../codecs/codec-frames.ts';
import type { CodecContext } from '../codecs/codec-sandbox.ts';
import type { DeviceSession, SessionCloseReason } from '../device-hub/device-session.ts';
import { fingerprintOf } from '../device-hub/uplink-receipts.ts';
import type { DeviceClockRule } from '../dialects/dialect.ts';
import { codecs as dialects } from '../dialects/index.ts';
import { ApiError } from '../errors.ts';
import { signInDevice, SIGN_IN_FIELDS, type SignInDeps, type SignInResult } from '../ingress/device-sign-in.ts';
import type { IngressGate } from '../ingress/ingress-gate.ts';
import { RateBucket } from '../ingress/rate-bucket.ts';
import { FrameReader, frameOut, type CodecFramer } from './tcp-framing.ts';
import type { Dialect, ThingCommand, ThingMessage } from '../../domain/devices/thing-message.ts';
import type { TcpListenerConfig } from '../../domain/devices/tcp-listener-config.ts';

/** What the TCP listener needs from the platform. */
export interface TcpIngressDeps extends SignInDeps {
  gate?: IngressGate;
  clockRule?(productKey: string): DeviceClockRule;
  /** The product's published codec, loaded in the sandbox; undefined when it has none. */
  codecFor(productKey: string): Promise<ProductCodec | undefined>;
}

/** Counters for /metrics, since the listener started. */
export interface TcpCounters {
  signInTimeouts: number;
  /** Connections closed at once because `maxPendingSignIns` were signing in. */
  refusedPending: number;
  /** Sign-ins refused (bad fields, not authorized, banned address). */
  signInsRefused: number;
  /** Connections closed for a frame (or a length prefix) over the limit. */
  framesTooLarge: number;
  /** Frames of signed-in devices refused (not JSON, codec failures, over the rate, refused by the dialect). */
  framesRefused: number;
  idleTimeouts: number;
  /** Connections closed because the device did not read what it was sent. */
  slowReaders: number;
}

/** A connection's view of its listener: the live settings (a redeploy changes them in place) and where to report. */
export interface TcpConnectionHost {
  readonly config: TcpListenerConfig;
  readonly deps: TcpIngressDeps;
  readonly counters: TcpCounters;
  /** The connection signed in, or closed before it did: it no longer counts as pending. */
  settled(connection: TcpConnection): void;
  closed(connection: TcpConnection): void;
}

/** A signed-in device on this connection. */
interface Device {
  session: TcpDeviceSession;
  /** Its product's published codec; absent: frames are JSON `{topic, payload}`. */
  codec?: ProductCodec;
  context: CodecContext;
  /** The per-device rate limit. */
  rate: RateBucket;
}

const ID_IN_PAYLOAD = /"id"\s*:\s*"?(\d{1,10})/;

/**
 * One device's TCP connection (docs/protocol.md "TCP devices"): the stream cut into frames, the first frame a
 * sign-in (JSON fields, or a codec `login`), then the device's session in the hub; each further frame an uplink
 * (through the device product's codec, or JSON `{topic, payload}` in its dialect), and what the platform sends
 * (answers, replies, commands) framed the same way.
 *
 * Reading is paused while something is in progress that the next frame must wait for (the codecs being looked up, a
 * sign-in), and while the platform is overloaded (the ingress gate): TCP then pushes back on the device, as MQTT
 * holds back its publishes. Bytes held are bounded by the frame limit plus one socket read.
 */
export class TcpConnection {
  readonly remoteAddress: string;
  readonly #host: TcpConnectionHost;
  readonly #socket: net.Socket;
  readonly #reader: FrameReader;
  #state: 'pending' | 'open' | 'closed' = 'pending';
  /** Reading waits (codec lookup, sign-in, a closed gate). */
  #busy = true;
  #listenerCodec: ProductCodec | undefined;
  #device: Device | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastFrameAt = Date.now();
  #closeReason: { reason: SessionCloseReason; detail?: string } | undefined;

  constructor(host: TcpConnectionHost, socket: net.Socket) {
    this.#host = host;
    this.#socket = socket;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.#reader = new FrameReader(() => this.#host.config, this.#codecFramer);
  }

  /** Read after calls that may close it (TypeScript keeps a narrowed `#state` across them). */
  get closed(): boolean {
    return this.#state === 'closed';
  }

  get signedIn(): boolean {
    return this.#state === 'open';
  }

  /** The device's session once signed in (tests and the listener's shutdown). */
  get session(): DeviceSession | undefined {
    return this.#device?.session;
  }

  start(): void {
    const socket = this.#socket;
    socket.setNoDelay(true); // without it (Nagle) p50 latency is 20–30 ms, measured
    socket.on('data', (chunk: Buffer) => {
      this.#reader.push(chunk);
      this.#drain();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.#closeReason ??= { reason: 'connection-lost', detail: err.code ?? err.message };
    });
    socket.on('close', () => this.#ended());
    socket.pause();
    const seconds = this.#host.config.signInTimeoutMs / 1000;
    this.#timer = setTimeout(() => {
      this.#host.counters.signInTimeouts++;
      this.#host.deps.logger.debug({ remoteAddress: this.remoteAddress }, 'tcp connection closed: no sign-in in time');
      this.#answerAndClose(408, `no sign-in within ${seconds} s`);
    }, this.#host.config.signInTimeoutMs);
    this.#timer.unref();
    const productKey = this.#host.config.productKey;
    if (!productKey) return this.#resume();
    // The listener's product codec reads the first frame (a codec login) and, with `codec` framing, cuts the stream.
    this.#host.deps.codecFor(productKey).then(
      (codec) => {
        this.#listenerCodec = codec;
        this.#resume();
      },
      (err: unknown) => {
        this.#host.deps.logger.error({ err, productKey }, 'loading the TCP listener\'s product codec failed');
        this.#resume();
      },
    );
  }

  /** Closes the connection (server stop). */
  stop(): void {
    this.#close({ reason: 'server-stop' }, false);
  }

  // ── reading ───────────────────────────────────────────────────────────────────────────────────────────────────

  #drain(): void {
    while (this.#state !== 'closed' && !this.#busy) {
      const gate = this.#host.deps.gate;
      if (this.#state === 'open' && gate && !gate.open) {
        // Not read until the pipeline has room: the device's bytes wait in its socket, and TCP slows it down.
        this.#pause();
        gate.whenOpen(() => this.#resume());
        return;
      }
      const step = this.#reader.next();
      if (step.kind === 'more') return;
      if (step.kind === 'error') return this.#frameError(step.reason, step.tooLarge);
      try {
        if (this.#state === 'pending') {
          // Reads stay paused until the sign-in is decided (the device's credentials may be a database read away).
          this.#signIn(step.frame).catch((err: unknown) => {
            this.#host.deps.logger.error({ err, remoteAddress: this.remoteAddress }, 'tcp sign-in failed');
            if (!this.closed) this.#answerAndClose(500, 'platform error');
          });
        } else this.#uplink(this.#device!, step.frame);
      } catch (err) {
        // Answering it closed the connection (a device that does not read): nothing more to do.
        if (this.closed) return;
        // A bug of ours costs the frame (logged, and in the device's message log), never the process.
        this.#host.deps.logger.error({ err, remoteAddress: this.remoteAddress }, 'tcp frame handling failed');
        if (this.#device) this.#host.deps.hub.refused(this.#device.session, { topic: rawTopic(this.#device.session, this.#device.session.dialect) }, 500, 'platform error');
      }
    }
  }

  #pause(): void {
    this.#busy = true;
    this.#socket.pause();
  }

  #resume(): void {
    this.#busy = false;
    if (this.#state === 'closed') return;
    this.#socket.resume();
    this.#drain();
  }

  readonly #codecFramer: CodecFramer = (bytes) => {
    const codec = this.#listenerCodec;
    if (!codec || !codec.sandbox.defines(codec.productKey, 'frame')) {
      return { ok: false, reason: `framing is "codec" but product ${this.#host.config.productKey || '(none)'} has no published codec with frame()` };
    }
    const found = codec.sandbox.frame(codec.productKey, bytes, this.#context(codec.productKey));
    return found.ok ? found : { ok: false, reason: codecFailure('frame', found.error, bytes) };
  };

  #frameError(reason: string, tooLarge: boolean): void {
    const counters = this.#host.counters;
    if (tooLarge) counters.framesTooLarge++;
    const device = this.#device;
    if (device) {
      this.#host.deps.hub.refused(device.session, { topic: rawTopic(device.session, device.session.dialect) }, tooLarge ? 413 : 400, `${reason}: connection closed`);
      return this.#close({ reason: tooLarge ? 'packet-too-large' : 'error', detail: reason }, true);
    }
    this.#host.deps.logger.debug({ remoteAddress: this.remoteAddress, reason }, 'tcp connection closed before sign-in');
    this.#answerAndClose(tooLarge ? 413 : 400, reason);
  }

  // ── sign-in ───────────────────────────────────────────────────────────────────────────────────────────────────

  /** The first frame: JSON sign-in fields, or a frame the listener's product codec decodes to a `login`. */
  async #signIn(frame: Buffer): Promise<void> {
    const json = jsonObjectOf(frame);
    const codec = this.#listenerCodec;
    let fields: unknown = json;
    if (!json) {
      if (!codec) return this.#refuseSignIn(400, `the first frame must sign in: JSON ${SIGN_IN_FIELDS}`);
      // Whoever connects is told what is expected, not what the product's codec said: that is for the logs.
      const expected = `the first frame must sign in: JSON ${SIGN_IN_FIELDS}, or a login frame of product ${codec.productKey}`;
      const decoded = codec.sandbox.decode(codec.productKey, frame, this.#context(codec.productKey));
      if (!decoded.ok) return this.#refuseSignIn(400, expected, undefined, codecFailure('decode', decoded.error, frame));
      const login = decoded.value.find((m) => m.kind === 'login');
      if (!login) return this.#refuseSignIn(400, expected, undefined, `codec decode returned no login from ${hexOf(frame)}`);
      fields = { productKey: codec.productKey, ...(login.params as object) };
    }
    this.#pause();
    const result = await signInDevice(this.#host.deps, fields, { address: this.remoteAddress, secure: false }, 'tcp');
    if (this.#state === 'closed') return;
    if (!result.ok) return this.#refuseSignIn(result.code, result.message, json ? undefined : codec);
    // In a cluster: what other nodes answered this device, before its first frame here is judged.
    await this.#host.deps.hub.beforeSession(result.productKey, result.deviceName);
    if (this.#closedMeanwhile()) return;
    this.#host.deps.codecFor(result.productKey).then(
      (own) => this.#open(result, own, json ? undefined : codec),
      (err: unknown) => {
        this.#host.deps.logger.error({ err, productKey: result.productKey }, 'loading a product codec failed');
        this.#open(result, undefined, json ? undefined : codec);
      },
    );
  }

  /** Whether the connection closed during an await (a method, so that the compiler does not take the state as known). */
  #closedMeanwhile(): boolean {
    return this.#state === 'closed';
  }

  #refuseSignIn(code: number, message: string, viaCodec?: ProductCodec, detail?: string): void {
    this.#host.counters.signInsRefused++;
    this.#host.deps.logger.debug({ remoteAddress: this.remoteAddress, code, reason: detail ?? message }, 'tcp sign-in refused');
    // A first frame that is no sign-in at all counts towards the address's ban, as a malformed CONNECT does on MQTT:
    // it may have cost a codec call, and trying garbage in a loop is no device's behaviour.
    if (code === 400) this.#host.deps.bans?.failed(this.remoteAddress);
    this.#answerAndClose(code, message, viaCodec);
  }

  #open(result: Extract<SignInResult, { ok: true }>, codec: ProductCodec | undefined, viaCodec: ProductCodec | undefined): void {
    if (this.#state === 'closed') return;
    const { productKey, deviceName, dialect, clientId } = result;
    const session = new TcpDeviceSession(this, productKey, deviceName, dialect, clientId, this.remoteAddress, () => this.#host.config.replyTimeoutMs);
    this.#device = {
      session, codec, context: this.#context(productKey, deviceName),
      rate: new RateBucket(Date.now()),
    };
    this.#state = 'open';
    clearTimeout(this.#timer);
    this.#host.settled(this);
    this.#answer(0, 'success', viaCodec);
    // A session the device already had (another connection) is closed by the hub: `takeover`.
    this.#host.deps.hub.opened(session);
    this.#lastFrameAt = Date.now();
    this.#watchIdle();
    this.#resume();
  }

  /**
   * The answer to a sign-in (or to a connection refused before one): JSON `{code, message}`, or after a codec
   * `login` the codec's `encode` of `{kind: 'reply', request: 'login', code, message}`, code 200 for success (nothing
   * when it has none).
   */
  #answer(code: number, message: string, viaCodec?: ProductCodec): void {
    if (!viaCodec) return this.#writeJson({ code, message });
    if (!viaCodec.sandbox.defines(viaCodec.productKey, 'encode')) return;
    // The codec is told 200 for success, as every listener tells it (the JSON answer's 0 is Alibaba's convention).
    const reply = { kind: 'reply', request: 'login', code: code === 0 ? 200 : code, message };
    const encoded = viaCodec.sandbox.encode(viaCodec.productKey, reply, this.#context(viaCodec.productKey));
    if (encoded.ok) this.#write(encoded.value);
    else this.#host.deps.logger.debug({ remoteAddress: this.remoteAddress, error: encoded.error }, 'codec encode of the login answer failed');
  }

  #answerAndClose(code: number, message: string, viaCodec?: ProductCodec): void {
    if (this.#state === 'closed') return;
    try {
      this.#answer(code, message, viaCodec);
    } catch {
      // Over the write buffer: closed anyway.
    }
    this.#close(undefined, true);
  }

  // ── uplinks ───────────────────────────────────────────────────────────────────────────────────────────────────

  #uplink(device: Device, frame: Buffer): void {
    this.#lastFrameAt = Date.now();
    const { hub } = this.#host.deps;
    const { session, codec } = device;
    if (codec) {
      if (!this.#takeToken(device)) return this.#rateLimited(device, rawTopic(session, session.dialect));
      const outcome = takeFrame(this.#frameDeps, session, codec, frame, device.context);
      this.#host.counters.framesRefused += outcome.refused;
      return;
    }
    const parsed = jsonObjectOf(frame);
    const topic = parsed?.topic;
    if (!parsed || typeof topic !== 'string' || parsed.payload === undefined) {
      this.#host.counters.framesRefused++;
      const reason = `a frame must be JSON {"topic": "…", "payload": {…}}; got ${hexOf(frame, 32)}`;
      hub.refused(session, { topic: rawTopic(session, session.dialect) }, 400, reason);
      return this.#writeJson({ code: 400, message: reason });
    }
    const payload = typeof parsed.payload === 'string' ? Buffer.from(parsed.payload) : Buffer.from(JSON.stringify(parsed.payload));
    const dialect = dialects[session.dialect];
    if (!dialect.canPublish(session, topic)) {
      this.#host.counters.framesRefused++;
      hub.refused(session, { topic }, 401, 'topic outside the device namespace');
      // As MQTT 3.1.1 does: no negative answer to give for a topic that is not the device's, so the connection ends.
      return this.#close({ reason: 'acl-violation', detail: topic.slice(0, 200) }, true);
    }
    if (!this.#takeToken(device)) return this.#rateLimited(device, topic, payload);
    const decoded = dialect.decodeUplink(session, topic, payload, Date.now(), this.#host.deps.clockRule?.(session.productKey));
    if (!decoded.ok) {
      this.#host.counters.framesRefused++;
      if (decoded.reply) this.#sendPublish(decoded.reply.topic, decoded.reply.payload);
      return hub.refused(session, { id: decoded.id, topic }, decoded.code, decoded.reason);
    }
    // Raw uplinks are numbered by the platform: only the device's own ids identify a resend.
    const fingerprint = decoded.message.kind === 'raw.up' ? undefined : fingerprintOf(payload);
    hub.uplink(session, { ...decoded.message, protocol: 'tcp' }, { fingerprint });
  }

  /** The per-device rate limit, read live: a redeploy changing it applies to the next frame. */
  #takeToken(device: Device): boolean {
    return device.rate.take(this.#host.config.ratePerDevice, Date.now());
  }

  /** A frame over the rate: 429 in the message log; a JSON device asking for replies is answered on `{topic}_reply`. */
  #rateLimited(device: Device, topic: string, payload?: Buffer): void {
    this.#host.counters.framesRefused++;
    const reason = `rate limit of ${this.#host.config.ratePerDevice} messages/s exceeded`;
    const id = payload && ID_IN_PAYLOAD.exec(payload.subarray(0, 256).toString('latin1'))?.[1];
    const { session } = device;
    if (id) {
      const reply = dialects[session.dialect].encodeReply(
        { id, productKey: session.productKey, deviceName: session.deviceName, kind: 'property.post', params: {}, receivedAt: Date.now(), protocol: 'tcp', dialect: session.dialect, ack: true, topic } as ThingMessage,
        429, {}, reason,
      );
      if (reply) this.#sendPublish(reply.topic, reply.payload);
    }
    this.#host.deps.hub.refused(session, { id, topic }, 429, reason);
  }

  get #frameDeps(): FrameDeps {
    return { hub: this.#host.deps.hub, clockRule: this.#host.deps.clockRule, now: Date.now };
  }

  #context(productKey: string, deviceName?: string): CodecContext {
    return { productKey, ...(deviceName === undefined ? {} : { deviceName }), protocol: 'tcp', remoteAddress: this.remoteAddress };
  }

  // ── what the platform sends ───────────────────────────────────────────────────────────────────────────────────

  /** The hub's verdict on an uplink that asked for one. Throws when it cannot be sent (the hub logs that). */
  reply(message: ThingMessage, code: number, data: unknown, text: string | undefined): void {
    const device = this.#device;
    if (!device || this.#state === 'closed') return;
    if (!device.codec) {
      const reply = dialects[device.session.dialect].encodeReply(message, code, data, text);
      if (reply) this.#sendPublish(reply.topic, reply.payload);
      return;
    }
    const encoded = encodeReply(device.codec, message, code, data, text, device.context);
    if (typeof encoded === 'string') throw new Error(encoded);
    if (encoded) this.#write(encoded);
  }

  /** A command as the device's codec encodes it, or as JSON `{topic, payload}`. Throws a 400 the hub answers with. */
  command(command: ThingCommand, messageId: string): void {
    const device = this.#device;
    if (!device || this.#state === 'closed') throw new ApiError(503, 'device_offline', 'the connection has ended');
    if (device.codec) return this.#write(encodeCommand(device.codec, command, messageId, device.context));
    const out = dialects[device.session.dialect].encodeCommand(device.session, command, messageId);
    this.#sendPublish(out.topic, out.payload);
  }

  /** The hub ends the session (takeover, device disabled, deleted or re-keyed): it has recorded it already. */
  kicked(reason: string): void {
    this.#close({ reason: reason as SessionCloseReason }, true);
  }

  /** What an MQTT device would get published: `{topic, payload}`, the payload parsed (base64 when it is not JSON). */
  #sendPublish(topic: string, payload: Buffer): void {
    let body: object;
    try {
      body = { topic, payload: JSON.parse(payload.toString('utf8')) as unknown };
    } catch {
      body = { topic, payloadBase64: payload.toString('base64') };
    }
    this.#writeJson(body);
  }

  /**
   * Sends JSON. With `fixed` framing it is padded with spaces to a whole number of frames (JSON allows them), so that
   * a device reading fixed frames stays in step.
   */
  #writeJson(body: object): void {
    let bytes = Buffer.from(JSON.stringify(body));
    const { framing, fixedBytes } = this.#host.config;
    if (framing === 'fixed' && bytes.length % fixedBytes !== 0) {
      bytes = Buffer.concat([bytes, Buffer.alloc(fixedBytes - (bytes.length % fixedBytes), 0x20)]);
    }
    this.#write(bytes);
  }

  /**
   * Sends one frame. A device that does not read would make its unsent bytes grow without end: past
   * `maxWriteBufferBytes` waiting the connection is closed (with the reason in its history) and the send throws.
   */
  #write(bytes: Uint8Array): void {
    if (this.#state === 'closed') return;
    const { framing, maxWriteBufferBytes } = this.#host.config;
    const framed = frameOut(framing, bytes);
    if (this.#socket.writableLength + framed.length > maxWriteBufferBytes) {
      this.#host.counters.slowReaders++;
      const detail = `the device does not read: over ${maxWriteBufferBytes} bytes waiting to be sent`;
      this.#close({ reason: 'error', detail }, false);
      throw new ApiError(503, 'device_not_reading', detail);
    }
    this.#socket.write(framed);
  }

  // ── ending ────────────────────────────────────────────────────────────────────────────────────────────────────

  /** Closes the connection once it has seen no frame for the idle timeout (one timer, re-armed lazily). */
  #watchIdle(): void {
    const due = this.#lastFrameAt + this.#host.config.idleTimeoutMs - Date.now();
    this.#timer = setTimeout(() => {
      if (this.#state !== 'open') return;
      const idle = this.#host.config.idleTimeoutMs;
      // Held back by the gate, the device's frames are waiting on our side: not its silence.
      if (this.#busy || Date.now() - this.#lastFrameAt < idle) return this.#watchIdle();
      this.#host.counters.idleTimeouts++;
      this.#close({ reason: 'keepalive-timeout', detail: `no frame for ${idle / 1000} s` }, true);
    }, Math.max(due, 50));
    this.#timer.unref();
  }

  /** Ends the connection: `flush` lets what was written go out first (an answer saying why). */
  #close(reason: { reason: SessionCloseReason; detail?: string } | undefined, flush: boolean): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#closeReason ??= reason;
    clearTimeout(this.#timer);
    const socket = this.#socket;
    if (!flush) return void socket.destroy();
    socket.end(() => socket.destroy());
    // A device that never reads never lets the end through: it is cut off after a moment.
    setTimeout(() => socket.destroy(), 2000).unref();
  }

  #ended(): void {
    this.#state = 'closed';
    clearTimeout(this.#timer);
    this.#host.settled(this);
    this.#host.closed(this);
    const device = this.#device;
    if (device) {
      const why = this.#closeReason ?? { reason: 'disconnect' as const };
      this.#host.deps.hub.closed(device.session.id, why.reason, why.detail);
    }
  }
}

/** A device connected over TCP, as the device hub sees it. */
class TcpDeviceSession implements DeviceSession {
  readonly id = randomUUID();
  readonly connectedAt = Date.now();
  readonly protocol = 'tcp' as const;

  constructor(
    private readonly connection: TcpConnection,
    readonly productKey: string,
    readonly deviceName: string,
    readonly dialect: Dialect,
    readonly clientId: string,
    readonly remoteAddress: string,
    private readonly replyTimeout: () => number | undefined,
  ) {}

  get replyTimeoutMs(): number | undefined {
    return this.replyTimeout();
  }

  replyUplink(message: ThingMessage, code: number, data?: unknown, text?: string): void {
    this.connection.reply(message, code, data, text);
  }

  sendCommand(command: ThingCommand, messageId: string): void {
    this.connection.command(command, messageId);
  }

  close(reason: string): void {
    this.connection.kicked(reason);
  }
}

/** The frame as a JSON object, or undefined when it is not one (cheaply: only frames starting with `{` are parsed). */
function jsonObjectOf(frame: Buffer): Record<string, unknown> | undefined {
  let i = 0;
  while (i < frame.length && (frame[i] === 0x20 || frame[i] === 0x09 || frame[i] === 0x0a || frame[i] === 0x0d)) i++;
  if (frame[i] !== 0x7b) return undefined;
  try {
    const value = JSON.parse(frame.toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
