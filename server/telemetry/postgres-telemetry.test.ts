/**
 * The PostgreSQL telemetry backend on a real server (Debian's, shared by the test run): the contract every backend
 * passes, and what is its own: partitions by week, retention by dropping them, nodes sharing one database.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TslDocument } from '../../domain/thing-model/tsl-types.ts';
import { PostgresSql } from '../db/sql.ts';
import { testPostgres } from '../testing/test-postgres.ts';
import { PARTITION_MS, PostgresTelemetry } from './postgres-telemetry.ts';
import { runTelemetryContract } from './telemetry-contract.ts';

const postgres = testPostgres();
let url: string;
beforeAll(async () => {
  url = await postgres.database('telemetry');
}, 60_000);

// Every contract test uses its own product keys, so they share the file's database.
runTelemetryContract('postgres', () => PostgresTelemetry.open(url));

const tsl: TslDocument = {
  properties: [{ identifier: 'temp', name: 'temp', accessMode: 'r', dataType: { type: 'float', specs: { min: '-40', max: '120' } } }],
};
const WEEK0 = Math.floor(Date.now() / PARTITION_MS) * PARTITION_MS - 4 * PARTITION_MS;

describe('postgres telemetry tables', () => {
  it('keeps each week of device time in a partition of its own, and retention drops whole weeks', async () => {
    const store = await PostgresTelemetry.open(url);
    const admin = PostgresSql.connect(url, { max: 1 });
    try {
      await store.ensureSchema('weeks', 1, tsl);
      const rows = [0, 1, 2, 3].map((week) => ({ productKey: 'weeks', deviceName: 'd1', ts: WEEK0 + week * PARTITION_MS + 1000, receivedAt: Date.now(), values: { temp: week } }));
      await store.writeBatch({ properties: rows, events: [] });
      const partitions = async () => (await admin.all<{ name: string }>(
        "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'telemetry.t_weeks'::regclass ORDER BY 1")).length;
      expect(await partitions()).toBe(4);
      // Two whole weeks and part of the third are older than the cut: two partitions go, one loses a row.
      const cut = WEEK0 + 2 * PARTITION_MS + 2000;
      expect(await store.deleteBefore('weeks', cut)).toBe(3);
      expect(await partitions()).toBe(2);
      const left = await store.history({ productKey: 'weeks', deviceName: 'd1', property: 'temp', from: WEEK0, to: Date.now() });
      expect(left.map((p) => p.value)).toEqual([3]);
      // A row for a dropped week again: its partition comes back.
      await store.writeBatch({ properties: [{ ...rows[0]!, values: { temp: 9 } }], events: [] });
      expect(await partitions()).toBe(3);
    } finally {
      await admin.close();
      await store.close();
    }
  });

  it('lets two nodes set up the same product at once and write to it', async () => {
    const [a, b] = await Promise.all([PostgresTelemetry.open(url), PostgresTelemetry.open(url)]);
    try {
      const wider: TslDocument = { properties: [...tsl.properties!, { identifier: 'rh', name: 'rh', accessMode: 'r', dataType: { type: 'int', specs: { min: '0', max: '100' } } }] };
      await Promise.all([a.ensureSchema('shared', 1, tsl), b.ensureSchema('shared', 1, tsl)]);
      await Promise.all([a.ensureSchema('shared', 2, wider), b.ensureSchema('shared', 2, wider)]);
      const ts = WEEK0 + 3 * PARTITION_MS;
      await Promise.all([
        a.writeBatch({ properties: [{ productKey: 'shared', deviceName: 'on-a', ts, receivedAt: ts, values: { temp: 1, rh: 10 } }], events: [] }),
        b.writeBatch({ properties: [{ productKey: 'shared', deviceName: 'on-b', ts, receivedAt: ts, values: { temp: 2, rh: 20 } }], events: [] }),
      ]);
      expect(await a.latest('shared', 'on-b')).toEqual({ temp: { value: 2, time: ts }, rh: { value: 20, time: ts } });
      expect(await b.latest('shared', 'on-a')).toEqual({ temp: { value: 1, time: ts }, rh: { value: 10, time: ts } });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('takes a late row for a week another node’s retention dropped meanwhile', async () => {
    const [a, b] = await Promise.all([PostgresTelemetry.open(url), PostgresTelemetry.open(url)]);
    try {
      await Promise.all([a.ensureSchema('late', 1, tsl), b.ensureSchema('late', 1, tsl)]);
      const old = WEEK0 + 1000;
      const row = (deviceName: string, ts: number) => ({ productKey: 'late', deviceName, ts, receivedAt: Date.now(), values: { temp: 1 } });
      // Both nodes have written to that week, so both know its partition.
      await a.writeBatch({ properties: [row('on-a', old)], events: [] });
      await b.writeBatch({ properties: [row('on-b', old + 1)], events: [] });
      // The leader's retention drops the week; b still believes the partition is there.
      expect(await a.deleteBefore('late', WEEK0 + PARTITION_MS)).toBe(2);
      await b.writeBatch({ properties: [row('late-on-b', old + 2)], events: [] });
      expect(await a.history({ productKey: 'late', deviceName: 'late-on-b', property: 'temp', from: WEEK0, to: WEEK0 + PARTITION_MS })).toEqual([{ time: old + 2, value: 1 }]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

