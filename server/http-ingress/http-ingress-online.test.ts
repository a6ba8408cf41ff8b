import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alinkSignature } from '../device-auth/alink-sign.ts';
import { connect, createDevices, deployListener, deviceOptions, freePort, listenerFlow, type TestDevice } from '../testing/mqtt-devices.ts';
import { startTestServer, type TestJson, type TestServer } from '../testing/test-server.ts';
import { until } from '../testing/until.ts';

// A short online window and reply timeout, so that the tests see them pass; a low rate, so that they see it bite.
let tw: TestServer;
let base: string;
let mqttPort: number;
let idle: TestDevice;
let slow: TestDevice;
let busy: TestDevice;
let both: TestDevice;

beforeAll(async () => {
  tw = await startTestServer();
  base = `${tw.url}/device`;
  [idle, slow, busy, both] = await createDevices(tw, 'a1online', ['idle', 'slow', 'busy', 'both']);
  // device in → thing validate → device reply 200; ota.get goes to a device in that never answers.
  mqttPort = await deployListener(tw, listenerFlow({ http: { onlineWindowSeconds: 1, replyTimeoutMs: 200, ratePerDevice: 1 } }));
});

afterAll(async () => {
  await tw?.close();
});

async function call(urlPath: string, body: object, headers: Record<string, string> = {}): Promise<{ status: number; body: TestJson }> {
  const res = await fetch(`${base}${urlPath}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

async function tokenOf(d: TestDevice): Promise<string> {
  const timestamp = String(Date.now());
  const sign = alinkSignature('hmacsha256', d.deviceSecret, { clientId: d.deviceName, deviceName: d.deviceName, productKey: d.productKey, timestamp });
  const res = await call('/auth', { productKey: d.productKey, deviceName: d.deviceName, clientId: d.deviceName, timestamp, signmethod: 'hmacsha256', sign });
  expect(res.status).toBe(200);
  return res.body.info.token as string;
}

const status = async (d: TestDevice) =>
  (await tw.request('GET', `/api/v1/devices/${d.productKey}/${d.deviceName}`, { token: tw.adminToken })).body.status as string;
const history = async (d: TestDevice) =>
  (await tw.request('GET', `/api/v1/devices/${d.productKey}/${d.deviceName}/connections`, { token: tw.adminToken })).body.items as TestJson[];
const postProperty = (d: TestDevice, token: string, id: string) =>
  call(`/topic/sys/${d.productKey}/${d.deviceName}/thing/event/property/post`, { id, version: '1.0', params: { temperature: 20 }, method: 'thing.event.property.post' }, { password: token });

describe('HTTP devices online state and limits', () => {
  it('is online from its sign-in, offline once the online window passes without a request, online again on its next post', async () => {
    const token = await tokenOf(idle);
    // Not the status: with a window this short it may already have passed. The history keeps what happened.
    expect((await history(idle)).filter((i) => i.event === 'connected')).toHaveLength(1);
    await until('offline after the online window', () => status(idle), (s) => s === 'offline', 10_000);
    expect((await history(idle))[0]).toMatchObject({ event: 'disconnected', reason: 'keepalive-timeout: no request for 1 s', protocol: 'http' });
    // The token outlives the online window: the next post is taken, and the device is online again.
    expect((await postProperty(idle, token, '1')).status).toBe(200);
    expect((await history(idle)).filter((i) => i.event === 'connected' && i.protocol === 'http')).toHaveLength(2);
  });

  it('answers 504 with the reply envelope when no flow gives a verdict in time', async () => {
    const token = await tokenOf(slow);
    const res = await call(`/topic/sys/${slow.productKey}/${slow.deviceName}/thing/ota/firmware/get`, { id: '7', version: '1.0', params: {}, method: 'thing.ota.firmware.get' }, { password: token });
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({ id: '7', code: 504, message: 'no flow answered in 200 ms' });
  });

  it('answers 429 beyond the rate per device', async () => {
    const token = await tokenOf(busy);
    // A burst of twice the rate is allowed; five at once cannot all fit.
    const codes = (await Promise.all(['1', '2', '3', '4', '5'].map((id) => postProperty(busy, token, id)))).map((r) => r.status);
    expect(codes).toContain(429);
    expect(codes).toContain(200);
  });

  it('leaves an MQTT connection of the same device alone', async () => {
    const client = await connect(`mqtt://127.0.0.1:${mqttPort}`, deviceOptions(both));
    try {
      await until('online over MQTT', () => status(both), (s) => s === 'online');
      const token = await tokenOf(both);
      expect((await postProperty(both, token, '1')).status).toBe(200);
      expect(client.connected).toBe(true);
      const state = await tw.request('GET', `/api/v1/devices/${both.productKey}/${both.deviceName}/connections`, { token: tw.adminToken });
      expect(state.body.items.filter((i: TestJson) => i.protocol === 'http' && i.event === 'connected')).toEqual([]);
    } finally {
      client.end(true);
    }
  });

  // Last: it moves the listener.
  it('keeps devices online across a redeploy that changes its limits, and moves to a port of its own when told', async () => {
    const flows = (http: object) => listenerFlow({ http: { onlineWindowSeconds: 60, replyTimeoutMs: 200, ratePerDevice: 1, ...http } });
    await deployListener(tw, flows({}));
    const token = await tokenOf(idle);
    const connected = async () => (await history(idle)).filter((i) => i.event === 'connected').length;
    const before = await connected();
    await deployListener(tw, flows({ ratePerDevice: 50 }));
    await until('the new rate applied', () => tw.app.httpListeners.listeners()[0]?.config.ratePerDevice, (r) => r === 50);
    expect((await postProperty(idle, token, '2')).status).toBe(200);
    expect(await status(idle)).toBe('online');
    expect(await connected()).toBe(before);

    const port = await freePort();
    await deployListener(tw, flows({ port, path: '/iot' }));
    const own = await until('listening on its own port', () => tw.app.httpListeners.listeners().find((l) => l.port === port), Boolean);
    expect(own!.config.path).toBe('/iot');
    const res = await fetch(`http://127.0.0.1:${port}/iot/topic/sys/${idle.productKey}/${idle.deviceName}/thing/event/property/post`, {
      method: 'POST', headers: { password: token }, body: JSON.stringify({ id: '3', version: '1.0', params: { temperature: 20 }, method: 'thing.event.property.post' }),
    });
    expect(res.status).toBe(200);
    // The platform's port no longer serves devices.
    expect((await call(`/topic/sys/${idle.productKey}/${idle.deviceName}/thing/event/property/post`, { id: '4' }, { password: token })).status).toBe(404);
  });
});
