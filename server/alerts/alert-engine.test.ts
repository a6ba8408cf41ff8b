import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db/database.ts';
import { SqliteSql } from '../db/sql.ts';
import { ApiError } from '../errors.ts';
import { AlertEngine } from './alert-engine.ts';
import type { AlertRuleRun, AlertTransition } from '../../domain/alerts/alert-service.ts';
import { AlertRuleError, type AlertInput, type AlertRule } from '../../domain/alerts/alert-rule.ts';
import type { EventType } from '../../domain/thing-model/tsl-types.ts';
import { AlertStore } from './alert-store.ts';
import { ManualAlertClock } from '../testing/manual-alert-clock.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const silent = pino({ level: 'silent' });

const eventTypes: Record<string, EventType> = { overheat: 'alert', fault: 'error', heartbeat: 'info', cooled: 'info' };

let dir: string;
let file: string;
let db: Db;
let clock: ManualAlertClock;
let engine: AlertEngine;
/** Every transition the engine announced, in order. */
let transitions: AlertTransition[];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-alerts-'));
  file = path.join(dir, 'thingwire.db');
  db = openDatabase(file);
  clock = new ManualAlertClock();
  engine = newEngine(db);
  transitions = [];
  engine.subscribe((t) => transitions.push(t));
});
afterEach(async () => {
  await engine.close();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function newEngine(database: Db): AlertEngine {
  return new AlertEngine(new AlertStore(new SqliteSql(database)), { logger: silent, clock, eventTypeOf: (_productKey, eventId) => eventTypes[eventId] });
}

const base = { id: 'rule-1', name: 'Hot hall', nodeId: 'rule-1', severity: 'critical', productKey: '', messageTemplate: '' } as const;

function thresholdRule(overrides: Partial<AlertRule & { kind: 'threshold' }> = {}): AlertRule {
  return {
    ...base, kind: 'threshold', property: 'temperature', raise: { operator: '>', value: 30 }, forMs: 60 * SECOND,
    clear: { operator: '<', value: 28 }, ...overrides,
  } as AlertRule;
}

/** Starts a rule on the engine and returns its run with the transitions its own listener received. */
async function start(rule: AlertRule, on = engine): Promise<AlertRuleRun & { heard: AlertTransition[] }> {
  const heard: AlertTransition[] = [];
  const run = Object.assign(on.startRule(rule, (t) => heard.push(t)), { heard });
  // The rule reads its open alerts first; messages before that wait, and so would their timers.
  await on.idle();
  return run;
}

/** A property post as thing-validate leaves it, `at` ms after the clock's current time (message time). */
function post(temperature: unknown, at = clock.now(), deviceName = 'hall', productKey = 'thermo'): AlertInput {
  return {
    productKey, deviceName, kind: 'property.post', payload: { temperature },
    values: [{ identifier: 'temperature', value: temperature, time: at }], receivedAt: at,
  };
}

function event(eventId: string, data: unknown = {}, deviceName = 'hall'): AlertInput {
  return { productKey: 'thermo', deviceName, kind: 'event.post', eventId, payload: data, receivedAt: clock.now() };
}

function state(status: 'online' | 'offline', at = clock.now(), deviceName = 'hall'): AlertInput {
  return { productKey: 'thermo', deviceName, kind: 'state', payload: { status, reason: status === 'offline' ? 'keepalive-timeout' : undefined }, receivedAt: at };
}

const kinds = () => transitions.map((t) => t.transition);
const waits = () => db.prepare('SELECT rule_id, device_name, due_at FROM alert_waits ORDER BY rule_id').raw().all() as unknown[][];
const rows = (where = '1') => db.prepare(`SELECT state FROM alerts WHERE ${where} ORDER BY id`).pluck().all() as string[];

describe('threshold rules with a for duration', () => {
  it('raise only once the condition has held for the whole duration, judged on message times', async () => {
    const run = await start(thresholdRule());
    const t0 = clock.now();
    run.evaluate(post(31, t0));
    run.evaluate(post(32, t0 + 30 * SECOND));
    run.evaluate(post(32.5, t0 + 59 * SECOND));
    await engine.idle();
    expect(transitions).toEqual([]);

    run.evaluate(post(33, t0 + 60 * SECOND));
    await engine.idle();
    expect(kinds()).toEqual(['raised']);
    expect(transitions[0]!.alert).toMatchObject({
      ruleId: 'rule-1', ruleName: 'Hot hall', nodeId: 'rule-1', kind: 'threshold', productKey: 'thermo', deviceName: 'hall',
      severity: 'critical', state: 'active', value: 33, clearValue: null, acknowledgedAt: null, clearedAt: null, clearedBy: null,
      message: 'temperature 33 (> 30 for 60 s)',
      details: { property: 'temperature', operator: '>', threshold: 30, forSeconds: 60, heldSince: new Date(t0).toISOString() },
    });
    await engine.idle();
    expect(run.heard).toEqual(transitions);
    expect(run.openCounts()).toEqual({ active: 1, acknowledged: 0 });
    expect(clock.pendingTimers).toBe(0);
  });

  it('raise from the timer when the device goes quiet while the condition holds', async () => {
    const run = await start(thresholdRule());
    run.evaluate(post(31));
    clock.advance(59_999);
    await engine.idle();
    expect(transitions).toEqual([]);
    clock.advance(1);
    await engine.idle();
    expect(kinds()).toEqual(['raised']);
    expect(transitions[0]!.alert.value).toBe(31);
  });

  it('raise nothing when the value drops back before the duration is over', async () => {
    const run = await start(thresholdRule());
    const t0 = clock.now();
    run.evaluate(post(31, t0));
    run.evaluate(post(29, t0 + 30 * SECOND));
    await engine.idle();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(10 * MINUTE);
    // The next excursion starts its own duration.
    run.evaluate(post(31, clock.now()));
    run.evaluate(post(31, clock.now() + 59 * SECOND));
    await engine.idle();
    expect(transitions).toEqual([]);
    expect(rows()).toEqual([]);
  });

  it('ignore a message older than one already judged', async () => {
    const run = await start(thresholdRule({ forMs: 0, clear: 'auto' }));
    const t0 = clock.now();
    run.evaluate(post(31, t0 + 10 * SECOND));
    run.evaluate(post(20, t0));
    await engine.idle();
    expect(kinds()).toEqual(['raised']);
  });

  it('watch each device on its own, and only devices of the rule\'s product', async () => {
    const run = await start(thresholdRule({ forMs: 0, productKey: 'thermo' }));
    run.evaluate(post(31, clock.now(), 'hall'));
    run.evaluate(post(31, clock.now(), 'porch'));
    run.evaluate(post(99, clock.now(), 'hall', 'lamp'));
    await engine.idle();
    expect(transitions.map((t) => `${t.alert.productKey}/${t.alert.deviceName}`)).toEqual(['thermo/hall', 'thermo/porch']);
    expect(run.openCounts()).toEqual({ active: 2, acknowledged: 0 });
  });

  it('ignore messages without the property and values that are not numbers, and take booleans as 1/0', async () => {
    const run = await start(thresholdRule({ property: 'power', raise: { operator: '==', value: 1 }, forMs: 0, clear: 'auto' }));
    run.evaluate(post(31));
    run.evaluate({ ...post(0), payload: { power: 'on' }, values: [{ identifier: 'power', value: 'on', time: clock.now() }] });
    await engine.idle();
    expect(transitions).toEqual([]);
    run.evaluate({ ...post(0), payload: { power: true }, values: [{ identifier: 'power', value: true, time: clock.now() }] });
    await engine.idle();
    expect(kinds()).toEqual(['raised']);
  });

  it('read an unvalidated payload ({value, time} form) when thing-validate did not list the values', async () => {
    const run = await start(thresholdRule({ forMs: 0 }));
    run.evaluate({ productKey: 'thermo', deviceName: 'hall', kind: 'property.post', payload: { temperature: { value: 40, time: clock.now() } } });
    await engine.idle();
    expect(transitions[0]?.alert.value).toBe(40);
  });
});

describe('clearing threshold alerts', () => {
  it('clear only on the separate clear condition (hysteresis), then raise afresh', async () => {
    const run = await start(thresholdRule({ forMs: 0 }));
    run.evaluate(post(31));
    run.evaluate(post(29.5));
    run.evaluate(post(28));
    run.evaluate(post(31));
    await engine.idle();
    expect(kinds()).toEqual(['raised']);

    clock.advance(5 * SECOND);
    run.evaluate(post(27.9));
    await engine.idle();
    expect(kinds()).toEqual(['raised', 'cleared']);
    expect(transitions[1]!.alert).toMatchObject({
      id: transitions[0]!.alert.id, state: 'cleared', clearedBy: null, clearValue: 27.9, clearedAt: new Date(clock.now()).toISOString(),
    });
    await engine.idle();
    expect(run.openCounts()).toEqual({ active: 0, acknowledged: 0 });

    run.evaluate(post(30.5));
    await engine.idle();
    expect(kinds()).toEqual(['raised', 'cleared', 'raised']);
    expect(transitions[2]!.alert.id).not.toBe(transitions[0]!.alert.id);
    expect(rows()).toEqual(['cleared', 'active']);
  });

  it('clear as soon as the raise condition stops holding when the clear condition is auto', async () => {
    const run = await start(thresholdRule({ forMs: 0, clear: 'auto' }));
    run.evaluate(post(31));
    run.evaluate(post(30));
    await engine.idle();
    expect(kinds()).toEqual(['raised', 'cleared']);
  });

  it('keep the alert for a value both conditions accept, rather than flap', async () => {
    const run = await start(thresholdRule({ forMs: 0, clear: { operator: '<', value: 35 } }));
    run.evaluate(post(31));
    run.evaluate(post(32));
    await engine.idle();
    expect(kinds()).toEqual(['raised']);
    run.evaluate(post(29));
    await engine.idle();
    expect(kinds()).toEqual(['raised', 'cleared']);
  });
});

describe('range conditions', () => {
  it('outside [10, 20] raises below and above the range and clears inside it (bounds inside)', async () => {
    const run = await start(thresholdRule({ raise: { operator: 'outside', low: 10, high: 20 }, forMs: 0, clear: 'auto' }));
    const seen = async (v: number) => {
      run.evaluate(post(v));
      await engine.idle();
      return transitions.at(-1)?.transition;
    };
    expect(await seen(15)).toBeUndefined();
    expect(await seen(10)).toBeUndefined();
    expect(await seen(20.5)).toBe('raised');
    expect(await seen(20)).toBe('cleared');
    expect(await seen(9.9)).toBe('raised');
    expect(transitions[0]!.alert.details).toMatchObject({ operator: 'outside', low: 10, high: 20, condition: 'outside 10 and 20' });
  });

  it('between [40, 60] raises inside the range, bounds included, and clears on its own range', async () => {
    const run = await start(thresholdRule({
      raise: { operator: 'between', low: 40, high: 60 }, forMs: 0, clear: { operator: 'outside', low: 35, high: 65 },
    }));
    run.evaluate(post(39));
    await engine.idle();
    expect(transitions).toEqual([]);
    run.evaluate(post(40));
    await engine.idle();
    expect(kinds()).toEqual(['raised']);
    run.evaluate(post(63));
    await engine.idle();
    expect(kinds()).toEqual(['raised']);
    run.evaluate(post(66));
    await engine.idle();
    expect(kinds()).toEqual(['raised', 'cleared']);
    run.evaluate(post(60));
    await engine.idle();
    expect(kinds()).toEqual(['raised', 'cleared', 'raised']);
  });

  it('refuse a range whose low end is above its high end', async () => {
    expect(() => engine.startRule(thresholdRule({ raise: { operator: 'between', low: 30, high: 20 } }), () => {})).toThrow(AlertRuleError);
    expect(() => engine.startRule(thresholdRule({ property: '' }), () => {})).toThrow('a threshold rule needs a property');
  });
});

describe('event rules', () => {
  const eventRule = (overrides: Partial<AlertRule & { kind: 'event' }> = {}): AlertRule =>
    ({ ...base, kind: 'event', eventId: 'overheat', eventType: 'alert-or-error', clearEventId: 'cooled', ...overrides }) as AlertRule;

  it('raise on the named event once while open, and clear on the clear event', async () => {
    const run = await start(eventRule());
    run.evaluate(event('fault'));
    run.evaluate(event('overheat', { temp: 91 }));
    run.evaluate(event('overheat', { temp: 95 }));
    await engine.idle();
    expect(kinds()).toEqual(['raised']);
    expect(transitions[0]!.alert).toMatchObject({ kind: 'event', value: { temp: 91 }, message: 'event overheat (alert)', details: { eventId: 'overheat', eventType: 'alert' } });

    run.evaluate(event('cooled', { temp: 40 }));
    await engine.idle();
    expect(kinds()).toEqual(['raised', 'cleared']);
    expect(transitions[1]!.alert.clearValue).toEqual({ eventId: 'cooled', data: { temp: 40 } });
  });

  it('raise on any event of type alert or error when no event is named', async () => {
    const run = await start(eventRule({ eventId: '', clearEventId: '' }));
    run.evaluate(event('heartbeat'));
    run.evaluate(event('not-in-the-model'));
    await engine.idle();
    expect(transitions).toEqual([]);
    run.evaluate(event('fault', {}, 'hall'));
    run.evaluate(event('overheat', {}, 'porch'));
    await engine.idle();
    expect(transitions.map((t) => [t.alert.deviceName, t.alert.details['eventType']])).toEqual([['hall', 'error'], ['porch', 'alert']]);
  });

  it('refuse a clear event equal to the raising event', async () => {
    expect(() => engine.startRule(eventRule({ clearEventId: 'overheat' }), () => {})).toThrow(AlertRuleError);
  });
});

describe('offline rules', () => {
  const offlineRule = (minutes = 5): AlertRule => ({ ...base, kind: 'offline', offlineMs: minutes * MINUTE });

  it('raise after N minutes offline and clear when the device comes back online', async () => {
    const run = await start(offlineRule());
    run.evaluate(state('offline'));
    run.evaluate(state('offline'));
    clock.advance(5 * MINUTE - 1);
    await engine.idle();
    expect(transitions).toEqual([]);
    clock.advance(1);
    await engine.idle();
    expect(kinds()).toEqual(['raised']);
    expect(transitions[0]!.alert).toMatchObject({
      kind: 'offline', value: { status: 'offline', reason: 'keepalive-timeout' },
      message: 'offline for more than 5 min (keepalive-timeout)', details: { offlineMinutes: 5 },
    });

    clock.advance(MINUTE);
    run.evaluate(state('online'));
    await engine.idle();
    expect(kinds()).toEqual(['raised', 'cleared']);
    expect(transitions[1]!.alert.clearValue).toEqual({ status: 'online' });
  });

  it('raise nothing for a device back online in time', async () => {
    const run = await start(offlineRule());
    run.evaluate(state('offline'));
    clock.advance(4 * MINUTE);
    run.evaluate(state('online'));
    await engine.idle();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(HOUR);
    await engine.idle();
    expect(transitions).toEqual([]);
  });

  it('count from when the device went offline, not from when the message was handled', async () => {
    const run = await start(offlineRule());
    run.evaluate(state('offline', clock.now() - 6 * MINUTE));
    await engine.idle();
    expect(kinds()).toEqual(['raised']);
  });
});

describe('one open alert per rule and device', () => {
  it('is enforced by the database itself', async () => {
    (await start(thresholdRule({ forMs: 0 }))).evaluate(post(31));
    const insert = () =>
      db.prepare(`INSERT INTO alerts (rule_id, node_id, kind, product_key, device_name, severity, state, raised_at)
                  VALUES ('rule-1', 'rule-1', 'threshold', 'thermo', 'hall', 'critical', 'active', '2026-01-01T00:00:00Z')`).run();
    await engine.idle();
    expect(insert).toThrow(expect.objectContaining({ code: 'SQLITE_CONSTRAINT_UNIQUE' }));
  });

  it('holds under 1000 concurrent messages through two engines on two connections, announcing every change once', async () => {
    const other = openDatabase(file);
    const second = newEngine(other);
    second.subscribe((t) => transitions.push(t));
    try {
      const rule = thresholdRule({ forMs: 0, clear: 'auto' });
      const runs = [await start(rule), await start(rule, second)];
      await Promise.all(
        Array.from({ length: 1000 }, async (_, i) => {
          await Promise.resolve();
          runs[i % 2]!.evaluate(post(35, clock.now() + i));
        }),
      );
      await Promise.all([engine.idle(), second.idle()]);
      expect(kinds()).toEqual(['raised']);
      expect(rows()).toEqual(['active']);

      // Alternating hot and cold through both: each engine's memory goes stale, the database decides.
      await Promise.all(
        Array.from({ length: 1000 }, async (_, i) => {
          await Promise.resolve();
          runs[Math.floor(i / 3) % 2]!.evaluate(post(i % 2 ? 20 : 35, clock.now() + 1000 + i));
        }),
      );
      await Promise.all([engine.idle(), second.idle()]);
      expect(rows("state != 'cleared'").length).toBeLessThanOrEqual(1);
      expect(kinds().filter((k) => k === 'raised')).toHaveLength(rows().length);
      expect(kinds().filter((k) => k === 'cleared')).toHaveLength(rows("state = 'cleared'").length);
    } finally {
      await second.close();
      other.close();
    }
  });

  it('holds when four processes race 1000 messages on the same file', async () => {
    const worker = fileURLToPath(new URL('./testing/race-worker.ts', import.meta.url));
    const race = async (pattern: 'high' | 'alternate') => {
      const children = Array.from({ length: 4 }, () =>
        spawn(process.execPath, ['--import', 'tsx', worker, file, '250', pattern], { stdio: ['pipe', 'pipe', 'inherit'] }),
      );
      const outputs = children.map(
        (child) =>
          new Promise<string>((resolve, reject) => {
            let out = '';
            child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
            child.on('error', reject);
            child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`race worker exited with ${code}`))));
          }),
      );
      // Start them together, once every one has its engine running.
      await Promise.all(children.map((child) => new Promise<void>((resolve) => {
        child.stdout.once('data', () => resolve());
      })));
      for (const child of children) child.stdin.end('go\n');
      return (await Promise.all(outputs)).flatMap((out) => JSON.parse(out.trim().split('\n').at(-1)!) as string[]);
    };

    await engine.idle();
    expect(await race('high')).toEqual(['raised']);
    expect(rows()).toEqual(['active']);

    const emitted = await race('alternate');
    await engine.idle();
    expect(rows("state != 'cleared'").length).toBeLessThanOrEqual(1);
    expect(emitted.filter((k) => k === 'raised')).toHaveLength(rows().length - 1);
    expect(emitted.filter((k) => k === 'cleared')).toHaveLength(rows("state = 'cleared'").length);
  }, 60_000);
});

