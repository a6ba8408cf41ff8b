/**
 * The registry's events shared by the nodes of a cluster, over Redis pub/sub: a product changed, a thing model
 * published, a device disabled or deleted, a sub-device linked or unlinked on one node is followed by every other
 * node's memory (product settings, published thing models, topology) and by the sessions it holds (a disabled device
 * is disconnected on whichever node it is connected to).
 *
 * Each node publishes the events it makes itself (those without `origin`) on one channel; the others take them with
 * `registry.follow`, which reloads what the change touched from the database before announcing it there with
 * `origin` set to the node it came from. Events are applied in the order a node receives them, one at a time. Other
 * kinds of change travel the same way ({@link ClusterBus.share}): a deploy, a user's access.
 *
 * Pub/sub delivers to the nodes connected at that moment: a node that was disconnected from Redis reloads all the
 * registry's memory when it is connected again, since it may have missed changes meanwhile.
 */
import type { EventEmitter } from 'node:events';
import { Redis, type RedisOptions } from 'ioredis';
import type { Registry } from '../registry.ts';
import type { RegistryEventMap } from '../registry-events.ts';

/** The channel the registry's events travel on. */
export const REGISTRY_CHANNEL = 'thingwire:registry';

const EVENTS: readonly (keyof RegistryEventMap)[] = ['product.changed', 'device.changed', 'topology.changed', 'thing-model.published', 'codec.published'];

interface Envelope {
  node: string;
  /** A registry event's name, or a shared kind of change's (see {@link ClusterBus.share}). */
  name: string;
  event: Record<string, unknown>;
}

/** A kind of change other than the registry's that every node follows (see {@link ClusterBus.share}). */
interface Shared {
  emitter: EventEmitter;
  follow(event: Record<string, unknown>): Promise<void> | void;
  listener(event: Record<string, unknown>): void;
}

export interface ClusterBusOptions {
  /** This node's id, unique in the cluster: events it made come back to it and are dropped by it. */
  nodeId: string;
  /** The node's registry; `load` is what a reconnect reloads (the registry's memory and any store kept beside it). */
  registry: Pick<Registry, 'events' | 'follow'>;
  load(): Promise<void>;
  logger: { info(fields: object, msg: string): void; warn(fields: object, msg: string): void; error(fields: object, msg: string): void };
}

/**
 * A cluster node's connection to Redis, not yet connected (`connect()` it), named for `CLIENT LIST`: a command fails
 * after two reconnect attempts rather than wait for Redis indefinitely, and connection errors are logged as `what`'s
 * (ioredis reconnects).
 */
export function redisConnection(
  url: string, connectionName: string, what: string, logger: { warn(fields: object, msg: string): void }, options: RedisOptions = {},
): Redis {
  const client = new Redis(url, { connectionName, maxRetriesPerRequest: 2, lazyConnect: true, ...options });
  client.on('error', (err: Error) => logger.warn({ err: err.message }, `${what}: redis connection error`));
  return client;
}

/**
 * Two connections to Redis (see {@link redisConnection}): one to publish on, one to subscribe with (a subscribed
 * connection can do nothing else).
 */
export function pubSubPair(url: string, connectionName: string, what: string, logger: { warn(fields: object, msg: string): void }): [Redis, Redis] {
  return [redisConnection(url, connectionName, what, logger), redisConnection(url, connectionName, what, logger)];
}

export class ClusterBus {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #options: ClusterBusOptions;
  readonly #listeners: [keyof RegistryEventMap, (event: Record<string, unknown>) => void][] = [];
  readonly #shared = new Map<string, Shared>();
  /** The remote events being applied, one after another. */
  #applying: Promise<void> = Promise.resolve();

