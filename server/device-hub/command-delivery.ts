import type { Logger } from 'pino';
import type { DeviceStore } from '../devices/device-store.ts';
import { ApiError } from '../errors.ts';
import { iso, type DeviceLog, type MessageEntry } from './device-log.ts';
import type { DeviceSession } from './device-session.ts';
import type { MessageIds } from './message-ids.ts';
import { deviceKey, type OnlineDevices } from './online-devices.ts';
import type { CommandResult, ThingCommand, ThingMessage } from '../../domain/devices/thing-message.ts';

export interface CommandDeliveryOptions {
  devices: Pick<DeviceStore, 'exists'>;
  /** Which devices are online, through which session, and whether it takes commands yet. */
  online: Pick<OnlineDevices, 'current' | 'isOnline' | 'isReady'>;
  log: DeviceLog;
  logger: Logger;
  now: () => number;
  ids: MessageIds;
  /** See DeviceHubOptions. */
  commandTimeoutMs: number;
  queueTtlMs: number;
  maxQueuedCommands: number;
  checkCommand: ((command: ThingCommand) => { message: string; details: NonNullable<CommandResult['details']> } | undefined) | undefined;
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

/** What a command to an offline device ends with, unsent (not queued). */
const OFFLINE = 'device is offline';

const COMMAND_KINDS: ReadonlySet<string> = new Set(['property.set', 'service.invoke', 'raw.down']);
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/**
 * Commands to devices: checked, sent through the device's session or held (offline queue, a session not ready yet),
 * matched with the device's reply, timed out, and each outcome in the device's message log. When the device's
 * session comes or goes, the hub says so ({@link deliverQueued}, {@link wentOffline}).
 */
export class CommandDelivery {
  readonly #options: CommandDeliveryOptions;
  readonly #log: DeviceLog;
  /** Commands waiting for the device's reply, by device, then message id. */
  readonly #pending = new Map<string, Map<string, PendingCommand>>();
  readonly #queues = new Map<string, QueuedCommand[]>();
  #downlinks = 0;
  readonly #byCode: Record<string, number> = {};
  #closed = false;

  constructor(options: CommandDeliveryOptions) {
    this.#options = options;
    this.#log = options.log;
  }

