/**
 * Singleton work over leader election on a real PostgreSQL: it runs on exactly one of the nodes, moves to another
 * when the leader's connection dies (as when its node is killed); a single node runs it from the start.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { PostgresSql } from '../db/sql.ts';
import { createLogger } from '../logger.ts';
import { testPostgres } from '../testing/test-postgres.ts';
import { until } from '../testing/until.ts';
import { LeaderElection } from './leader-election.ts';
import { SingletonWork, SOLE_NODE } from './singleton-work.ts';

const postgres = testPostgres();
const logger = createLogger('silent');
let url: string;
let admin: PostgresSql;

beforeAll(async () => {
  ({ url, sql: admin } = await postgres.connect('singleton', { max: 1 }));
}, 60_000);

/** A piece of work that records where it runs and where it was started. */
function tracked() {
  const state = { runningOn: new Set<string>(), starts: [] as string[] };
  const on = (node: string) => ({
    name: 'sweeps',
    start() {
      state.runningOn.add(node);
      state.starts.push(node);
    },
    async stop() {
      state.runningOn.delete(node);
    },
  });
  return { state, on };
}

describe('singleton work', () => {
  it('runs on the leader only, and on another node within a few checks of the leader dying', async () => {
    const { state, on } = tracked();
    const nodes = ['node-1', 'node-2', 'node-3'].map((nodeId) => {
      const election = new LeaderElection(url, { key: 201, nodeId, checkMs: 100 });
      return { nodeId, election, work: new SingletonWork(election, [on(nodeId)], logger) };
    });
    try {
      await Promise.all(nodes.map((n) => n.election.start()));
      await until('the work runs on one node', () => state.runningOn.size, (n) => n === 1);
      const [first] = [...state.runningOn];
      const leader = nodes.find((n) => n.nodeId === first)!;
      expect(leader.election.leading).toBe(true);

      // Its node dies: PostgreSQL ends the session that holds the lock.
      await admin.run('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?', [`thingwire ${first} leader`]);
      await until('the work moved to another node', () => [...state.runningOn], (on) => on.length === 1 && on[0] !== first);
      // Started once more in all: on the new leader only. (The old leader stops at its next check at the latest; here
      // it heard of its connection's end at once.)
      expect(state.starts).toEqual([first, expect.not.stringMatching(first!)]);
      expect(leader.work.running).toBe(false);
    } finally {
      await Promise.all(nodes.map(async (n) => {
        await n.work.close();
        await n.election.stop();
      }));
    }
    expect(state.runningOn.size).toBe(0);
  });

  it('runs on a single node from the start, until it closes', async () => {
    const { state, on } = tracked();
    const work = new SingletonWork(SOLE_NODE, [on('only')], logger);
    await work.settled();
    expect([...state.runningOn]).toEqual(['only']);
    await work.close();
    expect(state.runningOn.size).toBe(0);
  });
});
