import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../testing/mqtt-devices.ts';
import { ModbusSlave } from '../testing/modbus-slave.ts';
import { startTestServer, type TestJson, type TestServer } from '../testing/test-server.ts';

const PK = 'mbroutes';
const tsl = {
  properties: [
    { identifier: 'temperature', name: 'Temperature', accessMode: 'r', required: false, dataType: { type: 'float', specs: {} } },
    { identifier: 'setpoint', name: 'Setpoint', accessMode: 'rw', required: false, dataType: { type: 'float', specs: {} } },
    { identifier: 'relay', name: 'Relay', accessMode: 'rw', required: false, dataType: { type: 'bool', specs: { 0: 'off', 1: 'on' } } },
  ],
  events: [], services: [],
};
const points = [
  { property: 'temperature', function: 4, address: 0, type: 'int16', scale: 0.1 },
  { property: 'setpoint', function: 3, address: 10, type: 'float32', wordOrder: 'little', writable: true },
  { property: 'relay', function: 1, address: 0, type: 'bool', writable: true },
];

let tw: TestServer;
let slave: ModbusSlave;
const api = (method: string, path: string, body?: unknown, token: string | null = tw.adminToken) => tw.request(method, `/api/v1${path}`, { token, body });

beforeAll(async () => {
  tw = await startTestServer();
  await api('POST', '/products', { productKey: PK, name: PK });
  await api('PUT', `/products/${PK}/thing-model/draft`, tsl);
  await api('POST', `/products/${PK}/thing-model/publish`);
  await api('POST', '/products', { productKey: 'nomodel', name: 'no thing model' });
  for (const deviceName of ['m1', 'm2']) await api('POST', '/devices', { productKey: PK, deviceName });
  // float32 21.5 = 0x41AC0000, word-swapped (CDAB): 0x0000 0x41AC.
  slave = await ModbusSlave.start({ mode: 'tcp', units: { 3: { input: { 0: 215 }, holding: { 10: 0x0000, 11: 0x41ac }, coils: { 0: 1 } } } });
});
afterAll(async () => {
  await tw?.close();
  await slave?.stop();
});

describe('Modbus point table routes', () => {
  it('saves a checked table with its defaults, audited; engineers may, operators may only read', async () => {
    expect((await api('GET', `/products/${PK}/modbus/points`)).body).toEqual({ productKey: PK, points: [], updatedAt: null, updatedBy: null });
    const saved = await api('PUT', `/products/${PK}/modbus/points`, { points });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ productKey: PK, updatedBy: 'admin', updatedAt: expect.any(String) });
    expect(saved.body.points[1]).toEqual({
      property: 'setpoint', function: 3, address: 10, count: 2, type: 'float32', byteOrder: 'big', wordOrder: 'little', scale: 1, offset: 0, writable: true,
    });
    expect((await api('GET', `/products/${PK}/modbus/points`)).body.points).toHaveLength(3);
    const audit = (await api('GET', '/audit')).body.items as TestJson[];
    expect(audit.find((a) => a.action === 'modbus.points.save')).toMatchObject({ actor: 'admin', target: PK });

    const operator = await tw.tokenFor('operator');
    expect((await api('GET', `/products/${PK}/modbus/points`, undefined, operator)).status).toBe(200);
    expect((await api('PUT', `/products/${PK}/modbus/points`, { points }, operator)).status).toBe(403);
    expect((await api('PUT', `/products/${PK}/modbus/points`, { points }, await tw.tokenFor('engineer'))).status).toBe(200);
    expect((await api('GET', `/products/${PK}/modbus/points`, undefined, null)).status).toBe(401);
  });

  it('refuses wrong points with 422 naming each row, and keeps the table it had', async () => {
    const bad = await api('PUT', `/products/${PK}/modbus/points`, {
      points: [{ property: 'temperature', function: 2, address: 0, type: 'int16' }, { property: 'setpoint', function: 3, address: 70000, type: 'float32' }],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ code: 'validation_failed' });
    expect(bad.body.error.details.map((d: TestJson) => [d.index, d.field])).toEqual([[0, 'type'], [1, 'address']]);
    // Properties the published thing model lacks, or that it makes read-only while the point writes them.
    const model = await api('PUT', `/products/${PK}/modbus/points`, {
      points: [
        { property: 'humidity', function: 3, address: 0, type: 'uint16' }, { property: 'temperature', function: 3, address: 1, type: 'int16', writable: true },
        { property: 'setpoint', function: 3, address: 2, count: 2, type: 'string' },
      ],
    });
    expect(model.status).toBe(422);
    expect(model.body.error.details).toEqual([
      expect.objectContaining({ index: 0, field: 'property', message: expect.stringContaining('has no property "humidity"') }),
      expect.objectContaining({ index: 1, field: 'writable', message: expect.stringContaining('read-only in the thing model') }),
      expect.objectContaining({ index: 2, field: 'type', message: expect.stringContaining('a string point cannot hold "setpoint", a float') }),
    ]);
    const noModel = await api('PUT', '/products/nomodel/modbus/points', { points: [{ property: 'x', function: 3, address: 0, type: 'uint16' }] });
    expect(noModel.status).toBe(422);
    expect(noModel.body.error.details[0].message).toContain('no published thing model');
    expect((await api('PUT', `/products/${PK}/modbus/points`, { points: 'nope' })).status).toBe(422);
    expect((await api('PUT', '/products/ghost/modbus/points', { points: [] })).status).toBe(404);
    expect((await api('GET', `/products/${PK}/modbus/points`)).body.points).toHaveLength(3);
  });
});

