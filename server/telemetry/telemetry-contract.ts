/**
 * The one behaviour every telemetry backend must show (both backends pass this one contract suite).
 * A backend's test file calls `runTelemetryContract(name, makeBackend)`; `makeBackend` gives a fresh, open backend,
 * closed after each test. Every test uses its own product keys, so backends may share one database across tests.
 *
 * Times are recent (TDengine refuses rows older than its database keeps), and no device has two rows or two events
 * with the same millisecond (TDengine keeps one of them; see tdengine-telemetry.ts).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TslDataType, TslDocument, TslProperty } from '../../domain/thing-model/tsl-types.ts';
import type { TelemetryBackend } from './telemetry-store.ts';
import type { PropertyRow } from '../../domain/telemetry/telemetry-rows.ts';

const HOUR = 3_600_000;
/** A whole hour a day ago: recent for TDengine, round for bucket arithmetic. */
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 24 * HOUR;

/** A device name using every character a device name may have (docs/protocol.md "Identity"). */
const DEVICE = 'dev.1:a@b-c_D';
/** Quotes, backslashes, an SQL comment, newlines and characters outside the BMP: injection and escaping. */
const NASTY_TEXT = "it's \"quoted\" \\ back\\slash \n新しい 😀 '); DROP TABLE x; -- \\' \\\\";

const property = (identifier: string, dataType: TslDataType): TslProperty => ({
  identifier,
  name: identifier,
  accessMode: 'r',
  dataType,
});

const INT: TslDataType = { type: 'int', specs: { min: '-100000', max: '100000' } };
const FLOAT: TslDataType = { type: 'float', specs: { min: '-40', max: '120' } };
const TEXT: TslDataType = { type: 'text', specs: { length: '128' } };

const model = (...properties: TslProperty[]): TslDocument => ({
  properties,
  events: [
    {
      identifier: 'overheat',
      name: 'overheat',
      type: 'alert',
      method: 'thing.event.overheat.post',
      outputData: [{ identifier: 'temp', name: 'temp', dataType: FLOAT }],
    },
    { identifier: 'boot', name: 'boot', type: 'info', method: 'thing.event.boot.post', outputData: [] },
  ],
});

/** Every TSL type once. */
const EVERY_TYPE = model(
  property('count', INT),
  property('temperature', FLOAT),
  property('energy', { type: 'double' }),
  property('label', TEXT),
  property('power', { type: 'bool', specs: { '0': 'off', '1': 'on' } }),
  property('mode', { type: 'enum', specs: { '0': 'auto', '1': 'manual', '2': 'eco' } }),
  property('installedAt', { type: 'date', specs: {} }),
  property('position', {
    type: 'struct',
    specs: [
      { identifier: 'lat', name: 'lat', dataType: { type: 'double' } },
      { identifier: 'lon', name: 'lon', dataType: { type: 'double' } },
      { identifier: 'note', name: 'note', dataType: TEXT },
    ],
  }),
  property('readings', { type: 'array', specs: { size: '8', item: { type: 'int' } } }),
);

const row = (productKey: string, deviceName: string, ts: number, values: Record<string, unknown>): PropertyRow => ({
  productKey,
  deviceName,
  ts,
  receivedAt: ts + 7,
  values,
});

