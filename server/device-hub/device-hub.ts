import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/database.ts';
import type { DeviceStore } from '../devices/device-store.ts';
import { ApiError } from '../errors.ts';
import type { DeviceChange, RegistryEvents } from '../registry-events.ts';
import { DeviceLog, type ConnectionLogItem, type DeviceLogOptions, type FleetConnectionLogItem, type DeviceLogStats, type LogPage, type MessageEntry, type MessageLogItem } from './device-log.ts';
import type { DeviceSession, RefusedAttempt, SessionCloseReason } from './device-session.ts';
import type { CommandResult, Dialect, IngressProtocol, ThingCommand, ThingMessage, ThingMessageKind } from '../../domain/devices/thing-message.ts';
import { isFinal, receiptKey, UplinkReceipts, type UplinkReceiptsOptions } from './uplink-receipts.ts';
import type { Receipt } from '../../domain/devices/thing-message.ts';

export interface DeviceHubOptions {
  /**
   * How long a flow has to answer an uplink before the hub records (and, when the device asked, answers) 504; for
   * sessions that do not bring their own (`DeviceSession.replyTimeoutMs`, the listener's setting). Default 5000.
   */
  replyTimeoutMs?: number;
  /** How long a command waits for the device's reply when the command does not say. */
  commandTimeoutMs?: number;
  /** How long a queued command (device offline, `whenOffline: 'queue'`) waits when the command does not say. */
  queueTtlMs?: number;
  /** Queued commands kept per offline device; more are refused at once with 503. */
  maxQueuedCommands?: number;
  /** lastSeen is written to the devices table at most this often (per device and overall). */
  lastSeenFlushMs?: number;
  /**
   * After `closed(id, 'takeover')` (the transport replaced the connection with a newer one of the same device, which
   * has not reached `opened` yet), how long the device stays online waiting for it.
   */
  takeoverGraceMs?: number;
  /** Group commit and retention of the message log and connection history. */
  log?: DeviceLogOptions;
  /**
   * Uplinks that asked for a reply (`ack`) waiting for a flow's answer at most before the hub reports pressure
   * (default 10,000): flows that fall behind slow the devices down (see IngressGate) instead of collecting messages
   * without bound. Relieved at half. Uplinks without ack wait for their verdict too (for the message log) but do not
   * count: a flow that never answers them (device in → debug) is a valid flow, not one that has fallen behind.
   */
  maxPendingReplies?: number;
  /** Told when pending replies pass `maxPendingReplies` and when they fall back under half of it. */
  pressure?: (busy: boolean, reason: string) => void;
  /** The clock, ms since epoch (tests). Timers still use setTimeout. */
  now?: () => number;
  /**
   * Checks a command before it is sent or queued (the composition root checks property sets and service calls
   * against the product's published thing model). A refusal ends the command at once with 422, its message and the
   * failing fields in `details`; it is in the device's message log and never reaches the device. Must not throw (a
   * throw is logged and the command ends with 500, unsent).
   */
  checkCommand?: (command: ThingCommand) => { message: string; details: NonNullable<CommandResult['details']> } | undefined;
  /** How long, and how many, uplink verdicts are remembered to answer repeats (see UplinkReceipts). */
  receipts?: UplinkReceiptsOptions;
}

/** What a transport passes with an uplink besides the message. */
export interface UplinkOptions {
  /**
   * A fingerprint of the payload's bytes (`fingerprintOf`), given when the message id is the device's own: the
   * uplink is then deduplicated by (device, message id, fingerprint). Absent: never treated as a repeat.
   */
  fingerprint?: number;
  /**
   * Called once the verdict is in and its record (stored data, message log entry, receipt) committed. `retry` is true
   * when nothing was taken for a reason that may pass (storage failed, the platform is overloaded): the device should
   * send the message again, and the call comes at once. A message no flow handles (503) or answers in time (504) is
   * not retried: sending it again would not change that. Never called when the hub stops first. The transport
   * acknowledges the message here (MQTT: PUBACK).
   */
  onVerdict?: (code: number, text: string | null, retry: boolean) => void;
}

/** The verdict side of an uplink: who waits for it, and the repeats that arrived while it was pending. */
interface VerdictWaiters {
  /** The receipt key when the uplink has an identity (see UplinkOptions.fingerprint). */
  key: string | undefined;
  productKey: string;
  deviceName: string;
  msgId: string;
  fingerprint: number;
  onVerdict: UplinkOptions['onVerdict'];
  repeats: Repeat[] | undefined;
}

/** A repeat of an uplink whose verdict is still pending: answered with that verdict. */
interface Repeat {
  session: DeviceSession;
  message: ThingMessage;
  entry: MessageEntry;
  onVerdict: UplinkOptions['onVerdict'];
}

const REPEAT = 'repeat of a message already received; not processed again';

/** Where a device stands, from the hub's live view. */
export interface DeviceConnectionState {
  online: boolean;
  /** ms since epoch; null when the device was never seen. */
  lastSeenAt: number | null;
  /** The live connection, when online. */
  session?: {
    id: string;
    protocol: IngressProtocol;
    dialect: Dialect;
    clientId: string;
    remoteAddress: string;
    connectedAt: number;
  };
}

/** Counters for `/metrics`; all counts are since the hub started. */
export interface DeviceHubStats {
  onlineSessions: number;
  uplinks: number;
  /** Uplinks that repeated one already received (same device, message id and bytes): answered, not processed again. */
  repeats: number;
  /** Verdicts remembered to answer repeats, and how far back they reach (the window, or less when the cap bites). */
  receipts: { receipts: number; windowMs: number };
  /** Commands handed to a device session. */
  downlinks: number;
  /** Answers devices got to their uplinks, by code: flows' replies, the hub's 503/504 and the listeners' refusals. */
  repliesByCode: Record<string, number>;
  /** Outcomes of commands by code (device reply codes, 503 offline, 504 timeout, 410 expired, …). */
  commandsByCode: Record<string, number>;
  /** Connection attempts refused: for devices that exist (in their history) and for names that do not. */
  refused: { known: number; unknownDevice: number };
  /**
   * Uplinks waiting for the flow's answer that the device asked for (ack). Those without ack wait for their verdict
   * too (for the message log), but nobody waits on them: shutdown does not hold for them, nor does this count them.
   */
  pendingReplies: number;
  pendingCommands: number;
  queuedCommands: number;
  messageLog: DeviceLogStats;
}

/**
 * Receives every uplink and `state` change; must not throw (a throw is logged and the others still get it). Returns
 * false for a message it does not handle (a `device in` node filtering by kind or product): when no listener takes an
 * uplink, it is answered 503 at once instead of waiting for a verdict that will not come.
 */
