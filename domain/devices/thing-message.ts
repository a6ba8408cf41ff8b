/**
 * The one internal message (docs/architecture.md "The path of a device message"). Every ingress (MQTT today)
 * decodes every dialect into a ThingMessage; flows see `msg.payload` = `params` and `msg.thing` = the rest.
 */

export type Dialect = 'alink' | 'things';

/** How the device reached us: the listener kind and its transport. */
export type IngressProtocol = 'mqtt' | 'mqtts' | 'mqtt-ws' | 'mqtt-wss' | 'http' | 'coap' | 'tcp' | 'udp' | 'modbus';

export type ThingMessageKind =
  | 'property.post'
  | 'event.post'
  | 'service.reply'
  | 'property.set.reply'
  | 'ota.inform'
  | 'ota.progress'
  | 'ota.get'
  | 'raw.up'
  | 'state';

export interface ThingMessage {
  /** The device's message id (digits, echoed in the reply); generated for messages the device did not number. */
  id: string;
  productKey: string;
  deviceName: string;
  kind: ThingMessageKind;
  /** `event.post`: the event identifier (`overheat` of `thing.event.overheat.post`). */
  eventId?: string;
  /** `service.reply`: the service identifier (`reboot` of `…/thing/service/reboot_reply`). */
  serviceId?: string;
  /** What the device sent as `params` (for replies: `data`; for `state`: `{status, reason}`). */
  params: unknown;
  /** Reply code carried by a device reply (`service.reply`, `property.set.reply`). */
  code?: number;
  /** Device time in ms when the device gave one. */
  deviceTime?: number;
  /** Server receive time, ms since epoch. */
  receivedAt: number;
  protocol: IngressProtocol;
  dialect: Dialect;
  /** The device wants a reply (`ack`/`sys.ack` 1). */
  ack: boolean;
  /** The topic it came on (MQTT), for logs and raw handling. */
  topic?: string;
  /**
   * Set on every uplink but device replies (and on those too when `ack`): pass to `hub.reply(token, code, data)` to
   * give the message its verdict, recorded in the message log and sent to the device only when `ack`. Node-RED clones
   * messages, so it is a token, not a callback.
   */
  replyToken?: string;
  /**
   * Set by the hub on uplinks with an identity (the device's message id and a fingerprint of its bytes): stores that
   * commit a receipt with what they store (telemetry-store) write `{productKey, deviceName, id, fingerprint}`.
   */
  fingerprint?: number;
  /**
   * A sub-device's message that came through its gateway's connection (docs/protocol.md "Gateways and sub-devices"):
   * the gateway. `protocol` is then the gateway's.
   */
  gateway?: { productKey: string; deviceName: string };
}

/**
 * A downlink: set properties, invoke a service, raw bytes through the product codec, or an OTA push (`ota.upgrade`,
 * `ota.cancel`: only the OTA service sends those, through `DeviceHub.push`; params are {@link OtaPushParams}).
 */
export interface ThingCommand {
  productKey: string;
  deviceName: string;
  kind: 'property.set' | 'service.invoke' | 'raw.down' | 'ota.upgrade' | 'ota.cancel';
  /** `service.invoke`: the service identifier. */
  serviceId?: string;
  params: unknown;
  /** How long to wait for the device's reply (ms). */
  timeoutMs?: number;
  /** Offline device: keep the command (up to `ttlMs`) and deliver it on reconnect, or fail at once. */
  whenOffline?: 'queue' | 'fail';
  ttlMs?: number;
}

/** What became of a command: the device's reply, or why there is none (code 504 timeout, 503 offline, …). */
export interface CommandResult {
  id: string;
  code: number;
  data?: unknown;
  message?: string;
  /**
   * Set only when the hub refused the command before sending it (422: it does not fit the product's published thing
   * model): each failing field, a dotted path in the command (`params.mode`, `params.pos.lat`, `serviceId`), and why.
   * A device's own 422 reply has no `details` (what it says is in `data`).
   */
  details?: Array<{ field: string; reason: string }>;
}

/**
 * What each recent uplink was answered, by its identity (device, message id), so that a repeat is answered with the
 * first verdict instead of being processed (stored) again: a device that resends after a lost reply, or an MQTT
 * QoS 1 publish sent again with DUP after a reconnect.
 *
 * Only final verdicts are kept: 2xx (taken) and 4xx (refused for good). A 5xx (no flow, timeout, storage failed) asks
 * the device to try again, so a repeat of it is processed like a new message.
 *
 * A message id alone is not trusted: devices that restart often count their ids from 1 again, and a new message under
 * a reused id must not be thrown away as a repeat. A receipt also holds a fingerprint of the payload's bytes; a repeat
 * is the same id with the same bytes (what a resend is).
 *
 * Memory is bounded: receipts older than the window are forgotten, and so is the oldest receipt whenever more than
 * `maxEntries` are kept (under heavy load the window is then shorter than configured; `stats().windowMs` says how long
 * it really is). The receipts survive a restart through the stores that write them (see `DeviceHub`), which hand them
 * back to {@link load}.
 */
export interface Receipt {
  productKey: string;
  deviceName: string;
  msgId: string;
  fingerprint: number;
  code: number;
  reason: string | null;
  /** ms since epoch, when the verdict was given. */
  at: number;
}

/** What an OTA push tells a device (docs/ota.md "Device side"); a cancel carries only module and version. */
export interface OtaPushParams {
  module: string;
  version: string;
  versionCode: number;
  url?: string;
  size?: number;
  sign?: string;
  signMethod?: 'SHA256' | 'MD5';
  md5?: string;
  extData?: Record<string, unknown>;
}
