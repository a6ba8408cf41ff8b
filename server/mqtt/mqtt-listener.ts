import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { clusterBrokerParts, type ClusterBrokerParts } from './cluster-broker.ts';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { DeviceAuthenticator } from '../device-auth/device-authenticator.ts';
import type { DeviceHub } from '../device-hub/device-hub.ts';
import type { DeviceSession, SessionCloseReason } from '../device-hub/device-session.ts';
import type { IngressGate } from '../ingress/ingress-gate.ts';
import type { Dialect, IngressProtocol, ThingCommand, ThingMessage } from '../../domain/devices/thing-message.ts';
import { codecs } from '../dialects/index.ts';
import type { DeviceClockRule, DialectCodec } from '../dialects/dialect.ts';
import type { SignInBans } from '../device-auth/sign-in-bans.ts';
import type { GatewayLink, GatewayService } from '../gateway/gateway-service.ts';
import { fingerprintOf } from '../device-hub/uplink-receipts.ts';
import { bridgeMqtt5, setPubackReason } from './mqtt5-bridge.ts';
import { PacketSizeGuard } from './packet-size-guard.ts';
import { coalesceWrites, encodePublish, filterMatches } from './mqtt-wire.ts';
import type { MqttListenerConfig } from '../../domain/devices/mqtt-listener-config.ts';

/** A CONNECT larger than this is refused before it is read: credentials, will and properties fit many times over. */
export const MAX_CONNECT_BYTES = 64 * 1024;
/** What a PUBLISH may carry besides its payload (topic, packet id, MQTT 5 properties) before the parser refuses it. */
export const MAX_PUBLISH_OVERHEAD_BYTES = 64 * 1024;

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
  /** Per-address limit on failed sign-ins; banned addresses' connections are closed as they arrive. */
  bans?: SignInBans;
  /**
   * Gateways and sub-devices (docs/protocol.md "Gateways and sub-devices"): a gateway's connection carries its
   * topology operations and its logged-in sub-devices' topics; a sub-device product's devices may not connect
   * themselves. Absent: every device is direct.
   */
  gateways?: GatewayService;
  /**
   * Cluster mode: this node's id and the cluster's Redis, which joins the nodes' brokers into one (cluster-broker.ts).
   * Absent: the broker is this process's alone.
   */
  cluster?: { nodeId: string; redisUrl: string };
  /** Registers a WebSocket upgrade path on the platform's HTTP server; returns the unregister function. */
  registerUpgrade(path: string, handler: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void): () => void;
}

interface Aedes {
  handle(stream: Duplex, req?: http.IncomingMessage): unknown;
  /** `client` is left out (the callback in its place) for a publish of the broker's own. */
  publish(packet: object, client: unknown, cb?: (err?: Error) => void): void;
  on(event: 'clientReady' | 'keepaliveTimeout' | 'clientDisconnect', listener: (client: AedesClient) => void): void;
  on(event: 'subscribe', listener: (subscriptions: unknown, client: AedesClient) => void): void;
  on(event: 'clientError' | 'connectionError', listener: (client: AedesClient, err: Error) => void): void;
  close(cb: () => void): void;
  authenticate: unknown;
  preConnect: unknown;
  authorizePublish: unknown;
  authorizeSubscribe: unknown;
  clients: Record<string, AedesClient>;
}

interface AedesClient {
  id: string;
  /** Restored from a persistent session before `clientReady`, or added by SUBSCRIBE. */
  subscriptions: Record<string, unknown>;
  _parser: { parse(buf: Buffer): unknown };
  conn: Duplex & { remoteAddress?: string };
  req?: http.IncomingMessage;
  close(cb?: () => void): void;
  /** Delivers to this client only, whatever it subscribed. */
  publish(packet: object, cb: (err?: Error) => void): void;
  /** Set by aedes once the connection has ended. */
  closed: boolean;
  /** Set by aedes once CONNECT was accepted, until the connection ends. */
  connected: boolean;
  /** Ours: the device behind this client, set once it authenticated. */
  thing?: ClientState;
}

interface PublishPacket {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  messageId?: number;
}

