import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AlertEngine } from '../../server/alerts/alert-engine.ts';
import type { AlertTransition } from '../../domain/alerts/alert-service.ts';
import type { Alert } from '../../domain/alerts/alert-schemas.ts';
import { AlertStore } from '../../server/alerts/alert-store.ts';
import { ManualAlertClock } from '../../server/testing/manual-alert-clock.ts';
import { until } from '../../server/testing/until.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { SqliteSql } from '../../server/db/sql.ts';
import { nodeSchemaAjv, validateNodeConfig } from '../kit/config-validator.ts';
import { nodeHtml } from '../kit/node-html.ts';
import type { NodeMessage, NodeStatus } from '../kit/node-red-api.ts';
import {
  messagesTo,
  nextMessage,
  nodeTestHelper,
  onTab,
  settled,
  statusesOf,
  testServices,
  type NodeTestHelper,
} from '../kit/node-test-harness.ts';
import { registerNodes } from '../kit/register-nodes.ts';
import type { ThingMeta } from '../kit/thing-flow-message.ts';
import { alert } from './alert.def.ts';
import { alertNode } from './alert.runtime.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

type Output = { payload: { transition: 'raised' | 'cleared'; alert: Alert }; topic: string };

let helper: NodeTestHelper;
let dir: string;
let db: Db;
let clock: ManualAlertClock;
let engine: AlertEngine;
const register = (RED: unknown) => registerNodes(RED, [alertNode]);

beforeAll(() => {
  helper = nodeTestHelper();
});
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-alert-node-'));
  db = openDatabase(path.join(dir, 'thingwire.db'));
  clock = new ManualAlertClock();
  engine = new AlertEngine(new AlertStore(new SqliteSql(db)), {
    logger: pino({ level: 'silent' }), clock, eventTypeOf: (_p, eventId) => (eventId === 'overheat' ? 'alert' : undefined),
  });
});
afterEach(async () => {
  await helper.unload();
  await engine.close();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const hotHall = { trigger: 'threshold', property: 'temperature', operator: '>', value: 30, clearOperator: '<', clearValue: 28 };

/** alert → out, plus a catch node; `withAlerts: false` leaves the alert service out of the settings. */
async function load(config: Record<string, unknown>, options: { withAlerts?: boolean } = {}) {
  const services: Record<string, unknown> = { ...testServices(), alerts: engine };
  // As a stock Node-RED settings file might build them: without the alert service (whatever the harness provides).
  if (options.withAlerts === false) delete services['alerts'];
  helper.settings({ thingwire: { services, registerNodes: register } });
  await helper.load(register, onTab([
    { id: 'rule', type: 'alert', name: 'Hot hall', ...config, wires: [['out']] },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ]));
}

function thing(kind: ThingMeta['kind'], extra: Partial<ThingMeta> = {}): ThingMeta {
  return { id: '1', productKey: 'thermo', deviceName: 'hall', kind, receivedAt: clock.now(), protocol: 'mqtt', dialect: 'alink', ack: false, ...extra };
}

/** A property post as thing-validate passes it on. */
function temperature(value: number, deviceName = 'hall'): NodeMessage {
  const at = clock.now();
  return { payload: { temperature: value }, thing: thing('property.post', { deviceName, receivedAt: at, values: [{ identifier: 'temperature', value, time: at }] }) };
}

const send = (message: NodeMessage) => helper.getNode('rule').receive(message);

/** The next status the node sets that satisfies `wanted` (statuses are throttled, so this may take a second). */
function statusWhere(wanted: (status: NodeStatus) => boolean, timeoutMs = 3000): Promise<NodeStatus> {
  const node = helper.getNode('rule') as unknown as { status: (status: NodeStatus) => void };
  const spy = node.status;
  const already = statusesOf(helper, 'rule').at(-1);
  if (already && wanted(already)) return Promise.resolve(already);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      node.status = spy;
      reject(new Error(`no matching status within ${timeoutMs} ms; last: ${JSON.stringify(statusesOf(helper, 'rule').at(-1))}`));
    }, timeoutMs);
    node.status = function (this: unknown, status: NodeStatus) {
      spy.call(this, status);
      if (!wanted(status)) return;
      clearTimeout(timer);
      node.status = spy;
      resolve(status);
    };
  });
}

