import type { Logger } from 'pino';
import type { DeviceStore, StatusChange } from '../devices/device-store.ts';
import { iso, type DeviceLog } from './device-log.ts';
import type { DeviceSession, RefusedAttempt, SessionCloseReason } from './device-session.ts';
import type { Dialect, IngressProtocol } from '../../domain/devices/thing-message.ts';
import type { DeviceRef } from '../../domain/devices/device-schemas.ts';

/**
 * Status changes wait this long to be written together: a fleet reconnecting arrives a few sessions per turn of the
 * event loop, and one commit per turn still cost a commit per two or three devices (measured).
 */
const STATUS_FLUSH_MS = 50;
/** …or until this many are waiting. */
const MAX_STATUS_BATCH = 1000;

/**
 * How long a kick is remembered: a session that opens this soon after its device was deleted or disabled is checked
 * against the registry first (its sign-in may have read the credentials before the change). Sign-in takes
 * milliseconds; this leaves room for a slow database.
 */
const REVOKED_MEMORY_MS = 30_000;

/** How the hub keys a device in its maps. */
export const deviceKey = (productKey: string, deviceName: string) => `${productKey}/${deviceName}`;

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

export interface OnlineDevicesOptions {
  devices: DeviceStore;
  log: DeviceLog;
  logger: Logger;
  now: () => number;
  /** lastSeen is written to the devices table at most this often (per device and overall). */
  lastSeenFlushMs: number;
  /** How long a device stays online after a transport's `takeover` close, waiting for the newer session. */
  takeoverGraceMs: number;
  /**
   * The device's new session is in place and recorded. `commandsReady` false: the session cannot take commands yet
   * (see {@link OnlineDevices.commandsReady}).
   */
  wentOnline(session: DeviceSession, at: number, commandsReady: boolean): void;
  /** The device is offline (its status written); `reason` as the connection history says it. */
  wentOffline(session: DeviceSession, reason: string, at: number): void;
}

/**
 * Which devices are online, through which session: the online/offline state machine (takeovers, the grace for a
 * transport's own takeover, kicks), the connection history, refused attempts and last-seen times. It tells the hub
 * when a device goes online or offline; what follows from that (state messages, commands) is not its business.
 */
export class OnlineDevices {
  readonly #options: OnlineDevicesOptions;
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
  readonly #refused = { known: 0, unknownDevice: 0 };
  /** Writes the store's queued status changes {@link STATUS_FLUSH_MS} after the first of them. */
  #statusFlush: NodeJS.Timeout | undefined;
  /** When devices were last kicked by the registry (deleted, disabled, secret rotated), oldest first; see {@link opened}. */
  readonly #revoked = new Map<string, number>();

  constructor(options: OnlineDevicesOptions) {
    this.#options = options;
  }

  /**
   * Devices the table still says are `online` are set `offline`: sessions do not outlive the process. Before the
   * first device connects.
   */
  async recover(): Promise<void> {
    const stale = await this.#options.devices.markAllOffline();
    if (stale.length === 0) return;
    this.recordGone(stale, 'server-stop: still online when the server started again');
    this.#options.logger.info({ devices: stale.length }, 'devices left online by the previous process set offline');
  }

