import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { DeviceAuthenticator } from '../device-auth/device-authenticator.ts';
import type { DeviceHub } from '../device-hub/device-hub.ts';
import type { DeviceSession } from '../device-hub/device-session.ts';
import type { IngressGate } from '../ingress/ingress-gate.ts';
import type { Dialect, IngressProtocol, ThingCommand, ThingMessage } from '../device-hub/thing-message.ts';
import { codecs } from '../dialects/index.ts';
import type { DeviceClockRule, DialectCodec } from '../dialects/dialect.ts';
import { bridgeMqtt5 } from './mqtt5-bridge.ts';

/** What an MQTT listener node configures. Changing `port`, `host`, `tls` or `wsPath` restarts the listener. */
export interface MqttListenerConfig {
  port: number;
  host: string;
  /** MQTT over TLS on its own port, with a PEM certificate chain and key. */
  tls?: { port: number; cert: string; key: string };
  /** MQTT over WebSocket on the platform's HTTP server at this path (e.g. `/mqtt`); empty: none. */
  wsPath?: string;
  /** Largest accepted PUBLISH payload; larger ones are answered 400 and not processed. */
  maxPayloadBytes: number;
  /** Messages per second per device (burst: twice that); 0 = no limit. Over the limit: 429. */
  ratePerDevice: number;
  /** Accepted CONNECT keepalive range in seconds; a device outside it is refused. */
  keepaliveMin: number;
  keepaliveMax: number;
  /** How long flows have to answer an uplink before it gets 504; absent: the device hub's default. */
  replyTimeoutMs?: number;
}

/** The restart-free part of the config can change under running connections. */
export const restartKey = (c: MqttListenerConfig) => JSON.stringify([c.port, c.host, c.tls ?? null, c.wsPath ?? '']);

export interface MqttListenerDeps {
  hub: DeviceHub;
  authenticator: DeviceAuthenticator;
  logger: Logger;
  /** Backpressure from the pipeline: while it is closed, QoS 1 publishes wait for their PUBACK and QoS 0 are dropped. */
  gate?: IngressGate;
  /**
   * How far a product's device clocks are believed (the platform's skew, the product's refuse or clamp); asked per
   * uplink, so keep it a lookup. Absent: 5 minutes, refused.
   */
  clockRule?(productKey: string): DeviceClockRule;
  /** Registers a WebSocket upgrade path on the platform's HTTP server; returns the unregister function. */
  registerUpgrade(path: string, handler: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void): () => void;
}

interface Aedes {
  handle(stream: Duplex, req?: http.IncomingMessage): unknown;
  publish(packet: object, cb: (err?: Error) => void): void;
  on(event: string, listener: (...args: any[]) => void): void;
  close(cb: () => void): void;
  authenticate: unknown;
  preConnect: unknown;
  authorizePublish: unknown;
  authorizeSubscribe: unknown;
  clients: Record<string, AedesClient>;
}

interface AedesClient {
  id: string;
  conn: Duplex & { remoteAddress?: string };
  req?: http.IncomingMessage;
  close(cb?: () => void): void;
  /** Set by aedes once the connection has ended. */
  closed: boolean;
  /** Ours: the device behind this client, set once it authenticated. */
  thing?: ClientState;
}

interface PublishPacket {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
}

interface ClientState {
  session: MqttDeviceSession;
  codec: DialectCodec;
  keepalive: number;
  closeReason?: string;
  /** Commands go out only once the device subscribed (aedes drops publishes nobody is subscribed to). */
  subscribed: boolean;
  /** Token bucket for the per-device rate limit. */
  tokens: number;
  refilledAt: number;
}

const NOT_AUTHORIZED = 5;
const ID_IN_PAYLOAD = /"id"\s*:\s*"?(\d{1,10})/;

/**
 * One embedded MQTT broker (aedes) on TCP, optionally TLS and WebSocket, serving devices: signed CONNECT through the
 * device authenticator, every publish and subscribe checked against the device's namespace, uplinks decoded by the
 * device's dialect and handed to the device hub, replies and commands published back in that dialect. MQTT 5 clients
 * are served through a protocol bridge (aedes speaks 3.1.1).
 */
export class MqttListener {
  #broker?: Aedes;
  #servers: net.Server[] = [];
  #unregisterWs?: () => void;
  #wss?: WebSocketServer;
  readonly #sockets = new Set<Duplex>();

  constructor(
    public config: MqttListenerConfig,
    private readonly deps: MqttListenerDeps,
  ) {}