describe('alert node', () => {
  it('emits raised once and cleared once, never per message', async () => {
    await load({ ...hotHall, severity: 'critical' });
    const out = messagesTo(helper, 'out');
    const raised = nextMessage(helper, 'out');
    send(temperature(31));
    send(temperature(32));
    send(temperature(29));
    const first = (await raised) as Output;
    expect(first.payload).toMatchObject({
      transition: 'raised',
      alert: { ruleId: 'rule', ruleName: 'Hot hall', severity: 'critical', state: 'active', deviceName: 'hall', value: 31 },
    });
    expect(first.topic).toBe('thermo/hall');

    const cleared = nextMessage(helper, 'out');
    send(temperature(27));
    send(temperature(26));
    expect(((await cleared) as Output).payload).toMatchObject({ transition: 'cleared', alert: { id: first.payload.alert.id, state: 'cleared', clearValue: 27 } });
    await settled();
    expect(out.map((m) => (m as Output).payload.transition)).toEqual(['raised', 'cleared']);
  });

  it('sends one raised for 1000 messages that all meet the condition', async () => {
    await load({ ...hotHall });
    const out = messagesTo(helper, 'out');
    const raised = nextMessage(helper, 'out');
    for (let i = 0; i < 1000; i++) send(temperature(31 + (i % 5)));
    await raised;
    await settled();
    await settled();
    expect(out).toHaveLength(1);
    expect(db.prepare('SELECT count(*) FROM alerts').pluck().get()).toBe(1);
  });

  it('raises from its timer when the condition has held for the duration', async () => {
    await load({ ...hotHall, forSeconds: 60 });
    const out = messagesTo(helper, 'out');
    send(temperature(31));
    clock.advance(59 * SECOND);
    await settled();
    expect(out).toEqual([]);
    const raised = nextMessage(helper, 'out');
    clock.advance(SECOND);
    expect(((await raised) as Output).payload.alert.message).toBe('temperature 31 (> 30 for 60 s)');
  });

  it('sends nothing when an operator acknowledges, and cleared when an operator clears', async () => {
    await load({ ...hotHall });
    const out = messagesTo(helper, 'out');
    const raised = nextMessage(helper, 'out');
    send(temperature(31));
    const { alert: raisedAlert } = ((await raised) as Output).payload;

    await engine.acknowledge(raisedAlert.id, 'alice');
    expect(await statusWhere((s) => s.text === '0 active, 1 acknowledged')).toEqual({ fill: 'yellow', shape: 'dot', text: '0 active, 1 acknowledged' });
    await settled();
    expect(out).toHaveLength(1);

    const cleared = nextMessage(helper, 'out');
    await engine.clear(raisedAlert.id, 'bob');
    expect(((await cleared) as Output).payload).toMatchObject({ transition: 'cleared', alert: { clearedBy: 'bob', acknowledgedBy: 'alice' } });
    send(temperature(20));
    await settled();
    expect(out.map((m) => (m as Output).payload.transition)).toEqual(['raised', 'cleared']);
  });

  it('shows how many alerts of its rule are active', async () => {
    await load({ ...hotHall });
    expect(statusesOf(helper, 'rule')).toEqual([{ fill: 'green', shape: 'dot', text: '0 active' }]);
    send(temperature(31, 'hall'));
    send(temperature(31, 'porch'));
    expect(await statusWhere((s) => s.text === '2 active')).toEqual({ fill: 'red', shape: 'dot', text: '2 active' });
  });

  it('picks up the open alerts of its rule after a redeploy', async () => {
    await load({ ...hotHall });
    const raised = nextMessage(helper, 'out');
    send(temperature(31));
    await raised;
    await helper.unload();

    await load({ ...hotHall });
    expect(await until('the rule\'s status', () => statusesOf(helper, 'rule'), (s) => s.length > 0)).toEqual([{ fill: 'red', shape: 'dot', text: '1 active' }]);
    const cleared = nextMessage(helper, 'out');
    send(temperature(20));
    expect(((await cleared) as Output).payload.transition).toBe('cleared');
  });

  it('raises an offline alert after the configured minutes and clears it when the device is back', async () => {
    await load({ trigger: 'offline', offlineMinutes: 5, severity: 'info' });
    send({ payload: { status: 'offline', reason: 'keepalive-timeout' }, thing: thing('state') });
    const raised = nextMessage(helper, 'out');
    clock.advance(5 * MINUTE);
    expect(((await raised) as Output).payload.alert).toMatchObject({ kind: 'offline', severity: 'info', message: 'offline for more than 5 min (keepalive-timeout)' });
    const cleared = nextMessage(helper, 'out');
    send({ payload: { status: 'online' }, thing: thing('state') });
    expect(((await cleared) as Output).payload.transition).toBe('cleared');
  });

  it('raises on an event of type alert when no event is named, with the message template', async () => {
    await load({ trigger: 'event', event: '', eventType: 'alert', message: '{{device}}: {{event}} ({{eventType}}) {{value}}' });
    const out = messagesTo(helper, 'out');
    const raised = nextMessage(helper, 'out');
    send({ payload: { temp: 3 }, thing: thing('event.post', { eventId: 'door' }) });
    send({ payload: { temp: 91 }, thing: thing('event.post', { eventId: 'overheat' }) });
    expect(((await raised) as Output).payload.alert.message).toBe('hall: overheat (alert) {"temp":91}');
    await settled();
    expect(out).toHaveLength(1);
  });

  it('fails a message that is not a device message to the catch node', async () => {
    await load({ ...hotHall });
    const caught = nextMessage(helper, 'caught');
    send({ payload: { temperature: 99 } });
    expect(((await caught)['error'] as { message: string }).message).toContain('not a device message');
  });

  describe('with an invalid config', () => {
    it('a threshold without a property: red status, inert, every input failed to the catch node', async () => {
      await load({ trigger: 'threshold', property: '' });
      expect(statusesOf(helper, 'rule')).toEqual([{ fill: 'red', shape: 'ring', text: 'invalid config: Property is required' }]);
      const out = messagesTo(helper, 'out');
      const caught = nextMessage(helper, 'caught');
      send(temperature(99));
      expect(((await caught)['error'] as { message: string }).message).toContain('invalid config');
      await settled();
      expect(out).toEqual([]);
      expect(db.prepare('SELECT count(*) FROM alerts').pluck().get()).toBe(0);
    });

    it('an unknown severity: red status', async () => {
      await load({ ...hotHall, severity: 'apocalyptic' });
      expect(statusesOf(helper, 'rule')[0]).toMatchObject({ fill: 'red', shape: 'ring', text: expect.stringContaining('Severity must be one of') });
    });

    it('a range with its low end above its high end: red status, inert', async () => {
      await load({ ...hotHall, operator: 'between', low: 30, high: 20 });
      expect(statusesOf(helper, 'rule')).toEqual([
        { fill: 'red', shape: 'ring', text: 'failed to start: raise condition: low 30 is above high 20' },
      ]);
      const caught = nextMessage(helper, 'caught');
      send(temperature(25));
      await caught;
      expect(db.prepare('SELECT count(*) FROM alerts').pluck().get()).toBe(0);
    });

    it('no alert service in the settings: red status', async () => {
      await load({ ...hotHall }, { withAlerts: false });
      expect(statusesOf(helper, 'rule')).toEqual([
        { fill: 'red', shape: 'ring', text: 'failed to start: alert service not available (settings.thingwire.services.alerts)' },
      ]);
    });
  });

  it('stops emitting once its flow is stopped', async () => {
    await load({ ...hotHall, forSeconds: 60 });
    send(temperature(31));
    const heard: AlertTransition[] = [];
    engine.subscribe((t) => heard.push(t));
    await helper.unload();
    clock.advance(MINUTE);
    expect(heard).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });
});

