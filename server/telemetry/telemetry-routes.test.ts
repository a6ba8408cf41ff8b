import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../domain/auth/permissions.ts';
import { openDatabase, type Db } from '../db/database.ts';
import { SqliteSql } from '../db/sql.ts';
import { RouteTable } from '../http/route-table.ts';
import { createLogger } from '../logger.ts';
import { createRegistry, type Registry } from '../registry.ts';
import { SecretBox } from '../secrets/secret-box.ts';
import { serveRouteTable } from '../testing/route-table-server.ts';
import type { TestJson } from '../testing/test-server.ts';
import type { TslDocument } from '../../domain/thing-model/tsl-types.ts';
import { SqliteTelemetry, TELEMETRY_DB_FILE } from './sqlite-telemetry.ts';
import { registerTelemetryRoutes } from './telemetry-routes.ts';
import { MAX_LIMIT, type PropertyRow } from '../../domain/telemetry/telemetry-rows.ts';

// Real parts: the registry on a platform database, SQLite telemetry on a temp file, the routes served on loopback
// (the bearer token is the role).
const HOUR = 3_600_000;
/** A whole hour two hours ago: inside the default range (the last 24 h) and round for bucket arithmetic. */
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

const METER: TslDocument = {
  properties: [
    { identifier: 'temperature', name: 'Temperature', accessMode: 'r', dataType: { type: 'float', specs: { min: '-40', max: '120', unit: '°C' } } },
    { identifier: 'label', name: 'Label', accessMode: 'rw', dataType: { type: 'text', specs: { length: '128' } } },
    {
      identifier: 'position', name: 'Position', accessMode: 'r', dataType: {
        type: 'struct', specs: [
          { identifier: 'lat', name: 'lat', dataType: { type: 'double' } },
          { identifier: 'note', name: 'note', dataType: { type: 'text', specs: { length: '64' } } },
        ],
      },
    },
    { identifier: 'power', name: 'Power', accessMode: 'rw', dataType: { type: 'bool', specs: { '0': 'off', '1': 'on' } } },
  ],
  events: [
    { identifier: 'overheat', name: 'Overheat', type: 'alert', method: 'thing.event.overheat.post', outputData: [{ identifier: 'temp', name: 'temp', dataType: { type: 'float' } }] },
    { identifier: 'boot', name: 'Boot', type: 'info', method: 'thing.event.boot.post', outputData: [] },
    { identifier: 'fault', name: 'Fault', type: 'error', method: 'thing.event.fault.post', outputData: [] },
  ],
  services: [],
};
const DENSE: TslDocument = {
  properties: [
    { identifier: 'v', name: 'v', accessMode: 'r', dataType: { type: 'int' } },
    { identifier: 'w', name: 'w', accessMode: 'r', dataType: { type: 'int' } },
  ],
  events: [],
  services: [],
};

const row = (productKey: string, deviceName: string, ts: number, values: Record<string, unknown>): PropertyRow => ({
  productKey, deviceName, ts, receivedAt: ts + 5, values,
});

