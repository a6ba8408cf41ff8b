/**
 * The idempotency keys of a cluster's uplinks, in Redis: the verdict each message with the device's own id got (its
 * receipt), so that a device that sends a message again through another node (its node died before the PUBACK
 * reached it, or a balancer moved it) is answered with the first verdict and the message is not stored twice.
 *
 * A node writes each final verdict as it gives it (pipelined with the others) and answers the device once it is
 * written. It reads a device's receipts before it judges the device's first message on a connection (MQTT, TCP: from
 * then on the device's messages come to this node, which remembers its own verdicts), or before each post of an HTTP,
 * CoAP or UDP device (a balancer may send each to another node). Per device:
 * - `thingwire:receipts:{device}`, a hash: message id → `fingerprint code at reason`;
 * - `thingwire:receipts-at:{device}`, a sorted set: message id by when, so that verdicts older than the window, and
 *   all but the newest {@link SHARED_RECEIPTS_PER_DEVICE}, leave the hash as new ones arrive; both expire after a
 *   window of silence.
 *
 * Not covered: a message still waiting for its verdict on one node when its repeat reaches another (the repeat is
 * processed as new). With MQTT that needs the device's node to be alive yet its connection moved, and the receipts
 * of the PostgreSQL device log still record both.
 */
import type { Redis } from 'ioredis';
import type { Receipt } from '../../domain/devices/thing-message.ts';

const HASH_PREFIX = 'thingwire:receipts:';
const ORDER_PREFIX = 'thingwire:receipts-at:';

/**
 * How many receipts are kept per device at most, the newest: a device sends again what got no answer, which is its last
 * few messages (what it has in flight), while a fleet at 10,000 messages a second would otherwise keep six million
 * receipts for the window.
 */
export const SHARED_RECEIPTS_PER_DEVICE = 32;

/** KEYS: hash, order. ARGV: msgId, value, at, cutoff, window ms, most kept. */
const REMEMBER = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[4], 'LIMIT', 0, 8)
local over = redis.call('ZCARD', KEYS[2]) - #old - tonumber(ARGV[6])
if over > 0 then old = redis.call('ZRANGE', KEYS[2], 0, #old + over - 1) end
if #old > 0 then
  redis.call('HDEL', KEYS[1], unpack(old))
  redis.call('ZREM', KEYS[2], unpack(old))
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 1`;

interface ReceiptCommands {
  twReceiptRemember(hash: string, order: string, msgId: string, value: string, at: number, cutoff: number, windowMs: number, most: number): Promise<number>;
}

export class SharedReceipts {
  readonly #redis: Redis & ReceiptCommands;
  readonly #windowMs: number;
  readonly #logger: { warn(fields: object, msg: string): void };
  #warnedAt = -Infinity;

  /** @param redis a connection this shares (not in subscriber mode); its owner connects and closes it. */
  constructor(redis: Redis, windowMs: number, logger: { warn(fields: object, msg: string): void }) {
    redis.defineCommand('twReceiptRemember', { numberOfKeys: 2, lua: REMEMBER });
    this.#redis = redis as Redis & ReceiptCommands;
    this.#windowMs = windowMs;
    this.#logger = logger;
  }

  /**
   * Records a final verdict for the other nodes; resolves once they can read it. A failure is logged (once a minute),
   * never thrown: the device is answered all the same.
   */
  remember(receipt: Receipt): Promise<void> {
    const device = `${receipt.productKey}/${receipt.deviceName}`;
    const value = `${receipt.fingerprint} ${receipt.code} ${receipt.at} ${receipt.reason ?? ''}`;
    return this.#redis.twReceiptRemember(HASH_PREFIX + device, ORDER_PREFIX + device, receipt.msgId, value, receipt.at, receipt.at - this.#windowMs, this.#windowMs, SHARED_RECEIPTS_PER_DEVICE)
      .then(() => undefined, (err: unknown) => this.#failed(err, 'writing a receipt'));
  }

  /** The device's receipts within the window, from every node; none when Redis does not answer. */
  async of(productKey: string, deviceName: string, now: number): Promise<Receipt[]> {
    let fields: Record<string, string>;
    try {
      fields = await this.#redis.hgetall(`${HASH_PREFIX}${productKey}/${deviceName}`);
    } catch (err) {
      this.#failed(err, 'reading a device\'s receipts');
      return [];
    }
    const receipts: Receipt[] = [];
    for (const [msgId, value] of Object.entries(fields)) {
      const [fingerprint, code, at] = value.split(' ', 3).map(Number) as [number, number, number];
      if (!(at >= now - this.#windowMs)) continue;
      const reason = value.slice(value.indexOf(' ', value.indexOf(' ', value.indexOf(' ') + 1) + 1) + 1);
      receipts.push({ productKey, deviceName, msgId, fingerprint, code, reason: reason === '' ? null : reason, at });
    }
    return receipts;
  }

  /** A deleted device's receipts go (a new device of the same name starts afresh). */
  forget(productKey: string, deviceName: string): void {
    const device = `${productKey}/${deviceName}`;
    this.#redis.del(HASH_PREFIX + device, ORDER_PREFIX + device).catch((err: unknown) => this.#failed(err, 'deleting a device\'s receipts'));
  }

  #failed(err: unknown, what: string): void {
    const now = Date.now();
    if (now - this.#warnedAt < 60_000) return;
    this.#warnedAt = now;
    this.#logger.warn({ err: (err as Error).message, what }, 'shared receipts: redis did not answer; a repeat sent through another node may be processed again');
  }
}
