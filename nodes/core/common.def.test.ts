import { describe, expect, it } from 'vitest';
import { catchNode, complete, debug, debugLabel, inject, injectLabel, injectOutputLabel, injectProblems, linkIn, linkCall, linkCallLabel, linkOut, scopeLabel, status } from './common.def.ts';

describe('common core node labels, as Node-RED draws unnamed nodes', () => {
  it('labels an inject node by its payload and topic, marked ¹ when it fires once and ↻ when it repeats', () => {
    expect(injectLabel({ payload: '', payloadType: 'date', topic: '' })).toBe('timestamp');
    expect(injectLabel({ payload: '42', payloadType: 'num', topic: 'sensors', once: true })).toBe('sensors:42 ¹');
    expect(injectLabel({ payload: '', payloadType: 'date', topic: 'tick', repeat: '5', once: true })).toBe('tick:timestamp\t↻');
    expect(injectLabel({ payload: '', payloadType: 'date', topic: '', crontab: '30 07 * * 1,3,5' })).toBe('timestamp\t↻');
    expect(injectLabel({ payload: 'x'.repeat(30), payloadType: 'str', topic: '' })).toBe('inject');
    expect(injectLabel({ payload: '#:(file)::level', payloadType: 'flow' })).toBe('flow.level');
    expect(injectLabel({ payload: 'HOME', payloadType: 'env', topic: 'a-very-long-topic-name' })).toBe('env variable');
    expect(injectLabel({ payload: 'payload', payloadType: 'msg' })).toBe('inject');
    // A repeat of "0" is no repeat.
    expect(injectLabel({ payload: '', payloadType: 'date', repeat: '0' })).toBe('timestamp');
  });

  it('labels a debug node by what it shows, marked ⇲ when it also logs to the console', () => {
    expect(debugLabel({ complete: 'false' })).toBe('msg.payload');
    expect(debugLabel({ complete: 'temperature', targetType: 'msg' })).toBe('msg.temperature');
    expect(debugLabel({ complete: 'true', targetType: 'full', console: true })).toBe('msg\t⇲');
    expect(debugLabel({ complete: true })).toBe('msg');
    expect(debugLabel({ complete: '$count(payload)', targetType: 'jsonata' })).toBe('JSONata');
  });

  it('labels an inject output by its properties and their types, and a link in output by its name', () => {
    expect(injectOutputLabel({ props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }], payloadType: 'date' })).toBe('payload: timestamp\ntopic: string');
    expect(injectOutputLabel({ props: [{ p: 'payload' }], payload: '[1]', payloadType: 'json' })).toBe('payload: array');
    expect(injectOutputLabel({ props: [{ p: 'a', v: '{', vt: 'json' }] })).toBe('a: Invalid JSON Object');
    expect(injectOutputLabel({ props: Array.from({ length: 7 }, (_, i) => ({ p: `p${i}`, v: '1', vt: 'num' })) }).split('\n')).toHaveLength(6);
    expect(injectOutputLabel({ payload: 'x', payloadType: 'str', topic: 't' })).toBe('payload: string\ntopic: string');
    expect(inject.outputLabelsOf?.({ props: [{ p: 'payload' }], payloadType: 'num' })).toEqual(['payload: number']);
    expect(linkIn.outputLabelsOf?.({ name: 'answers' })).toEqual(['answers']);
  });

  it('labels catch, status, complete and link nodes as Node-RED does', () => {
    expect(scopeLabel('catch', { scope: null })).toBe('catch: all');
    expect(scopeLabel('catch', { scope: null, uncaught: true })).toBe('catch: uncaught');
    expect(scopeLabel('catch', { scope: 'group' })).toBe('catch: group');
    expect(scopeLabel('status', { scope: ['a', 'b'] })).toBe('status: 2');
    expect(complete.labelOf?.({ scope: ['a'] })).toBe('complete: 1');
    expect(linkCallLabel({ linkType: 'dynamic', links: [] })).toBe('Dynamic');
    expect(linkCallLabel({ linkType: 'static', links: [] })).toBe('none');
    expect(linkCallLabel({ linkType: 'static', links: ['a'] })).toBe('link call');
    expect(linkCallLabel({ linkType: 'static', links: ['a'] }, (id) => (id === 'a' ? { name: 'answers' } : undefined))).toBe('answers');
    expect(linkOut.iconOf?.({ mode: 'return' })).toBe('link-return.svg');
    expect(linkOut.iconOf?.({ mode: 'link' })).toBeUndefined();
    expect(linkOut.labelOf?.({ mode: 'return' })).toBe('link return');
    expect(linkOut.labelOf?.({ mode: 'link' })).toBe('link out');
  });
});

