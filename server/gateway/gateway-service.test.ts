import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signThings } from '../device-auth/things-sign.ts';
import { connect, deployListener, deviceOptions, listenerFlow, nextMessage, request, subscribe, testTsl, type TestDevice } from '../testing/mqtt-devices.ts';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { MAX_GATEWAY_BATCH } from './gateway-service.ts';

/**
 * Gateways beyond the happy path the Python example walks (scripts/gateway-python-device.test.ts): malformed and
 * oversized operations get their codes and the connection stays, the things dialect's topics, and what a gateway or
 * a sub-device may not do (subscribe to a device not its own, connect as a sub-device).
 */
let tw: TestServer;
let url: string;
const clients: MqttClient[] = [];

async function device(productKey: string, deviceName: string): Promise<TestDevice> {
  const d = await tw.request('POST', '/api/v1/devices', { token: tw.adminToken, body: { productKey, deviceName } });
  expect(d.status).toBe(201);
  return { productKey, deviceName, deviceSecret: d.body.deviceSecret };
}

beforeAll(async () => {
  tw = await startTestServer();
  const token = tw.adminToken;
  for (const [productKey, nodeType, dialect] of [['gw', 'gateway', 'alink'], ['tgw', 'gateway', 'things'], ['sub', 'sub-device', 'alink']]) {
    await tw.request('POST', '/api/v1/products', { token, body: { productKey, name: productKey, nodeType, dialect } });
    await tw.request('PUT', `/api/v1/products/${productKey}/thing-model/draft`, { token, body: testTsl });
    await tw.request('POST', `/api/v1/products/${productKey}/thing-model/publish`, { token });
  }
  url = `mqtt://127.0.0.1:${await deployListener(tw, listenerFlow())}`;
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await tw?.close();
});

async function online(d: TestDevice, dialect: 'alink' | 'things' = 'alink'): Promise<MqttClient> {
  const client = await connect(url, deviceOptions(d, dialect));
  clients.push(client);
  await client.subscribeAsync(dialect === 'alink' ? `/sys/${d.productKey}/${d.deviceName}/#` : `${d.productKey}/${d.deviceName}/#`, { qos: 1 });
  return client;
}

