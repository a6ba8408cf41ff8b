/**
 * Which node of a cluster runs the singleton work (alert timers, the notify outbox, OTA dispatch, retention): the one
 * holding a PostgreSQL advisory lock. PostgreSQL ties the lock to one connection's session, so it is released the
 * moment that node dies or loses its connection, and another node's next try takes it. No clock, no lease table.
 *
 * A node checks its connection every `checkMs`: a check that fails or takes longer than that steps it down at once,
 * before PostgreSQL has even noticed, so two nodes never both believe they lead for longer than one check. A leader
 * that lost its connection sits out a few checks (`rejoinChecks`) before it tries again: the others, whose connections
 * work, take over, instead of the node with the bad connection racing them back to the lock it just dropped.
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';

/** How many checks a leader that lost its connection waits before it tries for the lock again. */
export const REJOIN_CHECKS = 5;
/** How many checks' time a check of the lock may take before the connection counts as lost. */
const ANSWER_CHECKS = 3;

export interface LeaderElectionOptions {
  /** The advisory lock's key: one per kind of singleton work, the same on every node. */
  key: number;
  /** Shown in `pg_stat_activity.application_name`, so an operator sees who holds the lock. */
  nodeId: string;
  /** How often a follower tries to take the lock and a leader checks it still holds its connection (ms). */
  checkMs?: number;
  /** How many checks a leader that lost its connection sits out before it tries again; {@link REJOIN_CHECKS} by default. */
  rejoinChecks?: number;
  logger?: { info(fields: object, msg: string): void; warn(fields: object, msg: string): void };
}

interface Events {
  /** `true` when this node became the leader, `false` when it stopped being it. */
  change: [leading: boolean];
}

export class LeaderElection extends EventEmitter<Events> {
  readonly #url: string;
  readonly #options: Required<Omit<LeaderElectionOptions, 'logger'>> & Pick<LeaderElectionOptions, 'logger'>;
  #client: pg.Client | undefined;
  #leading = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #round: Promise<void> = Promise.resolve();
  /** Set when leadership was lost with the connection: no try for the lock before this time (ms since the epoch). */
  #rejoinAt = 0;

  constructor(url: string, options: LeaderElectionOptions) {
    super();
    this.#url = url;
    this.#options = { checkMs: 1000, rejoinChecks: REJOIN_CHECKS, ...options };
  }

  get nodeId(): string {
    return this.#options.nodeId;
  }

  get leading(): boolean {
    return this.#leading;
  }

  /** Starts trying; resolves after the first try (leading or not). */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.#tick();
  }

  /** Gives the lock up (a follower takes it at its next try) and stops trying. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#round;
    this.#set(false);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  #set(leading: boolean): void {
    if (leading === this.#leading) return;
    this.#leading = leading;
    this.#options.logger?.info({ node: this.#options.nodeId, key: this.#options.key }, leading ? 'became the leader' : 'no longer the leader');
    this.emit('change', leading);
  }

  /** Steps down after the connection failed; a leader then sits out a few checks so that a healthy node takes over. */
  #lost(reason: string): void {
    if (this.#leading) {
      this.#options.logger?.warn({ node: this.#options.nodeId, err: reason }, 'lost the connection holding the leadership');
      this.#rejoinAt = Date.now() + this.#options.checkMs * this.#options.rejoinChecks;
    }
    this.#set(false);
  }

  #tick(): Promise<void> {
    this.#round = this.#try().finally(() => {
      if (!this.#stopped) this.#timer = setTimeout(() => void this.#tick(), this.#options.checkMs);
    });
    return this.#round;
  }

  async #try(): Promise<void> {
    if (!this.#leading && Date.now() < this.#rejoinAt) return;
    try {
      const client = this.#client ?? (await this.#connect());
      const query = this.#leading
        ? client.query('SELECT 1')
        : client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1) AS got', [this.#options.key]);
      // A few checks' time to answer: a busy node (or database) answering late has not lost its lock, and stepping
      // down for that would hand the work back and forth.
      const result = await withTimeout(query, this.#options.checkMs * ANSWER_CHECKS);
      if (!this.#leading && (result.rows[0] as { got?: boolean } | undefined)?.got === true) this.#set(true);
    } catch (err) {
      // The connection is gone or too slow: whatever lock it held is as good as lost. Start over with a new one.
      this.#lost((err as Error).message);
      const client = this.#client;
      this.#client = undefined;
      client?.end().catch(() => undefined);
    }
  }

  async #connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.#url, application_name: `thingwire ${this.#options.nodeId} leader`, keepAlive: true });
    // A broken connection is found by the next check; without a listener its error would crash the process.
    client.on('error', () => undefined);
    client.on('end', () => {
      if (this.#client === client) {
        this.#client = undefined;
        this.#lost('the connection ended');
      }
    });
    try {
      await withTimeout(client.connect(), this.#options.checkMs * 5);
    } catch (err) {
      client.end().catch(() => undefined);
      throw err;
    }
    this.#client = client;
    return client;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from PostgreSQL within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