  /** Listening addresses, for logs and tests (port 0 resolves to the bound port). */
  get ports(): { tcp?: number; tls?: number } {
    const port = (s?: net.Server) => (s?.address() as net.AddressInfo | null)?.port;
    return { tcp: port(this.#servers[0]), tls: port(this.#servers[1]) };
  }

  async start(): Promise<void> {
    const { Aedes } = (await import('aedes')) as unknown as { Aedes: { createBroker(o: object): Promise<Aedes> } };
    const broker = await Aedes.createBroker({
      id: `thingwire-${this.config.port}`,
      // Devices must CONNECT promptly; a socket that says nothing is closed.
      connectTimeout: 10_000,
      heartbeatInterval: 60_000,
      maxClientsIdLength: 256,
      // aedes hands every publish to its emitter with at most `concurrency` deliveries in flight and queues the rest
      // in an array it shift()s: under load (replies to thousands of devices whose sockets are momentarily full)
      // that queue grows and each shift is O(n); profiled at a fifth of the CPU at 6k msg/s. Unbounded here: what is
      // in flight is bounded by the ingress gate (device messages waiting for flows) and the sockets themselves.
      concurrency: 0,
    });
    this.#broker = broker;
    broker.preConnect = (client: AedesClient, packet: { keepalive: number }, cb: (e: Error | null, ok: boolean) => void) => {
      (client as AedesClient & { keepaliveAsked?: number }).keepaliveAsked = packet.keepalive;
      cb(null, true);
    };
    broker.authenticate = (client: AedesClient, username: string | undefined, password: Buffer | undefined, cb: (e: Error | null, ok: boolean | null) => void) =>
      this.#authenticate(client, username, password, cb);
    broker.authorizeSubscribe = (client: AedesClient, sub: { topic: string; qos: number }, cb: (e: Error | null, s?: object | null) => void) => {
      const state = client.thing;
      cb(null, state && state.codec.canSubscribe(state.session, sub.topic) ? sub : null);
    };
    broker.authorizePublish = (client: AedesClient | null, packet: PublishPacket, cb: (e?: Error | null) => void) =>
      this.#onPublish(client, packet, cb);
    broker.on('clientReady', (client: AedesClient) => {
      if (client.thing) this.deps.hub.opened(client.thing.session, { commandsReady: false });
    });
    broker.on('subscribe', (_subs: unknown, client: AedesClient) => {
      const state = client?.thing;
      if (state && !state.subscribed) {
        state.subscribed = true;
        this.deps.hub.commandsReady(state.session);
      }
    });
    broker.on('keepaliveTimeout', (client: AedesClient) => {
      if (client.thing) client.thing.closeReason ??= 'keepalive-timeout';
    });
    broker.on('clientError', (client: AedesClient, err: Error) => {
      if (client.thing) client.thing.closeReason ??= 'error';
      this.deps.logger.debug({ clientId: client.id, err: err.message }, 'mqtt client error');
    });
    broker.on('connectionError', (_client: AedesClient, err: Error) => this.deps.logger.debug({ err: err.message }, 'mqtt connection error'));
    broker.on('clientDisconnect', (client: AedesClient) => {
      if (!client.thing) return;
      // aedes closes the older client itself when a new one comes with the same client id (the usual reconnect):
      // that is a takeover, not the device going away.
      const successor = broker.clients[client.id];
      const reason = successor && successor !== client ? 'takeover' : (client.thing.closeReason ?? 'disconnect');
      this.deps.hub.closed(client.thing.session.id, reason as never);
    });

    const accept = (protocol: IngressProtocol) => (socket: net.Socket) => {
      socket.setNoDelay(true); // FACTS.md: without it p50 latency is 20–30 ms
      this.#track(socket);
      (socket as Duplex & { thingwireProtocol?: IngressProtocol }).thingwireProtocol = protocol;
      bridgeMqtt5(socket, (stream) => broker.handle(stream));
    };
    const tcp = net.createServer(accept('mqtt'));
    this.#servers.push(tcp);
    await listen(tcp, this.config.port, this.config.host);
    if (this.config.tls) {
      const secure = tls.createServer({ cert: this.config.tls.cert, key: this.config.tls.key }, accept('mqtts'));
      secure.on('tlsClientError', (err) => this.deps.logger.debug({ err: err.message }, 'mqtt tls handshake failed'));
      this.#servers.push(secure);
      await listen(secure, this.config.tls.port, this.config.host);
    }
    if (this.config.wsPath) {
      const wss = new WebSocketServer({ noServer: true, maxPayload: this.config.maxPayloadBytes + 64 * 1024 });
      this.#wss = wss;
      this.#unregisterWs = this.deps.registerUpgrade(this.config.wsPath, (req, socket, head) => {
        wss.handleUpgrade(req, socket, head, (ws) => {
          const stream = createWebSocketStream(ws);
          (stream as Duplex & { thingwireProtocol?: IngressProtocol }).thingwireProtocol = 'mqtt-ws';
          (stream as Duplex & { remoteAddress?: string }).remoteAddress = req.socket.remoteAddress;
          stream.on('error', () => stream.destroy());
          this.#track(stream);
          bridgeMqtt5(stream, (s) => broker.handle(s, req));
        });
      });
    }
    this.deps.logger.info({ ...this.ports, wsPath: this.config.wsPath || undefined }, 'mqtt listener started');
  }