  /** See {@link DeviceHub.sendCommand}. */
  send(command: ThingCommand, options: { onQueued?(id: string, ttlMs: number): void }): Promise<CommandResult> {
    const { devices, online, logger, ids } = this.#options;
    const id = ids.next();
    if (this.#closed) return Promise.resolve(this.#count({ id, code: 503, message: 'the server is stopping' }));
    const invalid = commandProblem(command);
    if (invalid) return Promise.resolve(this.#count({ id, code: 400, message: invalid }));
    const key = deviceKey(command.productKey, command.deviceName);
    if (online.isOnline(key)) return this.#send(id, key, command, options);
    const { productKey, deviceName } = command;
    const lookedUp = devices.exists(productKey, deviceName).catch((err: unknown) => {
      logger.error({ err, productKey, deviceName }, 'looking up the device of a command failed');
      return undefined;
    });
    if (command.whenOffline === 'queue') {
      // Queued at once, so that commands keep the order they were sent in; out again if there is no such device.
      const queued = this.#send(id, key, command, options);
      void lookedUp.then((exists) => {
        if (exists === false) this.#failQueued(key, id, { id, code: 404, message: 'device does not exist' });
      });
      return queued;
    }
    return lookedUp.then((exists) => {
      if (exists === undefined) return this.#count({ id, code: 500, message: 'not sent: the device could not be looked up' });
      return exists ? this.#send(id, key, command, options) : this.#count({ id, code: 404, message: 'device does not exist' });
    });
  }

  /** Takes the queued command `id` of the device out of its queue, ending it with `result`. */
  #failQueued(key: string, id: string, result: CommandResult): void {
    const queue = this.#queues.get(key);
    const index = queue?.findIndex((q) => q.id === id) ?? -1;
    if (index < 0) return;
    const [q] = queue!.splice(index, 1);
    if (queue!.length === 0) this.#queues.delete(key);
    clearTimeout(q!.timer);
    this.#finish(q!.entry, q!.resolve, result);
  }

  /** {@link send} for a command to a device that exists. */
  #send(id: string, key: string, command: ThingCommand, options: { onQueued?(id: string, ttlMs: number): void }): Promise<CommandResult> {
    const { online, logger, now, maxQueuedCommands } = this.#options;
    if (this.#closed) return Promise.resolve(this.#count({ id, code: 503, message: 'the server is stopping' }));
    const timeoutMs = command.timeoutMs ?? this.#options.commandTimeoutMs;
    const session = online.current(key);
    const isOnline = online.isOnline(key);
    const entry = this.#log.message({
      productKey: command.productKey, deviceName: command.deviceName, at: iso(now()), direction: 'down',
      kind: command.kind, identifier: command.serviceId ?? null, msgId: id, params: command.params,
    });
    let refused: CommandResult | undefined;
    try {
      const refusal = this.#options.checkCommand?.(command);
      if (refusal) refused = { id, code: 422, message: refusal.message, details: refusal.details };
    } catch (err) {
      logger.error({ err, productKey: command.productKey, deviceName: command.deviceName, kind: command.kind }, 'checking a command failed');
      refused = { id, code: 500, message: 'not sent: the command could not be checked' };
    }
    return new Promise<CommandResult>((resolve) => {
      // Refused before it could be queued: a command that does not fit now would not fit when the device connects.
      if (refused) return this.#finish(entry, resolve, refused);
      if (session && online.isReady(session)) return this.#dispatch(session, id, command, timeoutMs, entry, resolve);
      const queue = this.#queues.get(key) ?? [];
      if (command.whenOffline === 'queue') {
        if (queue.length >= maxQueuedCommands) {
          return this.#finish(entry, resolve, { id, code: 503, message: `device is offline and already has ${maxQueuedCommands} commands queued` });
        }
        const ttlMs = command.ttlMs ?? this.#options.queueTtlMs;
        this.#hold(key, queue, {
          id, command, timeoutMs, entry, resolve, failOnClose: false, expiresAt: now() + ttlMs,
          expiry: { id, code: 410, message: `expired: the device stayed offline for ${ttlMs} ms` },
        }, ttlMs);
        this.#log.setResult(entry, null, isOnline ? 'queued: device not ready for commands yet' : 'queued: device offline');
        options.onQueued?.(id, ttlMs);
        return;
      }
      if (!isOnline) return this.#finish(entry, resolve, { id, code: 503, message: OFFLINE });
      // Online but not subscribed yet, or between two connections: moments, usually. It waits as long as it would
      // have waited for the reply.
      this.#hold(key, queue, {
        id, command, timeoutMs, entry, resolve, failOnClose: true, expiresAt: now() + timeoutMs,
        expiry: { id, code: 504, message: `device did not answer in ${timeoutMs} ms (it never became ready for commands)` },
      }, timeoutMs);
    });
  }

  /**
   * See {@link DeviceHub.push}: an OTA push, sent now through a session ready for it or not at all (the OTA service
   * keeps its own queue), logged as a downlink with its outcome. No reply is awaited: the device answers with progress.
   */
  push(command: ThingCommand): CommandResult {
    const { online, now, ids } = this.#options;
    const id = ids.next();
    if (this.#closed) return { id, code: 503, message: 'the server is stopping' };
    const session = online.current(deviceKey(command.productKey, command.deviceName));
    if (!session || !online.isReady(session)) {
      return { id, code: 503, message: session ? 'device not ready for commands yet' : 'device is offline' };
    }
    const entry = this.#log.message({
      productKey: command.productKey, deviceName: command.deviceName, at: iso(now()), direction: 'down',
      kind: command.kind, identifier: null, msgId: id, params: command.params,
    });
    this.#downlinks++;
    let result: CommandResult;
    try {
      session.sendCommand(command, id);
      result = { id, code: 202, message: 'sent; the device answers with its progress' };
    } catch (err) {
      result = sendFailure(id, err);
    }
    this.#log.setResult(entry, result.code, result.message ?? null);
    return this.#count(result);
  }

  /** A device's reply (`service.reply`, `property.set.reply`): ends the command waiting for its id, if any. */
  deviceReplied(reply: ThingMessage, entry: MessageEntry): void {
    const pending = this.#pending.get(deviceKey(reply.productKey, reply.deviceName))?.get(reply.id);
    if (pending) this.#settle(pending, { id: reply.id, code: reply.code ?? 200, data: reply.params });
    else this.#log.setResult(entry, reply.code ?? 200, 'no command waiting for this id (answered too late, or unknown)');
  }

  /** The device's session can take commands: what waited for it is sent, or ends when it expired meanwhile. */
  deliverQueued(session: DeviceSession): void {
    const key = deviceKey(session.productKey, session.deviceName);
    const queue = this.#queues.get(key);
    if (!queue) return;
    this.#queues.delete(key);
    const now = this.#options.now();
    for (const q of queue) {
      clearTimeout(q.timer);
      // The timer may not have fired yet (a busy loop, or a clock that moved): the expiry is checked here too.
      if (q.expiresAt <= now) this.#finish(q.entry, q.resolve, q.expiry);
      else this.#dispatch(session, q.id, q.command, q.timeoutMs, q.entry, q.resolve);
    }
  }

  /**
   * The device went offline: commands waiting for its reply fail with 503 (the connection that would carry it is
   * gone), and so do those held only until its session was ready. Queued ones keep waiting for it.
   */
  wentOffline(productKey: string, deviceName: string): void {
    const key = deviceKey(productKey, deviceName);
    const waiting = this.#pending.get(key);
    if (waiting) {
      for (const pending of [...waiting.values()]) this.#settle(pending, { id: pending.id, code: 503, message: 'device went offline' });
    }
    for (const held of (this.#queues.get(key) ?? []).filter((q) => q.failOnClose)) {
      this.#unqueue(key, held);
      this.#finish(held.entry, held.resolve, { id: held.id, code: 503, message: 'device went offline' });
    }
  }

  /** The devices with commands queued here for when they connect (`whenOffline: 'queue'`). */
  queuedFor(): { productKey: string; deviceName: string }[] {
    const devices: { productKey: string; deviceName: string }[] = [];
    for (const queue of this.#queues.values()) {
      const queued = queue.find((q) => !q.failOnClose);
      if (queued) devices.push({ productKey: queued.command.productKey, deviceName: queued.command.deviceName });
    }
    return devices;
  }

  /**
   * Cluster mode: the device connected to another node. Its commands queued here go to it through `forward`, one at a
   * time in their order (each with the time its queue had left), and end with what came back. One that no node took,
   * or that found the device offline again, goes back to the front of the queue, and the rest wait with it.
   */
  async handOver(
    productKey: string, deviceName: string, forward: (command: ThingCommand) => Promise<CommandResult | undefined>,
  ): Promise<number> {
    const key = deviceKey(productKey, deviceName);
    let moved = 0;
    for (;;) {
      const queued = this.#queues.get(key)?.find((q) => !q.failOnClose);
      if (!queued || this.#closed) return moved;
      // Out of the queue while it travels: its expiry cannot end it meanwhile.
      this.#unqueue(key, queued);
      const ttlMs = queued.expiresAt - this.#options.now();
      if (ttlMs <= 0) {
        this.#finish(queued.entry, queued.resolve, queued.expiry);
        continue;
      }
      const result = await forward({ ...queued.command, whenOffline: 'fail', ttlMs }).catch(() => undefined);
      if (!result || (result.code === 503 && result.message === OFFLINE)) {
        const queue = this.#queues.get(key) ?? [];
        this.#hold(key, queue, queued, ttlMs, true);
        return moved;
      }
      this.#finish(queued.entry, queued.resolve, { ...result, id: queued.id });
      moved++;
    }
  }

  /** The device was deleted: its queued commands end with 404. */
  deviceDeleted(productKey: string, deviceName: string): void {
    const key = deviceKey(productKey, deviceName);
    const queue = this.#queues.get(key);
    this.#queues.delete(key);
    for (const q of queue ?? []) {
      clearTimeout(q.timer);
      this.#finish(q.entry, q.resolve, { id: q.id, code: 404, message: 'device was deleted' });
    }
  }

  stats(): { downlinks: number; commandsByCode: Record<string, number>; pendingCommands: number; queuedCommands: number } {
    let pendingCommands = 0;
    for (const m of this.#pending.values()) pendingCommands += m.size;
    let queuedCommands = 0;
    for (const q of this.#queues.values()) queuedCommands += q.length;
    return { downlinks: this.#downlinks, commandsByCode: { ...this.#byCode }, pendingCommands, queuedCommands };
  }

  /** Every command still waiting (for a reply, or in a queue) ends with 503; later ones end so at once. */
  close(): void {
    this.#closed = true;
    const stopping = (id: string): CommandResult => ({ id, code: 503, message: 'the server is stopping' });
    for (const m of [...this.#pending.values()]) {
      for (const p of [...m.values()]) this.#settle(p, stopping(p.id));
    }
    for (const q of this.#queues.values()) {
      for (const c of q) {
        clearTimeout(c.timer);
        this.#finish(c.entry, c.resolve, stopping(c.id));
      }
    }
    this.#queues.clear();
  }

  #dispatch(session: DeviceSession, id: string, command: ThingCommand, timeoutMs: number, entry: MessageEntry, resolve: (r: CommandResult) => void): void {
    const key = deviceKey(command.productKey, command.deviceName);
    this.#downlinks++;
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
    let waiting = this.#pending.get(key);
    if (!waiting) this.#pending.set(key, (waiting = new Map()));
    waiting.set(id, pending);
    try {
      session.sendCommand(command, id);
    } catch (err) {
      this.#settle(pending, sendFailure(id, err));
    }
  }

  /** Ends a command that was waiting for its reply. */
  #settle(pending: PendingCommand, result: CommandResult): void {
    const waiting = this.#pending.get(pending.deviceKey);
    if (waiting?.get(pending.id) !== pending) return;
    waiting.delete(pending.id);
    if (waiting.size === 0) this.#pending.delete(pending.deviceKey);
    clearTimeout(pending.timer);
    this.#finish(pending.entry, pending.resolve, result);
  }

  #finish(entry: MessageEntry, resolve: (r: CommandResult) => void, result: CommandResult): void {
    this.#log.setResult(entry, result.code, result.message ?? null);
    resolve(this.#count(result));
  }

  #hold(key: string, queue: QueuedCommand[], fields: Omit<QueuedCommand, 'timer'>, ms: number, first = false): void {
    const queued: QueuedCommand = {
      ...fields,
      timer: setTimeout(() => {
        if (this.#unqueue(key, queued)) this.#finish(queued.entry, queued.resolve, queued.expiry);
      }, ms),
    };
    queued.timer.unref();
    if (first) queue.unshift(queued);
    else queue.push(queued);
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

  #count(result: CommandResult): CommandResult {
    this.#byCode[result.code] = (this.#byCode[result.code] ?? 0) + 1;
    return result;
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
