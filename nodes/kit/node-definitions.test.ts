/**
 * Contract tests over every node definition of the palette (ours and the curated core nodes): what the kit, the
 * editor and the generated Node-RED `.html` rely on.
 */
import { describe, expect, it } from 'vitest';
import { checkFlowNodeConfig, nodeDefinitions, nodeTypeCatalog } from '../definitions.ts';
import { implementations } from '../index.ts';
import { nodeSchemaAjv, validateNodeConfig } from './config-validator.ts';
import { nodeHtml } from './node-html.ts';
import { configFields } from './schema-fields.ts';

const byType = nodeDefinitions.map((definition) => [definition.type, definition] as const);

describe('node definitions', () => {
  it('declare each type once', () => {
    const types = nodeDefinitions.map((d) => d.type);
    expect(types.filter((type, i) => types.indexOf(type) !== i)).toEqual([]);
  });

  it('have a runtime for every Thingwire node and none for a core node', () => {
    const implemented = implementations.map((i) => i.definition.type).sort();
    expect(implemented).toEqual(nodeDefinitions.filter((d) => !d.core).map((d) => d.type).sort());
  });

  describe.each(byType)('%s', (type, definition) => {
    it('compiles its schemas in strict mode', () => {
      expect(() => nodeSchemaAjv.compile(definition.config)).not.toThrow();
      if (definition.credentials) expect(() => nodeSchemaAjv.compile(definition.credentials!)).not.toThrow();
    });

    it('is complete: titles on every property, well-formed ports, version and ui hints', () => {
      const fields = configFields(definition.config, definition.ui);
      expect(fields.filter((f) => f.title === f.name && f.name !== 'name').map((f) => f.name)).toEqual([]);
      expect(Number.isInteger(definition.version) && definition.version >= 1).toBe(true);
      if (definition.outputLabels) expect(definition.outputLabels).toHaveLength(definition.outputs);
      if (definition.isConfigNode) expect([definition.inputs, definition.outputs]).toEqual([0, 0]);
      expect(definition.help.trim()).not.toBe('');
    });

    it('validates an empty config, or names only the properties a user must fill in', () => {
      const mustFill = configFields(definition.config)
        .filter((f) => f.required && !f.blankAllowed)
        .filter((f) => !f.hasDefault || f.default === '')
        .map((f) => `/${f.name}`);
      const result = validateNodeConfig(definition, { id: 'n1', type });
      const problemPaths = result.ok ? [] : result.problems.map((p) => p.path);
      expect(problemPaths.sort()).toEqual(mustFill.sort());
    });

    it('migrates a version-1 node to the current version', () => {
      const froms = (definition.migrations ?? []).map((m) => m.from).sort((a, b) => a - b);
      expect(froms).toEqual(Array.from({ length: definition.version - 1 }, (_, i) => i + 1));
      const result = validateNodeConfig(definition, { id: 'n1', type, v: 1 });
      const versionProblems = result.ok ? [] : result.problems.filter((p) => p.path === '/v');
      expect(versionProblems).toEqual([]);
    });

    it('generates its Node-RED registration, form and help', () => {
      const html = nodeHtml([definition]);
      expect(html).toContain(`RED.nodes.registerType('${type}'`);
      expect(html).toContain(`data-template-name="${type}"`);
      expect(html).toContain(`data-help-name="${type}"`);
      const prefix = definition.isConfigNode ? 'node-config-input' : 'node-input';
      for (const field of configFields(definition.config)) {
        const id = field.kind === 'json' || field.kind === 'node-refs' ? `${prefix}-json-${field.name}` : `${prefix}-${field.name}`;
        expect(html).toContain(`id="${id}"`);
      }
      // Every script element the generator opened is closed where it meant to.
      expect(html.match(/<script/g)?.length).toBe(3);
      expect(html.match(/<\/script>/g)?.length).toBe(3);
    });
  });

  it('generate one .html for all of them', () => {
    const html = nodeHtml(nodeDefinitions);
    for (const { type } of nodeDefinitions) expect(html).toContain(`RED.nodes.registerType('${type}'`);
  });

  it('escape user text in the generated html', () => {
    const [first] = nodeDefinitions;
    const html = nodeHtml([{ ...first!, help: 'See <script>alert(1)</script> and </SCRIPT >' }]);
    expect(html.match(/<\/script>/gi)?.length).toBe(3);
  });

  it('publish a plain-JSON catalog for the editor', () => {
    const catalog = nodeTypeCatalog();
    expect(catalog.map((entry) => entry.type)).toEqual(nodeDefinitions.map((d) => d.type));
    const validate = catalog.find((entry) => entry.type === 'thing-validate');
    expect(validate).toMatchObject({ core: false, inputs: 1, outputs: 2, outputLabels: ['valid', 'invalid'] });
    expect(JSON.parse(JSON.stringify(catalog))).toEqual(catalog);
    expect(catalog.find((entry) => entry.type === 'mqtt-broker')).toMatchObject({ core: true, isConfigNode: true });
  });

  it('check flow nodes before deploy, leaving ${ENV} references to Node-RED', () => {
    expect(checkFlowNodeConfig({ id: 'a', type: 'thing-validate', unknownProperties: 'explode' })).toEqual([
      {
        nodeId: 'a',
        type: 'thing-validate',
        path: '/unknownProperties',
        message: 'Unknown properties must be one of "reject", "drop" (got "explode")',
        code: 'schema.choice',
        params: { property: 'unknownProperties', title: 'Unknown properties', choices: '"reject", "drop"', got: '"explode"' },
      },
    ]);
    expect(checkFlowNodeConfig({ id: 'b', type: 'mqtt-broker', broker: '${MQTT_HOST}', port: '${MQTT_PORT}' })).toEqual([]);
    expect(checkFlowNodeConfig({ id: 'c', type: 'no-such-type' })).toEqual([]);
  });

  it('check the credentials typed in the editor, not those left as stored', () => {
    const webhook = checkFlowNodeConfig({ id: 'w', type: 'notify', url: 'https://example.com/hook' });
    // Headers typed as text that is not JSON: the node is marked, whatever its other fields say.
    const typed = checkFlowNodeConfig({ id: 'w', type: 'notify', url: 'https://example.com/hook', credentials: { headers: '{"Authorization": ' } });
    expect(typed.filter((problem) => problem.path.startsWith('/credentials'))).toEqual([
      expect.objectContaining({ nodeId: 'w', path: '/credentials/headers' }),
    ]);
    expect(typed.length).toBe(webhook.length + 1);
    // The secret was not typed (the stored one stays): not judged.
    expect(checkFlowNodeConfig({ id: 'w', type: 'notify', url: 'https://example.com/hook', credentials: { headers: { 'X-Key': 'k' } } })).toEqual(webhook);
  });
});