export type ThingMessageListener = (message: ThingMessage) => boolean | void;

interface PendingUplink {
  session: DeviceSession;
  /**
   * When the device asked for a reply (`ack`): a copy kept to encode it, since listeners get their own object and
   * may change it. Undefined without ack: the verdict is only recorded, so nothing is copied.
   */
  message: ThingMessage | undefined;
  entry: MessageEntry;
  timer: NodeJS.Timeout;
  timeoutMs: number;
  /** Absent for uplinks nobody waits on beyond the log (no transport callback, no identity). */
  waiters: VerdictWaiters | undefined;
}

interface PendingCommand {
  id: string;
  deviceKey: string;
  entry: MessageEntry;
  timer: NodeJS.Timeout;
  resolve(result: CommandResult): void;
}

/** A command waiting for its device: offline (`whenOffline: 'queue'`), or online but not ready for commands yet. */
interface QueuedCommand {
  id: string;
  command: ThingCommand;
  timeoutMs: number;
  expiresAt: number;
  /** What the command ends with when `expiresAt` passes before delivery. */
  expiry: CommandResult;
  /** Held only because the session was not ready: ends with 503 when the device goes offline, like a sent one. */
  failOnClose: boolean;
  entry: MessageEntry;
  timer: NodeJS.Timeout;
  resolve(result: CommandResult): void;
}

const DEVICE_REPLY_KINDS: ReadonlySet<ThingMessageKind> = new Set(['service.reply', 'property.set.reply']);
const COMMAND_KINDS: ReadonlySet<string> = new Set(['property.set', 'service.invoke', 'raw.down']);
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
/** Message ids are decimal strings in 1..4294967295 (docs/protocol.md "Requests"). */
const MAX_MESSAGE_ID = 4_294_967_295;
const NO_FLOW = 'no flow handles device messages';

