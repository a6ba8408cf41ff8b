import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DeviceAuthenticator, DeviceConnectRequest } from '../device-auth/device-authenticator.ts';
import type { DeviceHub } from '../device-hub/device-hub.ts';
import type { DeviceSession } from '../device-hub/device-session.ts';
import { fingerprintOf } from '../device-hub/uplink-receipts.ts';
import type { DeviceTopology, LinkRefusal } from '../devices/device-topology.ts';
import type { DeviceClockRule, DialectCodec } from '../dialects/dialect.ts';
import { codecs } from '../dialects/index.ts';
import type { RegistryEvents, TopologyChange } from '../registry-events.ts';
import type { DeviceRef } from '../../domain/devices/device-schemas.ts';
import type { Dialect, ThingCommand, ThingMessage } from '../../domain/devices/thing-message.ts';
import type { NodeType } from '../../domain/products/product-schemas.ts';

/** Most entries in one topo/add, topo/delete, batch login or logout, and sub-devices in one pack. */
export const MAX_GATEWAY_BATCH = 50;

/**
 * Reply codes of gateway operations (docs/protocol.md "Gateways and sub-devices"). Where Alibaba IoT has a code for
 * the case, it is Alibaba's; the others are the HTTP-like codes the platform uses elsewhere.
 */
export const GATEWAY_CODES = {
  ok: 200,
  /** The sub-device's signature does not verify, or the device does not exist (one code: nobody learns which). */
  notAuthorized: 401,
  /** The product's node type does not allow it: the device is not a gateway, or the entry not a sub-device. */
  wrongNodeType: 403,
  /** The sub-device belongs to another gateway; an engineer removes that link first. */
  otherGateway: 409,
  /** The gateway has the most sub-devices it may have. */
  tooMany: 413,
  /** Alibaba: malformed params, or more entries than allowed. */
  badParams: 460,
  /** A sub-device in the topology that has not logged in (combine/login) through this gateway. */
  notLoggedIn: 520,
  /** Alibaba: the device is disabled. */
  disabled: 6204,
  /** Alibaba: the topological relationship does not exist. */
  notInTopology: 6401,
  /** Alibaba: a gateway cannot add itself as its sub-device. */
  self: 6402,
} as const;

export interface GatewayServiceDeps {
  hub: DeviceHub;
  authenticator: DeviceAuthenticator;
  topology: DeviceTopology;
  /** The product's node type; undefined for an unknown product. */
  nodeType(productKey: string): NodeType | undefined;
  events: RegistryEvents;
  logger: Logger;
  clockRule?(productKey: string): DeviceClockRule;
}

/** What a transport gives the gateway service for one connection of a gateway. */
export interface GatewayConnection {
  /** The gateway's own session, as the transport opened it in the hub. */
  readonly session: DeviceSession;
  /** Publishes on this connection only: delivered to the gateway whatever it subscribed, never routed to others. */
  publish(topic: string, payload: Buffer, qos: 0 | 1): void;
}

/** Acknowledges a message to the transport once its verdict is durable (MQTT: PUBACK). */
type OnVerdict = (code: number, text: string | null, retry: boolean) => void;

type Operation = 'topo.add' | 'topo.delete' | 'topo.get' | 'login' | 'logout' | 'batch.login' | 'batch.logout' | 'pack.post';

const ALINK_METHODS: Readonly<Record<Operation, string>> = {
  'topo.add': 'thing.topo.add',
  'topo.delete': 'thing.topo.delete',
  'topo.get': 'thing.topo.get',
  login: 'combine.login',
  logout: 'combine.logout',
  'batch.login': 'combine.batch_login',
  'batch.logout': 'combine.batch_logout',
  'pack.post': 'thing.event.property.pack.post',
};
const TOPO_OPS: ReadonlyMap<string, Operation> = new Map([['add', 'topo.add'], ['delete', 'topo.delete'], ['get', 'topo.get']]);
const SESSION_OPS: ReadonlyMap<string, Operation> = new Map([
  ['login', 'login'], ['logout', 'logout'], ['batch_login', 'batch.login'], ['batch_logout', 'batch.logout'],
]);
const MESSAGE_ID = /^\d{1,10}$/;
const PARAM = /^[A-Za-z0-9]{1,32}$/;
const DIGITS = /^\d{1,16}$/;
const TSL_IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/**
 * Gateways and their sub-devices (docs/protocol.md "Gateways and sub-devices", docs/architecture.md "Gateways"): the
 * topology operations a gateway sends over its own connection (`thing.topo.add/delete/get`, each sub-device signed
 * with its own secret), sub-device sessions (`combine/login`, `logout`) that ride the gateway's connection, property
 * packs split into one message per device, and the link's end: a gateway going offline takes its sub-devices with it
 * (`gateway-offline`).
 *
 * Transport-neutral: a transport that signs in a gateway {@link attach}es its connection and asks the returned
 * {@link GatewayLink} about topics (the MQTT listener is the one today).
 */
