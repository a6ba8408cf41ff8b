/**
 * What the benchmark's modes share: the processes it starts (Thingwire, load workers) and kills when it ends, and
 * small helpers. Everything listens and connects on loopback only.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { ensureUiBuilt } from '../server/http/ui-build.ts';
import { createLogger } from '../server/logger.ts';
import { freePort, freeUdpPort } from '../server/testing/mqtt-devices.ts';
import type { BenchDevice, WorkerCommand } from './load-worker.ts';
import type { AllocationProfile, CpuProfile } from './profile-summary.ts';

export const root = path.resolve(import.meta.dirname, '..');

/** A wrong option: said in one line, without a stack. */
export class UsageError extends Error {}

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}


export const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** A Thingwire process started by the bench, signed in as its admin. */
export interface BenchThingwire {
  child: ChildProcess;
  base: string;
  mqttUrl: string;
  /** The UDP port of the CoAP listener of the shipped pipeline. */
  coapPort: number;
  token: string;
  /** The end of what it wrote to stderr (warnings and errors: it runs with --log-level warn). */
  stderr(): string;
  /** Its inspector's WebSocket address (started with `inspect`), for {@link inspectorSession}. */
  inspectorUrl(): string | undefined;
  /** A full garbage collection in Thingwire now (started with `inspect`: through its inspector on loopback). */
  collectGarbage(): Promise<void>;
  /**
   * Starts V8's sampling CPU profiler and its sampling allocation profiler in Thingwire (started with `inspect`);
   * `stop` returns both profiles of the time between (allocations including what was collected since).
   */
  startProfiler(): Promise<{ stop(): Promise<{ cpu: CpuProfile; allocations: AllocationProfile }> }>;
  /**
   * Starts sampling allocations in Thingwire (started with `inspect`); `stop` collects the garbage and returns where
   * what is still alive was allocated: what a phase left held (idle connections, say).
   */
  sampleRetained(): Promise<{ stop(): Promise<AllocationProfile> }>;
  stop(): Promise<void>;
}

/**
 * Thingwire as `npm start` runs it, from `dataDir`, on free loopback ports; `cpuProf` writes a V8 profile at exit;
 * `inspect` opens its inspector on a loopback port, for {@link BenchThingwire.collectGarbage}.
 */
export async function startThingwire(
  o: { cpuProf: boolean; storage: 'sqlite' | 'tdengine'; inspect?: boolean; /** More flags (a cluster node's). */ args?: string[] }, dataDir: string,
): Promise<BenchThingwire> {
  // Built here when stale, not by Thingwire at its start: a Vite build in the measured process left it ~550 MB larger
  // than a start on a fresh build (754 against 190 MB idle, measured), which every RSS figure would carry.
  await ensureUiBuilt(createLogger('warn'));
  const [httpPort, mqttPort, coapPort] = [await freePort(), await freePort(), await freeUdpPort()];
  const password = `bench-${process.pid}-password`;
  const profDir = path.join(root, 'bench/results/profiles');
  if (o.cpuProf) fs.mkdirSync(profDir, { recursive: true });
  // Through tsx, not `npm start`'s bundle: the same code once started, but each function keeps its own file in the
  // CPU and heap profiles, which `--profile` sums up by where the code lives.
  const child = spawn(process.execPath, [
    ...(o.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []), ...(o.inspect ? ['--inspect=127.0.0.1:0'] : []), '--import', 'tsx', 'server/main.ts',
    '--port', String(httpPort), '--host', '127.0.0.1', '--mqtt-port', String(mqttPort), '--coap-port', String(coapPort), '--data-dir', dataDir, '--log-level', 'warn',
    ...(o.args ?? []),
  ], {
    cwd: root, stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env, THINGWIRE_ADMIN_PASSWORD: password,
      ...(o.storage === 'tdengine' ? { THINGWIRE_TDENGINE_URL: process.env.TDENGINE_URL, THINGWIRE_TDENGINE_DATABASE: `bench_${process.pid}` } : {}),
    },
  });
  children.push(child);
  let stderr = '';
  let inspector: string | undefined;
  child.stderr!.on('data', (d: Buffer) => {
    // Node's own lines about the inspector are not Thingwire's warnings.
    const text = String(d).replace(/^(?:Debugger .*|For help, see: .*|Waiting for the debugger .*)\n/gm, (line) => {
      inspector ??= /^Debugger listening on (ws:\S+)/.exec(line)?.[1];
      return '';
    });
    stderr = (stderr + text).slice(-4000);
  });
  const base = `http://127.0.0.1:${httpPort}`;
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Thingwire exited (${child.exitCode}): ${stderr}`);
    if (Date.now() > until) throw new Error(`Thingwire did not start in 60 s: ${stderr}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // not yet
    }
    await sleep(100);
  }
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
  const token = ((await login.json()) as { token: string }).token;
  return {
    child, base, mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, coapPort, token, stderr: () => stderr,
    inspectorUrl: () => inspector,
    collectGarbage: async () => {
      const session = await inspectorSession(inspector);
      await session.call('HeapProfiler.collectGarbage').finally(() => session.close());
    },
    sampleRetained: async () => {
      const session = await inspectorSession(inspector);
      await session.call('HeapProfiler.startSampling', { samplingInterval: 1024 }).catch((err: Error) => {
        session.close();
        throw err;
      });
      return {
        stop: async () => {
          try {
            await session.call('HeapProfiler.collectGarbage');
            return ((await session.call('HeapProfiler.stopSampling')) as { profile: AllocationProfile }).profile;
          } finally {
            session.close();
          }
        },
      };
    },
    startProfiler: async () => {
      const session = await inspectorSession(inspector);
      try {
        await session.call('Profiler.enable');
        // 500 µs: fine enough to see a per-message function, coarse enough to cost the process little.
        await session.call('Profiler.setSamplingInterval', { interval: 500 });
        await session.call('Profiler.start');
        // Every allocation counts, not only what is still alive at the end: the garbage is what the collector pays for.
        await session.call('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
      } catch (err) {
        session.close();
        throw err;
      }
      return {
        stop: async () => {
          try {
            const cpu = ((await session.call('Profiler.stop')) as { profile: CpuProfile }).profile;
            const allocations = ((await session.call('HeapProfiler.stopSampling')) as { profile: AllocationProfile }).profile;
            return { cpu, allocations };
          } finally {
            session.close();
          }
        },
      };
    },
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/**
 * A Chrome DevTools Protocol session over Thingwire's inspector: `call` sends one method and waits (at most 60 s) for
 * its answer. A profiler needs the session it was started on kept open until it is stopped.
 */
export async function inspectorSession(url: string | undefined): Promise<{ call(method: string, params?: object): Promise<unknown>; close(): void }> {
  if (!url) throw new Error('Thingwire was started without its inspector (inspect: true)');
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let next = 0;
  socket.on('message', (data) => {
    const answer = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    const waiter = answer.id === undefined ? undefined : waiting.get(answer.id);
    if (!waiter) return;
    waiting.delete(answer.id!);
    if (answer.error) waiter.reject(new Error(answer.error.message));
    else waiter.resolve(answer.result);
  });
  socket.on('close', () => {
    for (const w of waiting.values()) w.reject(new Error('the inspector session closed'));
    waiting.clear();
  });
  return {
    call: (method, params) => new Promise((resolve, reject) => {
      const id = ++next;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`${method}: no answer from the inspector in 60 s`));
      }, 60_000);
      waiting.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(new Error(`${method}: ${e.message}`))),
      });
      socket.send(JSON.stringify({ id, method, params }));
    }),
    close: () => socket.close(),
  };
}

