/**
 * The device log on both registry databases (SQLite, and a real PostgreSQL): the group commit and its settling, what a
 * write running meanwhile means for results and waiters, the readers, retention and forgetting a device.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Sql, SqlDatabase } from '../db/sql.ts';
import { createLogger } from '../logger.ts';
import { insertDevices, insertProducts, REGISTRY_DIALECTS, registryDatabases } from '../testing/registry-databases.ts';
import { DeviceLog, type DeviceLogOptions } from './device-log.ts';

const databases = registryDatabases();

describe.each(REGISTRY_DIALECTS)('DeviceLog on %s', (dialect) => {
  let sql: SqlDatabase;
  let log: DeviceLog;
  /** A log on the test's database, writing every 100 ms or 10 entries unless `options` say otherwise. */
  const make = (options: DeviceLogOptions = {}) =>
    new DeviceLog(sql, createLogger('silent'), { flushMs: 100, batchSize: 10, maxBuffered: 25, ...options });
  /** Replaces the test's log with one of other options. */
  const open = async (options: DeviceLogOptions) => {
    await log.close();
    log = make(options);
  };
  beforeEach(async () => {
    sql = await databases.open(dialect);
    await insertProducts(sql, ['pk']);
    await insertDevices(sql, [{ productKey: 'pk', deviceName: 'dn' }, { productKey: 'pk', deviceName: 'other' }]);
    // setImmediate stays real: the database's own work and the log's whenDurable use it.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    log = make();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await log.close();
    vi.useRealTimers();
  });

  /** An uplink whose verdict is in (200), or, `waiting`, one still waiting for it. */
  const post = (n: number, waiting = false, deviceName = 'dn') => log.message({
    productKey: 'pk', deviceName, at: new Date().toISOString(), direction: 'up', kind: 'property.post', msgId: String(n), params: { n },
    ...(waiting ? {} : { code: 200 }),
  });
  const rows = async (deviceName = 'dn') =>
    (await sql.all<{ msg_id: string }>('SELECT msg_id FROM device_messages WHERE device_name = ? ORDER BY id', [deviceName])).map((r) => r.msg_id);
  const count = async (table: string) => (await sql.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))!.n;
  /** Waits (a turn of the event loop at a time, never a sleep) until `flushes` batches are committed. */
  const committed = async (flushes: number) => {
    while (log.stats().flushes < flushes) await new Promise((resolve) => setImmediate(resolve));
  };

  describe('batches', () => {
    it('writes an uplink once, with its verdict, when the verdict comes within a second; what follows it waits with it', async () => {
      const first = post(1, true);
      for (let n = 2; n <= 12; n++) post(n); // past the batch size: a full batch is written, up to the waiting uplink
      await vi.advanceTimersByTimeAsync(100);
      expect(await rows()).toEqual([]);
      log.setResult(first, 200, null);
      await vi.advanceTimersByTimeAsync(100);
      await committed(1);
      expect(await rows()).toEqual(Array.from({ length: 12 }, (_, i) => String(i + 1)));
      expect((await sql.get<{ n: number }>('SELECT count(*) AS n FROM device_messages WHERE code = 200'))!.n).toBe(12);
      expect(log.stats().written).toBe(12); // twelve INSERTs, no UPDATE of a result
    });

    it('writes an uplink without its verdict after a second, and the verdict later on its row', async () => {
      const waiting = post(1, true);
      post(2);
      await vi.advanceTimersByTimeAsync(900);
      expect(await rows()).toEqual([]);
      await vi.advanceTimersByTimeAsync(200);
      await committed(1);
      expect(await rows()).toEqual(['1', '2']);
      log.setResult(waiting, 504, 'no flow answered');
      await log.flush();
      expect(await sql.get("SELECT code, reason FROM device_messages WHERE msg_id = '1'")).toEqual({ code: 504, reason: 'no flow answered' });
    });

    it('writes everything, waiting or not, when asked to flush (a reader, a device waiting for its PUBACK)', async () => {
      post(1, true);
      post(2);
      await log.flush();
      expect(await rows()).toEqual(['1', '2']);
    });

    it('gives each written entry its own row: results set after a batch of hundreds land on the right rows', async () => {
      await open({ batchSize: 10_000, maxBuffered: 10_000 });
      // Several statements' worth, interleaved with connections and with a device that does not exist.
      const entries = Array.from({ length: 450 }, (_, n) => {
        if (n % 7 === 0) log.connection({ productKey: 'pk', deviceName: 'other', at: new Date().toISOString(), event: 'connected' });
        return post(n, true, n % 5 === 0 ? 'gone' : n % 3 === 0 ? 'other' : 'dn');
      });
      await log.flush();
      for (const [n, entry] of entries.entries()) log.setResult(entry, 1000 + n, `n=${n}`);
      await log.flush();
      const written = await sql.all<{ msg_id: string; code: number; reason: string }>('SELECT msg_id, code, reason FROM device_messages ORDER BY id');
      expect(written).toHaveLength(450 - 90);
      expect(written.every((r) => r.code === 1000 + Number(r.msg_id) && r.reason === `n=${r.msg_id}`)).toBe(true);
      expect(await count('device_connections')).toBe(65);
      expect(entries.filter((e) => e.rowid === undefined)).toHaveLength(90);
    });

    it('keeps a result set while its row is being written, as an update after it', async () => {
      const entry = post(1, true);
      const writing = log.flush();
      log.setResult(entry, 422, 'temperature above max');
      await writing;
      await log.flush();
      expect(await sql.get("SELECT code, reason FROM device_messages WHERE msg_id = '1'")).toEqual({ code: 422, reason: 'temperature above max' });
    });

    it('keeps a result set while a write that then fails holds its entry: the retry inserts it with the result', async () => {
      const transaction = sql.transaction.bind(sql);
      vi.spyOn(sql, 'transaction').mockImplementationOnce((work) => transaction(async (tx) => {
        await work(tx);
        throw new Error('the connection was lost before COMMIT');
      }));
      const entry = post(1, true);
      const writing = log.flush();
      log.setResult(entry, 422, 'temperature above max');
      await writing;
      expect(log.stats()).toMatchObject({ failedFlushes: 1, flushes: 0 });
      await vi.advanceTimersByTimeAsync(200);
      await committed(1);
      expect(await sql.all('SELECT msg_id, code, reason FROM device_messages')).toEqual([{ msg_id: '1', code: 422, reason: 'temperature above max' }]);
      expect(entry.rowid).toEqual(expect.any(Number));
    });

    it('runs one write at a time: what comes meanwhile waits for the next', async () => {
      let running = 0;
      let most = 0;
      const transaction = sql.transaction.bind(sql);
      vi.spyOn(sql, 'transaction').mockImplementation(async <T>(work: (tx: Sql) => Promise<T>) => {
        most = Math.max(most, ++running);
        try {
          return await transaction(work);
        } finally {
          running--;
        }
      });
      const flushes: Promise<void>[] = [];
      for (let n = 1; n <= 35; n++) {
        post(n); // full batches start writes of their own
        if (n % 4 === 0) flushes.push(log.flush());
      }
      await Promise.all(flushes);
      await log.flush();
      expect(most).toBe(1);
      expect(await rows()).toEqual(Array.from({ length: 35 }, (_, i) => String(i + 1)));
    });

    it('writes nothing for a device that no longer exists when the batch is written', async () => {
      post(1);
      log.message({ productKey: 'pk', deviceName: 'gone', at: new Date().toISOString(), direction: 'up', params: {} });
      log.connection({ productKey: 'pk', deviceName: 'gone', at: new Date().toISOString(), event: 'connected' });
      await log.flush();
      expect(await rows()).toEqual(['1']);
      expect(await count('device_connections')).toBe(0);
    });
  });

  describe('whenDurable', () => {
    it('calls back only once what was buffered is committed, also when it is being written at that moment', async () => {
      const seen: number[] = [];
      log.whenDurable(() => seen.push(log.stats().flushes)); // nothing buffered: at once
      expect(seen).toEqual([0]);
      post(1);
      log.whenDurable(() => seen.push(log.stats().flushes));
      expect(seen).toEqual([0]);
      await committed(1);
      expect(seen).toEqual([0, 1]);

      post(2);
      const writing = log.flush();
      // Nothing is buffered now, but the write holding entry 2 has not committed yet: called after it.
      log.whenDurable(() => seen.push(log.stats().flushes));
      await writing;
      await log.flush();
      expect(seen).toEqual([0, 1, 2]);
      expect(await rows()).toEqual(['1', '2']);
    });

    it('does not call back while writes fail, and does once one succeeds', async () => {
      const failing = vi.spyOn(sql, 'transaction').mockRejectedValue(new Error('disk full'));
      post(1);
      let done = false;
      log.whenDurable(() => (done = true));
      while (log.stats().failedFlushes < 1) await new Promise((resolve) => setImmediate(resolve));
      expect(done).toBe(false);
      failing.mockRestore();
      await vi.advanceTimersByTimeAsync(200); // the retry, backed off
      await committed(1);
      expect(done).toBe(true);
    });
  });

  describe('when the disk fails', () => {
    it('keeps entries while writes fail, retries with back-off, and drops the oldest beyond its bound', async () => {
      const failing = vi.spyOn(sql, 'transaction').mockRejectedValue(new Error('SQLITE_FULL: database or disk is full'));
      for (let n = 1; n <= 10; n++) post(n);
      while (log.stats().failedFlushes < 1) await new Promise((resolve) => setImmediate(resolve));
      expect(log.stats()).toMatchObject({ failedFlushes: 1, buffered: 10, flushes: 0 });

      // Backing off: the next attempt is 200 ms later, not at once for every new entry.
      for (let n = 11; n <= 30; n++) post(n);
      expect(log.stats()).toMatchObject({ failedFlushes: 1, buffered: 25, dropped: 5 });
      await vi.advanceTimersByTimeAsync(200);
      while (log.stats().failedFlushes < 2) await new Promise((resolve) => setImmediate(resolve));

      failing.mockRestore();
      await vi.advanceTimersByTimeAsync(400);
      await committed(1);
      expect(log.stats()).toMatchObject({ buffered: 0, flushes: 1, written: 25, dropped: 5 });
      expect(await rows()).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 6)));
    });
  });

  describe('reading', () => {
    it('shows what was buffered before the call, a page at a time, filtered, newest first', async () => {
      await open({ batchSize: 1000 });
      for (let n = 1; n <= 5; n++) post(n);
      const down = log.message({ productKey: 'pk', deviceName: 'dn', at: new Date().toISOString(), direction: 'down', kind: 'property.set', params: { big: 'x'.repeat(5000) } });
      log.setResult(down, 504, 'no reply');
      log.connection({ productKey: 'pk', deviceName: 'dn', at: '2026-12-01T10:00:00.000Z', event: 'connected', remoteAddress: '10.0.0.7', protocol: 'mqtt', dialect: 'alink', clientId: 'c1' });
      log.connection({ productKey: 'pk', deviceName: 'other', at: '2026-12-01T10:00:01.000Z', event: 'refused', reason: 'bad signature' });

      const page = await log.messages('pk', 'dn', {}, { limit: 2, offset: 1 });
      expect(page).toMatchObject({ total: 6, limit: 2, offset: 1 });
      expect(page.items.map((m) => m.msgId)).toEqual(['5', '4']);
      expect(page.items[0]).toEqual({
        id: expect.any(Number), at: expect.any(String), direction: 'up', kind: 'property.post', identifier: null, topic: null, msgId: '5',
        code: 200, reason: null, payload: '{"n":5}', payloadTruncated: false,
      });
      const failed = await log.messages('pk', 'dn', { direction: 'down', code: 504 }, { limit: 10, offset: 0 });
      expect(failed.total).toBe(1);
      expect(failed.items[0]).toMatchObject({ kind: 'property.set', reason: 'no reply', payloadTruncated: true });

      expect(await log.connections('pk', 'dn', { limit: 10, offset: 0 })).toEqual({
        items: [{ id: expect.any(Number), at: '2026-12-01T10:00:00.000Z', event: 'connected', reason: null, remoteAddress: '10.0.0.7', protocol: 'mqtt', dialect: 'alink', clientId: 'c1' }],
        total: 1, limit: 10, offset: 0,
      });
      expect((await log.recentConnections(10)).map((c) => [c.productKey, c.deviceName, c.event, c.reason])).toEqual([
        ['pk', 'other', 'refused', 'bad signature'], ['pk', 'dn', 'connected', null],
      ]);
    });

    it('keeps the receipts of verdicts for answering repeats after a restart, and sweeps them after the window', async () => {
      const now = Date.now();
      log.receipt({ productKey: 'pk', deviceName: 'dn', msgId: '7', fingerprint: 4_000_000_000, code: 422, reason: 'bad', at: now - 11 * 60_000 });
      log.receipt({ productKey: 'pk', deviceName: 'dn', msgId: '8', fingerprint: 12, code: 200, reason: null, at: now });
      expect(await log.receipts(now - 60 * 60_000)).toEqual([
        { productKey: 'pk', deviceName: 'dn', msgId: '7', fingerprint: 4_000_000_000, code: 422, reason: 'bad', at: now - 11 * 60_000 },
        { productKey: 'pk', deviceName: 'dn', msgId: '8', fingerprint: 12, code: 200, reason: null, at: now },
      ]);
      await log.sweep();
      expect((await log.receipts(0)).map((r) => r.msgId)).toEqual(['8']);
    });
  });

  describe('retention and deleted devices', () => {
    it('keeps the newest rows per device in the retention sweep', async () => {
      await open({ messagesPerDevice: 5, connectionsPerDevice: 3, batchSize: 1000 });
      for (let n = 1; n <= 12; n++) post(n);
      post(1, false, 'other');
      for (let n = 1; n <= 4; n++) log.connection({ productKey: 'pk', deviceName: 'dn', at: new Date().toISOString(), event: 'connected', clientId: String(n) });
      await log.flush();
      await log.sweep();
      expect(await rows()).toEqual(['8', '9', '10', '11', '12']);
      expect(await rows('other')).toEqual(['1']);
      expect((await log.connections('pk', 'dn', { limit: 10, offset: 0 })).items.map((c) => c.clientId)).toEqual(['4', '3', '2']);
    });

    it('forgets a deleted device: its rows, its receipts and what is still buffered, after the write under way', async () => {
      post(1);
      post(1, false, 'other');
      log.receipt({ productKey: 'pk', deviceName: 'dn', msgId: '1', fingerprint: 1, code: 200, reason: null, at: Date.now() });
      await log.flush();
      post(2);
      const writing = log.flush();
      post(3);
      log.connection({ productKey: 'pk', deviceName: 'dn', at: new Date().toISOString(), event: 'disconnected' });
      await log.forget('pk', 'dn');
      await writing;
      await log.flush();
      expect(await rows()).toEqual([]);
      expect(await rows('other')).toEqual(['1']);
      expect(await count('device_connections')).toBe(0);
      expect(await count('uplink_receipts')).toBe(0);
    });

    it('writes what is buffered when closed', async () => {
      post(1, true);
      log.connection({ productKey: 'pk', deviceName: 'dn', at: new Date().toISOString(), event: 'connected' });
      await log.close();
      expect(await rows()).toEqual(['1']);
      expect(await count('device_connections')).toBe(1);
    });
  });
});
