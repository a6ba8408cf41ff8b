import path from 'node:path';
import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TELEMETRY_DB_FILE } from '../server/telemetry/sqlite-telemetry.ts';
import { connect, deployListener, deviceOptions, freePort, nextMessage, request, subscribe, type TestDevice } from '../server/testing/mqtt-devices.ts';
import { pipelineFlow } from '../server/testing/pipeline-flow.ts';
import { codecDocExample, meterCodec, meterTsl, publishCodec } from '../server/testing/codec-products.ts';
import { alinkSignIn, TcpTestDevice } from '../server/testing/tcp-devices.ts';
import { startTestServer, type TestServer } from '../server/testing/test-server.ts';
import { until } from '../server/testing/until.ts';

/**
 * What the default pipeline does with device messages it must not believe, with real signed MQTT devices: a device
 * time far in the future (refused, or clamped where the product says so) never pins the device's latest values, and
 * a payload that is not valid UTF-8 is refused rather than stored with replacement characters.
 */
let tw: TestServer;
let port: number;
const clients: MqttClient[] = [];
const YEAR_3000 = Date.UTC(3000, 0, 1);
const tsl = {
  properties: [
    { identifier: 'temperature', name: 'Temperature', accessMode: 'r', required: false, dataType: { type: 'float', specs: { min: '-40', max: '125' } } },
    { identifier: 'label', name: 'Label', accessMode: 'r', required: false, dataType: { type: 'text', specs: { length: '64' } } },
  ],
  events: [],
  services: [],
};
let nextId = 1000;
const post = (params: object, extra: object = {}) =>
  ({ id: String(++nextId), version: '1.0', sys: { ack: 1 }, method: 'thing.event.property.post', params, ...extra });
const postTopic = (d: TestDevice) => `/sys/${d.productKey}/${d.deviceName}/thing/event/property/post`;


/** A product with the label/temperature model and one device; `futureTimes` as given (absent: the default). */
async function productWithDevice(productKey: string, futureTimes?: 'refuse' | 'clamp'): Promise<TestDevice> {
  const token = tw.adminToken;
  const p = await tw.request('POST', '/api/v1/products', { token, body: { productKey, name: productKey, ...(futureTimes && { futureTimes }) } });
  expect(p.status).toBe(201);
  await tw.request('PUT', `/api/v1/products/${productKey}/thing-model/draft`, { token, body: tsl });
  await tw.request('POST', `/api/v1/products/${productKey}/thing-model/publish`, { token });
  const d = await tw.request('POST', '/api/v1/devices', { token, body: { productKey, deviceName: 'd1' } });
  return { productKey, deviceName: 'd1', deviceSecret: d.body.deviceSecret };
}

async function device(d: TestDevice): Promise<MqttClient> {
  const c = await connect(`mqtt://127.0.0.1:${port}`, deviceOptions(d));
  clients.push(c);
  await subscribe(c, `${postTopic(d)}_reply`);
  return c;
}

const latest = async (d: TestDevice) => {
  const res = await tw.request('GET', `/api/v1/devices/${d.productKey}/${d.deviceName}/properties`, { token: tw.adminToken });
  return Object.fromEntries((res.body.items as { identifier: string; value: unknown; time: string }[]).map((i) => [i.identifier, { value: i.value, time: i.time }]));
};

/** The message log entry of the uplink with this message id, once the log has it. */
const logged = (d: TestDevice, msgId: string) =>
  until(`message ${msgId} in the log`, async () => {
    const res = await tw.request('GET', `/api/v1/devices/${d.productKey}/${d.deviceName}/messages`, { token: tw.adminToken });
    return (res.body.items as { msgId: string | null; code: number | null; reason: string | null }[]).find((m) => m.msgId === msgId);
  }, (m) => m?.code != null);

