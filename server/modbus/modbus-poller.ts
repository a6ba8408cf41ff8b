import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DeviceHub } from '../device-hub/device-hub.ts';
import type { DeviceSession } from '../device-hub/device-session.ts';
import { busKey, remoteAddressOf, type BusResult, type ModbusBus, type ModbusBuses } from './modbus-bus.ts';
import type { ModbusTarget } from './modbus-store.ts';
import { decodeRead, encodeWrite, planReads, PointWriteError, type ModbusWrite, type ReadRequest } from './point-codec.ts';
import type { ThingCommand, ThingMessage } from '../../domain/devices/thing-message.ts';
import type { DeviceModbusView, ModbusFailure } from '../../domain/modbus/modbus-api.ts';
import type { ModbusPoint } from '../../domain/modbus/point-table.ts';
import type { ModbusPollerConfig } from '../../domain/modbus/modbus-poller-config.ts';

export interface ModbusPollerDeps {
  hub: DeviceHub;
  /** Counts polls by outcome, for /metrics; shared by every poller of a server so a poller's end loses nothing. */
  counts?: { answered: number; unanswered: number };
  /** While it is shut (storage or flows behind), a poll due waits for the next interval instead of reading. */
  gate?: { readonly open: boolean };
  buses: ModbusBuses;
  logger: Logger;
  /** ms since epoch (tests); timers still use setTimeout. */
  now?: () => number;
}

/** The first poll of a device comes at a random moment within this (or its interval, when shorter). */
const MAX_START_JITTER_MS = 10_000;
/** Message ids of polled values: digits, increasing, not reused after a restart. */
let nextMessageId = Date.now();

/** One device being polled, and how it is going. */
interface PolledDevice {
  key: string;
  target: ModbusTarget;
  plan: ReadRequest[];
  bus: ModbusBus;
  timer?: NodeJS.Timeout;
  running: boolean;
  removed: boolean;
  failures: number;
  lastPollAt: number | null;
  lastError: string | null;
  /** When the device's message log was last told about a read problem (see {@link ModbusPoller.#noteProblem}). */
  notedAt?: number;
  session?: ModbusSession;
}

/** A device's read problem goes into its message log when it changes, at most this often. */
const NOTE_EVERY_MS = 60_000;

export type ModbusPollStatus = DeviceModbusView['status'];

/**
 * Polls Modbus slaves and reports what they hold as the device's property posts (docs/modbus.md "Polling"). Owned by a
 * `Modbus poller` node through the pool in {@link ModbusService}, so a redeploy keeps every device's state.
 *
 * Per device: the first poll comes after a random delay (so a fleet does not start at once), then one every
 * `intervalMs` counted from the start of the previous one, never two at once; a device that failed
 * `failuresBeforeOffline` polls in a row is offline and polled again after a wait that doubles per failure, up to
 * `backoffMaxMs`. A poll reads its plan's requests in turn, stopping at the first that gets no answer (the next
 * would not either); a poll is answered when at least one request got data.
 *
 * Online/offline: the first answered poll opens the device's session in the hub (connection history: connected,
 * protocol `modbus`, remote address `host:port unit N`); `failuresBeforeOffline` unanswered polls in a row close it,
 * the failure as the reason; the next answered poll opens a new one. Property sets become writes; see
 * {@link ModbusPoller.command}.
 */
export class ModbusPoller {
  config: ModbusPollerConfig;
  readonly #deps: ModbusPollerDeps;
  readonly #now: () => number;
  readonly #devices = new Map<string, PolledDevice>();
  #closed = false;

