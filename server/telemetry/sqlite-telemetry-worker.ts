/** The telemetry thread (see sqlite-telemetry-thread.ts): SQLite telemetry stores, answering the main thread's calls. */
import type { MigrationLogger } from '../db/migrate.ts';
import { serveCalls } from '../threads/serve-calls.ts';
import { SqliteTelemetry } from './sqlite-telemetry.ts';
import type { StoreMethod } from './sqlite-telemetry-thread.ts';

const stores = new Map<number, SqliteTelemetry>();

function storeOf(id: number): SqliteTelemetry {
  const store = stores.get(id);
  if (!store) throw new Error(`telemetry store ${id} is not open on this thread`);
  return store;
}

/** The logger a store is given: its records go to the main thread's logger for that store. */
function loggerFor(store: number): MigrationLogger {
  return { info: (fields, msg) => calls.log('info', { ...fields, store }, msg) };
}

const calls = serveCalls({
  open(store: number, file: string) {
    if (!stores.has(store)) stores.set(store, new SqliteTelemetry(file, loggerFor(store)));
  },
  call(store: number, method: StoreMethod, ...args: unknown[]) {
    const target = storeOf(store);
    if (method === 'close') stores.delete(store);
    return (target[method] as (...a: unknown[]) => unknown).call(target, ...args);
  },
});