interface ClientState {
  session: MqttDeviceSession;
  codec: DialectCodec;
  /** A gateway's connection: its sub-devices' sessions and operations. */
  gateway?: GatewayLink;
  keepalive: number;
  closeReason?: string;
  /** Commands go out only once the device subscribed (aedes drops publishes nobody is subscribed to). */
  subscribed: boolean;
  /** Token bucket for the per-device rate limit. */
  tokens: number;
  refilledAt: number;
  /**
   * Acknowledgements waiting for their turn: each PUBACK goes out once its message's verdict is durable, and in the
   * order the publishes came (MQTT-4.6.0-2), so a fast refusal never overtakes a slow store.
   */
  acks: AckSlot[];
}

/** Acknowledges a QoS 1/2 publish with its verdict (see MqttListener#ackSlot). */
type Ack = (code: number, text?: string | null, retry?: boolean) => void;

interface AckSlot {
  /** Set when the verdict is in: lets aedes acknowledge (or close the connection). */
  release: (() => void) | undefined;
}

/** A socket's sign-in state, for the limits on connections that have not signed in. */
interface Admission {
  signedIn: boolean;
  /** Dropped once signed in: a connection held for days need not keep its cleared timer. */
  timer: NodeJS.Timeout | undefined;
}

const NOT_AUTHORIZED = 5;
/** Sign-in refusals that count towards an address's ban. */
const GUESSING: ReadonlySet<string> = new Set(['bad-signature', 'unknown-device', 'malformed']);
/**
 * Devices' publishes are consumed by the listener (authorizePublish), never routed to other MQTT clients: nothing but
 * devices connects, and a device may subscribe only to its own downlinks. Each is republished by aedes to this topic,
 * which no one can subscribe to, so a device cannot plant messages (retained or not) on its own command topics.
 */
const CONSUMED = '$thingwire/consumed';
/** MQTT 5 PUBACK reason codes for what a refusal means (§3.4.2.1). */
const V5_PUBACK = { ok: 0x00, unspecified: 0x80, implementation: 0x83, notAuthorized: 0x87, topicInvalid: 0x90, quota: 0x97, payloadInvalid: 0x99 } as const;
const ID_IN_PAYLOAD = /"id"\s*:\s*"?(\d{1,10})/;

/**
 * One embedded MQTT broker (aedes) on TCP, optionally TLS and WebSocket, serving devices: signed CONNECT through the
 * device authenticator, every publish and subscribe checked against the device's namespace, uplinks decoded by the
 * device's dialect and handed to the device hub, replies and commands published back in that dialect. MQTT 5 clients
 * are served through a protocol bridge (aedes speaks 3.1.1).
 */