  constructor(config: ModbusPollerConfig, deps: ModbusPollerDeps) {
    this.config = config;
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** Devices this poller reads now. */
  get deviceCount(): number {
    return this.#devices.size;
  }

  /**
   * Polls exactly these devices from now on: new ones start (after their jitter), gone ones stop (their session
   * closed), changed ones go on with their new points or connection. A device whose line changed starts over on the
   * new one: its session (which names the old address) is closed.
   */
  update(targets: ModbusTarget[]): void {
    if (this.#closed) return;
    for (const bus of new Set([...this.#devices.values()].map((d) => d.bus))) {
      if (bus.connection.transport === 'tcp') bus.maxInFlight = this.config.maxInFlightPerTcpBus;
    }
    const wanted = new Map(targets.map((t) => [`${t.productKey}/${t.deviceName}`, t]));
    for (const [key, device] of this.#devices) {
      if (!wanted.has(key)) this.#remove(device, 'disconnect', 'no longer polled (its Modbus connection, point table or poller changed)');
    }
    for (const [key, target] of wanted) {
      const device = this.#devices.get(key);
      if (!device) {
        this.#add(key, target);
        continue;
      }
      const moved = lineOf(device.target.connection) !== lineOf(target.connection) || device.target.connection.unitId !== target.connection.unitId;
      if (moved) {
        this.#remove(device, 'disconnect', `Modbus connection changed to ${remoteAddressOf(target.connection)}`);
        this.#add(key, target);
        continue;
      }
      const intervalChanged = device.target.connection.intervalMs !== target.connection.intervalMs;
      device.target = target;
      device.plan = planReads(target.points);
      if (intervalChanged && !device.running) this.#schedule(device, this.#jitter(target.connection.intervalMs));
    }
  }

  /** How polling the device goes; undefined when this poller does not poll it. */
  status(productKey: string, deviceName: string): ModbusPollStatus | undefined {
    const d = this.#devices.get(`${productKey}/${deviceName}`);
    if (!d) return undefined;
    const offline = d.failures >= this.config.failuresBeforeOffline;
    return {
      state: offline ? 'offline' : d.failures > 0 ? 'failing' : 'polling',
      lastPollAt: d.lastPollAt === null ? null : new Date(d.lastPollAt).toISOString(),
      failures: d.failures,
      lastError: d.lastError,
    };
  }

  /** How many of its devices are in each state. */
  states(): Record<'polling' | 'failing' | 'offline', number> {
    const counts = { polling: 0, failing: 0, offline: 0 };
    for (const d of this.#devices.values()) {
      counts[d.failures >= this.config.failuresBeforeOffline ? 'offline' : d.failures > 0 ? 'failing' : 'polling'] += 1;
    }
    return counts;
  }

  /** Stops polling; sessions close with `reason` (server-stop when the server stops, disconnect when the node goes). */
  close(reason: 'server-stop' | 'disconnect'): void {
    if (this.#closed) return;
    for (const device of [...this.#devices.values()]) this.#remove(device, reason, reason === 'disconnect' ? 'the Modbus poller node was removed' : undefined);
    this.#closed = true;
  }

  #add(key: string, target: ModbusTarget): void {
    const bus = this.#deps.buses.acquire(target.connection);
    if (target.connection.transport === 'tcp') bus.maxInFlight = this.config.maxInFlightPerTcpBus;
    const device: PolledDevice = {
      key, target, plan: planReads(target.points), bus, running: false, removed: false, failures: 0, lastPollAt: null, lastError: null,
    };
    this.#devices.set(key, device);
    this.#schedule(device, this.#jitter(target.connection.intervalMs));
  }

  #remove(device: PolledDevice, reason: 'server-stop' | 'disconnect', detail?: string): void {
    device.removed = true;
    clearTimeout(device.timer);
    if (this.#devices.get(device.key) === device) this.#devices.delete(device.key);
    this.#closeSession(device, reason, detail);
    this.#deps.buses.release(device.bus);
  }

  #jitter(intervalMs: number): number {
    return Math.floor(Math.random() * Math.min(intervalMs, MAX_START_JITTER_MS));
  }

  #schedule(device: PolledDevice, delayMs: number): void {
    clearTimeout(device.timer);
    device.timer = setTimeout(() => {
      this.#poll(device).catch((err: unknown) => {
        // A bug of ours, not the slave's: logged, and the device is polled again at its interval.
        this.#deps.logger.error({ err, device: device.key }, 'Modbus poll failed');
        device.running = false;
        if (!device.removed) this.#schedule(device, device.target.connection.intervalMs);
      });
    }, Math.max(0, delayMs));
    device.timer.unref();
  }

  async #poll(device: PolledDevice): Promise<void> {
    if (device.running || device.removed) return;
    if (this.#deps.gate && !this.#deps.gate.open) return this.#schedule(device, device.target.connection.intervalMs);
    device.running = true;
    const started = this.#now();
    const { connection } = device.target;
    const timeoutMs = connection.timeoutMs ?? this.config.timeoutMs;
    const values: Record<string, number | string> = {};
    const problems: string[] = [];
    let answered = false;
    let failure: ModbusFailure | undefined;
    for (const request of device.plan) {
      const result = await device.bus.request(readOf(connection.unitId, request), timeoutMs);
      if (device.removed) return;
      if (!result.ok) {
        failure ??= result.failure;
        // No answer at all: the device's later requests would wait out their timeout too.
        if (result.failure.kind === 'timeout' || result.failure.kind === 'connect') break;
        continue;
      }
      answered = true;
      for (const reading of decodeRead(request, result.data)) {
        if (reading.ok) values[reading.property] = reading.value;
        else problems.push(reading.error);
      }
    }
    device.running = false;
    device.lastPollAt = this.#now();
    if (this.#deps.counts) this.#deps.counts[answered ? 'answered' : 'unanswered'] += 1;
    if (answered) this.#answered(device, values, failure?.message ?? problems[0] ?? null);
    else this.#failed(device, failure ?? { kind: 'protocol', message: 'the point table plans no request' });
    if (device.removed || this.#closed) return;
    const offline = device.failures >= this.config.failuresBeforeOffline;
    const interval = connection.intervalMs;
    const delay = offline
      ? Math.min(interval * 2 ** (device.failures - this.config.failuresBeforeOffline + 1), Math.max(this.config.backoffMaxMs, interval))
      : started + interval - this.#now();
    this.#schedule(device, delay);
  }

  #answered(device: PolledDevice, values: Record<string, number | string>, problem: string | null): void {
    device.failures = 0;
    this.#noteProblem(device, problem);
    const session = device.session ?? this.#open(device);
    if (Object.keys(values).length === 0) return;
    const { productKey, deviceName } = device.target;
    this.#deps.hub.uplink(session, {
      id: String(nextMessageId++), productKey, deviceName, kind: 'property.post', params: values, receivedAt: this.#now(),
      protocol: 'modbus', dialect: session.dialect, ack: false,
    });
  }

  #failed(device: PolledDevice, failure: ModbusFailure): void {
    device.failures += 1;
    this.#noteProblem(device, failure.message);
    const n = this.config.failuresBeforeOffline;
    if (device.failures >= n && device.session) {
      this.#closeSession(device, 'connection-lost', `${n} poll${n === 1 ? '' : 's'} in a row failed: ${failure.message}`);
    }
  }

