/**
 * Leader election on a real PostgreSQL (Debian's, shared by the test run): one leader among the nodes, and another
 * within a check or two when it stops, dies or loses its connection.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { testPostgres } from '../testing/test-postgres.ts';
import { until } from '../testing/until.ts';
import type { PostgresSql } from '../db/sql.ts';
import { LeaderElection } from './leader-election.ts';

const postgres = testPostgres();
let url: string;
let admin: PostgresSql;

beforeAll(async () => {
  ({ url, sql: admin } = await postgres.connect('leader', { max: 1 }));
}, 60_000);

/**
 * Nodes checking every 100 ms. A leader that lost its connection sits out 20 checks (2 s) by default here: long enough
 * that the healthy node surely takes over first, however busy the machine.
 */
async function nodes(key: number, count: number, rejoinChecks = 20): Promise<LeaderElection[]> {
  const list = Array.from({ length: count }, (_, i) => new LeaderElection(url, { key, nodeId: `node-${i + 1}`, checkMs: 100, rejoinChecks }));
  await Promise.all(list.map((n) => n.start()));
  return list;
}

const leaders = (list: LeaderElection[]) => list.filter((n) => n.leading).length;

describe('leader election by advisory lock', () => {
  it('makes exactly one of three nodes the leader, and another when it stops', async () => {
    const list = await nodes(101, 3);
    try {
      await until('one leader', () => leaders(list), (n) => n === 1);
      const first = list.find((n) => n.leading)!;
      const changes: boolean[] = [];
      first.on('change', (leading) => changes.push(leading));
      await first.stop();
      expect(changes).toEqual([false]);
      const rest = list.filter((n) => n !== first);
      await until('a new leader among the other two', () => leaders(rest), (n) => n === 1);
      expect(leaders(list)).toBe(1);
    } finally {
      await Promise.all(list.map((n) => n.stop()));
    }
  });

  it('hands over when the leader loses its connection (PostgreSQL ends its session, as when its node dies)', async () => {
    const list = await nodes(102, 2);
    try {
      await until('one leader', () => leaders(list), (n) => n === 1);
      const first = list.find((n) => n.leading)!;
      const other = list.find((n) => n !== first)!;
      const stepped = new Promise<boolean>((resolve) => first.once('change', resolve));
      const ended = await admin.all<{ ok: boolean }>(
        "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = ?", [`thingwire ${first.nodeId} leader`],
      );
      expect(ended).toEqual([{ ok: true }]);
      expect(await stepped).toBe(false);
      // The first sits out a few checks (its connection just failed), so the other, whose connection works, takes over.
      await until('the other node leads', () => other.leading, (leading) => leading);
      // The first reconnects as a follower: still one leader.
      await until('the first node connected again', () => admin.get<{ n: number }>("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name LIKE 'thingwire node-% leader'"), (r) => r?.n === 2);
      expect(leaders(list)).toBe(1);
    } finally {
      await Promise.all(list.map((n) => n.stop()));
    }
  });

  it('a lone leader that lost its connection sits out a few checks, then leads again', async () => {
    const [only] = await nodes(103, 1, 3);
    try {
      await until('it leads', () => only!.leading, (leading) => leading);
      const changes: boolean[] = [];
      only!.on('change', (leading) => changes.push(leading));
      await admin.run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'thingwire node-1 leader'");
      await until('it leads again', () => changes, (c) => c.length === 2);
      expect(changes).toEqual([false, true]);
    } finally {
      await only!.stop();
    }
  });

  it('keeps elections of different work apart: each key has its own leader', async () => {
    const a = await nodes(201, 2);
    const b = await nodes(202, 2);
    try {
      await until('a leader for each key', () => [leaders(a), leaders(b)], ([x, y]) => x === 1 && y === 1);
    } finally {
      await Promise.all([...a, ...b].map((n) => n.stop()));
    }
  });
});
