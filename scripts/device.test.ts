import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorProcess } from '../server/testing/device-simulator.ts';
import { firmwareImage, startFirmwareServer, type FirmwareServer } from '../server/testing/firmware-http.ts';
import { createDevices, deployListener, listenerFlow, testTsl, type TestDevice } from '../server/testing/mqtt-devices.ts';
import { startTestServer, type TestServer } from '../server/testing/test-server.ts';

let tw: TestServer;
let mqttUrl: string;
let alinkDevice: TestDevice;
let thingsDevice: TestDevice;
let otaDevice: TestDevice;
let fw: FirmwareServer;
const running: SimulatorProcess[] = [];

beforeAll(async () => {
  [tw, fw] = await Promise.all([startTestServer(), startFirmwareServer()]);
  [alinkDevice, thingsDevice, otaDevice] = await createDevices(tw, 'a1sim', ['sim-alink', 'sim-things', 'sim-ota']);
  mqttUrl = `mqtt://127.0.0.1:${await deployListener(tw, listenerFlow())}`;
});

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  await fw?.close();
  await tw?.close();
});

const simulate = (...args: Parameters<typeof startSimulator>) => {
  const sim = startSimulator(...args);
  running.push(sim);
  return sim;
};

/** Waits until the device's message log holds `count` answered uplinks, and returns those (newest first). */
async function uplinks(device: TestDevice, count: number): Promise<{ code: number | null; payload: string | null }[]> {
  let items: { code: number | null; payload: string | null }[] = [];
  await expect.poll(async () => {
    const res = await tw.request('GET', `/api/v1/devices/${device.productKey}/${device.deviceName}/messages?direction=up`, { token: tw.adminToken });
    items = res.body.items.filter((item: { code: number | null }) => item.code !== null);
    return items.length;
  }, { timeout: 10_000 }).toBeGreaterThanOrEqual(count);
  return items;
}

describe('npm run device (the device simulator)', () => {
  it('signs in with the secret it reads from the API, posts values the thing model accepts, and answers commands', async () => {
    const sim = simulate(tw, alinkDevice, { mqttUrl, rate: 20, secret: false });
    await sim.waitFor(/^connected to .* as a1sim\/sim-alink \(alink\)/);
    const posts = await uplinks(alinkDevice, 3);
    // Every generated post passed thing validate (200), with values inside the model's ranges.
    expect(posts.every((p) => p.code === 200)).toBe(true);
    const values = JSON.parse(posts[0]!.payload!);
    const [temperature, target] = testTsl.properties;
    expect(values.temperature).toBeGreaterThanOrEqual(Number(temperature!.dataType.specs.min));
    expect(values.temperature).toBeLessThanOrEqual(Number(temperature!.dataType.specs.max));
    expect(Number.isInteger(values.target)).toBe(true);
    expect(values.target).toBeGreaterThanOrEqual(Number(target!.dataType.specs.min));

    const path = `/api/v1/devices/${alinkDevice.productKey}/${alinkDevice.deviceName}/commands`;
    const set = await tw.request('POST', path, { token: tw.adminToken, body: { kind: 'property.set', params: { target: 21 } } });
    expect(set.body).toMatchObject({ code: 200 });
    await sim.waitFor(/^set \{"target":21\}/);
    const invoke = await tw.request('POST', path, { token: tw.adminToken, body: { kind: 'service.invoke', serviceId: 'reboot', params: { delay: 3 } } });
    expect(invoke.body).toMatchObject({ code: 200 });
    await sim.waitFor(/^invoked reboot\(\{"delay":3\}\)/);
    expect(await sim.stop()).toBe(0);
    // It counts the platform's replies to its posts, not its own answers to the commands (which it also receives).
    const [, postCount, counted] = [...sim.output().matchAll(/^(\d+) posts; replies (\{.*\})$/gm)].at(-1)!;
    expect(JSON.parse(counted!)).toEqual({ 200: Number(postCount) });
  });

  it('speaks the things dialect and stops by itself after --count posts', async () => {
    const sim = simulate(tw, thingsDevice, { mqttUrl, rate: 50, count: 5, dialect: 'things' });
    await sim.waitFor(/^connected to .* \(things\)/);
    const posts = await uplinks(thingsDevice, 5);
    expect(posts.map((p) => p.code)).toEqual([200, 200, 200, 200, 200]);
    expect(posts).toHaveLength(5);
    await sim.waitFor(/^disconnected/);
  });

  it('says what is wrong when it cannot sign in or read the thing model', async () => {
    const unknown = simulate(tw, { ...alinkDevice, deviceName: 'no-such-device' }, { mqttUrl, secret: false });
    await unknown.waitFor(/^device: POST \/api\/v1\/devices\/a1sim\/no-such-device\/secret\/reveal: 404/);
    const wrongSecret = simulate(tw, { ...alinkDevice, deviceSecret: '00'.repeat(32) }, { mqttUrl });
    await wrongSecret.waitFor(/^device: .*the platform refused the sign-in/);
    expect(await wrongSecret.stop()).toBe(2);
    const history = await tw.request('GET', `/api/v1/devices/${alinkDevice.productKey}/${alinkDevice.deviceName}/connections`, { token: tw.adminToken });
    expect(history.body.items[0]).toMatchObject({ event: 'refused', reason: expect.stringMatching(/signature/i) });
  });
});

