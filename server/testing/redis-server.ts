/**
 * A real Redis for tests and the cluster benchmark: Debian's `redis-server` (`apt-get install redis-server`; .ci/run
 * installs it) on loopback at a free port, keeping nothing on disk.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './mqtt-devices.ts';

export interface RedisServer {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-redis-'));
  let out = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      cwd: dir, stdio: ['ignore', 'pipe', 'pipe'],
    });
    out = '';
    const ready = await new Promise<boolean>((resolve) => {
      const check = () => {
        if (out.includes('Ready to accept connections')) resolve(true);
        else if (child.exitCode !== null) resolve(false);
      };
      child.stdout!.on('data', (d: Buffer) => { out += d.toString(); check(); });
      child.stderr!.on('data', (d: Buffer) => { out += d.toString(); check(); });
      child.once('error', (err) => { out += `${err.message}: apt-get install redis-server (.ci/run does)`; resolve(false); });
      child.once('exit', check);
    });
    if (ready) {
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        async stop() {
          if (child.exitCode === null) {
            const exited = new Promise((resolve) => child.once('exit', resolve));
            child.kill('SIGTERM');
            await exited;
          }
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    if (!/Address already in use/.test(out)) break;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  throw new Error(`redis-server did not start: ${out.trim().split('\n').slice(-3).join(' | ')}`);
}
