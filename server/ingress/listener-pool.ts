import type { Logger } from 'pino';

/** A listener a config node owns: started once, its restart-free settings changed in place, stopped. */
export interface PooledListener<C> {
  config: C;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface Entry<L> {
  listener: L;
  started: Promise<void>;
  owners: Set<string>;
  /** The owners it had when last released: the node that moves it to another port closes it at once. */
  lastOwners?: Set<string>;
  /** Pending close after the last owner let go; cancelled when a new deploy takes the listener again. */
  closeTimer?: NodeJS.Timeout;
}

/**
 * Listeners outlive deploys (docs/architecture.md "Listeners outlive deploys"). A full deploy closes every node and
 * creates it again; a listener config node (MQTT, HTTP, CoAP) releases its listener on close and acquires it again on
 * start. The pool keeps a released listener for a grace period, so the same config is handed back with every device
 * still connected (and, for HTTP and CoAP, every device's online state and waiting poll kept). A listener is keyed by
 * its port: settings that need no restart are applied in place; a change in its `restartKey` (port, host, TLS, paths)
 * closes the old listener and starts a new one.
 */
export class ListenerPool<C extends { port: number }, L extends PooledListener<C>> {
  readonly #byPort = new Map<number, Entry<L>>();
  /**
   * Added to every port a node asks for (not to 0, any free port): several nodes of a cluster on one host run the
   * same flows, and each binds its listeners this far apart (`--listener-port-offset`).
   */
  portOffset = 0;

  constructor(
    private readonly kind: string,
    private readonly create: (config: C) => L,
    private readonly restartKey: (config: C) => string,
    private readonly logger: Logger,
    private readonly graceMs = 15_000,
  ) {}

  /** Takes (starting if needed) the listener for this config on behalf of a node; resolves when it is listening. */
  async acquire(owner: string, asked: C): Promise<L> {
    const config = asked.port === 0 || this.portOffset === 0 ? asked : { ...asked, port: asked.port + this.portOffset };
    for (const [port, old] of this.#byPort) {
      if (port !== config.port && old.owners.size === 0 && old.lastOwners?.has(owner)) await this.#close(port, old);
    }
    let entry = this.#byPort.get(config.port);
    if (entry && this.restartKey(entry.listener.config) !== this.restartKey(config)) {
      this.logger.info({ port: config.port }, `${this.kind} listener config changed: restarting it`);
      await this.#close(config.port, entry);
      entry = undefined;
    }
    if (!entry) {
      const listener = this.create(config);
      const created: Entry<L> = { listener, started: listener.start(), owners: new Set() };
      entry = created;
      this.#byPort.set(config.port, created);
      created.started.catch(() => {
        if (this.#byPort.get(config.port) === created) this.#byPort.delete(config.port);
      });
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

  listeners(): L[] {
    return [...this.#byPort.values()].map((e) => e.listener);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#byPort].map(([port, entry]) => this.#close(port, entry)));
  }

  async #close(port: number, entry: Entry<L>): Promise<void> {
    clearTimeout(entry.closeTimer);
    if (this.#byPort.get(port) === entry) this.#byPort.delete(port);
    await entry.started.catch(() => {});
    await entry.listener.stop();
  }
}