describe('Modbus device routes', () => {
  it('sets, shows and removes a connection, with 422s that say what is missing', async () => {
    const view = await api('GET', `/devices/${PK}/m1/modbus`);
    expect(view.body).toEqual({ productKey: PK, deviceName: 'm1', connection: null, status: { state: 'not-polled', lastPollAt: null, failures: 0, lastError: null } });
    const put = (body: object) => api('PUT', `/devices/${PK}/m1/modbus`, body);
    const refused = async (body: object) => {
      const res = await put(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      return (res.body.error.details as TestJson[]).map((d) => `${d.path} ${d.message}`).join('; ');
    };
    expect(await refused({ transport: 'tcp', unitId: 1, intervalMs: 1000 })).toMatch(/^\/host is required for tcp/);
    expect(await refused({ transport: 'rtu', unitId: 1, intervalMs: 1000 })).toMatch(/^\/path is required for rtu/);
    expect(await refused({ transport: 'rtu', path: '/dev/ttyUSB0', host: 'x', unitId: 0, intervalMs: 1000 })).toMatch(/\/host is for tcp.*\/unitId must be 1–247/);
    expect(await refused({ transport: 'tcp', host: 'x', baudRate: 9600, unitId: 1, intervalMs: 1000 })).toMatch(/\/baudRate is for rtu/);
    expect(await refused({ transport: 'rtu', path: 'ttyUSB0', unitId: 1, intervalMs: 1000 })).toMatch(/\/path must be an absolute path/);
    // The schema: unknown fields, intervals below 100 ms, a wrong transport.
    expect(await refused({ transport: 'tcp', host: 'x', unitId: 1, intervalMs: 10, extra: 1 })).toMatch(/intervalMs.*extra|extra.*intervalMs/s);
    expect(await refused({ transport: 'udp', host: 'x', unitId: 1, intervalMs: 1000 })).toContain('/transport');

    const saved = await put({ transport: 'tcp', host: '127.0.0.1', unitId: 3, intervalMs: 60_000 });
    expect(saved.status).toBe(200);
    // Port 502 when absent; no poller node runs in this server, so the device is not polled.
    expect(saved.body).toMatchObject({ connection: { transport: 'tcp', host: '127.0.0.1', port: 502, unitId: 3 }, status: { state: 'not-polled' } });
    expect((await api('GET', '/audit')).body.items.find((a: TestJson) => a.action === 'modbus.connection.save')).toMatchObject({ target: `${PK}/m1` });
    const operator = await tw.tokenFor('operator');
    expect((await api('GET', `/devices/${PK}/m1/modbus`, undefined, operator)).status).toBe(200);
    expect((await api('PUT', `/devices/${PK}/m1/modbus`, { transport: 'tcp', host: 'x', unitId: 1, intervalMs: 1000 }, operator)).status).toBe(403);
    expect((await api('DELETE', `/devices/${PK}/m1/modbus`, undefined, operator)).status).toBe(403);
    expect((await api('PUT', `/devices/${PK}/ghost/modbus`, { transport: 'tcp', host: 'x', unitId: 1, intervalMs: 1000 })).status).toBe(404);

    expect((await api('DELETE', `/devices/${PK}/m1/modbus`)).status).toBe(204);
    expect((await api('GET', `/devices/${PK}/m1/modbus`)).body.connection).toBeNull();
  });

  it('reads now: every point with its raw registers, the slave\'s exception per request, or why nothing answered', async () => {
    expect((await api('POST', `/devices/${PK}/m2/modbus/read`, {})).body.error).toMatchObject({ code: 'modbus_not_configured' });
    await api('PUT', `/devices/${PK}/m2/modbus`, { transport: 'tcp', host: '127.0.0.1', port: slave.port, unitId: 3, intervalMs: 60_000, timeoutMs: 500 });
    // An operator may read now (devices:read); nothing is stored.
    const read = await api('POST', `/devices/${PK}/m2/modbus/read`, {}, await tw.tokenFor('operator'));
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      ok: true, durationMs: expect.any(Number),
      requests: expect.arrayContaining([{ function: 4, address: 0, count: 1, raw: [215] }, { function: 3, address: 10, count: 2, raw: [0, 0x41ac] }]),
    });
    expect(Object.fromEntries((read.body.values as TestJson[]).map((v) => [v.property, v.value]))).toEqual({ temperature: 21.5, setpoint: 21.5, relay: 1 });
    expect((await api('GET', `/devices/${PK}/m2/properties`)).body.items).toEqual([]);

    // Points sent instead of the table: one the slave lacks gets its exception, the other its value.
    const tried = await api('POST', `/devices/${PK}/m2/modbus/read`, {
      points: [{ property: 'a', function: 3, address: 300, type: 'uint16' }, { property: 'b', function: 4, address: 0, type: 'uint16' }],
    });
    expect(tried.body.requests).toContainEqual({ function: 3, address: 300, count: 1, error: { kind: 'exception', message: 'exception 2: illegal data address', exceptionCode: 2 } });
    expect(tried.body.values).toContainEqual({ property: 'b', type: 'uint16', value: 215 });
    expect((await api('POST', `/devices/${PK}/m2/modbus/read`, { points: [{ property: 'a', function: 9 }] })).status).toBe(422);

    // A unit nothing answers for, and a port nothing listens on.
    await api('PUT', `/devices/${PK}/m2/modbus`, { transport: 'tcp', host: '127.0.0.1', port: slave.port, unitId: 9, intervalMs: 60_000, timeoutMs: 200 });
    // One read of a device at a time: a second while the first waits out its timeout is refused.
    const [first, second] = await Promise.all([api('POST', `/devices/${PK}/m2/modbus/read`, {}), api('POST', `/devices/${PK}/m2/modbus/read`, {})]);
    expect([first.status, second.status].sort()).toEqual([200, 429]);
    expect([first.body, second.body]).toContainEqual({ error: expect.objectContaining({ code: 'read_in_progress' }) });
    expect((await api('POST', `/devices/${PK}/m2/modbus/read`, {})).body).toMatchObject({ ok: false, error: { kind: 'timeout', message: 'timeout after 200 ms' } });
    await api('PUT', `/devices/${PK}/m2/modbus`, { transport: 'tcp', host: '127.0.0.1', port: await freePort(), unitId: 3, intervalMs: 60_000 });
    expect((await api('POST', `/devices/${PK}/m2/modbus/read`, {})).body).toMatchObject({ ok: false, error: { kind: 'connect', message: expect.stringContaining('ECONNREFUSED') } });
    // A serial path that is a plain file is never opened.
    await api('PUT', `/devices/${PK}/m2/modbus`, { transport: 'rtu', path: '/etc/hostname', unitId: 3, intervalMs: 60_000 });
    expect((await api('POST', `/devices/${PK}/m2/modbus/read`, {})).body).toMatchObject({ ok: false, error: { kind: 'connect', message: expect.stringContaining('not a serial device') } });
  });

  it('forgets a device\'s connection with the device, and a product\'s table with the product', async () => {
    await api('PUT', `/devices/${PK}/m1/modbus`, { transport: 'tcp', host: 'h', unitId: 1, intervalMs: 1000 });
    expect((await api('DELETE', `/devices/${PK}/m1`)).status).toBe(204);
    await api('POST', '/devices', { productKey: PK, deviceName: 'm1' });
    expect((await api('GET', `/devices/${PK}/m1/modbus`)).body.connection).toBeNull();

    for (const dn of ['m1', 'm2']) await api('DELETE', `/devices/${PK}/${dn}`);
    expect((await api('DELETE', `/products/${PK}`)).status).toBe(204);
    await api('POST', '/products', { productKey: PK, name: PK });
    expect((await api('GET', `/products/${PK}/modbus/points`)).body.points).toEqual([]);
  });
});
