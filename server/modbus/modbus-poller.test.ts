import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployListener } from '../testing/mqtt-devices.ts';
import { pipelineFlow } from '../testing/pipeline-flow.ts';
import { startTestServer, type TestJson, type TestServer } from '../testing/test-server.ts';
import { until } from '../testing/until.ts';
import { ModbusSlave, type SlaveUnits } from '../testing/modbus-slave.ts';

type Order = 'ABCD' | 'CDAB' | 'BADC' | 'DCBA';
const ORDERS: Record<Order, { byteOrder: 'big' | 'little'; wordOrder: 'big' | 'little' }> = {
  ABCD: { byteOrder: 'big', wordOrder: 'big' }, CDAB: { byteOrder: 'big', wordOrder: 'little' },
  BADC: { byteOrder: 'little', wordOrder: 'big' }, DCBA: { byteOrder: 'little', wordOrder: 'little' },
};
const WIDE = { int32: -123456789, uint32: 3_000_000_000, float32: 123.5, float64: -9876.54321 } as const;
const NARROW = { int16: -1234, uint16: 54321 } as const;

/**
 * A value's registers in an order, the way a device manual lays them out: written big-endian by Node's Buffer (not
 * by the code under test), split into 16-bit words, then the words and the bytes in each swapped as the order says.
 */
function registers(type: keyof typeof WIDE | keyof typeof NARROW, value: number, order: Order): number[] {
  const size = { int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8 }[type];
  const b = Buffer.alloc(size);
  if (type === 'int16') b.writeInt16BE(value);
  else if (type === 'uint16') b.writeUInt16BE(value);
  else if (type === 'int32') b.writeInt32BE(value);
  else if (type === 'uint32') b.writeUInt32BE(value);
  else if (type === 'float32') b.writeFloatBE(value);
  else b.writeDoubleBE(value);
  let words = Array.from({ length: size / 2 }, (_, i) => b.readUInt16BE(i * 2));
  if (ORDERS[order].wordOrder === 'little') words = words.reverse();
  if (ORDERS[order].byteOrder === 'little') words = words.map((w) => ((w & 0xff) << 8) | (w >> 8));
  return words;
}

// The point table, the slave's registers holding it, and the values the platform must report: built together.
const points: TestJson[] = [];
const holding: Record<number, number> = {};
const input: Record<number, number> = {};
const expected: Record<string, number | string> = {};
let next = 0;
for (const [type, value] of Object.entries(WIDE) as [keyof typeof WIDE, number][]) {
  for (const order of Object.keys(ORDERS) as Order[]) {
    const property = `${type}_${order}`.toLowerCase();
    // float64s live in input registers (function 4), the rest in holding registers.
    const table = type === 'float64' ? input : holding;
    const address = type === 'float64' ? Object.keys(input).length : next;
    registers(type, value, order).forEach((w, i) => (table[address + i] = w));
    if (table === holding) next += registers(type, value, order).length;
    points.push({ property, function: type === 'float64' ? 4 : 3, address, type, ...ORDERS[order] });
    expected[property] = value;
  }
}
for (const [type, value] of Object.entries(NARROW) as [keyof typeof NARROW, number][]) {
  for (const order of ['ABCD', 'BADC'] as const) {
    const property = `${type}_${order}`.toLowerCase();
    holding[next] = registers(type, value, order)[0]!;
    points.push({ property, function: 3, address: next++, type, byteOrder: ORDERS[order].byteOrder });
    expected[property] = value;
  }
}
// Scale and offset: "−40 to 215 °C as 0 to 2550" reads raw 215 as −18.5; a meter's 0.01 kWh uint32 in CDAB.
holding[next] = 215;
points.push({ property: 'temperature', function: 3, address: next++, type: 'int16', scale: 0.1, offset: -40 });
expected.temperature = -18.5;
registers('uint32', 123456, 'CDAB').forEach((w, i) => (holding[next + i] = w));
points.push({ property: 'energy', function: 3, address: next, type: 'uint32', wordOrder: 'little', scale: 0.01 });
next += 2;
expected.energy = 1234.56;
// Text over 4 registers with NUL padding; bools from a coil, a discrete input and a register.
Buffer.from('Pump-7\0\0').forEach((byte, i, all) => {
  if (i % 2 === 0) holding[100 + i / 2] = (byte << 8) | all[i + 1]!;
});
points.push({ property: 'label', function: 3, address: 100, count: 4, type: 'string' });
expected.label = 'Pump-7';
points.push({ property: 'relay', function: 1, address: 0, type: 'bool', writable: true });
points.push({ property: 'alarm', function: 2, address: 3, type: 'bool' });
holding[110] = 7;
points.push({ property: 'running', function: 3, address: 110, type: 'bool' });
Object.assign(expected, { relay: 0, alarm: 1, running: 1 });
// Writable registers: a one-register setpoint (function 6) and a float32 limit (function 16).
holding[120] = 215;
points.push({ property: 'setpoint', function: 3, address: 120, type: 'int16', scale: 0.1, writable: true });
registers('float32', 50, 'ABCD').forEach((w, i) => (holding[121 + i] = w));
points.push({ property: 'limit', function: 3, address: 121, type: 'float32', writable: true });
Object.assign(expected, { setpoint: 21.5, limit: 50 });
// A register the slave does not have: every poll gets exception 2 for it, and the other points still report.
points.push({ property: 'ghost', function: 3, address: 500, type: 'uint16', writable: true });
// Mapped, but not writable: a set is refused without writing.
points.push({ property: 'mode', function: 3, address: 130, type: 'uint16' });
holding[130] = 2;
expected.mode = 2;