const rows = (productKey: string) => {
  const file = new Database(path.join(tw.dataDir, TELEMETRY_DB_FILE), { readonly: true });
  try {
    return file.prepare(`SELECT ts, received_at AS receivedAt, p_temperature AS temperature, p_label AS label FROM t_${productKey.replaceAll('-', '_')} ORDER BY ts`).all() as
      { ts: number; receivedAt: number; temperature: number | null; label: string | null }[];
  } finally {
    file.close();
  }
};

beforeAll(async () => {
  tw = await startTestServer();
  port = await deployListener(tw, pipelineFlow());
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await tw?.close();
});

describe('device times ahead of the server clock', () => {
  it('refuses a post dated year 3000 with 400 saying how far ahead, logs it, and leaves the latest values alone', async () => {
    const d = await productWithDevice('clock-refuse');
    const c = await device(d);
    expect(await request(c, postTopic(d), post({ temperature: 20 }))).toMatchObject({ code: 200 });
    const before = await latest(d);
    expect(before.temperature?.value).toBe(20);

    // The envelope's time, and a property's own time: both refused, naming the time and by how much.
    const future = post({ temperature: 99 }, { time: YEAR_3000 });
    const reply = await request(c, postTopic(d), future);
    expect(reply).toMatchObject({ id: future.id, code: 400, method: 'thing.event.property.post' });
    expect(reply.message).toMatch(/^device clock is ahead: time is 9\d\d years \(\d+ ms\) after the time it was received; at most 5 min is allowed$/);
    const wrapped = post({ temperature: { value: 98, time: YEAR_3000 } });
    expect((await request(c, postTopic(d), wrapped)).message).toMatch(/^device clock is ahead: params\.temperature\.time is 9\d\d years/);
    expect(await logged(d, future.id)).toMatchObject({ code: 400, reason: reply.message });

    expect(await latest(d)).toEqual(before);
    expect(rows('clock-refuse').map((r) => r.temperature)).toEqual([20]);
    // Nothing is pinned: the next value measured now is the latest.
    expect(await request(c, postTopic(d), post({ temperature: 21 }))).toMatchObject({ code: 200 });
    expect((await latest(d)).temperature?.value).toBe(21);
  });

  it("with the product's clamp, stores a year-3000 post at the time it was received and answers it 200", async () => {
    const d = await productWithDevice('clock-clamp', 'clamp');
    const c = await device(d);
    const sentAfter = Date.now();
    expect(await request(c, postTopic(d), post({ temperature: { value: 30, time: YEAR_3000 } }, { time: YEAR_3000 }))).toMatchObject({ code: 200 });
    const repliedBefore = Date.now();
    const [row] = rows('clock-clamp');
    expect(row).toMatchObject({ temperature: 30 });
    expect(row!.ts).toBe(row!.receivedAt);
    expect(row!.ts).toBeGreaterThanOrEqual(sentAfter);
    expect(row!.ts).toBeLessThanOrEqual(repliedBefore);
    expect((await latest(d)).temperature).toEqual({ value: 30, time: new Date(row!.ts).toISOString() });
    expect(await request(c, postTopic(d), post({ temperature: 31 }))).toMatchObject({ code: 200 });
    expect((await latest(d)).temperature?.value).toBe(31);
  });

  it('takes a product setting changed under a connected device at its next message', async () => {
    const d = await productWithDevice('clock-switch');
    const c = await device(d);
    expect((await request(c, postTopic(d), post({ temperature: 1 }, { time: YEAR_3000 }))).code).toBe(400);
    const patched = await tw.request('PATCH', '/api/v1/products/clock-switch', { token: tw.adminToken, body: { futureTimes: 'clamp' } });
    expect(patched.body.futureTimes).toBe('clamp');
    expect((await request(c, postTopic(d), post({ temperature: 2 }, { time: YEAR_3000 }))).code).toBe(200);
  });

  it('takes old device times as buffered history: stored at their time, never displacing a newer latest value', async () => {
    const d = await productWithDevice('clock-history');
    const c = await device(d);
    expect(await request(c, postTopic(d), post({ temperature: 22 }))).toMatchObject({ code: 200 });
    const old = Date.UTC(2001, 0, 1);
    expect(await request(c, postTopic(d), post({ temperature: { value: 5, time: old } }))).toMatchObject({ code: 200 });
    expect(rows('clock-history').map((r) => [r.ts === old, r.temperature])).toEqual([[true, 5], [false, 22]]);
    expect((await latest(d)).temperature?.value).toBe(22);
  });
});

