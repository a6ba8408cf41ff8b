/**
 * This process as one node of a cluster (`--cluster`): what it shares with the others over Redis (the registry's
 * events and other shared changes, its liveness, commands to devices it holds) and whether it is the leader, chosen by
 * a PostgreSQL advisory lock. The composition root (app.ts) builds it once the stores exist and hands the leadership
 * to the singleton work.
 */
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { DeviceRef } from '../../domain/devices/device-schemas.ts';
import { ClusterBus, redisConnection, type ClusterBusOptions } from './cluster-bus.ts';
import { DevicePresence } from './device-presence.ts';
import { LeaderElection } from './leader-election.ts';
import { NodeLiveness } from './node-liveness.ts';
import { RECEIPT_WINDOW_MS } from '../device-hub/uplink-receipts.ts';
import { SharedRateLimits } from './shared-rates.ts';
import { SharedReceipts } from './shared-receipts.ts';
import { RemoteCommands, type RemoteCommandsOptions } from './remote-commands.ts';

/** The advisory lock the leader holds; the same number on every node. */
export const LEADER_LOCK = 0x74770001;

export interface ClusterNodeOptions {
  nodeId: string;
  redisUrl: string;
  /** PostgreSQL, with its password in it: the leader's lock is held on a connection of its own. */
  postgresUrl: string;
  registry: ClusterBusOptions['registry'];
  /** What a node reconnected to Redis reloads (it may have missed changes). */
  reload(): Promise<void>;
  commands: Omit<RemoteCommandsOptions, 'nodeId' | 'logger' | 'holderOf'>;
  /** The devices this node holds: written to Redis again when the connection to it comes back. */
  held(): DeviceRef[];
  logger: Logger;
  /** Tests: how often the leader's lock is tried and checked, and how long liveness lasts. */
  leaderCheckMs?: number;
  livenessTtlMs?: number;
}

export class ClusterNode {
  private constructor(
    readonly nodeId: string,
    readonly bus: ClusterBus,
    readonly liveness: NodeLiveness,
    readonly leader: LeaderElection,
    readonly commands: RemoteCommands,
    readonly presence: DevicePresence,
    readonly rates: SharedRateLimits,
    readonly receipts: SharedReceipts,
    readonly state: Redis,
  ) {}

  /** Connects to Redis and PostgreSQL; rejects (having let go of what it opened) when either cannot be reached. */
  static async start(options: ClusterNodeOptions): Promise<ClusterNode> {
    const logger = options.logger.child({ subsystem: 'cluster', node: options.nodeId });
    const opened: { close(): Promise<void> }[] = [];
    try {
      // Shared state (device presence, rate limits, receipts): one connection for their commands, pipelined.
      const state = redisConnection(options.redisUrl, `thingwire-${options.nodeId}-state`, 'cluster state', logger, { enableAutoPipelining: true });
      opened.push({ close: async () => void state.disconnect() });
      await state.connect();
      const presence = new DevicePresence(state, options.nodeId, logger);
      // Devices a killed process of this node held are held no more.
      await presence.forgetNode();
      // A reconnect (Redis restarted, maybe empty; devices that left meanwhile could not be removed): this node's
      // devices are written again, and only those.
      state.on('ready', () => {
        presence.forgetNode().then(() => presence.reassert(options.held()))
          .then((count) => logger.info({ devices: count }, 'cluster state: connected to redis again; this node\'s devices written again'))
          .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'cluster state: writing this node\'s devices again failed'));
      });
      const bus = await ClusterBus.connect(options.redisUrl, { nodeId: options.nodeId, registry: options.registry, load: options.reload, logger });
      opened.push(bus);
      const liveness = await NodeLiveness.start(options.redisUrl, { nodeId: options.nodeId, logger, ...(options.livenessTtlMs ? { ttlMs: options.livenessTtlMs } : {}) });
      opened.push(liveness);
      const commands = await RemoteCommands.start(options.redisUrl, {
        nodeId: options.nodeId, logger, ...options.commands, holderOf: (productKey, deviceName) => presence.holderOf(productKey, deviceName),
      });
      opened.push(commands);
      const leader = new LeaderElection(options.postgresUrl, {
        key: LEADER_LOCK, nodeId: options.nodeId, logger, ...(options.leaderCheckMs ? { checkMs: options.leaderCheckMs } : {}),
      });
      await leader.start();
      logger.info({ leading: leader.leading }, 'joined the cluster');
      const rates = new SharedRateLimits(state, logger);
      const receipts = new SharedReceipts(state, RECEIPT_WINDOW_MS, logger);
      return new ClusterNode(options.nodeId, bus, liveness, leader, commands, presence, rates, receipts, state);
    } catch (err) {
      await Promise.allSettled(opened.map((o) => o.close()));
      throw err;
    }
  }

  /** Leaves the cluster: gives up the leadership, says it is gone, stops following the others. */
  async close(): Promise<void> {
    await this.leader.stop();
    await this.presence.close();
    await this.commands.close();
    await this.liveness.close();
    await this.bus.close();
    await this.state.quit().catch(() => undefined);
  }
}