describe('operator actions', () => {
  it('acknowledge: emits acknowledged, and the alert still clears by itself', async () => {
    const run = await start(thresholdRule({ forMs: 0 }));
    run.evaluate(post(31));
    await engine.idle();
    const id = transitions[0]!.alert.id;
    clock.advance(MINUTE);
    const acknowledged = await engine.acknowledge(id, 'alice');
    await engine.idle();
    expect(acknowledged).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'alice', acknowledgedAt: new Date(clock.now()).toISOString() });
    expect(kinds()).toEqual(['raised', 'acknowledged']);
    expect(run.openCounts()).toEqual({ active: 0, acknowledged: 1 });
    await expect(engine.acknowledge(id, 'bob')).rejects.toMatchObject({ status: 409, code: 'alert_acknowledged' });

    run.evaluate(post(25));
    await engine.idle();
    expect(kinds()).toEqual(['raised', 'acknowledged', 'cleared']);
    expect(transitions[2]!.alert).toMatchObject({ state: 'cleared', acknowledgedBy: 'alice', clearedBy: null, clearValue: 25 });
    await expect(engine.acknowledge(id, 'bob')).rejects.toMatchObject({ code: 'alert_cleared' });
  });

  it('manual clear: emits cleared once, to the rule too, and a condition that still holds raises again', async () => {
    const run = await start(thresholdRule());
    run.evaluate(post(31));
    clock.advance(MINUTE);
    await engine.idle();
    const id = transitions[0]!.alert.id;

    const cleared = await engine.clear(id, 'bob');
    expect(cleared).toMatchObject({ state: 'cleared', clearedBy: 'bob', clearValue: null });
    await expect(engine.clear(id, 'carol')).rejects.toThrow(ApiError);
    run.evaluate(post(20));
    await engine.idle();
    expect(kinds()).toEqual(['raised', 'cleared']);
    expect(run.heard.map((t) => t.transition)).toEqual(['raised', 'cleared']);

    run.evaluate(post(33));
    clock.advance(MINUTE);
    await engine.idle();
    expect(kinds()).toEqual(['raised', 'cleared', 'raised']);
    expect(transitions[2]!.alert.id).not.toBe(id);
  });

  it('answer 404 for an alert that does not exist', async () => {
    await expect(engine.clear(999, 'bob')).rejects.toMatchObject({ status: 404 });
  });
});

