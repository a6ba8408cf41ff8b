import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TslDocument } from '../../domain/thing-model/tsl-types.ts';
import { TELEMETRY_DB_FILE, SqliteTelemetry } from './sqlite-telemetry.ts';
import { SqliteTelemetryThread, telemetryThreadForTests } from './sqlite-telemetry-thread.ts';
import { runTelemetryContract } from './telemetry-contract.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-telemetry-thread-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let files = 0;
const newFile = () => path.join(root, `${++files}-${TELEMETRY_DB_FILE}`);

runTelemetryContract('sqlite on its thread', () => SqliteTelemetryThread.open(newFile()));

const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000;
const meter: TslDocument = {
  properties: [{ identifier: 'power', name: 'power', accessMode: 'r', dataType: { type: 'float', specs: { min: '0', max: '1000' } } }],
};
const row = (ts: number, power: number) => ({ productKey: 'pMeter', deviceName: 'm1', ts, receivedAt: ts, values: { power } });

describe('sqlite telemetry on its thread', () => {
  const open: SqliteTelemetryThread[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  it('writes the same file the in-process store reads, committed when writeBatch resolves', async () => {
    const file = newFile();
    const store = await SqliteTelemetryThread.open(file);
    open.push(store);
    await store.ensureSchema('pMeter', 1, meter);
    expect(await store.writeBatch({ properties: [row(T0, 1.5), row(T0 + 1000, 2.5)], events: [] })).toEqual({ propertyRows: 2, events: 0, skipped: [] });

    const reader = new SqliteTelemetry(file);
    try {
      await reader.ensureSchema('pMeter', 1, meter);
      expect(await reader.history({ productKey: 'pMeter', deviceName: 'm1', property: 'power', from: T0, to: T0 + 2000 })).toEqual([
        { time: T0, value: 1.5 }, { time: T0 + 1000, value: 2.5 },
      ]);
    } finally {
      await reader.close();
    }
  });

  it('logs the migrations it applies through the opener\'s logger', async () => {
    const records: Array<{ fields: object; msg: string }> = [];
    const logger = { info: (fields: object, msg: string) => records.push({ fields, msg }) };
    open.push(await SqliteTelemetryThread.open(newFile(), logger as never));
    expect(records.length).toBeGreaterThan(0);
    expect(records[0]).toEqual({ fields: { migration: expect.any(String) }, msg: 'applied migration' });
  });

  it('refuses a file it cannot open, with SQLite\'s reason', async () => {
    await expect(SqliteTelemetryThread.open(path.join(root, 'no-such-dir', TELEMETRY_DB_FILE))).rejects.toThrow(/directory does not exist|unable to open/);
  });

  it('keeps storing after its thread dies: the call in flight fails, the next runs on a new thread with the schemas', async () => {
    const errors: unknown[] = [];
    const logger = { info: () => undefined, error: (fields: object) => errors.push(fields) };
    const store = await SqliteTelemetryThread.open(newFile(), logger as never);
    open.push(store);
    await store.ensureSchema('pMeter', 1, meter);
    await store.writeBatch({ properties: [row(T0, 1)], events: [] });

    const dying = telemetryThreadForTests()!;
    const inFlight = store.writeBatch({ properties: [row(T0 + 1000, 2)], events: [] });
    await dying.close();
    // Either the write made it before the thread ended or it failed; it is never half-done.
    const outcome = await inFlight.then(() => 'stored', () => 'failed');
    expect(dying.alive).toBe(false);

    expect(await store.writeBatch({ properties: [row(T0 + 2000, 3)], events: [] })).toEqual({ propertyRows: 1, events: 0, skipped: [] });
    expect(telemetryThreadForTests()).not.toBe(dying);
    const points = await store.history({ productKey: 'pMeter', deviceName: 'm1', property: 'power', from: T0, to: T0 + 3000 });
    expect(points.map((p) => p.value)).toEqual(outcome === 'stored' ? [1, 2, 3] : [1, 3]);
  });

  it('refuses calls after close', async () => {
    const store = await SqliteTelemetryThread.open(newFile());
    await store.close();
    await expect(store.latest('pMeter', 'm1')).rejects.toThrow('closed');
  });
});
