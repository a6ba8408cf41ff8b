import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAlink } from '../device-auth/alink-sign.ts';
import { signThings } from '../device-auth/things-sign.ts';
import { connect, createDevices, deployListener, deviceOptions, freePort, listenerFlow, request, selfSignedCert, subscribe, type TestDevice } from '../testing/mqtt-devices.ts';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { until } from '../testing/until.ts';

let tw: TestServer;
let port: number;
let tlsPort: number;
let cert: string;
let d1: TestDevice;
let d2: TestDevice;
let d3: TestDevice;
let t1: TestDevice;
let t2: TestDevice;
const clients: MqttClient[] = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-tls-'));
const P = (d: TestDevice) => `/sys/${d.productKey}/${d.deviceName}`;
const post = (params: object, id = '1') => ({ id, version: '1.0', sys: { ack: 1 }, method: 'thing.event.property.post', params });

beforeAll(async () => {
  tw = await startTestServer();
  [d1, d2, d3] = await createDevices(tw, 'pk1', ['d1', 'd2', 'd3']);
  [t1, t2] = await createDevices(tw, 'pk3', ['t1', 't2'], 'things');
  const pem = selfSignedCert(tmp);
  cert = pem.cert;
  tlsPort = await freePort();
  const flows = listenerFlow({ tlsPort, tlsCert: pem.cert, ratePerDevice: 5, maxPayloadBytes: 1024, keepaliveMin: 5 });
  (flows[1] as Record<string, unknown>).credentials = { tlsKey: pem.key };
  port = await deployListener(tw, flows);
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await tw?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs a Debian mosquitto client to completion (bounded by a timeout) and returns its output. */
function run(cmd: string, args: string[], timeoutMs = 10_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('transports', () => {
  it('serves mosquitto_pub and mosquitto_sub with a real signature (MQTT 3.1.1)', async () => {
    // d1 listens for commands with mosquitto_sub; a property set sent through the API reaches it.
    const s = signAlink({ productKey: 'pk1', deviceName: 'd1', deviceSecret: d1.deviceSecret, clientId: 'mosq-sub', timestamp: Date.now() });
    const sub = run('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), '-i', s.clientId, '-u', s.username, '-P', s.password, '-k', '30', '-t', `${P(d1)}/thing/service/property/set`, '-C', '1', '-W', '8']);
    // Queued for a device not connected yet; the hub sends it once the device has subscribed.
    const sent = tw.request('POST', '/api/v1/devices/pk1/d1/commands', {
      token: tw.adminToken, body: { kind: 'property.set', params: { target: 21 }, whenOffline: 'queue', timeoutMs: 8000 },
    });
    const received = await sub;
    await sent;
    expect(received.code, received.out).toBe(0);
    expect(JSON.parse(received.out)).toMatchObject({ method: 'thing.service.property.set', params: { target: 21 } });

    // d2 posts with mosquitto_pub; the post is accepted (200 in its message log).
    const pub = signAlink({ productKey: 'pk1', deviceName: 'd2', deviceSecret: d2.deviceSecret, clientId: 'mosq-pub', timestamp: Date.now() });
    const result = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-i', pub.clientId, '-u', pub.username, '-P', pub.password, '-k', '30', '-q', '1', '-t', `${P(d2)}/thing/event/property/post`, '-m', JSON.stringify(post({ temperature: 3 }, '77'))]);
    expect(result.code, result.out).toBe(0);
    const logged = async () => (await tw.request('GET', '/api/v1/devices/pk1/d2/messages', { token: tw.adminToken })).body.items.find((m: { msgId: string }) => m.msgId === '77');
    expect((await until('the post logged with its code', logged, (m) => Boolean(m?.code), 5000)).code).toBe(200);

    const refused = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-i', pub.clientId, '-u', pub.username, '-P', 'deadbeef', '-k', '30', '-t', 'x', '-m', '1']);
    expect(refused.code).not.toBe(0);
    expect(refused.out).toMatch(/not authori[sz]ed/i);
  });

  it('serves mosquitto_pub and mosquitto_sub speaking the things dialect', async () => {
    // t1 waits for a command with mosquitto_sub; things clients are named by their device, so t2 posts.
    const s = signThings(t1);
    const sub = run('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), '-i', s.clientId, '-u', s.username, '-P', s.password, '-k', '30', '-t', 'pk3/t1/thing/service/property/set', '-C', '1', '-W', '8']);
    const sent = tw.request('POST', '/api/v1/devices/pk3/t1/commands', {
      token: tw.adminToken, body: { kind: 'property.set', params: { target: 19 }, whenOffline: 'queue', timeoutMs: 8000 },
    });
    const received = await sub;
    await sent;
    expect(received.code, received.out).toBe(0);
    // The things envelope: no method, no version.
    expect(JSON.parse(received.out)).toEqual({ id: expect.stringMatching(/^\d+$/), params: { target: 19 } });
    const history = await tw.request('GET', '/api/v1/devices/pk3/t1/connections', { token: tw.adminToken });
    expect(history.body.items.at(-1)).toMatchObject({ event: 'connected', dialect: 'things', clientId: 't1' });

    const pub = signThings(t2);
    const result = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-i', pub.clientId, '-u', pub.username, '-P', pub.password, '-k', '30', '-q', '1', '-t', 'pk3/t2/thing/event/property/post', '-m', JSON.stringify({ id: '78', ack: 1, params: { temperature: 3 } })]);
    expect(result.code, result.out).toBe(0);
    await expect.poll(async () => (await tw.request('GET', '/api/v1/devices/pk3/t2/messages', { token: tw.adminToken })).body.items
      .find((m: { msgId: string }) => m.msgId === '78')?.code, { timeout: 5000 }).toBe(200);

    // The same password again is a replayed nonce: refused like any bad sign-in.
    const replayed = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-i', pub.clientId, '-u', pub.username, '-P', pub.password, '-k', '30', '-t', 'pk3/t2/thing/event/property/post', '-m', '{}']);
    expect(replayed.code).not.toBe(0);
    expect(replayed.out).toMatch(/not authori[sz]ed/i);
  });

  it('serves MQTT over WebSocket at /mqtt on the HTTP port', async () => {
    const c = await connect(`${tw.url.replace('http', 'ws')}/mqtt`, deviceOptions(d1));
    clients.push(c);
    await subscribe(c, `${P(d1)}/thing/event/property/post_reply`);
    expect(await request(c, `${P(d1)}/thing/event/property/post`, post({ temperature: 4 }, '11'))).toMatchObject({ id: '11', code: 200 });
  });

  it('serves MQTT over TLS with the configured certificate', async () => {
    const c = await connect(`mqtts://127.0.0.1:${tlsPort}`, deviceOptions(d2, 'alink', { ca: cert, servername: '127.0.0.1' }));
    clients.push(c);
    await subscribe(c, `${P(d2)}/thing/event/property/post_reply`);
    expect(await request(c, `${P(d2)}/thing/event/property/post`, post({ temperature: 5 }, '12'))).toMatchObject({ id: '12', code: 200 });
  });

  it('serves MQTT 5 clients', async () => {
    const c = await connect(`mqtt://127.0.0.1:${port}`, deviceOptions(d3, 'alink', { protocolVersion: 5 }));
    clients.push(c);
    await subscribe(c, `${P(d3)}/thing/event/property/post_reply`);
    expect(await request(c, `${P(d3)}/thing/event/property/post`, post({ temperature: 6 }, '13'))).toMatchObject({ id: '13', code: 200 });
  });
});

describe('limits', () => {
  it('answers 400 to a payload over the listener\'s limit, and the device stays connected', async () => {
    const c = await connect(`mqtt://127.0.0.1:${port}`, deviceOptions(d1));
    clients.push(c);
    await subscribe(c, `${P(d1)}/thing/event/property/post_reply`);
    const reply = await request(c, `${P(d1)}/thing/event/property/post`, post({ temperature: 1, pad: 'x'.repeat(2000) }, '21'));
    expect(reply).toMatchObject({ id: '21', code: 400 });
    expect(reply.message).toContain('exceeds the limit of 1024');
    expect(c.connected).toBe(true);
  });

  it('answers 429 beyond the per-device rate, without disconnecting', async () => {
    const c = await connect(`mqtt://127.0.0.1:${port}`, deviceOptions(d2));
    clients.push(c);
    await subscribe(c, `${P(d2)}/thing/event/property/post_reply`);
    const codes: number[] = [];
    c.on('message', (_t, payload) => codes.push(JSON.parse(payload.toString()).code));
    for (let i = 0; i < 30; i++) c.publish(`${P(d2)}/thing/event/property/post`, JSON.stringify(post({ temperature: i }, String(100 + i))));
    await until('a reply to each of the 30 posts', () => codes, (c) => c.length >= 30, 5000);
    expect(codes.filter((x) => x === 429).length).toBeGreaterThan(10);
    expect(codes.filter((x) => x === 200).length).toBeGreaterThanOrEqual(5);
    expect(c.connected).toBe(true);
  });

  it('refuses a keepalive outside the listener\'s bounds', async () => {
    const err = await connect(`mqtt://127.0.0.1:${port}`, deviceOptions(d3, 'alink', { keepalive: 0 })).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/not authori[sz]ed/i);
  });
});
