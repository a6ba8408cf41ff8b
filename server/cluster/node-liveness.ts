/**
 * Which nodes of a cluster are alive, by a key per node in Redis that the node renews every `beatMs` and Redis expires
 * `ttlMs` after the last renewal: a node killed, frozen or cut off from Redis drops out by itself, on Redis's clock
 * (no node's clock is compared with another's). A node that stops cleanly deletes its key at once.
 *
 * What the leader does with it: {@link sweepLostNodes} sets the devices still marked online through a node that is
 * gone offline, since that node never will (docs/architecture.md "Scale-out").
 */
import type { Redis } from 'ioredis';
import { redisConnection } from './cluster-bus.ts';
import type { DeviceRef } from '../../domain/devices/device-schemas.ts';
import type { Singleton } from './singleton-work.ts';

const KEY_PREFIX = 'thingwire:node:';

export interface NodeLivenessOptions {
  nodeId: string;
  /** How long a node counts as alive after its last renewal (ms). */
  ttlMs?: number;
  /** How often the node renews its key (ms); a third of `ttlMs` by default. */
  beatMs?: number;
  logger: { warn(fields: object, msg: string): void };
}

export class NodeLiveness {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #ttlMs: number;
  readonly #beatMs: number;
  readonly #logger: NodeLivenessOptions['logger'];
  #timer: NodeJS.Timeout | undefined;

  private constructor(url: string, options: NodeLivenessOptions) {
    this.#key = KEY_PREFIX + options.nodeId;
    this.#ttlMs = options.ttlMs ?? 15_000;
    this.#beatMs = options.beatMs ?? Math.floor(this.#ttlMs / 3);
    this.#logger = options.logger;
    this.#redis = redisConnection(url, `thingwire-${options.nodeId}-liveness`, 'node liveness', options.logger);
  }

  /** Connects, says this node is alive, and keeps saying so; rejects when Redis cannot be reached. */
  static async start(url: string, options: NodeLivenessOptions): Promise<NodeLiveness> {
    const liveness = new NodeLiveness(url, options);
    try {
      await liveness.#redis.connect();
      await liveness.#beat();
    } catch (err) {
      liveness.#redis.disconnect();
      throw err;
    }
    liveness.#schedule();
    return liveness;
  }

  /** The ids of the nodes alive now, this one included. */
  async alive(): Promise<Set<string>> {
    const nodes = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.#redis.scan(cursor, 'MATCH', `${KEY_PREFIX}*`, 'COUNT', 100);
      for (const key of keys) nodes.add(key.slice(KEY_PREFIX.length));
      cursor = next;
    } while (cursor !== '0');
    return nodes;
  }

  /** Stops renewing and deletes this node's key: the others see it gone at once. */
  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#redis.del(this.#key).catch(() => undefined);
    this.#redis.disconnect();
  }

  #beat(): Promise<unknown> {
    return this.#redis.set(this.#key, String(Date.now()), 'PX', this.#ttlMs);
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#beat()
        .catch((err: unknown) => this.#logger.warn({ err: (err as Error).message }, 'node liveness: renewing this node failed'))
        .finally(() => {
          if (this.#timer) this.#schedule();
        });
    }, this.#beatMs);
    this.#timer.unref();
  }
}

export interface LostNodeSweepOptions {
  liveness: Pick<NodeLiveness, 'alive'>;
  devices: { heldBy(): Promise<Map<string, number>>; markOffline(heldBy: string): Promise<DeviceRef[]> };
  /** The devices a lost node held, now offline: for their connection history. */
  lost(node: string, devices: DeviceRef[]): void;
  /** How often to look (ms). */
  everyMs?: number;
  logger: { info(fields: object, msg: string): void; error(fields: object, msg: string): void };
}

/**
 * Singleton work (the leader's): every `everyMs`, the devices online through a node that is no longer alive are set
 * offline. A node's own devices are never its business: a node alive enough to sweep is alive.
 */
export function sweepLostNodes(options: LostNodeSweepOptions): Singleton & { sweep(): Promise<number> } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let running: Promise<unknown> = Promise.resolve();
  const sweep = async (): Promise<number> => {
    const [held, alive] = await Promise.all([options.devices.heldBy(), options.liveness.alive()]);
    let count = 0;
    for (const node of held.keys()) {
      if (alive.has(node)) continue;
      const devices = await options.devices.markOffline(node);
      count += devices.length;
      if (devices.length === 0) continue;
      options.logger.info({ node, devices: devices.length }, 'devices of a node that is gone set offline');
      options.lost(node, devices);
    }
    return count;
  };
  const tick = () => {
    running = sweep()
      .catch((err: unknown) => options.logger.error({ err }, 'sweeping the devices of lost nodes failed'))
      .finally(() => {
        if (!stopped) schedule();
      });
  };
  const schedule = () => {
    timer = setTimeout(tick, options.everyMs ?? 10_000);
    timer.unref();
  };
  return {
    name: 'lost-node sweep',
    sweep,
    start() {
      stopped = false;
      tick();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