describe('restarts and redeploys', () => {
  it('keep open alerts: a restarted rule clears the alert it raised before', async () => {
    const first = await start(thresholdRule({ forMs: 0 }));
    first.evaluate(post(31));
    await engine.close();

    const restarted = newEngine(db);
    restarted.subscribe((t) => transitions.push(t));
    const run = await start(thresholdRule({ forMs: 0 }), restarted);
    await restarted.idle();
    expect(run.openCounts()).toEqual({ active: 1, acknowledged: 0 });
    run.evaluate(post(31));
    run.evaluate(post(20));
    await restarted.idle();
    expect(kinds()).toEqual(['raised', 'cleared']);
    await restarted.close();
  });

  it('continue a pending duration across a redeploy: the new rule counts from when the condition began', async () => {
    const t0 = clock.now();
    const first = await start(thresholdRule());
    first.evaluate(post(31, t0));
    await engine.idle();
    const replaced = await start(thresholdRule());
    clock.advance(30 * SECOND);
    replaced.evaluate(post(32));
    await engine.idle();
    expect(transitions).toEqual([]);
    clock.advance(30 * SECOND);
    await engine.idle();
    expect(kinds()).toEqual(['raised']);
    expect(transitions[0]!.alert.details).toMatchObject({ heldSince: new Date(t0).toISOString() });
    expect(first.heard).toEqual([]);
    expect(replaced.heard.map((t) => t.transition)).toEqual(['raised']);
    expect(waits()).toEqual([]);
  });

  it('raise a wait that fell due while nothing ran (a restart), once, from the sweep', async () => {
    const t0 = clock.now();
    (await start(thresholdRule())).evaluate(post(31, t0));
    (await start({ ...base, id: 'rule-2', kind: 'offline', offlineMs: 5 * MINUTE })).evaluate(state('offline', t0, 'porch'));
    await engine.close();
    expect(waits()).toEqual([['rule-1', 'hall', t0 + MINUTE], ['rule-2', 'porch', t0 + 5 * MINUTE]]);

    clock.advance(HOUR);
    const restarted = newEngine(db);
    restarted.subscribe((t) => transitions.push(t));
    const runs = [await start(thresholdRule(), restarted), await start({ ...base, id: 'rule-2', kind: 'offline', offlineMs: 5 * MINUTE }, restarted)];
    const sweep = restarted.waitSweep();
    await sweep.start();
    clock.advance(SECOND);
    await sweep.stop();
    await restarted.idle();
    expect(transitions.map((t) => [t.transition, t.alert.ruleId, t.alert.deviceName])).toEqual([['raised', 'rule-1', 'hall'], ['raised', 'rule-2', 'porch']]);
    expect(transitions[0]!.alert).toMatchObject({ value: 31, details: { heldSince: new Date(t0).toISOString() } });
    expect(transitions[1]!.alert).toMatchObject({ value: { status: 'offline', reason: 'keepalive-timeout' } });
    expect(runs.map((r) => r.heard.length)).toEqual([1, 1]);
    expect(waits()).toEqual([]);

    // A second pass finds nothing: raised once.
    await restarted.sweepWaits();
    await restarted.idle();
    expect(transitions).toHaveLength(2);
    await restarted.close();
  });

  it('leave a wait alone that its own node will raise on time, and one whose rule runs nowhere until a day has passed', async () => {
    const t0 = clock.now();
    const run = await start(thresholdRule());
    run.evaluate(post(31, t0));
    await engine.idle();
    await engine.sweepWaits();
    expect(waits()).toHaveLength(1);
    run.stop();
    clock.advance(HOUR);
    await engine.sweepWaits();
    expect(waits()).toHaveLength(1);
    clock.advance(24 * HOUR);
    await engine.sweepWaits();
    expect(waits()).toEqual([]);
    expect(transitions).toEqual([]);
  });

  it('end the wait when the condition stops holding, so nobody raises it later', async () => {
    const run = await start(thresholdRule());
    run.evaluate(post(31));
    await engine.idle();
    expect(waits()).toHaveLength(1);
    run.evaluate(post(20));
    await engine.idle();
    expect(waits()).toEqual([]);
    clock.advance(HOUR);
    await engine.sweepWaits();
    await engine.idle();
    expect(transitions).toEqual([]);
  });
});

