import type { Logger } from 'pino';
import { MqttListener, restartKey, type MqttListenerDeps } from './mqtt-listener.ts';
import type { MqttListenerConfig } from '../../domain/devices/mqtt-listener-config.ts';

interface Entry {
  listener: MqttListener;
  started: Promise<void>;
  owners: Set<string>;
  /** The owners it had when last released: the node that moves it to another port closes it at once. */
  lastOwners?: Set<string>;
  /** Pending close after the last owner let go; cancelled when a new deploy takes the listener again. */
  closeTimer?: NodeJS.Timeout;
}

/**
 * Listeners outlive deploys (docs/architecture.md "Listeners outlive deploys"). A full deploy closes every node and creates it again; the listener config
 * node releases its listener on close and acquires it again on start. The pool keeps a released listener for a grace
 * period, so the same config is handed back with every device still connected. A listener is keyed by its port:
 * settings that need no restart (payload limit, rate, keepalive bounds) are applied in place; a changed port, host,
 * TLS or WebSocket path closes the old listener and starts a new one.
 */
export class MqttListenerPool {
  readonly #byPort = new Map<number, Entry>();

  constructor(
    private readonly deps: MqttListenerDeps,
    private readonly logger: Logger,
    private readonly graceMs = 15_000,
  ) {}

  /** Takes (starting if needed) the listener for this config on behalf of a node; resolves when it is listening. */
  async acquire(owner: string, config: MqttListenerConfig): Promise<MqttListener> {
    for (const [port, old] of this.#byPort) {
      if (port !== config.port && old.owners.size === 0 && old.lastOwners?.has(owner)) await this.#close(port, old);
    }
    let entry = this.#byPort.get(config.port);
    if (entry && restartKey(entry.listener.config) !== restartKey(config)) {
      this.logger.info({ port: config.port }, 'mqtt listener config changed: restarting it');
      await this.#close(config.port, entry);
      entry = undefined;
    }
    if (!entry) {
      const listener = new MqttListener(config, this.deps);
      entry = { listener, started: listener.start(), owners: new Set() };
      this.#byPort.set(config.port, entry);
      entry.started.catch(() => this.#byPort.delete(config.port));
    } else {
      entry.listener.config = config;
    }
    clearTimeout(entry.closeTimer);
    entry.closeTimer = undefined;
    entry.owners.add(owner);
    await entry.started;
    return entry.listener;
  }

  /** A node lets go of its listener; it closes after the grace period unless taken again. */
  release(owner: string): void {
    for (const [port, entry] of this.#byPort) {
      if (!entry.owners.has(owner)) continue;
      entry.lastOwners = new Set(entry.owners);
      entry.owners.delete(owner);
      if (entry.owners.size > 0) continue;
      entry.closeTimer = setTimeout(() => void this.#close(port, entry), this.graceMs);
      entry.closeTimer.unref();
    }
  }

  listeners(): MqttListener[] {
    return [...this.#byPort.values()].map((e) => e.listener);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#byPort].map(([port, entry]) => this.#close(port, entry)));
  }

  async #close(port: number, entry: Entry): Promise<void> {
    clearTimeout(entry.closeTimer);
    if (this.#byPort.get(port) === entry) this.#byPort.delete(port);
    await entry.started.catch(() => {});
    await entry.listener.stop();
  }
}
