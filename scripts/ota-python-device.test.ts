import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevices, deployListener, type TestDevice } from '../server/testing/mqtt-devices.ts';
import { pipelineFlow } from '../server/testing/pipeline-flow.ts';
import { pythonWithPaho } from '../server/testing/python.ts';
import { startTestServer, type TestJson, type TestServer } from '../server/testing/test-server.ts';
import { until } from '../server/testing/until.ts';

/**
 * examples/ota-device.py, a device written from docs/protocol.md and docs/ota.md alone with paho-mqtt, through a
 * whole campaign on the real platform: sign-in, version report, upgrade push, download from the platform's route,
 * progress, restart and the new version, through the shipped device pipeline (its ota node). `.ci/run` installs
 * python3-paho-mqtt.
 */
const EXAMPLE = path.join(import.meta.dirname, '../examples/ota-device.py');
const PK = 'pyota';

let tw: TestServer;
let mqttUrl: string;
let device: TestDevice;
let python: ChildProcess | undefined;

beforeAll(async () => {
  tw = await startTestServer({ ota: { tickMs: 50 } });
  [device] = await createDevices(tw, PK, ['py1']);
  mqttUrl = `mqtt://127.0.0.1:${await deployListener(tw, pipelineFlow())}`;
});

afterAll(async () => {
  if (python && python.exitCode === null) {
    const exited = new Promise((resolve) => python!.once('exit', resolve));
    python.kill('SIGTERM');
    await exited;
  }
  await tw?.close();
});

describe('a paho-mqtt device written from the docs (examples/ota-device.py)', () => {
  it('reports 1.0.0, is upgraded by a campaign, downloads and verifies the image, restarts and reports 2.0.0', async () => {
    const interpreter = pythonWithPaho();
    const image = randomBytes(300_000);
    const upload = await fetch(`${tw.url}/api/v1/firmware?productKey=${PK}&module=mcu&version=2.0.0`, {
      method: 'POST', headers: { authorization: `Bearer ${tw.adminToken}`, 'content-type': 'application/octet-stream' }, body: image,
    });
    expect(upload.status).toBe(201);
    const firmware = (await upload.json()) as TestJson;
    expect(firmware.sha256).toBe(createHash('sha256').update(image).digest('hex'));

    let output = '';
    python = spawn(interpreter, [EXAMPLE, '--mqtt', mqttUrl, '--product', PK, '--device', device.deviceName, '--version', '1.0.0', '--module', 'mcu', '--exit-after-upgrade'], {
      env: { ...process.env, THINGWIRE_DEVICE_SECRET: device.deviceSecret, PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    python.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    python.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => python!.once('exit', resolve));

    const ota = () => tw.request('GET', `/api/v1/devices/${PK}/${device.deviceName}/ota`, { token: tw.adminToken }).then((r) => r.body);
    await until(`the device reported 1.0.0 (it printed: ${output})`, ota, (o) => o.modules?.[0]?.version === '1.0.0');

    const created = await tw.request('POST', '/api/v1/ota/campaigns', {
      token: tw.adminToken, body: { name: 'python', firmwareId: firmware.id, target: { type: 'devices', deviceNames: [device.deviceName] } },
    });
    expect(created.status).toBe(201);
    const upgrades = () => tw.request('GET', `/api/v1/ota/campaigns/${created.body.id}/devices`, { token: tw.adminToken }).then((r) => r.body.items as TestJson[]);
    const [upgrade] = await until('the device succeeded', upgrades, (items) => items[0]?.state === 'succeeded' || items[0]?.state === 'failed');
    expect(upgrade, output).toMatchObject({ deviceName: device.deviceName, module: 'mcu', fromVersion: '1.0.0', toVersion: '2.0.0', state: 'succeeded', step: 100 });
    // The campaign completes at its next tick after the last device finished.
    const campaign = () => tw.request('GET', `/api/v1/ota/campaigns/${created.body.id}`, { token: tw.adminToken }).then((r) => r.body);
    expect(await until('the campaign completed', campaign, (c) => c.state !== 'running')).toMatchObject({ state: 'completed', counts: { succeeded: 1 } });
    expect((await ota()).modules).toMatchObject([{ module: 'mcu', version: '2.0.0', versionCode: 200000 }]);

    // It exits by itself once the platform has the new version (--exit-after-upgrade).
    expect(await exited).toBe(0);
    expect(output).toContain(`verified SHA256 ${firmware.sha256}`);
    expect(output).toMatch(/progress 0 downloading\n(.*\n)*progress 75 downloading\n(.*\n)*progress 100 burning\nflashed 2\.0\.0; restarting\n(.*\n)*informed mcu 2\.0\.0/);
  });
});