describe('gateway operations', () => {
  it('answers malformed, oversized and unknown input with its code, and keeps the connection', async () => {
    const gw = await device('gw', 'g1');
    const client = await online(gw);
    const topo = '/sys/gw/g1/thing/topo/add';
    const ask = (params: unknown, topic = topo) => request(client, topic, { id: '1', version: '1.0', params });
    expect(await ask({ productKey: 'sub' })).toMatchObject({ id: '1', code: 460, method: 'thing.topo.add', message: 'malformed: params must be an array' });
    expect((await ask(Array.from({ length: MAX_GATEWAY_BATCH + 1 }, (_, i) => ({ productKey: 'sub', deviceName: `n${i}`, sign: 'x', signmethod: 'hmacsha256' })))).code).toBe(460);
    expect((await ask([{ productKey: 'sub', deviceName: 'x' }])).message).toMatch(/^malformed: each entry needs/);
    expect(await ask([{ productKey: 'sub', deviceName: 'nobody', clientId: 'c', signmethod: 'hmacsha256', sign: 'ab' }])).toMatchObject({ code: 401, data: { productKey: 'sub', deviceName: 'nobody' } });
    expect((await ask({}, '/sys/gw/g1/thing/topo/delete')).code).toBe(460);
    expect(await ask([{ productKey: 'sub', deviceName: 'nobody' }], '/sys/gw/g1/thing/topo/delete')).toMatchObject({ code: 6401 });
    expect((await ask([], '/ext/session/gw/g1/combine/login')).code).toBe(460);
    expect(await ask({ productKey: 'sub', deviceName: 'nobody' }, '/ext/session/gw/g1/combine/logout')).toMatchObject({ code: 6401, method: 'combine.logout' });
    const pack = '/sys/gw/g1/thing/event/property/pack/post';
    expect((await ask({ subDevices: {} }, pack)).code).toBe(460);
    expect((await ask({ subDevices: [{ identity: 'sub/x' }] }, pack)).code).toBe(460);
    expect((await ask({ events: { 'not an id': {} } }, pack)).code).toBe(460);
    // Not JSON: answered 460 without an id.
    const reply = nextMessage(client, `${topo}_reply`);
    await client.publishAsync(topo, '{"id":');
    expect(await reply).toMatchObject({ code: 460, message: 'malformed: payload is not a JSON object' });
    // Every one of those was acknowledged and the gateway is still connected, as its own post shows.
    expect(await request(client, '/sys/gw/g1/thing/event/property/post', { id: '9', version: '1.0', method: 'thing.event.property.post', params: { temperature: 20 } }))
      .toMatchObject({ code: 200 });
    expect(client.connected).toBe(true);
  });

  it('serves the things dialect: topology, login, sub-device posts and packs on things topics', async () => {
    const gw = await device('tgw', 't1');
    const s = await device('sub', 'ts1');
    const client = await online(gw, 'things');
    const password = () => signThings({ productKey: 'sub', deviceName: 'ts1', deviceSecret: s.deviceSecret }).password;
    expect(await request(client, 'tgw/t1/thing/topo/add', { id: '1', params: [{ productKey: 'sub', deviceName: 'ts1', password: password() }] }))
      .toEqual({ id: '1', code: 200, data: [{ productKey: 'sub', deviceName: 'ts1' }], message: 'success' });
    expect(await request(client, 'tgw/t1/thing/topo/get', { id: '2', params: {} })).toMatchObject({ code: 200, data: [{ productKey: 'sub', deviceName: 'ts1' }] });
    expect(await subscribe(client, 'sub/ts1/#')).toBe(0); // linked: the gateway may subscribe to its topics
    expect(await subscribe(client, 'sub/other/#')).toBe(128); // not its own
    expect(await request(client, 'tgw/t1/combine/login', { id: '3', params: { productKey: 'sub', deviceName: 'ts1', password: password() } }))
      .toMatchObject({ code: 200, data: { productKey: 'sub', deviceName: 'ts1' } });
    // The sub-device's own topic, on the gateway's connection: its reply comes back the same way.
    expect(await request(client, 'sub/ts1/thing/event/property/post', { id: '4', params: { temperature: 21.5 } })).toMatchObject({ code: 200 });
    expect(await request(client, 'tgw/t1/thing/event/property/pack/post', {
      id: '5', params: { properties: { temperature: 19 }, subDevices: [{ identity: { productKey: 'sub', deviceName: 'ts1' }, properties: { temperature: 22 } }] },
    })).toEqual({ id: '5', code: 200, data: {}, message: 'success' });
    const log = await tw.request('GET', '/api/v1/devices/sub/ts1/messages?direction=up', { token: tw.adminToken });
    expect(log.body.items.filter((m: { kind: string }) => m.kind === 'property.post').map((m: { code: number }) => m.code)).toEqual([200, 200]);
    const status = await tw.request('GET', '/api/v1/devices/sub/ts1', { token: tw.adminToken });
    expect(status.body).toMatchObject({ status: 'online', gateway: { productKey: 'tgw', deviceName: 't1' } });
    // combine/logout: offline, with `disconnect`.
    expect((await request(client, 'tgw/t1/combine/logout', { id: '6', params: { productKey: 'sub', deviceName: 'ts1' } })).code).toBe(200);
    const history = await tw.request('GET', '/api/v1/devices/sub/ts1/connections', { token: tw.adminToken });
    expect(history.body.items[0]).toMatchObject({ event: 'disconnected', protocol: 'mqtt', dialect: 'things', reason: 'disconnect: combine/logout by gateway tgw/t1' });
  });

  it('refuses a sub-device connecting by itself, and a gateway publishing for a sub-device it has not logged in', async () => {
    const s = await device('sub', 'alone');
    await expect(connect(url, deviceOptions(s))).rejects.toThrow(/Not authorized/i);
    const history = await tw.request('GET', '/api/v1/devices/sub/alone/connections', { token: tw.adminToken });
    expect(history.body.items[0]).toMatchObject({ event: 'refused', reason: 'sub-device: it connects through its gateway (combine/login)' });

    // Added to the topology but not logged in: its topics are still not the gateway's.
    const gw = await device('gw', 'g2');
    const client = await online(gw);
    await tw.app.registry.topology.link(gw, [s], 'gateway');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('/sys/sub/alone/thing/event/property/post', JSON.stringify({ id: '1', version: '1.0', method: 'thing.event.property.post', params: { temperature: 1 } }), { qos: 1 });
    await closed;
    const log = await tw.request('GET', '/api/v1/devices/gw/g2/messages?code=401', { token: tw.adminToken });
    expect(log.body.items[0]).toMatchObject({ topic: '/sys/sub/alone/thing/event/property/post' });
  });
});