  /**
   * Keeps the device's last read problem, and writes a new one into its message log (kind `modbus.read`), where people
   * look first when values stop coming: once per change, at most once a minute, so a failing device does not fill it.
   */
  #noteProblem(device: PolledDevice, problem: string | null): void {
    const changed = problem !== null && problem !== device.lastError;
    device.lastError = problem;
    const now = this.#now();
    if (!changed || (device.notedAt !== undefined && now - device.notedAt < NOTE_EVERY_MS)) return;
    device.notedAt = now;
    const { productKey, deviceName } = device.target;
    this.#deps.hub.note({ productKey, deviceName, direction: 'up', kind: 'modbus.read', reason: `Modbus read failed: ${problem}` });
  }

  #open(device: PolledDevice): ModbusSession {
    const session = new ModbusSession(this, device, this.#now());
    device.session = session;
    this.#deps.hub.opened(session);
    return session;
  }

  #closeSession(device: PolledDevice, reason: 'server-stop' | 'disconnect' | 'connection-lost', detail?: string): void {
    const session = device.session;
    if (!session) return;
    device.session = undefined;
    this.#deps.hub.closed(session.id, reason, detail);
  }

  /** A bug of ours while writing (command() answers every failure it knows): logged, the hub's timeout answers 504. */
  commandFailed(session: ModbusSession, err: unknown): void {
    this.#deps.logger.error({ err, device: session.device.key }, 'Modbus write failed');
  }

  /** The hub ended the session (the device was disabled, deleted or re-keyed): the next answered poll opens another. */
  sessionEnded(session: ModbusSession): void {
    if (session.device.session === session) session.device.session = undefined;
  }

  /**
   * A command for a polled device. A property set becomes writes (functions 5, 6, 15, 16), each property's in turn,
   * answered 200 once all are written, or with what stopped it: 400 a property without a writable point (nothing is
   * written then), 422 a value the point cannot hold, 502 the slave's exception (`data.exceptionCode`), 504 no
   * answer in time, 503 the line is down. A service call is answered 400: Modbus has none. Other kinds (raw bytes,
   * firmware pushes) have no Modbus meaning and are not answered.
   */
  async command(session: ModbusSession, command: ThingCommand, messageId: string): Promise<void> {
    const device = session.device;
    const reply = (code: number, data: Record<string, unknown>) => {
      const message: Omit<ThingMessage, 'replyToken'> = {
        id: messageId, productKey: device.target.productKey, deviceName: device.target.deviceName,
        kind: command.kind === 'service.invoke' ? 'service.reply' : 'property.set.reply',
        ...(command.serviceId === undefined ? {} : { serviceId: command.serviceId }),
        params: data, code, receivedAt: this.#now(), protocol: 'modbus', dialect: session.dialect, ack: false,
      };
      this.#deps.hub.uplink(session, message);
    };
    if (command.kind === 'service.invoke') {
      return reply(400, { message: `Modbus devices have no services: "${command.serviceId ?? ''}" cannot be invoked; set a writable property instead` });
    }
    if (command.kind !== 'property.set') return;
    const params = typeof command.params === 'object' && command.params !== null && !Array.isArray(command.params)
      ? Object.entries(command.params as Record<string, unknown>) : [];
    const writes: { property: string; write: ModbusWrite }[] = [];
    const notWritable: string[] = [];
    for (const [property, value] of params) {
      const point = device.target.points.find((p: ModbusPoint) => p.property === property);
      if (!point?.writable) {
        notWritable.push(property);
        continue;
      }
      try {
        writes.push({ property, write: encodeWrite(point, value) });
      } catch (err) {
        if (err instanceof PointWriteError) return reply(422, { message: err.message, property });
        throw err;
      }
    }
    if (notWritable.length > 0) {
      return reply(400, {
        message: `not writable over Modbus: ${notWritable.join(', ')} (the product's point table has no writable point for ${notWritable.length === 1 ? 'it' : 'them'}); nothing was written`,
        properties: notWritable,
      });
    }
    const timeoutMs = device.target.connection.timeoutMs ?? this.config.timeoutMs;
    const written: string[] = [];
    for (const { property, write } of writes) {
      const result: BusResult = await device.bus.request({ unitId: device.target.connection.unitId, write }, timeoutMs);
      if (!result.ok) {
        const f = result.failure;
        const code = f.kind === 'exception' || f.kind === 'protocol' ? 502 : f.kind === 'timeout' ? 504 : 503;
        return reply(code, {
          message: `${property} (function ${write.function}, address ${write.address}): ${f.message}`, property, written,
          ...(f.exceptionCode === undefined ? {} : { exceptionCode: f.exceptionCode }),
        });
      }
      written.push(property);
    }
    reply(200, { written });
  }
}

