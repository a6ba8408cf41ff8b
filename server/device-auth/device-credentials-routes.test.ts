import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createDevices, deployListener, freePort, request, selfSignedCert, subscribe, type TestDevice } from '../testing/mqtt-devices.ts';
import { udpPipelineFlow } from '../testing/pipeline-flow.ts';
import { startTestServer, type TestJson, type TestServer } from '../testing/test-server.ts';

let tw: TestServer;
let engineer: string;
let operator: string;
let device: TestDevice;
let sha1Device: TestDevice;
const clients: MqttClient[] = [];

beforeAll(async () => {
  // Behind a reverse proxy on loopback, named with --trust-proxy so its X-Forwarded-* headers count.
  tw = await startTestServer({ config: { trustProxy: ['loopback'] } });
  engineer = await tw.tokenFor('engineer');
  operator = await tw.tokenFor('operator');
  [device] = await createDevices(tw, 'credpk', ['room-1']);
  [sha1Device] = await createDevices(tw, 'credsha1', ['old-fw']);
  await tw.request('PATCH', '/api/v1/products/credsha1', { token: engineer, body: { auth: { signMethods: ['hmacsha1'], timestampWindowSeconds: 60 } } });
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await tw?.close();
});

const sign = (d: { productKey: string; deviceName: string }, token = engineer) =>
  tw.request('POST', `/api/v1/devices/${d.productKey}/${encodeURIComponent(d.deviceName)}/credentials`, { token });

const post = (params: object, id: string) => ({ id, version: '1.0', sys: { ack: 1 }, method: 'thing.event.property.post', params });

