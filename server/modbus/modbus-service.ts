import type { Logger } from 'pino';
import type { DeviceHub } from '../device-hub/device-hub.ts';
import { ApiError, conflict, validationFailed } from '../errors.ts';
import type { RegistryEvents } from '../registry-events.ts';
import { ModbusBuses } from './modbus-bus.ts';
import { ModbusPoller } from './modbus-poller.ts';
import type { ModbusStore, ModbusTarget } from './modbus-store.ts';
import { decodeRead, planReads } from './point-codec.ts';
import { checkPointTable, type ModbusPoint, type PointInput } from '../../domain/modbus/point-table.ts';
import type { DeviceModbusView, ModbusFailure, ReadNowRequest, ReadNowResult, ReadNowValue } from '../../domain/modbus/modbus-api.ts';
import { DEFAULT_MODBUS_POLLER_CONFIG, type ModbusPollerConfig } from '../../domain/modbus/modbus-poller-config.ts';

interface PollerEntry {
  poller: ModbusPoller;
  /** Whether a node holds it (false: released, closing after the grace period unless taken again). */
  held: boolean;
  closeTimer?: NodeJS.Timeout;
}

export interface ModbusServiceOptions {
  store: ModbusStore;
  hub: DeviceHub;
  /** Backpressure: while it is shut (storage or flows behind), polls wait. */
  gate?: { readonly open: boolean };
  registryEvents: RegistryEvents;
  logger: Logger;
  /** How long a released poller keeps polling, waiting for the next deploy to take it again (default 15 s). */
  graceMs?: number;
}

/**
 * Modbus for the rest of the server: the pollers (a pool that Modbus poller nodes take from and give back to, so a
 * redeploy keeps polling state, as listeners do), the lines they share, what the device screen shows, and "read
 * now". Registry and point table changes reach the pollers at once.
 *
 * Several poller nodes may run; a device is polled by one only: the first node (in the order they started) whose
 * products include its product. A released poller (between a node's close and its next start) keeps its devices
 * only while no held poller wants them.
 */
