import { describe, expect, it } from 'vitest';
import type { FlowNode } from '../../domain/flows/flow-json.ts';
import { alertRuleSummaries } from './alert-rules.ts';

const rule = (id: string, z: string, config: Record<string, unknown>): FlowNode => ({ id, type: 'alert', z, wires: [[]], ...config }) as FlowNode;

const flows: FlowNode[] = [
  { id: 'tab-a', type: 'tab', label: 'Devices' } as FlowNode,
  { id: 'tab-off', type: 'tab', label: 'Parked', disabled: true } as FlowNode,
  { id: 'sf', type: 'subflow', name: 'Per site' } as FlowNode,
  rule('hot', 'tab-a', { name: 'Too hot', severity: 'critical', product: 'a1Sensor', trigger: 'threshold', property: 'temperature', operator: '>', value: 30, forSeconds: 10, clearOperator: '<', clearValue: 28 }),
  rule('gone', 'tab-a', { name: '', trigger: 'offline', offlineMinutes: 15, d: true }),
  rule('parked', 'tab-off', { trigger: 'event', event: 'overheat', clearEvent: 'cooled' }),
  rule('site', 'sf', { trigger: 'event', eventType: 'error' }),
  rule('broken', 'tab-a', { name: 'Half done', trigger: 'threshold', property: '' }),
  { id: 'fn', type: 'function', z: 'tab-a' } as FlowNode,
];

describe('the alert rules of the deployed flows', () => {
  const summaries = alertRuleSummaries(flows, {
    // `site` runs once per instance of its subflow.
    runningRuleIds: ['hot', 'inst1-site', 'inst2-site'],
    openCountsByRule: new Map([['hot', { active: 2, acknowledged: 1 }], ['inst1-site', { active: 1, acknowledged: 0 }], ['inst2-site', { active: 0, acknowledged: 1 }]]),
  });
  const byId = new Map(summaries.map((s) => [s.nodeId, s]));

  it('lists every alert node with its flow, trigger as data, and its open alerts', () => {
    expect(summaries.map((s) => s.nodeId)).toEqual(['hot', 'gone', 'parked', 'site', 'broken']);
    expect(byId.get('hot')).toEqual({
      nodeId: 'hot', name: 'Too hot', flow: { id: 'tab-a', label: 'Devices', kind: 'tab' }, severity: 'critical', productKey: 'a1Sensor',
      trigger: { kind: 'threshold', property: 'temperature', raise: { operator: '>', value: 30 }, forSeconds: 10, clear: { operator: '<', value: 28 } },
      state: 'running', open: { active: 2, acknowledged: 1 },
    });
    // The node's defaults fill what the file leaves out.
    expect(byId.get('gone')).toMatchObject({ severity: 'warning', productKey: '', trigger: { kind: 'offline', offlineMinutes: 15 }, open: { active: 0, acknowledged: 0 } });
  });

  it('says which rules run: a disabled node or flow is disabled; a subflow\'s rule runs per instance, its alerts summed', () => {
    expect(byId.get('gone')!.state).toBe('disabled');
    expect(byId.get('parked')).toMatchObject({ state: 'disabled', trigger: { kind: 'event', eventId: 'overheat', eventType: 'alert-or-error', clearEventId: 'cooled' } });
    expect(byId.get('site')).toMatchObject({ flow: { id: 'sf', label: 'Per site', kind: 'subflow' }, state: 'running', open: { active: 1, acknowledged: 1 } });
  });

  it('shows a rule whose configuration cannot run as stopped, with why', () => {
    expect(byId.get('broken')).toMatchObject({ name: 'Half done', state: 'stopped', trigger: null, problem: expect.stringMatching(/property/i) });
  });
});