const deviceKey = (productKey: string, deviceName: string) => `${productKey}/${deviceName}`;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The device hub: live sessions and the online/offline state machine, connection history, the message log, uplinks
 * to flows with replies by token, and commands to devices with their replies, timeouts and offline queue
 * (docs/architecture.md "The path of a device message").
 *
 * Transports (the MQTT listener, later HTTP/CoAP/TCP) authenticate devices and hand the hub a {@link DeviceSession}:
 * `opened` once it is connected (and `commandsReady` once it can receive commands, when that comes later),
 * `seen`/`uplink`/`refused` while it talks, `closed` when it ends. Flows `subscribe`, `reply` and `sendCommand`.
 *
 * Choices worth knowing:
 * - One session per device: a second connection takes over, the first is closed (`takeover`) and the device stays
 *   online.
 * - When a device goes offline, its commands waiting for a reply fail at once with 503 `device went offline`: the
 *   connection that would have carried the reply is gone, and a caller learns it now rather than at the timeout. A
 *   takeover does not fail them (the device is still online and may answer on its new connection).
 * - A queued command that outlives its TTL ends with 410 `expired` (never delivered, safe to retry), unlike 504
 *   (delivered, unanswered: the device may have acted on it).
 * - At construction, devices the table still says are `online` are set `offline`: sessions do not outlive the process.
 *   (With several instances on one database this becomes a lease holder's job; see docs/architecture.md "Scale-out".)
 * - Stop transports before `close()` so that their sessions are recorded as closed (`server-stop`).
 */
export class DeviceHub {
  readonly #devices: DeviceStore;
  readonly #events: RegistryEvents;
  readonly #logger: Logger;
  readonly #log: DeviceLog;
  readonly #now: () => number;
  readonly #replyTimeoutMs: number;
  readonly #commandTimeoutMs: number;
  readonly #queueTtlMs: number;
  readonly #maxQueued: number;
  readonly #lastSeenFlushMs: number;
  readonly #takeoverGraceMs: number;
  readonly #checkCommand: DeviceHubOptions['checkCommand'];

  /** Registered sessions by session id. */
  readonly #sessions = new Map<string, DeviceSession>();
  /** The current session of each online device. */
  readonly #current = new Map<string, DeviceSession>();
  /** Devices between a transport's `closed(…, 'takeover')` and the newer session's `opened`, with the grace timer. */
  readonly #handovers = new Map<string, { previous: DeviceSession; timer: NodeJS.Timeout }>();
  /** Sessions opened with `commandsReady: false` that have not said `commandsReady` yet. */
  readonly #notReady = new Set<string>();
  /** Sessions that ended: a reply for one of their uplinks has nowhere to go. Weak, so ended sessions are collected. */
  readonly #ended = new WeakSet<DeviceSession>();
  /** When each online device was last seen (ms); offline devices' last value is in the devices table. */
  readonly #lastSeen = new Map<string, { productKey: string; deviceName: string; at: number }>();
  readonly #lastSeenDirty = new Set<string>();
  #lastSeenTimer: NodeJS.Timeout | undefined;

  readonly #listeners = new Set<ThingMessageListener>();
  /** Watchers that see every message but handle none (the live feed): they do not make a flow, see {@link observe}. */
  readonly #observers = new Set<ThingMessageListener>();
  readonly #pendingUplinks = new Map<string, PendingUplink>();
  readonly #receipts: UplinkReceipts;
  /** Uplinks with an identity whose verdict is pending, by receipt key: a repeat meanwhile waits for that verdict. */
  readonly #inflight = new Map<string, VerdictWaiters>();
  #repeats = 0;
  /** The pending uplinks that asked for a reply: what `maxPendingReplies` bounds. */
  #pendingAcks = 0;
  readonly #maxPendingReplies: number;
  readonly #pressure: DeviceHubOptions['pressure'];
  #behind = false;
  /** Commands waiting for the device's reply, by device, then message id. */
  readonly #pendingCommands = new Map<string, Map<string, PendingCommand>>();
  readonly #queues = new Map<string, QueuedCommand[]>();

  #nextMessageId: number;
  /** Tokens from a previous process (a flow holding one across a restart) must not match this process's. */
  readonly #tokenPrefix = randomBytes(6).toString('base64url');
  #tokenSeq = 0;
  #closed = false;
  #noFlowWarnedAt = -Infinity;
  #noFlowSuppressed = 0;

  readonly #counts = {
    uplinks: 0,
    downlinks: 0,
    repliesByCode: {} as Record<string, number>,
    commandsByCode: {} as Record<string, number>,
    refused: { known: 0, unknownDevice: 0 },
  };

  readonly #onDeviceChanged = (change: DeviceChange) => this.#deviceChanged(change);
  /** One handler for every reply timer, the token passed as its argument: no closure per uplink. */
  readonly #onReplyTimeout = (token: string) => this.#replyTimedOut(token);

  /**
   * @param logger the hub's logger (a child of the root, `{subsystem: 'device-hub'}`); payloads are never logged.
   */
  constructor(db: Db, devices: DeviceStore, registryEvents: RegistryEvents, logger: Logger, options: DeviceHubOptions = {}) {
    this.#devices = devices;
    this.#events = registryEvents;
    this.#logger = logger;
    this.#now = options.now ?? Date.now;
    this.#replyTimeoutMs = options.replyTimeoutMs ?? 5000;
    this.#commandTimeoutMs = options.commandTimeoutMs ?? 10_000;
    this.#queueTtlMs = options.queueTtlMs ?? 24 * 3_600_000;
    this.#maxQueued = options.maxQueuedCommands ?? 100;
    this.#lastSeenFlushMs = options.lastSeenFlushMs ?? 5000;
    this.#takeoverGraceMs = options.takeoverGraceMs ?? 5000;
    this.#maxPendingReplies = options.maxPendingReplies ?? 10_000;
    this.#pressure = options.pressure;
    this.#checkCommand = options.checkCommand;
    this.#log = new DeviceLog(db, logger, options.log);
    this.#receipts = new UplinkReceipts(options.receipts);
    this.#receipts.load(this.#log.receipts(this.#now() - this.#receipts.windowMs), this.#now());
    // Seeded from the clock so that ids do not start again at 1 after a restart, where a device's late reply to a
    // command of the previous process could match a new command.
    this.#nextMessageId = (Math.floor(this.#now() / 1000) % MAX_MESSAGE_ID) + 1;
    registryEvents.on('device.changed', this.#onDeviceChanged);

    const stale = devices.markAllOffline();
    if (stale.length > 0) {
      const at = iso(this.#now());
      for (const d of stale) {
        this.#log.connection({ ...d, at, event: 'disconnected', reason: 'server-stop: still online when the server started again' });
      }
      logger.info({ devices: stale.length }, 'devices left online by the previous process set offline');
    }
  }

  // ── sessions ──────────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * A device finished connecting. A session the device already had is closed (`takeover`); the device becomes
   * `online`, the connection is recorded, a `state` message `{status: 'online'}` goes to subscribers, and queued
   * commands still within their TTL are sent. A device deleted meanwhile has its session closed at once.
   *
   * @param options.commandsReady false when the connection cannot receive commands yet. MQTT: a command published
   *   before the device has subscribed to its command topics is dropped by the broker, so the listener passes false
   *   here and calls {@link commandsReady} on the device's first SUBSCRIBE. Until then, commands wait (queued ones up to
   *   their TTL, others up to their timeout).
   */
  opened(session: DeviceSession, options: { commandsReady?: boolean } = {}): void {
    const key = deviceKey(session.productKey, session.deviceName);
    const previous = this.#current.get(key);
    if (this.#closed || previous === session || this.#sessions.has(session.id)) return;
    const at = this.#now();
    if (!this.#devices.setStatus(session.productKey, session.deviceName, 'online', iso(at))) {
      this.#ended.add(session);
      this.#logger.info({ productKey: session.productKey, deviceName: session.deviceName }, 'session of a device that no longer exists closed');
      this.#closeSession(session, 'kicked');
      return;
    }
    this.#sessions.set(session.id, session);
    this.#current.set(key, session);
    const handover = this.#handovers.get(key);
    if (handover) {
      clearTimeout(handover.timer);
      this.#handovers.delete(key);
    }
    if (previous) {
      // The hub's state changes first: the transport may call closed() from inside close(), which must then be a no-op.
      this.#sessions.delete(previous.id);
      this.#notReady.delete(previous.id);
      this.#ended.add(previous);
      this.#recordConnection(previous, 'disconnected', 'takeover', at);
      this.#closeSession(previous, 'takeover');
    }
    this.#lastSeen.set(key, { productKey: session.productKey, deviceName: session.deviceName, at });
    this.#recordConnection(session, 'connected', null, at);
    this.#logger.debug({ productKey: session.productKey, deviceName: session.deviceName, protocol: session.protocol, takeover: !!previous }, 'device online');
    // Before the state message: a flow that reacts to `online` with a command must find the session's readiness set.
    if (options.commandsReady === false) this.#notReady.add(session.id);
    this.#emitState(session, { status: 'online' }, at);
    if (options.commandsReady !== false) this.#deliverQueued(key, session);
  }

  /**
   * The session can receive commands now (MQTT: the device subscribed). Sends what waited for it; later calls, and
   * calls for sessions opened ready, do nothing.
   */
  commandsReady(session: DeviceSession): void {
    if (!this.#notReady.delete(session.id) || this.#sessions.get(session.id) !== session) return;
    this.#deliverQueued(deviceKey(session.productKey, session.deviceName), session);
  }

  /**
   * A session ended. When it is still the device's current one, the device becomes `offline` (with its last-seen
   * time), the close is recorded, its commands waiting for a reply fail with 503, and a `state` message
   * `{status: 'offline', reason}` goes to subscribers. Unknown or already-ended sessions are ignored, so a transport
   * may call this for every connection it closes, including those the hub closed itself.
   *
   * Reason `takeover` means the transport itself replaced the connection with a newer one of the same device that has
   * not been `opened` yet (aedes closes the older client with the same client id before the newer is ready): the
   * device stays online and its commands keep waiting for `takeoverGraceMs`, and goes offline only if no session
   * opens in that time.
   */
  closed(sessionId: string, reason: SessionCloseReason, detail?: string): void {
    const session = this.#sessions.get(sessionId);
    if (!session || this.#closed) return;
    this.#sessions.delete(sessionId);
    this.#notReady.delete(sessionId);
    this.#ended.add(session);
    const key = deviceKey(session.productKey, session.deviceName);
    const at = this.#now();
    const text = detail ? `${reason}: ${detail}` : reason;
    this.#recordConnection(session, 'disconnected', text, at);
    if (this.#current.get(key) !== session) return;
    this.#current.delete(key);
    if (reason === 'takeover') {
      const timer = setTimeout(() => {
        this.#handovers.delete(key);
        this.#wentOffline(session, 'takeover: the new connection did not complete', this.#now());
      }, this.#takeoverGraceMs);
      timer.unref();
      this.#handovers.set(key, { previous: session, timer });
      return;
    }
    this.#wentOffline(session, text, at);
  }

  #wentOffline(session: DeviceSession, text: string, at: number): void {
    const key = deviceKey(session.productKey, session.deviceName);
    const seen = this.#lastSeen.get(key);
    this.#lastSeen.delete(key);
    this.#lastSeenDirty.delete(key);
    this.#devices.setStatus(session.productKey, session.deviceName, 'offline', iso(at), seen && iso(seen.at));
    this.#logger.debug({ productKey: session.productKey, deviceName: session.deviceName, reason: text }, 'device offline');
    const waiting = this.#pendingCommands.get(key);
    if (waiting) {
      for (const pending of [...waiting.values()]) this.#settle(pending, { id: pending.id, code: 503, message: 'device went offline' });
    }
    for (const held of (this.#queues.get(key) ?? []).filter((q) => q.failOnClose)) {
      this.#unqueue(key, held);
      this.#finish(held.entry, held.resolve, { id: held.id, code: 503, message: 'device went offline' });
    }
    this.#emitState(session, { status: 'offline', reason: text }, at);
  }

  /**
   * A connection attempt was refused. Recorded in the device's history with the real reason when the device exists;
   * attempts naming devices that do not exist are only counted (and logged at debug), so that nobody can fill the
   * database by trying names.
   */
  recordRefused(attempt: RefusedAttempt): void {
    const { productKey, deviceName } = attempt;
    if (this.#closed) return;
    if (productKey !== undefined && deviceName !== undefined && this.#devices.exists(productKey, deviceName)) {
      this.#counts.refused.known++;
      this.#log.connection({
        productKey, deviceName, at: iso(this.#now()), event: 'refused', reason: attempt.reason,
        remoteAddress: attempt.remoteAddress, protocol: attempt.protocol, dialect: attempt.dialect ?? null, clientId: attempt.clientId,
      });
      return;
    }
    this.#counts.refused.unknownDevice++;
    this.#logger.debug({ remoteAddress: attempt.remoteAddress, protocol: attempt.protocol, reason: attempt.reason }, 'connection refused for an unknown device');
  }

  /**
   * The device showed it is alive (any packet, keepalive included). Kept in memory; written to the devices table in
   * one batch every `lastSeenFlushMs`, never once per message. Sessions the hub does not hold are ignored.
   */
  seen(session: DeviceSession): void {
    if (this.#sessions.get(session.id) !== session) return;
    this.#touch(session, this.#now());
  }

  // ── uplinks ───────────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * A decoded uplink. It is logged and goes to every subscriber. A device reply (`service.reply`,
   * `property.set.reply`) whose id matches a waiting command resolves that command. Every other uplink gets a
   * `replyToken` for {@link reply}, so the flow's verdict lands in the message log (docs/protocol.md "Reply codes": no message is
   * silently dropped); it is published to the device only when the device asked (`ack`). Without a verdict within the
   * session's reply timeout (else `replyTimeoutMs`) the hub records 504, answering it when asked; with no subscriber
   * at all it records 503 at once rather than make the device wait.
   *
   * Identity comes from the session, never from the message. Uplinks of a session that already ended (in flight
   * during a takeover) are still processed; only their replies cannot be delivered.
   */
  uplink(session: DeviceSession, message: Omit<ThingMessage, 'replyToken'>, options: UplinkOptions = {}): void {
    if (this.#closed) return;
    const at = this.#now();
    if (this.#sessions.get(session.id) === session) this.#touch(session, at);
    const msg: ThingMessage = { ...message, productKey: session.productKey, deviceName: session.deviceName };
    // Only the hub issues tokens; one a transport left on the message would never be answered.
    if ('replyToken' in msg) delete msg.replyToken;
    const isDeviceReply = DEVICE_REPLY_KINDS.has(msg.kind);
    const { fingerprint, onVerdict } = options;
    const key = fingerprint !== undefined && !isDeviceReply ? receiptKey(msg.productKey, msg.deviceName, msg.id) : undefined;
    if (key !== undefined && this.#repeated(session, msg, key, fingerprint!, onVerdict, at)) return;
    this.#counts.uplinks++;
    const entry = this.#log.message({
      productKey: msg.productKey, deviceName: msg.deviceName, at: iso(at), direction: 'up', kind: msg.kind,
      identifier: msg.eventId ?? msg.serviceId ?? null, topic: msg.topic, msgId: msg.id,
      code: isDeviceReply ? msg.code ?? 200 : null, params: msg.params,
    });
    const waiters: VerdictWaiters | undefined = key !== undefined || onVerdict
      ? { key, productKey: msg.productKey, deviceName: msg.deviceName, msgId: msg.id, fingerprint: fingerprint ?? 0, onVerdict, repeats: undefined }
      : undefined;
    if (key !== undefined) {
      this.#inflight.set(key, waiters!);
      msg.fingerprint = fingerprint;
    } else if ('fingerprint' in msg) {
      delete msg.fingerprint;
    }

    if (isDeviceReply) {
      const pending = this.#pendingCommands.get(deviceKey(msg.productKey, msg.deviceName))?.get(msg.id);
      if (pending) this.#settle(pending, { id: msg.id, code: msg.code ?? 200, data: msg.params });
      else this.#log.setResult(entry, msg.code ?? 200, 'no command waiting for this id (answered too late, or unknown)');
    }

    if (this.#listeners.size === 0) {
      // A device reply that no flow sees is still a complete exchange (the command got it); anything else is lost.
      if (msg.ack || !isDeviceReply) {
        if (msg.ack) this.#answer(session, msg, entry, 503, NO_FLOW);
        else this.#log.setResult(entry, 503, NO_FLOW);
        this.#warnNoFlow();
        this.#settleVerdict(waiters, 503, NO_FLOW, false, false);
      } else {
        // The device's own code says how its command went; for the transport, its reply was taken.
        this.#settleVerdict(waiters, 200, null, false);
      }
      if (this.#observers.size > 0) this.#emit(msg);
      return;
    }
    // A device reply already has its verdict (the device's own code); it waits for a flow only if it asked to.
    if (msg.ack || !isDeviceReply) {
      const token = `${this.#tokenPrefix}.${++this.#tokenSeq}`;
      const timeoutMs = session.replyTimeoutMs ?? this.#replyTimeoutMs;
      const timer = setTimeout(this.#onReplyTimeout, timeoutMs, token);
      timer.unref();
      // Registered before the listeners run: one of them may reply synchronously.
      this.#pendingUplinks.set(token, { session, message: msg.ack ? { ...msg } : undefined, entry, timer, timeoutMs, waiters });
      if (msg.ack && ++this.#pendingAcks >= this.#maxPendingReplies && !this.#behind) this.#setBehind(true);
      msg.replyToken = token;
      if (!this.#emit(msg)) this.#noFlowTook(token);
      return;
    }
    this.#settleVerdict(waiters, 200, null, false);
    this.#emit(msg);
  }

  /** No flow takes this kind of message (every `device in` filtered it out): 503 now rather than 504 later. */
  #noFlowTook(token: string): void {
    const pending = this.#takePending(token);
    if (!pending) return; // answered synchronously after all
    clearTimeout(pending.timer);
    const text = `no flow handles ${pending.entry.row.kind ?? 'this kind of'} messages`;
    if (pending.message) this.#answer(pending.session, pending.message, pending.entry, 503, text);
    else this.#log.setResult(pending.entry, 503, text);
    this.#settleVerdict(pending.waiters, 503, text, false, false);
  }

  /**
   * Gives an uplink its verdict by its reply token. The first call records the code on the message's log entry and,
   * when the device asked for a reply, answers it (encoded in its dialect by its session); it returns true. Later
   * calls, unknown or expired tokens, and tokens whose connection has ended before an asked-for reply return false.
   *
   * @param options.durable the caller has already committed the message's receipt with what it stored (the telemetry
   *   writer does, in the same transaction as the rows), so the transport may acknowledge at once.
   */
  reply(token: string, code: number, data?: unknown, text?: string, options?: { durable?: boolean }): boolean {
    const pending = this.#takePending(token);
    if (!pending) return false;
    clearTimeout(pending.timer);
    let answered = true;
    if (!pending.message) this.#log.setResult(pending.entry, code, text ?? null);
    else answered = this.#answer(pending.session, pending.message, pending.entry, code, text ?? null, data);
    // A flow's 5xx other than a timeout (storage failed, overloaded) is worth sending again.
    this.#settleVerdict(pending.waiters, code, text ?? null, options?.durable === true, code >= 500 && code !== 504);
    return answered;
  }

  /** Receipts read back from a store that commits them with what it stored (the telemetry database), at start-up. */
  loadReceipts(receipts: Iterable<Receipt>): void {
    this.#receipts.load(receipts, this.#now());
  }

  /**
   * The identity of a message seen before: answered with the first verdict (at once when it is known, else when it
   * comes), logged as a repeat, and not handed to flows again. False for a new message.
   */
  #repeated(session: DeviceSession, msg: ThingMessage, key: string, fingerprint: number, onVerdict: UplinkOptions['onVerdict'], at: number): boolean {
    const first = this.#receipts.find(key, fingerprint, at);
    const inflight = first ? undefined : this.#inflight.get(key);
    if (!first && inflight?.fingerprint !== fingerprint) return false;
    this.#repeats++;
    const entry = this.#log.message({
      productKey: msg.productKey, deviceName: msg.deviceName, at: iso(at), direction: 'up', kind: msg.kind,
      identifier: msg.eventId ?? null, topic: msg.topic, msgId: msg.id, code: null, params: msg.params,
    });
    const repeat: Repeat = { session, message: msg, entry, onVerdict };
    if (first) this.#answerRepeat(repeat, first.code, first.reason, false);
    else (inflight!.repeats ??= []).push(repeat);
    return true;
  }

  #answerRepeat(repeat: Repeat, code: number, text: string | null, retry: boolean): void {
    const reason = `${REPEAT}; first answered ${code}${text ? `: ${text}` : ''}`;
    if (repeat.message.ack) this.#answer(repeat.session, repeat.message, repeat.entry, code, reason);
    else this.#log.setResult(repeat.entry, code, reason);
    if (repeat.onVerdict) this.#whenDurable(code, reason, false, retry, repeat.onVerdict);
  }

  /**
   * An uplink has its verdict: remembered for repeats when it is final (and its receipt written, unless the caller
   * already committed it), the repeats that waited for it answered, and the transport told once it is durable.
   */
  #settleVerdict(waiters: VerdictWaiters | undefined, code: number, text: string | null, durable: boolean, retry = false): void {
    if (!waiters) return;
    const { key } = waiters;
    if (key !== undefined) {
      if (this.#inflight.get(key) === waiters) this.#inflight.delete(key);
      if (isFinal(code)) {
        const at = this.#now();
        this.#receipts.remember(key, waiters.fingerprint, code, text, at);
        if (!durable) {
          this.#log.receipt({ productKey: waiters.productKey, deviceName: waiters.deviceName, msgId: waiters.msgId, fingerprint: waiters.fingerprint, code, reason: text, at });
        }
      }
    }
    if (waiters.repeats) for (const r of waiters.repeats) this.#answerRepeat(r, code, text, retry);
    if (waiters.onVerdict) this.#whenDurable(code, text, durable, retry, waiters.onVerdict);
  }

  /** Calls back once the verdict's record is committed; one to be retried (nothing was taken, nothing to keep) at once. */
  #whenDurable(code: number, text: string | null, durable: boolean, retry: boolean, onVerdict: NonNullable<UplinkOptions['onVerdict']>): void {
    const call = () => {
      try {
        onVerdict(code, text, retry);
      } catch (err) {
        this.#logger.error({ err }, 'a transport failed to acknowledge an uplink');
      }
    };
    if (durable || retry) call();
    else this.#log.whenDurable(call);
  }

  /**
   * The transport answered a message itself (400 malformed, 401 outside the namespace, 404 unknown topic, 413 too
   * large, 429 rate limited): recorded in the message log with its code and reason.
   */
  refused(
    session: DeviceSession, partial: { id?: string; topic: string; kind?: ThingMessageKind }, code: number, reason: string,
    onVerdict?: UplinkOptions['onVerdict'],
  ): void {
    if (this.#closed) return;
    const at = this.#now();
    if (this.#sessions.get(session.id) === session) this.#touch(session, at);
    this.#countReply(code);
    this.#log.message({
      productKey: session.productKey, deviceName: session.deviceName, at: iso(at), direction: 'up',
      kind: partial.kind ?? null, topic: partial.topic, msgId: partial.id ?? null, code, reason,
    });
    // The transport's own 500 (a bug of ours on this message) may not happen again: worth a resend.
    if (onVerdict) this.#whenDurable(code, reason, false, code >= 500, onVerdict);
  }

  /** Adds a listener for every uplink and `state` change (the `device in` nodes); returns the function removing it. */
  subscribe(listener: ThingMessageListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Adds an observer: it gets every uplink and `state` change as {@link subscribe} listeners do, but does not count as
   * a flow handling them. With only observers, uplinks are still answered 503 at once ("no flow handles device
   * messages") and nothing waits for a verdict on their account. For watchers such as the live device feed, whose
   * presence (a browser tab open) must not change how devices are answered. It runs on the ingress hot path: keep it
   * cheap, and treat the message as read-only.
   */
  observe(listener: ThingMessageListener): () => void {
    this.#observers.add(listener);
    return () => {
      this.#observers.delete(listener);
    };
  }

  // ── commands ──────────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Sends a command and resolves with its outcome; never rejects. It gets a message id (digits, increasing). Online:
   * sent through the device's session, then the device's reply with that id, or 504 after `timeoutMs`. Offline:
   * 503 at once (`whenOffline: 'fail'`, the default), or (`'queue'`) kept until the device connects, or 410 after
   * `ttlMs`. `raw.down` has no reply to wait for: 202 once sent. Every command is in the device's message log
   * (direction `down`) with its outcome. A command `checkCommand` refuses ends at once with 422 and the failing
   * fields in `details`, unsent and unqueued.
   *
   * @param options.onQueued called at once when the command was queued, for callers that should not wait for the
   *   device to connect (the REST route answers 202).
   */
  sendCommand(command: ThingCommand, options: { onQueued?(id: string, ttlMs: number): void } = {}): Promise<CommandResult> {
    const id = this.#newMessageId();
    if (this.#closed) return Promise.resolve(this.#countCommand({ id, code: 503, message: 'the server is stopping' }));
    const invalid = commandProblem(command);
    if (invalid) return Promise.resolve(this.#countCommand({ id, code: 400, message: invalid }));
    const key = deviceKey(command.productKey, command.deviceName);
    const timeoutMs = command.timeoutMs ?? this.#commandTimeoutMs;
    const session = this.#current.get(key);
    const online = session !== undefined || this.#handovers.has(key);
    if (!online && !this.#devices.exists(command.productKey, command.deviceName)) {
      return Promise.resolve(this.#countCommand({ id, code: 404, message: 'device does not exist' }));
    }
    const entry = this.#log.message({
      productKey: command.productKey, deviceName: command.deviceName, at: iso(this.#now()), direction: 'down',
      kind: command.kind, identifier: command.serviceId ?? null, msgId: id, params: command.params,
    });
    let refused: CommandResult | undefined;
    try {
      const refusal = this.#checkCommand?.(command);
      if (refusal) refused = { id, code: 422, message: refusal.message, details: refusal.details };
    } catch (err) {
      this.#logger.error({ err, productKey: command.productKey, deviceName: command.deviceName, kind: command.kind }, 'checking a command failed');
      refused = { id, code: 500, message: 'not sent: the command could not be checked' };
    }
    return new Promise<CommandResult>((resolve) => {
      // Refused before it could be queued: a command that does not fit now would not fit when the device connects.
      if (refused) return this.#finish(entry, resolve, refused);
      if (session && !this.#notReady.has(session.id)) return this.#dispatch(session, id, command, timeoutMs, entry, resolve);
      const queue = this.#queues.get(key) ?? [];
      if (command.whenOffline === 'queue') {
        if (queue.length >= this.#maxQueued) {
          return this.#finish(entry, resolve, { id, code: 503, message: `device is offline and already has ${this.#maxQueued} commands queued` });
        }
        const ttlMs = command.ttlMs ?? this.#queueTtlMs;
        this.#hold(key, queue, {
          id, command, timeoutMs, entry, resolve, failOnClose: false, expiresAt: this.#now() + ttlMs,
          expiry: { id, code: 410, message: `expired: the device stayed offline for ${ttlMs} ms` },
        }, ttlMs);
        this.#log.setResult(entry, null, online ? 'queued: device not ready for commands yet' : 'queued: device offline');
        options.onQueued?.(id, ttlMs);
        return;
      }
      if (!online) return this.#finish(entry, resolve, { id, code: 503, message: 'device is offline' });
      // Online but not subscribed yet, or between two connections: moments, usually. It waits as long as it would
      // have waited for the reply.
      this.#hold(key, queue, {
        id, command, timeoutMs, entry, resolve, failOnClose: true, expiresAt: this.#now() + timeoutMs,
        expiry: { id, code: 504, message: `device did not answer in ${timeoutMs} ms (it never became ready for commands)` },
      }, timeoutMs);
    });
  }

  // ── reading ───────────────────────────────────────────────────────────────────────────────────────────────────

  /** Whether the device has a live session. */
  isOnline(productKey: string, deviceName: string): boolean {
    const key = deviceKey(productKey, deviceName);
    return this.#current.has(key) || this.#handovers.has(key);
  }

  /** The device's live state; undefined for a device that does not exist. */
  status(productKey: string, deviceName: string): DeviceConnectionState | undefined {
    const key = deviceKey(productKey, deviceName);
    const session = this.#current.get(key);
    if (session) {
      const { id, protocol, dialect, clientId, remoteAddress, connectedAt } = session;
      return {
        online: true,
        lastSeenAt: this.#lastSeen.get(key)?.at ?? connectedAt,
        session: { id, protocol, dialect, clientId, remoteAddress, connectedAt },
      };
    }
    const handingOver = this.#lastSeen.get(key);
    if (this.#handovers.has(key) && handingOver) return { online: true, lastSeenAt: handingOver.at };
    if (!this.#devices.exists(productKey, deviceName)) return undefined;
    const lastSeenAt = this.#devices.get(productKey, deviceName).lastSeenAt;
    return { online: false, lastSeenAt: lastSeenAt === null ? null : Date.parse(lastSeenAt) };
  }

  /** A page of the device's message log, newest first; what is buffered is written first. */
  messages(
    productKey: string,
    deviceName: string,
    filter: { direction?: 'up' | 'down'; code?: number },
    page: { limit: number; offset: number },
  ): LogPage<MessageLogItem> {
    this.#log.flush();
    return this.#log.messages(productKey, deviceName, filter, page);
  }

  /** A page of the device's connection history, newest first; what is buffered is written first. */
  connections(productKey: string, deviceName: string, page: { limit: number; offset: number }): LogPage<ConnectionLogItem> {
    this.#log.flush();
    return this.#log.connections(productKey, deviceName, page);
  }

  /**
   * The newest connection events of every device (connected, disconnected, refused), newest first; what is buffered
   * is written first. For the dashboard's "recent connections".
   */
  recentConnections(limit: number): FleetConnectionLogItem[] {
    this.#log.flush();
    return this.#log.recentConnections(limit);
  }

  stats(): DeviceHubStats {
    let pendingCommands = 0;
    for (const m of this.#pendingCommands.values()) pendingCommands += m.size;
    let queuedCommands = 0;
    for (const q of this.#queues.values()) queuedCommands += q.length;
    return {
      onlineSessions: this.#current.size,
      uplinks: this.#counts.uplinks,
      repeats: this.#repeats,
      receipts: this.#receipts.stats(this.#now()),
      downlinks: this.#counts.downlinks,
      repliesByCode: { ...this.#counts.repliesByCode },
      commandsByCode: { ...this.#counts.commandsByCode },
      refused: { ...this.#counts.refused },
      pendingReplies: this.#pendingAcks,
      pendingCommands,
      queuedCommands,
      messageLog: this.#log.stats(),
    };
  }

  /** Writes the buffered message log, connection history and last-seen times now. */
  flush(): void {
    this.#flushLastSeen();
    this.#log.flush();
  }

  /** Runs the retention sweep now (it also runs on its own every minute). */
  sweep(): void {
    this.#log.flush();
    this.#log.sweep();
  }

  /**
   * Stops the hub: commands still waiting end with 503, uplinks waiting for a flow get no answer (their log entries
   * say the server stopped first), buffers are written and timers cleared. Sessions are not closed: stop the
   * transports first, which report their sessions closed.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events.off('device.changed', this.#onDeviceChanged);
    for (const { timer } of this.#handovers.values()) clearTimeout(timer);
    this.#handovers.clear();
    for (const p of this.#pendingUplinks.values()) {
      clearTimeout(p.timer);
      this.#log.setResult(p.entry, 503, 'the server stopped before a flow answered');
    }
    this.#pendingUplinks.clear();
    this.#inflight.clear();
    this.#pendingAcks = 0;
    for (const m of [...this.#pendingCommands.values()]) {
      for (const p of [...m.values()]) this.#settle(p, { id: p.id, code: 503, message: 'the server is stopping' });
    }
    for (const q of this.#queues.values()) {
      for (const c of q) {
        clearTimeout(c.timer);
        this.#finish(c.entry, c.resolve, { id: c.id, code: 503, message: 'the server is stopping' });
      }
    }
    this.#queues.clear();
    this.#listeners.clear();
    this.#observers.clear();
    if (this.#lastSeenTimer) clearTimeout(this.#lastSeenTimer);
    this.#flushLastSeen();
    this.#log.close();
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────────────────────

  #touch(session: DeviceSession, at: number): void {
    const key = deviceKey(session.productKey, session.deviceName);
    const seen = this.#lastSeen.get(key);
    if (seen) seen.at = at;
    else this.#lastSeen.set(key, { productKey: session.productKey, deviceName: session.deviceName, at });
    if (this.#lastSeenDirty.has(key)) return;
    this.#lastSeenDirty.add(key);
    if (!this.#lastSeenTimer) {
      this.#lastSeenTimer = setTimeout(() => {
        this.#lastSeenTimer = undefined;
        this.#flushLastSeen();
      }, this.#lastSeenFlushMs);
      this.#lastSeenTimer.unref();
    }
  }

  #flushLastSeen(): void {
    if (this.#lastSeenDirty.size === 0) return;
    const batch: { productKey: string; deviceName: string; lastSeenAt: string }[] = [];
    for (const key of this.#lastSeenDirty) {
      const seen = this.#lastSeen.get(key);
      if (seen) batch.push({ productKey: seen.productKey, deviceName: seen.deviceName, lastSeenAt: iso(seen.at) });
    }
    this.#lastSeenDirty.clear();
    try {
      this.#devices.touch(batch);
    } catch (err) {
      // Not retried: the next message from each device sets a newer time anyway.
      this.#logger.error({ err, devices: batch.length }, 'writing last-seen times failed');
    }
  }

  /**
   * Answers an uplink through its session, unless the session has ended; records the code either way. A device that
   * disconnects right after publishing (mosquitto_pub does) still had its message dealt with: the log keeps the
   * flow's verdict and says the reply had nowhere to go.
   */
  #answer(session: DeviceSession, message: ThingMessage, entry: MessageEntry, code: number, text: string | null, data?: unknown): boolean {
    if (this.#ended.has(session)) {
      this.#log.setResult(entry, code, `${text ? `${text}; ` : ''}reply not delivered: the connection ended first`);
      return false;
    }
    this.#countReply(code);
    try {
      session.replyUplink(message, code, data, text ?? undefined);
      this.#log.setResult(entry, code, text);
    } catch (err) {
      this.#logger.warn({ err, productKey: session.productKey, deviceName: session.deviceName }, 'sending a reply to the device failed');
      this.#log.setResult(entry, code, `reply could not be sent: ${(err as Error).message}`);
    }
    return true;
  }

  #setBehind(behind: boolean): void {
    this.#behind = behind;
    this.#pressure?.(behind, `${this.#pendingAcks} device messages waiting for a flow's answer`);
  }

  /** Removes a pending uplink by its token, keeping the count that pressure is judged by. */
  #takePending(token: string): PendingUplink | undefined {
    const pending = this.#pendingUplinks.get(token);
    if (!pending) return undefined;
    this.#pendingUplinks.delete(token);
    if (pending.message) {
      this.#pendingAcks--;
      if (this.#behind && this.#pendingAcks <= this.#maxPendingReplies / 2) this.#setBehind(false);
    }
    return pending;
  }

  #replyTimedOut(token: string): void {
    const pending = this.#takePending(token);
    if (!pending) return;
    const text = `no flow answered in ${pending.timeoutMs} ms`;
    const { session, entry } = pending;
    this.#logger.debug({ productKey: session.productKey, deviceName: session.deviceName, kind: entry.row.kind }, text);
    if (pending.message) this.#answer(session, pending.message, entry, 504, text);
    else this.#log.setResult(entry, 504, text);
    this.#settleVerdict(pending.waiters, 504, text, false, false);
  }

  /** Hands a message to every listener and observer; true when a listener took it (see ThingMessageListener). */
  #emit(message: ThingMessage): boolean {
    let taken = false;
    for (const listener of this.#listeners) {
      try {
        if (listener(message) !== false) taken = true;
      } catch (err) {
        taken = true;
        this.#logger.error({ err, kind: message.kind }, 'a device message subscriber threw');
      }
    }
    for (const observer of this.#observers) {
      try {
        observer(message);
      } catch (err) {
        this.#logger.error({ err, kind: message.kind }, 'a device message observer threw');
      }
    }
    return taken;
  }

  #emitState(session: DeviceSession, params: { status: 'online' | 'offline'; reason?: string }, at: number): void {
    if (this.#listeners.size === 0 && this.#observers.size === 0) return;
    this.#emit({
      id: this.#newMessageId(), productKey: session.productKey, deviceName: session.deviceName, kind: 'state', params,
      receivedAt: at, protocol: session.protocol, dialect: session.dialect, ack: false,
    });
  }

  #dispatch(session: DeviceSession, id: string, command: ThingCommand, timeoutMs: number, entry: MessageEntry, resolve: (r: CommandResult) => void): void {
    const key = deviceKey(command.productKey, command.deviceName);
    this.#counts.downlinks++;
    if (command.kind === 'raw.down') {
      try {
        session.sendCommand(command, id);
      } catch (err) {
        return this.#finish(entry, resolve, sendFailure(id, err));
      }
      return this.#finish(entry, resolve, { id, code: 202, message: 'sent; raw downlinks get no reply' });
    }
    const pending: PendingCommand = {
      id, deviceKey: key, entry, resolve,
      timer: setTimeout(() => this.#settle(pending, { id, code: 504, message: `device did not answer in ${timeoutMs} ms` }), timeoutMs),
    };
    pending.timer.unref();
    let waiting = this.#pendingCommands.get(key);
    if (!waiting) this.#pendingCommands.set(key, (waiting = new Map()));
    waiting.set(id, pending);
    try {
      session.sendCommand(command, id);
    } catch (err) {
      this.#settle(pending, sendFailure(id, err));
    }
  }

  /** Ends a command that was waiting for its reply. */
  #settle(pending: PendingCommand, result: CommandResult): void {
    const waiting = this.#pendingCommands.get(pending.deviceKey);
    if (waiting?.get(pending.id) !== pending) return;
    waiting.delete(pending.id);
    if (waiting.size === 0) this.#pendingCommands.delete(pending.deviceKey);
    clearTimeout(pending.timer);
    this.#finish(pending.entry, pending.resolve, result);
  }

  #finish(entry: MessageEntry, resolve: (r: CommandResult) => void, result: CommandResult): void {
    this.#log.setResult(entry, result.code, result.message ?? null);
    resolve(this.#countCommand(result));
  }

  #hold(key: string, queue: QueuedCommand[], fields: Omit<QueuedCommand, 'timer'>, ms: number): void {
    const queued: QueuedCommand = {
      ...fields,
      timer: setTimeout(() => {
        if (this.#unqueue(key, queued)) this.#finish(queued.entry, queued.resolve, queued.expiry);
      }, ms),
    };
    queued.timer.unref();
    queue.push(queued);
    this.#queues.set(key, queue);
  }

  /** Takes a command out of its device's queue; false when it was no longer there. */
  #unqueue(key: string, queued: QueuedCommand): boolean {
    const queue = this.#queues.get(key);
    const i = queue?.indexOf(queued) ?? -1;
    if (i < 0) return false;
    queue!.splice(i, 1);
    if (queue!.length === 0) this.#queues.delete(key);
    clearTimeout(queued.timer);
    return true;
  }

  #deliverQueued(key: string, session: DeviceSession): void {
    const queue = this.#queues.get(key);
    if (!queue) return;
    this.#queues.delete(key);
    const now = this.#now();
    for (const q of queue) {
      clearTimeout(q.timer);
      // The timer may not have fired yet (a busy loop, or a clock that moved): the expiry is checked here too.
      if (q.expiresAt <= now) this.#finish(q.entry, q.resolve, q.expiry);
      else this.#dispatch(session, q.id, q.command, q.timeoutMs, q.entry, q.resolve);
    }
  }

  #deviceChanged({ productKey, deviceName, change }: DeviceChange): void {
    if (change !== 'disabled' && change !== 'deleted' && change !== 'secret-rotated') return;
    const key = deviceKey(productKey, deviceName);
    const session = this.#current.get(key);
    const why = `kicked: device ${change === 'secret-rotated' ? 'secret rotated' : change}`;
    if (session) {
      this.closed(session.id, 'kicked', why.slice('kicked: '.length));
      this.#closeSession(session, 'kicked');
    }
    const handover = this.#handovers.get(key);
    if (handover) {
      // Between two connections: the newer one will be refused, so there is nothing to wait for.
      clearTimeout(handover.timer);
      this.#handovers.delete(key);
      this.#wentOffline(handover.previous, why, this.#now());
    }
    if (change !== 'deleted') return;
    const queue = this.#queues.get(key);
    this.#queues.delete(key);
    for (const q of queue ?? []) {
      clearTimeout(q.timer);
      this.#finish(q.entry, q.resolve, { id: q.id, code: 404, message: 'device was deleted' });
    }
    this.#lastSeen.delete(key);
    this.#lastSeenDirty.delete(key);
    this.#log.forget(productKey, deviceName);
    this.#receipts.forget(productKey, deviceName);
  }

  #closeSession(session: DeviceSession, reason: 'takeover' | 'kicked'): void {
    try {
      session.close(reason);
    } catch (err) {
      this.#logger.warn({ err, productKey: session.productKey, deviceName: session.deviceName, reason }, 'closing a device session failed');
    }
  }

  #recordConnection(session: DeviceSession, event: 'connected' | 'disconnected', reason: string | null, at: number): void {
    this.#log.connection({
      productKey: session.productKey, deviceName: session.deviceName, at: iso(at), event, reason,
      remoteAddress: session.remoteAddress, protocol: session.protocol, dialect: session.dialect, clientId: session.clientId,
    });
  }

  #newMessageId(): string {
    const id = this.#nextMessageId;
    this.#nextMessageId = id >= MAX_MESSAGE_ID ? 1 : id + 1;
    return String(id);
  }

  #countReply(code: number): void {
    this.#counts.repliesByCode[code] = (this.#counts.repliesByCode[code] ?? 0) + 1;
  }

  #countCommand(result: CommandResult): CommandResult {
    this.#counts.commandsByCode[result.code] = (this.#counts.commandsByCode[result.code] ?? 0) + 1;
    return result;
  }

  /** Says it once a minute, not once a message: a device posting every second would otherwise flood the log. */
  #warnNoFlow(): void {
    const at = this.#now();
    if (at - this.#noFlowWarnedAt < 60_000) {
      this.#noFlowSuppressed++;
      return;
    }
    this.#logger.warn({ sinceLastWarning: this.#noFlowSuppressed }, 'device messages arrive but no flow has a device in node; devices that want a reply get 503');
    this.#noFlowWarnedAt = at;
    this.#noFlowSuppressed = 0;
  }
}

/**
 * What a session's refusal to send a command means: the dialect's encoder refusing the command (a 400 `ApiError`:
 * raw bytes that are not a Buffer, params that are not an object) is the caller's mistake and stays 400; anything
 * else is the connection failing (503), worth retrying.
 */
function sendFailure(id: string, err: unknown): CommandResult {
  if (err instanceof ApiError && err.status === 400) return { id, code: 400, message: err.message };
  return { id, code: 503, message: `could not be sent: ${(err as Error).message}` };
}

/** Why a command cannot be sent as given, or undefined. Flows build commands at run time, so this is checked here. */
function commandProblem(command: ThingCommand): string | undefined {
  if (!COMMAND_KINDS.has(command.kind)) return `unknown command kind "${String(command.kind)}" (property.set, service.invoke or raw.down)`;
  if (command.kind === 'service.invoke' && !IDENTIFIER.test(command.serviceId ?? '')) {
    return 'service.invoke needs a serviceId (an identifier of the thing model)';
  }
  if (command.timeoutMs !== undefined && !(command.timeoutMs > 0)) return 'timeoutMs must be a positive number';
  if (command.ttlMs !== undefined && !(command.ttlMs > 0)) return 'ttlMs must be a positive number';
  return undefined;
}
