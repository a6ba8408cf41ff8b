import type { Logger } from 'pino';
import type { Sql } from '../db/sql.ts';
import type { DeviceStore } from '../devices/device-store.ts';
import type { DeviceRef } from '../../domain/devices/device-schemas.ts';
import type { DeviceChange, RegistryEvents } from '../registry-events.ts';
import type { CommandResult, Receipt, ThingCommand, ThingMessage, ThingMessageKind } from '../../domain/devices/thing-message.ts';
import { CommandDelivery } from './command-delivery.ts';
import { DeviceLog, iso, type ConnectionLogItem, type DeviceLogOptions, type DeviceLogStats, type FleetConnectionLogItem, type LogPage, type MessageLogItem, type NewMessageEntry } from './device-log.ts';
import type { DeviceSession, RefusedAttempt, SessionCloseReason } from './device-session.ts';
import { MessageFanout, type ThingMessageListener } from './message-fanout.ts';
import { MessageIds } from './message-ids.ts';
import { deviceKey, OnlineDevices, type DeviceConnectionState } from './online-devices.ts';
import { RECEIPT_WINDOW_MS, type UplinkReceiptsOptions } from './uplink-receipts.ts';
import { UplinkVerdicts, type ReceiptShare, type UplinkOptions } from './uplink-verdicts.ts';

export type { DeviceConnectionState, ThingMessageListener, UplinkOptions };

/** How often a cluster node looks whether devices it holds queued commands for have connected to another node. */
const HAND_OVER_MS = 1000;

/** Cluster mode: commands to devices other nodes hold (RemoteCommands). */
export interface RemoteRoute {
  /** The command's outcome through the node holding the device; undefined when no other node took it. */
  send(command: ThingCommand): Promise<CommandResult | undefined>;
  /** The node holding the device, if any. */
  holderOf(productKey: string, deviceName: string): Promise<string | undefined>;
}

/** Where a cluster node reports the devices it holds (see {@link DeviceHub.reportPresenceTo}). */
export interface PresenceReport {
  online(productKey: string, deviceName: string): Promise<void>;
  offline(productKey: string, deviceName: string): Promise<void>;
}

/**
 * Takes a raw uplink when the device's product decodes its bytes (true), answering it through `options.onVerdict` and
 * the session's `replyUplink` once what it decoded has its verdicts; false leaves it to flows as bytes.
 */
