import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killLeftovers, login, run, start, stop, stopsGracefully, type MainProcess } from './testing/main-process.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-main-'));

afterAll(() => {
  killLeftovers();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start on one data dir', () => {
  // In order, on one data dir, as an installation lives: the first start, a restart through npm (with the
  // environment a deployment would have), a password reset while it runs, a stop, and a start with its key lost.
  // Each step needs the one before; two starts instead of one per step keep the file quick.
  let password = '';
  let second: MainProcess | undefined;
  const running = () => {
    if (!second) throw new Error('the restart (the test before) did not come up');
    return second;
  };

  it('prints a generated admin password once, installs the default flow and keeps its files private', async () => {
    const first = await start(dataDir);
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
      dataDir, { THINGWIRE_ADMIN_PASSWORD: 'leaked-admin-password', FLOW_GREETING: 'hello', MY_ALLOWED: 'yes', MY_SECRET: 'no' },
      ['--mqtt-port', '1999', '--flow-env', 'MY_ALLOWED'], 'npm start',
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
      const { code, stderr } = await run(process.execPath, ['server/start.mjs', '--host', '127.0.0.1', '--port', '0', '--mqtt-port', '0', '--data-dir', dataDir]);
      expect(code).toBe(1);
      expect(stderr.trim()).toMatch(/^thingwire: .*keys\/secret\.key is missing, but .*thingwire\.db holds secrets sealed with it: restore the keys folder from the backup/);
      expect(fs.existsSync(key), 'no new key was made').toBe(false);
    } finally {
      fs.renameSync(`${key}.away`, key);
    }
  });
});
