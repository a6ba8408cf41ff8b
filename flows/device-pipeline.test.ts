import path from 'node:path';
import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookTestReceiver } from '../server/notify/webhook-test-receiver.ts';
import { TELEMETRY_DB_FILE } from '../server/telemetry/sqlite-telemetry.ts';
import { connect, createDevices, deployListener, deviceOptions, request, subscribe, type TestDevice } from '../server/testing/mqtt-devices.ts';
import { pipelineFlow } from '../server/testing/pipeline-flow.ts';
import { startTestServer, type TestServer } from '../server/testing/test-server.ts';
import { until } from '../server/testing/until.ts';

/**
 * The shipped device pipeline end to end, with real MQTT devices: posts are validated, stored in the SQLite file,
 * visible through the telemetry API; an alert is raised after its `for` duration and cleared by its clear condition
 * with one webhook per transition; the scene-linkage example switches a fan on another device.
 */
let tw: TestServer;
let receiver: WebhookTestReceiver;
let sensor: TestDevice;
let fanDevice: TestDevice;
let port: number;
const clients: MqttClient[] = [];
const SECRET = 'pipeline-webhook-secret';
const topic = (d: TestDevice, suffix: string) => `/sys/${d.productKey}/${d.deviceName}/${suffix}`;
let nextId = 100;
const post = (params: object) => ({ id: String(++nextId), version: '1.0', sys: { ack: 1 }, method: 'thing.event.property.post', params });


beforeAll(async () => {
  // The webhook receiver is on loopback, which outbound requests may reach only when allowed.
  tw = await startTestServer({ config: { webhookAllowCidrs: ['127.0.0.1/32'] } });
  receiver = await startWebhookReceiver();
  [sensor] = await createDevices(tw, 'thermo', ['hall']);
  // The fan is a product of its own with a writable `fan` switch.
  const token = tw.adminToken;
  await tw.request('POST', '/api/v1/products', { token, body: { productKey: 'fans', name: 'Fans' } });
  await tw.request('PUT', '/api/v1/products/fans/thing-model/draft', {
    token, body: { properties: [{ identifier: 'fan', name: 'Fan', accessMode: 'rw', required: false, dataType: { type: 'bool', specs: { 0: 'off', 1: 'on' } } }], events: [], services: [] },
  });
  await tw.request('POST', '/api/v1/products/fans/thing-model/publish', { token });
  const created = await tw.request('POST', '/api/v1/devices', { token, body: { productKey: 'fans', deviceName: 'fan1' } });
  fanDevice = { productKey: 'fans', deviceName: 'fan1', deviceSecret: created.body.deviceSecret };
  port = await deployListener(tw, pipelineFlow({ alertForSeconds: 1, webhook: { url: receiver.url, secret: SECRET }, fan: fanDevice }));
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await tw?.close();
  await receiver?.close();
});

async function device(d: TestDevice): Promise<MqttClient> {
  const c = await connect(`mqtt://127.0.0.1:${port}`, deviceOptions(d));
  clients.push(c);
  return c;
}