export class ModbusService {
  readonly buses: ModbusBuses;
  readonly #store: ModbusStore;
  readonly #hub: DeviceHub;
  readonly #gate: ModbusServiceOptions['gate'];
  readonly #events: RegistryEvents;
  readonly #logger: Logger;
  readonly #graceMs: number;
  readonly #pollers = new Map<string, PollerEntry>();
  readonly #reading = new Set<string>();
  readonly #counts = { answered: 0, unanswered: 0 };
  #syncQueued = false;
  #syncing: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #onChange = () => this.#queueSync();
  /** Only what changes which devices are polled: a new device has no connection yet, a renamed one polls as before. */
  readonly #onDeviceChange = ({ change }: { change: string }) => {
    if (change === 'enabled' || change === 'disabled' || change === 'deleted') this.#queueSync();
  };
  readonly #onProductChange = ({ change }: { change: string }) => {
    if (change === 'deleted') this.#queueSync();
  };

  constructor(options: ModbusServiceOptions) {
    this.#store = options.store;
    this.#hub = options.hub;
    this.#gate = options.gate;
    this.#events = options.registryEvents;
    this.#logger = options.logger;
    this.#graceMs = options.graceMs ?? 15_000;
    this.buses = new ModbusBuses(options.logger);
    this.#store.events.on('changed', this.#onChange);
    this.#events.on('device.changed', this.#onDeviceChange);
    this.#events.on('product.changed', this.#onProductChange);
  }

  /** Takes (creating if needed) the poller of a node; its settings apply in place. */
  acquire(owner: string, config: ModbusPollerConfig): Promise<ModbusPoller> {
    if (this.#closed) return Promise.reject(new Error('the server is stopping'));
    let entry = this.#pollers.get(owner);
    if (entry) {
      clearTimeout(entry.closeTimer);
      entry.closeTimer = undefined;
      entry.poller.config = config;
    } else {
      entry = { poller: new ModbusPoller(config, { hub: this.#hub, gate: this.#gate, buses: this.buses, logger: this.#logger, counts: this.#counts }), held: true };
      this.#pollers.set(owner, entry);
    }
    entry.held = true;
    return this.#sync().then(() => entry.poller);
  }

  /** A node lets go of its poller: it keeps polling for the grace period, then stops unless taken again. */
  release(owner: string): void {
    const entry = this.#pollers.get(owner);
    if (!entry?.held) return;
    entry.held = false;
    entry.closeTimer = setTimeout(() => {
      if (this.#pollers.get(owner) !== entry || entry.held) return;
      this.#pollers.delete(owner);
      entry.poller.close('disconnect');
      void this.#sync();
    }, this.#graceMs);
    entry.closeTimer.unref();
  }

  /** The pollers running now (held or in their grace period). */
  pollers(): ModbusPoller[] {
    return [...this.#pollers.values()].map((e) => e.poller);
  }

  /** For /metrics: polls by outcome since start, devices by state, and the lines with their queues. */
  stats(): { polls: { answered: number; unanswered: number }; devices: Record<'polling' | 'failing' | 'offline', number>; lines: number; queued: number; inFlight: number } {
    const devices = { polling: 0, failing: 0, offline: 0 };
    for (const { poller } of this.#pollers.values()) {
      for (const [state, n] of Object.entries(poller.states()) as [keyof typeof devices, number][]) devices[state] += n;
    }
    const lines = this.buses.lines();
    return {
      polls: { ...this.#counts }, devices, lines: lines.length,
      queued: lines.reduce((n, l) => n + l.load.queued, 0), inFlight: lines.reduce((n, l) => n + l.load.inFlight, 0),
    };
  }

  /** Hands the pollers their devices now rather than after the current burst of changes (a route answering a change). */
  refresh(): Promise<void> {
    return this.#sync();
  }

  /** The device's connection and how polling it goes. 404 for an unknown device. */
  async view(productKey: string, deviceName: string): Promise<DeviceModbusView> {
    const connection = await this.#store.connection(productKey, deviceName);
    let status: DeviceModbusView['status'] | undefined;
    for (const { poller } of this.#pollers.values()) status ??= poller.status(productKey, deviceName);
    return { productKey, deviceName, connection, status: status ?? { state: 'not-polled', lastPollAt: null, failures: 0, lastError: null } };
  }

  /**
   * Reads every point once, now, on the device's line (behind the polls waiting there), and stores nothing. The
   * points are the product's table unless given. 409 when the device has no connection or there is nothing to read,
   * 429 while another read of the same device runs, 422 for points that are wrong.
   */
  async readNow(productKey: string, deviceName: string, input?: PointInput[]): Promise<ReadNowResult> {
    const connection = await this.#store.connection(productKey, deviceName);
    if (!connection) throw conflict('modbus_not_configured', `Device "${productKey}/${deviceName}" has no Modbus connection; set one first.`);
    let points: ModbusPoint[];
    if (input) {
      const checked = checkPointTable(input);
      if (!checked.ok) throw validationFailed(`The points have ${checked.problems.length} problem(s); details lists each by its row.`, checked.problems);
      points = checked.points;
    } else {
      points = (await this.#store.points(productKey)).points;
    }
    if (points.length === 0) throw conflict('modbus_no_points', `Product "${productKey}" has no point table: save one, or send points to read.`);
    const key = `${productKey}/${deviceName}`;
    if (this.#reading.has(key)) throw new ApiError(429, 'read_in_progress', `A read of ${key} is already running; wait for it.`);
    this.#reading.add(key);
    const bus = this.buses.acquire(connection);
    const started = Date.now();
    try {
      const timeoutMs = connection.timeoutMs ?? this.#pollerFor(productKey)?.config.timeoutMs ?? DEFAULT_MODBUS_POLLER_CONFIG.timeoutMs;
      const requests: ReadNowRequest[] = [];
      const values: ReadNowValue[] = [];
      let answered = false;
      let stopped: ModbusFailure | undefined;
      for (const request of planReads(points)) {
        const asked = { function: request.function, address: request.address, count: request.quantity };
        const failedPoints = (error: string) => request.points.forEach((p) => values.push({ property: p.property, type: p.type, error }));
        if (stopped) {
          requests.push({ ...asked, error: stopped });
          failedPoints(`not read: ${stopped.message}`);
          continue;
        }
        const result = await bus.request({ unitId: connection.unitId, read: { function: request.function, address: request.address, quantity: request.quantity } }, timeoutMs);
        if (!result.ok) {
          requests.push({ ...asked, error: result.failure });
          failedPoints(result.failure.message);
          if (result.failure.kind === 'timeout' || result.failure.kind === 'connect') stopped = result.failure;
          continue;
        }
        answered = true;
        const raw = result.data.slice(0, request.quantity) as number[] | boolean[];
        requests.push({ ...asked, raw });
        for (const reading of decodeRead(request, result.data)) {
          const type = request.points.find((p) => p.property === reading.property)!.type;
          values.push(reading.ok ? { property: reading.property, type, value: reading.value } : { property: reading.property, type, error: reading.error });
        }
      }
      const durationMs = Date.now() - started;
      if (!answered && stopped) return { ok: false, durationMs, error: stopped };
      return { ok: true, durationMs, requests, values };
    } finally {
      this.buses.release(bus);
      this.#reading.delete(key);
    }
  }

  /** Stops every poller (sessions end with `server-stop`) and closes the lines. */
  close(): void {
    this.#closed = true;
    this.#store.events.off('changed', this.#onChange);
    this.#events.off('device.changed', this.#onDeviceChange);
    this.#events.off('product.changed', this.#onProductChange);
    for (const entry of this.#pollers.values()) {
      clearTimeout(entry.closeTimer);
      entry.poller.close('server-stop');
    }
    this.#pollers.clear();
    this.buses.closeAll();
  }

  /** Which poller polls the product's devices: the first held one that takes the product, else the first released one. */
  #pollerFor(productKey: string): ModbusPoller | undefined {
    const takes = (e: PollerEntry) => e.poller.config.products.length === 0 || e.poller.config.products.includes(productKey);
    const entries = [...this.#pollers.values()];
    return (entries.find((e) => e.held && takes(e)) ?? entries.find((e) => !e.held && takes(e)))?.poller;
  }

  /** Changes come in bursts (a product deleted with its table, a bulk import): one sync after them. */
  #queueSync(): void {
    if (this.#syncQueued || this.#closed) return;
    this.#syncQueued = true;
    setImmediate(() => {
      this.#syncQueued = false;
      void this.#sync();
    });
  }

  /**
   * Hands every poller the enabled devices it polls, from the store. One sync at a time, in the order asked: an older
   * read of the store never lands after a newer one.
   */
  #sync(): Promise<void> {
    const next = this.#syncing.then(() => this.#syncNow()).catch((err: unknown) => this.#logger.error({ err }, 'modbus: reading the devices to poll failed'));
    this.#syncing = next;
    return next;
  }

  async #syncNow(): Promise<void> {
    if (this.#closed || this.#pollers.size === 0) return;
    const targets = await this.#store.targets();
    if (this.#closed) return;
    const byPoller = new Map<ModbusPoller, ModbusTarget[]>();
    for (const target of targets) {
      if (!target.enabled) continue;
      const poller = this.#pollerFor(target.productKey);
      if (!poller) continue;
      const list = byPoller.get(poller) ?? [];
      list.push(target);
      byPoller.set(poller, list);
    }
    for (const { poller } of this.#pollers.values()) poller.update(byPoller.get(poller) ?? []);
  }
}