describe('npm run device with firmware versions (docs/ota.md)', () => {
  it('informs its module versions, takes an upgrade push, resumes a dropped download with Range, restarts and informs the new version', async () => {
    const sim = simulate(tw, otaDevice, { mqttUrl, rate: 1, args: ['--firmware', '1.0.0', '--module', 'mcu=1.0.0', '--ota-drop-at', '50'] });
    await sim.waitFor(/^ota: informed default 1\.0\.0, mcu 1\.0\.0$/);
    const image = firmwareImage(300 * 1024);
    const url = fw.serve('sim.bin', image);
    // The upgrade push as the platform publishes it, through the listener the simulator is on.
    tw.app.mqttListeners.listeners()[0]!.publishTo(`/ota/device/upgrade/${otaDevice.productKey}/${otaDevice.deviceName}`, Buffer.from(JSON.stringify({
      code: '1000', id: 1, message: 'success',
      data: { size: image.bytes.length, version: '2.0.0', url, sign: image.sha256, signMethod: 'SHA256', md5: image.md5, module: 'mcu', extData: {} },
    })), 1);
    await sim.waitFor(/^ota: informed default 1\.0\.0, mcu 2\.0\.0$/);
    const out = sim.output();
    expect(out).toMatch(/^ota: mcu: dropped the download at \d+ of 307200 bytes \(--ota-drop-at 50\)$/m);
    expect(out).toMatch(/^ota: mcu: resumed: 206, Content-Range bytes \d+-307199\/307200$/m);
    expect(out).toMatch(/^ota: mcu: verified SHA256 [0-9a-f]{16}…$/m);
    expect(out).toMatch(/^ota: mcu: step 100 burning\nota: mcu: flashed 2\.0\.0; restarting\ndisconnected\nconnected to /m);
    expect(fw.requests.filter((r) => r.path === '/sim.bin').map((r) => [r.status, r.range?.replace(/\d+/, 'N')])).toEqual([[200, undefined], [206, 'bytes=N-']]);
    expect(await sim.stop()).toBe(0);
  });
});

describe('npm run device -- --gateway', () => {
  it('adds and logs in 20 sub-devices, posts their values in packs, answers a command for one, and logs them out on Ctrl+C', async () => {
    const token = tw.adminToken;
    await tw.request('POST', '/api/v1/products', { token, body: { productKey: 'simgw', name: 'gateway', nodeType: 'gateway' } });
    await tw.request('POST', '/api/v1/products', { token, body: { productKey: 'simsub', name: 'sub-devices', nodeType: 'sub-device' } });
    await tw.request('PUT', '/api/v1/products/simsub/thing-model/draft', { token, body: testTsl });
    await tw.request('POST', '/api/v1/products/simsub/thing-model/publish', { token });
    const gw = await tw.request('POST', '/api/v1/devices', { token, body: { productKey: 'simgw', deviceName: 'gw1' } });
    const names = Array.from({ length: 20 }, (_, i) => `sub${String(i).padStart(2, '0')}`);
    await tw.request('POST', '/api/v1/devices/bulk', { token, body: { devices: names.map((deviceName) => ({ productKey: 'simsub', deviceName })) } });

    const sim = simulate(tw, { productKey: 'simgw', deviceName: 'gw1', deviceSecret: gw.body.deviceSecret }, {
      mqttUrl, rate: 5, args: ['--gateway', '--sub-devices', '20'], // simsub: the only sub-device product
    });
    await sim.waitFor(/^gateway simgw\/gw1: 20 sub-devices added and logged in/);
    const listed = await tw.request('GET', '/api/v1/devices/simgw/gw1/sub-devices', { token });
    expect(listed.body.items.filter((s: { online: boolean }) => s.online)).toHaveLength(20);
    const last = { productKey: 'simsub', deviceName: 'sub19', deviceSecret: '' };
    expect((await uplinks(last, 1)).every((p) => p.code === 200)).toBe(true);
    const set = await tw.request('POST', '/api/v1/devices/simsub/sub07/commands', { token, body: { kind: 'property.set', params: { target: 21 } } });
    expect(set.body).toMatchObject({ code: 200 });
    await sim.waitFor(/^set simsub\/sub07 \{"target":21\}/);
    expect(await sim.stop()).toBe(0);
    const history = await tw.request('GET', '/api/v1/devices/simsub/sub00/connections', { token });
    expect(history.body.items[0]).toMatchObject({ event: 'disconnected', reason: 'disconnect: combine/logout by gateway simgw/gw1' });
  });
});

describe('npm run device -- --help', () => {
  it('prints its options, and an unknown option is an error with the usage, not a stack trace', async () => {
    const { spawn } = await import('node:child_process');
    const run = (...arg: string[]) => new Promise<{ code: number | null; out: string }>((resolve) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', 'scripts/device.ts', ...arg], { cwd: new URL('..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      proc.stdout.on('data', (d) => (out += d));
      proc.stderr.on('data', (d) => (out += d));
      proc.once('close', (code) => resolve({ code, out }));
    });
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('--rate <n>            posts per second');
    expect(help.out).toContain('--ota-fail download|verify|flash');
    const bad = await run('--bogus');
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/^device: Unknown option '--bogus'/);
    expect(bad.out).not.toContain('    at ');
    const badFail = await run('--product', 'p', '--device', 'd', '--ota-fail', 'later');
    expect(badFail.code).toBe(2);
    expect(badFail.out).toMatch(/^device: --ota-fail is download, verify, flash/);
  });
});
