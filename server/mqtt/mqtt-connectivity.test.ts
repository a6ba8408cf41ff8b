import net from 'node:net';
import type { MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAlink } from '../device-auth/alink-sign.ts';
import type { DeviceAuthLookup } from '../device-auth/device-authenticator.ts';
import { signThings } from '../device-auth/things-sign.ts';
import { connect, createDevices, deployListener, deviceOptions, listenerFlow, nextMessage, request, subscribe, type TestDevice } from '../testing/mqtt-devices.ts';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

const REPLY_TIMEOUT_MS = 500;
let tw: TestServer;
let url: string;
let a: TestDevice;
let b: TestDevice;
let t: TestDevice;
const clients: MqttClient[] = [];
const open = async (device: TestDevice, dialect: 'alink' | 'things' = 'alink', extra = {}) => {
  const c = await connect(url, deviceOptions(device, dialect, extra));
  clients.push(c);
  return c;
};

beforeAll(async () => {
  tw = await startTestServer();
  [a, b] = await createDevices(tw, 'pk1', ['a', 'b']);
  [t] = await createDevices(tw, 'pk2', ['t1'], 'things');
  // A short reply timeout (the listener's setting), so that what no flow answers shows up quickly.
  url = `mqtt://127.0.0.1:${await deployListener(tw, listenerFlow({ replyTimeoutMs: REPLY_TIMEOUT_MS }))}`;
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await tw?.close();
});

const P = (d: TestDevice) => `/sys/${d.productKey}/${d.deviceName}`;
const post = (params: object, id = '1', ack = 1) => ({ id, version: '1.0', sys: { ack }, method: 'thing.event.property.post', params });
/** The device's message log entry for a message id, once it has a result code (the log is written in batches). */
async function loggedWithCode(device: TestDevice, msgId: string) {
  let item: { msgId: string; code: number | null; reason: string | null } | undefined;
  await expect.poll(async () => {
    const log = await tw.request('GET', `/api/v1/devices/${device.productKey}/${device.deviceName}/messages?direction=up`, { token: tw.adminToken });
    item = log.body.items.find((m: { msgId: string }) => m.msgId === msgId);
    return item?.code ?? null;
  }, { timeout: 5000 }).not.toBeNull();
  return item!;
}
const refusals = async (device: TestDevice) =>
  (await tw.request('GET', `/api/v1/devices/${device.productKey}/${device.deviceName}/connections`, { token: tw.adminToken })).body.items
    .filter((h: { event: string }) => h.event === 'refused') as { reason: string; dialect: string | null }[];

describe('alink over MQTT 3.1.1', () => {
  it('accepts a signed device and answers its property post 200 once the flow accepted it', async () => {
    const c = await open(a);
    await subscribe(c, `${P(a)}/thing/event/property/post_reply`);
    const reply = await request(c, `${P(a)}/thing/event/property/post`, post({ temperature: 21.5, target: { value: 20, time: 1700000000000 } }, '42'));
    expect(reply).toMatchObject({ id: '42', code: 200 });
    const device = await tw.request('GET', '/api/v1/devices/pk1/a', { token: tw.adminToken });
    expect(device.body.status).toBe('online');
  });

  it('answers 422 with each failing field when the values break the thing model', async () => {
    const c = await open(b);
    await subscribe(c, `${P(b)}/thing/event/property/post_reply`);
    const reply = await request(c, `${P(b)}/thing/event/property/post`, post({ temperature: 900, target: 'warm' }, '7'));
    expect(reply.id).toBe('7');
    expect(reply.code).toBe(422);
    expect(reply.data.map((f: { field: string }) => f.field).sort()).toEqual(['target', 'temperature']);
  });

  it('answers broken JSON with 400, never crashing, and logs it in the device\'s message log', async () => {
    const c = clients[0]!;
    const reply = nextMessage(c, `${P(a)}/thing/event/property/post_reply`);
    await c.publishAsync(`${P(a)}/thing/event/property/post`, '{"id":"5","params":{');
    expect((await reply).code).toBe(400);
    const log = await tw.request('GET', '/api/v1/devices/pk1/a/messages', { token: tw.adminToken });
    expect(log.status).toBe(200);
    expect(log.body.items.some((m: { code: number }) => m.code === 400)).toBe(true);
    expect((await tw.request('GET', '/healthz')).status).toBe(200);
  });
});