let dir: string;
let db: Db;
let registry: Registry;
let telemetry: SqliteTelemetry;
const served: Awaited<ReturnType<typeof serveRouteTable>>[] = [];
let base: string;
/** The same routes with a CSV cap of 2 lines. */
let cappedBase: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-telemetry-routes-'));
  db = openDatabase(path.join(dir, 'thingwire.db'));
  registry = createRegistry(new SqliteSql(db), new SecretBox(randomBytes(32)), createLogger('silent'));
  for (const [productKey, tsl, devices] of [['meter', METER, ['m1', 'm2', 'quiet']], ['dense', DENSE, ['d']]] as const) {
    await registry.products.create({ productKey, name: productKey });
    for (const deviceName of devices) await registry.devices.create({ productKey, deviceName });
    await registry.thingModels.saveDraft(productKey, tsl, 'test');
    await registry.thingModels.publish(productKey, 'test');
  }

  telemetry = new SqliteTelemetry(path.join(dir, TELEMETRY_DB_FILE));
  await telemetry.ensureSchema('meter', 1, METER);
  await telemetry.ensureSchema('dense', 1, DENSE);
  const written = await telemetry.writeBatch({
    properties: [
      row('meter', 'm1', T0, { temperature: 20.5, label: 'a,b "c"', power: 1 }),
      row('meter', 'm1', T0 + 1000, { temperature: 21.5, label: '=SUM(A1:A9)', position: { lat: 31.5, note: 'line\nbreak' } }),
      row('meter', 'm1', T0 + 25_000, { temperature: 30, label: '-1+2', power: 0 }),
      row('meter', 'm1', T0 - 30 * HOUR, { temperature: -5 }),
      row('meter', 'm2', T0, { temperature: 99 }),
    ],
    events: [
      { productKey: 'meter', deviceName: 'm1', ts: T0 + 100, receivedAt: T0 + 110, eventId: 'boot', data: {} },
      { productKey: 'meter', deviceName: 'm1', ts: T0 + 200, receivedAt: T0 + 210, eventId: 'overheat', data: { temp: 91.5 } },
      { productKey: 'meter', deviceName: 'm1', ts: T0 + 300, receivedAt: T0 + 310, eventId: 'fault', data: {} },
      { productKey: 'meter', deviceName: 'm2', ts: T0 + 400, receivedAt: T0 + 410, eventId: 'overheat', data: { temp: 95 } },
    ],
  });
  expect(written.skipped).toEqual([]);

  for (const maxCsvRows of [undefined, 2]) {
    const table = new RouteTable();
    registerTelemetryRoutes(table, telemetry, registry.devices, registry.thingModels, { products: registry.products, maxCsvRows });
    served.push(await serveRouteTable(table));
  }
  [base, cappedBase] = served.map((s) => s.base) as [string, string];
});

afterAll(async () => {
  for (const s of served) await s.close();
  await telemetry?.close();
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function get(url: string, role: Role | null = 'operator', at = base) {
  const res = await fetch(at + url, { headers: role ? { authorization: `Bearer ${role}` } : {} });
  const text = await res.text();
  const json = res.headers.get('content-type')?.startsWith('application/json');
  return { status: res.status, headers: res.headers, text, body: (json ? JSON.parse(text) : undefined) as TestJson };
}

/** `from`/`to` of the hour around the m1 data. */
const HOUR_RANGE = `from=${iso(T0)}&to=${T0 + HOUR}`;

describe('GET /devices/:productKey/:deviceName/properties', () => {
  it('gives the shadow in thing model order, with names and units from the model and ISO times', async () => {
    const res = await get('/devices/meter/m1/properties');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      { identifier: 'temperature', name: 'Temperature', unit: '°C', value: 30, time: iso(T0 + 25_000) },
      { identifier: 'label', name: 'Label', value: '-1+2', time: iso(T0 + 25_000) },
      { identifier: 'position', name: 'Position', value: { lat: 31.5, note: 'line\nbreak' }, time: iso(T0 + 1000) },
      { identifier: 'power', name: 'Power', value: 0, time: iso(T0 + 25_000) },
    ]);
    expect((await get('/devices/meter/quiet/properties')).body).toEqual({ items: [] });
  });
});