describe('payloads that are not valid UTF-8', () => {
  it('are answered 400 with their id, logged, and nothing of them is stored', async () => {
    const d = await productWithDevice('utf8-check');
    const c = await device(d);
    const body = post({ label: '@', temperature: 7 });
    const [head, tail] = JSON.stringify(body).split('@') as [string, string];
    const replied = nextMessage(c, `${postTopic(d)}_reply`);
    // "caf" and a lone 0xE9: Latin-1 firmware writing "café".
    await c.publishAsync(postTopic(d), Buffer.concat([Buffer.from(`${head}caf`), Buffer.from([0xe9]), Buffer.from(tail)]));
    expect(await replied).toMatchObject({ id: body.id, code: 400, message: 'malformed: payload is not valid UTF-8' });
    expect(await logged(d, body.id)).toMatchObject({ code: 400, reason: 'malformed: payload is not valid UTF-8' });

    // The same text in UTF-8 is taken as sent.
    expect(await request(c, postTopic(d), post({ label: 'café' }))).toMatchObject({ code: 200 });
    expect(rows('utf8-check').map((r) => [r.label, r.temperature])).toEqual([['café', null]]);
    expect((await latest(d)).label?.value).toBe('café');
  });
});

describe('the example tabs', () => {
  it('installs the TCP and Modbus examples disabled: the example listener takes no port until its tab is enabled', async () => {
    const flows = pipelineFlow();
    expect(flows.filter((n) => n.type === 'tab' && n.id !== 'tw-devices-tab').map((n) => [n.id, n.disabled]))
      .toEqual([['tw-scene-tab', true], ['tw-tcp-tab', true], ['tw-modbus-tab', true]]);
    expect(tw.app.tcpListeners.listeners().length, 'the disabled tab\'s listener is not started').toBe(0);
  });

  it('the TCP example, enabled, serves a device whose product has the docs\' codec: its frames are stored by the Devices tab', async () => {
    const token = tw.adminToken;
    expect((await tw.request('POST', '/api/v1/products', { token, body: { productKey: 'a1meter', name: 'meter' } })).status).toBe(201);
    await tw.request('PUT', '/api/v1/products/a1meter/thing-model/draft', { token, body: meterTsl });
    expect((await tw.request('POST', '/api/v1/products/a1meter/thing-model/publish', { token })).status).toBe(201);
    await publishCodec(tw, 'a1meter', meterCodec);
    const created = await tw.request('POST', '/api/v1/devices', { token, body: { productKey: 'a1meter', deviceName: 'meter-1' } });
    const meter: TestDevice = { productKey: 'a1meter', deviceName: 'meter-1', deviceSecret: created.body.deviceSecret };

    const tcpPort = await freePort();
    expect((await tw.request('POST', '/api/v1/flows', { token, body: { flows: pipelineFlow({ tcpExamplePort: tcpPort }) } })).status).toBe(200);
    await until('the example TCP listener listens', () => tw.app.tcpListeners.listeners().filter((l) => l.port === tcpPort).length, (n) => n === 1);
    const device = await TcpTestDevice.connect(tcpPort, 'length16');
    try {
      device.send(alinkSignIn(meter));
      expect(await device.nextJson()).toEqual({ code: 0, message: 'success' });
      device.send(Buffer.from(codecDocExample('uplink').replace(/\s+/g, ''), 'hex'));
      await until('the meter\'s frame is stored', async () => (await latest(meter)).voltage?.value, (v) => v === 230.5);
      expect(await latest(meter)).toMatchObject({ current: { value: 1.25 }, power: { value: 288.125 }, relay: { value: 1 } });
    } finally {
      device.end();
    }
  });
});
