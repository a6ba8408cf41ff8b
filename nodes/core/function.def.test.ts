import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFlowNodeConfig } from '../definitions.ts';
import {
  change, changeLabel, delay, delayLabel, exec, execLabel, exportChangeRule, exportSwitchRule, functionNode, functionNodes, range, rangeLabel, rbe,
  rbeLabel, switchNode, switchOutputLabel, template, trigger, triggerLabel, typedProblem,
} from './function.def.ts';

/** A node with its definition's defaults, as Node-RED's editor creates it. */
const defaults = (definition: { config: { properties: Record<string, unknown> } }) =>
  Object.fromEntries(Object.entries(definition.config.properties).map(([k, s]) => [k, (s as { default?: unknown }).default]));

const problems = (type: string, node: Record<string, unknown>) => checkFlowNodeConfig({ id: 'n1', type, ...node }).map((p) => `${p.path}: ${p.message}`);

describe('the function category, as Node-RED 4.1 declares it', () => {
  it('lists its nodes in Node-RED palette order, with its defaults, ports, colours and icons', () => {
    expect(functionNodes.map((d) => d.paletteLabel ?? d.label)).toEqual(['function', 'switch', 'change', 'range', 'template', 'delay', 'trigger', 'exec', 'filter']);
    expect(defaults(functionNode)).toEqual({ name: '_DEFAULT_', func: '\nreturn msg;', outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [] });
    expect(defaults(trigger)).toMatchObject({ op1: '1', op2: '0', op1type: 'val', op2type: 'val', duration: '250', extend: 'false', overrideDelay: 'false', outputs: 1 });
    expect(defaults(exec)).toEqual({ command: '', addpay: '', append: '', useSpawn: 'false', timer: '', winHide: false, oldrc: false, name: '' });
    expect(defaults(rbe)).toEqual({ name: '', func: 'rbe', gap: '', start: '', inout: 'out', septopics: true, property: 'payload', topi: 'topic' });
    expect(defaults(range)).toEqual({ minin: '', maxin: '', minout: '', maxout: '', action: 'scale', round: false, property: 'payload', name: '' });
    expect(defaults(change)).toMatchObject({ action: '', property: '', from: '', to: '', reg: false });
    expect([exec.outputs, exec.outputLabels, exec.color, exec.icon]).toEqual([3, ['stdout', 'stderr', 'return code'], 'darksalmon', 'cog.svg']);
    expect([rbe.icon, range.icon, template.color]).toEqual(['rbe.svg', 'range.svg', 'rgb(243, 181, 103)']);
  });
});

describe('labels, as Node-RED draws unnamed nodes', () => {
  it('names a change node after its one rule, or counts its rules', () => {
    expect(changeLabel({ rules: [{ t: 'set', p: 'payload', pt: 'msg' }] })).toBe('set msg.payload');
    expect(changeLabel({ rules: [{ t: 'move', p: '#:(file)::count', pt: 'flow' }] })).toBe('move flow.count');
    expect(changeLabel({ rules: [{ t: 'delete', p: 'x' }] })).toBe('delete msg.x');
    expect(changeLabel({ rules: [{}, {}, {}] })).toBe('change: 3 rules');
    expect(changeLabel({ action: 'replace', property: 'topic' })).toBe('set msg.topic');
  });

  it('shows a delay, a rate, a trigger duration, a range, a command and a filter mode', () => {
    expect(delayLabel(defaults(delay))).toBe('delay 5s');
    expect(delayLabel({ pauseType: 'delay', timeout: '200', timeoutUnits: 'milliseconds' })).toBe('delay 200ms');
    expect(delayLabel({ pauseType: 'delayv' })).toBe('variable');
    expect(delayLabel({ pauseType: 'random' })).toBe('random');
    expect(delayLabel({ pauseType: 'rate', rate: '1', nbRateUnits: '1', rateUnits: 'minute' })).toBe('limit 1 msg/m');
    expect(delayLabel({ pauseType: 'timed', rate: '2', nbRateUnits: '5', rateUnits: 'second' })).toBe('limit topic 2 msg/5s');
    expect(triggerLabel(defaults(trigger))).toBe('trigger 250ms');
    expect(triggerLabel({ duration: '-2', units: 's' })).toBe('resend every 2s');
    expect(triggerLabel({ duration: '0', units: 'ms' })).toBe('trigger & block');
    expect(rangeLabel({ minout: '0', maxout: '255' })).toBe('0 - 255');
    expect(rangeLabel({ minout: '', maxout: '255' })).toBeUndefined();
    expect(execLabel({ command: 'ls -l', useSpawn: 'false' })).toBe('ls -l');
    expect(execLabel({ command: '', useSpawn: 'true' })).toBe('spawn');
    expect(execLabel({ command: '', useSpawn: 'false' })).toBe('exec');
    expect(['rbe', 'rbei', 'deadbandEq', 'narrowband'].map((func) => rbeLabel({ func }))).toEqual(['filter', 'filter', 'deadband', 'narrowband']);
  });

  it('labels switch outputs by their rules', () => {
    expect(switchOutputLabel({ t: 'eq', v: 'on', vt: 'str' })).toBe('== "on"');
    expect(switchOutputLabel({ t: 'btwn', v: '1', vt: 'num', v2: 'limit', v2t: 'flow' })).toBe('is between 1 & flow.limit');
    expect(switchOutputLabel({ t: 'else' })).toBe('otherwise');
    expect(switchOutputLabel({ t: 'regex', v: 'a-very-long-pattern-here', vt: 'str' })).toBe('matches regex "a-very-long-pat..."');
    expect(switchNode.outputLabelsOf!({ rules: [{ t: 'lt', v: '10', vt: 'num' }, null, { t: 'else' }] })).toEqual(['< 10', ' ', 'otherwise']);
    expect(range.outputLabelsOf!({ minout: '0', maxout: '1', action: 'clamp' })).toEqual(['[0 - 1]']);
  });
});