describe('GET /devices/:productKey/:deviceName/properties/:identifier/history', () => {
  it('gives raw points in the range, in the order asked, at most limit of them', async () => {
    const asc = await get(`/devices/meter/m1/properties/temperature/history?${HOUR_RANGE}`);
    expect(asc.status).toBe(200);
    expect(asc.body).toEqual({
      items: [{ time: iso(T0), value: 20.5 }, { time: iso(T0 + 1000), value: 21.5 }, { time: iso(T0 + 25_000), value: 30 }],
    });
    const lastTwo = await get(`/devices/meter/m1/properties/temperature/history?${HOUR_RANGE}&order=desc&limit=2`);
    expect(lastTwo.body.items.map((p: { value: number }) => p.value)).toEqual([30, 21.5]);
    // `to` is exclusive; an offset whose `+` was not URL-encoded still reads as an offset.
    const local = iso(T0 + 1000 + 8 * HOUR).slice(0, 19);
    const upTo = await get(`/devices/meter/m1/properties/temperature/history?from=${T0 - HOUR}&to=${local}+08:00`);
    expect(upTo.status).toBe(200);
    expect(upTo.body.items).toEqual([{ time: iso(T0), value: 20.5 }]);
  });

  it('covers the last 24 h by default', async () => {
    const res = await get('/devices/meter/m1/properties/temperature/history');
    expect(res.body.items.map((p: { value: number }) => p.value)).toEqual([20.5, 21.5, 30]);
    const older = await get(`/devices/meter/m1/properties/temperature/history?from=${T0 - 31 * HOUR}&to=${T0}`);
    expect(older.body.items).toEqual([{ time: iso(T0 - 30 * HOUR), value: -5 }]);
  });

  it('downsamples into buckets with min, max, avg and count, leaving out empty ones', async () => {
    const res = await get(`/devices/meter/m1/properties/temperature/history?from=${T0}&to=${T0 + 40_000}&buckets=4`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      bucketMs: 10_000,
      items: [
        { time: iso(T0), min: 20.5, max: 21.5, avg: 21, count: 2 },
        { time: iso(T0 + 20_000), min: 30, max: 30, avg: 30, count: 1 },
      ],
    });
  });

  it('refuses to downsample text', async () => {
    const res = await get(`/devices/meter/m1/properties/label/history?${HOUR_RANGE}&buckets=10`);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('telemetry_not_numeric');
  });

  it('answers 400 saying what to send for a range that is empty, backwards or not a time', async () => {
    for (const query of [`from=${T0}&to=${T0}`, `from=${T0 + 1}&to=${T0}`, `from=${Date.now() + HOUR}`]) {
      const res = await get(`/devices/meter/m1/properties/temperature/history?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'bad_request', message: expect.stringContaining('must be before to') });
    }
    for (const query of ['from=yesterday', `to=${encodeURIComponent('2024-05-01T08:00:00')}`, 'from=1e12']) {
      const res = await get(`/devices/meter/m1/properties/temperature/history?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/is not a time: send ISO 8601 with a zone .* or milliseconds since the epoch/);
    }
  });
});

describe('GET …/events', () => {
  it('lists a device\'s events newest first, filtered by type or event', async () => {
    const all = await get(`/devices/meter/m1/events?${HOUR_RANGE}`);
    expect(all.status).toBe(200);
    expect(all.body.items.map((e: { eventId: string }) => e.eventId)).toEqual(['fault', 'overheat', 'boot']);
    expect(all.body.items[1]).toEqual({
      deviceName: 'm1', eventId: 'overheat', type: 'alert', data: { temp: 91.5 }, time: iso(T0 + 200), receivedAt: iso(T0 + 210),
    });
    const alerts = await get(`/devices/meter/m1/events?${HOUR_RANGE}&type=alert`);
    expect(alerts.body.items.map((e: { eventId: string }) => e.eventId)).toEqual(['overheat']);
    const boots = await get(`/devices/meter/m1/events?${HOUR_RANGE}&eventId=boot&order=asc`);
    expect(boots.body.items.map((e: { time: string }) => e.time)).toEqual([iso(T0 + 100)]);
    expect((await get(`/devices/meter/m1/events?${HOUR_RANGE}&type=warning`)).status).toBe(422);
  });

  it('lists a product\'s events across its devices', async () => {
    const res = await get(`/products/meter/events?${HOUR_RANGE}&type=alert`);
    expect(res.body.items.map((e: { deviceName: string; time: string }) => [e.deviceName, e.time])).toEqual([
      ['m2', iso(T0 + 400)],
      ['m1', iso(T0 + 200)],
    ]);
    expect((await get('/products/nothing/events')).status).toBe(404);
  });
});

