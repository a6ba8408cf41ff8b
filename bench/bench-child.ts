/**
 * A benchmark that runs in a process of its own (the editor's, the dashboard's: their in-process Thingwire, devices
 * and Chromium stay out of the benchmark's process), read from the JSON line it prints last.
 */
import { spawn } from 'node:child_process';

/**
 * Runs `node --import tsx <args>` in `root` and answers its last line as JSON when the process succeeded and `valid`
 * accepts it; otherwise what went wrong, as the row's text (one failed row does not end the whole benchmark).
 */
export async function runBenchChild<T>(root: string, args: readonly string[], valid: (figures: T) => boolean, timeoutMs: number): Promise<T | { error: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-2000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const line = out.trim().split('\n').at(-1) ?? '';
  try {
    const figures = JSON.parse(line) as T;
    if (code === 0 && valid(figures)) return figures;
  } catch {
    // Reported below with what the process said.
  }
  return { error: `exit ${code}: ${(err.trim().split('\n').at(-1) ?? '').slice(0, 200)}` };
}