export class GatewayService {
  readonly #deps: GatewayServiceDeps;
  /** The current link of each connected gateway, by `pk/dn`. */
  readonly #links = new Map<string, GatewayLink>();
  readonly #onTopology = (change: TopologyChange) => this.#topologyChanged(change);

  constructor(deps: GatewayServiceDeps) {
    this.#deps = deps;
    deps.events.on('topology.changed', this.#onTopology);
  }

  /** The product's node type (undefined: no such product). */
  nodeType(productKey: string): NodeType | undefined {
    return this.#deps.nodeType(productKey);
  }

  /** A gateway signed in on a transport: its link, for the transport to route its topics through. */
  attach(connection: GatewayConnection): GatewayLink {
    const link = new GatewayLink(this.#deps, connection, (l) => {
      if (this.#links.get(l.key) === l) this.#links.delete(l.key);
    });
    this.#links.set(link.key, link);
    return link;
  }

  close(): void {
    this.#deps.events.off('topology.changed', this.#onTopology);
  }

  /**
   * Notes the change in both devices' message logs (the node that made it does, in a cluster); a removed sub-device's
   * session through the gateway ends, on whichever node the gateway is connected to.
   */
  #topologyChanged({ gateway, subDevice, change, by, origin }: TopologyChange): void {
    const added = change === 'added';
    if (origin === undefined) this.#note(gateway, subDevice, added, by);
    if (!added) this.#links.get(`${gateway.productKey}/${gateway.deviceName}`)?.unlinked(subDevice);
  }

  #note(gateway: DeviceRef, subDevice: DeviceRef, added: boolean, by: string): void {
    const { hub } = this.#deps;
    const direction = by === 'gateway' ? 'up' : 'down';
    hub.note({
      ...gateway, direction, kind: 'topology',
      reason: `sub-device ${subDevice.productKey}/${subDevice.deviceName} ${added ? 'added to' : 'removed from'} the topology (by ${by})`,
    });
    hub.note({
      ...subDevice, direction, kind: 'topology',
      reason: `${added ? 'added to' : 'removed from'} the topology of gateway ${gateway.productKey}/${gateway.deviceName} (by ${by})`,
    });
  }
}

/** One connected gateway: its logged-in sub-devices and the operations it sends. */
export class GatewayLink {
  readonly key: string;
  readonly #deps: GatewayServiceDeps;
  readonly #connection: GatewayConnection;
  readonly #codec: DialectCodec;
  readonly #detached: (link: GatewayLink) => void;
  /** Sub-devices logged in through this connection, by `pk/dn`. */
  readonly #subs = new Map<string, SubDeviceSession>();
  #ended = false;
  /** The operations received, each started when the one before has answered: a pack after a login sees it. */
  #operations: Promise<void> = Promise.resolve();

  constructor(deps: GatewayServiceDeps, connection: GatewayConnection, detached: (link: GatewayLink) => void) {
    this.#deps = deps;
    this.#connection = connection;
    this.#codec = codecs[connection.session.dialect];
    this.#detached = detached;
    this.key = `${connection.session.productKey}/${connection.session.deviceName}`;
  }

  get session(): DeviceSession {
    return this.#connection.session;
  }

  get gateway(): DeviceRef {
    return { productKey: this.session.productKey, deviceName: this.session.deviceName };
  }

  /**
   * The session of the sub-device whose own namespace holds `topic`, when that sub-device is logged in through this
   * gateway: the gateway publishes for it. Undefined for any other device's topic.
   */
  subDeviceFor(topic: string): DeviceSession | undefined {
    const owner = ownerOf(this.session.dialect, topic);
    const sub = owner && this.#subs.get(owner);
    return sub && this.#codec.canPublish(sub, topic) ? sub : undefined;
  }

