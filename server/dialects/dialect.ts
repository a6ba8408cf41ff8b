import type { Dialect, ThingCommand, ThingMessage } from '../../domain/devices/thing-message.ts';

export type { Dialect };

/** The device a session belongs to, as its sign-in proved it. */
export interface DeviceIdentity {
  productKey: string;
  deviceName: string;
}

/** One MQTT publication to a device. */
export interface DevicePublish {
  topic: string;
  payload: Buffer;
}

/** An uplink turned into the internal message; the hub adds `protocol` and the `replyToken`. */
export interface DecodedUplink {
  ok: true;
  message: Omit<ThingMessage, 'protocol' | 'replyToken'>;
}

/**
 * An uplink that cannot become a ThingMessage. docs/protocol.md "Reply codes": a failing message is never silently dropped; it is
 * recorded in the message log and, when `ack`, answered.
 */
export interface RefusedUplink {
  ok: false;
  /** 400 malformed envelope; 404 a topic of the device's namespace that carries no known operation. */
  code: 400 | 404;
  /** Why, for the message log and the reply's `message`. */
  reason: string;
  /** The envelope's id when it could be read. */
  id?: string;
  /** Whether the device is to be answered: broken JSON is answered (the device learns), replies and notices are not. */
  ack: boolean;
  /** `{topic}_reply` when the topic has a reply; never a topic outside the device's namespace. */
  replyTopic?: string;
  /** The answer ready to publish, present exactly when `ack` and `replyTopic` are. */
  reply?: DevicePublish;
}

/** What becomes of a device time too far ahead of the receive time; a product setting. */
export type FutureTimes = 'refuse' | 'clamp';

/**
 * How far a device's clock is believed. A device time (the envelope's `time`, an event's `params.time`, a property's
 * `{value, time}`) more than `maxAheadMs` after the receive time would pin the device's latest values in the future:
 * on property and event posts it is refused (400, nothing processed) or, with `clamp`, replaced by the receive time
 * (the message is processed). On other messages (device replies, OTA) it is always replaced: nothing is stored by it,
 * and refusing a device's reply would lose the command's outcome. Times in the past are taken however old (devices
 * upload buffered history); a negative envelope time is malformed.
 */
export interface DeviceClockRule {
  /** The platform's `--max-clock-skew`, in ms. */
  maxAheadMs: number;
  /** The product's `futureTimes`. */
  future: FutureTimes;
}

/** The rule when none is given: 5 minutes, refused. */
export const DEFAULT_CLOCK_RULE: Readonly<DeviceClockRule> = Object.freeze({ maxAheadMs: 300_000, future: 'refuse' });

/** What {@link DialectCodec.decodeUplink} returns. */
export type UplinkResult = DecodedUplink | RefusedUplink;

/**
 * One topic dialect (docs/protocol.md "Dialects"): its ACL, its uplink decoding and its reply and command encoding. Every function
 * is synchronous and pure (no I/O, no state other than the id counter of raw uplinks).
 */
export interface DialectCodec {
  dialect: Dialect;
  /** Whether the device may publish on `topic`: inside its own namespace, no wildcard. */
  canPublish(id: DeviceIdentity, topic: string): boolean;
  /**
   * Whether the device may subscribe to `filter`: a valid MQTT filter whose every match is inside the device's own
   * namespace. `#` or `+` in place of pk/dn, and any filter that could match another device's topics, are refused.
   * Check every filter of a SUBSCRIBE.
   */
  canSubscribe(id: DeviceIdentity, filter: string): boolean;
  /**
   * Topic filters the platform publishes to this device on (commands, replies, OTA pushes), for subscribing a device
   * on connect when it does not subscribe itself (e.g. a persistent session). Informational.
   */
  downlinkTopics(id: DeviceIdentity): string[];
  /**
   * Decodes one uplink. Runs for every message: one JSON.parse, the topic split once, no per-call regex compilation.
   * A topic outside the device's namespace (which `canPublish` refuses first) is a 404 that is never answered. A JSON
   * payload that is not valid UTF-8 is a 400. Device times are checked against `receivedAt` by `clock` (absent:
   * {@link DEFAULT_CLOCK_RULE}).
   */
  decodeUplink(id: DeviceIdentity, topic: string, payload: Buffer, receivedAt: number, clock?: DeviceClockRule): UplinkResult;
  /**
   * The reply to a decoded uplink (`{"id","code","data","message"}` on `{topic}_reply`; alink adds `method` and
   * `version` as Alibaba's cloud does). Undefined when the message has no reply (OTA inform and progress, device
   * replies) or did not ask for one (`ack` false).
   */
  encodeReply(message: ThingMessage, code: number, data?: unknown, text?: string): DevicePublish | undefined;
  /**
   * A command to the device, numbered `messageId` (the device's reply carries it back). Throws a 400 `ApiError` for a
   * command it cannot express: another device's, an invalid service identifier, non-object params, non-binary raw.
   */
  encodeCommand(id: DeviceIdentity, command: ThingCommand, messageId: string): DevicePublish;
}