  private constructor(url: string, options: ClusterBusOptions) {
    this.#options = options;
    [this.#publisher, this.#subscriber] = pubSubPair(url, `thingwire-${options.nodeId}`, 'cluster bus', options.logger);
  }

  /** Connects to Redis and starts sharing the registry's events; rejects when Redis cannot be reached. */
  static async connect(url: string, options: ClusterBusOptions): Promise<ClusterBus> {
    const bus = new ClusterBus(url, options);
    try {
      await Promise.all([bus.#publisher.connect(), bus.#subscriber.connect()]);
      await bus.#start();
    } catch (err) {
      bus.#publisher.disconnect();
      bus.#subscriber.disconnect();
      throw err;
    }
    return bus;
  }

  async #start(): Promise<void> {
    const { nodeId, registry, logger } = this.#options;
    this.#subscriber.on('message', (_channel: string, text: string) => this.#received(text));
    // Connected already (connect() resolved on the first 'ready'): a 'ready' from now on is a reconnect, after which
    // ioredis subscribes again. What was missed meanwhile is read from the database.
    this.#subscriber.on('ready', () => {
      logger.info({ node: nodeId }, 'cluster bus: connected to redis again; reloading the registry');
      this.#enqueue(() => this.#options.load());
    });
    await this.#subscriber.subscribe(REGISTRY_CHANNEL);
    for (const name of EVENTS) {
      const listener = (event: Record<string, unknown>) => this.#publish(name, event);
      registry.events.on(name, listener as never);
      this.#listeners.push([name, listener]);
    }
  }

  /**
   * Shares another kind of change: `emitter`'s `name` events made on this node go to the others, which `follow` them
   * (an event followed here carries `origin`, and is not sent on again). A deploy that the other nodes load, a user
   * whose access changed that the other nodes' live sockets check again.
   */
  share<T extends object>(name: string, emitter: EventEmitter, follow: (event: T & { origin: string }) => Promise<void> | void): void {
    if (this.#shared.has(name) || (EVENTS as readonly string[]).includes(name)) throw new Error(`${name} is shared already`);
    const listener = (event: Record<string, unknown>) => this.#publish(name, event);
    emitter.on(name, listener);
    this.#shared.set(name, { emitter, follow: follow as Shared['follow'], listener });
  }

  #publish(name: string, event: Record<string, unknown>): void {
    if (event.origin !== undefined) return; // another node's, applied here
    const envelope: Envelope = { node: this.#options.nodeId, name, event };
    this.#publisher.publish(REGISTRY_CHANNEL, JSON.stringify(envelope)).catch((err: unknown) => {
      this.#options.logger.error({ err, name, event }, 'cluster bus: an event could not be sent to the other nodes');
    });
  }

  #received(text: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      return this.#options.logger.warn({ text: text.slice(0, 200) }, 'cluster bus: a message that is not JSON was dropped');
    }
    if (envelope.node === this.#options.nodeId) return;
    const event = { ...envelope.event, origin: envelope.node };
    const shared = this.#shared.get(envelope.name);
    if (shared) return this.#enqueue(async () => shared.follow(event));
    const name = envelope.name as keyof RegistryEventMap;
    if (EVENTS.includes(name)) this.#enqueue(() => this.#options.registry.follow(name, event as never));
  }

  #enqueue(work: () => Promise<void>): void {
    this.#applying = this.#applying.then(work).catch((err: unknown) => {
      this.#options.logger.error({ err }, 'cluster bus: following another node\'s change failed');
    });
  }

  /** Resolves when the remote events received so far have been applied (for tests and an orderly stop). */
  settled(): Promise<void> {
    return this.#applying;
  }

  async close(): Promise<void> {
    for (const [name, listener] of this.#listeners) this.#options.registry.events.off(name, listener as never);
    this.#listeners.length = 0;
    for (const [name, { emitter, listener }] of this.#shared) emitter.off(name, listener);
    this.#shared.clear();
    await this.#applying;
    await Promise.allSettled([this.#subscriber.quit(), this.#publisher.quit()]);
  }
}