  /** Whether the gateway may subscribe to `filter`: inside the namespace of one of its (topology-linked) sub-devices. */
  canSubscribe(filter: string): boolean {
    const owner = ownerOf(this.session.dialect, filter);
    if (!owner) return false;
    const slash = owner.indexOf('/');
    const sub = { productKey: owner.slice(0, slash), deviceName: owner.slice(slash + 1) };
    return this.#codec.canSubscribe(sub, filter) && this.#deps.topology.isLinked(this.gateway, sub);
  }

  /**
   * Handles a gateway operation published on the gateway's own topics (topology, sub-device login and logout, property
   * packs) and answers it on `{topic}_reply`. False when `topic` is no such operation (the transport decodes it as
   * any uplink). `onVerdict` is called once the outcome is durable (a pack: once every part's verdict is).
   */
  handle(topic: string, payload: Buffer, receivedAt: number, transportVerdict?: OnVerdict): boolean {
    const op = operationOf(this.session.dialect, topic);
    if (!op) return false;
    // The transport reads codes as HTTP-like (MQTT 5 PUBACK reasons; 5xx asks the device to send again): Alibaba's
    // codes are refusals, never worth a resend.
    const onVerdict: OnVerdict | undefined = transportVerdict && ((code, text, retry) => {
      const plain = code < 600 && code !== GATEWAY_CODES.badParams && code !== GATEWAY_CODES.notLoggedIn;
      transportVerdict(plain ? code : 400, text, plain && retry);
    });
    const replyTopic = `${topic}_reply`;
    let envelope: { id: string; params: unknown } | string;
    try {
      envelope = parseEnvelope(payload);
    } catch {
      envelope = 'payload is not a JSON object';
    }
    const answer = (code: number, data: unknown, message: string, id: string | undefined) => {
      this.#reply(replyTopic, op, id, code, data, message);
      // Recorded in the gateway's message log as the listener records what it answers itself.
      this.#deps.hub.refused(this.session, { id, topic }, code, `${ALINK_METHODS[op]}: ${message}`, onVerdict);
    };
    if (typeof envelope === 'string') {
      answer(GATEWAY_CODES.badParams, {}, `malformed: ${envelope}`, idOf(payload));
      return true;
    }
    if (this.#deps.nodeType(this.session.productKey) !== 'gateway') {
      answer(GATEWAY_CODES.wrongNodeType, {}, `product ${this.session.productKey} is not a gateway product`, envelope.id);
      return true;
    }
    const { id, params } = envelope;
    this.#operations = this.#operations.then(async () => {
      // The connection ended while an operation before this one waited for the database: nobody to answer.
      if (this.#ended) return;
      try {
        if (op === 'pack.post') {
          this.#pack(topic, replyTopic, id, params, receivedAt, onVerdict);
          return;
        }
        const outcome = await this.#operate(op, params);
        if (!this.#ended) answer(outcome.code, outcome.data ?? {}, outcome.message ?? 'success', id);
      } catch (err) {
        this.#deps.logger.error({ err, topic, gateway: this.key }, 'gateway operation failed');
        answer(500, {}, 'platform error', id);
      }
    });
    return true;
  }

