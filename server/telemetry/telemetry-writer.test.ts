import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteTelemetry } from './sqlite-telemetry.ts';
import type { TelemetryBatch, WriteResult } from './telemetry-store.ts';
import type { PropertyRow } from '../../domain/telemetry/telemetry-rows.ts';
import { TelemetryWriter } from './telemetry-writer.ts';

const row = (i: number, deviceName = 'd1'): PropertyRow => ({ productKey: 'pk', deviceName, ts: 1_700_000_000_000 + i, receivedAt: 1_700_000_000_000 + i, values: { temperature: i } });

/** A backend whose commits the test releases by hand, recording each batch. */
function gatedBackend() {
  const batches: TelemetryBatch[] = [];
  const waiting: (() => void)[] = [];
  let failures = 0;
  return {
    batches,
    failNext(n: number) {
      failures = n;
    },
    release() {
      for (const w of waiting.splice(0)) w();
    },
    get waiting() {
      return waiting.length;
    },
    backend: {
      writeBatch: (batch: TelemetryBatch): Promise<WriteResult> =>
        new Promise((resolve, reject) => {
          batches.push(batch);
          if (failures > 0) {
            failures--;
            reject(new Error('database is locked'));
            return;
          }
          waiting.push(() => resolve({ propertyRows: batch.properties.length, events: batch.events.length, skipped: [] }));
        }),
    },
  };
}

const until = async (check: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe('TelemetryWriter', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('commits the messages of one moment together and calls each back only after the commit', async () => {
    const g = gatedBackend();
    const writer = new TelemetryWriter({ backend: g.backend, lingerMs: 5 });
    const done: number[] = [];
    for (let i = 0; i < 100; i++) writer.submit([row(i)], [], () => done.push(i));
    await until(() => g.waiting === 1);
    expect(g.batches).toHaveLength(1);
    expect(g.batches[0]!.properties).toHaveLength(100);
    expect(done).toEqual([]); // not before the commit
    g.release();
    await until(() => done.length === 100);
    expect(done).toEqual([...Array(100).keys()]);
  });

  it('groups what arrives during a commit into the next one, and never more rows than maxBatchRows', async () => {
    const g = gatedBackend();
    const writer = new TelemetryWriter({ backend: g.backend, lingerMs: 1, maxBatchRows: 50 });
    for (let i = 0; i < 10; i++) writer.submit([row(i)], [], () => {});
    await until(() => g.waiting === 1);
    for (let i = 10; i < 130; i++) writer.submit([row(i)], [], () => {});
    g.release();
    await until(() => g.batches.length === 2);
    expect(g.batches[1]!.properties).toHaveLength(50);
    g.release();
    await until(() => g.batches.length === 3);
    g.release();
    await until(() => g.batches.length === 4);
    g.release();
    await writer.flush();
    expect(g.batches.map((b) => b.properties.length)).toEqual([10, 50, 50, 20]);
  });

  it('signals pressure above the high-water mark, relieves it under the low one, and refuses when full', async () => {
    const g = gatedBackend();
    const pressure: boolean[] = [];
    const writer = new TelemetryWriter({ backend: g.backend, maxQueuedRows: 100, lingerMs: 1, maxBatchRows: 1000, pressure: (busy) => pressure.push(busy) });
    for (let i = 0; i < 49; i++) expect(writer.submit([row(i)], [], () => {})).toBe(true);
    expect(pressure).toEqual([]);
    writer.submit([row(49)], [], () => {});
    expect(pressure).toEqual([true]);
    for (let i = 50; i < 100; i++) expect(writer.submit([row(i)], [], () => {})).toBe(true);
    let called = false;
    expect(writer.submit([row(100)], [], () => (called = true))).toBe(false);
    expect(writer.stats()).toMatchObject({ refused: 1, queuedRows: 100, busy: true });
    await until(() => g.waiting === 1);
    g.release();
    await writer.flush();
    expect(pressure).toEqual([true, false]);
    expect(called).toBe(false);
  });

  it('retries a failing batch and calls back with the error only when every attempt failed', async () => {
    const g = gatedBackend();
    const writer = new TelemetryWriter({ backend: g.backend, lingerMs: 1, attempts: 2 });
    g.failNext(1);
    const outcomes: (string | null)[] = [];
    writer.submit([row(1)], [], (err) => outcomes.push(err?.message ?? null));
    await until(() => g.waiting === 1, 3000);
    g.release();
    await until(() => outcomes.length === 1);
    expect(outcomes).toEqual([null]);

    g.failNext(2);
    writer.submit([row(2)], [], (err) => outcomes.push(err?.message ?? null));
    await until(() => outcomes.length === 2, 3000);
    expect(outcomes[1]).toBe('database is locked');
    expect(writer.stats().failed).toBe(1);
  });

  it('writes everything queued on close and refuses afterwards (real SQLite file)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-writer-'));
    dirs.push(dir);
    const backend = new SqliteTelemetry(path.join(dir, 'telemetry.db'));
    await backend.ensureSchema('pk', 1, { properties: [{ identifier: 'temperature', name: 't', accessMode: 'r', dataType: { type: 'float', specs: {} } }], events: [], services: [] } as never);
    const writer = new TelemetryWriter({ backend, lingerMs: 1000 });
    let acknowledged = 0;
    for (let i = 0; i < 500; i++) writer.submit([row(i, `d${i % 5}`)], [], (err) => !err && acknowledged++);
    await writer.close();
    expect(acknowledged).toBe(500);
    expect(writer.submit([row(1)], [], () => {})).toBe(false);
    const points = await backend.history({ productKey: 'pk', deviceName: 'd0', property: 'temperature', from: 0, to: Date.now() + 1 });
    expect(points).toHaveLength(100);
    await backend.close();
  });
});
