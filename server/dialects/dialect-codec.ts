import type { OtaPushParams, ThingCommand, ThingMessage, ThingMessageKind } from '../../domain/devices/thing-message.ts';
import { badRequest } from '../errors.ts';
import { TSL_IDENTIFIER } from '../../domain/thing-model/tsl-problems.ts';
import { BUILTIN_METHODS } from '../../domain/thing-model/tsl-types.ts';
import { DEFAULT_CLOCK_RULE, type DeviceClockRule, type DeviceIdentity, type DevicePublish, type Dialect, type DialectCodec, type RefusedUplink, type UplinkResult } from './dialect.ts';
import { filterInNamespaces, topicInNamespaces, type Namespace } from './topic-acl.ts';

/**
 * What the two dialects share: the `thing/…` topic subtree (alink's under `/sys/{pk}/{dn}`, things' under
 * `{pk}/{dn}`), envelope validation, the reply envelope and command encoding. A dialect supplies only where its
 * topics live ({@link DialectLayout}) and how its envelope differs (ack field, `method`/`version`).
 */

/** How an uplink topic's payload is read and answered. */
type UplinkBody =
  /** A JSON request, answered on `{topic}_reply` when it asks for it. */
  | 'request'
  /** A JSON request that has no reply (OTA inform and progress). */
  | 'notice'
  /** A device's reply to a command: `{id, code, data}`; never answered. */
  | 'reply'
  /** Bytes for the product codec; answered on `{topic}_reply`. */
  | 'raw';

/** The operation an uplink topic carries. */
export interface UplinkRoute {
  kind: ThingMessageKind;
  body: UplinkBody;
  eventId?: string;
  serviceId?: string;
  /** The alink method of the operation: required on requests, checked when present on replies, echoed in replies. */
  method?: string;
}

/** Where an uplink topic points. */
export interface TopicTarget {
  productKey: string;
  deviceName: string;
  /** Undefined for a topic of the namespace that carries no known operation (answered 404 when `answerable`). */
  route: UplinkRoute | undefined;
  /**
   * Whether `{topic}_reply` is a reply topic of this device. False where the `_reply` convention does not hold (OTA,
   * `/ext/…`), and it must be false wherever the topic could end at the device name: `pk/dn` + `_reply` is another
   * device's namespace.
   */
  answerable: boolean;
}

/** What makes a dialect: where its topics live and how its envelope differs. */
export interface DialectLayout {
  dialect: Dialect;
  /** The ACL: the device's namespaces, compiled by `namespaces(…)`. */
  namespaces: readonly Namespace[];
  /** The prefix of the device's `thing/…` topics. */
  thingBase(id: DeviceIdentity): string;
  /** Where OTA upgrade pushes go. */
  otaUpgradeTopic(id: DeviceIdentity): string;
  /** What an uplink topic, split on `/`, points at; undefined outside every device namespace of the dialect. */
  locate(levels: readonly string[]): TopicTarget | undefined;
  /** The envelope's ack flag: absent → true; undefined when present but neither 0/1 nor a boolean. */
  ackOf(envelope: Envelope): boolean | undefined;
  /** Alink envelopes carry `method` (checked on uplinks) and `version` ("1.0"); things envelopes have neither. */
  methods: boolean;
}

/** A parsed JSON object. */
export type Envelope = Record<string, unknown>;

const MAX_MESSAGE_ID = 4_294_967_295;
const MESSAGE_ID = /^\d{1,10}$/;
const OTA_GET_METHOD = 'thing.ota.firmware.get';

/** The `method` of an uplink request kind, as alink writes it and echoes it in the reply. */
function requestMethod(kind: ThingMessageKind, eventId: string | undefined): string | undefined {
  switch (kind) {
    case 'property.post': return BUILTIN_METHODS.propertyPost;
    case 'event.post': return `thing.event.${eventId}.post`;
    case 'ota.get': return OTA_GET_METHOD;
    default: return undefined;
  }
}

const serviceMethod = (serviceId: string) => `thing.service.${serviceId}`;

