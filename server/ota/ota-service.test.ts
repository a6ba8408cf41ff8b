import { createHash, randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createDevices, deployListener, deviceOptions, nextMessage, subscribe, type TestDevice } from '../testing/mqtt-devices.ts';
import { pipelineFlow } from '../testing/pipeline-flow.ts';
import { startWebhookReceiver, type WebhookTestReceiver } from '../notify/webhook-test-receiver.ts';
import { startTestServer, type TestJson, type TestServer } from '../testing/test-server.ts';
import { until } from '../testing/until.ts';

/**
 * OTA through the real platform: firmware uploaded over HTTP, devices on the real broker with mqtt.js, downloads
 * over HTTP with Range, their reports through the shipped device pipeline's ota node.
 */
let tw: TestServer;
let receiver: WebhookTestReceiver;
let mqttUrl: string;
const PK = 'otaprod';
let devices: readonly TestDevice[];
const clients: MqttClient[] = [];
const image = randomBytes(200_000);
const sha256 = createHash('sha256').update(image).digest('hex');

async function upload(version: string, body: Buffer = image, extra = '', token = tw.adminToken): Promise<TestJson> {
  const res = await fetch(`${tw.url}/api/v1/firmware?productKey=${PK}&module=mcu&version=${version}${extra}`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, body,
  });
  return { status: res.status, body: await res.json() };
}

async function online(device: TestDevice, version: string): Promise<MqttClient> {
  const client = await connect(mqttUrl, deviceOptions(device));
  clients.push(client);
  await subscribe(client, `/ota/device/upgrade/${PK}/${device.deviceName}`);
  await client.publishAsync(`/ota/device/inform/${PK}/${device.deviceName}`, JSON.stringify({ id: '1', params: { version, module: 'mcu' } }));
  await until(`${device.deviceName} reported ${version}`, async () => (await tw.app.ota.deviceOta(PK, device.deviceName)).modules[0]?.version, (v) => v === version);
  return client;
}

const progress = (c: MqttClient, d: TestDevice, step: number, desc: string) =>
  c.publishAsync(`/ota/device/progress/${PK}/${d.deviceName}`, JSON.stringify({ id: '2', params: { step: String(step), desc, module: 'mcu' } }));
const inform = (c: MqttClient, d: TestDevice, version: string) =>
  c.publishAsync(`/ota/device/inform/${PK}/${d.deviceName}`, JSON.stringify({ id: '3', params: { version, module: 'mcu' } }));
const campaign = async (id: number): Promise<TestJson> => (await tw.request('GET', `/api/v1/ota/campaigns/${id}`, { token: tw.adminToken })).body;
const upgradeOf = async (id: number, deviceName: string): Promise<TestJson> =>
  (await tw.request('GET', `/api/v1/ota/campaigns/${id}/devices?limit=500`, { token: tw.adminToken })).body.items.find((u: TestJson) => u.deviceName === deviceName);

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  tw = await startTestServer({ ota: { tickMs: 50 }, config: { webhookAllowCidrs: ['127.0.0.1/32'] } });
  // The pipeline's ota node tells operations of problems: failed devices and campaigns that stop themselves.
  const flows = pipelineFlow();
  const ota = flows.find((n) => n.id === 'tw-ota')!;
  ota.output = 'problems';
  ota.wires = [[...ota.wires![0]!, 'test-notify']];
  flows.push({
    id: 'test-notify', type: 'notify', z: ota.z, name: 'OTA problems', url: receiver.url, method: 'POST', body: 'payload',
    headers: {}, timeoutMs: 2000, maxAttempts: 3, credentials: { secret: 'ota-webhook-secret' }, x: 900, y: 340, wires: [[]],
  });
  const port = await deployListener(tw, flows);
  mqttUrl = `mqtt://127.0.0.1:${port}`;
  devices = await createDevices(tw, PK, ['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'never']);
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await tw?.close();
  await receiver?.close();
});

describe('firmware', () => {
  it('streams an upload to disk with its hashes, and refuses duplicates, empty bodies and other media types', async () => {
    const res = await upload('1.1.0', image, '&releaseNotes=First&minVersion=1.0.0');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ version: '1.1.0', versionCode: 101000, size: image.length, sha256, constraint: { minVersion: '1.0.0' }, releaseNotes: 'First', createdBy: 'admin' });
    expect(res.body.md5).toBe(createHash('md5').update(image).digest('hex'));
    expect((await upload('1.1.0')).body.error.code).toBe('firmware_exists');
    expect((await upload('1.1.1', Buffer.alloc(0))).body.error.code).toBe('firmware_empty');
    expect((await upload('1.1.x')).status).toBe(422);
    const json = await tw.request('POST', `/api/v1/firmware?productKey=${PK}&version=1.2.0`, { token: tw.adminToken, body: { not: 'an image' } });
    expect(json.status).toBe(415);
    const operator = await tw.tokenFor('operator');
    expect((await upload('1.3.0', image, '', operator)).status).toBe(403);
  });
});

