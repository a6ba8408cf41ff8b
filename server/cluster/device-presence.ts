/**
 * Which node of a cluster holds which device, live, in Redis: what routes a command issued on one node to the device's
 * connection on another (RemoteCommands). The registry's `status` column stays the record of online and offline (the
 * screens, the history, the counts); this is the routing table, written the moment a session opens or ends rather than
 * with the status's batched write.
 *
 * Two structures, changed together by Lua scripts so that no reader sees one without the other:
 * - `thingwire:presence`, a hash: `{productKey}/{deviceName}` → the node holding the device;
 * - `thingwire:held:{node}`, a set per node: its devices, so that a lost node's entries are found without a scan.
 *
 * A device moving between nodes (a takeover) is written by both: the new node's `online` overwrites, and the old node's
 * `offline` removes the entry only while it still names the old node, in whichever order the two arrive.
 */
import type { Redis } from 'ioredis';

const HASH = 'thingwire:presence';
const HELD_PREFIX = 'thingwire:held:';

/** KEYS: hash, this node's set. ARGV: device, node. The previous holder's set loses the device. */
const ONLINE = `
local before = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
if before and before ~= ARGV[2] then redis.call('SREM', '${HELD_PREFIX}' .. before, ARGV[1]) end
return 1`;

/** KEYS: hash, the node's set. ARGV: device, node. Removed only while the node still holds it. */
const OFFLINE = `
redis.call('SREM', KEYS[2], ARGV[1])
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) return 1 end
return 0`;

/** KEYS: hash, the node's set. ARGV: node. Every device the node still holds loses its entry; returns how many. */
const FORGET_NODE = `
local devices = redis.call('SMEMBERS', KEYS[2])
local removed = 0
for _, device in ipairs(devices) do
  if redis.call('HGET', KEYS[1], device) == ARGV[1] then redis.call('HDEL', KEYS[1], device) removed = removed + 1 end
end
redis.call('DEL', KEYS[2])
return removed`;

interface PresenceCommands {
  twPresenceOnline(hash: string, held: string, device: string, node: string): Promise<number>;
  twPresenceOffline(hash: string, held: string, device: string, node: string): Promise<number>;
  twPresenceForget(hash: string, held: string, node: string): Promise<number>;
}

export class DevicePresence {
  readonly #redis: Redis & PresenceCommands;
  readonly #nodeId: string;
  readonly #logger: { warn(fields: object, msg: string): void };
  #closed = false;

  /** @param redis a connection this shares (not in subscriber mode); its owner connects and closes it. */
  constructor(redis: Redis, nodeId: string, logger: { warn(fields: object, msg: string): void }) {
    redis.defineCommand('twPresenceOnline', { numberOfKeys: 2, lua: ONLINE });
    redis.defineCommand('twPresenceOffline', { numberOfKeys: 2, lua: OFFLINE });
    redis.defineCommand('twPresenceForget', { numberOfKeys: 2, lua: FORGET_NODE });
    this.#redis = redis as Redis & PresenceCommands;
    this.#nodeId = nodeId;
    this.#logger = logger;
  }

  /**
   * This node holds the device now. Not awaited by the hub: a failure is logged, and the device is then unreachable
   * from other nodes until it reconnects or Redis is back ({@link reassert}).
   */
  online(productKey: string, deviceName: string): Promise<void> {
    return this.#write('online', () => this.#redis.twPresenceOnline(HASH, HELD_PREFIX + this.#nodeId, `${productKey}/${deviceName}`, this.#nodeId));
  }

  /** This node no longer holds the device (another node that took it over keeps its entry). */
  offline(productKey: string, deviceName: string): Promise<void> {
    return this.#write('offline', () => this.#redis.twPresenceOffline(HASH, HELD_PREFIX + this.#nodeId, `${productKey}/${deviceName}`, this.#nodeId));
  }

  /** The node holding the device, if any. */
  async holderOf(productKey: string, deviceName: string): Promise<string | undefined> {
    return (await this.#redis.hget(HASH, `${productKey}/${deviceName}`)) ?? undefined;
  }

  /**
   * Removes the entries of a node that holds its devices no more: this node's own at start (left by a process that was
   * killed), or a lost node's (the leader's sweep). Returns how many there were.
   */
  forgetNode(node: string = this.#nodeId): Promise<number> {
    return this.#redis.twPresenceForget(HASH, HELD_PREFIX + node, node);
  }

  /** Writes again every device this node holds: after Redis was unreachable or restarted empty. */
  async reassert(devices: Iterable<{ productKey: string; deviceName: string }>): Promise<number> {
    const pipeline = this.#redis.pipeline();
    let count = 0;
    for (const { productKey, deviceName } of devices) {
      (pipeline as unknown as { twPresenceOnline(...args: string[]): unknown }).twPresenceOnline(HASH, HELD_PREFIX + this.#nodeId, `${productKey}/${deviceName}`, this.#nodeId);
      count++;
    }
    if (count > 0) await pipeline.exec();
    return count;
  }

  /** Nodes with devices, and how many each: what the leader checks against the nodes alive. */
  async heldBy(): Promise<Map<string, number>> {
    const nodes = new Map<string, number>();
    let cursor = '0';
    do {
      const [next, keys] = await this.#redis.scan(cursor, 'MATCH', `${HELD_PREFIX}*`, 'COUNT', 100);
      for (const key of keys) nodes.set(key.slice(HELD_PREFIX.length), 0);
      cursor = next;
    } while (cursor !== '0');
    for (const node of nodes.keys()) nodes.set(node, await this.#redis.scard(HELD_PREFIX + node));
    return nodes;
  }

  /** This node stops holding devices: its entries go at once, and sessions it closes later write nothing. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.forgetNode().catch((err: unknown) => this.#logger.warn({ err: (err as Error).message }, 'device presence: removing this node\'s devices failed'));
  }

  async #write(what: string, write: () => Promise<number>): Promise<void> {
    if (this.#closed) return;
    try {
      await write();
    } catch (err) {
      this.#logger.warn({ err: (err as Error).message, what }, 'device presence: writing to redis failed');
    }
  }
}
