/**
 * Calls into a worker thread: a module there answers named methods (`serveCalls`), the main thread awaits them
 * (`RpcThread.call`). What crosses is structured-cloned; errors keep their message and, for an {@link ApiError},
 * status, code and details, so an API answer built from a thread's refusal is the one the same code gives in-process.
 */
import { parentPort, Worker, type MessagePort } from 'node:worker_threads';
import { ApiError } from '../errors.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

interface Call {
  id: number;
  method: string;
  args: unknown[];
}

type WireError = { message: string; name: string; stack?: string; api?: { status: number; code: string; details?: unknown } };

type Reply = { id: number; value: unknown } | { id: number; error: WireError };

/** A log record the thread hands to the main thread's logger. */
export interface ThreadLog {
  log: LogLevel;
  fields: Record<string, unknown>;
  msg: string;
}

function toWire(err: unknown): WireError {
  if (err instanceof ApiError) return { name: err.name, message: err.message, stack: err.stack, api: { status: err.status, code: err.code, details: err.details } };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

function fromWire(wire: WireError): Error {
  const err = wire.api ? new ApiError(wire.api.status, wire.api.code, wire.message, wire.api.details) : new Error(wire.message);
  if (!wire.api) err.name = wire.name;
  // The thread's stack says where it failed; the caller's await adds nothing a reader needs.
  if (wire.stack) err.stack = wire.stack;
  return err;
}

const BOOT = new URL('./ts-worker.mjs', import.meta.url);

export interface RpcThreadOptions {
  /** The URL of the TypeScript module the thread runs; it calls {@link serveCalls}. */
  entry: URL;
  /** What the module reads from `workerData` (besides `entry`). */
  data?: Record<string, unknown>;
  /** Called with each log record the thread sends. */
  log?: (record: ThreadLog) => void;
  /** The thread ended while calls were pending or before {@link RpcThread.close}: they have been failed. */
  exited?: (err: Error) => void;
}

/**
 * One worker thread and the calls waiting on it. The thread keeps the process alive only while a call is pending:
 * an idle one never holds up an exit.
 */
export class RpcThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  #nextId = 1;
  #ended: Error | undefined;
  #closing = false;

  constructor(options: RpcThreadOptions) {
    this.#worker = new Worker(BOOT, { workerData: { ...options.data, entry: options.entry.href }, execArgv: [] });
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

/**
 * In the thread: answers the main thread's calls with `methods`, one at a time in the order they came (a method that
 * awaits lets the next call start, as an async method in the main thread would). Answers `log` for the module's logger.
 */
export function serveCalls(methods: Record<string, (...args: never[]) => unknown>): { log: (level: LogLevel, fields: Record<string, unknown>, msg: string) => void } {
  const port = parentPort as MessagePort | null;
  if (!port) throw new Error('serveCalls runs in a worker thread');
  port.on('message', (call: Call) => {
    const method = methods[call.method];
    const answer = async () => {
      if (!method) throw new Error(`the thread has no method "${call.method}"`);
      return method(...(call.args as never[]));
    };
    answer().then(
      (value) => port.postMessage({ id: call.id, value } satisfies Reply),
      (err: unknown) => port.postMessage({ id: call.id, error: toWire(err) } satisfies Reply),
    );
  });
  return { log: (level, fields, msg) => port.postMessage({ log: level, fields, msg } satisfies ThreadLog) };
}
