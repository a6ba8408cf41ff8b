/**
 * Calls into a worker thread: a module there answers named methods (`serveCalls` in serve-calls.ts), the main thread
 * awaits them (`RpcThread.call`). What crosses is structured-cloned (see rpc-wire.ts for errors).
 */
import { Worker } from 'node:worker_threads';
import { fromWire, type Call, type Reply, type ThreadLog } from './rpc-wire.ts';
import { bundle } from './bundle.mjs';

export interface RpcThreadOptions {
  /** The URL of the TypeScript module the thread runs; it calls {@link serveCalls}. */
  entry: URL;
  /** Called with each log record the thread sends. */
  log?: (record: ThreadLog) => void;
  /** The thread ended while calls were pending or before {@link RpcThread.close}: they have been failed. */
  exited?: (err: Error) => void;
}

/**
 * One worker thread and the calls waiting on it, started from the bundle of its module (bundle.mjs). The thread
 * keeps the process alive only while a call is pending: an idle one never holds up an exit.
 */
export class RpcThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  #nextId = 1;
  #ended: Error | undefined;
  #closing = false;

  /** Starts a thread running `options.entry`, bundling it first if its bundle is missing or out of date. */
  static async start(options: RpcThreadOptions): Promise<RpcThread> {
    return new RpcThread(await bundle(options.entry), options);
  }

  private constructor(bundle: URL, options: RpcThreadOptions) {
    this.#worker = new Worker(bundle, { execArgv: [] });
    this.#worker.unref();
    this.#worker.on('message', (message: Reply | ThreadLog) => {
      if ('log' in message) {
        options.log?.(message);
        return;
      }
      const call = this.#pending.get(message.id);
      if (!call) return;
      this.#pending.delete(message.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if ('error' in message) call.reject(fromWire(message.error));
      else call.resolve(message.value);
    });
    const end = (err: Error) => {
      if (this.#ended) return;
      this.#ended = err;
      for (const call of this.#pending.values()) call.reject(err);
      this.#pending.clear();
      if (!this.#closing) options.exited?.(err);
    };
    this.#worker.on('error', (err) => end(err));
    this.#worker.on('exit', (code) => end(new Error(`the worker thread exited (code ${code})`)));
  }

  /** False once the thread has ended (crashed or closed): make a new one. */
  get alive(): boolean {
    return this.#ended === undefined;
  }

  call<T>(method: string, ...args: unknown[]): Promise<T> {
    if (this.#ended) return Promise.reject(this.#ended);
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#worker.postMessage({ id, method, args } satisfies Call);
    });
  }

  /** Ends the thread; calls still pending fail. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#worker.terminate();
  }
}