const UNITS: SlaveUnits = { 1: { holding, input, coils: { 0: 0 }, discrete: { 3: 1 } } };

const tsl = {
  properties: points.map((p) => ({
    identifier: p.property, name: p.property, accessMode: p.writable || p.property === 'mode' ? 'rw' : 'r', required: false,
    dataType: p.type === 'string' ? { type: 'text', specs: { length: '64' } } : p.type === 'bool' ? { type: 'bool', specs: { 0: 'off', 1: 'on' } } : { type: 'double', specs: {} },
  })),
  events: [], services: [{ identifier: 'reboot', name: 'Reboot', callType: 'async', inputData: [], outputData: [] }],
};

const PK = 'mbpoll';
let tw: TestServer;
let tcpSlave: ModbusSlave;
const slaves: ModbusSlave[] = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-modbus-'));
let socat: ChildProcess | undefined;

const api = (method: string, p: string, body?: unknown) => tw.request(method, `/api/v1${p}`, { token: tw.adminToken, body });
const latest = async (dn: string) =>
  Object.fromEntries(((await api('GET', `/devices/${PK}/${dn}/properties`)).body.items as TestJson[]).map((i) => [i.identifier, i.value]));
const history = async (dn: string) => (await api('GET', `/devices/${PK}/${dn}/connections`)).body.items as TestJson[];
const status = async (dn: string) => (await api('GET', `/devices/${PK}/${dn}/modbus`)).body.status as TestJson;
const connect = (dn: string, connection: object) =>
  api('PUT', `/devices/${PK}/${dn}/modbus`, { unitId: 1, intervalMs: 150, ...connection }).then((r) => {
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // Polled from the answer on: not-polled would say no poller takes it.
    expect(r.body.status.state).toBe('polling');
  });
const reported = (dn: string, values: Record<string, unknown>) =>
  until(`${dn} reports ${JSON.stringify(values)}`, () => latest(dn), (v) => Object.entries(values).every(([k, x]) => v[k] === x));

/** The shipped pipeline (validate, store, alerts), its Modbus poller with small limits so failures show quickly. */
const flows = (poller: object = {}, options: Parameters<typeof pipelineFlow>[0] = {}) => pipelineFlow(options).map((n) => (n.id === 'tw-modbus-poller'
  ? { ...n, failuresBeforeOffline: 2, timeoutMs: 300, maxInFlightPerTcpBus: 4, backoffMaxMs: 400, products: [], ...poller }
  : n));