// The palette contract (nodes/kit/node-definitions.test.ts) runs over nodes/definitions.ts; until this node is listed
// there, the same checks run here.
describe('alert definition', () => {
  it('compiles strictly, needs nothing filled in by default, and generates its Node-RED form', () => {
    expect(() => nodeSchemaAjv.compile(alert.config)).not.toThrow();
    expect(validateNodeConfig(alert, { id: 'n1', type: 'alert' })).toMatchObject({
      ok: true, config: { trigger: 'offline', offlineMinutes: 5, severity: 'warning', product: '' },
    });
    const html = nodeHtml([alert]);
    expect(html).toContain("RED.nodes.registerType('alert'");
    for (const name of Object.keys(alert.config.properties)) expect(html).toContain(`id="node-input-${name}"`);
  });

  it('names what a threshold rule is missing, as the deploy check reports it', () => {
    const result = validateNodeConfig(alert, { id: 'n1', type: 'alert', trigger: 'threshold' });
    // One problem, at the field: not also the if/then's own "must match then schema".
    expect(result.ok ? [] : result.problems).toMatchObject([{ path: '/property', message: 'Property is required' }]);
    expect(validateNodeConfig(alert, { id: 'n1', type: 'alert', trigger: 'event' }).ok).toBe(true);
  });
});
