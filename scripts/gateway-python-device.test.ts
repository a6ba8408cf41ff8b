import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployListener, testTsl, type TestDevice } from '../server/testing/mqtt-devices.ts';
import { pipelineFlow } from '../server/testing/pipeline-flow.ts';
import { pythonWithPaho } from '../server/testing/python.ts';
import { startTestServer, type TestJson, type TestServer } from '../server/testing/test-server.ts';
import { until } from '../server/testing/until.ts';

/**
 * examples/gateway-device.py, a gateway written from docs/protocol.md with paho-mqtt, on the real platform and the
 * shipped device pipeline: it adds its sub-devices (each signed with the sub-device's secret), logs them in, posts a
 * property pack, answers a command sent to one sub-device through its connection, and is refused for every device
 * that is not its own (a wrong signature, a direct product's device, another gateway's sub-device), down to a publish
 * on such a device's topic, which closes its connection and takes its sub-devices offline (`gateway-offline`).
 */
const EXAMPLE = path.join(import.meta.dirname, '../examples/gateway-device.py');

let tw: TestServer;
let mqttUrl: string;
let python: ChildProcess | undefined;

async function product(productKey: string, nodeType: string): Promise<void> {
  const token = tw.adminToken;
  const p = await tw.request('POST', '/api/v1/products', { token, body: { productKey, name: productKey, nodeType } });
  expect(p.status, JSON.stringify(p.body)).toBe(201);
  expect(p.body.nodeType).toBe(nodeType);
  await tw.request('PUT', `/api/v1/products/${productKey}/thing-model/draft`, { token, body: testTsl });
  await tw.request('POST', `/api/v1/products/${productKey}/thing-model/publish`, { token });
}

async function device(productKey: string, deviceName: string): Promise<TestDevice> {
  const d = await tw.request('POST', '/api/v1/devices', { token: tw.adminToken, body: { productKey, deviceName } });
  expect(d.status).toBe(201);
  return { productKey, deviceName, deviceSecret: d.body.deviceSecret };
}

const api = (p: string) => tw.request('GET', p, { token: tw.adminToken }).then((r) => r.body);

beforeAll(async () => {
  tw = await startTestServer();
  await product('gwp', 'gateway');
  await product('subp', 'sub-device');
  await product('directp', 'direct');
  mqttUrl = `mqtt://127.0.0.1:${await deployListener(tw, pipelineFlow())}`;
});

afterAll(async () => {
  if (python && python.exitCode === null) {
    const exited = new Promise((resolve) => python!.once('exit', resolve));
    python.kill('SIGTERM');
    await exited;
  }
  await tw?.close();
});

