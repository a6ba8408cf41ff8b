import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { choice, defineNode } from './define-node.ts';
import { validateNodeConfig, validatorFor } from './config-validator.ts';

const sensor = defineNode({
  type: 'test-sensor',
  version: 3,
  label: 'sensor',
  category: 'test',
  color: '#ccc',
  icon: 'font-awesome/fa-thermometer',
  inputs: 1,
  outputs: 1,
  config: Type.Object({
    topic: Type.String({ title: 'Topic', minLength: 1 }),
    interval: Type.Integer({ title: 'Interval', default: 10, minimum: 1 }),
    enabled: Type.Boolean({ title: 'Enabled', default: true }),
    qos: choice([0, 1, 2], { title: 'QoS', default: 0 }),
    unit: Type.Union([Type.Literal('C'), Type.Literal('F')], { title: 'Unit', default: 'C' }),
    tags: Type.Array(Type.String(), { title: 'Tags', default: [] }),
  }),
  migrations: [
    // v1 called the topic `path`; v2 stored the interval in ms.
    { from: 1, migrate: ({ path, ...rest }) => ({ ...rest, topic: path }) },
    { from: 2, migrate: (c) => ({ ...c, interval: Math.round(Number(c['interval']) / 1000) }) },
  ],
  help: 'Test node.',
});

// What Node-RED hands a node: its own bookkeeping beside the config, numbers and flags as the editor's strings.
const flowNode = { id: 'n1', type: 'test-sensor', z: 'tab', x: 10, y: 20, wires: [[]], name: 'hall', v: 3 };

describe('validateNodeConfig', () => {
  it('ignores Node-RED properties, fills defaults and coerces editor strings', () => {
    const result = validateNodeConfig(sensor, { ...flowNode, topic: 'a/b', interval: '5', enabled: 'false', qos: '2' });
    expect(result).toEqual({
      ok: true,
      config: { topic: 'a/b', interval: 5, enabled: false, qos: 2, unit: 'C', tags: [] },
    });
  });

  it('leaves the node it was given untouched', () => {
    const node = { ...flowNode, topic: 'a', interval: '5', tags: ['x'] };
    const before = structuredClone(node);
    const result = validateNodeConfig(sensor, node);
    expect(node).toEqual(before);
    if (result.ok) result.config.tags.push('y');
    expect(node.tags).toEqual(['x']);
  });

  it('names each problem by title and points at it', () => {
    const result = validateNodeConfig(sensor, { ...flowNode, topic: '', interval: 'often', unit: 'K', qos: 7, tags: 'x' });
    expect(result).toMatchObject({
      ok: false,
      problems: [
        { path: '/topic', message: 'Topic is required' },
        { path: '/interval', message: 'Interval must be a whole number (got "often")' },
        { path: '/qos', message: 'QoS must be one of 0, 1, 2 (got 7)' },
        { path: '/unit', message: 'Unit must be one of "C", "F" (got "K")' },
        { path: '/tags', message: 'Tags must be an array (got "x")' },
      ],
    });
    // The editor says them in its language from their codes and parameters.
    expect(result.ok ? [] : result.problems.map(({ code, params }) => ({ code, params }))).toEqual([
      { code: 'schema.required', params: { property: 'topic', title: 'Topic' } },
      { code: 'schema.type', params: { property: 'interval', title: 'Interval', types: 'integer', got: '"often"' } },
      { code: 'schema.choice', params: { property: 'qos', title: 'QoS', choices: '0, 1, 2', got: '7' } },
      { code: 'schema.choice', params: { property: 'unit', title: 'Unit', choices: '"C", "F"', got: '"K"' } },
      { code: 'schema.type', params: { property: 'tags', title: 'Tags', types: 'array', got: '"x"' } },
    ]);
  });

  it('reports a missing property without a default as required', () => {
    const result = validateNodeConfig(sensor, flowNode);
    expect(result).toMatchObject({ ok: false, problems: [{ path: '/topic', message: 'Topic is required' }] });
  });

  it('migrates a node from its stored version; no `v` is version 1', () => {
    expect(validateNodeConfig(sensor, { ...flowNode, v: undefined, path: 'old/topic', interval: 60000 })).toMatchObject({
      ok: true,
      config: { topic: 'old/topic', interval: 60 },
    });
    expect(validateNodeConfig(sensor, { ...flowNode, v: '2', topic: 't', interval: 5000 })).toMatchObject({
      ok: true,
      config: { interval: 5 },
    });
  });

  it('refuses versions it cannot read', () => {
    expect(validateNodeConfig(sensor, { ...flowNode, v: 4, topic: 't' })).toMatchObject({
      ok: false,
      problems: [{ path: '/v', message: expect.stringMatching(/saved by a newer release/) }],
    });
    expect(validateNodeConfig(sensor, { ...flowNode, v: 'two', topic: 't' })).toMatchObject({ ok: false });
    const noMigrations = { ...sensor, migrations: [] };
    expect(validateNodeConfig(noMigrations, { ...flowNode, v: 2, topic: 't' })).toMatchObject({
      ok: false,
      problems: [{ message: 'no migration from config version 2 to 3' }],
    });
  });

  it('compiles each schema once', () => {
    expect(validatorFor(sensor.config)).toBe(validatorFor(sensor.config));
  });
});