  /** The gateway's connection ended: every sub-device logged in through it goes offline (`gateway-offline`). */
  detach(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#detached(this);
    const subs = [...this.#subs.values()];
    this.#subs.clear();
    for (const sub of subs) this.#deps.hub.closed(sub.id, 'gateway-offline', `gateway ${this.key} went offline`);
  }

  /** The sub-device is no longer in this gateway's topology: its session through it ends. */
  unlinked(sub: DeviceRef): void {
    const session = this.#subs.get(`${sub.productKey}/${sub.deviceName}`);
    if (!session) return;
    this.#subs.delete(session.key);
    this.#deps.hub.closed(session.id, 'kicked', `removed from the topology of gateway ${this.key}`);
  }

  /** For SubDeviceSession.close: the hub ended it (takeover, kicked). */
  forget(session: SubDeviceSession): void {
    if (this.#subs.get(session.key) === session) this.#subs.delete(session.key);
  }

  /** For SubDeviceSession: publishes on the gateway's connection. */
  publish(topic: string, payload: Buffer, qos: 0 | 1): void {
    if (!this.#ended) this.#connection.publish(topic, payload, qos);
  }

  // ── operations ────────────────────────────────────────────────────────────────────────────────────────────────

  async #operate(op: Exclude<Operation, 'pack.post'>, params: unknown): Promise<Outcome> {
    switch (op) {
      case 'topo.get':
        return { code: 200, data: this.#deps.topology.subDeviceRefs(this.gateway) };
      case 'topo.add':
        return this.#topoAdd(params);
      case 'topo.delete':
        return this.#topoDelete(params);
      case 'login':
      case 'logout': {
        // One sub-device: the batch operation of one, answered with that device rather than a list.
        if (!isObject(params)) return bad('params must be an object');
        const outcome = op === 'login' ? await this.#login([params]) : this.#logout([params]);
        return outcome.code === 200 ? { code: 200, data: (outcome.data as DeviceRef[])[0] } : outcome;
      }
      case 'batch.login':
      case 'batch.logout': {
        const list = entryList(params, 'deviceList');
        if (typeof list === 'string') return bad(list);
        return op === 'batch.login' ? this.#login(list) : this.#logout(list);
      }
    }
  }

  /** Verifies every entry's signature and node type, then links them all (or none). */
  async #topoAdd(params: unknown): Promise<Outcome> {
    const list = entryList(params);
    if (typeof list === 'string') return bad(list);
    const verified = await this.#verifyAll(list, 'topo/add');
    if ('code' in verified) return verified;
    const linked = await this.#deps.topology.link(this.gateway, verified, 'gateway');
    if (!linked.ok) return linkRefused(linked.refusal, linked.device);
    return { code: 200, data: verified };
  }

  async #topoDelete(params: unknown): Promise<Outcome> {
    const list = entryList(params);
    if (typeof list === 'string') return bad(list);
    const refs: DeviceRef[] = [];
    for (const entry of list) {
      const ref = refOf(entry);
      if (!ref) return bad('each entry needs productKey and deviceName');
      if (!this.#deps.topology.isLinked(this.gateway, ref)) return notInTopology(ref);
      refs.push(ref);
    }
    // Unlinking ends a logged-in sub-device's session (GatewayService#topologyChanged).
    for (const ref of refs) await this.#deps.topology.unlink(this.gateway, ref, 'gateway');
    return { code: 200, data: refs };
  }

  /** Verifies every entry, then opens a session for each through this gateway; all or none. */
  async #login(list: readonly unknown[]): Promise<Outcome> {
    const verified = await this.#verifyAll(list, 'combine/login');
    if ('code' in verified) return verified;
    for (const ref of verified) {
      if (!this.#deps.topology.isLinked(this.gateway, ref)) return notInTopology(ref);
    }
    // In a cluster: what other nodes answered these sub-devices, before their first messages here are judged.
    await Promise.all(verified.map((ref) => this.#deps.hub.beforeSession(ref.productKey, ref.deviceName)));
    for (let i = 0; i < verified.length; i++) {
      const ref = verified[i]!;
      const clientId = (list[i] as { clientId?: unknown }).clientId;
      const session = new SubDeviceSession(this, ref.productKey, ref.deviceName, typeof clientId === 'string' ? clientId : ref.deviceName);
      this.#subs.set(session.key, session);
      // A session the sub-device already had (logged in again, or through this gateway's previous connection) is
      // closed by the hub as a takeover. Commands need no subscription: they are published on this connection.
      this.#deps.hub.opened(session, { commandsReady: true });
    }
    return { code: 200, data: verified };
  }

  #logout(list: readonly unknown[]): Outcome {
    const refs: DeviceRef[] = [];
    for (const entry of list) {
      const ref = refOf(entry);
      if (!ref) return bad('each entry needs productKey and deviceName');
      if (!this.#deps.topology.isLinked(this.gateway, ref)) return notInTopology(ref);
      refs.push(ref);
    }
    for (const ref of refs) {
      const session = this.#subs.get(`${ref.productKey}/${ref.deviceName}`);
      if (!session) continue; // not logged in: logging out is done already
      this.#subs.delete(session.key);
      this.#deps.hub.closed(session.id, 'disconnect', `combine/logout by gateway ${this.key}`);
    }
    return { code: 200, data: refs };
  }

  /**
   * Checks each entry as the sign-in of the sub-device it names (the same signature as its MQTT CONNECT, through the
   * device authenticator: sign methods, timestamp window, nonce replay, disabled) and its product's node type. The
   * real reason of a refusal goes into the sub-device's connection history, as for a refused CONNECT.
   */
  async #verifyAll(list: readonly unknown[], what: string): Promise<DeviceRef[] | Outcome> {
    const refs: DeviceRef[] = [];
    const seen = new Set<string>();
    for (const entry of list) {
      const connect = connectRequest(entry);
      if (!connect) return bad('each entry needs productKey, deviceName and either clientId, timestamp, signmethod and sign, or password');
      const ref = refOf(entry)!;
      const key = `${ref.productKey}/${ref.deviceName}`;
      if (seen.has(key)) return bad(`${key} is listed twice`);
      seen.add(key);
      let result;
      try {
        result = await this.#deps.authenticator.authenticate(connect);
      } catch {
        result = { ok: false as const, reason: 'malformed' as const };
      }
      if (!result.ok || result.productKey !== ref.productKey || result.deviceName !== ref.deviceName) {
        const reason = result.ok ? 'malformed' : result.reason;
        void this.#deps.hub.recordRefused({
          ...ref, remoteAddress: this.session.remoteAddress, protocol: this.session.protocol, dialect: result.ok ? undefined : result.dialect,
          clientId: typeof (entry as { clientId?: unknown }).clientId === 'string' ? (entry as { clientId: string }).clientId : ref.deviceName,
          reason: `${reason} (${what} by gateway ${this.key})`,
        });
        if (reason === 'disabled') return { code: GATEWAY_CODES.disabled, data: ref, message: `${key} is disabled` };
        return { code: GATEWAY_CODES.notAuthorized, data: ref, message: `${key}: sign-in refused (the reason is in its connection history)` };
      }
      if (this.#deps.nodeType(ref.productKey) !== 'sub-device') {
        return { code: GATEWAY_CODES.wrongNodeType, data: ref, message: `product ${ref.productKey} is not a sub-device product` };
      }
      refs.push(ref);
    }
    return refs;
  }

  /**
   * `thing.event.property.pack.post`: the gateway's own properties and events and each sub-device's become one message
   * per device and event, decoded by the dialect as if each device had posted it on its own topic, and handed to the
   * hub with that device's session, so flows, validation and storage see ordinary posts (with `gateway` set on the
   * sub-devices'). One reply to the gateway once every part has its verdict: 200 when all were taken, otherwise the
   * first failing part's code, with every failing part in `data`. A sub-device not logged in through this gateway is
   * such a part (6401 not in its topology, 520 not logged in); the other parts are taken all the same.
   */
  #pack(topic: string, replyTopic: string, id: string, params: unknown, receivedAt: number, onVerdict?: OnVerdict): void {
    const { hub } = this.#deps;
    const fail = (message: string) => {
      this.#reply(replyTopic, 'pack.post', id, GATEWAY_CODES.badParams, {}, message);
      hub.refused(this.session, { id, topic }, GATEWAY_CODES.badParams, `thing.event.property.pack.post: ${message}`, onVerdict);
    };
    if (!isObject(params)) return fail('malformed: params must be an object');
    const subDevices = params.subDevices ?? [];
    if (!Array.isArray(subDevices)) return fail('malformed: subDevices must be an array');
    if (subDevices.length > MAX_GATEWAY_BATCH) return fail(`malformed: at most ${MAX_GATEWAY_BATCH} sub-devices in one pack`);
    const groups: { session: DeviceSession | undefined; ref: DeviceRef; properties: unknown; events: unknown }[] = [
      { session: this.session, ref: this.gateway, properties: params.properties, events: params.events },
    ];
    for (const entry of subDevices) {
      const ref = isObject(entry) ? refOf(entry.identity) : undefined;
      if (!ref) return fail('malformed: each sub-device needs identity {productKey, deviceName}');
      const session = this.#subs.get(`${ref.productKey}/${ref.deviceName}`);
      groups.push({ session, ref, properties: (entry as Record<string, unknown>).properties, events: (entry as Record<string, unknown>).events });
    }
    for (const g of groups) {
      if (g.properties !== undefined && !isObject(g.properties)) return fail(`malformed: properties of ${g.ref.productKey}/${g.ref.deviceName} must be an object`);
      if (g.events !== undefined && (!isObject(g.events) || !Object.values(g.events).every(isObject))) {
        return fail(`malformed: events of ${g.ref.productKey}/${g.ref.deviceName} must be an object of {value, time}`);
      }
      if (g.events !== undefined && !Object.keys(g.events as object).every((e) => TSL_IDENTIFIER.test(e))) {
        return fail(`malformed: an event identifier of ${g.ref.productKey}/${g.ref.deviceName} is not a thing model identifier`);
      }
    }

    const failures: { productKey: string; deviceName: string; identifier?: string; code: number; message: string }[] = [];
    let waiting = 1; // released after every part is handed over, so parts answered at once cannot finish it early
    let retry = false;
    const finish = () => {
      if (--waiting > 0) return;
      const code = failures[0]?.code ?? 200;
      const message = failures.length === 0 ? 'success' : `${failures.length} part${failures.length === 1 ? '' : 's'} not taken: ${failures[0]!.message}`;
      this.#reply(replyTopic, 'pack.post', id, code, failures.length === 0 ? {} : failures, message);
      // The pack itself is in the gateway's log; each part is in its device's.
      hub.refused(this.session, { id, topic }, code, `thing.event.property.pack.post: ${message}`);
      onVerdict?.(code, message, retry);
    };
    for (const g of groups) {
      if (!g.session) {
        const linked = this.#deps.topology.isLinked(this.gateway, g.ref);
        failures.push({
          ...g.ref, code: linked ? GATEWAY_CODES.notLoggedIn : GATEWAY_CODES.notInTopology,
          message: linked ? `${g.ref.productKey}/${g.ref.deviceName} has not logged in through this gateway` : `${g.ref.productKey}/${g.ref.deviceName} is not in this gateway's topology`,
        });
        continue;
      }
      const parts: { topic: string; body: Record<string, unknown>; identifier?: string }[] = [];
      const base = this.session.dialect === 'alink' ? `/sys/${g.ref.productKey}/${g.ref.deviceName}` : `${g.ref.productKey}/${g.ref.deviceName}`;
      if (g.properties !== undefined && Object.keys(g.properties as object).length > 0) {
        parts.push({ topic: `${base}/thing/event/property/post`, body: { method: 'thing.event.property.post', params: g.properties } });
      }
      for (const [eventId, event] of Object.entries((g.events ?? {}) as Record<string, unknown>)) {
        parts.push({ topic: `${base}/thing/event/${eventId}/post`, body: { method: `thing.event.${eventId}.post`, params: event }, identifier: eventId });
      }
      for (const part of parts) {
        const session = g.session;
        // The envelope the device would have sent on its own topic, without asking for a reply: the gateway gets one.
        const bytes = Buffer.from(JSON.stringify(this.session.dialect === 'alink'
          ? { id, version: '1.0', sys: { ack: 0 }, ...part.body }
          : { id, ack: 0, params: part.body.params }));
        const decoded = this.#codec.decodeUplink(session, part.topic, bytes, receivedAt, this.#deps.clockRule?.(session.productKey));
        if (!decoded.ok) {
          failures.push({ ...g.ref, ...(part.identifier && { identifier: part.identifier }), code: decoded.code, message: decoded.reason });
          hub.refused(session, { id, topic: part.topic }, decoded.code, decoded.reason);
          continue;
        }
        waiting++;
        const message: Omit<ThingMessage, 'replyToken'> = { ...decoded.message, protocol: session.protocol };
        if (session !== this.session) message.gateway = this.gateway;
        hub.uplink(session, message, {
          fingerprint: fingerprintOf(bytes),
          onVerdict: (code, text, again) => {
            if (code >= 300) failures.push({ ...g.ref, ...(part.identifier && { identifier: part.identifier }), code, message: text ?? `code ${code}` });
            if (again) retry = true;
            finish();
          },
        });
      }
    }
    finish();
  }