export function runTelemetryContract(name: string, makeBackend: () => Promise<TelemetryBackend>): void {
  describe(`${name}: telemetry contract`, () => {
    let store: TelemetryBackend;
    let pk: string;
    beforeEach(async () => {
      store = await makeBackend();
      pk = `pk_${randomBytes(5).toString('hex')}`;
    });
    afterEach(async () => {
      await store.close();
    });

    it('creates the schema and reads back latest values, history and events of every TSL type', async () => {
      await store.ensureSchema(pk, 1, EVERY_TYPE);
      const first = {
        count: -42,
        temperature: 23.6,
        energy: 1234.5678,
        label: NASTY_TEXT,
        power: 1,
        mode: 2,
        installedAt: '1524448722000',
        position: { lat: 31.2304, lon: 121.4737, note: 'café 😀 \'"' },
        readings: [1, -2, 3],
      };
      const second = { count: 7, temperature: -40, power: 0, label: '' };
      const result = await store.writeBatch({
        properties: [row(pk, DEVICE, T0, first), row(pk, DEVICE, T0 + 1000, second), row(pk, 'other', T0 + 500, { count: 99 })],
        events: [
          { productKey: pk, deviceName: DEVICE, ts: T0 + 200, receivedAt: T0 + 210, eventId: 'overheat', data: { temp: 91.5 } },
          { productKey: pk, deviceName: DEVICE, ts: T0 + 300, receivedAt: T0 + 310, eventId: 'boot', data: {} },
          { productKey: pk, deviceName: 'other', ts: T0 + 400, receivedAt: T0 + 410, eventId: 'boot', type: 'info', data: {} },
        ],
      });
      expect(result).toEqual({ propertyRows: 3, events: 3, skipped: [] });

      const latest = await store.latest(pk, DEVICE);
      expect(latest).toEqual({
        ...Object.fromEntries(Object.entries(first).map(([k, value]) => [k, { value, time: T0 }])),
        ...Object.fromEntries(Object.entries(second).map(([k, value]) => [k, { value, time: T0 + 1000 }])),
      });
      expect(await store.latest(pk, 'other')).toEqual({ count: { value: 99, time: T0 + 500 } });
      expect(await store.latest(pk, 'nobody')).toEqual({});

      const range = { productKey: pk, deviceName: DEVICE, from: T0, to: T0 + HOUR };
      expect(await store.history({ ...range, property: 'count' })).toEqual([
        { time: T0, value: -42 },
        { time: T0 + 1000, value: 7 },
      ]);
      expect(await store.history({ ...range, property: 'label' })).toEqual([
        { time: T0, value: NASTY_TEXT },
        { time: T0 + 1000, value: '' },
      ]);
      for (const key of ['energy', 'mode', 'installedAt', 'position', 'readings'] as const) {
        expect(await store.history({ ...range, property: key })).toEqual([{ time: T0, value: first[key] }]);
      }
      expect(await store.history({ ...range, property: 'nonexistent' })).toEqual([]);

      const events = await store.events({ productKey: pk, from: T0, to: T0 + HOUR });
      expect(events).toEqual([
        { deviceName: DEVICE, time: T0 + 200, receivedAt: T0 + 210, eventId: 'overheat', type: 'alert', data: { temp: 91.5 } },
        { deviceName: DEVICE, time: T0 + 300, receivedAt: T0 + 310, eventId: 'boot', type: 'info', data: {} },
        { deviceName: 'other', time: T0 + 400, receivedAt: T0 + 410, eventId: 'boot', type: 'info', data: {} },
      ]);
      const window = { productKey: pk, from: T0, to: T0 + HOUR };
      expect((await store.events({ ...window, deviceName: 'other' })).map((e) => e.time)).toEqual([T0 + 400]);
      expect((await store.events({ ...window, eventId: 'boot' })).map((e) => e.time)).toEqual([T0 + 300, T0 + 400]);
      expect((await store.events({ ...window, type: 'alert' })).map((e) => e.eventId)).toEqual(['overheat']);
      expect((await store.events({ ...window, order: 'desc', limit: 2 })).map((e) => e.time)).toEqual([T0 + 400, T0 + 300]);
    });

    it('orders and limits history, and keeps late values out of the latest', async () => {
      await store.ensureSchema(pk, 1, model(property('temp', FLOAT)));
      // Written newest first: the shadow must not go back to an older value that arrives later.
      for (const ts of [T0 + 3000, T0 + 1000, T0 + 2000]) {
        await store.writeBatch({ properties: [row(pk, DEVICE, ts, { temp: ts - T0 })], events: [] });
      }
      expect(await store.latest(pk, DEVICE)).toEqual({ temp: { value: 3000, time: T0 + 3000 } });
      const range = { productKey: pk, deviceName: DEVICE, property: 'temp', from: T0, to: T0 + HOUR };
      expect((await store.history(range)).map((p) => p.value)).toEqual([1000, 2000, 3000]);
      expect((await store.history({ ...range, order: 'desc', limit: 2 })).map((p) => p.value)).toEqual([3000, 2000]);
      expect((await store.history({ ...range, limit: 1 })).map((p) => p.value)).toEqual([1000]);
    });

    it('adds the properties of a new model version; older rows simply lack them', async () => {
      await store.ensureSchema(pk, 1, model(property('temp', FLOAT)));
      await store.writeBatch({ properties: [row(pk, DEVICE, T0, { temp: 20 })], events: [] });
      await store.ensureSchema(pk, 2, model(property('temp', FLOAT), property('humidity', INT)));
      await store.writeBatch({ properties: [row(pk, DEVICE, T0 + 1000, { temp: 21, humidity: 55 })], events: [] });

      const range = { productKey: pk, deviceName: DEVICE, from: T0, to: T0 + HOUR };
      expect(await store.history({ ...range, property: 'temp' })).toEqual([
        { time: T0, value: 20 },
        { time: T0 + 1000, value: 21 },
      ]);
      expect(await store.history({ ...range, property: 'humidity' })).toEqual([{ time: T0 + 1000, value: 55 }]);
      expect(await store.latest(pk, DEVICE)).toEqual({
        temp: { value: 21, time: T0 + 1000 },
        humidity: { value: 55, time: T0 + 1000 },
      });
      // Ensuring a version again, or an older one late (startup racing a publish), changes nothing.
      await store.ensureSchema(pk, 2, model(property('temp', FLOAT), property('humidity', INT)));
      await store.ensureSchema(pk, 1, model(property('temp', FLOAT)));
      const write = await store.writeBatch({ properties: [row(pk, DEVICE, T0 + 2000, { humidity: 56 })], events: [] });
      expect(write).toEqual({ propertyRows: 1, events: 0, skipped: [] });
      expect(await store.history({ ...range, property: 'humidity' })).toEqual([
        { time: T0 + 1000, value: 55 },
        { time: T0 + 2000, value: 56 },
      ]);
    });

    it('keeps history written before a type change readable, and returns to the old column when the type does', async () => {
      await store.ensureSchema(pk, 1, model(property('state', INT)));
      await store.writeBatch({ properties: [row(pk, DEVICE, T0, { state: 1 }), row(pk, DEVICE, T0 + 1000, { state: 2 })], events: [] });

      await store.ensureSchema(pk, 2, model(property('state', TEXT)));
      const write = await store.writeBatch({
        properties: [row(pk, DEVICE, T0 + 2000, { state: 'running' }), row(pk, DEVICE, T0 + 2500, { state: 3 })],
        events: [],
      });
      // A number for what is now text (a message validated against the old version) is refused, not coerced.
      expect(write.skipped).toEqual([
        expect.objectContaining({ productKey: pk, deviceName: DEVICE, identifier: 'state', reason: 'wrong-type', ts: T0 + 2500 }),
      ]);
      const range = { productKey: pk, deviceName: DEVICE, property: 'state', from: T0, to: T0 + HOUR };
      expect(await store.history(range)).toEqual([
        { time: T0, value: 1 },
        { time: T0 + 1000, value: 2 },
        { time: T0 + 2000, value: 'running' },
      ]);
      expect(await store.latest(pk, DEVICE)).toEqual({ state: { value: 'running', time: T0 + 2000 } });

      await store.ensureSchema(pk, 3, model(property('state', INT)));
      await store.writeBatch({ properties: [row(pk, DEVICE, T0 + 3000, { state: 4 })], events: [] });
      expect((await store.history(range)).map((p) => p.value)).toEqual([1, 2, 'running', 4]);
      // Only the numeric values are downsampled.
      expect(await store.historyBuckets({ ...range, buckets: 1 })).toEqual([{ time: T0, min: 1, max: 4, avg: 7 / 3, count: 3 }]);
    });

    it('merges an int property that became a float into one downsampled series', async () => {
      await store.ensureSchema(pk, 1, model(property('level', INT)));
      await store.writeBatch({ properties: [row(pk, DEVICE, T0, { level: 10 }), row(pk, DEVICE, T0 + 1000, { level: 20 })], events: [] });
      await store.ensureSchema(pk, 2, model(property('level', FLOAT)));
      await store.writeBatch({ properties: [row(pk, DEVICE, T0 + 2000, { level: 0.5 })], events: [] });
      const buckets = await store.historyBuckets({ productKey: pk, deviceName: DEVICE, property: 'level', from: T0, to: T0 + 3000, buckets: 3 });
      expect(buckets).toEqual([
        { time: T0, min: 10, max: 10, avg: 10, count: 1 },
        { time: T0 + 1000, min: 20, max: 20, avg: 20, count: 1 },
        { time: T0 + 2000, min: 0.5, max: 0.5, avg: 0.5, count: 1 },
      ]);
      const all = await store.historyBuckets({ productKey: pk, deviceName: DEVICE, property: 'level', from: T0, to: T0 + 3000, buckets: 1 });
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({ time: T0, min: 0.5, max: 20, count: 3 });
      expect(all[0]!.avg).toBeCloseTo(30.5 / 3, 9);
    });

    it('keeps identifiers that differ only in case apart', async () => {
      await store.ensureSchema(pk, 1, model(property('temp', FLOAT), property('Temp', TEXT)));
      await store.writeBatch({ properties: [row(pk, DEVICE, T0, { temp: 1.5, Temp: 'one and a half' })], events: [] });
      expect(await store.latest(pk, DEVICE)).toEqual({
        temp: { value: 1.5, time: T0 },
        Temp: { value: 'one and a half', time: T0 },
      });
      const range = { productKey: pk, deviceName: DEVICE, from: T0, to: T0 + HOUR };
      expect(await store.history({ ...range, property: 'Temp' })).toEqual([{ time: T0, value: 'one and a half' }]);
      expect(await store.history({ ...range, property: 'temp' })).toEqual([{ time: T0, value: 1.5 }]);
    });

    it('downsamples into buckets with exact min, max, avg and count', async () => {
      await store.ensureSchema(pk, 1, model(property('v', FLOAT), property('label', TEXT)));
      // 60 values, one a second, value = second; nothing in the 40s..50s bucket.
      const rows = Array.from({ length: 60 }, (_, k) => k)
        .filter((k) => k < 40 || k >= 50)
        .map((k) => row(pk, DEVICE, T0 + k * 1000, { v: k }));
      await store.writeBatch({ properties: rows, events: [] });
      const query = { productKey: pk, deviceName: DEVICE, property: 'v', from: T0, to: T0 + 60_000, buckets: 6 };
      const buckets = await store.historyBuckets(query);
      expect(buckets.map((b) => b.time)).toEqual([0, 1, 2, 3, 5].map((i) => T0 + i * 10_000));
      for (const b of buckets) {
        const i = (b.time - T0) / 10_000;
        expect(b).toMatchObject({ min: 10 * i, max: 10 * i + 9, count: 10 });
        expect(b.avg).toBeCloseTo(10 * i + 4.5, 9);
      }
      // Buckets start at `from`, not at a round time: width = ceil(59_000 / 4) = 14_750, the last ends at `to`.
      const shifted = await store.historyBuckets({ ...query, from: T0 + 1000, buckets: 4 });
      expect(shifted.map((b) => [b.time - T0, b.count, b.min, b.max])).toEqual([
        [1000, 15, 1, 15],
        [15_750, 15, 16, 30],
        [30_500, 9, 31, 39],
        [45_250, 10, 50, 59],
      ]);
      await expect(store.historyBuckets({ ...query, property: 'label' })).rejects.toMatchObject({ code: 'telemetry_not_numeric' });
      expect(await store.historyBuckets({ ...query, property: 'nonexistent' })).toEqual([]);
    });

    it('includes the start of a time range and excludes its end', async () => {
      await store.ensureSchema(pk, 1, model(property('v', INT)));
      const from = T0 + 10_000;
      const to = T0 + 20_000;
      const times = [from - 1, from, to - 1, to];
      await store.writeBatch({
        properties: times.map((ts) => row(pk, DEVICE, ts, { v: ts - T0 })),
        events: times.map((ts) => ({ productKey: pk, deviceName: DEVICE, ts, receivedAt: ts, eventId: 'boot', data: {} })),
      });
      const q = { productKey: pk, deviceName: DEVICE, property: 'v', from, to };
      expect((await store.history(q)).map((p) => p.time)).toEqual([from, to - 1]);
      expect((await store.events({ productKey: pk, from, to })).map((e) => e.time)).toEqual([from, to - 1]);
      expect(await store.historyBuckets({ ...q, buckets: 1 })).toEqual([{ time: from, min: 10_000, max: 19_999, avg: 14_999.5, count: 2 }]);
      expect(await store.history({ ...q, to: from })).toEqual([]);
      await expect(store.history({ ...q, from: to, to: from })).rejects.toMatchObject({ status: 400 });
    });

    it('deletes rows, events and latest values older than the retention cut-off', async () => {
      await store.ensureSchema(pk, 1, model(property('v', INT)));
      const other = `${pk}_other`;
      await store.ensureSchema(other, 1, model(property('v', INT)));
      await store.writeBatch({
        properties: [
          ...Array.from({ length: 10 }, (_, k) => row(pk, DEVICE, T0 + k * 1000, { v: k })),
          row(pk, 'quiet', T0 + 1000, { v: 100 }),
          row(other, DEVICE, T0, { v: -1 }),
        ],
        events: [T0 + 2000, T0 + 8000].map((ts) => ({ productKey: pk, deviceName: DEVICE, ts, receivedAt: ts, eventId: 'boot', data: {} })),
      });
      const cutoff = T0 + 5000;
      expect(await store.deleteBefore(pk, cutoff)).toBe(5 + 1 + 1);
      const range = { productKey: pk, deviceName: DEVICE, property: 'v', from: T0 - HOUR, to: T0 + HOUR };
      expect((await store.history(range)).map((p) => p.value)).toEqual([5, 6, 7, 8, 9]);
      expect((await store.events({ productKey: pk, from: T0 - HOUR, to: T0 + HOUR })).map((e) => e.time)).toEqual([T0 + 8000]);
      expect(await store.latest(pk, DEVICE)).toEqual({ v: { value: 9, time: T0 + 9000 } });
      expect(await store.latest(pk, 'quiet')).toEqual({});
      // Another product's data is its own.
      expect(await store.latest(other, DEVICE)).toEqual({ v: { value: -1, time: T0 } });
      expect(await store.deleteBefore(pk, cutoff)).toBe(0);
      expect(await store.deleteBefore(`${pk}_never_created`, cutoff)).toBe(0);
    });

    it('skips what it cannot store, says why, and stores the rest of the batch', async () => {
      await store.ensureSchema(pk, 1, model(property('v', INT)));
      const result = await store.writeBatch({
        properties: [
          row(pk, DEVICE, T0, { v: 1, ghost: 2 }),
          row(pk, DEVICE, T0 + 1000, { v: 'one' }),
          row(`${pk}_unknown`, DEVICE, T0, { v: 1 }),
          row(pk, 'bad/name', T0, { v: 1 }),
        ],
        events: [
          { productKey: pk, deviceName: DEVICE, ts: T0, receivedAt: T0, eventId: 'undefinedEvent', data: {} },
          { productKey: pk, deviceName: DEVICE, ts: T0 + 1, receivedAt: T0, eventId: 'undefinedEvent', type: 'error', data: { x: 1 } },
        ],
      });
      expect(result.propertyRows).toBe(1);
      expect(result.events).toBe(1);
      expect(result.skipped.map((s) => [s.identifier, s.kind, s.reason])).toEqual([
        ['ghost', 'property', 'unknown-property'],
        ['v', 'property', 'wrong-type'],
        ['v', 'property', 'unknown-product'],
        ['v', 'property', 'bad-device-name'],
        ['undefinedEvent', 'event', 'unknown-event'],
      ]);
      expect(await store.latest(pk, DEVICE)).toEqual({ v: { value: 1, time: T0 } });
      expect((await store.events({ productKey: pk, from: T0, to: T0 + HOUR })).map((e) => e.type)).toEqual(['error']);
    });

    it('writes a 10,000-row batch in one call', { timeout: 120_000 }, async () => {
      await store.ensureSchema(pk, 1, model(property('temp', FLOAT), property('humidity', INT), property('label', TEXT)));
      const devices = 20;
      const rows = Array.from({ length: 10_000 }, (_, i) =>
        row(pk, `device-${i % devices}`, T0 + Math.floor(i / devices) * 1000, { temp: (i % 400) / 10, humidity: i % 100, label: `r${i}` }),
      );
      const started = performance.now();
      const result = await store.writeBatch({ properties: rows, events: [] });
      const ms = performance.now() - started;
      console.log(`${name}: one 10,000-row batch in ${ms.toFixed(0)} ms (${Math.round(10_000 / (ms / 1000)).toLocaleString('en')} rows/s)`);
      expect(result).toEqual({ propertyRows: 10_000, events: 0, skipped: [] });
      const range = { productKey: pk, deviceName: 'device-3', from: T0, to: T0 + HOUR };
      const history = await store.history({ ...range, property: 'label', limit: 10_000 });
      expect(history).toHaveLength(500);
      expect(history[499]).toEqual({ time: T0 + 499_000, value: 'r9983' });
      expect(await store.historyBuckets({ ...range, property: 'humidity', buckets: 1 })).toEqual([
        { time: T0, min: 3, max: 83, avg: 43, count: 500 },
      ]);
    });
  });
}
