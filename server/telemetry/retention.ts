import type { Logger } from 'pino';
import type { TelemetryBackend } from './telemetry-store.ts';
import type { EpochMs } from '../../domain/telemetry/telemetry-rows.ts';

const DAY_MS = 86_400_000;

/** How long one product's telemetry is kept; `null`, `0` or absent days: forever. */
export interface RetentionPolicy {
  productKey: string;
  days: number | null | undefined;
}

export interface RetentionOptions {
  backend: Pick<TelemetryBackend, 'deleteBefore'>;
  /** The products and their retention, asked afresh at each sweep so changed settings apply without a restart. */
  policies: () => Iterable<RetentionPolicy> | Promise<Iterable<RetentionPolicy>>;
  /**
   * Time between sweeps; default 6 hours. Retention is counted in days, and a SQLite sweep reads every row of each
   * product table (see SqliteTelemetry.deleteBefore), so sweeping often buys nothing.
   */
  intervalMs?: number;
  /** Delay of the first sweep after `start`, so startup is not slowed; default 1 minute. */
  firstSweepAfterMs?: number;
  logger?: Logger;
  now?: () => EpochMs;
}

/** What one sweep did. */
export interface SweepResult {
  startedAt: EpochMs;
  /** Product → property rows and events deleted. */
  deleted: Record<string, number>;
  /** Products whose delete failed, with the error; the other products were still swept. */
  failed: Record<string, string>;
}

/**
 * Deletes telemetry older than each product's retention, in the background. The timers are unref'd, so a sweeper
 * never keeps the process alive; `stop()` cancels the timer and waits for a sweep in progress.
 *
 * It is singleton work (cluster/singleton-work.ts): in a cluster only the leader sweeps the shared telemetry
 * database. Were two to sweep at once, nothing would break: deleting an already deleted range deletes nothing.
 */
export class RetentionSweeper {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<SweepResult> | undefined;
  #last: SweepResult | undefined;
  readonly #intervalMs: number;
  readonly #now: () => EpochMs;

  constructor(private readonly options: RetentionOptions) {
    this.#intervalMs = options.intervalMs ?? 6 * 3_600_000;
    this.#now = options.now ?? Date.now;
  }

  /** Schedules sweeps: the first after `firstSweepAfterMs`, then every `intervalMs`. */
  start(): void {
    if (this.#timer) return;
    const tick = () => {
      this.#timer = setTimeout(tick, this.#intervalMs).unref();
      void this.#sweepInBackground();
    };
    this.#timer = setTimeout(tick, this.options.firstSweepAfterMs ?? 60_000).unref();
  }

  /** Cancels the timer and waits for a sweep in progress; no sweep starts after it resolves. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** The last sweep's outcome, for status pages; undefined before the first. */
  get lastSweep(): SweepResult | undefined {
    return this.#last;
  }

  /**
   * One sweep now (a sweep already running is awaited instead of started twice). Each product is deleted on its
   * own: one failing does not stop the others, and is reported in the result.
   */
  sweep(): Promise<SweepResult> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #sweep(): Promise<SweepResult> {
    const startedAt = this.#now();
    const result: SweepResult = { startedAt, deleted: {}, failed: {} };
    for (const { productKey, days } of await this.options.policies()) {
      if (!days || !Number.isFinite(days) || days <= 0) continue;
      try {
        result.deleted[productKey] = await this.options.backend.deleteBefore(productKey, startedAt - days * DAY_MS);
      } catch (err) {
        result.failed[productKey] = (err as Error).message;
      }
    }
    this.#last = result;
    return result;
  }

  async #sweepInBackground(): Promise<void> {
    const log = this.options.logger;
    try {
      const result = await this.sweep();
      const deleted = Object.values(result.deleted).reduce((a, b) => a + b, 0);
      if (deleted > 0) log?.info({ deleted: result.deleted }, 'telemetry retention sweep');
      for (const [productKey, error] of Object.entries(result.failed)) {
        log?.error({ productKey, err: error }, 'telemetry retention failed for a product; will retry next sweep');
      }
    } catch (err) {
      // The policy callback itself failed: nothing was swept. Kept for `lastSweep` readers as well as logged.
      this.#last = { startedAt: this.#now(), deleted: {}, failed: { '*': (err as Error).message } };
      log?.error({ err }, 'telemetry retention sweep failed');
    }
  }
}
