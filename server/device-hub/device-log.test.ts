import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../db/database.ts';
import { SqliteSql } from '../db/sql.ts';
import { createLogger } from '../logger.ts';
import { createRegistry } from '../registry.ts';
import { SecretBox } from '../secrets/secret-box.ts';
import { DeviceLog } from './device-log.ts';

let dir: string;
let db: Db;
let log: DeviceLog;
beforeEach(async () => {
  vi.useFakeTimers();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-log-'));
  db = openDatabase(path.join(dir, 'thingwire.db'));
  const registry = createRegistry(new SqliteSql(db), new SecretBox(randomBytes(32)), createLogger('silent'));
  await registry.products.create({ productKey: 'pk', name: 'product' });
  await registry.devices.create({ productKey: 'pk', deviceName: 'dn' });
  log = new DeviceLog(db, createLogger('silent'), { flushMs: 100, batchSize: 10, maxBuffered: 25 });
});
afterEach(() => {
  vi.restoreAllMocks();
  log.close();
  vi.useRealTimers();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** An uplink whose verdict is in (200), or, `waiting`, one still waiting for it. */
const post = (n: number, waiting = false) => log.message({
  productKey: 'pk', deviceName: 'dn', at: new Date().toISOString(), direction: 'up', kind: 'property.post', msgId: String(n), params: { n },
  ...(waiting ? {} : { code: 200 }),
});
const rows = () => db.prepare('SELECT msg_id FROM device_messages ORDER BY id').pluck().all() as string[];

describe('DeviceLog batches', () => {
  it('writes an uplink once, with its verdict, when the verdict comes within a second; what follows it waits with it', async () => {
    const first = post(1, true);
    for (let n = 2; n <= 12; n++) post(n); // past the batch size: a full batch is written, up to the waiting uplink
    await vi.advanceTimersByTimeAsync(100);
    expect(rows()).toEqual([]);
    log.setResult(first, 200, null);
    await vi.advanceTimersByTimeAsync(100);
    expect(rows()).toEqual(Array.from({ length: 12 }, (_, i) => String(i + 1)));
    expect(db.prepare("SELECT count(*) FROM device_messages WHERE code = 200").pluck().get()).toBe(12);
    expect(log.stats().written).toBe(12); // twelve INSERTs, no UPDATE of a result
  });

  it('writes an uplink without its verdict after a second, and the verdict later on its row', async () => {
    const waiting = post(1, true);
    post(2);
    await vi.advanceTimersByTimeAsync(900);
    expect(rows()).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(rows()).toEqual(['1', '2']);
    log.setResult(waiting, 504, 'no flow answered');
    log.flush();
    expect(db.prepare("SELECT code, reason FROM device_messages WHERE msg_id = '1'").get()).toEqual({ code: 504, reason: 'no flow answered' });
  });

  it('writes everything, waiting or not, when asked to flush (a reader, a device waiting for its PUBACK)', () => {
    post(1, true);
    post(2);
    log.flush();
    expect(rows()).toEqual(['1', '2']);
  });
});

describe('DeviceLog when the disk fails', () => {
  it('keeps entries while writes fail, retries with back-off, and drops the oldest beyond its bound', async () => {
    const failing = vi.spyOn(db, 'transaction').mockImplementation(() => (() => {
      throw new Error('SQLITE_FULL: database or disk is full');
    }) as never);
    for (let n = 1; n <= 10; n++) post(n);
    expect(log.stats()).toMatchObject({ failedFlushes: 1, buffered: 10, flushes: 0 });

    // Backing off: the next attempt is 200 ms later, not at once for every new entry.
    for (let n = 11; n <= 30; n++) post(n);
    expect(log.stats()).toMatchObject({ failedFlushes: 1, buffered: 25, dropped: 5 });
    await vi.advanceTimersByTimeAsync(200);
    expect(log.stats().failedFlushes).toBe(2);

    failing.mockRestore();
    await vi.advanceTimersByTimeAsync(400);
    expect(log.stats()).toMatchObject({ buffered: 0, flushes: 1, written: 25, dropped: 5 });
    expect(rows()).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 6)));
  });

  it('writes nothing for a device that no longer exists when the batch is written', () => {
    post(1);
    log.message({ productKey: 'pk', deviceName: 'gone', at: new Date().toISOString(), direction: 'up', params: {} });
    log.connection({ productKey: 'pk', deviceName: 'gone', at: new Date().toISOString(), event: 'connected' });
    log.flush();
    expect(rows()).toEqual(['1']);
    expect(db.prepare('SELECT count(*) FROM device_connections').pluck().get()).toBe(0);
  });
});
