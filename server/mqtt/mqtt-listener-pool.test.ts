import net from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createDevices, deviceOptions, freePort, listenerFlow, request, subscribe, type TestDevice } from '../testing/mqtt-devices.ts';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { until } from '../testing/until.ts';

let tw: TestServer;
let device: TestDevice;
const clients: MqttClient[] = [];
const P = '/sys/pk1/d1';
const post = (id: string) => ({ id, version: '1.0', sys: { ack: 1 }, method: 'thing.event.property.post', params: { temperature: 1 } });
const firmwareGet = (id: string) => ({ id, version: '1.0', sys: { ack: 1 }, method: 'thing.ota.firmware.get', params: {} });

beforeAll(async () => {
  tw = await startTestServer();
  [device] = await createDevices(tw, 'pk1', ['d1']);
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await tw?.close();
});

/** Deploys the flows and resolves once a listener accepts on `port` (the deploy answers before nodes restart). */
async function deployOn(port: number, options: Parameters<typeof listenerFlow>[0] = {}) {
  const res = await tw.request('POST', '/api/v1/flows', { token: tw.adminToken, body: { flows: listenerFlow({ ...options, port }) } });
  expect(res.status).toBe(200);
  return (await until(`a listener on port ${port}`, () => tw.app.mqttListeners.listeners().find((l) => l.ports.tcp === port), Boolean, 5000))!;
}

/** Resolves with the socket error of a plain TCP connection attempt (undefined when it connects). */
function tcpError(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code));
  });
}

const open = async (port: number) => {
  const c = await connect(`mqtt://127.0.0.1:${port}`, deviceOptions(device));
  clients.push(c);
  return c;
};

describe('MQTT listeners across deploys', () => {
  it('keeps devices connected through unchanged deploys and changes of restart-free settings, which apply at once', async () => {
    const first = await freePort();
    const listener = await deployOn(first);
    // Absent from the flow: the node's default fills in.
    expect(listener.config.replyTimeoutMs).toBe(5000);
    const c = await open(first);
    let disconnects = 0;
    c.on('close', () => disconnects++);
    await subscribe(c, `${P}/thing/event/property/post_reply`);
    await subscribe(c, `${P}/thing/ota/firmware/get_reply`);

    expect(await deployOn(first)).toBe(listener);
    expect(await deployOn(first, { replyTimeoutMs: 300, ratePerDevice: 50 })).toBe(listener);
    expect(listener.config).toMatchObject({ replyTimeoutMs: 300, ratePerDevice: 50 });
    // The new reply timeout holds for the connection that was already there: nobody answers a firmware pull here.
    expect(await request(c, `${P}/thing/ota/firmware/get`, firmwareGet('2'))).toMatchObject({ id: '2', code: 504, message: 'no flow answered in 300 ms' });
    expect(await request(c, `${P}/thing/event/property/post`, post('3'))).toMatchObject({ id: '3', code: 200 });
    expect(disconnects).toBe(0);
  });

  it('restarts on a port change: the old port closes, devices reconnect on the new one', async () => {
    const first = await freePort();
    await deployOn(first);
    const c = await open(first);
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    const second = await freePort();
    await deployOn(second);
    await closed;
    expect(await tcpError(first)).toBe('ECONNREFUSED');
    expect(tw.app.mqttListeners.listeners().map((l) => l.ports.tcp)).toEqual([second]);

    const again = await open(second);
    await subscribe(again, `${P}/thing/event/property/post_reply`);
    expect(await request(again, `${P}/thing/event/property/post`, post('4'))).toMatchObject({ id: '4', code: 200 });
    expect((await tw.request('GET', '/api/v1/devices/pk1/d1', { token: tw.adminToken })).body.status).toBe('online');
  });
});