export type RawUplinkDecoder = (session: DeviceSession, message: Omit<ThingMessage, 'replyToken'>, options: UplinkOptions) => boolean;

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
 * The device hub: live sessions and the online/offline state machine, connection history, the message log, uplinks
 * to flows with replies by token, and commands to devices with their replies, timeouts and offline queue
 * (docs/architecture.md "The path of a device message").
 *
 * Transports (the MQTT listener, the HTTP ingress, later CoAP/TCP) authenticate devices and hand the hub a {@link DeviceSession}:
 * `opened` once it is connected (and `commandsReady` once it can receive commands, when that comes later),
 * `seen`/`uplink`/`refused` while it talks, `closed` when it ends. Flows `subscribe`, `reply` and `sendCommand`.
 *
 * The hub routes between the parts it owns, one concern each: {@link OnlineDevices} (sessions, online state,
 * connection history), {@link UplinkVerdicts} (reply tokens, timeouts, receipts, pressure), {@link CommandDelivery}
 * (commands, their replies and queues), {@link MessageFanout} (the flows' listeners and observers such as the live
 * feed) and the {@link DeviceLog}.
 *
 * Choices worth knowing:
 * - One session per device: a second connection takes over, the first is closed (`takeover`) and the device stays
 *   online.
 * - When a device goes offline, its commands waiting for a reply fail at once with 503 `device went offline`: the
 *   connection that would have carried the reply is gone, and a caller learns it now rather than at the timeout. A
 *   takeover does not fail them (the device is still online and may answer on its new connection).
 * - A queued command that outlives its TTL ends with 410 `expired` (never delivered, safe to retry), unlike 504
 *   (delivered, unanswered: the device may have acted on it).
 * - `recover()`, before transports start, sets `offline` the devices the table still says are `online` (sessions do not
 *   outlive the process) and reads back the receipts of the verdicts given before. (With several instances on one
 *   database this becomes a lease holder's job; see docs/architecture.md "Scale-out".)
 * - Stop transports before `close()` so that their sessions are recorded as closed (`server-stop`).
 */
export class DeviceHub {
  readonly #events: RegistryEvents;
  readonly #log: DeviceLog;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #online: OnlineDevices;
  readonly #verdicts: UplinkVerdicts;
  readonly #commands: CommandDelivery;
  #remote: RemoteRoute | undefined;
  #presence: PresenceReport | undefined;
  #handOverTimer: NodeJS.Timeout | undefined;
  #handingOver = false;
  readonly #fanout: MessageFanout;
  #closed = false;
  #rawDecoder: RawUplinkDecoder | undefined;

  readonly #onDeviceChanged = (change: DeviceChange) => this.#deviceChanged(change);

  /**
   * @param logger the hub's logger (a child of the root, `{subsystem: 'device-hub'}`); payloads are never logged.
   */
  constructor(sql: Sql, devices: DeviceStore, registryEvents: RegistryEvents, logger: Logger, options: DeviceHubOptions = {}) {
    const now = (this.#now = options.now ?? Date.now);
    this.#events = registryEvents;
    this.#logger = logger;
    const log = (this.#log = new DeviceLog(sql, logger, options.log));
    const ids = new MessageIds(now());
    this.#fanout = new MessageFanout(logger, ids);
    this.#verdicts = new UplinkVerdicts({
      log, logger, now,
      replyTimeoutMs: options.replyTimeoutMs ?? 5000,
      maxPendingReplies: options.maxPendingReplies ?? 10_000,
      pressure: options.pressure,
      receipts: options.receipts,
      hasEnded: (session) => this.#online.hasEnded(session),
    });
    this.#online = new OnlineDevices({
      devices, log, logger, now,
      lastSeenFlushMs: options.lastSeenFlushMs ?? 5000,
      takeoverGraceMs: options.takeoverGraceMs ?? 5000,
      wentOnline: (session, at, commandsReady) => {
        void this.#presence?.online(session.productKey, session.deviceName);
        this.#fanout.emitState(session, { status: 'online' }, at);
        if (commandsReady) this.#commands.deliverQueued(session);
      },
      wentOffline: (session, reason, at) => {
        void this.#presence?.offline(session.productKey, session.deviceName);
        this.#commands.wentOffline(session.productKey, session.deviceName);
        this.#fanout.emitState(session, { status: 'offline', reason }, at);
      },
    });
    this.#commands = new CommandDelivery({
      devices, online: this.#online, log, logger, now, ids,
      commandTimeoutMs: options.commandTimeoutMs ?? 10_000,
      queueTtlMs: options.queueTtlMs ?? 24 * 3_600_000,
      maxQueuedCommands: options.maxQueuedCommands ?? 100,
      checkCommand: options.checkCommand,
    });
    registryEvents.on('device.changed', this.#onDeviceChanged);
  }

  // ── sessions ──────────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * A device is about to have a session here (signed in, not yet opened): in a cluster, the verdicts other nodes gave
   * its messages are read first, so that a message it sends again through this node is answered as the repeat it is.
   * Transports await it before {@link opened} (and before taking the session's first message). Without a cluster
   * there is nothing to wait for: undefined.
   */
  beforeSession(productKey: string, deviceName: string): Promise<void> | undefined {
    return this.#verdicts.admit(productKey, deviceName);
  }

  /** Cluster mode: every final verdict is shared with the other nodes, which read a device's as it connects to them. */
  shareReceiptsThrough(shared: ReceiptShare): void {
    this.#verdicts.shareThrough(shared);
  }

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
    if (this.#closed) return;
    this.#online.opened(session, options);
  }

  /**
   * The session can receive commands now (MQTT: the device subscribed). Sends what waited for it; later calls, and
   * calls for sessions opened ready, do nothing.
   */
  commandsReady(session: DeviceSession): void {
    if (this.#online.commandsReady(session)) this.#commands.deliverQueued(session);
  }

  /**
   * The session cannot receive commands for now (an HTTP device between two polls, a CoAP device that stopped
   * observing); commands wait as they do before {@link commandsReady}: queued ones until their TTL, others as long as
   * they would wait for a reply. {@link commandsReady} again sends them.
   */
  commandsPaused(session: DeviceSession): void {
    this.#online.commandsPaused(session);
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
    if (this.#closed) return;
    this.#online.closed(sessionId, reason, detail);
  }

  /**
   * A connection attempt was refused. Recorded in the device's history with the real reason when the device exists;
   * attempts naming devices that do not exist are only counted (and logged at debug), so that nobody can fill the
   * database by trying names.
   */
  async recordRefused(attempt: RefusedAttempt): Promise<void> {
    if (this.#closed) return;
    await this.#online.recordRefused(attempt);
  }

  /**
   * The device showed it is alive (any packet, keepalive included). Kept in memory; written to the devices table in
   * one batch every `lastSeenFlushMs`, never once per message. Sessions the hub does not hold are ignored.
   */
  seen(session: DeviceSession): void {
    this.#online.seen(session, this.#now());
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
    // A raw uplink of a product with a codec becomes the messages its bytes carry, each coming back through here.
    if (message.kind === 'raw.up' && this.#rawDecoder?.(session, message, options)) return;
    const at = this.#now();
    this.#online.seen(session, at);
    const msg: ThingMessage = { ...message, productKey: session.productKey, deviceName: session.deviceName };
    // Only the hub issues tokens; one a transport left on the message would never be answered.
    if ('replyToken' in msg) delete msg.replyToken;
    const received = this.#verdicts.receive(session, msg, options, at);
    if (!received) return; // a repeat: answered with the first verdict, not processed again
    if (received.deviceReply) this.#commands.deviceReplied(msg, received.entry);

    if (!this.#fanout.hasListeners) {
      this.#verdicts.unheard(received);
      if (this.#fanout.hasObservers) this.#fanout.emit(msg);
      return;
    }
    // A device reply already has its verdict (the device's own code); it waits for a flow only if it asked to.
    if (msg.ack || !received.deviceReply) {
      const token = this.#verdicts.await(received);
      if (!this.#fanout.emit(msg)) this.#verdicts.noFlowTook(token);
      return;
    }
    this.#verdicts.taken(received);
    this.#fanout.emit(msg);
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
    return this.#verdicts.reply(token, code, data, text, options);
  }

  /**
   * Sets who decodes raw uplinks (`raw.up`: alink `up_raw` over MQTT, HTTP or CoAP) before they reach flows: the
   * product codecs (server/codecs/raw-uplinks.ts). A decoder that returns true has taken the message.
   */
  decodeRawWith(decoder: RawUplinkDecoder): void {
    this.#rawDecoder = decoder;
  }

  /**
   * Receipts read back at start-up from a store that commits them with what it stored (the telemetry database); the
   * message log's own are read by {@link recover}.
   */
  loadReceipts(receipts: Iterable<Receipt>): void {
    this.#verdicts.loadReceipts(receipts);
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
    this.#online.seen(session, at);
    this.#verdicts.refused(session, partial, code, reason, onVerdict, at);
  }

  /**
   * Writes an entry into the device's message log for something that happened to the device without being one of
   * its messages (a topology change: added to or removed from a gateway). Dropped for a device that no longer exists.
   */
  note(entry: Omit<NewMessageEntry, 'at'>): void {
    if (this.#closed) return;
    this.#log.message({ ...entry, at: iso(this.#now()) });
  }

  /** Adds a listener for every uplink and `state` change (the `device in` nodes); returns the function removing it. */
  subscribe(listener: ThingMessageListener): () => void {
    return this.#fanout.subscribe(listener);
  }

  /**
   * Adds an observer: it gets every uplink and `state` change as {@link subscribe} listeners do, but does not count as
   * a flow handling them. With only observers, uplinks are still answered 503 at once ("no flow handles device
   * messages") and nothing waits for a verdict on their account. For watchers such as the live device feed, whose
   * presence (a browser tab open) must not change how devices are answered. It runs on the ingress hot path: keep it
   * cheap, and treat the message as read-only.
   */
  observe(listener: ThingMessageListener): () => void {
    return this.#fanout.observe(listener);
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
    const remote = this.#remote;
    if (!remote || this.isOnline(command.productKey, command.deviceName)) return this.#commands.send(command, options);
    return remote.send(command).then((answered) => answered ?? this.#commands.send(command, options));
  }

  /**
   * Cluster mode: a command to a device this node does not hold goes to the node that does (see RemoteCommands); what
   * no other node takes is handled here as for any offline device.
   */
  routeCommandsThrough(remote: RemoteRoute): void {
    this.#remote = remote;
    clearInterval(this.#handOverTimer);
    this.#handOverTimer = setInterval(() => void this.#handOverQueued(), HAND_OVER_MS);
    this.#handOverTimer.unref();
  }

  /**
   * Cluster mode: commands queued here for devices that have since connected to another node go there (every
   * {@link HAND_OVER_MS}), and end with what the device answered there.
   */
  async #handOverQueued(): Promise<void> {
    const remote = this.#remote;
    if (this.#handingOver || !remote || this.#closed) return;
    this.#handingOver = true;
    try {
      for (const { productKey, deviceName } of this.#commands.queuedFor()) {
        if (this.isOnline(productKey, deviceName)) continue; // delivered here when its session is ready
        if ((await remote.holderOf(productKey, deviceName)) === undefined) continue;
        const moved = await this.#commands.handOver(productKey, deviceName, (command) => remote.send(command));
        if (moved > 0) this.#logger.info({ productKey, deviceName, commands: moved }, 'queued commands went to the node the device connected to');
      }
    } catch (err) {
      this.#logger.warn({ err }, 'handing queued commands over to another node failed; tried again shortly');
    } finally {
      this.#handingOver = false;
    }
  }

  /**
   * Cluster mode: told the moment a device goes online or offline through this node (DevicePresence, what commands
   * from other nodes are routed by). Its promises never reject.
   */
  reportPresenceTo(presence: PresenceReport): void {
    this.#presence = presence;
  }

  /** The devices with a live session through this node. */
  held(): DeviceRef[] {
    return [...this.#online.held()].map(({ productKey, deviceName }) => ({ productKey, deviceName }));
  }

  /** Sends through this node's own session with the device: what another node's RemoteCommands asks this one to do. */
  sendCommandHere(command: ThingCommand): Promise<CommandResult> {
    if (command.kind === 'ota.upgrade' || command.kind === 'ota.cancel') return Promise.resolve(this.#commands.push({ ...command, kind: command.kind }));
    return this.#commands.send(command, {});
  }

  /**
   * Cluster mode: an OTA push to the device wherever it is connected (through the node holding it), and whether it is
   * online anywhere. Without a cluster, the hub's own {@link push} and {@link isOnline}.
   */
  clusterWide(): {
    isOnline(productKey: string, deviceName: string): Promise<boolean>;
    push(command: ThingCommand & { kind: 'ota.upgrade' | 'ota.cancel' }): Promise<CommandResult>;
  } {
    return {
      isOnline: async (productKey, deviceName) =>
        this.isOnline(productKey, deviceName) || (this.#remote !== undefined && (await this.#remote.holderOf(productKey, deviceName)) !== undefined),
      push: async (command) => {
        if (!this.#remote || this.isOnline(command.productKey, command.deviceName)) return this.push(command);
        return (await this.#remote.send(command)) ?? this.push(command);
      },
    };
  }

  /**
   * Sends an OTA push (`ota.upgrade` or `ota.cancel`) to the device if it is online and ready for commands: 202 sent,
   * 503 offline or not ready (nothing is queued: the OTA service pushes again when the device reports in). Logged in
   * the device's message log like any command.
   */
  push(command: ThingCommand & { kind: 'ota.upgrade' | 'ota.cancel' }): CommandResult {
    return this.#commands.push(command);
  }

  // ── reading ───────────────────────────────────────────────────────────────────────────────────────────────────

  /** Whether the device has a live session. */
  isOnline(productKey: string, deviceName: string): boolean {
    return this.#online.isOnline(deviceKey(productKey, deviceName));
  }

  /** The device's live state; undefined for a device that does not exist. */
  status(productKey: string, deviceName: string): Promise<DeviceConnectionState | undefined> {
    return this.#online.status(productKey, deviceName);
  }

  /** A page of the device's message log, newest first; what is buffered is written first. */
  messages(
    productKey: string,
    deviceName: string,
    filter: { direction?: 'up' | 'down'; code?: number },
    page: { limit: number; offset: number },
  ): Promise<LogPage<MessageLogItem>> {
    return this.#log.messages(productKey, deviceName, filter, page);
  }

  /** A page of the device's connection history, newest first; what is buffered is written first. */
  connections(productKey: string, deviceName: string, page: { limit: number; offset: number }): Promise<LogPage<ConnectionLogItem>> {
    return this.#log.connections(productKey, deviceName, page);
  }

  /**
   * The newest connection events of every device (connected, disconnected, refused), newest first; what is buffered
   * is written first. For the dashboard's "recent connections".
   */
  recentConnections(limit: number): Promise<FleetConnectionLogItem[]> {
    return this.#log.recentConnections(limit);
  }

  stats(): DeviceHubStats {
    const online = this.#online.stats();
    const verdicts = this.#verdicts.stats();
    const commands = this.#commands.stats();
    return {
      onlineSessions: online.onlineSessions,
      uplinks: verdicts.uplinks,
      repeats: verdicts.repeats,
      receipts: verdicts.receipts,
      downlinks: commands.downlinks,
      repliesByCode: verdicts.repliesByCode,
      commandsByCode: commands.commandsByCode,
      refused: online.refused,
      pendingReplies: verdicts.pendingReplies,
      pendingCommands: commands.pendingCommands,
      queuedCommands: commands.queuedCommands,
      messageLog: this.#log.stats(),
    };
  }

  /** Writes the buffered message log, connection history, status changes and last-seen times now. */
  async flush(): Promise<void> {
    await Promise.all([this.#log.flush(), this.#online.flushStatus(), this.#online.flushLastSeen()]);
  }

  /** Runs the retention sweep now, over what is buffered too (it also runs on its own every minute). */
  async sweep(): Promise<void> {
    await this.#log.flush();
    await this.#log.sweep();
  }

  /**
   * Stops the hub: commands still waiting end with 503, uplinks waiting for a flow get no answer (their log entries
   * say the server stopped first), buffers are written and timers cleared. Sessions are not closed: stop the
   * transports first, which report their sessions closed.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#handOverTimer);
    this.#events.off('device.changed', this.#onDeviceChanged);
    this.#verdicts.close();
    this.#commands.close();
    this.#fanout.close();
    await this.#online.close();
    await this.#log.close();
  }

  /**
   * Takes up where the previous process stopped, before transports start: devices it left `online` are set
   * `offline`, and the verdicts it gave (their receipts) are remembered to answer repeats.
   */
  async recover(): Promise<void> {
    await this.#online.recover();
    this.#verdicts.loadReceipts(await this.#log.receipts(this.#now() - RECEIPT_WINDOW_MS));
  }

  /** Devices that were online through `node`, another node of the cluster that is gone, and are now offline. */
  lostWithNode(node: string, devices: readonly DeviceRef[]): void {
    this.#online.recordGone(devices, `node-lost: node ${node} stopped answering`);
  }

  /** The registry changed a device: one that may no longer connect is kicked; a deleted one is forgotten. */
  #deviceChanged({ productKey, deviceName, change }: DeviceChange): void {
    if (change !== 'disabled' && change !== 'deleted' && change !== 'secret-rotated') return;
    this.#online.kick(productKey, deviceName, `device ${change === 'secret-rotated' ? 'secret rotated' : change}`);
    if (change !== 'deleted') return;
    this.#commands.deviceDeleted(productKey, deviceName);
    this.#online.forget(deviceKey(productKey, deviceName));
    this.#log.forget(productKey, deviceName)
      .catch((err: unknown) => this.#logger.error({ err, productKey, deviceName }, 'deleting the message log of a deleted device failed'));
    this.#verdicts.forget(productKey, deviceName);
  }
}
