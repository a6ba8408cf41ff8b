// A worker thread's entry: TypeScript modules load here as they do in the main thread under `node --import tsx`
// (Node 20 does not carry the main thread's `--import` over to a worker's entry). `workerData.entry` is the URL of
// the TypeScript module to run; the rest of `workerData` is that module's.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