describe('a paho-mqtt gateway written from the docs (examples/gateway-device.py)', () => {
  it('adds and logs in its sub-devices, posts a pack, takes a command for one of them, and is refused for devices not its own', async () => {
    const gateway = await device('gwp', 'hall');
    const other = await device('gwp', 'other-gateway');
    const subs = [await device('subp', 's1'), await device('subp', 's2'), await device('subp', 's3')];
    const wrongSecret = await device('subp', 's4');
    const direct = await device('directp', 'd1');
    const stolen = await device('subp', 'o1');
    // o1 is the other gateway's: linked as its own topo/add would have.
    expect((await tw.app.registry.topology.link(other, [stolen], 'gateway')).ok).toBe(true);

    const sub = (d: TestDevice, secret = d.deviceSecret) => ['--sub', `${d.productKey}/${d.deviceName}=${secret}`];
    let output = '';
    python = spawn(pythonWithPaho(), [
      EXAMPLE, '--mqtt', mqttUrl, '--product', 'gwp', '--device', 'hall', '--interval', '30', '--exit-after-commands', '1', '--stray', 'subp/o1',
      ...subs.flatMap((d) => sub(d)), ...sub(wrongSecret, 'ff'.repeat(32)), ...sub(direct), ...sub(stolen),
    ], { env: { ...process.env, THINGWIRE_DEVICE_SECRET: gateway.deviceSecret, PYTHONUNBUFFERED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    python.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    python.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => python!.once('exit', resolve));

    await until(`the pack was answered (it printed: ${output})`, async () => output, (o) => o.includes('reply thing.event.property.pack.post'));
    const replies = output.split('\n').filter((l) => l.startsWith('reply '));
    // One topo/add each: the three own sub-devices taken; a wrong signature 401, a direct product's device 403, another
    // gateway's sub-device 409. topo/get lists the three.
    expect(replies.filter((l) => l.startsWith('reply thing.topo.add')).map((l) => l.split(' ')[2])).toEqual(['200', '200', '200', '401', '403', '409']);
    expect(replies.find((l) => l.startsWith('reply thing.topo.get'))).toBe(
      'reply thing.topo.get 200 [{"deviceName": "s1", "productKey": "subp"}, {"deviceName": "s2", "productKey": "subp"}, {"deviceName": "s3", "productKey": "subp"}]',
    );
    // Logging in: the three, not the wrong signature (401), the direct device (403) or the other gateway's (6401).
    expect(replies.filter((l) => l.startsWith('reply combine.login')).map((l) => l.split(' ')[2])).toEqual(['200', '200', '200', '401', '403', '6401']);
    // The pack: the three sub-devices' values taken; the three others refused each with its code, in data.
    const pack = replies.find((l) => l.startsWith('reply thing.event.property.pack.post'))!;
    expect(pack).toMatch(/^reply thing\.event\.property\.pack\.post 6401 /);
    expect(JSON.parse(pack.split(' ').slice(3).join(' '))).toEqual([
      expect.objectContaining({ productKey: 'subp', deviceName: 's4', code: 6401 }),
      expect.objectContaining({ productKey: 'directp', deviceName: 'd1', code: 6401 }),
      expect.objectContaining({ productKey: 'subp', deviceName: 'o1', code: 6401 }),
    ]);
    for (const d of subs) {
      const props = await api(`/api/v1/devices/subp/${d.deviceName}/properties`);
      expect(JSON.stringify(props), d.deviceName).toContain('temperature');
    }
    expect(JSON.stringify(await api('/api/v1/devices/subp/o1/properties'))).not.toContain('temperature');

    // The topology as the API shows it, and the sub-device naming its gateway.
    const listed = await api('/api/v1/devices/gwp/hall/sub-devices');
    expect(listed.items.map((s: TestJson) => [s.deviceName, s.online])).toEqual([['s1', true], ['s2', true], ['s3', true]]);
    expect(await api('/api/v1/devices/subp/s2')).toMatchObject({ nodeType: 'sub-device', gateway: { productKey: 'gwp', deviceName: 'hall' } });
    expect((await api('/api/v1/devices/subp/o1')).gateway).toEqual({ productKey: 'gwp', deviceName: 'other-gateway' });

    // A command to s2 goes out on the gateway's connection, on s2's own topic, and the gateway's answer is s2's.
    const command = await tw.request('POST', '/api/v1/devices/subp/s2/commands', {
      token: tw.adminToken, body: { kind: 'service.invoke', serviceId: 'reboot', params: { delay: 1 } },
    });
    expect(command.body).toMatchObject({ code: 200 });
    expect(output).toContain('command subp/s2 /sys/subp/s2/thing/service/reboot {"delay": 1}');

    // Then it publishes on o1's topic: refused (401), the connection closed, and its sub-devices go offline with it.
    expect(await exited).toBe(0);
    const history = await until('s1 went offline', () => api('/api/v1/devices/subp/s1/connections'), (h) => h.items[0]?.event === 'disconnected');
    expect(history.items[0].reason).toMatch(/^gateway-offline/);
    expect(history.items[1]).toMatchObject({ event: 'connected', protocol: 'mqtt', dialect: 'alink' });
    expect((await api('/api/v1/devices/subp/s1')).status).toBe('offline');
    const gatewayLog = await api('/api/v1/devices/gwp/hall/messages?code=401');
    expect(gatewayLog.items[0]).toMatchObject({ topic: '/sys/subp/o1/thing/event/property/post', reason: 'topic outside the device namespace' });
    expect((await api('/api/v1/devices/gwp/hall/connections')).items[0]).toMatchObject({ event: 'disconnected', reason: 'acl-violation' });
    // Topology changes are in both devices' message logs; the wrong signature in s4's connection history.
    expect((await api('/api/v1/devices/subp/s1/messages')).items.some((m: TestJson) => m.kind === 'topology' && m.reason.includes('gwp/hall'))).toBe(true);
    expect((await api('/api/v1/devices/subp/s4/connections')).items.map((c: TestJson) => c.reason)).toEqual([
      'bad-signature (combine/login by gateway gwp/hall)', 'bad-signature (topo/add by gateway gwp/hall)',
    ]);
  });

  it('lets an engineer remove a link (audited), and cleans links when a device is deleted', async () => {
    const removed = await tw.request('DELETE', '/api/v1/devices/gwp/hall/sub-devices/subp/s3', { token: tw.adminToken });
    expect(removed.status).toBe(204);
    expect((await api('/api/v1/devices/subp/s3')).gateway).toBeNull();
    expect((await tw.request('DELETE', '/api/v1/devices/gwp/hall/sub-devices/subp/s3', { token: tw.adminToken })).status).toBe(404);
    const audit = await api('/api/v1/audit?limit=5');
    expect(JSON.stringify(audit)).toContain('device.topology.remove');
    expect((await tw.request('DELETE', '/api/v1/devices/gwp/hall', { token: tw.adminToken })).status).toBe(204);
    expect((await api('/api/v1/devices/subp/s1')).gateway).toBeNull();
    expect((await api('/api/v1/devices/subp/s1/messages')).items[0]).toMatchObject({ kind: 'topology', reason: expect.stringContaining('device deleted') });
  });
});