describe('a campaign of one device', () => {
  it('pushes the upgrade, serves a resumable download, follows progress and ends succeeded when the device reports the version', async () => {
    const fw = (await upload('2.0.0')).body;
    const d = devices[0]!;
    const client = await online(d, '1.0.0');
    const push = nextMessage(client, `/ota/device/upgrade/${PK}/d1`);
    const created = await tw.request('POST', '/api/v1/ota/campaigns', { token: tw.adminToken, body: { name: 'one', firmwareId: fw.id, target: { type: 'devices', deviceNames: ['d1'] } } });
    expect(created.status).toBe(201);
    const message = await push;
    expect(message).toMatchObject({ code: '1000', message: 'success', data: { version: '2.0.0', size: image.length, sign: sha256, signMethod: 'SHA256', module: 'mcu' } });
    expect(await upgradeOf(created.body.id, 'd1')).toMatchObject({ state: 'notified', attempts: 1 });

    // Half, then the rest with Range, as a device whose connection dropped.
    const url: string = message.data.url;
    const first = await fetch(url, { headers: { range: 'bytes=0-99999' } });
    expect(first.status).toBe(206);
    expect(first.headers.get('etag')).toBe(`"${sha256}"`);
    const head = Buffer.from(await first.arrayBuffer());
    const rest = await fetch(url, { headers: { range: `bytes=${head.length}-`, 'if-range': `"${sha256}"` } });
    expect(rest.status).toBe(206);
    expect(rest.headers.get('content-range')).toBe(`bytes 100000-199999/${image.length}`);
    const whole = Buffer.concat([head, Buffer.from(await rest.arrayBuffer())]);
    expect(createHash('sha256').update(whole).digest('hex')).toBe(sha256);
    expect(await upgradeOf(created.body.id, 'd1')).toMatchObject({ state: 'downloading', percent: 100 });
    expect((await fetch(url, { headers: { range: 'bytes=300000-' } })).status).toBe(416);
    expect((await fetch(url.replace(/token=[^&]+/, 'token=1.2.3.AAAA'))).status).toBe(403);

    await progress(client, d, 100, 'burning');
    await until('flashing', () => upgradeOf(created.body.id, 'd1'), (u) => u.state === 'flashing');
    await inform(client, d, '2.0.0');
    const done = await until('completed', () => campaign(created.body.id), (c) => c.state === 'completed');
    expect(done.counts).toMatchObject({ succeeded: 1, failed: 0 });
    expect(await upgradeOf(created.body.id, 'd1')).toMatchObject({ state: 'succeeded', percent: 100 });
    // The token ended with the upgrade.
    expect((await fetch(url)).status).toBe(403);
    const history = (await tw.request('GET', `/api/v1/devices/${PK}/d1/ota`, { token: tw.adminToken })).body;
    expect(history.modules).toMatchObject([{ module: 'mcu', version: '2.0.0', versionCode: 200000 }]);
    expect(history.upgrades[0]).toMatchObject({ campaignName: 'one', fromVersion: '1.0.0', toVersion: '2.0.0', state: 'succeeded' });
  });
});

describe('choosing devices', () => {
  it('previews who matches and why the others do not', async () => {
    const fw = (await tw.request('GET', `/api/v1/firmware?productKey=${PK}`, { token: tw.adminToken })).body.items.find((f: TestJson) => f.version === '2.0.0');
    await online(devices[1]!, '1.0.0');
    const preview = await tw.request('POST', '/api/v1/ota/campaigns/preview', {
      token: await tw.tokenFor('operator'), body: { firmwareId: fw.id, target: { type: 'devices', deviceNames: ['d1', 'd2', 'never', 'ghost'] } },
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ targeted: 4, matched: 1, version: '2.0.0' });
    const reasons = Object.fromEntries(preview.body.excluded.map((e: TestJson) => [e.reason, e.examples]));
    expect(reasons).toEqual({
      'already runs 2.0.0': ['d1'], 'has not reported a version of module mcu': ['never'], [`is not a device of product ${PK}`]: ['ghost'],
    });
    const none = await tw.request('POST', '/api/v1/ota/campaigns', { token: tw.adminToken, body: { name: 'x', firmwareId: fw.id, target: { type: 'devices', deviceNames: ['d1'] } } });
    expect(none.status).toBe(409);
    expect(none.body.error.message).toContain('already runs 2.0.0');
  });
});

