/** The worker thread's side of rpc-thread.ts. */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { toWire, type Call, type LogLevel, type Reply, type ThreadLog } from './rpc-wire.ts';

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