describe('rules, as Node-RED’s editor writes them', () => {
  it('keeps only the properties of the operator or action', () => {
    expect(exportSwitchRule({ t: 'else', v: 'x', vt: 'str' })).toEqual({ t: 'else' });
    expect(exportSwitchRule({ t: 'regex', v: '^a', vt: 'str' })).toEqual({ t: 'regex', v: '^a', vt: 'str', case: false });
    expect(exportSwitchRule({ t: 'istype', vt: 'number' })).toEqual({ t: 'istype', v: 'number', vt: 'number' });
    expect(exportSwitchRule({ t: 'btwn', v: '1', vt: 'num' })).toEqual({ t: 'btwn', v: '1', vt: 'num', v2: '', v2t: 'num' });
    expect(exportChangeRule({ t: 'delete', p: 'x', pt: 'msg', to: 'y', tot: 'str' })).toEqual({ t: 'delete', p: 'x', pt: 'msg' });
    expect(exportChangeRule({ t: 'set', p: 'a', pt: 'msg', to: 'b', tot: 'msg', dc: false })).toEqual({ t: 'set', p: 'a', pt: 'msg', to: 'b', tot: 'msg' });
    expect(exportChangeRule({ t: 'move', p: 'a', pt: 'msg', to: 'b', tot: 'str' })).toEqual({ t: 'move', p: 'a', pt: 'msg', to: 'b', tot: 'msg' });
  });
});

describe('checks, as Node-RED’s editor validators make them', () => {
  it('judges typed values as Node-RED does: a blank number passes, other types are left alone', () => {
    expect(typedProblem('num', '')).toBeNull();
    expect(typedProblem('num', 'ten')?.message).toMatch(/not a number/);
    expect(typedProblem('json', '{')?.message).toMatch(/JSON/);
    expect(typedProblem('msg', 'a..b')?.message).toMatch(/empty name/);
    expect(typedProblem('bin', 'not bytes')).toBeNull();
    expect(typedProblem('num', '${LIMIT}')).toBeNull();
  });

  it('finds nothing wrong in a node with its defaults, except a range, which Node-RED too wants filled', () => {
    for (const definition of functionNodes) {
      const found = problems(definition.type, defaults(definition));
      if (definition.type === 'range') expect(found).toHaveLength(4);
      else expect(found, definition.type).toEqual([]);
    }
  });

  it('points at the rule and value at fault', () => {
    expect(problems('switch', { ...defaults(switchNode), rules: [{ t: 'eq', v: '1', vt: 'num' }, { t: 'gt', v: 'x', vt: 'num' }] })).toEqual(['/rules/1/v: rule 2: "x" is not a number']);
    expect(problems('switch', { ...defaults(switchNode), rules: [{ t: 'regex', v: '(', vt: 'str' }] })[0]).toMatch(/^\/rules\/0\/v: rule 1: not a valid regular expression/);
    expect(problems('change', { ...defaults(change), rules: [{ t: 'set', p: 'a b', pt: 'msg', to: '{', tot: 'json' }] })).toEqual([
      '/rules/0/p: rule 1: msg.a b: spaces need brackets: a["b c"]',
      expect.stringMatching(/^\/rules\/0\/to: rule 1: not valid JSON/),
    ]);
    expect(problems('delay', { ...defaults(delay), timeout: '-1' })).toEqual(['/timeout: Invalid delay value']);
    expect(problems('trigger', { ...defaults(trigger), op1: '{', op1type: 'json' })[0]).toMatch(/^\/op1: Send: not valid JSON/);
    expect(problems('rbe', { ...defaults(rbe), gap: '5 %' })).toEqual(['/gap: value change: a number, or a percentage (10%)']);
    expect(problems('function', { ...defaults(functionNode), noerr: 2, libs: [{ var: 'RED', module: 'x' }, { var: 'my lib', module: '' }] })).toEqual([
      '/noerr: Error in JavaScript code',
      '/libs/0/var: Reserved variable name: RED',
      '/libs/1/var: Invalid module variable name: my lib',
      '/libs/1/module: Module name is empty',
    ]);
    expect(problems('range', { ...defaults(range), minin: '0', maxin: '10', minout: 'a', maxout: '1' })).toEqual(['/minout: target from: not a number']);
  });

  it('accepts every form Node-RED itself stores: numbers as text, flags as text, legacy change nodes', () => {
    expect(problems('function', { ...defaults(functionNode), outputs: '2', timeout: '5' })).toEqual([]);
    expect(problems('trigger', { ...defaults(trigger), duration: -250, extend: true, op1type: 'pay', op2type: 'payl', outputs: 2 })).toEqual([]);
    expect(problems('switch', { ...defaults(switchNode), checkall: 'false', outputs: 3, rules: [{ t: 'istype', v: 'number', vt: 'number' }, { t: 'else' }, { t: 'eq', v: '', vt: 'prev' }] })).toEqual([]);
    expect(problems('exec', { ...defaults(exec), addpay: true, useSpawn: true, timer: '3' })).toEqual([]);
    expect(problems('change', { name: '', action: 'replace', property: 'payload', from: '', to: 'x', reg: false })).toEqual([]);
  });

  it('keeps the shipped flows clean', () => {
    const flows = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../flows/device-pipeline.json'), 'utf8')) as { id: string; type: string }[];
    const ours = new Set(functionNodes.map((d) => d.type));
    const checked = flows.filter((n) => ours.has(n.type));
    expect(checked.length).toBeGreaterThan(0);
    for (const node of checked) expect(checkFlowNodeConfig(node), node.id).toEqual([]);
  });
});
