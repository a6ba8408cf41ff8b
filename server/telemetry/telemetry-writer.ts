import type { Logger } from 'pino';
import type { Receipt } from '../../domain/devices/thing-message.ts';
import type { TelemetryBackend, WriteResult } from './telemetry-store.ts';
import type { EventRow, PropertyRow, SkippedItem, WriteCallback } from '../../domain/telemetry/telemetry-rows.ts';

export interface TelemetryWriterOptions {
  backend: Pick<TelemetryBackend, 'writeBatch'>;
  /** Told when the queue passes the high-water mark and when it falls back under the low-water mark. */
  pressure?: (busy: boolean, reason: string) => void;
  logger?: Logger;
  /** Rows (property rows + events) queued at most; a submit beyond it is refused. Default 50,000. */
  maxQueuedRows?: number;
  /** Busy from this share of `maxQueuedRows` (default 0.5) until the queue is back under `lowWater` (default 0.25). */
  highWater?: number;
  lowWater?: number;
  /** Rows per transaction at most; default 5,000. */
  maxBatchRows?: number;
  /**
   * Least time between the starts of two commits; default 5 ms. A message arriving after a quiet spell is committed
   * at once (after the current turn of the event loop); under load, messages wait for the interval to pass and share
   * a commit. A commit costs about the same for one row as for a hundred, so the wait buys throughput where there is
   * load and costs nothing where there is none.
   */
  lingerMs?: number;
  /** Attempts of a failing batch before its messages are failed; default 4 (waits 100, 500, 2000 ms between). */
  attempts?: number;
  /** Told of every commit: its duration, and the age of each row (commit time − the row's time), for /metrics. */
  observe?: CommitObserver;
}

export interface CommitObserver {
  commitSeconds(seconds: number): void;
  /** Milliseconds from a row's time (the device's, else the receive time) to the commit that stored it. */
  rowAgeMs(ms: number): void;
}

interface Pending {
  properties: PropertyRow[];
  events: EventRow[];
  rows: number;
  done: WriteCallback;
  receipt: Receipt | undefined;
}

export interface TelemetryWriterStats {
  queuedRows: number;
  queuedMessages: number;
  busy: boolean;
  batches: number;
  rowsWritten: number;
  eventsWritten: number;
  /** Values and events a backend skipped, by reason. */
  skipped: Record<string, number>;
  /** Messages refused because the queue was full. */
  refused: number;
  /** Messages whose batch failed every attempt. */
  failed: number;
}

const RETRY_WAITS_MS = [100, 500, 2000];

/**
 * The group commit in front of a telemetry backend: messages are queued, and one transaction writes everything
 * queued (up to `maxBatchRows`), at most once per `lingerMs`, or at once when enough rows are waiting. Each
 * message's callback runs after the commit that holds it, which is when the device may be told 200.
 *
 * The queue is bounded: past the high-water mark `pressure(true)` closes the ingress gate (devices are slowed, not
 * dropped); at `maxQueuedRows` {@link submit} refuses. A batch that fails is retried (the database may be busy or,
 * for TDengine, briefly unreachable) before its messages are failed.
 */
export class TelemetryWriter {
  #queue: Pending[] = [];
  #queuedRows = 0;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #lastCommitAt = -Infinity;
  #flushing: Promise<void> | undefined;
  #busy = false;
  #closed = false;
  readonly #stats = { batches: 0, rowsWritten: 0, eventsWritten: 0, refused: 0, failed: 0, skipped: {} as Record<string, number> };
  readonly #maxQueued: number;
  readonly #high: number;
  readonly #low: number;
  readonly #maxBatch: number;
  readonly #linger: number;
  readonly #attempts: number;

  constructor(private readonly options: TelemetryWriterOptions) {
    this.#maxQueued = options.maxQueuedRows ?? 50_000;
    this.#high = Math.max(1, Math.floor(this.#maxQueued * (options.highWater ?? 0.5)));
    this.#low = Math.floor(this.#maxQueued * (options.lowWater ?? 0.25));
    this.#maxBatch = options.maxBatchRows ?? 5_000;
    this.#linger = options.lingerMs ?? 5;
    this.#attempts = Math.max(1, options.attempts ?? 4);
  }

