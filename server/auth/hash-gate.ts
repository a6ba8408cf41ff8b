import os from 'node:os';
import { ApiError } from '../errors.ts';

export interface HashGateOptions {
  /**
   * Hashes computed at once. Default: 2, or 1 on a single core. Each default hash holds 128 MiB and a libuv worker
   * thread (4 by default, shared with file and DNS work), so more at once buys little and risks memory and stalls.
   */
  concurrency?: number;
  /**
   * Attempts that may wait for a turn (default 32: at half a second a hash, two at a time, the last waits ~8 s, about
   * what a person waits before pressing again). Beyond that: 503 `sign_in_busy`.
   */
  maxQueued?: number;
  /** What a refused caller is told to wait, in seconds (`Retry-After`). */
  busyRetryAfterSeconds?: number;
  /** Told when an attempt waits, starts or is turned away: for tests and metrics. */
  observe?: (event: HashGateEvent) => void;
}

/** What happened to one attempt at the gate; `label` is what the caller named it (a username). */
export type HashGateEvent =
  /** It waits; `ahead` attempts will start before it unless more urgent ones arrive. */
  | { type: 'queued'; label: string; urgent: boolean; ahead: number; waiting: number }
  | { type: 'started'; label: string; urgent: boolean }
  /** Turned away with 503, without hashing: the queue was full, or it was the newest suspect and made room. */
  | { type: 'refused'; label: string; urgent: boolean };

interface Waiter {
  label: string;
  urgent: boolean;
  start: () => void;
  refuse: (err: ApiError) => void;
}

/**
 * A bound on concurrent password hashes, so a flood of guesses cannot take all memory and CPU. Attempts beyond the
 * bound wait in a bounded queue, where urgent attempts (no recent failures for their account or address: most likely
 * a person with the right password) go before suspect ones; when the queue is full a suspect waiter makes room for an
 * urgent one, and otherwise the newcomer is refused.
 */
export class HashGate {
  readonly #concurrency: number;
  readonly #maxQueued: number;
  readonly #busyRetryAfterSeconds: number;
  readonly #observe: (event: HashGateEvent) => void;
  readonly #urgent: Waiter[] = [];
  readonly #suspect: Waiter[] = [];
  #running = 0;

  constructor(options: HashGateOptions = {}) {
    this.#concurrency = options.concurrency ?? Math.min(2, os.availableParallelism());
    this.#maxQueued = options.maxQueued ?? 32;
    this.#busyRetryAfterSeconds = options.busyRetryAfterSeconds ?? 5;
    this.#observe = options.observe ?? (() => {});
  }

  /** Hashes running and attempts waiting. */
  get stats(): { running: number; waiting: number } {
    return { running: this.#running, waiting: this.#urgent.length + this.#suspect.length };
  }

  /**
   * Runs `task` when a turn comes, or rejects at once with 503 `sign_in_busy` (and `details.retryAfterSeconds`)
   * without running it when too many wait.
   */
  async run<T>(task: () => Promise<T>, ticket: { urgent: boolean; label?: string }): Promise<T> {
    const label = ticket.label ?? '';
    if (this.#running >= this.#concurrency) await this.#wait(label, ticket.urgent);
    else {
      this.#running += 1;
      this.#observe({ type: 'started', label, urgent: ticket.urgent });
    }
    try {
      return await task();
    } finally {
      this.#next();
    }
  }

  #wait(label: string, urgent: boolean): Promise<void> {
    if (this.stats.waiting >= this.#maxQueued) {
      const evicted = urgent ? this.#suspect.pop() : undefined;
      if (!evicted) {
        this.#observe({ type: 'refused', label, urgent });
        throw this.#busy();
      }
      this.#observe({ type: 'refused', label: evicted.label, urgent: false });
      evicted.refuse(this.#busy());
    }
    return new Promise<void>((start, refuse) => {
      const waiter = { label, urgent, start, refuse };
      if (urgent) this.#urgent.push(waiter);
      else this.#suspect.push(waiter);
      const ahead = urgent ? this.#urgent.length - 1 : this.stats.waiting - 1;
      this.#observe({ type: 'queued', label, urgent, ahead, waiting: this.stats.waiting });
    });
  }

  /** Hands the finished task's turn straight to the next waiter, so no newcomer can slip in between. */
  #next(): void {
    const waiter = this.#urgent.shift() ?? this.#suspect.shift();
    if (!waiter) {
      this.#running -= 1;
      return;
    }
    this.#observe({ type: 'started', label: waiter.label, urgent: waiter.urgent });
    waiter.start();
  }

  #busy(): ApiError {
    const seconds = this.#busyRetryAfterSeconds;
    return new ApiError(503, 'sign_in_busy', `The server is busy checking other sign-ins. Try again in ${seconds} seconds.`, {
      retryAfterSeconds: seconds,
    });
  }
}
