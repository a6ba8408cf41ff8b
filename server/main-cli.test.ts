import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killLeftovers, root, run, start, stopsGracefully } from './testing/main-process.ts';

afterAll(killLeftovers);

describe('npm start on a fresh data dir', () => {
  it('stops gracefully on SIGINT sent to the npm process, leaving no process behind', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-npm-'));
    try {
      await stopsGracefully(await start(dir, {}, [], 'npm start'), 'SIGINT');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails in one line when a port is taken, before creating anything (the next start still prints a password)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-busy-'));
    const blocker = net.createServer();
    const busy = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as net.AddressInfo).port)));
    try {
      for (const flag of ['--port', '--mqtt-port']) {
        const { code, stderr } = await run(process.execPath, ['server/start.mjs', '--host', '127.0.0.1', '--port', '0', '--mqtt-port', '0', '--data-dir', dir, flag, String(busy)]);
        expect(code).toBe(1);
        expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^thingwire: port ${busy} on .* for (HTTP \\(--port\\)|MQTT \\(--mqtt-port\\)) is already in use: stop what holds it, or choose another port$`))]);
      }
      // Checked before anything was created: no database, so no admin whose password would be lost.
      expect(fs.readdirSync(dir).filter((f) => f !== 'keys' && f !== 'node-red')).toEqual([]);
    } finally {
      blocker.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad flag with a message, not a stack trace', async () => {
    const proc = spawn(process.execPath, ['server/start.mjs', '--port', 'eighty'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    proc.stderr.on('data', (d) => (err += d));
    const code = await new Promise((resolve) => proc.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('--port / THINGWIRE_PORT must be an integer from 0 to 65535, got "eighty"');
  });
});
