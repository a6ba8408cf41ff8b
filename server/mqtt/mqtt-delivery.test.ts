import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAlink } from '../device-auth/alink-sign.ts';
import { connect, createDevices, deployListener, deviceOptions, listenerFlow, nextMessage, request, subscribe, type TestDevice } from '../testing/mqtt-devices.ts';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

// What a device can rely on: sessions that belong to the identity that signed in, resends answered rather than stored
// twice (stored once: see flows/device-pipeline-restart.test.ts), nothing kept for it that it did not ask for, and MQTT 5 reason codes on every refusal.
let tw: TestServer;
let url: string;
let a: TestDevice;
let b: TestDevice;
let c: TestDevice;
const clients: MqttClient[] = [];
const open = async (device: TestDevice, extra = {}) => {
  const client = await connect(url, deviceOptions(device, 'alink', extra));
  clients.push(client);
  return client;
};
const P = (d: TestDevice) => `/sys/${d.productKey}/${d.deviceName}`;
const post = (id: string, params: object = { temperature: 21 }) => ({ id, version: '1.0', sys: { ack: 1 }, method: 'thing.event.property.post', params });
const history = async (d: TestDevice) =>
  (await tw.request('GET', `/api/v1/devices/${d.productKey}/${d.deviceName}/connections`, { token: tw.adminToken })).body.items as { event: string; reason: string | null }[];

beforeAll(async () => {
  tw = await startTestServer();
  [a, b, c] = await createDevices(tw, 'pk1', ['a', 'b', 'c']);
  // A rate limit low enough for one test to pass it on purpose (bursts of 40).
  url = `mqtt://127.0.0.1:${await deployListener(tw, listenerFlow({ ratePerDevice: 20 }))}`;
});
afterAll(async () => {
  for (const client of clients) client.end(true);
  await tw?.close();
});

describe('sessions belong to the identity that signed in', () => {
  it('does not let a device with its own valid signature take over another device\'s session by using its client id', async () => {
    const victim = await open(b);
    let victimClosed = false;
    victim.on('close', () => (victimClosed = true));
    // A signs with its own secret, but claims B's client id.
    const signed = signAlink({ ...a, clientId: `${b.deviceName}-c`, timestamp: Date.now() });
    const intruder = await open(a, { clientId: signed.clientId, username: signed.username, password: signed.password });
    await subscribe(intruder, `${P(a)}/thing/event/property/post_reply`);
    await subscribe(victim, `${P(b)}/thing/event/property/post_reply`);
    // Both are served, each as itself.
    expect(await request(intruder, `${P(a)}/thing/event/property/post`, post('1'))).toMatchObject({ code: 200 });
    expect(await request(victim, `${P(b)}/thing/event/property/post`, post('1'))).toMatchObject({ code: 200 });
    expect(victimClosed).toBe(false);
    expect((await history(b)).filter((h) => h.event === 'disconnected')).toEqual([]);
    victim.end(true);
    intruder.end(true);
  });

  it('resumes a persistent session under a new Alink client id: subscriptions kept, a command queued while offline delivered without subscribing again', async () => {
    const first = await open(c, { clean: false });
    await subscribe(first, `${P(c)}/thing/service/property/set`);
    const gone = new Promise<void>((r) => first.once('close', () => r()));
    first.end();
    await gone;
    const queued = await tw.request('POST', `/api/v1/devices/${c.productKey}/${c.deviceName}/commands`, {
      token: tw.adminToken, body: { kind: 'property.set', params: { target: 22 }, whenOffline: 'queue', timeoutMs: 5000 },
    });
    expect(queued.status).toBe(202);

    // A real Alink device signs every connection with a new timestamp, so its client id string changes each time.
    const again = signAlink({ ...c, clientId: `${c.deviceName}-c`, timestamp: Date.now() + 1 });
    const resumed = await open(c, { clean: false, clientId: again.clientId, username: again.username, password: again.password });
    const command = JSON.parse((await new Promise<Buffer>((resolve) => resumed.once('message', (_t, payload) => resolve(payload)))).toString());
    expect(command).toMatchObject({ method: 'thing.service.property.set', params: { target: 22 } });
    resumed.publish(`${P(c)}/thing/service/property/set_reply`, JSON.stringify({ id: command.id, code: 200, data: {} }), { qos: 1 });
    await expect.poll(async () => {
      const log = await tw.request('GET', `/api/v1/devices/${c.productKey}/${c.deviceName}/messages?direction=down`, { token: tw.adminToken });
      return log.body.items[0]?.code;
    }).toBe(200);
    resumed.end(true);
  });
});

