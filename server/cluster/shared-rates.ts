/**
 * Per-device rate limits that hold across the nodes of a cluster, in Redis: an HTTP, CoAP or UDP device has no
 * connection that keeps it on one node, so a balancer may send each of its posts to a different node, and a limit
 * each node kept for itself would let it post N times its rate. (A device on a connection, MQTT or TCP, is held by one
 * node at a time: its limit stays in that connection, with no round trip.)
 *
 * The limit is the single node's ("N per second, bursts of twice that"), as GCRA: one key per device holds the time
 * its next post would be due were it sending at exactly the rate, read and moved by one script on Redis's own clock
 * (no node's clock is compared with another's), and expiring once the device has been quiet for as long as a burst.
 */
import type { Redis } from 'ioredis';

const KEY_PREFIX = 'thingwire:rate:';

/** KEYS: the device's. ARGV: rate per second, burst. Returns 1 when the post is within the limit (it then counts). */
const TAKE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local interval = 1000 / tonumber(ARGV[1])
local due = tonumber(redis.call('GET', KEYS[1]) or '0')
if due < now then due = now end
local after = due + interval
if after - now > tonumber(ARGV[2]) * interval then return 0 end
redis.call('SET', KEYS[1], string.format('%.3f', after), 'PX', math.ceil(after - now))
return 1`;

interface RateCommands {
  twRateTake(key: string, rate: number, burst: number): Promise<number>;
}

export class SharedRateLimits {
  readonly #redis: Redis & RateCommands;
  readonly #logger: { warn(fields: object, msg: string): void };
  #warnedAt = -Infinity;

  /** @param redis a connection this shares (not in subscriber mode); its owner connects and closes it. */
  constructor(redis: Redis, logger: { warn(fields: object, msg: string): void }) {
    redis.defineCommand('twRateTake', { numberOfKeys: 1, lua: TAKE });
    this.#redis = redis as Redis & RateCommands;
    this.#logger = logger;
  }

  /**
   * Whether the device's post is within `rate` per second, counted across the cluster; undefined when Redis could
   * not say (the caller then uses its own node's limit, and the post is not refused for Redis's sake).
   */
  async take(device: string, rate: number): Promise<boolean | undefined> {
    if (rate <= 0) return true;
    try {
      return (await this.#redis.twRateTake(KEY_PREFIX + device, rate, rate * 2)) === 1;
    } catch (err) {
      const now = Date.now();
      if (now - this.#warnedAt > 60_000) {
        this.#warnedAt = now;
        this.#logger.warn({ err: (err as Error).message }, 'shared rate limits: redis did not answer; each node limits its own posts meanwhile');
      }
      return undefined;
    }
  }
}