describe('verdicts and timeouts', () => {
  it('records the flow\'s verdict on uplinks without ack in the message log, in both dialects, and publishes no reply', async () => {
    const c = await open(b);
    await subscribe(c, `${P(b)}/thing/event/property/post_reply`);
    await c.publishAsync(`${P(b)}/thing/event/property/post`, JSON.stringify(post({ temperature: 900 }, '31', 0)));
    // Had the 422 been published it would come first: the answers go out in the order the flow gives them.
    expect(await request(c, `${P(b)}/thing/event/property/post`, post({ temperature: 20 }, '32'))).toMatchObject({ id: '32', code: 200 });
    expect(await loggedWithCode(b, '31')).toMatchObject({ code: 422 });

    const things = await open(t, 'things');
    await things.publishAsync('pk2/t1/thing/event/property/post', JSON.stringify({ id: '33', ack: 0, params: { temperature: 20 } }));
    expect(await loggedWithCode(t, '33')).toMatchObject({ code: 200 });
  });

  it('records 503 at once for an uplink that no device in node takes', async () => {
    const c = await open(b);
    // The test flow's device in nodes take property and event posts and firmware requests: nobody takes a version report.
    await c.publishAsync(`/ota/device/inform/${b.productKey}/${b.deviceName}`, JSON.stringify({ id: '34', params: { version: '1.0.0' } }), { qos: 1 });
    expect(await loggedWithCode(b, '34')).toMatchObject({ code: 503, reason: 'no flow handles ota.inform messages' });
  });

  it('answers 504 to an uplink with ack once the listener\'s reply timeout passes, not the hub default', async () => {
    const c = await open(a);
    const topic = `${P(a)}/thing/ota/firmware/get`;
    await subscribe(c, `${topic}_reply`);
    const reply = await request(c, topic, { id: '35', version: '1.0', sys: { ack: 1 }, method: 'thing.ota.firmware.get', params: { module: 'default' } });
    expect(reply).toMatchObject({ id: '35', code: 504, message: `no flow answered in ${REPLY_TIMEOUT_MS} ms` });
  });
});

describe('things dialect', () => {
  it('accepts the nonce signature and answers on {topic}_reply', async () => {
    const c = await open(t, 'things');
    const topic = `pk2/t1/thing/event/property/post`;
    await subscribe(c, `${topic}_reply`);
    const reply = await request(c, topic, { id: '3', ack: 1, params: { temperature: 20 } });
    expect(reply).toMatchObject({ id: '3', code: 200 });
  });
});