describe('a resent message is answered, not stored twice', () => {
  it('answers the same id and bytes with the first verdict (also as a QoS 1 DUP), and stores it once', async () => {
    const device = await open(a);
    await subscribe(device, `${P(a)}/thing/event/property/post_reply`);
    const body = post('5000', { temperature: 33.3 });
    expect(await request(device, `${P(a)}/thing/event/property/post`, body)).toMatchObject({ id: '5000', code: 200 });
    const replied = nextMessage(device, `${P(a)}/thing/event/property/post_reply`);
    await device.publishAsync(`${P(a)}/thing/event/property/post`, JSON.stringify(body), { qos: 1, dup: true });
    expect(await replied).toMatchObject({ id: '5000', code: 200, message: expect.stringContaining('repeat of a message already received') });
    // The same id with other bytes is a new message (a device that numbers from 1 again after a reboot).
    expect(await request(device, `${P(a)}/thing/event/property/post`, post('5000', { temperature: 34.4 }))).toMatchObject({ code: 200, message: 'success' });
    // The flow saw each message once; the resend is in the log as a repeat, answered without it.
    const log = (await tw.request('GET', `/api/v1/devices/${a.productKey}/${a.deviceName}/messages?direction=up`, { token: tw.adminToken })).body.items as { msgId: string; code: number; reason: string | null; payload: string }[];
    expect(log.filter((m) => m.msgId === '5000').reverse().map((m) => [m.code, m.reason?.startsWith('repeat') ?? false, JSON.parse(m.payload).temperature])).toEqual([
      [200, false, 33.3],
      [200, true, 33.3],
      [200, false, 34.4],
    ]);
    const metrics = await (await fetch(`${tw.url}/metrics`)).text();
    expect(metrics).toMatch(/^thingwire_device_uplink_repeats_total 1$/m);
  });
});

describe('retained messages', () => {
  it('takes a retained post as a plain one and keeps nothing for later subscribers', async () => {
    const device = await open(b);
    await subscribe(device, `${P(b)}/thing/event/property/post_reply`);
    const replied = nextMessage(device, `${P(b)}/thing/event/property/post_reply`);
    device.publish(`${P(b)}/thing/event/property/post`, JSON.stringify(post('77')), { qos: 1, retain: true });
    expect(await replied).toMatchObject({ id: '77', code: 200 });
    device.end(true);

    // A later connection subscribing to all of its topics gets no retained message: the first thing it receives is a
    // command sent after it subscribed.
    const later = await open(b);
    const first = new Promise<string>((resolve) => later.once('message', (topic) => resolve(topic)));
    await subscribe(later, `${P(b)}/#`);
    void tw.request('POST', `/api/v1/devices/${b.productKey}/${b.deviceName}/commands`, { token: tw.adminToken, body: { kind: 'property.set', params: { target: 10 }, timeoutMs: 500 } });
    expect(await first).toBe(`${P(b)}/thing/service/property/set`);
  });
});

describe('MQTT 5 reason codes', () => {
  it('refuses a publish outside the namespace with PUBACK 0x87 and keeps the connection; past the rate limit with 0x97', async () => {
    const device = await open(a, { protocolVersion: 5 });
    let closed = false;
    device.on('close', () => (closed = true));
    const refused = await device.publishAsync(`${P(b)}/thing/event/property/post`, JSON.stringify(post('1')), { qos: 1 }).then(() => undefined, (err: Error & { code?: number }) => err);
    expect(refused?.code).toBe(0x87);
    expect(closed).toBe(false);

    // Bursts of 40 at 20 messages/s: sixty at once pass the limit.
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) =>
      device.publishAsync(`${P(a)}/thing/event/property/post`, JSON.stringify(post(String(9000 + i))), { qos: 1 }).then(() => 0, (err: Error & { code?: number }) => err.code ?? -1)));
    expect(results.filter((code) => code === 0x97).length).toBeGreaterThan(0);
    expect(results.filter((code) => code !== 0 && code !== 0x97)).toEqual([]);
    expect(closed).toBe(false);
  });

  it('accepts keepalive 0 when the listener\'s range allows it', async () => {
    const device = await open(c, { keepalive: 0 });
    expect(device.connected).toBe(true);
  });
});

describe('QoS 2', () => {
  it('completes the exchange once the verdict is in, and answers a resend of the same message from its receipt', async () => {
    const device = await open(c);
    await subscribe(device, `${P(c)}/thing/event/property/post_reply`);
    const replies: { id: string; code: number; message: string }[] = [];
    device.on('message', (_t, payload) => replies.push(JSON.parse(payload.toString())));
    await device.publishAsync(`${P(c)}/thing/event/property/post`, JSON.stringify(post('6000')), { qos: 2 });
    // PUBREC waited for the verdict, which was sent first.
    expect(replies).toEqual([expect.objectContaining({ id: '6000', code: 200 })]);
    await device.publishAsync(`${P(c)}/thing/event/property/post`, JSON.stringify(post('6000')), { qos: 2 });
    expect(replies[1]).toMatchObject({ id: '6000', code: 200, message: expect.stringContaining('repeat') });
  });
});