  /** Devices set offline without a session here to end (a process or node that stopped): their history says why. */
  recordGone(devices: readonly DeviceRef[], reason: string): void {
    const at = iso(this.#options.now());
    for (const d of devices) this.#options.log.connection({ productKey: d.productKey, deviceName: d.deviceName, at, event: 'disconnected', reason });
  }

  /** See {@link DeviceHub.opened}. */
  opened(session: DeviceSession, options: { commandsReady?: boolean }): void {
    const key = deviceKey(session.productKey, session.deviceName);
    if (this.#current.get(key) === session || this.#sessions.has(session.id)) return;
    this.#open(session, options);
    // The device was deleted or disabled moments ago, and its sign-in may have read its credentials just before: they
    // are read again, and the session kicked as it would have been had it opened a moment earlier.
    if (this.#recentlyRevoked(key)) void this.#recheck(session);
  }

  async #recheck(session: DeviceSession): Promise<void> {
    const { devices, logger } = this.#options;
    let credentials: Awaited<ReturnType<DeviceStore['credentialsFor']>>;
    try {
      credentials = await devices.credentialsFor(session.productKey, session.deviceName);
    } catch (err) {
      return logger.error({ err, productKey: session.productKey, deviceName: session.deviceName }, 'checking a device that just connected failed');
    }
    if (credentials?.enabled === true || this.#sessions.get(session.id) !== session) return;
    this.kick(session.productKey, session.deviceName, credentials ? 'device disabled' : 'device deleted');
  }

  /** Whether the device was kicked (deleted, disabled, secret rotated) within the last {@link REVOKED_MEMORY_MS}. */
  #recentlyRevoked(key: string): boolean {
    const at = this.#revoked.get(key);
    return at !== undefined && this.#options.now() - at < REVOKED_MEMORY_MS;
  }

  #open(session: DeviceSession, options: { commandsReady?: boolean }): void {
    const { logger, now } = this.#options;
    const key = deviceKey(session.productKey, session.deviceName);
    const previous = this.#current.get(key);
    const at = now();
    // The write itself goes with the others of the next 50 ms (a fleet reconnecting is a transaction per batch, not
    // one each).
    this.#writeStatus({ productKey: session.productKey, deviceName: session.deviceName, status: 'online', at: iso(at) });
    this.#sessions.set(session.id, session);
    this.#current.set(key, session);
    const handover = this.#handovers.get(key);
    if (handover) {
      clearTimeout(handover.timer);
      this.#handovers.delete(key);
    }
    if (previous) {
      // The state changes first: the transport may call closed() from inside close(), which must then be a no-op.
      this.#sessions.delete(previous.id);
      this.#notReady.delete(previous.id);
      this.#ended.add(previous);
      this.#recordConnection(previous, 'disconnected', 'takeover', at);
      this.#closeSession(previous, 'takeover');
    }
    this.#lastSeen.set(key, { productKey: session.productKey, deviceName: session.deviceName, at });
    this.#recordConnection(session, 'connected', null, at);
    logger.debug({ productKey: session.productKey, deviceName: session.deviceName, protocol: session.protocol, takeover: !!previous }, 'device online');
    // Before the hub hears of it: a flow that reacts to `online` with a command must find the session's readiness set.
    if (options.commandsReady === false) this.#notReady.add(session.id);
    this.#options.wentOnline(session, at, options.commandsReady !== false);
  }

  /** True when the session, which the hub holds, has just become ready for commands (see {@link DeviceHub.commandsReady}). */
  commandsReady(session: DeviceSession): boolean {
    return this.#notReady.delete(session.id) && this.#sessions.get(session.id) === session;
  }

  /** The session, which the hub holds, stops taking commands until {@link commandsReady} again (see {@link DeviceHub.commandsPaused}). */
  commandsPaused(session: DeviceSession): void {
    if (this.#sessions.get(session.id) === session) this.#notReady.add(session.id);
  }

  /** See {@link DeviceHub.closed}. */
  closed(sessionId: string, reason: SessionCloseReason, detail?: string): void {
    const session = this.#sessions.get(sessionId);
    if (!session) return;
    this.#sessions.delete(sessionId);
    this.#notReady.delete(sessionId);
    this.#ended.add(session);
    const key = deviceKey(session.productKey, session.deviceName);
    const at = this.#options.now();
    const text = detail ? `${reason}: ${detail}` : reason;
    this.#recordConnection(session, 'disconnected', text, at);
    if (this.#current.get(key) !== session) return;
    this.#current.delete(key);
    if (reason === 'takeover') {
      const timer = setTimeout(() => {
        this.#handovers.delete(key);
        this.#wentOffline(session, 'takeover: the new connection did not complete', this.#options.now());
      }, this.#options.takeoverGraceMs);
      timer.unref();
      this.#handovers.set(key, { previous: session, timer });
      return;
    }
    this.#wentOffline(session, text, at);
  }

  /**
   * The registry says the device may no longer be connected: its session is closed (`kicked`), and a device between
   * two connections goes offline at once (the newer one will be refused, so there is nothing to wait for).
   */
  kick(productKey: string, deviceName: string, why: string): void {
    const key = deviceKey(productKey, deviceName);
    this.#remember(key);
    const session = this.#current.get(key);
    if (session) {
      this.closed(session.id, 'kicked', why);
      this.#closeSession(session, 'kicked');
    }
    const handover = this.#handovers.get(key);
    if (handover) {
      clearTimeout(handover.timer);
      this.#handovers.delete(key);
      this.#wentOffline(handover.previous, `kicked: ${why}`, this.#options.now());
    }
  }

  /**
   * See {@link DeviceHub.recordRefused}. In the connection history of a device that exists (looked up, so this resolves
   * once it is recorded); an unknown device's attempts are only counted.
   */
  async recordRefused(attempt: RefusedAttempt): Promise<void> {
    const { productKey, deviceName } = attempt;
    const { devices, log, logger, now } = this.#options;
    const at = iso(now());
    let known = false;
    try {
      known = productKey !== undefined && deviceName !== undefined && (await devices.exists(productKey, deviceName));
    } catch (err) {
      logger.error({ err, productKey, deviceName }, 'looking up the device of a refused connection failed');
    }
    if (known) {
      this.#refused.known++;
      log.connection({
        productKey: productKey!, deviceName: deviceName!, at, event: 'refused', reason: attempt.reason,
        remoteAddress: attempt.remoteAddress, protocol: attempt.protocol, dialect: attempt.dialect ?? null, clientId: attempt.clientId,
      });
      return;
    }
    this.#refused.unknownDevice++;
    logger.debug({ remoteAddress: attempt.remoteAddress, protocol: attempt.protocol, reason: attempt.reason }, 'connection refused for an unknown device');
  }

  /**
   * The device showed it is alive at `at`. Kept in memory; written to the devices table in one batch every
   * `lastSeenFlushMs`, never once per message. Sessions not held (ended, or never opened) are ignored.
   */
  seen(session: DeviceSession, at: number): void {
    if (this.#sessions.get(session.id) !== session) return;
    const key = deviceKey(session.productKey, session.deviceName);
    const seen = this.#lastSeen.get(key);
    if (seen) seen.at = at;
    else this.#lastSeen.set(key, { productKey: session.productKey, deviceName: session.deviceName, at });
    if (this.#lastSeenDirty.has(key)) return;
    this.#lastSeenDirty.add(key);
    if (!this.#lastSeenTimer) {
      this.#lastSeenTimer = setTimeout(() => {
        this.#lastSeenTimer = undefined;
        void this.flushLastSeen();
      }, this.#options.lastSeenFlushMs);
      this.#lastSeenTimer.unref();
    }
  }

  /** Whether the session ended (taken over, closed or kicked): a reply to it has nowhere to go. */
  hasEnded(session: DeviceSession): boolean {
    return this.#ended.has(session);
  }

  /** The device's current session, by {@link deviceKey}. */
  current(key: string): DeviceSession | undefined {
    return this.#current.get(key);
  }

  /** Whether the session can take commands: opened ready, or said {@link commandsReady} since. */
  isReady(session: DeviceSession): boolean {
    return !this.#notReady.has(session.id);
  }

  /** The devices with a live session here. */
  *held(): Iterable<DeviceSession> {
    yield* this.#current.values();
  }

  /** Online: a live session, or between two connections of a transport's takeover. */
  isOnline(key: string): boolean {
    return this.#current.has(key) || this.#handovers.has(key);
  }

  /** See {@link DeviceHub.status}. */
  async status(productKey: string, deviceName: string): Promise<DeviceConnectionState | undefined> {
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
    let lastSeenAt: string | null;
    try {
      ({ lastSeenAt } = await this.#options.devices.get(productKey, deviceName));
    } catch (err) {
      // No such device; any other failure is the caller's to answer.
      if ((err as { status?: unknown }).status === 404) return undefined;
      throw err;
    }
    return { online: false, lastSeenAt: lastSeenAt === null ? null : Date.parse(lastSeenAt) };
  }

  /** Forgets a deleted device's last-seen time. */
  forget(key: string): void {
    this.#lastSeen.delete(key);
    this.#lastSeenDirty.delete(key);
  }

  stats(): { onlineSessions: number; refused: { known: number; unknownDevice: number } } {
    return { onlineSessions: this.#current.size, refused: { ...this.#refused } };
  }

  /** Writes the last-seen times kept in memory to the devices table now. */
  async flushLastSeen(): Promise<void> {
    if (this.#lastSeenDirty.size === 0) return;
    const batch: { productKey: string; deviceName: string; lastSeenAt: string }[] = [];
    for (const key of this.#lastSeenDirty) {
      const seen = this.#lastSeen.get(key);
      if (seen) batch.push({ productKey: seen.productKey, deviceName: seen.deviceName, lastSeenAt: iso(seen.at) });
    }
    this.#lastSeenDirty.clear();
    try {
      await this.#options.devices.touch(batch);
    } catch (err) {
      // Not retried: the next message from each device sets a newer time anyway.
      this.#options.logger.error({ err, devices: batch.length }, 'writing last-seen times failed');
    }
  }

  /** Writes the status changes not written yet now. */
  async flushStatus(): Promise<void> {
    if (this.#statusFlush) clearTimeout(this.#statusFlush);
    this.#statusFlush = undefined;
    try {
      await this.#options.devices.flushStatus();
    } catch (err) {
      // The sessions themselves are right in memory (the hub's live view); the table catches up with the next change.
      this.#options.logger.error({ err }, 'writing device status changes failed');
    }
  }

  /** Stops the handover grace timers (those devices stay as they are) and writes the statuses and last-seen times. */
  async close(): Promise<void> {
    for (const { timer } of this.#handovers.values()) clearTimeout(timer);
    this.#handovers.clear();
    if (this.#lastSeenTimer) clearTimeout(this.#lastSeenTimer);
    await Promise.all([this.flushStatus(), this.flushLastSeen()]);
  }

  #writeStatus(change: StatusChange): void {
    if (this.#options.devices.queueStatus(change) >= MAX_STATUS_BATCH) return void this.flushStatus();
    if (this.#statusFlush) return;
    this.#statusFlush = setTimeout(() => void this.flushStatus(), STATUS_FLUSH_MS);
    this.#statusFlush.unref();
  }

  /** Notes that the device was just kicked (see {@link opened}); forgets kicks older than {@link REVOKED_MEMORY_MS}. */
  #remember(key: string): void {
    const now = this.#options.now();
    // Oldest first (a key kicked again moves to the end), so the expired ones are at the front.
    this.#revoked.delete(key);
    this.#revoked.set(key, now);
    for (const [k, at] of this.#revoked) {
      if (now - at < REVOKED_MEMORY_MS) break;
      this.#revoked.delete(k);
    }
  }

  #wentOffline(session: DeviceSession, text: string, at: number): void {
    const key = deviceKey(session.productKey, session.deviceName);
    const seen = this.#lastSeen.get(key);
    this.#lastSeen.delete(key);
    this.#lastSeenDirty.delete(key);
    this.#writeStatus({ productKey: session.productKey, deviceName: session.deviceName, status: 'offline', at: iso(at), lastSeenAt: seen && iso(seen.at) });
    this.#options.logger.debug({ productKey: session.productKey, deviceName: session.deviceName, reason: text }, 'device offline');
    this.#options.wentOffline(session, text, at);
  }

  #closeSession(session: DeviceSession, reason: 'takeover' | 'kicked'): void {
    try {
      session.close(reason);
    } catch (err) {
      this.#options.logger.warn({ err, productKey: session.productKey, deviceName: session.deviceName, reason }, 'closing a device session failed');
    }
  }

  #recordConnection(session: DeviceSession, event: 'connected' | 'disconnected', reason: string | null, at: number): void {
    this.#options.log.connection({
      productKey: session.productKey, deviceName: session.deviceName, at: iso(at), event, reason,
      remoteAddress: session.remoteAddress, protocol: session.protocol, dialect: session.dialect, clientId: session.clientId,
    });
  }
}