  #reply(topic: string, op: Operation, id: string | undefined, code: number, data: unknown, message: string): void {
    const reply: Record<string, unknown> = { id, code, data, message };
    if (this.session.dialect === 'alink') {
      reply.method = ALINK_METHODS[op];
      reply.version = '1.0';
    }
    this.publish(topic, Buffer.from(JSON.stringify(reply)), 0);
  }
}

/** A sub-device logged in through its gateway, as the device hub sees it: its messages ride the gateway's connection. */
class SubDeviceSession implements DeviceSession {
  readonly id = randomUUID();
  readonly key: string;
  readonly connectedAt = Date.now();
  readonly protocol;
  readonly dialect: Dialect;
  readonly remoteAddress: string;
  readonly gateway: DeviceRef;

  constructor(
    private readonly link: GatewayLink,
    readonly productKey: string,
    readonly deviceName: string,
    readonly clientId: string,
  ) {
    this.key = `${productKey}/${deviceName}`;
    this.protocol = link.session.protocol;
    this.dialect = link.session.dialect;
    this.remoteAddress = link.session.remoteAddress;
    this.gateway = link.gateway;
  }

  get replyTimeoutMs(): number | undefined {
    return this.link.session.replyTimeoutMs;
  }

  replyUplink(message: ThingMessage, code: number, data?: unknown, text?: string): void {
    const reply = codecs[this.dialect].encodeReply(message, code, data, text);
    if (reply) this.link.publish(reply.topic, reply.payload, 0);
  }