/** Where the reply to an uplink kind goes, under the thing base; undefined for kinds that have no reply. */
function replyPath(kind: ThingMessageKind, eventId: string | undefined): string | undefined {
  switch (kind) {
    case 'property.post': return 'thing/event/property/post_reply';
    case 'event.post': return `thing/event/${eventId}/post_reply`;
    case 'raw.up': return 'thing/model/up_raw_reply';
    case 'ota.get': return 'thing/ota/firmware/get_reply';
    default: return undefined;
  }
}

const PROPERTY_POST: UplinkRoute = { kind: 'property.post', body: 'request', method: BUILTIN_METHODS.propertyPost };
const PROPERTY_SET_REPLY: UplinkRoute = { kind: 'property.set.reply', body: 'reply', method: BUILTIN_METHODS.propertySet };
const RAW_UP: UplinkRoute = { kind: 'raw.up', body: 'raw' };
const OTA_GET: UplinkRoute = { kind: 'ota.get', body: 'request', method: OTA_GET_METHOD };
/** OTA inform and progress: their own topics in each dialect, the same operation. */
export const OTA_INFORM: UplinkRoute = { kind: 'ota.inform', body: 'notice' };
export const OTA_PROGRESS: UplinkRoute = { kind: 'ota.progress', body: 'notice' };

/**
 * The operation of a `thing/…` topic, `levels[at]` being `thing`: property and event posts, the device's replies to
 * property sets and services, raw uplinks and the OTA firmware pull. Event and service identifiers must be TSL
 * identifiers; anything else is unknown (404).
 */
export function routeThing(levels: readonly string[], at: number): UplinkRoute | undefined {
  const group = levels[at + 1];
  const a = levels[at + 2]!;
  if (levels.length === at + 4) {
    const b = levels[at + 3];
    if (group === 'event' && b === 'post') {
      if (a === 'property') return PROPERTY_POST;
      if (TSL_IDENTIFIER.test(a)) return { kind: 'event.post', body: 'request', eventId: a, method: requestMethod('event.post', a) };
    } else if (group === 'service' && a === 'property' && b === 'set_reply') {
      return PROPERTY_SET_REPLY;
    } else if (group === 'ota' && a === 'firmware' && b === 'get') {
      return OTA_GET;
    }
  } else if (levels.length === at + 3) {
    if (group === 'service' && a.endsWith('_reply')) {
      const serviceId = a.slice(0, -'_reply'.length);
      if (TSL_IDENTIFIER.test(serviceId)) return { kind: 'service.reply', body: 'reply', serviceId, method: serviceMethod(serviceId) };
    } else if (group === 'model' && a === 'up_raw') {
      return RAW_UP;
    }
  }
  return undefined;
}

/** `ack`/`sys.ack`: 0 (or false) means no reply wanted; absent means a reply. */
export function ackFlag(value: unknown): boolean | undefined {
  if (value === undefined || value === 1 || value === true) return true;
  if (value === 0 || value === false) return false;
  return undefined;
}

export const isEnvelope = (value: unknown): value is Envelope =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const NOT_JSON = Symbol('not JSON');
const NOT_UTF8 = Symbol('not UTF-8');

