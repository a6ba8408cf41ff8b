import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createDevices, deployListener, deviceOptions, nextMessage, subscribe, type TestDevice } from '../testing/mqtt-devices.ts';
import { pipelineFlow } from '../testing/pipeline-flow.ts';
import { startTestServer, type TestJson, type TestServer } from '../testing/test-server.ts';
import { until } from '../testing/until.ts';

/**
 * A campaign's rules on a clock the test moves: the campaign timer never fires by itself (an hour), so each
 * `tick()` is one step, and timeouts and rates follow `clock`, not the wall.
 */
let tw: TestServer;
let mqttUrl: string;
let clock = Date.parse('2026-12-05T10:00:00Z');
const PK = 'otarules';
let devices: readonly TestDevice[];
const clients = new Map<string, MqttClient>();
let firmwareId: number;

async function online(device: TestDevice, version: string | number, dialect: 'alink' | 'things' = 'alink'): Promise<MqttClient> {
  const client = await connect(mqttUrl, deviceOptions(device, dialect));
  clients.set(device.deviceName, client);
  const { deviceName } = device;
  if (dialect === 'alink') {
    await subscribe(client, `/ota/device/upgrade/${PK}/${deviceName}`);
    await client.publishAsync(`/ota/device/inform/${PK}/${deviceName}`, JSON.stringify({ id: '1', params: { version, module: 'default' } }));
  } else {
    await subscribe(client, `${device.productKey}/${deviceName}/ota/upgrade`);
    await client.publishAsync(`${device.productKey}/${deviceName}/ota/version`, JSON.stringify([{ key: 'default', version }]));
  }
  await until(`${deviceName} reported`, async () => (await tw.app.ota.deviceOta(device.productKey, deviceName)).modules.length, (n) => n > 0);
  return client;
}