  async stop(): Promise<void> {
    this.#unregisterWs?.();
    for (const s of this.#servers) s.close();
    for (const s of this.#sockets) s.destroy();
    this.#wss?.close();
    if (this.#broker) await new Promise<void>((resolve) => this.#broker!.close(() => resolve()));
    this.deps.logger.info({ port: this.config.port }, 'mqtt listener stopped');
  }

  #track(socket: Duplex): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }

  #authenticate(client: AedesClient, username: string | undefined, password: Buffer | undefined, cb: (e: Error | null, ok: boolean | null) => void): void {
    const conn = client.conn as Duplex & { thingwireProtocol?: IngressProtocol; remoteAddress?: string };
    const protocol = conn.thingwireProtocol ?? 'mqtt';
    const remoteAddress = conn.remoteAddress ?? client.req?.socket.remoteAddress ?? 'unknown';
    const refuse = (reason: string, productKey?: string, deviceName?: string, dialect?: Dialect) => {
      this.deps.hub.recordRefused({ productKey, deviceName, remoteAddress, protocol, dialect, clientId: client.id, reason });
      // The same answer whatever the reason: a device that does not exist looks like a wrong signature.
      cb(Object.assign(new Error('not authorized'), { returnCode: NOT_AUTHORIZED }), null);
    };
    let result;
    try {
      result = this.deps.authenticator.authenticate({ clientId: client.id, username, password, secure: protocol === 'mqtts' || protocol === 'mqtt-wss' });
    } catch (err) {
      this.deps.logger.error({ err }, 'device authentication failed');
      return refuse('malformed');
    }
    if (!result.ok) return refuse(result.reason, result.productKey, result.deviceName, result.dialect);
    const keepalive = (client as AedesClient & { keepaliveAsked?: number }).keepaliveAsked ?? 0;
    if (keepalive < this.config.keepaliveMin || keepalive > this.config.keepaliveMax) {
      return refuse(`keepalive ${keepalive} s outside ${this.config.keepaliveMin}..${this.config.keepaliveMax} s`, result.productKey, result.deviceName, result.dialect);
    }
    const session = new MqttDeviceSession(this, client, result.productKey, result.deviceName, result.dialect, protocol, remoteAddress);
    client.thing = {
      session, codec: codecs[result.dialect], keepalive, subscribed: false,
      tokens: this.config.ratePerDevice * 2, refilledAt: Date.now(),
    };
    cb(null, true);
  }

  #onPublish(client: AedesClient | null, packet: PublishPacket, cb: (e?: Error | null) => void): void {
    const state = client?.thing;
    // Wills and other broker-originated publishes have no device behind them; devices always do.
    if (!state) return cb(null);
    const { session, codec } = state;
    if (!codec.canPublish(session, packet.topic)) {
      this.deps.hub.refused(session, { topic: packet.topic }, 401, 'topic outside the device namespace');
      state.closeReason = 'acl-violation';
      // MQTT 3.1.1 has no negative PUBACK: the connection is closed (MQTT-3.3.5-2).
      return cb(new Error(`publish to ${packet.topic} not allowed`));
    }
    this.deps.hub.seen(session);
    const gate = this.deps.gate;
    if (gate && !gate.open) {
      if (packet.qos === 0) {
        // Nothing to hold back for QoS 0: counted in /metrics, never queued without bound.
        gate.dropped();
        return cb(null);
      }
      // Not acknowledged until the pipeline has room; a connection that ends meanwhile leaves it to the device's resend.
      return gate.whenOpen(() => {
        if (!client!.closed) this.#take(state, packet, cb);
      });
    }
    this.#take(state, packet, cb);
  }

  /** Rate limit, size limit, decode, hand to the hub; then lets aedes acknowledge. */
  #take(state: ClientState, packet: PublishPacket, cb: (e?: Error | null) => void): void {
    const { session, codec } = state;
    const now = Date.now();
    if (this.config.ratePerDevice > 0) {
      state.tokens = Math.min(this.config.ratePerDevice * 2, state.tokens + ((now - state.refilledAt) / 1000) * this.config.ratePerDevice);
      state.refilledAt = now;
      if (state.tokens < 1) {
        this.#answerRefused(state, packet, 429, `rate limit of ${this.config.ratePerDevice} messages/s exceeded`);
        return cb(null);
      }
      state.tokens -= 1;
    }
    if (packet.payload.length > this.config.maxPayloadBytes) {
      this.#answerRefused(state, packet, 400, `payload of ${packet.payload.length} bytes exceeds the limit of ${this.config.maxPayloadBytes}`);
      return cb(null);
    }
    try {
      const decoded = codec.decodeUplink(session, packet.topic, packet.payload, now, this.deps.clockRule?.(session.productKey));
      if (!decoded.ok) {
        if (decoded.reply) this.publishTo(decoded.reply.topic, decoded.reply.payload);
        this.deps.hub.refused(session, { id: decoded.id, topic: packet.topic }, decoded.code, decoded.reason);
      } else {
        this.deps.hub.uplink(session, { ...decoded.message, protocol: session.protocol });
      }
    } catch (err) {
      // A bug of ours must cost one message (answered 500), never the connection or the process.
      this.deps.logger.error({ err, topic: packet.topic, device: `${session.productKey}/${session.deviceName}` }, 'uplink handling failed');
      this.#answerRefused(state, packet, 500, 'platform error');
    }
    cb(null);
  }

