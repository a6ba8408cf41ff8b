import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { FakeDeviceSession } from '../testing/fake-device-session.ts';

let tw: TestServer;
let operator: string;
beforeAll(async () => {
  tw = await startTestServer();
  operator = await tw.tokenFor('operator');
});
afterAll(() => tw?.close());

const overview = async () => {
  const res = await tw.request('GET', '/api/v1/overview', { token: operator });
  expect(res.status).toBe(200);
  return res.body;
};

describe('GET /overview', () => {
  it('answers zeros on a fresh install, and 401 without credentials', async () => {
    expect(await overview()).toEqual({
      devices: { total: 0, online: 0, offline: 0, inactive: 0, disabled: 0 },
      messages: { uplinksPerSecond: 0, downlinksPerSecond: 0, at: expect.any(String) },
      alerts: { active: { info: 0, warning: 0, critical: 0 }, acknowledged: { info: 0, warning: 0, critical: 0 } },
      recentConnections: [],
    });
    expect((await tw.request('GET', '/api/v1/overview')).status).toBe(401);
    const openapi = await tw.request('GET', '/api/v1/openapi.json');
    expect(openapi.body.paths['/api/v1/overview'].get.responses['200'].content['application/json'].schema.properties).toHaveProperty('recentConnections');
  });

  it('counts devices by status, open alerts by state and severity, and lists the newest connection events of the fleet', async () => {
    const admin = tw.adminToken;
    await tw.request('POST', '/api/v1/products', { token: admin, body: { productKey: 'lamp', name: 'Lamp' } });
    for (const deviceName of ['hall', 'porch', 'attic', 'garage']) {
      expect((await tw.request('POST', '/api/v1/devices', { token: admin, body: { productKey: 'lamp', deviceName } })).status).toBe(201);
    }
    expect((await tw.request('PATCH', '/api/v1/devices/lamp/garage', { token: admin, body: { enabled: false } })).status).toBe(200);
    const hub = tw.app.hub;
    const hall = new FakeDeviceSession('lamp', 'hall', { remoteAddress: '198.51.100.7' });
    const porch = new FakeDeviceSession('lamp', 'porch');
    hub.opened(hall);
    hub.opened(porch);
    hub.closed(porch.id, 'keepalive-timeout');
    await hub.recordRefused({ productKey: 'lamp', deviceName: 'attic', remoteAddress: '203.0.113.9', protocol: 'mqtt', clientId: 'attic', reason: 'signature does not match' });

    const rule = (id: string, severity: 'warning' | 'critical') => tw.app.alerts.startRule({
      id, name: id, nodeId: id, severity, productKey: '', messageTemplate: '',
      kind: 'threshold', property: 'temperature', raise: { operator: '>', value: 30 }, forMs: 0, clear: { operator: '<', value: 28 },
    }, () => {});
    const hot = (run: ReturnType<typeof rule>, deviceName: string) => run.evaluate({
      productKey: 'lamp', deviceName, kind: 'property.post', payload: { temperature: 35 }, values: [{ identifier: 'temperature', value: 35, time: Date.now() }],
    });
    const warm = rule('warm', 'warning');
    const burning = rule('burning', 'critical');
    hot(warm, 'hall');
    hot(warm, 'porch');
    hot(burning, 'hall');
    const open = await tw.request('GET', '/api/v1/alerts?ruleId=warm&deviceName=porch', { token: operator });
    expect((await tw.request('POST', `/api/v1/alerts/${open.body.items[0].id}/acknowledge`, { token: operator })).status).toBe(200);

    const body = await overview();
    expect(body.devices).toEqual({ total: 4, online: 1, offline: 1, inactive: 2, disabled: 1 });
    expect(body.alerts).toEqual({ active: { info: 0, warning: 1, critical: 1 }, acknowledged: { info: 0, warning: 1, critical: 0 } });
    expect(body.recentConnections.map((c: { deviceName: string; event: string; reason: string | null }) => [c.deviceName, c.event, c.reason])).toEqual([
      ['attic', 'refused', 'signature does not match'],
      ['porch', 'disconnected', 'keepalive-timeout'],
      ['porch', 'connected', null],
      ['hall', 'connected', null],
    ]);
    expect(body.recentConnections[3]).toEqual({
      productKey: 'lamp', deviceName: 'hall', at: expect.any(String), event: 'connected', reason: null, protocol: 'mqtt', remoteAddress: '198.51.100.7',
    });
    hub.closed(hall.id, 'disconnect');
  });

  it('stays cheap with 20,000 devices: counts are one grouped query, the connections the last rows of the table', async () => {
    await tw.app.registry.products.create({ productKey: 'fleet', name: 'Fleet' });
    const devices = tw.app.registry.devices;
    for (let batch = 0; batch < 20; batch++) {
      await devices.createMany(Array.from({ length: 1000 }, (_, i) => ({ productKey: 'fleet', deviceName: `d-${batch}-${i}` })));
    }
    for (let i = 0; i < 300; i++) {
      await tw.app.hub.recordRefused({ productKey: 'fleet', deviceName: `d-0-${i}`, remoteAddress: '203.0.113.9', protocol: 'mqtt', clientId: 'x', reason: 'signature does not match' });
    }
    const body = await overview();
    expect(body.devices.total).toBe(20_004);
    expect(body.devices.inactive).toBe(20_002);
    expect(body.recentConnections).toHaveLength(20);
    expect(body.recentConnections[0]).toMatchObject({ deviceName: 'd-0-299', event: 'refused' });
    // Cheap by construction, not by a stopwatch (a busy machine would fail one): the newest connections come off the
    // end of the table's index, with no sort of the whole table.
    const plan = tw.app.db.prepare('EXPLAIN QUERY PLAN SELECT id FROM device_connections ORDER BY id DESC LIMIT 20').all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).not.toContain('TEMP B-TREE');
  });
});