const create = async (name: string, deviceNames: string[], strategy: object, id = firmwareId): Promise<TestJson> => {
  const res = await tw.request('POST', '/api/v1/ota/campaigns', { token: tw.adminToken, body: { name, firmwareId: id, target: { type: 'devices', deviceNames }, strategy } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
};
const devicesOf = async (id: number): Promise<TestJson[]> => (await tw.request('GET', `/api/v1/ota/campaigns/${id}/devices`, { token: tw.adminToken })).body.items;
const stateOf = async (id: number): Promise<Record<string, string>> => Object.fromEntries((await devicesOf(id)).map((u) => [u.deviceName, u.state]));

beforeAll(async () => {
  tw = await startTestServer({ ota: { tickMs: 3_600_000, now: () => clock } });
  const port = await deployListener(tw, pipelineFlow());
  mqttUrl = `mqtt://127.0.0.1:${port}`;
  devices = await createDevices(tw, PK, ['r1', 'r2', 'r3', 'r4', 'r5', 't1', 't2', 'c1', 'c2', 'g1']);
  const res = await fetch(`${tw.url}/api/v1/firmware?productKey=${PK}&version=2.0.0`, {
    method: 'POST', headers: { authorization: `Bearer ${tw.adminToken}`, 'content-type': 'application/octet-stream' }, body: randomBytes(5000),
  });
  firmwareId = ((await res.json()) as TestJson).id;
  for (const d of devices) if (d.deviceName !== 'g1') await online(d, '1.0.0');
});

afterAll(async () => {
  for (const c of clients.values()) c.end(true);
  await tw?.close();
});

describe('campaign rules', () => {
  it('notifies no faster than its rate: 60 a minute is one a second on the campaign clock', async () => {
    const c = await create('rate', ['r1', 'r2', 'r3', 'r4', 'r5'], { ratePerMinute: 60 });
    const notified = async () => Object.values(await stateOf(c.id)).filter((s) => s === 'notified').length;
    expect(await notified()).toBe(0);
    clock += 1000;
    await tw.app.ota.tick();
    expect(await notified()).toBe(1);
    await tw.app.ota.tick();
    expect(await notified()).toBe(1);
    clock += 2000;
    await tw.app.ota.tick();
    // Two seconds saved up one second's worth, not two: no bursts after a quiet spell.
    expect(await notified()).toBe(2);
    clock += 1000;
    await tw.app.ota.tick();
    expect(await notified()).toBe(3);
    await tw.request('POST', `/api/v1/ota/campaigns/${c.id}/cancel`, { token: tw.adminToken });
  });

  it('times out a silent device, and retries it while it has retries left', async () => {
    const c = await create('timeouts', ['t1', 't2'], { deviceTimeoutSeconds: 60, retries: 1, failureThreshold: 1 });
    expect(await stateOf(c.id)).toEqual({ t1: 'notified', t2: 'notified' });
    await clients.get('t2')!.publishAsync(`/ota/device/progress/${PK}/t2`, JSON.stringify({ id: '5', params: { step: '30', desc: 'downloading' } }));
    await until('t2 downloading', () => stateOf(c.id), (s) => s.t2 === 'downloading');
    clock += 61_000;
    await tw.app.ota.tick();
    // Retried: queued again, then told again on the same step.
    let rows = await devicesOf(c.id);
    expect(rows.map((u) => [u.deviceName, u.state, u.attempts])).toEqual([['t1', 'notified', 2], ['t2', 'notified', 2]]);
    expect(rows[1].message).toBe('told again (2)');
    clock += 61_000;
    await tw.app.ota.tick();
    rows = await devicesOf(c.id);
    expect(rows.map((u) => u.state)).toEqual(['timed_out', 'timed_out']);
    expect(rows[0].reason).toBe('no progress for 60 s (last: notified, "told again (2)")');
    await tw.app.ota.tick();
    expect((await tw.request('GET', `/api/v1/ota/campaigns/${c.id}`, { token: tw.adminToken })).body).toMatchObject({ state: 'completed', counts: { timed_out: 2 } });
  });

  it('cancels: devices already told are told to stop, the rest never hear of it', async () => {
    const c = await create('cancel', ['c1', 'c2'], { maxInFlight: 1 });
    const rows = await devicesOf(c.id);
    expect(rows.map((u) => u.state)).toEqual(['notified', 'queued']);
    const stop = nextMessage(clients.get('c1')!, `/ota/device/upgrade/${PK}/c1`);
    const operator = await tw.tokenFor('operator');
    expect((await tw.request('POST', `/api/v1/ota/campaigns/${c.id}/cancel`, { token: operator })).status).toBe(403);
    const cancelled = await tw.request('POST', `/api/v1/ota/campaigns/${c.id}/cancel`, { token: tw.adminToken });
    expect(cancelled.body).toMatchObject({ state: 'cancelled', stateReason: 'cancelled by admin', counts: { cancelled: 2 } });
    expect(await stop).toMatchObject({ code: '9001', data: { version: '2.0.0' } });
    expect((await devicesOf(c.id))[0]).toMatchObject({ state: 'cancelled', reason: 'campaign cancelled by admin' });
    const again = await tw.request('POST', `/api/v1/ota/campaigns/${c.id}/resume`, { token: tw.adminToken, body: {} });
    expect(again.status).toBe(409);
    const audit = await tw.request('GET', '/api/v1/audit?limit=50', { token: tw.adminToken });
    expect(audit.body.items.map((e: TestJson) => e.action)).toEqual(expect.arrayContaining(['firmware.upload', 'ota.campaign.create', 'ota.campaign.cancel']));
  });

  it('does not let a device that asks for its upgrade past the rate', async () => {
    const c = await create('asking', ['c1', 'c2'], { ratePerMinute: 60 });
    const ask = async (name: string) => {
      const client = clients.get(name)!;
      await subscribe(client, `/sys/${PK}/${name}/thing/ota/firmware/get_reply`);
      const reply = nextMessage(client, `/sys/${PK}/${name}/thing/ota/firmware/get_reply`);
      await client.publishAsync(`/sys/${PK}/${name}/thing/ota/firmware/get`, JSON.stringify({ id: '8', version: '1.0', method: 'thing.ota.firmware.get', params: {} }));
      return (await reply).data;
    };
    // Nothing in the budget yet: not now.
    expect(await ask('c2')).toEqual({});
    clock += 1000;
    // A second's budget: the one who asks gets it, and the tick has nothing left for anyone else.
    expect(await ask('c2')).toMatchObject({ version: '2.0.0', module: 'default' });
    await tw.app.ota.tick();
    expect(await stateOf(c.id)).toEqual({ c1: 'queued', c2: 'notified' });
    clock += 1000;
    await tw.app.ota.tick();
    expect(await stateOf(c.id)).toEqual({ c1: 'notified', c2: 'notified' });
    await tw.request('POST', `/api/v1/ota/campaigns/${c.id}/cancel`, { token: tw.adminToken });
  });

  it('waits for its window to open, and completes when it closes, cancelling the devices it had not reached', async () => {
    const startAt = new Date(clock + 60_000).toISOString();
    const endAt = new Date(clock + 120_000).toISOString();
    const c = await create('window', ['r1', 'r2'], { startAt, endAt, maxInFlight: 1 });
    expect(c).toMatchObject({ state: 'scheduled', startedAt: null });
    await tw.app.ota.tick();
    expect(await stateOf(c.id)).toEqual({ r1: 'queued', r2: 'queued' });
    clock += 60_000;
    await tw.app.ota.tick();
    expect((await tw.request('GET', `/api/v1/ota/campaigns/${c.id}`, { token: tw.adminToken })).body).toMatchObject({ state: 'running', startedAt: new Date(clock).toISOString() });
    expect(await stateOf(c.id)).toEqual({ r1: 'notified', r2: 'queued' });
    await clients.get('r1')!.publishAsync(`/ota/device/inform/${PK}/r1`, JSON.stringify({ id: '20', params: { version: '2.0.0' } }));
    await until('r1 succeeded', () => stateOf(c.id), (s) => s.r1 === 'succeeded');
    // The window closes before r2's turn came.
    clock += 60_000;
    await tw.app.ota.tick();
    await tw.app.ota.tick();
    const done = (await tw.request('GET', `/api/v1/ota/campaigns/${c.id}`, { token: tw.adminToken })).body;
    expect(done).toMatchObject({ state: 'completed', stateReason: 'the window ended', counts: { succeeded: 1, cancelled: 1 } });
    expect((await devicesOf(c.id))[1]).toMatchObject({ deviceName: 'r2', reason: "the campaign's window ended before the device was notified" });
  });

  it('cancels the upgrade of a device that is deleted, and forgets its versions', async () => {
    const c = await create('deleted', ['r3'], {});
    expect(await stateOf(c.id)).toEqual({ r3: 'notified' });
    expect((await tw.request('DELETE', `/api/v1/devices/${PK}/r3`, { token: tw.adminToken })).status).toBe(204);
    await until('cancelled', () => devicesOf(c.id), (rows) => rows[0]?.state === 'cancelled');
    expect((await devicesOf(c.id))[0].reason).toBe('the device was deleted');
    expect((await tw.app.ota.deviceOta(PK, 'r3')).modules).toEqual([]);
  });

  it('answers a things-dialect device that asks for its upgrade, and takes its integer version as success', async () => {
    const [things] = await createDevices(tw, 'otathings', ['g1'], 'things');
    const client = await online(things!, 100000, 'things');
    const res = await fetch(`${tw.url}/api/v1/firmware?productKey=otathings&version=1.2.3`, {
      method: 'POST', headers: { authorization: `Bearer ${tw.adminToken}`, 'content-type': 'application/octet-stream' }, body: randomBytes(100),
    });
    const fw = (await res.json()) as TestJson;
    const push = nextMessage(client, 'otathings/g1/ota/upgrade');
    const c = await create('things', ['g1'], {}, fw.id);
    const [item] = await push;
    expect(item).toMatchObject({ key: 'default', version: 102003, version_name: '1.2.3', size: 100, sign_method: 'SHA256' });
    await subscribe(client, 'otathings/g1/thing/ota/firmware/get_reply');
    const reply = nextMessage(client, 'otathings/g1/thing/ota/firmware/get_reply');
    await client.publishAsync('otathings/g1/thing/ota/firmware/get', JSON.stringify({ id: '9', params: { module: 'default' } }));
    expect(await reply).toMatchObject({ id: '9', code: 200, data: { version: '1.2.3', size: 100, module: 'default' } });
    await client.publishAsync('otathings/g1/ota/progress', JSON.stringify({ key: 'default', step: 100, desc: 'burning' }));
    await until('flashing', () => stateOf(c.id), (s) => s.g1 === 'flashing');
    await client.publishAsync('otathings/g1/ota/version', JSON.stringify([{ key: 'default', version: 102003 }]));
    await until('succeeded', () => stateOf(c.id), (s) => s.g1 === 'succeeded');
  });

  it('tells a device what is wrong with a malformed report, in its message log', async () => {
    const client = clients.get('r1')!;
    await client.publishAsync(`/ota/device/inform/${PK}/r1`, JSON.stringify({ id: '77', params: { version: 'v1.2' } }));
    const logged = await until('logged', async () => (await tw.request('GET', `/api/v1/devices/${PK}/r1/messages?direction=up`, { token: tw.adminToken })).body.items
      .find((m: TestJson) => m.msgId === '77'), Boolean);
    expect(logged).toMatchObject({ code: 400, reason: 'version "v1.2" of module default is neither major.minor.patch nor its integer code' });
  });
});
