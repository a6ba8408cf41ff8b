/**
 * Work that must run on one node of a cluster at a time (telemetry retention and OTA dispatch today; alert timers and
 * the notify outbox as their stores move to PostgreSQL): started when this node becomes the leader, stopped when it
 * no longer is, so a new leader takes it over when the old one dies. A single node always leads.
 */

/** Who may run the singleton work now: a LeaderElection (leader-election.ts), or {@link SOLE_NODE}. */
export interface Leadership {
  readonly leading: boolean;
  on(event: 'change', listener: (leading: boolean) => void): unknown;
  off(event: 'change', listener: (leading: boolean) => void): unknown;
}

/** A node that is the whole installation: it always leads, and that never changes. */
export const SOLE_NODE: Leadership = { leading: true, on: () => undefined, off: () => undefined };

/** One piece of singleton work: `stop` resolves once nothing of it runs any more. */
export interface Singleton {
  name: string;
  start(): void | Promise<void>;
  stop(): Promise<void>;
}

interface Logger {
  info(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

export class SingletonWork {
  readonly #leadership: Leadership;
  readonly #work: readonly Singleton[];
  readonly #logger: Logger;
  readonly #onChange = (leading: boolean) => this.#switch(leading);
  /** Starts and stops, one after another: a leadership that flips twice quickly ends as it last said. */
  #switching: Promise<void> = Promise.resolve();
  #running = false;
  #closed = false;

  constructor(leadership: Leadership, work: readonly Singleton[], logger: Logger) {
    this.#leadership = leadership;
    this.#work = work;
    this.#logger = logger;
    leadership.on('change', this.#onChange);
    if (leadership.leading) this.#switch(true);
  }

  /** Whether this node runs the work now. */
  get running(): boolean {
    return this.#running;
  }

  /** Resolves when the last start or stop asked for is done. */
  settled(): Promise<void> {
    return this.#switching;
  }

  /** Stops the work (if it runs here) and stops following the leadership. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#leadership.off('change', this.#onChange);
    this.#switch(false);
    await this.#switching;
  }

  #switch(leading: boolean): void {
    this.#switching = this.#switching.then(async () => {
      const run = leading && !this.#closed;
      if (run === this.#running) return;
      this.#running = run;
      for (const work of this.#work) {
        try {
          if (run) await work.start();
          else await work.stop();
        } catch (err) {
          this.#logger.error({ err, work: work.name }, run ? 'singleton work failed to start' : 'singleton work failed to stop');
        }
      }
      if (this.#leadership !== SOLE_NODE) {
        this.#logger.info({ work: this.#work.map((w) => w.name) }, run ? 'this node now runs the singleton work' : 'this node stopped running the singleton work');
      }
    });
  }
}