describe('common core node checks, as Node-RED validates them', () => {
  it('passes the inject nodes Node-RED writes, legacy ones included', () => {
    expect(injectProblems({ props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }], payload: '', payloadType: 'date', repeat: '', onceDelay: 0.1 })).toEqual([]);
    expect(injectProblems({ props: [{ p: 'payload' }], payload: '{"a":1}', payloadType: 'json', repeat: 120, onceDelay: '0.5' })).toEqual([]);
    // Node-RED 1.x nodes: no props at all.
    expect(injectProblems({ payload: '', payloadType: 'date', topic: '', repeat: '', crontab: '', once: false })).toEqual([]);
    expect(injectProblems({ props: [{ p: 'level', v: '${LEVEL}', vt: 'num' }], repeat: '' })).toEqual([]);
  });

  it('marks inject property values that do not parse, nameless properties and a repeat out of range', () => {
    const problems = injectProblems({
      props: [{ p: 'payload' }, { p: 'count', v: 'ten', vt: 'num' }, { p: '', v: 'x', vt: 'str' }, { p: 'body', v: '{oops', vt: 'json' }],
      payload: 'a b', payloadType: 'msg', repeat: '9999999', onceDelay: 'soon',
    });
    expect(problems.map((p) => p.path)).toEqual(['/props/1/v', '/props/2/p', '/props/3/v', '/payload', '/repeat', '/onceDelay']);
    expect(problems[0]?.message).toContain('msg.count');
  });

  it('marks a debug output that is not a property path and an empty expression', () => {
    expect(debug.check?.({ complete: 'a b', targetType: 'msg' })).toHaveLength(1);
    expect(debug.check?.({ complete: '', targetType: 'jsonata' })).toHaveLength(1);
    expect(debug.check?.({ complete: 'true', targetType: 'full', tostatus: true, statusType: 'auto', statusVal: 'payload' })).toEqual([]);
    expect(debug.check?.({ complete: false })).toEqual([]);
  });

  it('asks a complete node for its nodes and a fixed link call for its target', () => {
    expect(complete.check?.({ scope: [] })).toEqual([expect.objectContaining({ path: '/scope' })]);
    expect(linkCall.check?.({ linkType: 'static', links: [], timeout: '30' })).toEqual([expect.objectContaining({ path: '/links' })]);
    expect(linkCall.check?.({ linkType: 'dynamic', links: [], timeout: '' })).toEqual([]);
    expect(linkCall.check?.({ linkType: 'static', links: ['a'], timeout: 'soon' })).toEqual([expect.objectContaining({ path: '/timeout' })]);
  });
});

describe('common core node definitions', () => {
  it('have Node-RED\'s defaults, ports and palette order', () => {
    const defaults = (d: { config: { properties: Record<string, { default?: unknown }> } }) =>
      Object.fromEntries(Object.entries(d.config.properties).filter(([, s]) => 'default' in s).map(([k, s]) => [k, s.default]));
    expect(defaults(inject)).toMatchObject({
      name: '', props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }], repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '',
    });
    expect(defaults(debug)).toEqual({
      name: '_DEFAULT_', active: true, tosidebar: true, console: false, tostatus: false, complete: 'false', statusVal: '', statusType: 'auto',
    });
    expect(defaults(linkCall)).toEqual({ name: '', links: [], linkType: 'static', timeout: '30' });
    expect(defaults(complete)).toEqual({ name: '', scope: [], uncaught: false });
    expect([inject.inputs, catchNode.inputs, status.inputs, complete.inputs, linkCall.inputs]).toEqual([0, 0, 0, 0, 1]);
  });
});
