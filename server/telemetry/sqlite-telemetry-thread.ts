/**
 * The SQLite telemetry backend on a thread of its own, so its transactions (the commit is most of a stored message's
 * database cost) run on the second core instead of the event loop that serves devices. Same file, same SQL, same
 * contract (`runTelemetryContract`) as {@link SqliteTelemetry} in-process: each call is handed to the thread and
 * answered when it is done there, so `writeBatch` still resolves after the commit, and the device is answered after.
 *
 * One thread per process serves every store opened in it. Should the thread die, the calls waiting on it fail (the
 * telemetry writer retries a failed batch) and the next call starts a new thread, reopening the store and its
 * products' schemas there.
 */
import type { Logger } from 'pino';
import type { Receipt } from '../../domain/devices/thing-message.ts';
import type { EpochMs } from '../../domain/telemetry/telemetry-rows.ts';
import type { TslDocument } from '../../domain/thing-model/tsl-types.ts';
import { RpcThread } from '../threads/rpc-thread.ts';
import type { Bucket, BucketQuery, EventQuery, HistoryPoint, HistoryQuery, LatestValue, StoredEvent, TelemetryBackend, TelemetryBatch, WriteResult } from './telemetry-store.ts';

/** The backend methods the thread answers, by the store they are for. */
export type StoreMethod = keyof TelemetryBackend;

let shared: RpcThread | undefined;
let starting: Promise<RpcThread> | undefined;
const loggers = new Map<number, Logger | undefined>();
let nextStore = 1;

/** The process's telemetry thread, started (again, after it ended) when needed. */
function thread(): Promise<RpcThread> {
  if (shared?.alive) return Promise.resolve(shared);
  starting ??= RpcThread.start({
    entry: new URL('./sqlite-telemetry-worker.ts', import.meta.url),
    log: ({ log, fields, msg }) => {
      const { store, ...rest } = fields;
      loggers.get(store as number)?.[log](rest, msg);
    },
    exited: (err) => {
      for (const logger of loggers.values()) logger?.error({ err }, 'the telemetry thread ended; it is started again at the next write');
    },
  }).then((started) => (shared = started)).finally(() => {
    starting = undefined;
  });
  return starting;
}

/** The process's telemetry thread, for a test that ends it as a crash would. */
export function telemetryThreadForTests(): RpcThread | undefined {
  return shared;
}

export class SqliteTelemetryThread implements TelemetryBackend {
  readonly #store = nextStore++;
  readonly #file: string;
  /** The thread the store is open on; once it has ended, the store is opened again on a new one. */
  #openOn: RpcThread | undefined;
  #opening: Promise<void> | undefined;
  /** The last thing model ensured per product, to ensure again on a new thread. */
  readonly #ensured = new Map<string, { version: number; tsl: TslDocument }>();
  #closed = false;

  private constructor(file: string, logger: Logger | undefined) {
    this.#file = file;
    loggers.set(this.#store, logger);
  }

  /** Opens (creating and migrating if needed) the telemetry database at `file` on the telemetry thread. */
  static async open(file: string, logger?: Logger): Promise<SqliteTelemetryThread> {
    const store = new SqliteTelemetryThread(file, logger);
    try {
      await store.#ready();
    } catch (err) {
      loggers.delete(store.#store);
      throw err;
    }
    return store;
  }

  async ensureSchema(productKey: string, version: number, tsl: TslDocument): Promise<void> {
    await this.#call('ensureSchema', productKey, version, tsl);
    this.#ensured.set(productKey, { version, tsl });
  }

  writeBatch(batch: TelemetryBatch): Promise<WriteResult> {
    return this.#call('writeBatch', batch);
  }

  recentReceipts(since: EpochMs): Promise<Receipt[]> {
    return this.#call('recentReceipts', since);
  }

  latest(productKey: string, deviceName: string): Promise<Record<string, LatestValue>> {
    return this.#call('latest', productKey, deviceName);
  }

  history(query: HistoryQuery): Promise<HistoryPoint[]> {
    return this.#call('history', query);
  }

  historyBuckets(query: BucketQuery): Promise<Bucket[]> {
    return this.#call('historyBuckets', query);
  }

  events(query: EventQuery): Promise<StoredEvent[]> {
    return this.#call('events', query);
  }

  deleteBefore(productKey: string, before: EpochMs): Promise<number> {
    return this.#call('deleteBefore', productKey, before);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (this.#openOn?.alive) await this.#openOn.call('call', this.#store, 'close');
    } finally {
      loggers.delete(this.#store);
    }
  }

  async #call<T>(method: StoreMethod, ...args: unknown[]): Promise<T> {
    if (this.#closed) throw new Error('the telemetry store is closed');
    if (!this.#openOn?.alive) await this.#ready();
    return this.#openOn!.call<T>('call', this.#store, method, ...args);
  }

  /** Opens the store on the current thread (a new one if the last ended), with the schemas it had. */
  #ready(): Promise<void> {
    this.#opening ??= (async () => {
      const on = await thread();
      await on.call('open', this.#store, this.#file);
      for (const [productKey, { version, tsl }] of this.#ensured) await on.call('call', this.#store, 'ensureSchema', productKey, version, tsl);
      this.#openOn = on;
    })().finally(() => {
      this.#opening = undefined;
    });
    return this.#opening;
  }
}