/** The line a connection uses and how it is driven: a new baud rate is a new line, opened again with it. */
function lineOf(c: ModbusTarget['connection']): string {
  return JSON.stringify([busKey(c), c.baudRate, c.parity, c.dataBits, c.stopBits]);
}

function readOf(unitId: number, request: ReadRequest) {
  return { unitId, read: { function: request.function, address: request.address, quantity: request.quantity } };
}

/** A polled device as the hub sees it: online while its polls are answered; commands become writes. */
class ModbusSession implements DeviceSession {
  readonly id = randomUUID();
  readonly productKey: string;
  readonly deviceName: string;
  readonly protocol = 'modbus' as const;
  readonly dialect = 'alink' as const;
  readonly clientId: string;
  readonly remoteAddress: string;

  constructor(
    private readonly poller: ModbusPoller,
    readonly device: PolledDevice,
    readonly connectedAt: number,
  ) {
    this.productKey = device.target.productKey;
    this.deviceName = device.target.deviceName;
    this.remoteAddress = remoteAddressOf(device.target.connection);
    this.clientId = `modbus unit ${device.target.connection.unitId}`;
  }

  /** Polled values ask for no reply: nothing to send. */
  replyUplink(): void {}

  sendCommand(command: ThingCommand, messageId: string): void {
    this.poller.command(this, command, messageId).catch((err: unknown) => this.poller.commandFailed(this, err));
  }

  close(): void {
    this.poller.sessionEnded(this);
  }
}

export type { ModbusSession };