describe('waves and failures', () => {
  it('stops itself when a wave fails past the threshold, resumes retrying the failed, and reaches a device that connects later', async () => {
    const fw = (await upload('3.0.0')).body;
    const [, d2, d3, d4, d5, d6] = devices;
    const c2 = (await until('d2 online', () => clients.find((c) => c.options.clientId?.startsWith('d2')), Boolean))!;
    const c3 = await online(d3!, '1.0.0');
    const c4 = await online(d4!, '2.0.0');
    const c5 = await online(d5!, '1.0.0');
    // d6 reported once and went offline: it is upgraded when it comes back.
    (await online(d6!, '1.0.0')).end(true);
    await until('d6 offline', () => tw.app.hub.isOnline(PK, 'd6'), (o) => !o);

    const pushes = new Map<string, Promise<TestJson>>();
    for (const [c, d] of [[c2, d2], [c3, d3], [c4, d4], [c5, d5]] as const) pushes.set(d!.deviceName, nextMessage(c, `/ota/device/upgrade/${PK}/${d!.deviceName}`));
    const created = (await tw.request('POST', '/api/v1/ota/campaigns', {
      token: tw.adminToken,
      body: { name: 'waves', firmwareId: fw.id, target: { type: 'all' }, strategy: { waves: [20, 100], failureThreshold: 0.3 } },
    })).body;
    // d1 (2.0.0), d2..d6: the first wave is one device (20 % of 6 rounded up = 2: d1 and d2).
    expect(created).toMatchObject({ total: 6, waveSizes: [2, 6], wave: 0, state: 'running' });
    // d1 fails verification: 1 of 2 in the wave, above 30 %.
    const c1 = clients[0]!;
    await pushes.get('d2');
    await until('d1 notified', () => upgradeOf(created.id, 'd1'), (u) => u.state === 'notified');
    await progress(c1, devices[0]!, -3, 'sha256 mismatch');
    const stopped = await until('stopped', () => campaign(created.id), (c) => c.state === 'stopped');
    expect(stopped.stateReason).toMatch(/^failure ratio: 1 of 2 devices in wave 1 failed or timed out \(50 %\), above the 30 % threshold$/);
    expect(await upgradeOf(created.id, 'd1')).toMatchObject({ state: 'failed', step: -3, reason: 'verification failed: sha256 mismatch' });
    // Both problems reached the webhook through the ota node and a notify node: the device's failure, then the stop.
    const told = await until('the webhook told of the failure and the stop', () => receiver.requests.map((r) => JSON.parse(r.body) as TestJson),
      (bodies) => bodies.some((b) => b.type === 'ota.campaign' && b.change === 'stopped'));
    expect(told.find((b) => b.type === 'ota.device')).toMatchObject({ upgrade: { deviceName: 'd1', state: 'failed', reason: 'verification failed: sha256 mismatch' } });
    expect(told.find((b) => b.type === 'ota.campaign')).toMatchObject({ change: 'stopped', campaign: { id: created.id, stateReason: stopped.stateReason } });
    // Stopped: the second wave is not notified.
    await inform(c2, d2!, '3.0.0');
    await until('d2 succeeded', () => upgradeOf(created.id, 'd2'), (u) => u.state === 'succeeded');
    expect((await campaign(created.id)).counts.queued).toBe(4);

    const resumed = await tw.request('POST', `/api/v1/ota/campaigns/${created.id}/resume`, { token: tw.adminToken, body: { retryFailed: true } });
    expect(resumed.body.state).toBe('running');
    await until('d1 told again', () => upgradeOf(created.id, 'd1'), (u) => u.state === 'notified');
    await inform(c1, devices[0]!, '3.0.0');
    for (const [c, d] of [[c3, d3], [c4, d4], [c5, d5]] as const) {
      await pushes.get(d!.deviceName);
      await inform(c, d!, '3.0.0');
    }
    await until('the online devices succeeded', () => campaign(created.id), (c) => c.counts.succeeded === 5);
    expect((await campaign(created.id)).state).toBe('running');
    expect(await upgradeOf(created.id, 'd6')).toMatchObject({ state: 'queued' });

    const c6 = await connect(mqttUrl, deviceOptions(d6!));
    clients.push(c6);
    await subscribe(c6, `/ota/device/upgrade/${PK}/d6`);
    const push6 = nextMessage(c6, `/ota/device/upgrade/${PK}/d6`);
    await inform(c6, d6!, '1.0.0');
    expect((await push6).data.version).toBe('3.0.0');
    await inform(c6, d6!, '3.0.0');
    const done = await until('completed', () => campaign(created.id), (c) => c.state === 'completed');
    expect(done.counts).toMatchObject({ succeeded: 6, failed: 0, queued: 0 });
  });
});