/** A request with a Host header of our choosing (fetch may not set one). */
function requestWithHost(method: string, p: string, token: string, headers: Record<string, string>): Promise<TestJson> {
  return new Promise((resolve, reject) => {
    const url = new URL(tw.url);
    const req = http.request({ host: url.hostname, port: url.port, method, path: p, headers: { authorization: `Bearer ${token}`, ...headers } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('before any MQTT listener runs', () => {
  it('signs, and lists no endpoints', async () => {
    const res = await sign(device);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.endpoints).toEqual([]);
    const info = await tw.request('GET', '/api/v1/devices/credpk/room-1/connection-info', { token: operator });
    expect(info.body.endpoints).toEqual([]);
  });
});

describe('POST /devices/:productKey/:deviceName/credentials with the shipped pipeline deployed', () => {
  let tcpPort: number;
  let tlsPort: number;
  let byteTcpPort: number;
  let cert: string;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-cred-'));

  beforeAll(async () => {
    const pem = selfSignedCert(tmp);
    cert = pem.cert;
    tlsPort = await freePort();
    byteTcpPort = await freePort();
    // The shipped pipeline with its TCP example enabled and a UDP listener: every kind of listener devices reach.
    const flows = udpPipelineFlow({ port: 0 }, { tcpExamplePort: byteTcpPort });
    const listener = flows.find((n) => n.type === 'thing-mqtt-listener')!;
    Object.assign(listener, { tlsPort, tlsCert: pem.cert, credentials: { tlsKey: pem.key } });
    tcpPort = await deployListener(tw, flows);
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('answers credentials signed with the device secret, valid for the product window, without the secret', async () => {
    const before = Date.now();
    const res = await sign(device);
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body).toMatchObject({
      username: 'room-1&credpk',
      clientId: `credpk.room-1|securemode=3,signmethod=hmacsha256,timestamp=${body.timestamp}|`,
      password: expect.stringMatching(/^[0-9a-f]{64}$/),
      signMethod: 'hmacsha256',
    });
    expect(body.timestamp).toBeGreaterThanOrEqual(before);
    expect(Date.parse(body.validUntil) - body.timestamp).toBe(300_000);
    expect(JSON.stringify(body)).not.toContain(device.deviceSecret);
    const httpPort = Number(new URL(tw.url).port);
    const coapPort = tw.app.coapListeners.listeners()[0]!.port!;
    const udpPort = tw.app.udpListeners.listeners()[0]!.port!;
    expect(body.endpoints).toEqual([
      { transport: 'mqtt', host: '127.0.0.1', port: tcpPort, url: `mqtt://127.0.0.1:${tcpPort}` },
      { transport: 'mqtts', host: '127.0.0.1', port: tlsPort, url: `mqtts://127.0.0.1:${tlsPort}` },
      { transport: 'ws', host: '127.0.0.1', port: httpPort, url: `ws://127.0.0.1:${httpPort}/mqtt` },
      { transport: 'http', host: '127.0.0.1', port: httpPort, url: `http://127.0.0.1:${httpPort}/device` },
      { transport: 'coap', host: '127.0.0.1', port: coapPort, url: `coap://127.0.0.1:${coapPort}` },
      { transport: 'tcp', host: '127.0.0.1', port: byteTcpPort, url: `tcp://127.0.0.1:${byteTcpPort}`, framing: 'length16' },
      { transport: 'udp', host: '127.0.0.1', port: udpPort, url: `udp://127.0.0.1:${udpPort}` },
    ]);
  });

  it('connects a real mqtt.js client over every endpoint, and the pipeline answers its property post 200', async () => {
    const { body } = await sign(device);
    let id = 40;
    for (const endpoint of (body.endpoints as { transport: string; url: string }[]).filter((e) => /^(mqtts?|wss?)$/.test(e.transport))) {
      const client = await connect(endpoint.url, {
        clientId: body.clientId, username: body.username, password: body.password, reconnectPeriod: 0, connectTimeout: 5000,
        protocolVersion: 4, keepalive: 60, ...(endpoint.transport === 'mqtts' ? { ca: cert, servername: '127.0.0.1' } : {}),
      });
      clients.push(client);
      const topic = '/sys/credpk/room-1/thing/event/property/post';
      await subscribe(client, `${topic}_reply`);
      expect(await request(client, topic, post({ temperature: 21.5 }, String(++id))), endpoint.transport).toMatchObject({ id: String(id), code: 200 });
      // One connection per device: the next endpoint's client takes over; end this one first.
      await client.endAsync();
    }
    const history = await tw.request('GET', '/api/v1/devices/credpk/room-1/connections', { token: operator });
    expect(history.body.items.filter((c: { event: string }) => c.event === 'connected').map((c: { protocol: string }) => c.protocol))
      .toEqual(['mqtt-ws', 'mqtts', 'mqtt']);
  });

  it('signs with the method the product accepts, for its timestamp window', async () => {
    const res = await sign(sha1Device);
    expect(res.body).toMatchObject({ signMethod: 'hmacsha1', clientId: expect.stringContaining('signmethod=hmacsha1') });
    expect(Date.parse(res.body.validUntil) - res.body.timestamp).toBe(60_000);
    const client = await connect(`mqtt://127.0.0.1:${tcpPort}`, {
      clientId: res.body.clientId, username: res.body.username, password: res.body.password, reconnectPeriod: 0, protocolVersion: 4, keepalive: 60,
    });
    clients.push(client);
    expect(client.connected).toBe(true);
    await client.endAsync();
  });

  it('names the host the caller used, and the port it reached the HTTP server on for WebSocket', async () => {
    const res = await requestWithHost('POST', '/api/v1/devices/credpk/room-1/credentials', engineer, { host: 'iot.example.com:8443' });
    expect(res.status).toBe(200);
    expect(res.body.endpoints.map((e: { url: string }) => e.url)).toEqual([
      `mqtt://iot.example.com:${tcpPort}`, `mqtts://iot.example.com:${tlsPort}`, 'ws://iot.example.com:8443/mqtt', 'http://iot.example.com:8443/device',
      `coap://iot.example.com:${tw.app.coapListeners.listeners()[0]!.port}`, `tcp://iot.example.com:${byteTcpPort}`,
      `udp://iot.example.com:${tw.app.udpListeners.listeners()[0]!.port}`,
    ]);
    // The trusted proxy forwarding https: its host, and wss on its port.
    const proxied = await requestWithHost('GET', '/api/v1/devices/credpk/room-1/connection-info', operator, {
      'x-forwarded-host': 'things.example.org', 'x-forwarded-proto': 'https',
    });
    expect(proxied.body.endpoints.filter((e: { transport: string }) => /^(wss|https)$/.test(e.transport))).toEqual([
      { transport: 'wss', host: 'things.example.org', port: 443, url: 'wss://things.example.org:443/mqtt' },
      { transport: 'https', host: 'things.example.org', port: 443, url: 'https://things.example.org:443/device' },
    ]);
    const v6 = await requestWithHost('GET', '/api/v1/devices/credpk/room-1/connection-info', operator, { host: '[::1]:1880' });
    expect(v6.body.endpoints[0]).toEqual({ transport: 'mqtt', host: '::1', port: tcpPort, url: `mqtt://[::1]:${tcpPort}` });
  });

  it('is audited, with the device as target', async () => {
    await sign(device);
    const audit = await tw.request('GET', '/api/v1/audit', { token: tw.adminToken });
    expect(audit.body.items ?? audit.body).toEqual(expect.arrayContaining([
      expect.objectContaining({ actor: 'engineer1', action: 'device.credentials.sign', target: 'credpk/room-1' }),
    ]));
  });
});

describe('access', () => {
  it('refuses operators (403) but shows them where and as whom to connect, without a password', async () => {
    const res = await sign(device, operator);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'forbidden', details: { permission: 'devices:write' } });
    const info = await tw.request('GET', '/api/v1/devices/credpk/room-1/connection-info', { token: operator });
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({
      username: 'room-1&credpk', clientId: 'credpk.room-1|securemode=3,signmethod=hmacsha256,timestamp={unix ms}|',
      signMethod: 'hmacsha256', timestampWindowSeconds: 300,
    });
    expect(info.body).not.toHaveProperty('password');
  });

  it('answers 404 for an unknown device or product', async () => {
    for (const p of ['/api/v1/devices/credpk/nobody', '/api/v1/devices/nopk/room-1']) {
      const signed = await tw.request('POST', `${p}/credentials`, { token: engineer });
      expect(signed.status).toBe(404);
      expect(signed.body.error.code).toBe('not_found');
      expect((await tw.request('GET', `${p}/connection-info`, { token: operator })).status).toBe(404);
    }
  });
});
