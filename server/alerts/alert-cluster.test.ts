/**
 * Alert rules on the nodes of a cluster: each node runs the same rules over one PostgreSQL database, judges the
 * devices it holds, and the leader raises the waits a dead node left behind. Two engines with their own pools stand
 * for two nodes; one manual clock drives both.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AlertInput, AlertRule } from '../../domain/alerts/alert-rule.ts';
import type { AlertTransition } from '../../domain/alerts/alert-service.ts';
import { migratePostgres } from '../db/migrate.ts';
import { migrations } from '../db/migrations/index.ts';
import { ManualAlertClock } from '../testing/manual-alert-clock.ts';
import { testPostgres } from '../testing/test-postgres.ts';
import { ALERT_TRANSITION_EVENT, AlertEngine } from './alert-engine.ts';
import { AlertStore } from './alert-store.ts';

const postgres = testPostgres();
const SECOND = 1000;
const rule: AlertRule = {
  id: 'hot', name: 'Hot', nodeId: 'hot', severity: 'critical', productKey: '', messageTemplate: '',
  kind: 'threshold', property: 'temperature', raise: { operator: '>', value: 30 }, forMs: 60 * SECOND, clear: { operator: '<', value: 28 },
};

/** Two nodes on one new database, each with the rule running; what each node's rule sent on, and what each heard. */
async function cluster() {
  const { url, sql } = await postgres.connect('alerts');
  await migratePostgres(sql, migrations);
  const clock = new ManualAlertClock();
  const node = async (name: string) => {
    const engine = new AlertEngine(new AlertStore(name === 'a' ? sql : postgres.pool(url)), { logger: pino({ level: 'silent' }), clock });
    const sent: AlertTransition[] = [];
    const seen: AlertTransition[] = [];
    const run = engine.startRule(rule, (t) => sent.push(t));
    engine.subscribe((t) => seen.push(t));
    await run.ready;
    return { engine, run, sent, seen };
  };
  const a = await node('a');
  const b = await node('b');
  // What ClusterBus.share does between real nodes.
  a.engine.shared.on(ALERT_TRANSITION_EVENT, (t) => b.engine.follow(t));
  b.engine.shared.on(ALERT_TRANSITION_EVENT, (t) => a.engine.follow(t));
  const post = (temperature: number, at = clock.now()): AlertInput => ({
    productKey: 'thermo', deviceName: 'hall', kind: 'property.post', payload: { temperature },
    values: [{ identifier: 'temperature', value: temperature, time: at }], receivedAt: at,
  });
  const idle = () => Promise.all([a.engine.idle(), b.engine.idle()]);
  return { a, b, clock, post, idle, sql };
}

describe('alert rules across the nodes of a cluster', () => {
  it('the leader raises, once, a wait whose node died, and the node the device moves to clears it', async () => {
    const { a, b, clock, post, idle } = await cluster();
    const t0 = clock.now();
    a.run.evaluate(post(31, t0));
    await idle();
    // Node A dies: its timers are gone, its wait is in the database.
    a.run.stop();
    const sweep = b.engine.waitSweep();
    await sweep.start();
    const seconds = async (n: number) => {
      for (let i = 0; i < n; i++) {
        clock.advance(SECOND);
        await idle();
      }
    };
    await seconds(61);
    expect(b.sent).toEqual([]);
    await seconds(2);
    await sweep.stop();
    await idle();
    expect(b.sent.map((t) => t.transition)).toEqual(['raised']);
    expect(b.sent[0]!.alert.details).toMatchObject({ heldSince: new Date(t0).toISOString() });
    expect(b.run.openCounts()).toEqual({ active: 1, acknowledged: 0 });

    // The device reconnects to B: still hot changes nothing, cool clears it there.
    b.run.evaluate(post(32));
    b.run.evaluate(post(20));
    await idle();
    expect(b.sent.map((t) => t.transition)).toEqual(['raised', 'cleared']);
    expect(a.sent).toEqual([]);
  });

  it('a node that takes a device over continues its wait from when it began, and raises it on time', async () => {
    const { a, b, clock, post, idle } = await cluster();
    const t0 = clock.now();
    a.run.evaluate(post(31, t0));
    await idle();
    a.run.stop();
    clock.advance(30 * SECOND);
    b.run.evaluate(post(33));
    await idle();
    clock.advance(30 * SECOND);
    await idle();
    expect(b.sent.map((t) => t.transition)).toEqual(['raised']);
    expect(b.sent[0]!.alert).toMatchObject({ value: 33, details: { heldSince: new Date(t0).toISOString() } });
  });

  it('a raise on one node is followed by the others: their live views hear it, their rules do not send it again', async () => {
    const { a, b, post, idle } = await cluster();
    const fast = { ...rule, id: 'fast', forMs: 0 };
    const runs = [a.engine.startRule(fast, (x) => a.sent.push(x)), b.engine.startRule(fast, (x) => b.sent.push(x))];
    await Promise.all(runs.map((r) => r.ready));
    runs[0]!.evaluate(post(40));
    await idle();
    expect(a.sent.filter((x) => x.alert.ruleId === 'fast').map((x) => x.transition)).toEqual(['raised']);
    expect(b.sent.filter((x) => x.alert.ruleId === 'fast')).toEqual([]);
    expect(b.seen.filter((x) => x.alert.ruleId === 'fast').map((x) => x.transition)).toEqual(['raised']);
    expect(runs[1]!.openCounts()).toEqual({ active: 1, acknowledged: 0 });

    // The device moves to B, which knows the alert is open and clears it.
    runs[1]!.evaluate(post(20));
    await idle();
    expect(b.sent.filter((x) => x.alert.ruleId === 'fast').map((x) => x.transition)).toEqual(['cleared']);
    expect(runs[0]!.openCounts()).toEqual({ active: 0, acknowledged: 0 });
  });
});