describe('refusals', () => {
  it('refuses unknown devices, wrong signatures and disabled devices with the same CONNACK, reasons in the history', async () => {
    const refusedCode = async (options: object) => {
      const err = (await connect(url, options).then(() => undefined, (e: Error & { code?: number }) => e))!;
      expect(err, 'connection must be refused').toBeDefined();
      return err.code;
    };
    const ghost = { productKey: 'pk1', deviceName: 'ghost', deviceSecret: a.deviceSecret };
    const wrong = { ...a, deviceSecret: '0'.repeat(64) };
    // Correctly signed an hour ago: refused for its timestamp, not its signature.
    const stale = signAlink({ ...a, clientId: 'a-c', timestamp: Date.now() - 3_600_000 });
    const codes = [
      await refusedCode(deviceOptions(ghost)),
      await refusedCode(deviceOptions(wrong)),
      await refusedCode({ ...deviceOptions(a), ...stale }),
    ];
    await tw.request('PATCH', '/api/v1/devices/pk1/b', { token: tw.adminToken, body: { enabled: false } });
    codes.push(await refusedCode(deviceOptions(b)));
    expect(new Set(codes).size).toBe(1);
    expect(await refusals(a)).toEqual([
      expect.objectContaining({ reason: 'stale-timestamp', dialect: 'alink' }),
      expect.objectContaining({ reason: 'bad-signature', dialect: 'alink' }),
    ]);
    expect(await refusals(b)).toEqual([expect.objectContaining({ reason: 'disabled', dialect: 'alink' })]);
    await tw.request('PATCH', '/api/v1/devices/pk1/b', { token: tw.adminToken, body: { enabled: true } });
  });

  it('refuses a things sign-in with a stale timestamp or a replayed nonce, with the same CONNACK, reasons in the history', async () => {
    const refusal = (options: object) => connect(url, options).then(() => undefined, (e: Error & { code?: number }) => e.code);
    const base = deviceOptions(t, 'things');
    const stale = signThings({ ...t, timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect(await refusal({ ...base, ...stale })).toBe(5);

    const once = signThings({ ...t, nonce: 'replay-me' });
    const first = await connect(url, { ...base, ...once });
    first.end(true);
    expect(await refusal({ ...base, ...once })).toBe(5);

    expect((await refusals(t)).slice(0, 2)).toEqual([
      expect.objectContaining({ reason: 'replayed-nonce', dialect: 'things' }),
      expect.objectContaining({ reason: 'stale-timestamp', dialect: 'things' }),
    ]);
  });
});

describe('sessions', () => {
  it('takes over: a second connection with the same identity closes the first', async () => {
    const first = await open(a);
    const closed = new Promise((r) => first.once('close', () => r(undefined)));
    await open(a);
    await closed;
    const history = await tw.request('GET', '/api/v1/devices/pk1/a/connections', { token: tw.adminToken });
    expect(history.body.items.map((h: { reason: string }) => h.reason)).toContain("takeover");
    expect((await tw.request('GET', '/api/v1/devices/pk1/a', { token: tw.adminToken })).body.status).toBe('online');
  });

  it('sets nothing up for a device that hangs up while its credentials are still being read', async () => {
    const [late] = await createDevices(tw, 'pk9', ['hangs-up']);
    // As the authenticator reads it: a cluster's device store answers from the database, later.
    const devices = tw.app.registry.devices as { credentialsFor: DeviceAuthLookup['credentialsFor'] };
    const read = devices.credentialsFor;
    let asked!: () => void;
    const reading = new Promise<void>((resolve) => (asked = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // Its credentials take a while, as a read from a busy database would.
    devices.credentialsFor = async (productKey, deviceName) => {
      asked();
      await held;
      return read.call(devices, productKey, deviceName);
    };
    const connections = async () => (await tw.request('GET', '/api/v1/devices/pk9/hangs-up/connections', { token: tw.adminToken })).body.items as { event: string }[];
    try {
      const { clientId, username, password } = deviceOptions(late);
      const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 60, clientId: clientId!, username, password: Buffer.from(String(password)) }));
      await reading;
      const pendingSignIns = async () => Number(/^thingwire_mqtt_pending_sign_ins (\d+)/m.exec(await (await fetch(`${tw.url}/metrics`)).text())?.[1]);
      expect(await pendingSignIns()).toBe(1);
      socket.destroy();
      // The server has seen it go before its credentials arrive.
      await expect.poll(pendingSignIns).toBe(0);
    } finally {
      devices.credentialsFor = read;
      release();
    }
    // The next connection is the device's first session: the one that hung up left no session, status or history.
    const c = await open(late);
    await expect.poll(async () => (await connections()).map((h) => h.event)).toEqual(['connected']);
    expect(tw.app.hub.isOnline('pk9', 'hangs-up')).toBe(true);
    c.end(true);
  });

  it('keeps every device connected through repeated full deploys', async () => {
    const c = await open(b);
    let disconnects = 0;
    c.on('close', () => disconnects++);
    for (let i = 0; i < 5; i++) {
      const flows = [...listenerFlow(), { id: `note${i}`, type: 'comment', z: 'tab', x: 10, y: 10, name: `deploy ${i}`, wires: [] }];
      await deployListener(tw, flows);
    }
    await subscribe(c, `${P(b)}/thing/event/property/post_reply`);
    const reply = await request(c, `${P(b)}/thing/event/property/post`, post({ temperature: 1 }, '99'));
    expect(reply.code).toBe(200);
    expect(disconnects).toBe(0);
  });
});

describe('commands', () => {
  it('sets properties on a device and returns its reply, matched by id', async () => {
    const c = await open(a);
    await subscribe(c, `${P(a)}/thing/service/property/set`);
    c.on('message', (topic, payload) => {
      if (topic !== `${P(a)}/thing/service/property/set`) return;
      const { id } = JSON.parse(payload.toString());
      void c.publishAsync(`${topic}_reply`, JSON.stringify({ id, code: 200, data: {} }));
    });
    const res = await tw.request('POST', '/api/v1/devices/pk1/a/commands', { token: tw.adminToken, body: { kind: 'property.set', params: { target: 22 }, timeoutMs: 3000 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 200 });
  });

  it('answers 504 when the device does not reply, and 503 at once when it is offline', async () => {
    const silent = await tw.request('POST', '/api/v1/devices/pk1/b/commands', { token: tw.adminToken, body: { kind: 'service.invoke', serviceId: 'reboot', params: { delay: 1 }, timeoutMs: 300 } });
    expect(silent.body.code).toBe(504);
    await tw.request('POST', '/api/v1/devices', { token: tw.adminToken, body: { productKey: 'pk1', deviceName: 'never-connected' } });
    const offline = await tw.request('POST', '/api/v1/devices/pk1/never-connected/commands', { token: tw.adminToken, body: { kind: 'property.set', params: { target: 9 }, whenOffline: 'fail' } });
    expect(offline.body.code).toBe(503);
  });

  it('queues a command for an offline device and delivers it once the device subscribes', async () => {
    await tw.request('POST', '/api/v1/devices', { token: tw.adminToken, body: { productKey: 'pk1', deviceName: 'sleepy' } });
    const secret = (await tw.request('POST', '/api/v1/devices/pk1/sleepy/secret/reveal', { token: tw.adminToken })).body.deviceSecret;
    const queued = await tw.request('POST', '/api/v1/devices/pk1/sleepy/commands', {
      token: tw.adminToken, body: { kind: 'property.set', params: { target: 18 }, whenOffline: 'queue', timeoutMs: 5000 },
    });
    expect(queued.status).toBe(202);
    const sleepy = await open({ productKey: 'pk1', deviceName: 'sleepy', deviceSecret: secret });
    const command = nextMessage(sleepy, '/sys/pk1/sleepy/thing/service/property/set');
    await subscribe(sleepy, '/sys/pk1/sleepy/thing/service/#');
    expect(await command).toMatchObject({ method: 'thing.service.property.set', params: { target: 18 } });
  });
});