describe('GET /devices/:productKey/:deviceName/telemetry.csv', () => {
  it('downloads the range with values merged by time, quoted per RFC 4180 and guarded against formulas', async () => {
    const res = await get(`/devices/meter/m1/telemetry.csv?${HOUR_RANGE}&properties=temperature,label,position`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const stamp = (ms: number) => iso(ms).replace(/[-:]/g, '').replace('.000Z', 'Z');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename=meter_m1_${stamp(T0)}_${stamp(T0 + HOUR)}.csv`);
    expect(res.text).toBe([
      'time,temperature,label,position',
      `${iso(T0)},20.5,"a,b ""c""",`,
      `${iso(T0 + 1000)},21.5,'=SUM(A1:A9),"{""lat"":31.5,""note"":""line\\nbreak""}"`,
      `${iso(T0 + 25_000)},30,'-1+2,`,
      '',
    ].join('\r\n'));
    // What a CSV reader makes of it.
    expect(parse(res.text)[1]).toEqual([iso(T0), '20.5', 'a,b "c"', '']);
  });

  it('has a column for every property in the shadow by default, in thing model order', async () => {
    const res = await get(`/devices/meter/m1/telemetry.csv?${HOUR_RANGE}`);
    expect(res.text.split('\r\n')[0]).toBe('time,temperature,label,position,power');
    expect(res.text.split('\r\n')[1]).toBe(`${iso(T0)},20.5,"a,b ""c""",,1`);
  });

  it(`exports ranges longer than ${MAX_LIMIT} points, losing and repeating none where a page ends inside one millisecond`, async () => {
    // v: one value per millisecond, except ten values sharing one across the first page's end (points 9995..10004);
    // w: a value at the first and at that shared millisecond.
    const count = MAX_LIMIT + 50;
    const shared = T0 + 9995;
    const rows = Array.from({ length: count }, (_, i) => row('dense', 'd', i >= 9995 && i < 10_005 ? shared : T0 + i, { v: i }));
    rows.push(row('dense', 'd', T0, { w: -1 }), row('dense', 'd', shared, { w: -2 }));
    expect((await telemetry.writeBatch({ properties: rows, events: [] })).skipped).toEqual([]);

    const res = await get(`/devices/dense/d/telemetry.csv?from=${T0}&to=${T0 + HOUR}`);
    expect(res.status).toBe(200);
    const lines = parse(res.text) as string[][];
    expect(lines[0]).toEqual(['time', 'v', 'w']);
    expect(lines[1]).toEqual([iso(T0), '0', '-1']);
    expect(lines.slice(1).map((l) => Number(l[1])).sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
    const atShared = lines.filter((l) => l[0] === iso(shared));
    expect(atShared).toHaveLength(10);
    expect(atShared.map((l) => l[2])).toEqual(['-2', ...Array(9).fill('')]);
    const times = lines.slice(1).map((l) => l[0]);
    expect(times).toEqual([...times].sort());
  });

  it('refuses an export longer than the cap with a clear error', async () => {
    const res = await get(`/devices/meter/m1/telemetry.csv?${HOUR_RANGE}`, 'operator', cappedBase);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'telemetry_export_too_large', message: expect.stringContaining('export the range in parts') });
    expect((await get(`/devices/meter/m1/telemetry.csv?from=${T0}&to=${T0 + 25_000}`, 'operator', cappedBase)).status).toBe(200);
  });
});

describe('access and unknown devices', () => {
  it('answers 404 for a device that does not exist, on every route', async () => {
    for (const url of ['properties', 'properties/temperature/history', 'events', 'telemetry.csv']) {
      const res = await get(`/devices/meter/nobody/${url}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });

  it('answers 401 without a token', async () => {
    for (const url of ['/devices/meter/m1/properties', '/devices/meter/m1/telemetry.csv', '/products/meter/events']) {
      expect((await get(url, null)).status).toBe(401);
    }
  });
});