beforeAll(async () => {
  tw = await startTestServer();
  expect((await api('POST', '/products', { productKey: PK, name: 'Modbus meters' })).status).toBe(201);
  expect((await api('PUT', `/products/${PK}/thing-model/draft`, tsl)).status).toBe(200);
  expect((await api('POST', `/products/${PK}/thing-model/publish`)).status).toBe(201);
  for (const deviceName of ['meter-tcp', 'meter-rtu', 'meter-gw']) expect((await api('POST', '/devices', { productKey: PK, deviceName })).status).toBe(201);
  const saved = await api('PUT', `/products/${PK}/modbus/points`, { points });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  await deployListener(tw, flows());
  tcpSlave = await ModbusSlave.start({ mode: 'tcp', units: UNITS });
  slaves.push(tcpSlave);
});

afterAll(async () => {
  await tw?.close();
  for (const s of slaves) await s.stop();
  socat?.kill();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('Modbus poller', () => {
  it('reads every type in every order, scaled, into telemetry, and opens the device\'s session', async () => {
    await connect('meter-tcp', { transport: 'tcp', host: '127.0.0.1', port: tcpSlave.port });
    const values = await reported('meter-tcp', expected);
    for (const [property, value] of Object.entries(expected)) expect(values[property], property).toBe(value);
    expect((await history('meter-tcp'))[0]).toMatchObject({ event: 'connected', protocol: 'modbus', remoteAddress: `127.0.0.1:${tcpSlave.port} unit 1` });
    // The register it does not have is named, with the exception, while everything else reports.
    expect(await status('meter-tcp')).toMatchObject({ state: 'polling', failures: 0, lastError: 'exception 2: illegal data address', lastPollAt: expect.any(String) });
    expect(values.ghost).toBeUndefined();
    // Once in the device's message log, where people look when values stop coming, not once per poll.
    const log = (await api('GET', `/devices/${PK}/meter-tcp/messages`)).body.items as TestJson[];
    expect(log.filter((m) => m.kind === 'modbus.read')).toEqual([expect.objectContaining({ reason: 'Modbus read failed: exception 2: illegal data address' })]);
    const metrics = await (await fetch(`${tw.url}/metrics`)).text();
    expect(metrics).toMatch(/^thingwire_modbus_polls_total\{result="answered"\} [1-9]/m);
    expect(metrics).toMatch(/^thingwire_modbus_devices\{state="polling"\} 1$/m);
    expect(metrics).toMatch(/^thingwire_modbus_lines 1$/m);
  });

  it('turns property sets into writes (functions 5, 6, 16) answered with their outcome, the slave\'s exception included', async () => {
    const set = (params: object) => api('POST', `/devices/${PK}/meter-tcp/commands`, { kind: 'property.set', params }).then((r) => r.body as TestJson);
    expect(await set({ setpoint: 23.4, relay: 1 })).toMatchObject({ code: 200, data: { written: ['setpoint', 'relay'] } });
    expect(await set({ limit: -7.25 })).toMatchObject({ code: 200 });
    await reported('meter-tcp', { setpoint: 23.4, relay: 1, limit: -7.25 });
    // The slave refuses the address: its exception comes back as the reply.
    expect(await set({ ghost: 1 })).toMatchObject({ code: 502, data: { exceptionCode: 2, message: expect.stringContaining('exception 2: illegal data address') } });
    // Mapped read-only, or not mapped: refused, nothing written.
    expect(await set({ mode: 3, setpoint: 20 })).toMatchObject({ code: 400, data: { message: expect.stringContaining('not writable over Modbus: mode') } });
    // Out of the register's range once scaled: refused with the range.
    expect(await set({ setpoint: 4000 })).toMatchObject({ code: 422, data: { message: expect.stringContaining('-32768..32767') } });
    expect(await api('POST', `/devices/${PK}/meter-tcp/commands`, { kind: 'service.invoke', serviceId: 'reboot', params: {} }).then((r) => r.body))
      .toMatchObject({ code: 400, data: { message: expect.stringContaining('no services') } });
    expect((await latest('meter-tcp')).setpoint).toBe(23.4);
  });

  it('keeps polling through a redeploy, applies new settings in place, and lets go of products it no longer takes', async () => {
    const before = await history('meter-tcp');
    const deploy = async (poller: object) => expect((await api('POST', '/flows', { flows: flows(poller) })).status).toBe(200);
    await deploy({});
    await deploy({ timeoutMs: 400, failuresBeforeOffline: 3 });
    const polledAt = (await status('meter-tcp')).lastPollAt;
    await until('polled again', () => status('meter-tcp'), (s) => s.lastPollAt !== polledAt);
    expect(await history('meter-tcp')).toEqual(before);
    expect(tw.app.modbus.pollers()[0]!.config).toMatchObject({ timeoutMs: 400, failuresBeforeOffline: 3 });

    await deploy({ products: ['another'] });
    await until('not polled', () => status('meter-tcp'), (s) => s.state === 'not-polled');
    expect((await history('meter-tcp'))[0]).toMatchObject({ event: 'disconnected', reason: expect.stringContaining('no longer polled') });
    await deploy({});
    await until('online again', () => history('meter-tcp'), (h) => h[0].event === 'connected');
  });

  it('takes a hung slave offline after N polls with the timeout as the reason, a dead one with the refusal, and back', async () => {
    tcpSlave.pause();
    await until('offline', () => status('meter-tcp'), (s) => s.state === 'offline');
    const hung = (await history('meter-tcp')).find((h) => h.event === 'disconnected');
    expect(hung.reason).toMatch(/^connection-lost: 2 polls in a row failed: timeout after 300 ms/);
    expect((await api('POST', `/devices/${PK}/meter-tcp/commands`, { kind: 'property.set', params: { setpoint: 20 } })).body).toMatchObject({ code: 503 });
    tcpSlave.resume();
    await until('online again', () => history('meter-tcp'), (h) => h[0].event === 'connected');
    expect(await status('meter-tcp')).toMatchObject({ state: 'polling', failures: 0 });

    await tcpSlave.stop();
    await until('offline', () => history('meter-tcp'), (h) => h[0].event === 'disconnected');
    expect((await history('meter-tcp'))[0].reason).toMatch(/polls in a row failed: (cannot connect|connection lost)/);
    await tcpSlave.restart();
    await until('online again', () => history('meter-tcp'), (h) => h[0].event === 'connected');
    await reported('meter-tcp', { temperature: -18.5 });
  });

  it('reads RTU over TCP (a serial gateway\'s transparent mode)', async () => {
    const gateway = await ModbusSlave.start({ mode: 'rtu-over-tcp', units: UNITS });
    slaves.push(gateway);
    await connect('meter-gw', { transport: 'rtu-over-tcp', host: '127.0.0.1', port: gateway.port });
    await reported('meter-gw', { float32_cdab: 123.5, label: 'Pump-7', energy: 1234.56 });
    expect((await api('POST', `/devices/${PK}/meter-gw/commands`, { kind: 'property.set', params: { setpoint: 19 } })).body).toMatchObject({ code: 200 });
    await reported('meter-gw', { setpoint: 19 });
  });

  it('reads and writes RTU on a serial line (a socat pty pair)', async () => {
    const [slaveEnd, masterEnd] = [path.join(tmp, 'slave'), path.join(tmp, 'master')];
    socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${slaveEnd}`, `pty,raw,echo=0,link=${masterEnd}`], { stdio: 'ignore' });
    await until('socat\'s ptys', () => fs.existsSync(slaveEnd) && fs.existsSync(masterEnd), Boolean);
    const serial = await ModbusSlave.start({ mode: 'serial', path: slaveEnd, units: UNITS });
    slaves.push(serial);
    await connect('meter-rtu', { transport: 'rtu', path: masterEnd, baudRate: 9600, intervalMs: 300 });
    await reported('meter-rtu', { int32_dcba: -123456789, uint16_badc: 54321, alarm: 1 });
    expect((await history('meter-rtu'))[0]).toMatchObject({ event: 'connected', protocol: 'modbus', remoteAddress: `${masterEnd} unit 1` });
    expect((await api('POST', `/devices/${PK}/meter-rtu/commands`, { kind: 'property.set', params: { relay: 1 } })).body).toMatchObject({ code: 200 });
    await reported('meter-rtu', { relay: 1 });

    // The line goes away under the poller (the adapter unplugged): offline, and back once it returns.
    socat.kill('SIGKILL');
    await serial.stop();
    await until('offline', () => history('meter-rtu'), (h) => h[0].event === 'disconnected');
    expect(await status('meter-rtu')).toMatchObject({ state: 'offline', lastError: expect.any(String) });
    socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${slaveEnd}`, `pty,raw,echo=0,link=${masterEnd}`], { stdio: 'ignore' });
    await until('socat\'s ptys again', () => fs.existsSync(slaveEnd) && fs.existsSync(masterEnd), Boolean);
    await serial.restart();
    await until('online again', () => history('meter-rtu'), (h) => h[0].event === 'connected');
  });

  it('stops polling a device whose connection is removed, and one that is disabled', async () => {
    expect((await api('DELETE', `/devices/${PK}/meter-gw/modbus`)).status).toBe(204);
    await until('not polled', () => status('meter-gw'), (s) => s.state === 'not-polled');
    expect((await history('meter-gw'))[0]).toMatchObject({ event: 'disconnected' });
    expect((await api('PATCH', `/devices/${PK}/meter-tcp`, { enabled: false })).status).toBe(200);
    await until('not polled', () => status('meter-tcp'), (s) => s.state === 'not-polled');
    expect((await history('meter-tcp'))[0]).toMatchObject({ event: 'disconnected' });
  });

  it('runs the shipped Modbus example: a full tank\'s pump coil is written off by the flow', async () => {
    const tank = { productKey: 'tank_demo', deviceName: 'tank1' };
    expect((await api('POST', '/products', { productKey: tank.productKey, name: 'Water tank' })).status).toBe(201);
    const bool = { type: 'bool', specs: { 0: 'off', 1: 'on' } };
    expect((await api('PUT', `/products/${tank.productKey}/thing-model/draft`, {
      properties: [
        { identifier: 'level', name: 'Level', accessMode: 'r', required: false, dataType: { type: 'double', specs: { min: '0', max: '100' } } },
        { identifier: 'pump', name: 'Pump', accessMode: 'rw', required: false, dataType: bool },
      ],
      events: [], services: [],
    })).status).toBe(200);
    expect((await api('POST', `/products/${tank.productKey}/thing-model/publish`)).status).toBe(201);
    // As the tab's info describes: level in an input register (tenths of a percent), the pump on coil 0.
    expect((await api('PUT', `/products/${tank.productKey}/modbus/points`, { points: [
      { property: 'level', function: 4, address: 0, type: 'uint16', scale: 0.1 },
      { property: 'pump', function: 1, address: 0, type: 'bool', writable: true },
    ] })).status).toBe(200);
    expect((await api('POST', '/devices', tank)).status).toBe(201);
    const slave = await ModbusSlave.start({ mode: 'tcp', units: { 1: { input: { 0: 955 }, coils: { 0: 1 } } } });
    slaves.push(slave);
    const put = await api('PUT', `/devices/${tank.productKey}/${tank.deviceName}/modbus`, { transport: 'tcp', host: '127.0.0.1', port: slave.port, unitId: 1, intervalMs: 150 });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const tankValues = async () => Object.fromEntries(((await api('GET', `/devices/${tank.productKey}/${tank.deviceName}/properties`)).body.items as TestJson[])
      .map((i) => [i.identifier, i.value]));
    await until('the tank reports full, pump on', tankValues, (v) => v.level === 95.5 && v.pump === 1);

    expect((await api('POST', '/flows', { flows: flows({}, { modbusExample: tank }) })).status).toBe(200);
    await until('the flow switched the pump off, and the next poll reads it so', tankValues, (v) => v.pump === 0);
    const log = (await api('GET', `/devices/${tank.productKey}/${tank.deviceName}/messages`)).body.items as TestJson[];
    expect(log.find((m) => m.direction === 'down' && m.kind === 'property.set')).toMatchObject({ code: 200 });
  });
});