/** A load-generating process and a call-and-answer channel to it. */
export class Worker {
  readonly child: ChildProcess;
  #queue: { resolve(v: unknown): void; reject(e: Error): void }[] = [];

  constructor() {
    this.child = fork(path.join(root, 'bench/load-worker.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(this.child);
    this.child.on('message', (m: { ok: boolean; result?: unknown; error?: string }) => {
      const waiter = this.#queue.shift();
      if (m.ok) waiter?.resolve(m.result);
      else waiter?.reject(new Error(`load worker: ${m.error}`));
    });
    this.child.on('exit', () => {
      for (const w of this.#queue.splice(0)) w.reject(new Error('load worker exited'));
    });
  }

  call<T>(command: WorkerCommand): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ resolve: resolve as (v: unknown) => void, reject });
      this.child.send(command);
    });
  }

  async close(): Promise<void> {
    await this.call({ cmd: 'close' }).catch(() => undefined);
    await new Promise((r) => (this.child.exitCode !== null ? r(null) : this.child.once('exit', r)));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const chunks = <T>(list: T[], n: number): T[][] => Array.from({ length: n }, (_, i) => list.filter((_, j) => j % n === i));

/** The API of a started Thingwire as its admin: JSON in and out; a status other than 2xx throws with the answer. */
export function apiOf(tw: { base: string; token: string }) {
  return async <T = unknown>(method: string, p: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${tw.base}/api/v1${p}`, {
      method, headers: { authorization: `Bearer ${tw.token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = res.headers.get('content-type')?.includes('json') ? await res.json() : undefined;
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
    return json as T;
  };
}

/** `count` devices of the product, named m0, m1, …, created 10,000 to a request (the bulk API's most), with their secrets. */
export async function createDevices(api: ReturnType<typeof apiOf>, productKey: string, count: number): Promise<BenchDevice[]> {
  const devices: BenchDevice[] = [];
  for (let start = 0; start < count; start += 10_000) {
    const names = Array.from({ length: Math.min(10_000, count - start) }, (_, i) => ({ productKey, deviceName: `m${start + i}` }));
    const created = await api<{ items: BenchDevice[] }>('POST', '/devices/bulk', { devices: names });
    for (const d of created.items) devices.push({ productKey: d.productKey, deviceName: d.deviceName, deviceSecret: d.deviceSecret });
  }
  return devices;
}