describe('messages and listeners', () => {
  it('fill the rule\'s template, leaving unknown placeholders as written', async () => {
    (await start(thresholdRule({ forMs: 0, messageTemplate: '{{rule}}: {{device}} {{property}}={{value}} ({{condition}}, {{severity}}) {{nope}}' })))
      .evaluate(post(31.5));
    await engine.idle();
    expect(transitions[0]!.alert.message).toBe('Hot hall: hall temperature=31.5 (> 30, critical) {{nope}}');
  });

  it('keep going when a listener throws', async () => {
    engine.subscribe(() => {
      throw new Error('listener bug');
    });
    const run = await start(thresholdRule({ forMs: 0 }));
    run.evaluate(post(31));
    await engine.idle();
    expect(kinds()).toEqual(['raised']);
    expect(run.heard).toHaveLength(1);
  });

  it('list alerts newest first with filters and paging', async () => {
    const run = await start(thresholdRule({ forMs: 0, severity: 'warning' }));
    for (const device of ['a', 'b', 'c']) run.evaluate(post(31, clock.now(), device));
    await engine.idle();
    await engine.acknowledge(transitions[1]!.alert.id, 'alice');
    run.evaluate(post(20, clock.now(), 'c'));

    await engine.idle();
    expect(await engine.list({}, { limit: 2, offset: 0 })).toMatchObject({ total: 3, limit: 2, offset: 0, items: [{ deviceName: 'c' }, { deviceName: 'b' }] });
    expect((await engine.list({ state: 'open' }, { limit: 50, offset: 0 })).items.map((a) => a.deviceName)).toEqual(['b', 'a']);
    expect((await engine.list({ state: 'acknowledged' }, { limit: 50, offset: 0 })).items.map((a) => a.deviceName)).toEqual(['b']);
    expect((await engine.list({ deviceName: 'a', productKey: 'thermo', ruleId: 'rule-1', severity: 'warning' }, { limit: 50, offset: 0 })).total).toBe(1);
    expect((await engine.list({ severity: 'critical' }, { limit: 50, offset: 0 })).total).toBe(0);
  });
});
