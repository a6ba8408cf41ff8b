import type { Dialect, IngressProtocol, ThingCommand, ThingMessage } from '../../domain/devices/thing-message.ts';

/**
 * One live connection of an authenticated device, as a transport (MQTT listener, CoAP, TCP, …) hands it to the
 * device hub. The transport owns the socket and the dialect encoding; the hub owns state, history and replies.
 */
export interface DeviceSession {
  /** Unique per connection (a reconnect is a new session). */
  readonly id: string;
  readonly productKey: string;
  readonly deviceName: string;
  readonly protocol: IngressProtocol;
  readonly dialect: Dialect;
  readonly clientId: string;
  readonly remoteAddress: string;
  /** ms since epoch. */
  readonly connectedAt: number;
  /**
   * How long flows have to give this connection's uplinks their verdict before the hub records 504 (the listener's
   * setting, read per uplink so that a redeploy changing it applies at once); absent: the hub's default.
   */
  readonly replyTimeoutMs?: number;
  /**
   * Set when the session is a sub-device's riding its gateway's connection (docs/architecture.md "Gateways"): the
   * gateway, named on the sub-device's uplinks (`ThingMessage.gateway`).
   */
  readonly gateway?: { productKey: string; deviceName: string };
  /** Encodes a reply to `message` in the session's dialect and sends it. */
  replyUplink(message: ThingMessage, code: number, data?: unknown, text?: string): void;
  /** Encodes a command in the session's dialect, numbered `messageId` (the device echoes it in its reply), and sends it. */
  sendCommand(command: ThingCommand, messageId: string): void;
  /**
   * Ends the connection. The hub calls it on takeover (`takeover`) and when the registry says the device may no
   * longer be connected (`kicked`); it has already recorded the close by then, so the transport's own
   * `hub.closed(id, …)` that follows is ignored.
   */
  close(reason: string): void;
}

/** Why a session ended, as the connection history shows it. */
export type SessionCloseReason =
  | 'disconnect'
  | 'keepalive-timeout'
  | 'takeover'
  | 'error'
  | 'kicked'
  | 'server-stop'
  | 'connection-lost'
  /** The device published or subscribed outside its namespace (the MQTT listener closes the connection). */
  | 'acl-violation'
  /** A packet larger than the listener's limit (the connection is closed before its body is read). */
  | 'packet-too-large'
  /** A QoS 1/2 message the platform could not take (5xx) over MQTT 3.1.1: closed unacknowledged, so it is sent again. */
  | 'unacknowledged'
  /** A sub-device's session ended because the gateway it rode on went offline. */
  | 'gateway-offline';

/** A connection attempt that a transport refused (bad signature, disabled device, replay, keepalive out of range, …). */
export interface RefusedAttempt {
  /** Absent when the credentials could not even be parsed. */
  productKey?: string;
  deviceName?: string;
  remoteAddress: string;
  protocol: IngressProtocol;
  dialect?: Dialect;
  clientId: string;
  /** The real reason, for the device's history; the device itself is told only "not authorized". */
  reason: string;
}