describe('the default device pipeline', () => {
  it('stores a valid post as one row in the product table, answers 200 after the commit, and serves it through the API', async () => {
    const c = await device(sensor);
    await subscribe(c, topic(sensor, 'thing/event/property/post_reply'));
    const reply = await request(c, topic(sensor, 'thing/event/property/post'), post({ temperature: 21.5, target: { value: 20, time: 1_700_000_000_000 } }));
    expect(reply).toMatchObject({ code: 200 });

    // The SQLite file has the rows (the device time of `target` makes it a row of its own).
    const file = new Database(path.join(tw.dataDir, TELEMETRY_DB_FILE), { readonly: true });
    try {
      const rows = file.prepare('SELECT device, ts, p_temperature AS temperature, p_target AS target FROM t_thermo ORDER BY ts').all();
      expect(rows).toEqual([
        { device: 'hall', ts: 1_700_000_000_000, temperature: null, target: 20 },
        { device: 'hall', ts: expect.any(Number), temperature: 21.5, target: null },
      ]);
    } finally {
      file.close();
    }

    const shadow = await tw.request('GET', '/api/v1/devices/thermo/hall/properties', { token: tw.adminToken });
    expect(shadow.status).toBe(200);
    const byId = Object.fromEntries((shadow.body.items as { identifier: string; value: unknown }[]).map((i) => [i.identifier, i.value]));
    expect(byId).toEqual({ temperature: 21.5, target: 20 });
    const history = await tw.request('GET', `/api/v1/devices/thermo/hall/properties/temperature/history?from=${Date.now() - 60_000}`, { token: tw.adminToken });
    expect(history.body.items.map((p: { value: number }) => p.value)).toEqual([21.5]);
  });

  it('answers an invalid post 422 with every failing field and stores nothing of it', async () => {
    const c = await device(sensor);
    await subscribe(c, topic(sensor, 'thing/event/property/post_reply'));
    const reply = await request(c, topic(sensor, 'thing/event/property/post'), post({ temperature: 500, target: 'warm' }));
    expect(reply.code).toBe(422);
    expect(reply.data.map((f: { field: string }) => f.field).sort()).toEqual(['target', 'temperature']);
    const history = await tw.request('GET', `/api/v1/devices/thermo/hall/properties/temperature/history?from=${Date.now() - 60_000}`, { token: tw.adminToken });
    expect(history.body.items.map((p: { value: number }) => p.value)).not.toContain(500);
  });

  it('keeps telemetry for the product\'s retention: older rows go at the next sweep', async () => {
    const c = await device(sensor);
    await subscribe(c, topic(sensor, 'thing/event/property/post_reply'));
    const old = Date.now() - 3 * 86_400_000;
    expect(await request(c, topic(sensor, 'thing/event/property/post'), post({ target: { value: 7, time: old } }))).toMatchObject({ code: 200 });
    const targets = async () => (await tw.request('GET', `/api/v1/devices/thermo/hall/properties/target/history?from=${old - 1000}`, { token: tw.adminToken })).body.items.map((p: { value: number }) => p.value);
    expect(await targets()).toContain(7);

    const patched = await tw.request('PATCH', '/api/v1/products/thermo', { token: tw.adminToken, body: { retentionDays: 2 } });
    expect(patched.body.retentionDays).toBe(2);
    const swept = await tw.app.telemetry.retention.sweep();
    expect(swept.deleted.thermo).toBeGreaterThanOrEqual(1);
    expect(await targets()).not.toContain(7);
    await tw.request('PATCH', '/api/v1/products/thermo', { token: tw.adminToken, body: { retentionDays: null } });
  });

  it('raises the example alert after its for-duration, clears it below 28, with one webhook per transition; the scene sets the fan', async () => {
    const fan = await device(fanDevice);
    const setTopic = topic(fanDevice, 'thing/service/property/set');
    await subscribe(fan, setTopic);
    // The fan answers every property set like a real device would.
    fan.on('message', (t, payload) => {
      if (t !== setTopic) return;
      const { id } = JSON.parse(payload.toString()) as { id: string };
      fan.publish(`${setTopic}_reply`, JSON.stringify({ id, code: 200, data: {} }));
    });
    const sets: unknown[] = [];
    fan.on('message', (t, payload) => t === setTopic && sets.push(JSON.parse(payload.toString()).params));

    const c = await device(sensor);
    await subscribe(c, topic(sensor, 'thing/event/property/post_reply'));
    const hot = Date.now();
    for (const temperature of [35, 36, 34]) expect(await request(c, topic(sensor, 'thing/event/property/post'), post({ temperature }))).toMatchObject({ code: 200 });

    // The fan is switched on once (not per post).
    await until('fan on', () => sets, (s) => s.length === 1);
    expect(sets).toEqual([{ fan: 1 }]);

    // Raised after the 1 s `for`, once, whatever the number of posts.
    const raised = await until('alert raised', () => receiver.requests, (r) => r.length >= 1);
    expect(Date.now() - hot).toBeGreaterThanOrEqual(1000);
    expect(JSON.parse(raised[0]!.body)).toMatchObject({ transition: 'raised', alert: { deviceName: 'hall', severity: 'warning' } });
    const alerts = await tw.request('GET', '/api/v1/alerts?state=active', { token: tw.adminToken });
    expect(alerts.body.items).toHaveLength(1);

    // 29 is between the thresholds: nothing changes (hysteresis). 27 clears it.
    expect(await request(c, topic(sensor, 'thing/event/property/post'), post({ temperature: 29 }))).toMatchObject({ code: 200 });
    expect(await request(c, topic(sensor, 'thing/event/property/post'), post({ temperature: 27 }))).toMatchObject({ code: 200 });
    const both = await until('alert cleared', () => receiver.requests, (r) => r.length >= 2);
    expect(JSON.parse(both[1]!.body)).toMatchObject({ transition: 'cleared' });
    await until('fan off', () => sets, (s) => s.length === 2);
    expect(sets).toEqual([{ fan: 1 }, { fan: 0 }]);

    // Exactly one webhook per transition, each signed: the outbox holds one notification per transition, both
    // delivered (a delivered one is never sent again), and the receiver got those two.
    const notifications = await until('both webhooks recorded as delivered',
      async () => (await tw.request('GET', '/api/v1/notifications', { token: tw.adminToken })).body.items as { state: string }[],
      (items) => items.length >= 2 && items.every((n) => n.state === 'delivered'));
    expect(notifications).toHaveLength(2);
    expect(receiver.requests).toHaveLength(2);
    for (const r of receiver.requests) expect(Object.keys(r.headers).some((h) => /signature/i.test(h))).toBe(true);
    const cleared = await tw.request('GET', '/api/v1/alerts?state=cleared', { token: tw.adminToken });
    expect(cleared.body.items).toHaveLength(1);
  });
});
