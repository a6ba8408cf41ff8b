/**
 * `server/main.ts` as a user runs it (`node server/start.mjs`, what `npm start` runs, or through `npm start` itself), in child processes a test
 * file starts and, at its end, kills should one outlive it (`killLeftovers`).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';
import { until } from './until.ts';

export const root = path.resolve(import.meta.dirname, '../..');
const running = new Set<ChildProcess>();
/** Processes started under `npm start`. */
const descendants = new Set<number>();

export interface MainProcess {
  proc: ChildProcess;
  url: string;
  stdout: () => string;
}

/** Starts it on `dir` with loopback and free ports and waits for its "started" log line. */
export async function start(
  dir: string, env: Record<string, string> = {}, args: string[] = [], via: 'node' | 'npm start' = 'node',
): Promise<MainProcess> {
  const flags = ['--port', '0', '--mqtt-port', '0', '--coap-port', '0', '--host', '127.0.0.1', '--data-dir', dir, ...args];
  const [command, argv] = via === 'node'
    ? [process.execPath, ['server/start.mjs', ...flags]]
    : [path.join(path.dirname(process.execPath), 'npm'), ['start', '--', ...flags]];
  const proc = spawn(command, argv, {
    cwd: root, env: { ...process.env, THINGWIRE_ADMIN_PASSWORD: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 60 s:\n${out}\n${err}`)), 60_000);
    proc.stdout!.on('data', () => {
      const m = /"url":"([^"]+)"[^\n]*"msg":"Thingwire started"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.once('exit', (code) => reject(new Error(`exited ${code}:\n${out}\n${err}`)));
  });
  return { proc, url, stdout: () => out };
}

export async function stop(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  proc.kill(signal);
  const code = await exited;
  running.delete(proc);
  return code;
}

/** Runs a command to its end. */
export function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(command, args, { cwd: root, env: { ...process.env, THINGWIRE_ADMIN_PASSWORD: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => proc.once('close', (code) => resolve({ code, stdout, stderr })));
}

export const login = (url: string, password: string) =>
  fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });

/** Every process below `pid` (`pgrep -P`, level by level). */
function descendantsOf(pid: number): number[] {
  let children: number[];
  try {
    children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
  return children.flatMap((child) => [child, ...descendantsOf(child)]);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Kills what a test left running (after a failure). */
export function killLeftovers(): void {
  for (const p of running) p.kill('SIGKILL');
  running.clear();
  for (const pid of descendants) if (alive(pid)) process.kill(pid, 'SIGKILL');
  descendants.clear();
}

/**
 * Sends `signal` to the npm process alone (as a service manager or `kill` does) and checks that the server below it
 * stopped gracefully with it: npm runs the script through `sh -c`, and whatever runs below npm must end with it.
 */
export async function stopsGracefully(tw: MainProcess, signal: NodeJS.Signals): Promise<void> {
  const below = descendantsOf(tw.proc.pid!);
  for (const pid of below) descendants.add(pid);
  expect(below.length).toBeGreaterThan(0);
  const closed = new Promise<void>((resolve) => tw.proc.once('close', () => resolve()));
  const code = await stop(tw.proc, signal);
  // tsx's esbuild service exits when the server's end of its pipe closes: just after, not with it (on a busy machine,
  // a moment later). Left behind is what is still running once that moment has had its chance.
  const left = await until('no process left behind', () => below.filter(alive), (pids) => pids.length === 0, 10_000).catch(() => below.filter(alive));
  expect(left, 'processes left running after npm exited').toEqual([]);
  expect(code).toBe(0);
  // Everything the server wrote has been read once every end of the pipe is closed.
  await closed;
  expect(tw.stdout()).toContain(`"signal":"${signal}","msg":"stopping"`);
  expect(tw.stdout()).toContain('"msg":"shutdown: messages in flight were stored and answered"');
  expect(tw.stdout()).toContain(`"signal":"${signal}","msg":"stopped"`);
}