  /** Answers a message the listener will not process (too large, rate limited), when the device can be answered. */
  #answerRefused(state: ClientState, packet: PublishPacket, code: number, reason: string): void {
    // The id is near the start of the envelope; reading it from the first bytes avoids parsing what is refused.
    const id = ID_IN_PAYLOAD.exec(packet.payload.subarray(0, 256).toString('latin1'))?.[1];
    if (id) {
      const reply = state.codec.encodeReply(
        { id, productKey: state.session.productKey, deviceName: state.session.deviceName, kind: 'property.post', params: {}, receivedAt: Date.now(), protocol: state.session.protocol, dialect: state.session.dialect, ack: true, topic: packet.topic } as ThingMessage,
        code, {}, reason,
      );
      if (reply) this.publishTo(reply.topic, reply.payload);
    }
    this.deps.hub.refused(state.session, { id, topic: packet.topic }, code, reason);
  }

  /** Publishes to a device topic (replies at QoS 0, commands at QoS 1); used by this listener's sessions too. */
  publishTo(topic: string, payload: Buffer, qos: 0 | 1 = 0): void {
    this.#broker?.publish({ cmd: 'publish', topic, payload, qos, retain: false, dup: false }, (err) => {
      if (err) this.deps.logger.warn({ topic, err: err.message }, 'mqtt publish failed');
    });
  }
}

/** A device connected over MQTT, as the device hub sees it. */
class MqttDeviceSession implements DeviceSession {
  readonly id = randomUUID();
  readonly connectedAt = Date.now();
  readonly clientId: string;

  constructor(
    private readonly listener: MqttListener,
    private readonly client: AedesClient,
    readonly productKey: string,
    readonly deviceName: string,
    readonly dialect: Dialect,
    readonly protocol: IngressProtocol,
    readonly remoteAddress: string,
  ) {
    this.clientId = client.id;
  }

  /** Read per uplink: a redeploy that changes only the reply timeout updates the listener's config in place. */
  get replyTimeoutMs(): number | undefined {
    return this.listener.config.replyTimeoutMs;
  }

  replyUplink(message: ThingMessage, code: number, data?: unknown, text?: string): void {
    const reply = codecs[this.dialect].encodeReply(message, code, data, text);
    if (reply) this.listener.publishTo(reply.topic, reply.payload, 0);
  }

  sendCommand(command: ThingCommand, messageId: string): void {
    const out = codecs[this.dialect].encodeCommand(this, command, messageId);
    this.listener.publishTo(out.topic, out.payload, 1);
  }

  close(reason: string): void {
    if (this.client.thing) this.client.thing.closeReason = reason;
    this.client.close();
  }
}

function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