/**
 * Strict UTF-8: a malformed sequence throws instead of becoming U+FFFD, which would be stored as if the device had
 * sent it. One decoder for every message; as cheap as `toString('utf8')` on ~200-byte payloads, where
 * `buffer.isUtf8` before `toString` costs half as much again. `ignoreBOM` keeps a BOM in the text, so a payload
 * starting with one is still "not JSON", as before.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function parseJson(payload: Buffer): unknown {
  let text: string;
  try {
    text = UTF8.decode(payload);
  } catch {
    return NOT_UTF8;
  }
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

/** The envelope of a payload that is not valid UTF-8, read leniently: only for its id and ack, never processed. */
function lenientEnvelope(payload: Buffer): Envelope | undefined {
  try {
    const parsed: unknown = JSON.parse(payload.toString('utf8'));
    return isEnvelope(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The envelope id as a string: digits, 1..4294967295; a number is accepted and normalised. */
function messageIdOf(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (!MESSAGE_ID.test(value)) return undefined;
    const n = Number(value);
    return n >= 1 && n <= MAX_MESSAGE_ID ? value : undefined;
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_MESSAGE_ID) return String(value);
  return undefined;
}

/**
 * Ids for messages the device did not number (raw uplinks): one counter per process, in the id range, wrapping. The
 * id only has to tell this message's reply and log entry from the device's others of the day.
 */
let lastGeneratedId = 0;
export const generateMessageId = (): string => {
  lastGeneratedId = lastGeneratedId >= MAX_MESSAGE_ID ? 1 : lastGeneratedId + 1;
  return String(lastGeneratedId);
};

/** The reply codes (docs/protocol.md "Reply codes") and the `message` a reply carries when the caller gives none. */
const REPLY_TEXT: ReadonlyMap<number, string> = new Map([
  [200, 'success'],
  [400, 'malformed request'],
  [401, 'not authorised'],
  [404, 'not found'],
  [422, 'failed the thing model'],
  [429, 'rate limited'],
  [500, 'platform error'],
]);

/** Builds the codec of a dialect from its layout. */
export function createDialectCodec(layout: DialectLayout): DialectCodec {
  const { dialect, methods } = layout;

  /** `{"id","code","data","message"}`, plus `method` and `version` in alink (Alibaba's cloud sends both). */
  function replyPayload(id: string | undefined, code: number, data: unknown, text: string | undefined, method: string | undefined): Buffer {
    const reply: Envelope = { id, code, data: data ?? {}, message: text ?? REPLY_TEXT.get(code) ?? 'error' };
    if (methods) {
      if (method !== undefined) reply.method = method;
      reply.version = '1.0';
    }
    return Buffer.from(JSON.stringify(reply));
  }

  function refuse(code: 400 | 404, reason: string, topic: string, id: string | undefined, ack: boolean, method?: string): RefusedUplink {
    const refused: RefusedUplink = { ok: false, code, reason, ack };
    if (id !== undefined) refused.id = id;
    if (ack) {
      refused.replyTopic = `${topic}_reply`;
      refused.reply = { topic: refused.replyTopic, payload: replyPayload(id, code, {}, reason, method) };
    }
    return refused;
  }

  /**
   * Whether an uplink on this topic is answered on `{topic}_reply`: requests and raw uplinks are, device replies and
   * notices never; a topic with no known operation is where the layout allows it, unless it is itself a reply.
   */
  function hasReply(target: TopicTarget, levels: readonly string[]): boolean {
    const { route } = target;
    if (route) return route.body === 'request' || route.body === 'raw';
    return target.answerable && !levels[levels.length - 1]!.endsWith('_reply');
  }

  /** Decodes an uplink whose topic is the device's own and names a known operation. */
  function decodeRoute(
    target: TopicTarget, route: UplinkRoute, levels: readonly string[], topic: string, payload: Buffer, receivedAt: number, clock: DeviceClockRule,
  ): UplinkResult {
    // No closures in here: this runs per message, and tsx (which runs the server) wraps every named function it
    // creates in a naming helper that cost more than the JSON.parse.
    if (route.body === 'raw') {
      // A copy: the packet's buffer may be a slice of a larger socket chunk that should not stay alive with the message.
      return { ok: true, message: thingMessage(target, route, generateMessageId(), Buffer.from(payload), true, receivedAt, dialect, topic) };
    }
    const answerable = hasReply(target, levels);
    // The reply to a malformed request carries the topic's method, as a well-formed one would.
    const { method } = route;

    const envelope = parseJson(payload);
    if (envelope === NOT_UTF8) {
      // The device still learns which message was refused, when its id can be read.
      const lenient = lenientEnvelope(payload);
      const ack = answerable && (lenient === undefined || layout.ackOf(lenient) !== false);
      return refuse(400, 'malformed: payload is not valid UTF-8', topic, lenient && messageIdOf(lenient.id), ack, method);
    }
    if (envelope === NOT_JSON) return refuse(400, 'malformed: payload is not JSON', topic, undefined, answerable, method);
    if (route.body === 'notice' && (Array.isArray(envelope) || (isEnvelope(envelope) && envelope.params === undefined))) {
      // OTA reports without the envelope: the things dialect's `[{key, version}]` and `{key, step, desc}` (RMQTT and
      // ThingsPanel devices send them bare). Notices get no reply, so the id is only for the message log.
      const id = (isEnvelope(envelope) ? messageIdOf(envelope.id) : undefined) ?? generateMessageId();
      return { ok: true, message: thingMessage(target, route, id, envelope, false, receivedAt, dialect, topic) };
    }
    if (!isEnvelope(envelope)) return refuse(400, 'malformed: payload is not a JSON object', topic, undefined, answerable, method);
    const id = messageIdOf(envelope.id);
    const wantsReply = layout.ackOf(envelope);
    if (wantsReply === undefined) return refuse(400, `malformed: ${methods ? 'sys.ack' : 'ack'} must be 0 or 1`, topic, id, answerable, method);
    const ack = answerable && wantsReply;
    if (id === undefined) return refuse(400, 'malformed: id must be a string of digits, 1 to 4294967295', topic, undefined, ack, method);
    if (methods && method !== undefined && envelope.method !== method && (route.body !== 'reply' || envelope.method !== undefined)) {
      return refuse(400, `malformed: method must be "${method}" on this topic`, topic, id, ack, method);
    }

    let params: unknown;
    let code: number | undefined;
    if (route.body === 'reply') {
      if (typeof envelope.code !== 'number' || !Number.isInteger(envelope.code)) {
        return refuse(400, 'malformed: a reply needs an integer code', topic, id, false);
      }
      code = envelope.code;
      params = envelope.data ?? {};
    } else {
      params = envelope.params ?? (route.kind === 'ota.get' ? {} : undefined);
      // A version report lists modules: `params` may be the things dialect's array of `{key, version}`.
      if (!isEnvelope(params) && !(route.kind === 'ota.inform' && Array.isArray(params))) {
        return refuse(400, 'malformed: params must be an object', topic, id, ack, method);
      }
    }

    // An event's time is its params' (`{"value":…,"time":…}`); property times stay per property for thing-validate.
    const inParams = route.kind === 'event.post' && (params as Envelope).time !== undefined;
    const time = inParams ? (params as Envelope).time : envelope.time;
    let deviceTime = typeof time === 'number' && Number.isFinite(time) ? time : undefined;
    if (deviceTime !== undefined && deviceTime < 0) {
      // A post would be stored before 1970; any other message simply has no usable time.
      if (route.kind === 'property.post' || route.kind === 'event.post') {
        return refuse(400, `malformed: ${inParams ? 'params.time' : 'time'} must be ms since 1970, not negative`, topic, id, ack, method);
      }
      deviceTime = undefined;
    }
    const ahead = clockProblem(route, params as Envelope, deviceTime, inParams, receivedAt, clock);
    if (ahead !== undefined) return refuse(400, ahead, topic, id, ack, method);
    if (deviceTime !== undefined && deviceTime > receivedAt + clock.maxAheadMs) deviceTime = receivedAt;

    const message = thingMessage(target, route, id, params, ack, receivedAt, dialect, topic);
    if (code !== undefined) message.code = code;
    if (deviceTime !== undefined) message.deviceTime = deviceTime;
    return { ok: true, message };
  }

  return {
    dialect,

    canPublish: (id, topic) => topicInNamespaces(layout.namespaces, id, topic),

    canSubscribe: (id, filter) => filterInNamespaces(layout.namespaces, id, filter),

    downlinkTopics(id) {
      const base = layout.thingBase(id);
      return [
        `${base}/thing/service/property/set`,
        `${base}/thing/service/+`,
        `${base}/thing/model/down_raw`,
        `${base}/thing/event/+/post_reply`,
        `${base}/thing/model/up_raw_reply`,
        `${base}/thing/ota/firmware/get_reply`,
        layout.otaUpgradeTopic(id),
      ];
    },

    decodeUplink(id, topic, payload, receivedAt, clock = DEFAULT_CLOCK_RULE) {
      const levels = topic.split('/');
      const target = layout.locate(levels);
      if (!target || target.productKey !== id.productKey || target.deviceName !== id.deviceName) {
        // Never answered: the reply would land outside the device's namespace.
        return refuse(404, 'topic outside the device namespace', topic, undefined, false);
      }
      if (target.route) return decodeRoute(target, target.route, levels, topic, payload, receivedAt, clock);
      // Unknown operation: answered where a reply is possible, so the device learns.
      const parsed = parseJson(payload);
      const envelope = isEnvelope(parsed) ? parsed : undefined;
      const ack = hasReply(target, levels) && (envelope === undefined || layout.ackOf(envelope) !== false);
      return refuse(404, `unknown topic ${topic}`, topic, envelope && messageIdOf(envelope.id), ack);
    },

    encodeReply(message, code, data, text) {
      if (!message.ack) return undefined;
      let topic: string;
      let method: string | undefined;
      if (message.topic !== undefined) {
        // The topic decides (a listener may answer a message it refused before decoding, under a stand-in kind), but
        // only a topic of this device that has a reply: a reply never leaves the device's namespace.
        const levels = message.topic.split('/');
        const target = layout.locate(levels);
        if (!target || target.productKey !== message.productKey || target.deviceName !== message.deviceName
          || !hasReply(target, levels)) return undefined;
        topic = `${message.topic}_reply`;
        method = target.route?.method;
      } else {
        const path = replyPath(message.kind, message.eventId);
        if (path === undefined) return undefined;
        topic = `${layout.thingBase(message)}/${path}`;
        method = requestMethod(message.kind, message.eventId);
      }
      return { topic, payload: replyPayload(message.id, code, data, text, method) };
    },

    encodeCommand(id, command, messageId) {
      if (command.productKey !== id.productKey || command.deviceName !== id.deviceName) {
        throw badRequest(`A command for ${command.productKey}/${command.deviceName} cannot be sent to ${id.productKey}/${id.deviceName}.`);
      }
      const base = layout.thingBase(id);
      switch (command.kind) {
        case 'property.set':
          return request(`${base}/thing/service/property/set`, messageId, objectParams(command), BUILTIN_METHODS.propertySet);
        case 'service.invoke': {
          const { serviceId } = command;
          // Also keeps a service id from reaching into other topics ("a/b", "+", "#").
          if (serviceId === undefined || !TSL_IDENTIFIER.test(serviceId)) {
            throw badRequest(`"${serviceId}" is not a service identifier.`);
          }
          return request(`${base}/thing/service/${serviceId}`, messageId, objectParams(command), serviceMethod(serviceId));
        }
        case 'raw.down': {
          const bytes = command.params;
          if (!(bytes instanceof Uint8Array)) throw badRequest('A raw.down command carries its bytes as a Buffer in params.');
          return { topic: `${base}/thing/model/down_raw`, payload: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
        }
        case 'ota.upgrade':
        case 'ota.cancel':
          return { topic: layout.otaUpgradeTopic(id), payload: otaPush(command.kind, command.params as OtaPushParams, messageId) };
        default:
          throw badRequest(`Unknown command kind "${(command as ThingCommand).kind}".`);
      }
    },
  };

  /**
   * docs/ota.md "Device side": alink's `{code:"1000", id, message, data:{…}}` (a cancel is code "9001"), the things
   * dialect's `[{key, version, version_name, file_url, sign, sign_method, md5, size}]` (a cancel `[{key, version, cancel}]`).
   */
  function otaPush(kind: 'ota.upgrade' | 'ota.cancel', p: OtaPushParams, messageId: string): Buffer {
    if (methods) {
      const body = kind === 'ota.cancel'
        ? { code: '9001', id: Number(messageId), message: 'upgrade cancelled', data: { module: p.module, version: p.version } }
        : {
          code: '1000', id: Number(messageId), message: 'success',
          data: { size: p.size, version: p.version, url: p.url, sign: p.sign, signMethod: p.signMethod, md5: p.md5, module: p.module, extData: p.extData ?? {} },
        };
      return Buffer.from(JSON.stringify(body));
    }
    const item = kind === 'ota.cancel'
      ? { key: p.module, version: p.versionCode, version_name: p.version, cancel: true }
      : {
        key: p.module, version: p.versionCode, version_name: p.version, file_url: p.url, sign: p.sign, sign_method: p.signMethod, md5: p.md5,
        size: p.size, ext_data: p.extData ?? {},
      };
    return Buffer.from(JSON.stringify([item]));
  }

  /** `{"id","version":"1.0","params","method"}` in alink, `{"id","params"}` in things. */
  function request(topic: string, id: string, params: Envelope, method: string): DevicePublish {
    const envelope: Envelope = methods ? { id, version: '1.0', params, method } : { id, params };
    return { topic, payload: Buffer.from(JSON.stringify(envelope)) };
  }
}

/**
 * The clock check of {@link DeviceClockRule}: the device times of a message (its envelope or event time, and on
 * property posts every `{value, time}`) more than `maxAheadMs` after `receivedAt`. On a property or event post under
 * `refuse` it returns the refusal, naming the time furthest ahead and by how much; otherwise it replaces those in
 * `params` by `receivedAt` (the caller does the same with the message's own time) and returns undefined. A loop over
 * the params only on property posts: no allocation when every time is fine.
 */
function clockProblem(
  route: UplinkRoute, params: Envelope, deviceTime: number | undefined, inParams: boolean, receivedAt: number, clock: DeviceClockRule,
): string | undefined {
  const limit = receivedAt + clock.maxAheadMs;
  const refusing = clock.future === 'refuse' && (route.kind === 'property.post' || route.kind === 'event.post');
  let worst = deviceTime !== undefined && deviceTime > limit ? deviceTime : -1;
  let where = inParams ? 'params.time' : 'time';
  if (inParams && worst >= 0 && !refusing) params.time = receivedAt;
  if (route.kind === 'property.post') {
    for (const identifier in params) {
      const reported = params[identifier];
      if (typeof reported !== 'object' || reported === null) continue;
      const t = (reported as { time?: unknown }).time;
      if (typeof t !== 'number' || t <= limit || (reported as { value?: unknown }).value === undefined) continue;
      if (!refusing) {
        (reported as { time: number }).time = receivedAt;
      } else if (t > worst) {
        worst = t;
        // Not checked against the thing model yet: a device's key is shown, not a page of it.
        where = `params.${identifier.length > 64 ? `${identifier.slice(0, 64)}…` : identifier}.time`;
      }
    }
  }
  if (!refusing || worst < 0) return undefined;
  return `device clock is ahead: ${where} is ${duration(worst - receivedAt)} (${worst - receivedAt} ms) after the time it was `
    + `received; at most ${duration(clock.maxAheadMs)} is allowed`;
}

const DURATION_UNITS: readonly (readonly [number, string])[] = [
  [31_557_600_000, 'years'], [86_400_000, 'days'], [3_600_000, 'h'], [60_000, 'min'], [1000, 's'],
];

/** A span of ms in the largest unit that fits, for people reading a refusal: "975 years", "7 min", "40 s". */
function duration(ms: number): string {
  for (const [size, unit] of DURATION_UNITS) {
    if (ms >= 2 * size || (size <= 60_000 && ms >= size)) {
      const n = ms / size;
      return `${n >= 10 ? Math.round(n) : Math.round(n * 10) / 10} ${unit}`;
    }
  }
  return `${ms} ms`;
}

type DecodedMessage = Omit<ThingMessage, 'protocol' | 'replyToken'>;

function thingMessage(
  target: TopicTarget, route: UplinkRoute, id: string, params: unknown, ack: boolean, receivedAt: number, dialect: Dialect, topic: string,
): DecodedMessage {
  const message: DecodedMessage = {
    id, productKey: target.productKey, deviceName: target.deviceName, kind: route.kind, params, receivedAt, dialect, ack, topic,
  };
  if (route.eventId !== undefined) message.eventId = route.eventId;
  if (route.serviceId !== undefined) message.serviceId = route.serviceId;
  return message;
}

function objectParams(command: ThingCommand): Envelope {
  const params = command.params ?? (command.kind === 'service.invoke' ? {} : undefined);
  if (!isEnvelope(params)) throw badRequest(`A ${command.kind} command carries an object in params.`);
  return params;
}
