/**
 * This process as one node of a cluster (`--cluster`): what it shares with the others over Redis (the registry's
 * events and other shared changes, its liveness, commands to devices it holds) and whether it is the leader, chosen by
 * a PostgreSQL advisory lock. The composition root (app.ts) builds it once the stores exist and hands the leadership
 * to the singleton work.
 */
import type { Logger } from 'pino';
import { ClusterBus, type ClusterBusOptions } from './cluster-bus.ts';
import { LeaderElection } from './leader-election.ts';
import { NodeLiveness } from './node-liveness.ts';
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
  commands: Omit<RemoteCommandsOptions, 'nodeId' | 'logger'>;
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
  ) {}

  /** Connects to Redis and PostgreSQL; rejects (having let go of what it opened) when either cannot be reached. */
  static async start(options: ClusterNodeOptions): Promise<ClusterNode> {
    const logger = options.logger.child({ subsystem: 'cluster', node: options.nodeId });
    const opened: { close(): Promise<void> }[] = [];
    try {
      const bus = await ClusterBus.connect(options.redisUrl, { nodeId: options.nodeId, registry: options.registry, load: options.reload, logger });
      opened.push(bus);
      const liveness = await NodeLiveness.start(options.redisUrl, { nodeId: options.nodeId, logger, ...(options.livenessTtlMs ? { ttlMs: options.livenessTtlMs } : {}) });
      opened.push(liveness);
      const commands = await RemoteCommands.start(options.redisUrl, { nodeId: options.nodeId, logger, ...options.commands });
      opened.push(commands);
      const leader = new LeaderElection(options.postgresUrl, {
        key: LEADER_LOCK, nodeId: options.nodeId, logger, ...(options.leaderCheckMs ? { checkMs: options.leaderCheckMs } : {}),
      });
      await leader.start();
      logger.info({ leading: leader.leading }, 'joined the cluster');
      return new ClusterNode(options.nodeId, bus, liveness, leader, commands);
    } catch (err) {
      await Promise.allSettled(opened.map((o) => o.close()));
      throw err;
    }
  }

  /** Leaves the cluster: gives up the leadership, says it is gone, stops following the others. */
  async close(): Promise<void> {
    await this.leader.stop();
    await this.commands.close();
    await this.liveness.close();
    await this.bus.close();
  }
}
