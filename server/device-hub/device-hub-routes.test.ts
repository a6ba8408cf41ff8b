import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { FakeDeviceSession } from '../testing/fake-device-session.ts';

let tw: TestServer;
let engineer: string;
let operator: string;
beforeAll(async () => {
  tw = await startTestServer();
  engineer = await tw.tokenFor('engineer');
  operator = await tw.tokenFor('operator');
  await tw.request('POST', '/api/v1/products', { token: engineer, body: { productKey: 'lamp', name: 'lamp' } });
  for (const deviceName of ['hall', 'porch', 'attic']) {
    await tw.request('POST', '/api/v1/devices', { token: engineer, body: { productKey: 'lamp', deviceName } });
  }
});
afterAll(() => tw?.close());

const hub = () => tw.app.hub;

describe('device status through the device API', () => {
  it('shows online, lastOnlineAt and lastSeenAt from the hub, and never lets a client set the status', async () => {
    const session = new FakeDeviceSession('lamp', 'hall');
    hub().opened(session);
    const online = await tw.request('GET', '/api/v1/devices/lamp/hall', { token: operator });
    expect(online.body).toMatchObject({ status: 'online', lastOnlineAt: expect.any(String), lastSeenAt: expect.any(String) });
    expect((await tw.request('GET', '/api/v1/devices?status=online', { token: operator })).body.items.map((d: { deviceName: string }) => d.deviceName)).toEqual(['hall']);

    const patch = await tw.request('PATCH', '/api/v1/devices/lamp/hall', { token: engineer, body: { status: 'offline' } });
    expect(patch.status).toBe(422);
    expect(patch.body.error.details).toEqual([{ path: '/status', message: 'is not a known field' }]);

    hub().closed(session.id, 'disconnect');
    expect((await tw.request('GET', '/api/v1/devices/lamp/hall', { token: operator })).body.status).toBe('offline');
  });
});

describe('GET /devices/:productKey/:deviceName/connections', () => {
  it('lists the history newest first, a page at a time', async () => {
    const session = new FakeDeviceSession('lamp', 'porch', { clientId: 'porch-1', remoteAddress: '198.51.100.20' });
    await hub().recordRefused({ productKey: 'lamp', deviceName: 'porch', remoteAddress: '198.51.100.20', protocol: 'mqtt', clientId: 'porch-1', reason: 'signature does not match' });
    hub().opened(session);
    hub().closed(session.id, 'keepalive-timeout');

    const all = await tw.request('GET', '/api/v1/devices/lamp/porch/connections', { token: operator });
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(3);
    expect(all.body.items.map((c: { event: string; reason: string | null }) => [c.event, c.reason])).toEqual([
      ['disconnected', 'keepalive-timeout'],
      ['connected', null],
      ['refused', 'signature does not match'],
    ]);
    expect(all.body.items[1]).toMatchObject({ remoteAddress: '198.51.100.20', protocol: 'mqtt', dialect: 'alink', clientId: 'porch-1', at: expect.any(String) });

    const second = await tw.request('GET', '/api/v1/devices/lamp/porch/connections?limit=1&offset=1', { token: operator });
    expect(second.body).toMatchObject({ total: 3, limit: 1, offset: 1, items: [{ event: 'connected' }] });
  });

  it('answers 404 for a device that does not exist', async () => {
    const res = await tw.request('GET', '/api/v1/devices/lamp/nobody/connections', { token: operator });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('POST /devices/:productKey/:deviceName/commands and GET …/messages', () => {
  it('sends a command, answers with the device\'s reply, and logs both directions', async () => {
    const session = new FakeDeviceSession('lamp', 'attic');
    session.onCommand = (command, id) =>
      queueMicrotask(() => hub().uplink(session, session.message('service.reply', { id, serviceId: command.serviceId, code: 200, params: { blinked: 3 } })));
    hub().opened(session);

    const res = await tw.request('POST', '/api/v1/devices/lamp/attic/commands', {
      token: engineer, body: { kind: 'service.invoke', serviceId: 'blink', params: { times: 3 }, timeoutMs: 2000 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: expect.stringMatching(/^\d+$/), code: 200, data: { blinked: 3 } });
    expect(session.commands).toEqual([{ command: expect.objectContaining({ kind: 'service.invoke', serviceId: 'blink', params: { times: 3 } }), messageId: res.body.id }]);

    const log = await tw.request('GET', '/api/v1/devices/lamp/attic/messages', { token: operator });
    expect(log.body.items.map((m: { direction: string; kind: string; msgId: string; code: number }) => [m.direction, m.kind, m.msgId, m.code])).toEqual([
      ['up', 'service.reply', res.body.id, 200],
      ['down', 'service.invoke', res.body.id, 200],
    ]);
    const down = await tw.request('GET', '/api/v1/devices/lamp/attic/messages?direction=down', { token: operator });
    expect(down.body).toMatchObject({ total: 1, items: [{ identifier: 'blink', payload: '{"times":3}', payloadTruncated: false }] });
    hub().closed(session.id, 'disconnect');
  });

  it('answers 503 in the result for an offline device, or 202 when asked to queue', async () => {
    const offline = await tw.request('POST', '/api/v1/devices/lamp/porch/commands', { token: engineer, body: { kind: 'property.set', params: { power: 'on' } } });
    expect(offline.status).toBe(200);
    expect(offline.body).toMatchObject({ code: 503, message: 'device is offline' });

    const queued = await tw.request('POST', '/api/v1/devices/lamp/porch/commands', {
      token: engineer, body: { kind: 'property.set', params: { power: 'on' }, whenOffline: 'queue', ttlMs: 60_000 },
    });
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({ id: expect.stringMatching(/^\d+$/), code: 202 });

    const session = new FakeDeviceSession('lamp', 'porch');
    hub().opened(session);
    expect(session.commands.map((c) => c.messageId)).toEqual([queued.body.id]);
    hub().uplink(session, session.message('property.set.reply', { id: queued.body.id, code: 200 }));
    const failed = await tw.request('GET', '/api/v1/devices/lamp/porch/messages?direction=down&code=503', { token: operator });
    expect(failed.body.items.map((m: { msgId: string }) => m.msgId)).toEqual([offline.body.id]);
    const delivered = await tw.request('GET', '/api/v1/devices/lamp/porch/messages?direction=down&code=200', { token: operator });
    expect(delivered.body.items.map((m: { msgId: string }) => m.msgId)).toEqual([queued.body.id]);
    hub().closed(session.id, 'disconnect');
  });

  it('checks the body and the role', async () => {
    const noService = await tw.request('POST', '/api/v1/devices/lamp/porch/commands', { token: engineer, body: { kind: 'service.invoke', params: {} } });
    expect(noService.status).toBe(422);
    expect(noService.body.error.details).toEqual([{ path: '/serviceId', message: 'is required for service.invoke' }]);
    const bad = await tw.request('POST', '/api/v1/devices/lamp/porch/commands', { token: engineer, body: { kind: 'reboot', timeoutMs: 10 } });
    expect(bad.status).toBe(422);
    const asOperator = await tw.request('POST', '/api/v1/devices/lamp/porch/commands', { token: operator, body: { kind: 'property.set', params: {} } });
    expect(asOperator.status).toBe(403);
    const unknown = await tw.request('POST', '/api/v1/devices/lamp/nobody/commands', { token: engineer, body: { kind: 'property.set', params: {} } });
    expect(unknown.status).toBe(404);
  });
});
