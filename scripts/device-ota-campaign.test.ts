import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevices, deployListener, type TestDevice } from '../server/testing/mqtt-devices.ts';
import { pipelineFlow } from '../server/testing/pipeline-flow.ts';
import { startTestServer, type TestJson, type TestServer } from '../server/testing/test-server.ts';
import { until } from '../server/testing/until.ts';
import { startOtaDevice, type OtaDevice, type OtaDeviceOptions, type OtaSimEvent } from './device-ota.ts';

/**
 * The simulator against the platform's own OTA service: campaigns push, the download route serves (tokens, Range,
 * 503 past maxConcurrentDownloads), and the device upgrades end as the simulator was told to make them end.
 */
let tw: TestServer;
let mqttUrl: string;
const running: OtaDevice[] = [];
const image = randomBytes(250_000);

beforeAll(async () => {
  tw = await startTestServer({ ota: { tickMs: 50 } });
  mqttUrl = `mqtt://127.0.0.1:${await deployListener(tw, pipelineFlow())}`;
});

afterAll(async () => {
  await Promise.all(running.map((d) => d.close()));
  await tw?.close();
});

async function upload(productKey: string, module: string, version: string): Promise<TestJson> {
  const res = await fetch(`${tw.url}/api/v1/firmware?productKey=${productKey}&module=${module}&version=${version}`, {
    method: 'POST', headers: { authorization: `Bearer ${tw.adminToken}`, 'content-type': 'application/octet-stream' }, body: image,
  });
  expect(res.status).toBe(201);
  return res.json();
}

async function start(device: TestDevice, options: Partial<OtaDeviceOptions>): Promise<{ dev: OtaDevice; events: OtaSimEvent[] }> {
  const events: OtaSimEvent[] = [];
  // A 503's Retry-After (5 s) is cut short: the devices still wait and retry, the test does not take 5 s per retry.
  const dev = await startOtaDevice({ device, mqttUrl, dialect: 'alink', maxRetryAfterMs: 100, onEvent: (e) => events.push(e), ...options });
  running.push(dev);
  return { dev, events };
}

/** Waits until every device upgrade of the campaign has ended; returns them by device name. */
async function ended(campaignId: number, count: number): Promise<Record<string, TestJson>> {
  const items = await until(`campaign ${campaignId} ended`, async () => {
    const res = await tw.request('GET', `/api/v1/ota/campaigns/${campaignId}/devices`, { token: tw.adminToken });
    return res.body.items as TestJson[];
  }, (list) => list.length === count && list.every((u) => ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(u.state)));
  return Object.fromEntries(items.map((u) => [u.deviceName, u]));
}

describe('the simulator in a campaign of the platform (docs/ota.md)', () => {
  it('alink devices upgrade, resume a dropped download and fail where --ota-fail says, with one download at a time', async () => {
    const names = ['ok', 'drop', 'verify', 'flash', 'download'] as const;
    const devices = await createDevices(tw, 'simota', names);
    const firmware = await upload('simota', 'mcu', '1.1.0');
    const sims = await Promise.all(devices.map((d, i) => start(d, {
      versions: { mcu: '1.0.0' },
      ...({ drop: { dropAtPercent: 50 }, verify: { fail: 'verify' }, flash: { fail: 'flash' }, download: { fail: 'download' } } as const)[names[i] as 'drop'],
    })));
    await until('the versions reached the platform', () => Promise.all(devices.map(async (d) => (await tw.app.ota.deviceOta(d.productKey, d.deviceName)).modules[0]?.version)),
      (v) => v.every((x) => x === '1.0.0'));

    const created = await tw.request('POST', '/api/v1/ota/campaigns', {
      token: tw.adminToken,
      body: { name: 'sim', firmwareId: firmware.id, target: { type: 'all' }, strategy: { maxConcurrentDownloads: 1, failureThreshold: 1 } },
    });
    expect(created.status).toBe(201);
    const byName = await ended(created.body.id, names.length);
    expect(byName.ok).toMatchObject({ state: 'succeeded', toVersion: '1.1.0', step: 100 });
    expect(byName.drop).toMatchObject({ state: 'succeeded', toVersion: '1.1.0' });
    expect(byName.verify).toMatchObject({ state: 'failed', step: -3, reason: expect.stringMatching(/^verification failed/) });
    expect(byName.flash).toMatchObject({ state: 'failed', step: -4, reason: expect.stringMatching(/^flash failed/) });
    expect(byName.download).toMatchObject({ state: 'failed', step: -2, reason: expect.stringMatching(/^download failed/) });

    // The dropped download resumed from the platform's route with a Range it honoured.
    const drop = sims[names.indexOf('drop')]!;
    const http = drop.events.filter((e): e is Extract<OtaSimEvent, { type: 'http' }> => e.type === 'http' && e.status !== 503);
    expect(http.map((e) => [e.status, e.range?.replace(/\d+/, 'N')])).toEqual([[200, undefined], [206, 'bytes=N-']]);
    expect(sims.map((s) => s.dev.ota.versions().mcu)).toEqual(['1.1.0', '1.1.0', '1.0.0', '1.0.0', '1.0.0']);
  });

  it('a things device upgrades a module of several, with an MD5 sign', async () => {
    const [device] = await createDevices(tw, 'simthings', ['t1'], 'things');
    const firmware = await upload('simthings', 'modem', '2.2.0');
    const { dev } = await start(device, { dialect: 'things', versions: { default: '1.0.0', modem: '2.1.0' } });
    await until('the versions reached the platform', async () => (await tw.app.ota.deviceOta('simthings', 't1')).modules.length, (n) => n === 2);
    const created = await tw.request('POST', '/api/v1/ota/campaigns', {
      token: tw.adminToken, body: { name: 'things', firmwareId: firmware.id, target: { type: 'all' }, strategy: { signMethod: 'MD5' } },
    });
    expect(created.status).toBe(201);
    expect((await ended(created.body.id, 1)).t1).toMatchObject({ state: 'succeeded', module: 'modem', fromVersion: '2.1.0', toVersion: '2.2.0' });
    expect(firmware.md5).toBe(createHash('md5').update(image).digest('hex'));
    expect(dev.ota.versions()).toEqual({ default: '1.0.0', modem: '2.2.0' });
    const modules = (await tw.app.ota.deviceOta('simthings', 't1')).modules.map((m) => [m.module, m.version]).sort();
    expect(modules).toEqual([['default', '1.0.0'], ['modem', '2.2.0']]);
  });
});
