import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db/database.ts';
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
afterEach(() => {
  engine.close();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function newEngine(database: Db): AlertEngine {
  return new AlertEngine(new AlertStore(database), { logger: silent, clock, eventTypeOf: (_productKey, eventId) => eventTypes[eventId] });
}

const base = { id: 'rule-1', name: 'Hot hall', nodeId: 'rule-1', severity: 'critical', productKey: '', messageTemplate: '' } as const;

function thresholdRule(overrides: Partial<AlertRule & { kind: 'threshold' }> = {}): AlertRule {
  return {
    ...base, kind: 'threshold', property: 'temperature', raise: { operator: '>', value: 30 }, forMs: 60 * SECOND,
    clear: { operator: '<', value: 28 }, ...overrides,
  } as AlertRule;
}

/** Starts a rule on the engine and returns its run with the transitions its own listener received. */
function start(rule: AlertRule, on = engine): AlertRuleRun & { heard: AlertTransition[] } {
  const heard: AlertTransition[] = [];
  return Object.assign(on.startRule(rule, (t) => heard.push(t)), { heard });
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
const rows = (where = '1') => db.prepare(`SELECT state FROM alerts WHERE ${where} ORDER BY id`).pluck().all() as string[];

describe('threshold rules with a for duration', () => {
  it('raise only once the condition has held for the whole duration, judged on message times', () => {
    const run = start(thresholdRule());
    const t0 = clock.now();
    run.evaluate(post(31, t0));
    run.evaluate(post(32, t0 + 30 * SECOND));
    run.evaluate(post(32.5, t0 + 59 * SECOND));
    expect(transitions).toEqual([]);

    run.evaluate(post(33, t0 + 60 * SECOND));
    expect(kinds()).toEqual(['raised']);
    expect(transitions[0]!.alert).toMatchObject({
      ruleId: 'rule-1', ruleName: 'Hot hall', nodeId: 'rule-1', kind: 'threshold', productKey: 'thermo', deviceName: 'hall',
      severity: 'critical', state: 'active', value: 33, clearValue: null, acknowledgedAt: null, clearedAt: null, clearedBy: null,
      message: 'temperature 33 (> 30 for 60 s)',
      details: { property: 'temperature', operator: '>', threshold: 30, forSeconds: 60, heldSince: new Date(t0).toISOString() },
    });
    expect(run.heard).toEqual(transitions);
    expect(run.openCounts()).toEqual({ active: 1, acknowledged: 0 });
    expect(clock.pendingTimers).toBe(0);
  });

  it('raise from the timer when the device goes quiet while the condition holds', () => {
    const run = start(thresholdRule());
    run.evaluate(post(31));
    clock.advance(59_999);
    expect(transitions).toEqual([]);
    clock.advance(1);
    expect(kinds()).toEqual(['raised']);
    expect(transitions[0]!.alert.value).toBe(31);
  });

  it('raise nothing when the value drops back before the duration is over', () => {
    const run = start(thresholdRule());
    const t0 = clock.now();
    run.evaluate(post(31, t0));
    run.evaluate(post(29, t0 + 30 * SECOND));
    expect(clock.pendingTimers).toBe(0);
    clock.advance(10 * MINUTE);
    // The next excursion starts its own duration.
    run.evaluate(post(31, clock.now()));
    run.evaluate(post(31, clock.now() + 59 * SECOND));
    expect(transitions).toEqual([]);
    expect(rows()).toEqual([]);
  });

  it('ignore a message older than one already judged', () => {
    const run = start(thresholdRule({ forMs: 0, clear: 'auto' }));
    const t0 = clock.now();
    run.evaluate(post(31, t0 + 10 * SECOND));
    run.evaluate(post(20, t0));
    expect(kinds()).toEqual(['raised']);
  });

  it('watch each device on its own, and only devices of the rule\'s product', () => {
    const run = start(thresholdRule({ forMs: 0, productKey: 'thermo' }));
    run.evaluate(post(31, clock.now(), 'hall'));
    run.evaluate(post(31, clock.now(), 'porch'));
    run.evaluate(post(99, clock.now(), 'hall', 'lamp'));
    expect(transitions.map((t) => `${t.alert.productKey}/${t.alert.deviceName}`)).toEqual(['thermo/hall', 'thermo/porch']);
    expect(run.openCounts()).toEqual({ active: 2, acknowledged: 0 });
  });

  it('ignore messages without the property and values that are not numbers, and take booleans as 1/0', () => {
    const run = start(thresholdRule({ property: 'power', raise: { operator: '==', value: 1 }, forMs: 0, clear: 'auto' }));
    run.evaluate(post(31));
    run.evaluate({ ...post(0), payload: { power: 'on' }, values: [{ identifier: 'power', value: 'on', time: clock.now() }] });
    expect(transitions).toEqual([]);
    run.evaluate({ ...post(0), payload: { power: true }, values: [{ identifier: 'power', value: true, time: clock.now() }] });
    expect(kinds()).toEqual(['raised']);
  });

  it('read an unvalidated payload ({value, time} form) when thing-validate did not list the values', () => {
    const run = start(thresholdRule({ forMs: 0 }));
    run.evaluate({ productKey: 'thermo', deviceName: 'hall', kind: 'property.post', payload: { temperature: { value: 40, time: clock.now() } } });
    expect(transitions[0]?.alert.value).toBe(40);
  });
});

describe('clearing threshold alerts', () => {
  it('clear only on the separate clear condition (hysteresis), then raise afresh', () => {
    const run = start(thresholdRule({ forMs: 0 }));
    run.evaluate(post(31));
    run.evaluate(post(29.5));
    run.evaluate(post(28));
    run.evaluate(post(31));
    expect(kinds()).toEqual(['raised']);

    clock.advance(5 * SECOND);
    run.evaluate(post(27.9));
    expect(kinds()).toEqual(['raised', 'cleared']);
    expect(transitions[1]!.alert).toMatchObject({
      id: transitions[0]!.alert.id, state: 'cleared', clearedBy: null, clearValue: 27.9, clearedAt: new Date(clock.now()).toISOString(),
    });
    expect(run.openCounts()).toEqual({ active: 0, acknowledged: 0 });

    run.evaluate(post(30.5));
    expect(kinds()).toEqual(['raised', 'cleared', 'raised']);
    expect(transitions[2]!.alert.id).not.toBe(transitions[0]!.alert.id);
    expect(rows()).toEqual(['cleared', 'active']);
  });

  it('clear as soon as the raise condition stops holding when the clear condition is auto', () => {
    const run = start(thresholdRule({ forMs: 0, clear: 'auto' }));
    run.evaluate(post(31));
    run.evaluate(post(30));
    expect(kinds()).toEqual(['raised', 'cleared']);
  });

  it('keep the alert for a value both conditions accept, rather than flap', () => {
    const run = start(thresholdRule({ forMs: 0, clear: { operator: '<', value: 35 } }));
    run.evaluate(post(31));
    run.evaluate(post(32));
    expect(kinds()).toEqual(['raised']);
    run.evaluate(post(29));
    expect(kinds()).toEqual(['raised', 'cleared']);
  });
});

describe('range conditions', () => {
  it('outside [10, 20] raises below and above the range and clears inside it (bounds inside)', () => {
    const run = start(thresholdRule({ raise: { operator: 'outside', low: 10, high: 20 }, forMs: 0, clear: 'auto' }));
    const seen = (v: number) => {
      run.evaluate(post(v));
      return transitions.at(-1)?.transition;
    };
    expect(seen(15)).toBeUndefined();
    expect(seen(10)).toBeUndefined();
    expect(seen(20.5)).toBe('raised');
    expect(seen(20)).toBe('cleared');
    expect(seen(9.9)).toBe('raised');
    expect(transitions[0]!.alert.details).toMatchObject({ operator: 'outside', low: 10, high: 20, condition: 'outside 10 and 20' });
  });

  it('between [40, 60] raises inside the range, bounds included, and clears on its own range', () => {
    const run = start(thresholdRule({
      raise: { operator: 'between', low: 40, high: 60 }, forMs: 0, clear: { operator: 'outside', low: 35, high: 65 },
    }));
    run.evaluate(post(39));
    expect(transitions).toEqual([]);
    run.evaluate(post(40));
    expect(kinds()).toEqual(['raised']);
    run.evaluate(post(63));
    expect(kinds()).toEqual(['raised']);
    run.evaluate(post(66));
    expect(kinds()).toEqual(['raised', 'cleared']);
    run.evaluate(post(60));
    expect(kinds()).toEqual(['raised', 'cleared', 'raised']);
  });

  it('refuse a range whose low end is above its high end', () => {
    expect(() => engine.startRule(thresholdRule({ raise: { operator: 'between', low: 30, high: 20 } }), () => {})).toThrow(AlertRuleError);
    expect(() => engine.startRule(thresholdRule({ property: '' }), () => {})).toThrow('a threshold rule needs a property');
  });
});

describe('event rules', () => {
  const eventRule = (overrides: Partial<AlertRule & { kind: 'event' }> = {}): AlertRule =>
    ({ ...base, kind: 'event', eventId: 'overheat', eventType: 'alert-or-error', clearEventId: 'cooled', ...overrides }) as AlertRule;

  it('raise on the named event once while open, and clear on the clear event', () => {
    const run = start(eventRule());
    run.evaluate(event('fault'));
    run.evaluate(event('overheat', { temp: 91 }));
    run.evaluate(event('overheat', { temp: 95 }));
    expect(kinds()).toEqual(['raised']);
    expect(transitions[0]!.alert).toMatchObject({ kind: 'event', value: { temp: 91 }, message: 'event overheat (alert)', details: { eventId: 'overheat', eventType: 'alert' } });

    run.evaluate(event('cooled', { temp: 40 }));
    expect(kinds()).toEqual(['raised', 'cleared']);
    expect(transitions[1]!.alert.clearValue).toEqual({ eventId: 'cooled', data: { temp: 40 } });
  });

  it('raise on any event of type alert or error when no event is named', () => {
    const run = start(eventRule({ eventId: '', clearEventId: '' }));
    run.evaluate(event('heartbeat'));
    run.evaluate(event('not-in-the-model'));
    expect(transitions).toEqual([]);
    run.evaluate(event('fault', {}, 'hall'));
    run.evaluate(event('overheat', {}, 'porch'));
    expect(transitions.map((t) => [t.alert.deviceName, t.alert.details['eventType']])).toEqual([['hall', 'error'], ['porch', 'alert']]);
  });

  it('refuse a clear event equal to the raising event', () => {
    expect(() => engine.startRule(eventRule({ clearEventId: 'overheat' }), () => {})).toThrow(AlertRuleError);
  });
});

describe('offline rules', () => {
  const offlineRule = (minutes = 5): AlertRule => ({ ...base, kind: 'offline', offlineMs: minutes * MINUTE });

  it('raise after N minutes offline and clear when the device comes back online', () => {
    const run = start(offlineRule());
    run.evaluate(state('offline'));
    run.evaluate(state('offline'));
    clock.advance(5 * MINUTE - 1);
    expect(transitions).toEqual([]);
    clock.advance(1);
    expect(kinds()).toEqual(['raised']);
    expect(transitions[0]!.alert).toMatchObject({
      kind: 'offline', value: { status: 'offline', reason: 'keepalive-timeout' },
      message: 'offline for more than 5 min (keepalive-timeout)', details: { offlineMinutes: 5 },
    });

    clock.advance(MINUTE);
    run.evaluate(state('online'));
    expect(kinds()).toEqual(['raised', 'cleared']);
    expect(transitions[1]!.alert.clearValue).toEqual({ status: 'online' });
  });

  it('raise nothing for a device back online in time', () => {
    const run = start(offlineRule());
    run.evaluate(state('offline'));
    clock.advance(4 * MINUTE);
    run.evaluate(state('online'));
    expect(clock.pendingTimers).toBe(0);
    clock.advance(HOUR);
    expect(transitions).toEqual([]);
  });

  it('count from when the device went offline, not from when the message was handled', () => {
    const run = start(offlineRule());
    run.evaluate(state('offline', clock.now() - 6 * MINUTE));
    expect(kinds()).toEqual(['raised']);
  });
});

describe('one open alert per rule and device', () => {
  it('is enforced by the database itself', () => {
    start(thresholdRule({ forMs: 0 })).evaluate(post(31));
    const insert = () =>
      db.prepare(`INSERT INTO alerts (rule_id, node_id, kind, product_key, device_name, severity, state, raised_at)
                  VALUES ('rule-1', 'rule-1', 'threshold', 'thermo', 'hall', 'critical', 'active', '2026-01-01T00:00:00Z')`).run();
    expect(insert).toThrow(expect.objectContaining({ code: 'SQLITE_CONSTRAINT_UNIQUE' }));
  });

  it('holds under 1000 concurrent messages through two engines on two connections, announcing every change once', async () => {
    const other = openDatabase(file);
    const second = newEngine(other);
    second.subscribe((t) => transitions.push(t));
    try {
      const rule = thresholdRule({ forMs: 0, clear: 'auto' });
      const runs = [start(rule), start(rule, second)];
      await Promise.all(
        Array.from({ length: 1000 }, async (_, i) => {
          await Promise.resolve();
          runs[i % 2]!.evaluate(post(35, clock.now() + i));
        }),
      );
      expect(kinds()).toEqual(['raised']);
      expect(rows()).toEqual(['active']);

      // Alternating hot and cold through both: each engine's memory goes stale, the database decides.
      await Promise.all(
        Array.from({ length: 1000 }, async (_, i) => {
          await Promise.resolve();
          runs[Math.floor(i / 3) % 2]!.evaluate(post(i % 2 ? 20 : 35, clock.now() + 1000 + i));
        }),
      );
      expect(rows("state != 'cleared'").length).toBeLessThanOrEqual(1);
      expect(kinds().filter((k) => k === 'raised')).toHaveLength(rows().length);
      expect(kinds().filter((k) => k === 'cleared')).toHaveLength(rows("state = 'cleared'").length);
    } finally {
      second.close();
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

    expect(await race('high')).toEqual(['raised']);
    expect(rows()).toEqual(['active']);

    const emitted = await race('alternate');
    expect(rows("state != 'cleared'").length).toBeLessThanOrEqual(1);
    expect(emitted.filter((k) => k === 'raised')).toHaveLength(rows().length - 1);
    expect(emitted.filter((k) => k === 'cleared')).toHaveLength(rows("state = 'cleared'").length);
  }, 60_000);
});

describe('operator actions', () => {
  it('acknowledge: emits acknowledged, and the alert still clears by itself', () => {
    const run = start(thresholdRule({ forMs: 0 }));
    run.evaluate(post(31));
    const id = transitions[0]!.alert.id;
    clock.advance(MINUTE);
    const acknowledged = engine.acknowledge(id, 'alice');
    expect(acknowledged).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'alice', acknowledgedAt: new Date(clock.now()).toISOString() });
    expect(kinds()).toEqual(['raised', 'acknowledged']);
    expect(run.openCounts()).toEqual({ active: 0, acknowledged: 1 });
    expect(() => engine.acknowledge(id, 'bob')).toThrow(expect.objectContaining({ status: 409, code: 'alert_acknowledged' }));

    run.evaluate(post(25));
    expect(kinds()).toEqual(['raised', 'acknowledged', 'cleared']);
    expect(transitions[2]!.alert).toMatchObject({ state: 'cleared', acknowledgedBy: 'alice', clearedBy: null, clearValue: 25 });
    expect(() => engine.acknowledge(id, 'bob')).toThrow(expect.objectContaining({ code: 'alert_cleared' }));
  });

  it('manual clear: emits cleared once, to the rule too, and a condition that still holds raises again', () => {
    const run = start(thresholdRule());
    run.evaluate(post(31));
    clock.advance(MINUTE);
    const id = transitions[0]!.alert.id;

    const cleared = engine.clear(id, 'bob');
    expect(cleared).toMatchObject({ state: 'cleared', clearedBy: 'bob', clearValue: null });
    expect(() => engine.clear(id, 'carol')).toThrow(ApiError);
    run.evaluate(post(20));
    expect(kinds()).toEqual(['raised', 'cleared']);
    expect(run.heard.map((t) => t.transition)).toEqual(['raised', 'cleared']);

    run.evaluate(post(33));
    clock.advance(MINUTE);
    expect(kinds()).toEqual(['raised', 'cleared', 'raised']);
    expect(transitions[2]!.alert.id).not.toBe(id);
  });

  it('answer 404 for an alert that does not exist', () => {
    expect(() => engine.clear(999, 'bob')).toThrow(expect.objectContaining({ status: 404 }));
  });
});

describe('restarts and redeploys', () => {
  it('keep open alerts: a restarted rule clears the alert it raised before', () => {
    const first = start(thresholdRule({ forMs: 0 }));
    first.evaluate(post(31));
    engine.close();

    const restarted = newEngine(db);
    restarted.subscribe((t) => transitions.push(t));
    const run = start(thresholdRule({ forMs: 0 }), restarted);
    expect(run.openCounts()).toEqual({ active: 1, acknowledged: 0 });
    run.evaluate(post(31));
    run.evaluate(post(20));
    expect(kinds()).toEqual(['raised', 'cleared']);
    restarted.close();
  });

  it('drop pending durations: the condition re-arms on the next message', () => {
    const first = start(thresholdRule());
    first.evaluate(post(31));
    const replaced = start(thresholdRule());
    clock.advance(10 * MINUTE);
    expect(transitions).toEqual([]);
    expect(first.heard).toEqual([]);

    replaced.evaluate(post(31));
    clock.advance(MINUTE);
    expect(kinds()).toEqual(['raised']);
    expect(first.heard).toEqual([]);
    expect(replaced.heard.map((t) => t.transition)).toEqual(['raised']);
  });
});

describe('messages and listeners', () => {
  it('fill the rule\'s template, leaving unknown placeholders as written', () => {
    start(thresholdRule({ forMs: 0, messageTemplate: '{{rule}}: {{device}} {{property}}={{value}} ({{condition}}, {{severity}}) {{nope}}' }))
      .evaluate(post(31.5));
    expect(transitions[0]!.alert.message).toBe('Hot hall: hall temperature=31.5 (> 30, critical) {{nope}}');
  });

  it('keep going when a listener throws', () => {
    engine.subscribe(() => {
      throw new Error('listener bug');
    });
    const run = start(thresholdRule({ forMs: 0 }));
    run.evaluate(post(31));
    expect(kinds()).toEqual(['raised']);
    expect(run.heard).toHaveLength(1);
  });

  it('list alerts newest first with filters and paging', () => {
    const run = start(thresholdRule({ forMs: 0, severity: 'warning' }));
    for (const device of ['a', 'b', 'c']) run.evaluate(post(31, clock.now(), device));
    engine.acknowledge(transitions[1]!.alert.id, 'alice');
    run.evaluate(post(20, clock.now(), 'c'));

    expect(engine.list({}, { limit: 2, offset: 0 })).toMatchObject({ total: 3, limit: 2, offset: 0, items: [{ deviceName: 'c' }, { deviceName: 'b' }] });
    expect(engine.list({ state: 'open' }, { limit: 50, offset: 0 }).items.map((a) => a.deviceName)).toEqual(['b', 'a']);
    expect(engine.list({ state: 'acknowledged' }, { limit: 50, offset: 0 }).items.map((a) => a.deviceName)).toEqual(['b']);
    expect(engine.list({ deviceName: 'a', productKey: 'thermo', ruleId: 'rule-1', severity: 'warning' }, { limit: 50, offset: 0 }).total).toBe(1);
    expect(engine.list({ severity: 'critical' }, { limit: 50, offset: 0 }).total).toBe(0);
  });
});