  /**
   * Queues one message's rows; `done` runs after the commit holding them. Returns false, without calling `done`,
   * when the queue is full or the writer is closed: the caller answers the device (503) and nothing was taken.
   */
  submit(properties: PropertyRow[], events: EventRow[], done: WriteCallback, receipt?: Receipt): boolean {
    const rows = properties.length + events.length;
    if (this.#closed || (this.#queuedRows + rows > this.#maxQueued && this.#queuedRows > 0)) {
      this.#stats.refused++;
      return false;
    }
    if (rows === 0) {
      done(null, []);
      return true;
    }
    this.#queue.push({ properties, events, rows, done, receipt });
    this.#queuedRows += rows;
    if (!this.#busy && this.#queuedRows >= this.#high) this.#setBusy(true);
    this.#schedule();
    return true;
  }

  /** Writes everything queued now; resolves when the queue is empty. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#flushing) {
      if (this.#timer) {
        clearTimeout(this.#timer);
        this.#timer = undefined;
      }
      await (this.#flushing ?? this.#startFlush());
    }
  }

  /** Refuses new messages and writes what is queued. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  get queuedRows(): number {
    return this.#queuedRows;
  }

  get idle(): boolean {
    return this.#queue.length === 0 && !this.#flushing;
  }

  stats(): TelemetryWriterStats {
    return { ...this.#stats, skipped: { ...this.#stats.skipped }, queuedRows: this.#queuedRows, queuedMessages: this.#queue.length, busy: this.#busy };
  }

  #schedule(): void {
    if (this.#flushing) return; // the running flush takes the queue next
    if (this.#queuedRows >= this.#maxBatch) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = undefined;
      void this.#startFlush();
    } else if (!this.#timer && !this.#immediate) {
      const fire = () => {
        this.#timer = undefined;
        this.#immediate = undefined;
        if (!this.#flushing && this.#queue.length > 0) void this.#startFlush();
      };
      // A quiet writer commits right after this turn of the event loop (the messages read from the sockets
      // together share it); a busy one at most once per `lingerMs`, so commits grow with the load instead of
      // multiplying.
      const wait = this.#lastCommitAt + this.#linger - performance.now();
      if (wait <= 0) this.#immediate = setImmediate(fire);
      else this.#timer = setTimeout(fire, wait);
    }
  }

  #startFlush(): Promise<void> {
    this.#flushing = this.#flushLoop().finally(() => {
      this.#flushing = undefined;
      // A message queued between the loop's last look and now would otherwise wait for the next submit.
      if (this.#queue.length > 0) this.#schedule();
    });
    return this.#flushing;
  }

  /** Commits batches while messages are queued: what arrived during a commit goes into the next one at once. */
  async #flushLoop(): Promise<void> {
    while (this.#queue.length > 0) {
      const taken = this.#take();
      await this.#commit(taken);
    }
  }

  /** Takes whole messages from the head of the queue, up to `maxBatchRows` rows (at least one message). */
  #take(): Pending[] {
    let rows = 0;
    let n = 0;
    while (n < this.#queue.length && (n === 0 || rows + this.#queue[n]!.rows <= this.#maxBatch)) rows += this.#queue[n++]!.rows;
    const taken = this.#queue.slice(0, n);
    this.#queue = this.#queue.slice(n);
    return taken;
  }

  async #commit(taken: Pending[]): Promise<void> {
    const properties: PropertyRow[] = [];
    const events: EventRow[] = [];
    const receipts: Receipt[] = [];
    let rows = 0;
    for (const p of taken) {
      for (const r of p.properties) properties.push(r);
      for (const e of p.events) events.push(e);
      if (p.receipt) receipts.push(p.receipt);
      rows += p.rows;
    }
    let result: WriteResult | undefined;
    let error: Error | undefined;
    for (let attempt = 1; attempt <= this.#attempts; attempt++) {
      const started = performance.now();
      this.#lastCommitAt = started;
      try {
        result = await this.options.backend.writeBatch({ properties, events, receipts });
        this.#observeCommit((performance.now() - started) / 1000, properties, events);
        break;
      } catch (err) {
        error = err as Error;
        if (attempt === this.#attempts) break;
        const wait = RETRY_WAITS_MS[Math.min(attempt - 1, RETRY_WAITS_MS.length - 1)]!;
        this.options.logger?.warn({ err, rows, attempt, retryInMs: wait }, 'telemetry batch failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
    this.#queuedRows -= rows;
    if (this.#busy && this.#queuedRows <= this.#low) this.#setBusy(false);

    if (!result) {
      this.#stats.failed += taken.length;
      this.options.logger?.error({ err: error, rows, messages: taken.length }, 'telemetry batch failed for good; its messages were not stored');
      for (const p of taken) this.#callback(p, error ?? new Error('telemetry write failed'), []);
      return;
    }
    this.#stats.batches++;
    this.#stats.rowsWritten += result.propertyRows;
    this.#stats.eventsWritten += result.events;
    for (const s of result.skipped) this.#stats.skipped[s.reason] = (this.#stats.skipped[s.reason] ?? 0) + 1;
    if (result.skipped.length === 0) {
      for (const p of taken) this.#callback(p, null, []);
      return;
    }
    // Rare: hand each message the skips that are its own (same device and time as one of its rows).
    for (const p of taken) {
      const own = result.skipped.filter((s) => [...p.properties, ...p.events].some(
        (r) => r.productKey === s.productKey && r.deviceName === s.deviceName && r.ts === s.ts,
      ));
      this.#callback(p, null, own);
    }
  }

  #observeCommit(seconds: number, properties: readonly PropertyRow[], events: readonly EventRow[]): void {
    const observe = this.options.observe;
    if (!observe) return;
    observe.commitSeconds(seconds);
    const now = Date.now();
    for (const r of properties) observe.rowAgeMs(now - r.ts);
    for (const e of events) observe.rowAgeMs(now - e.ts);
  }

  #callback(p: Pending, err: Error | null, skipped: readonly SkippedItem[]): void {
    try {
      p.done(err, skipped);
    } catch (e) {
      this.options.logger?.error({ err: e }, 'a telemetry write callback threw');
    }
  }

  #setBusy(busy: boolean): void {
    this.#busy = busy;
    this.options.pressure?.(busy, `telemetry queue ${busy ? 'above' : 'below'} ${busy ? this.#high : this.#low} rows`);
  }
}
