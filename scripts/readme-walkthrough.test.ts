import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../server/testing/mqtt-devices.ts';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-walkthrough-'));
let server: ReturnType<typeof spawn> | undefined;
afterAll(() => {
  server?.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The README's walkthrough block, as a user pastes it, on this test's ports and data dir instead of the defaults. */
function walkthrough(httpPort: number, mqttPort: number): string {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const block = /<!-- walkthrough:[^>]*-->\n```sh\n([\s\S]*?)\n```/.exec(readme)?.[1];
  if (!block) throw new Error('README has no walkthrough block');
  return block
    .replaceAll('localhost:1880', `127.0.0.1:${httpPort}`)
    .replaceAll('data/initial-admin-password', path.join(dataDir, 'initial-admin-password'))
    .replaceAll('--format env', `--format env --host 127.0.0.1 --port ${mqttPort}`);
}

describe('README walkthrough', () => {
  it('works as written on a fresh start: product from examples/, device, signed report, read back', async () => {
    const httpPort = await freePort();
    const mqttPort = await freePort();
    server = spawn(process.execPath, ['server/start.mjs', '--host', '127.0.0.1', '--port', String(httpPort), '--mqtt-port', String(mqttPort), '--coap-port', '0', '--data-dir', dataDir], {
      cwd: root, env: { ...process.env, THINGWIRE_ADMIN_PASSWORD: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    server.stdout!.on('data', (d) => (log += d));
    await expect.poll(() => log.includes('"msg":"mqtt listener started"') && log.includes('"msg":"Thingwire started"'), { timeout: 30_000 }).toBe(true);

    const shell = spawn('bash', ['-e', '-c', walkthrough(httpPort, mqttPort)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    shell.stdout.on('data', (d) => (out += d));
    shell.stderr.on('data', (d) => (out += d));
    const code = await new Promise((resolve) => shell.once('close', resolve));
    expect(code, out).toBe(0);
    expect(out).toMatch(/"code":200/);
    expect(out).toMatch(/"identifier":"temperature","value":23\.6/);
    // The first sign-in used the password file, which is gone now.
    expect(fs.existsSync(path.join(dataDir, 'initial-admin-password'))).toBe(false);
  }, 60_000);
});