export class MqttListener {
  #broker?: Aedes;
  #clustered: ClusterBrokerParts | undefined;
  #servers: net.Server[] = [];
  #unregisterWs?: () => void;
  #wss?: WebSocketServer;
  readonly #sockets = new Set<Duplex>();
  #pendingSignIns = 0;
  #signInTimeouts = 0;
  #refusedPending = 0;
  #tooLarge = 0;
  /** The bridge's own CONNECT deadline is the sign-in deadline's job here. */
  get #bridgeOptions() {
    return { connectTimeoutMs: this.config.signInTimeoutMs ?? 10_000, maxConnectBytes: MAX_CONNECT_BYTES, maxPacketBytes: () => this.config.maxPayloadBytes + MAX_PUBLISH_OVERHEAD_BYTES, logger: this.deps.logger };
  }

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
    const { cluster } = this.deps;
    this.#clustered = cluster && clusterBrokerParts(cluster.redisUrl, cluster.nodeId);
    const broker = await Aedes.createBroker({
      // Unique in the cluster: a broker ignores what it published itself, by this id.
      id: cluster ? `thingwire-${cluster.nodeId}-${this.config.port}` : `thingwire-${this.config.port}`,
      ...this.#clustered?.options,
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
    // Devices' publishes are consumed by the listener and republished by aedes to CONSUMED, where nothing listens:
    // its routing of each (a packet object, a subscription-tree lookup, the offline queue's lookup) is skipped.
    const publish = broker.publish.bind(broker);
    broker.publish = (packet: { topic?: string }, client: unknown, done?: (err?: Error) => void) => {
      if (packet.topic !== CONSUMED) return publish(packet, client, done);
      const callback = typeof client === 'function' ? client as (err?: Error) => void : done;
      callback?.();
    };
    broker.preConnect = (client: AedesClient, packet: { keepalive: number }, cb: (e: Error | null, ok: boolean) => void) => {
      (client as AedesClient & { keepaliveAsked?: number }).keepaliveAsked = packet.keepalive;
      cb(null, true);
    };
    broker.authenticate = (client: AedesClient, username: string | undefined, password: Buffer | undefined, cb: (e: Error | null, ok: boolean | null) => void) =>
      void this.#authenticate(client, username, password, cb);
    broker.authorizeSubscribe = (client: AedesClient, sub: { topic: string; qos: number }, cb: (e: Error | null, s?: object | null) => void) => {
      const state = client.thing;
      const allowed = state && (state.codec.canSubscribe(state.session, sub.topic) || state.gateway?.canSubscribe(sub.topic));
      cb(null, allowed ? sub : null);
    };
    broker.authorizePublish = (client: AedesClient | null, packet: PublishPacket, cb: (e?: Error | null) => void) =>
      this.#onPublish(client, packet, cb);
    broker.on('clientReady', (client: AedesClient) => {
      const state = client.thing;
      if (!state) return;
      // A persistent session resumed with its subscriptions: the device can take commands at once, without
      // subscribing again (aedes restores them without a 'subscribe' event).
      state.subscribed = Object.keys(client.subscriptions).length > 0;
      this.deps.hub.opened(state.session, { commandsReady: state.subscribed });
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
      // The MQTT 5 bridge refused a packet by its announced size (DISCONNECT 0x95).
      if ((err as Error & { code?: string }).code === 'packet_too_large') return this.#packetTooLarge(client, err.message);
      if (client.thing) client.thing.closeReason ??= 'error';
      this.deps.logger.debug({ clientId: client.id, err: err.message }, 'mqtt client error');
    });
    broker.on('connectionError', (_client: AedesClient, err: Error) => this.deps.logger.debug({ err: err.message }, 'mqtt connection error'));
    broker.on('clientDisconnect', (client: AedesClient) => {
      if (!client.thing) return;
      // Its sub-devices ride this connection: they go offline with it (gateway-offline).
      client.thing.gateway?.detach();
      // A takeover (a newer connection of the same device signed in) is marked in #authenticate.
      this.deps.hub.closed(client.thing.session.id, (client.thing.closeReason ?? 'disconnect') as SessionCloseReason);
    });

    const accept = (protocol: IngressProtocol) => (socket: net.Socket) => {
      if (!this.#admit(socket, socket.remoteAddress)) return;
      socket.setNoDelay(true); // without it (Nagle) p50 latency is 20–30 ms, measured
      (socket as Duplex & { thingwireProtocol?: IngressProtocol }).thingwireProtocol = protocol;
      bridgeMqtt5(socket, (stream) => this.#handle(broker, stream), this.#bridgeOptions);
    };
    const tcp = net.createServer(accept('mqtt'));
    this.#servers.push(tcp);
    await listen(tcp, this.config.port, this.config.host);
    if (this.config.tls) {
      // A TLS handshake is the first thing a connection owes: it gets the sign-in deadline too (Node's default is 120 s).
      const secure = tls.createServer({ cert: this.config.tls.cert, key: this.config.tls.key, handshakeTimeout: this.config.signInTimeoutMs ?? 10_000 }, accept('mqtts'));
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
          if (!this.#admit(stream, req.socket.remoteAddress)) return;
          bridgeMqtt5(stream, (s) => this.#handle(broker, s, req), this.#bridgeOptions);
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
    await this.#clustered?.close();
    this.deps.logger.info({ port: this.config.port }, 'mqtt listener stopped');
  }

  /**
   * Takes a new connection under the sign-in limits, or closes it: banned addresses and connections beyond
   * `maxPendingSignIns` are closed at once; the others get `signInTimeoutMs` to sign in.
   */
  #admit(socket: Duplex, remoteAddress: string | undefined): boolean {
    const full = this.#pendingSignIns >= (this.config.maxPendingSignIns ?? 2000);
    if (full || this.deps.bans?.banned(remoteAddress ?? 'unknown')) {
      if (full) this.#refusedPending++;
      socket.destroy();
      return false;
    }
    this.#sockets.add(socket);
    this.#pendingSignIns++;
    const admission: Admission = {
      signedIn: false,
      timer: setTimeout(() => {
        this.#signInTimeouts++;
        socket.destroy();
      }, this.config.signInTimeoutMs ?? 10_000),
    };
    admission.timer!.unref();
    (socket as Duplex & { thingwireAdmission?: Admission }).thingwireAdmission = admission;
    socket.once('close', () => {
      this.#sockets.delete(socket);
      this.#signedIn(admission);
    });
    return true;
  }

  /** The connection signed in (or closed): it no longer counts against the sign-in limits. */
  #signedIn(admission: Admission | undefined): void {
    if (!admission || admission.signedIn) return;
    admission.signedIn = true;
    clearTimeout(admission.timer);
    admission.timer = undefined;
    this.#pendingSignIns--;
  }

  /**
   * Hands a connection (or the MQTT 5 bridge's stream for it) to aedes, with the packet size limit in front of the
   * parser: 64 KB until the device signed in, then the payload limit plus headers. A larger packet closes the
   * connection as soon as its header announces the size, before its body is read into memory.
   */
  #handle(broker: Aedes, stream: Duplex, req?: http.IncomingMessage): void {
    coalesceWrites(stream);
    const client = broker.handle(stream, req) as AedesClient;
    const guard = new PacketSizeGuard(() => (client.thing ? this.config.maxPayloadBytes + MAX_PUBLISH_OVERHEAD_BYTES : MAX_CONNECT_BYTES));
    const parse = client._parser.parse.bind(client._parser);
    client._parser.parse = (buf: Buffer) => {
      const size = guard.check(buf);
      if (size === 0) return parse(buf);
      this.#packetTooLarge(client, size);
      return undefined;
    };
  }

  #packetTooLarge(client: AedesClient, size: number | string): void {
    this.#tooLarge++;
    const state = client.thing;
    const limit = state ? this.config.maxPayloadBytes + MAX_PUBLISH_OVERHEAD_BYTES : MAX_CONNECT_BYTES;
    const reason = typeof size === 'string' ? size : `packet of ${size} bytes exceeds the limit of ${limit}${state ? '' : ' before sign-in'}`;
    if (state) {
      state.closeReason = 'packet-too-large';
      this.deps.hub.refused(state.session, { topic: '' }, 413, `${reason}: connection closed`);
    } else {
      this.deps.logger.debug({ remoteAddress: (client.conn as { remoteAddress?: string }).remoteAddress, size }, 'mqtt packet too large before sign-in');
    }
    client.conn.destroy();
  }

  /** Counters for /metrics. */
  stats(): { pendingSignIns: number; signInTimeouts: number; refusedPending: number; packetsTooLarge: number } {
    return { pendingSignIns: this.#pendingSignIns, signInTimeouts: this.#signInTimeouts, refusedPending: this.#refusedPending, packetsTooLarge: this.#tooLarge };
  }

  async #authenticate(client: AedesClient, username: string | undefined, password: Buffer | undefined, cb: (e: Error | null, ok: boolean | null) => void): Promise<void> {
    const conn = client.conn as Duplex & { thingwireProtocol?: IngressProtocol; remoteAddress?: string };
    const protocol = conn.thingwireProtocol ?? 'mqtt';
    const remoteAddress = conn.remoteAddress ?? client.req?.socket.remoteAddress ?? 'unknown';
    const refuse = (reason: string, productKey?: string, deviceName?: string, dialect?: Dialect) => {
      void this.deps.hub.recordRefused({ productKey, deviceName, remoteAddress, protocol, dialect, clientId: client.id, reason });
      // Only what guessing looks like counts towards a ban: a disabled device or a wrong clock reconnecting in a loop
      // must not get its neighbours behind the same NAT banned.
      if (GUESSING.has(reason)) this.deps.bans?.failed(remoteAddress);
      // The same answer whatever the reason: a device that does not exist looks like a wrong signature.
      cb(Object.assign(new Error('not authorized'), { returnCode: NOT_AUTHORIZED }), null);
    };
    let result;
    try {
      result = await this.deps.authenticator.authenticate({ clientId: client.id, username, password, secure: protocol === 'mqtts' || protocol === 'mqtt-wss' });
    } catch (err) {
      this.deps.logger.error({ err }, 'device authentication failed');
      return refuse('malformed');
    }
    // Gone while its credentials were read: aedes drops the answer, and nothing is set up for it.
    if ((client as AedesClient & { closed?: boolean }).closed) return cb(null, false);
    if (!result.ok) return refuse(result.reason, result.productKey, result.deviceName, result.dialect);
    const keepalive = (client as AedesClient & { keepaliveAsked?: number }).keepaliveAsked ?? 0;
    if (keepalive < this.config.keepaliveMin || keepalive > this.config.keepaliveMax) {
      return refuse(`keepalive ${keepalive} s outside ${this.config.keepaliveMin}..${this.config.keepaliveMax} s`, result.productKey, result.deviceName, result.dialect);
    }
    const nodeType = this.deps.gateways?.nodeType(result.productKey);
    // A sub-device is reached through its gateway only: its topics are published on the gateway's connection, which a
    // connection of its own would share.
    if (nodeType === 'sub-device') return refuse('sub-device: it connects through its gateway (combine/login)', result.productKey, result.deviceName, result.dialect);
    // In a cluster: what other nodes answered this device, before its first message here is judged.
    await this.deps.hub.beforeSession(result.productKey, result.deviceName);
    if ((client as AedesClient & { closed?: boolean }).closed) return cb(null, false);
    const session = new MqttDeviceSession(this, client, result.productKey, result.deviceName, result.dialect, protocol, remoteAddress);
    client.thing = {
      session, codec: codecs[result.dialect], keepalive, subscribed: false,
      // Full: the first take fills the bucket to the burst of whatever limit applies then, also one a deploy set after
      // this device connected (starting from the limit at connect time, 0 when there was none, refused its first
      // messages with 429 until the bucket refilled).
      tokens: Number.POSITIVE_INFINITY, refilledAt: Date.now(), acks: [],
    };
    if (nodeType === 'gateway') {
      client.thing.gateway = this.deps.gateways!.attach({
        session,
        publish: (topic, payload, qos) => client.publish({ cmd: 'publish', topic, payload, qos, retain: false, dup: false }, (err) => {
          if (err) this.deps.logger.warn({ topic, err: err.message }, 'mqtt publish to a gateway failed');
        }),
      });
    }
    // The broker keys sessions by the identity that signed in, not by the client id the device chose: only the same
    // device can take over (or resume) a session, and Alink client ids, which carry a timestamp, still resume theirs.
    client.id = identityKey(result.productKey, result.deviceName);
    // aedes closes the device's older connection when this one registers: that is a takeover, not the device leaving.
    const previous = this.#broker?.clients[client.id];
    if (previous?.thing && previous !== client) previous.thing.closeReason = 'takeover';
    this.#signedIn((conn as Duplex & { thingwireAdmission?: Admission }).thingwireAdmission);
    cb(null, true);
  }

  #onPublish(client: AedesClient | null, packet: PublishPacket, cb: (e?: Error | null) => void): void {
    const state = client?.thing;
    // Wills and other broker-originated publishes have no device behind them; devices always do.
    if (!state) return cb(null);
    const { codec } = state;
    let session: DeviceSession = state.session;
    const topic = packet.topic;
    // Consumed here: aedes republishes it where nobody listens, and never keeps it as a retained message (a device's
    // retain flag is dropped: the platform stores what devices report; the broker does not).
    packet.topic = CONSUMED;
    packet.retain = false;
    // A gateway publishes on its logged-in sub-devices' topics too: the message is theirs.
    const own = codec.canPublish(session, topic);
    const sub = own ? undefined : state.gateway?.subDeviceFor(topic);
    if (sub) session = sub;
    else if (!own) {
      const reason = 'topic outside the device namespace';
      if (packet.qos === 1 && setPubackReason(client!.conn, packet.messageId!, V5_PUBACK.notAuthorized)) {
        // MQTT 5 can say no to one message: PUBACK 0x87 (in its turn), and the connection stays.
        return this.deps.hub.refused(session, { topic }, 401, reason, this.#ackSlot(client!, state, packet, cb));
      }
      this.deps.hub.refused(session, { topic }, 401, reason);
      state.closeReason = 'acl-violation';
      // MQTT 3.1.1 has no negative PUBACK: the connection is closed (MQTT-3.3.5-2).
      return cb(new Error(`publish to ${topic} not allowed`));
    }
    this.deps.hub.seen(state.session);
    if (sub) this.deps.hub.seen(sub);
    const ack = packet.qos === 0 ? undefined : this.#ackSlot(client!, state, packet, cb);
    if (!ack) cb(null); // QoS 0: nothing to acknowledge
    const gate = this.deps.gate;
    if (gate && !gate.open) {
      if (!ack) {
        // Nothing to hold back for QoS 0: counted in /metrics, never queued without bound.
        gate.dropped();
        return;
      }
      // Not acknowledged until the pipeline has room; a connection that ends meanwhile leaves it to the device's resend.
      return gate.whenOpen(() => {
        if (!client!.closed) this.#take(state, session, topic, packet, ack);
      });
    }
    this.#take(state, session, topic, packet, ack);
  }

  /**
   * Queues the acknowledgement of a QoS 1/2 publish; the returned function is called with the message's verdict once
   * it is durable. Acknowledged (MQTT 5: with the reason code matching the verdict), unless the verdict asks for a
   * resend (storage failed, overloaded): MQTT 5 then gets PUBACK 0x80; MQTT 3.1.1, which has no negative
   * acknowledgement, gets none and the connection is closed, so the device sends the message again on reconnecting.
   */
  #ackSlot(client: AedesClient, state: ClientState, packet: PublishPacket, cb: (e?: Error | null) => void): Ack {
    const slot: AckSlot = { release: undefined };
    state.acks.push(slot);
    return (code: number, _text?: string | null, retry = code >= 500) => {
      if (slot.release) return;
      const v5 = packet.qos === 1 && setPubackReason(client.conn, packet.messageId!, pubackReason(code));
      if (!retry || v5) {
        slot.release = () => cb(null);
      } else {
        state.closeReason ??= 'unacknowledged';
        slot.release = () => cb(new Error(`message not taken (${code}); closing so that the device sends it again`));
      }
      const acks = state.acks;
      let n = 0;
      while (n < acks.length && acks[n]!.release) n++;
      if (n === 0) return;
      const ready = acks.splice(0, n);
      for (const s of ready) s.release!();
    };
  }

  /** Rate limit, size limit, decode, hand to the hub; the verdict acknowledges (`ack`, QoS 1/2). */
  #take(state: ClientState, session: DeviceSession, topic: string, packet: PublishPacket, ack: Ack | undefined): void {
    const { codec } = state;
    const now = Date.now();
    if (this.config.ratePerDevice > 0) {
      state.tokens = Math.min(this.config.ratePerDevice * 2, state.tokens + ((now - state.refilledAt) / 1000) * this.config.ratePerDevice);
      state.refilledAt = now;
      if (state.tokens < 1) {
        return this.#answerRefused(state, session, topic, packet, 429, `rate limit of ${this.config.ratePerDevice} messages/s exceeded`, ack);
      }
      state.tokens -= 1;
    }
    if (packet.payload.length > this.config.maxPayloadBytes) {
      return this.#answerRefused(state, session, topic, packet, 400, `payload of ${packet.payload.length} bytes exceeds the limit of ${this.config.maxPayloadBytes}`, ack);
    }
    try {
      // A gateway's own operations (topology, sub-device login, property packs) are the gateway service's.
      if (state.gateway && session === state.session && state.gateway.handle(topic, packet.payload, now, ack)) return;
      const decoded = codec.decodeUplink(session, topic, packet.payload, now, this.deps.clockRule?.(session.productKey));
      if (!decoded.ok) {
        if (decoded.reply) this.#replyOn(state, session, decoded.reply.topic, decoded.reply.payload);
        this.deps.hub.refused(session, { id: decoded.id, topic }, decoded.code, decoded.reason, ack);
      } else {
        // Raw uplinks are numbered by the platform: only the device's own ids identify a resend.
        const fingerprint = decoded.message.kind === 'raw.up' ? undefined : fingerprintOf(packet.payload);
        const message: Omit<ThingMessage, 'replyToken'> = { ...decoded.message, protocol: session.protocol };
        if (session.gateway) message.gateway = session.gateway;
        this.deps.hub.uplink(session, message, { fingerprint, onVerdict: ack });
      }
    } catch (err) {
      // A bug of ours must cost one message (answered 500), never the connection or the process.
      this.deps.logger.error({ err, topic, device: `${session.productKey}/${session.deviceName}` }, 'uplink handling failed');
      this.#answerRefused(state, session, topic, packet, 500, 'platform error', ack);
    }
  }

  /** Answers a message the listener will not process (too large, rate limited), when the device can be answered. */
  #answerRefused(state: ClientState, session: DeviceSession, topic: string, packet: PublishPacket, code: number, reason: string, onVerdict?: Ack): void {
    // The id is near the start of the envelope; reading it from the first bytes avoids parsing what is refused.
    const id = ID_IN_PAYLOAD.exec(packet.payload.subarray(0, 256).toString('latin1'))?.[1];
    if (id) {
      const reply = state.codec.encodeReply(
        { id, productKey: session.productKey, deviceName: session.deviceName, kind: 'property.post', params: {}, receivedAt: Date.now(), protocol: session.protocol, dialect: session.dialect, ack: true, topic } as ThingMessage,
        code, {}, reason,
      );
      if (reply) this.#replyOn(state, session, reply.topic, reply.payload);
    }
    this.deps.hub.refused(session, { id, topic }, code, reason, onVerdict);
  }

  /** A reply the listener makes itself: on the device's topic, or for a sub-device on its gateway's connection. */
  #replyOn(state: ClientState, session: DeviceSession, topic: string, payload: Buffer): void {
    if (session === state.session || !state.gateway) this.publishTo(topic, payload);
    else state.gateway.publish(topic, payload, 0);
  }

  /**
   * A QoS 0 packet for one device's connection (a reply to its uplink), written to it directly when it subscribed to
   * the topic: what aedes does with such a publish, without routing it through the broker (packet objects, a
   * subscription tree lookup and a deferred write per reply).
   */
  deliverTo(client: AedesClient, topic: string, payload: Buffer): void {
    if (!client.connected || client.closed) return;
    for (const filter in client.subscriptions) {
      if (filterMatches(filter, topic)) {
        client.conn.write(encodePublish(topic, payload, 0));
        return;
      }
    }
  }

  /** Publishes to a device topic (replies at QoS 0, commands at QoS 1); used by this listener's sessions too. */
  publishTo(topic: string, payload: Buffer, qos: 0 | 1 = 0): void {
    this.#broker?.publish({ cmd: 'publish', topic, payload, qos, retain: false, dup: false }, (err?: Error) => {
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
    if (reply) this.listener.deliverTo(this.client, reply.topic, reply.payload);
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

/** The MQTT 5 PUBACK reason code for a verdict. */
function pubackReason(code: number): number {
  if (code < 300) return V5_PUBACK.ok;
  if (code === 400 || code === 413) return V5_PUBACK.payloadInvalid;
  if (code === 401 || code === 403) return V5_PUBACK.notAuthorized;
  if (code === 404) return V5_PUBACK.topicInvalid;
  if (code === 429) return V5_PUBACK.quota;
  if (code < 500) return V5_PUBACK.implementation;
  return V5_PUBACK.unspecified;
}

const identityKey = (productKey: string, deviceName: string) => `${productKey}/${deviceName}`;

function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // A fleet reconnecting at once (after a network outage, or a restart) arrives faster than the loop accepts: Node's
    // default backlog of 511 would leave the rest half-connected until they time out.
    server.listen({ port, host, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
