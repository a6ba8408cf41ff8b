import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-main-'));
const running = new Set<ChildProcess>();
/** Processes started under `npm start`, killed at the end should one outlive it. */
const descendants = new Set<number>();

/**
 * Starts `server/main.ts` the way `npm start` does (or through `npm start` itself) and waits for its "started" log
 * line.
 */
async function start(
  env: Record<string, string> = {}, args: string[] = [], dir = dataDir, via: 'node' | 'npm start' = 'node',
): Promise<{ proc: ChildProcess; url: string; stdout: () => string }> {
  const flags = ['--port', '0', '--mqtt-port', '0', '--host', '127.0.0.1', '--data-dir', dir, ...args];
  const [command, argv] = via === 'node'
    ? [process.execPath, ['--import', 'tsx', 'server/main.ts', ...flags]]
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
    const timer = setTimeout(() => reject(new Error(`no start within 30 s:\n${out}\n${err}`)), 30_000);
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

async function stop(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  proc.kill(signal);
  const code = await exited;
  running.delete(proc);
  return code;
}

/** Runs a command to its end. */
function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(command, args, { cwd: root, env: { ...process.env, THINGWIRE_ADMIN_PASSWORD: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => proc.once('close', (code) => resolve({ code, stdout, stderr })));
}

const login = (url: string, password: string) =>
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

afterAll(() => {
  for (const p of running) p.kill('SIGKILL');
  for (const pid of descendants) if (alive(pid)) process.kill(pid, 'SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/**
 * Sends `signal` to the npm process alone (as a service manager or `kill` does) and checks that the server below it
 * stopped gracefully with it: npm runs the script through `sh -c`, and whatever runs below npm must end with it.
 */
async function stopsGracefully(tw: { proc: ChildProcess; stdout: () => string }, signal: NodeJS.Signals): Promise<void> {
  const below = descendantsOf(tw.proc.pid!);
  for (const pid of below) descendants.add(pid);
  expect(below.length).toBeGreaterThan(0);
  const closed = new Promise<void>((resolve) => tw.proc.once('close', () => resolve()));
  const code = await stop(tw.proc, signal);
  expect(below.filter(alive), 'processes left running after npm exited').toEqual([]);
  expect(code).toBe(0);
  // Everything the server wrote has been read once every end of the pipe is closed.
  await closed;
  expect(tw.stdout()).toContain(`"signal":"${signal}","msg":"stopping"`);
  expect(tw.stdout()).toContain('"msg":"shutdown: messages in flight were stored and answered"');
  expect(tw.stdout()).toContain(`"signal":"${signal}","msg":"stopped"`);
}

describe('npm start on one data dir', () => {
  // In order, on one data dir, as an installation lives: the first start, a restart through npm (with the
  // environment a deployment would have), a password reset while it runs, a stop, and a start with its key lost.
  // Each step needs the one before; three starts instead of one per step keep the file quick.
  let password = '';
  let second: Awaited<ReturnType<typeof start>> | undefined;
  const running = () => {
    if (!second) throw new Error('the restart (the test before) did not come up');
    return second;
  };

  it('prints a generated admin password once, installs the default flow and keeps its files private', async () => {
    const first = await start();
    // Printed once the start has logged "Thingwire started", so it may come in the next chunk of output.
    await expect.poll(() => /password: (\S+)/.exec(first.stdout()), { message: 'the first start prints the admin password' }).not.toBeNull();
    password = /password: (\S+)/.exec(first.stdout())![1]!;
    expect(password).toHaveLength(20);
    // Kept until the first sign-in, readable by this user only: a password that scrolled away is not lost.
    const kept = path.join(dataDir, 'initial-admin-password');
    expect(fs.readFileSync(kept, 'utf8')).toContain(`password: ${password}`);
    expect(fs.statSync(kept).mode & 0o077).toBe(0);
    const res = await login(first.url, password);
    expect(res.status).toBe(200);
    expect(fs.existsSync(kept), 'deleted at the first sign-in').toBe(false);
    const { token } = (await res.json()) as { token: string };
    const installed = (await (await fetch(`${first.url}/api/v1/flows`, { headers: { authorization: `Bearer ${token}` } })).json()) as { flows: { id: string }[] };
    expect(installed.flows.map((n) => n.id), 'the first start installs the default device flow').toEqual(
      expect.arrayContaining(['tw-mqtt-listener', 'tw-device-in', 'tw-validate', 'tw-store', 'tw-alert']),
    );
    const flows = [{ id: 'keep', type: 'tab', label: 'kept across restarts' }, { id: 'c1', type: 'comment', z: 'keep', name: 'hello' }];
    const deploy = await fetch(`${first.url}/api/v1/flows`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ flows }),
    });
    expect(deploy.status).toBe(200);
    expect(await stop(first.proc)).toBe(0);

    expect(fs.existsSync(path.join(dataDir, 'thingwire.db'))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'node-red', 'flows.json'))).toBe(true);
    // Nobody but the user running Thingwire reads the database, the flows or the keys.
    for (const file of ['.', 'thingwire.db', 'telemetry.db', 'node-red', 'node-red/flows.json', 'keys/secret.key', 'keys/node-red-credentials.key']) {
      expect(fs.statSync(path.join(dataDir, file)).mode & 0o077, file).toBe(0);
    }
  });

  it('starts again through npm with the data and flows kept; --mqtt-port applies to the first start only', async () => {
    expect(password, 'the first start (the test before) printed a password').not.toBe('');
    // A deployment's environment: a platform secret, a flow variable, one allowed by name and one that is not.
    second = await start(
      { THINGWIRE_ADMIN_PASSWORD: 'leaked-admin-password', FLOW_GREETING: 'hello', MY_ALLOWED: 'yes', MY_SECRET: 'no' },
      ['--mqtt-port', '1999', '--flow-env', 'MY_ALLOWED'], dataDir, 'npm start',
    );
    expect(second.stdout()).not.toContain('password:');
    expect(second.stdout(), 'the listener now takes its port from its node').toContain('--mqtt-port applies to the first start only');
    const again = await login(second.url, password);
    expect(again.status).toBe(200);
    const { token } = (await again.json()) as { token: string };
    const got = await (await fetch(`${second.url}/api/v1/flows`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect((got as { flows: { id: string }[] }).flows.map((n) => n.id)).toEqual(['keep', 'c1']);
  });

  it('keeps the platform\'s secrets from flows: no THINGWIRE_* secret in the environment, only FLOW_* and allowed names', async () => {
    const tw = running();
    const { token } = (await (await login(tw.url, password)).json()) as { token: string };
    const read = (name: string) => ({ t: 'set', p: `payload.${name}`, pt: 'msg', to: name, tot: 'env' });
    const flows = [
      { id: 'tabv', type: 'tab', label: 'env' },
      { id: 'inv', type: 'http in', z: 'tabv', x: 100, y: 100, url: '/env', method: 'get', wires: [['chv']] },
      {
        id: 'chv', type: 'change', z: 'tabv', x: 250, y: 100, wires: [['outv']],
        rules: [
          { t: 'set', p: 'payload', pt: 'msg', to: '{}', tot: 'json' },
          { t: 'set', p: 'payload.jsonata', pt: 'msg', to: "$env('THINGWIRE_ADMIN_PASSWORD')", tot: 'jsonata' },
          ...['THINGWIRE_ADMIN_PASSWORD', 'PATH', 'MY_SECRET', 'FLOW_GREETING', 'MY_ALLOWED'].map(read),
        ],
      },
      { id: 'outv', type: 'http response', z: 'tabv', x: 400, y: 100, statusCode: '', headers: {}, wires: [] },
    ];
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    expect((await fetch(`${tw.url}/api/v1/flows`, { method: 'POST', headers, body: JSON.stringify({ flows }) })).status).toBe(200);
    const seen = (await (await fetch(`${tw.url}/nodes/env`, { headers })).json()) as Record<string, unknown>;
    expect(JSON.stringify(seen)).not.toContain('leaked-admin-password');
    // Node-RED reads a variable it may not see as empty.
    expect(seen).toEqual({ jsonata: '', THINGWIRE_ADMIN_PASSWORD: '', PATH: '', MY_SECRET: '', FLOW_GREETING: 'hello', MY_ALLOWED: 'yes' });
  });

  it('resets a lost password with npm run admin, ending the old sessions of the running server', async () => {
    const tw = running();
    const { token } = (await (await login(tw.url, password)).json()) as { token: string };
    const reset = await run(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', 'reset-password', 'admin', '--data-dir', dataDir]);
    expect(reset.code).toBe(0);
    const fresh = /New password for admin: (\S+)/.exec(reset.stdout)![1]!;
    // The running server sees it at once: the old session is over, the old password too.
    expect((await fetch(`${tw.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    expect((await login(tw.url, password)).status).toBe(401);
    expect((await login(tw.url, fresh)).status).toBe(200);

    const unknown = await run(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', 'reset-password', 'nobody', '--data-dir', dataDir]);
    expect([unknown.code, unknown.stderr.trim()]).toEqual([2, 'admin: no user "nobody"; the users are: admin']);
  });

  it('stops gracefully on SIGTERM sent to the npm process, leaving no process behind', async () => {
    await stopsGracefully(running(), 'SIGTERM');
  });

  it('does not start when its key file is lost, and says what to restore instead of making a key that opens nothing', async () => {
    const key = path.join(dataDir, 'keys', 'secret.key');
    fs.renameSync(key, `${key}.away`);
    try {
      const { code, stderr } = await run(process.execPath, ['--import', 'tsx', 'server/main.ts', '--host', '127.0.0.1', '--port', '0', '--mqtt-port', '0', '--data-dir', dataDir]);
      expect(code).toBe(1);
      expect(stderr.trim()).toMatch(/^thingwire: .*keys\/secret\.key is missing, but .*thingwire\.db holds secrets sealed with it: restore the keys folder from the backup/);
      expect(fs.existsSync(key), 'no new key was made').toBe(false);
    } finally {
      fs.renameSync(`${key}.away`, key);
    }
  });
});

describe('npm start', () => {
  it('stops gracefully on SIGINT sent to the npm process, leaving no process behind', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-npm-'));
    try {
      await stopsGracefully(await start({}, [], dir, 'npm start'), 'SIGINT');
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
        const { code, stderr } = await run(process.execPath, ['--import', 'tsx', 'server/main.ts', '--host', '127.0.0.1', '--port', '0', '--mqtt-port', '0', '--data-dir', dir, flag, String(busy)]);
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
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--port', 'eighty'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    proc.stderr.on('data', (d) => (err += d));
    const code = await new Promise((resolve) => proc.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('--port / THINGWIRE_PORT must be an integer from 0 to 65535, got "eighty"');
  });
});