  sendCommand(command: ThingCommand, messageId: string): void {
    const out = codecs[this.dialect].encodeCommand(this, command, messageId);
    this.link.publish(out.topic, out.payload, 1);
  }

  close(_reason: string): void {
    this.link.forget(this);
  }
}

interface Outcome {
  code: number;
  data?: unknown;
  message?: string;
}

const bad = (message: string): Outcome => ({ code: GATEWAY_CODES.badParams, message: `malformed: ${message}` });
const notInTopology = (ref: DeviceRef): Outcome => ({
  code: GATEWAY_CODES.notInTopology, data: ref, message: `${ref.productKey}/${ref.deviceName} is not in this gateway's topology`,
});

function linkRefused(refusal: LinkRefusal, ref: DeviceRef): Outcome {
  const name = `${ref.productKey}/${ref.deviceName}`;
  switch (refusal) {
    case 'self': return { code: GATEWAY_CODES.self, data: ref, message: 'a gateway cannot be its own sub-device' };
    case 'other-gateway': return { code: GATEWAY_CODES.otherGateway, data: ref, message: `${name} belongs to another gateway; an engineer removes that link first` };
    case 'too-many': return { code: GATEWAY_CODES.tooMany, data: ref, message: 'the gateway has as many sub-devices as it may have' };
    case 'unknown-device': return { code: GATEWAY_CODES.notAuthorized, data: ref, message: `${name}: sign-in refused` };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `params` as a list of at most {@link MAX_GATEWAY_BATCH} entries (an array, or `{[field]: array}`); a string says why not. */
function entryList(params: unknown, field?: string): readonly unknown[] | string {
  const list = field && isObject(params) ? params[field] : params;
  if (!Array.isArray(list)) return field ? `params must be an array (or {${field}: [...]})` : 'params must be an array';
  if (list.length === 0) return 'params must list at least one device';
  if (list.length > MAX_GATEWAY_BATCH) return `at most ${MAX_GATEWAY_BATCH} devices in one request`;
  return list;
}

function refOf(value: unknown): DeviceRef | undefined {
  if (!isObject(value) || typeof value.productKey !== 'string' || typeof value.deviceName !== 'string') return undefined;
  if (value.productKey.length > 64 || value.deviceName.length > 128) return undefined;
  return { productKey: value.productKey, deviceName: value.deviceName };
}

/**
 * An entry's signature as the CONNECT it stands for: alink `{productKey, deviceName, clientId, timestamp, signmethod,
 * sign}` (the same content as the MQTT password for client id `{clientId}`) or things `{productKey, deviceName,
 * password}`. Undefined when the entry has neither shape.
 */
function connectRequest(entry: unknown): DeviceConnectRequest | undefined {
  const ref = refOf(entry);
  if (!ref) return undefined;
  const e = entry as Record<string, unknown>;
  if (typeof e.sign === 'string') {
    const clientId = e.clientId ?? '';
    const timestamp = typeof e.timestamp === 'number' ? String(e.timestamp) : e.timestamp;
    // Alibaba's own examples spell it hmacSha256: the method is matched without case.
    const signmethod = typeof e.signmethod === 'string' ? e.signmethod : e.signMethod;
    if (typeof clientId !== 'string' || /[|,]/.test(clientId)) return undefined;
    if (typeof signmethod !== 'string' || !PARAM.test(signmethod)) return undefined;
    if (timestamp !== undefined && (typeof timestamp !== 'string' || !DIGITS.test(timestamp))) return undefined;
    const params = [`signmethod=${signmethod.toLowerCase()}`];
    if (timestamp !== undefined) params.push(`timestamp=${timestamp}`);
    return { clientId: `${clientId}|${params.join(',')}|`, username: `${ref.deviceName}&${ref.productKey}`, password: e.sign, secure: false };
  }
  if (typeof e.password === 'string' && !ref.productKey.includes('&')) {
    return { clientId: ref.deviceName, username: ref.productKey, password: e.password, secure: false };
  }
  return undefined;
}

/** `{id, params}` of a request; throws on a payload that is not a JSON object, returns a reason for a bad id. */
function parseEnvelope(payload: Buffer): { id: string; params: unknown } | string {
  const envelope = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as unknown;
  if (!isObject(envelope)) return 'payload is not a JSON object';
  const id = typeof envelope.id === 'number' && Number.isInteger(envelope.id) ? String(envelope.id) : envelope.id;
  if (typeof id !== 'string' || !MESSAGE_ID.test(id) || Number(id) < 1 || Number(id) > 4_294_967_295) {
    return 'id must be a string of digits, 1 to 4294967295';
  }
  return { id, params: envelope.params };
}

function idOf(payload: Buffer): string | undefined {
  return /"id"\s*:\s*"?(\d{1,10})/.exec(payload.subarray(0, 256).toString('latin1'))?.[1];
}

/** The gateway operation a topic of the gateway's own namespace names, if any. */
function operationOf(dialect: Dialect, topic: string): Operation | undefined {
  const levels = topic.split('/');
  if (dialect === 'alink') {
    // /sys/{pk}/{dn}/thing/topo/{op}, /sys/{pk}/{dn}/thing/event/property/pack/post, /ext/session/{pk}/{dn}/combine/{op}
    if (levels[1] === 'sys' && levels[4] === 'thing') return thingOperation(levels.slice(5));
    if (levels[1] === 'ext' && levels[2] === 'session' && levels.length === 7 && levels[5] === 'combine') return SESSION_OPS.get(levels[6]!);
    return undefined;
  }
  // {pk}/{dn}/thing/topo/{op}, {pk}/{dn}/thing/event/property/pack/post, {pk}/{dn}/combine/{op}
  if (levels[2] === 'thing') return thingOperation(levels.slice(3));
  if (levels[2] === 'combine' && levels.length === 4) return SESSION_OPS.get(levels[3]!);
  return undefined;
}

function thingOperation(rest: readonly string[]): Operation | undefined {
  if (rest.length === 2 && rest[0] === 'topo') return TOPO_OPS.get(rest[1]!);
  if (rest.length === 4 && rest[0] === 'event' && rest[1] === 'property' && rest[2] === 'pack' && rest[3] === 'post') return 'pack.post';
  return undefined;
}

/** `pk/dn` of the device whose namespace a topic (or filter) of the dialect lies in; undefined when it names none. */
function ownerOf(dialect: Dialect, topic: string): string | undefined {
  const levels = topic.split('/');
  let pk: string | undefined;
  let dn: string | undefined;
  if (dialect === 'alink') {
    if (levels[0] !== '') return undefined;
    if (levels[1] === 'sys') [pk, dn] = [levels[2], levels[3]];
    else if (levels[1] === 'ota' && levels[2] === 'device') [pk, dn] = [levels[4], levels[5]];
    else if (levels[1] === 'ext') [pk, dn] = [levels[3], levels[4]];
  } else {
    [pk, dn] = [levels[0], levels[1]];
  }
  if (!pk || !dn || pk.includes('+') || pk.includes('#') || dn.includes('+') || dn.includes('#')) return undefined;
  return `${pk}/${dn}`;
}
