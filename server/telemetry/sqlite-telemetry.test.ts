import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TslDataType, TslDocument } from '../../domain/thing-model/tsl-types.ts';
import { SqliteTelemetry, TELEMETRY_DB_FILE } from './sqlite-telemetry.ts';
import { runTelemetryContract } from './telemetry-contract.ts';
import type { PropertyRow } from '../../domain/telemetry/telemetry-rows.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-telemetry-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let files = 0;
const newFile = () => path.join(root, `${++files}-${TELEMETRY_DB_FILE}`);

runTelemetryContract('sqlite', async () => new SqliteTelemetry(newFile()));

const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000;
const tsl = (properties: Record<string, TslDataType>): TslDocument => ({
  properties: Object.entries(properties).map(([identifier, dataType]) => ({ identifier, name: identifier, accessMode: 'r', dataType })),
});

describe('sqlite telemetry file', () => {
  let file: string;
  let store: SqliteTelemetry;
  beforeEach(() => {
    file = newFile();
    store = new SqliteTelemetry(file);
  });
  afterEach(async () => {
    await store.close();
  });

  const columnsOf = (table: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare('SELECT name, type FROM pragma_table_info(?)').all(table) as Array<{ name: string; type: string }>;
    } finally {
      db.close();
    }
  };

  it('lays a product out as documented: one column per property, a suffixed column per type change', async () => {
    await store.ensureSchema('pk-1', 1, tsl({ temp: { type: 'int' }, Temp: { type: 'text' }, pos: { type: 'struct', specs: [{ identifier: 'x', name: 'x', dataType: { type: 'int' } }] } }));
    await store.ensureSchema('pk-1', 2, tsl({ temp: { type: 'float' }, on: { type: 'bool', specs: { '0': 'off', '1': 'on' } }, at: { type: 'date' } }));
    expect(columnsOf('t_pk_1')).toEqual([
      { name: 'device', type: 'TEXT' },
      { name: 'ts', type: 'INTEGER' },
      { name: 'received_at', type: 'INTEGER' },
      { name: 'p_temp', type: 'INTEGER' },
      { name: 'p_Temp@v1', type: 'TEXT' },
      { name: 'p_pos', type: 'JSON' },
      { name: 'p_temp@v2', type: 'REAL' },
      { name: 'p_on', type: 'BOOLEAN' },
      { name: 'p_at', type: 'TIMESTAMP' },
    ]);
    expect(columnsOf('e_pk_1').map((c) => c.name)).toEqual(['device', 'ts', 'received_at', 'event_id', 'type', 'data']);
  });

  it('gives products whose keys differ only in case their own tables', async () => {
    await store.ensureSchema('AbC', 1, tsl({ v: { type: 'int' } }));
    await store.ensureSchema('abc', 1, tsl({ v: { type: 'int' } }));
    await store.writeBatch({ properties: [row('AbC', 1), row('abc', 2)], events: [] });
    expect(await store.latest('AbC', 'd')).toEqual({ v: { value: 1, time: T0 } });
    expect(await store.latest('abc', 'd')).toEqual({ v: { value: 2, time: T0 } });
    expect(columnsOf('t_abc_2').length).toBeGreaterThan(0);
  });

  it('reads history after a restart, and writes again once the model is ensured', async () => {
    await store.ensureSchema('pk', 1, tsl({ v: { type: 'int' } }));
    await store.writeBatch({ properties: [row('pk', 1)], events: [] });
    await store.close();

    store = new SqliteTelemetry(file);
    const range = { productKey: 'pk', deviceName: 'd', property: 'v', from: T0, to: T0 + 10_000 };
    expect(await store.history(range)).toEqual([{ time: T0, value: 1 }]);
    // Which column is current is only known from the model, so writes wait for ensureSchema.
    const before = await store.writeBatch({ properties: [{ ...row('pk', 2), ts: T0 + 1 }], events: [] });
    expect(before.skipped.map((s) => s.reason)).toEqual(['unknown-product']);
    await store.ensureSchema('pk', 1, tsl({ v: { type: 'int' } }));
    await store.writeBatch({ properties: [{ ...row('pk', 3), ts: T0 + 2 }], events: [] });
    expect((await store.history(range)).map((p) => p.value)).toEqual([1, 3]);
  });

  it('deletes for retention across many windows of rows', async () => {
    await store.ensureSchema('pk', 1, tsl({ v: { type: 'int' } }));
    const rows = Array.from({ length: 120_000 }, (_, i) => ({ ...row('pk', i), deviceName: `d${i % 7}`, ts: T0 + i }));
    await store.writeBatch({ properties: rows, events: [] });
    expect(await store.deleteBefore('pk', T0 + 100_000)).toBe(100_000);
    const left = await store.historyBuckets({ productKey: 'pk', deviceName: 'd0', property: 'v', from: T0, to: T0 + 200_000, buckets: 1 });
    const keptOfD0 = rows.filter((r) => r.deviceName === 'd0' && r.ts >= T0 + 100_000).length;
    expect(left[0]!.count).toBe(keptOfD0);
  });

  it('measures write throughput in 10,000-row batches (printed, not asserted)', async () => {
    await store.ensureSchema('bench', 1, tsl({ temp: { type: 'float' }, humidity: { type: 'int' }, label: { type: 'text' } }));
    const batches = 10;
    const size = 10_000;
    let written = 0;
    const started = performance.now();
    for (let b = 0; b < batches; b++) {
      const properties: PropertyRow[] = [];
      for (let i = 0; i < size; i++) {
        const n = b * size + i;
        properties.push({
          productKey: 'bench',
          deviceName: `device-${n % 1000}`,
          ts: T0 + Math.floor(n / 1000),
          receivedAt: T0,
          values: { temp: (n % 500) / 10, humidity: n % 100, label: 'ok' },
        });
      }
      written += (await store.writeBatch({ properties, events: [] })).propertyRows;
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `sqlite: ${written.toLocaleString('en')} rows in ${batches} batches of ${size.toLocaleString('en')}, 1000 devices, ` +
        `3 properties, index on (device, ts): ${Math.round(written / seconds).toLocaleString('en')} rows/s ` +
        '(includes the latest-value upserts)',
    );
    expect(written).toBe(batches * size);
  });
});

function row(productKey: string, v: number): PropertyRow {
  return { productKey, deviceName: 'd', ts: T0, receivedAt: T0, values: { v } };
}
