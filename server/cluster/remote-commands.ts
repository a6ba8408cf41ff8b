/**
 * Commands to devices held by another node of a cluster: the API or a flow on node B sends a command to a device
 * connected to node A; B asks A over Redis pub/sub, A sends it through the device's session and waits for the
 * device's reply as it would for its own, and A's answer (the reply, or why there is none) comes back to B.
 *
 * Which node holds a device is its DevicePresence entry in Redis, written as its session opens. A node that does not
 * answer in the command's time (it died with the device) leaves the command to the asking node, which then queues it
 * or answers 503 as for any offline device. A command queued on one node for an offline device goes to the node the
 * device connects to (DeviceHub hands it over); one queued on a node that dies is lost with that node's memory.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { pubSubPair } from './cluster-bus.ts';
import type { CommandResult, ThingCommand } from '../../domain/devices/thing-message.ts';

const CHANNEL_PREFIX = 'thingwire:commands:';
/** Time on top of the command's own for the round trip between the nodes. */
const SLACK_MS = 2_000;

type Envelope =
  | { type: 'command'; id: string; from: string; command: ThingCommand }
  | { type: 'result'; id: string; result: CommandResult };

export interface RemoteCommandsOptions {
  nodeId: string;
  /** The node the device is online through, if any. */
  holderOf(productKey: string, deviceName: string): Promise<string | undefined>;
  /** Sends a command through this node's own session with the device (the hub's local delivery). */
  sendHere(command: ThingCommand): Promise<CommandResult>;
  /** The command's reply timeout when it names none (the hub's). */
  defaultTimeoutMs: number;
  logger: { warn(fields: object, msg: string): void; error(fields: object, msg: string): void };
}

export class RemoteCommands {
  readonly #options: RemoteCommandsOptions;
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #waiting = new Map<string, { resolve(result: CommandResult | undefined): void; timer: NodeJS.Timeout }>();
  readonly #serving = new Set<Promise<unknown>>();

  private constructor(url: string, options: RemoteCommandsOptions) {
    this.#options = options;
    [this.#publisher, this.#subscriber] = pubSubPair(url, `thingwire-${options.nodeId}-commands`, 'remote commands', options.logger);
  }

  static async start(url: string, options: RemoteCommandsOptions): Promise<RemoteCommands> {
    const remote = new RemoteCommands(url, options);
    try {
      await Promise.all([remote.#publisher.connect(), remote.#subscriber.connect()]);
      remote.#subscriber.on('message', (_channel: string, text: string) => remote.#received(text));
      await remote.#subscriber.subscribe(CHANNEL_PREFIX + options.nodeId);
    } catch (err) {
      remote.#publisher.disconnect();
      remote.#subscriber.disconnect();
      throw err;
    }
    return remote;
  }

  /** The node holding the device, if any (this one included). */
  holderOf(productKey: string, deviceName: string): Promise<string | undefined> {
    return this.#options.holderOf(productKey, deviceName);
  }

  /**
   * Sends the command through the node that holds the device; undefined when no other node does (or the one that
   * did never answered), for the caller to handle it here.
   */
  async send(command: ThingCommand): Promise<CommandResult | undefined> {
    const holder = await this.#options.holderOf(command.productKey, command.deviceName).catch(() => undefined);
    if (holder === undefined || holder === this.#options.nodeId) return undefined;
    const id = randomUUID();
    const waitMs = (command.timeoutMs ?? this.#options.defaultTimeoutMs) + SLACK_MS;
    const answered = new Promise<CommandResult | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        this.#options.logger.warn({ node: holder, productKey: command.productKey, deviceName: command.deviceName }, 'the node holding the device did not answer a command');
        resolve(undefined);
      }, waitMs);
      this.#waiting.set(id, { resolve, timer });
    });
    const envelope: Envelope = { type: 'command', id, from: this.#options.nodeId, command };
    const receivers = await this.#publisher.publish(CHANNEL_PREFIX + holder, JSON.stringify(envelope)).catch(() => 0);
    if (receivers === 0) this.#settle(id, undefined);
    return answered;
  }

  #received(text: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      return;
    }
    if (envelope.type === 'result') return this.#settle(envelope.id, envelope.result);
    if (envelope.type !== 'command') return;
    const serving = this.#options.sendHere(envelope.command)
      .catch((err: unknown): CommandResult => {
        this.#options.logger.error({ err }, 'a command from another node failed here');
        return { id: envelope.id, code: 500, message: 'the command failed on the node holding the device' };
      })
      .then((result) => {
        const answer: Envelope = { type: 'result', id: envelope.id, result };
        return this.#publisher.publish(CHANNEL_PREFIX + envelope.from, JSON.stringify(answer));
      })
      .catch((err: unknown) => this.#options.logger.error({ err }, 'answering a command from another node failed'))
      .finally(() => this.#serving.delete(serving));
    this.#serving.add(serving);
  }

  #settle(id: string, result: CommandResult | undefined): void {
    const waiting = this.#waiting.get(id);
    if (!waiting) return;
    this.#waiting.delete(id);
    clearTimeout(waiting.timer);
    waiting.resolve(result);
  }

  async close(): Promise<void> {
    for (const id of [...this.#waiting.keys()]) this.#settle(id, undefined);
    await Promise.allSettled([...this.#serving]);
    await Promise.allSettled([this.#subscriber.quit(), this.#publisher.quit()]);
  }
}
