import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { alert } from '../../nodes/alert/alert.def.ts';
import { catchNode, functionNode, httpRequest, linkIn, mqttIn, template } from '../../nodes/core/core-nodes.def.ts';
import { deviceIn } from '../../nodes/device-in/device-in.def.ts';
import { deviceOut } from '../../nodes/device-out/device-out.def.ts';
import { deviceReply } from '../../nodes/device-reply/device-reply.def.ts';
import { mqttListener } from '../../nodes/mqtt-listener/mqtt-listener.def.ts';
import { notify } from '../../nodes/notify/notify.def.ts';
import { validateNodeConfig } from '../../nodes/kit/config-validator.ts';
import { nodeDefinitions } from '../../nodes/definitions.ts';
import { fieldKey, problemsByField } from './field-problems.ts';
import { codeLanguage, formFields, jsonFieldText, numberFieldValue, parseNumberInput, parseSecretJsonInput, type FormField } from './form-fields.ts';
import { thingIdentifiers } from './thing-model-identifiers.ts';

const byName = (fields: FormField[], name: string) => {
  const field = fields.find((f) => f.name === name);
  if (!field) throw new Error(`no field ${name}`);
  return field;
};

describe('formFields', () => {
  it('gives every schema shape a widget that fits', () => {
    const a = formFields(alert);
    expect(a.map((f) => f.name).slice(0, 5)).toEqual(['name', 'severity', 'product', 'trigger', 'property']);
    expect(byName(a, 'name').widget).toBe('text');
    expect(byName(a, 'severity')).toMatchObject({ widget: 'select', choices: [{ value: 'info' }, { value: 'warning' }, { value: 'critical' }] });
    // Literal titles label the options.
    expect(byName(a, 'clearOperator').choices?.[0]).toEqual({ value: 'auto', label: 'auto (condition no longer holds)' });
    expect(byName(a, 'product').widget).toBe('product');
    expect(byName(a, 'property')).toMatchObject({ widget: 'thing-identifier', identifier: 'property', productField: 'product' });
    expect(byName(a, 'event')).toMatchObject({ widget: 'thing-identifier', identifier: 'event' });
    expect(byName(a, 'clearEvent')).toMatchObject({ widget: 'thing-identifier', identifier: 'event' });
    expect(byName(a, 'forSeconds')).toMatchObject({ widget: 'number', min: 0, max: 604_800, integer: false });
    expect(byName(a, 'message').widget).toBe('textarea');

    const d = formFields(deviceIn);
    expect(byName(d, 'device')).toMatchObject({ widget: 'device', productField: 'product' });
    expect(byName(d, 'kinds').widget).toBe('multi-select');
    expect(byName(d, 'kinds').itemChoices?.map((c) => c.value)).toContain('property.post');

    expect(byName(formFields(deviceOut), 'service')).toMatchObject({ widget: 'thing-identifier', identifier: 'service' });
    expect(byName(formFields(deviceOut), 'timeoutMs')).toMatchObject({ widget: 'number', min: 100, max: 600_000, step: 1, integer: true });
    expect(byName(formFields(deviceReply), 'code')).toMatchObject({ widget: 'select' });
    expect(byName(formFields(deviceReply), 'sendPayload').widget).toBe('checkbox');
    expect(byName(formFields(mqttListener), 'tlsCert').widget).toBe('textarea');
  });

  it('puts ui.order first, then credentials as secrets or text', () => {
    const n = formFields(notify);
    expect(n.map((f) => f.name)).toEqual(['url', 'method', 'body', 'timeoutMs', 'maxAttempts', 'secret', 'headers']);
    expect(byName(n, 'secret')).toMatchObject({ widget: 'secret', source: 'credentials' });
    // A record credential: typed as JSON, never shown, kept when left empty (the row says so, as for a secret).
    expect(byName(n, 'headers')).toMatchObject({ widget: 'secret-json', source: 'credentials', secret: true, required: false });
    const h = formFields(httpRequest);
    expect(byName(h, 'user')).toMatchObject({ widget: 'text', source: 'credentials' });
    expect(byName(h, 'password')).toMatchObject({ widget: 'secret', source: 'credentials' });
    expect(byName(h, 'headers').widget).toBe('json');
  });

  it('edits code with CodeMirror in the language it is written in', () => {
    const f = formFields(functionNode);
    expect(byName(f, 'func')).toMatchObject({ widget: 'code', language: 'javascript' });
    expect(byName(f, 'initialize').widget).toBe('code');
    expect(byName(f, 'finalize').widget).toBe('code');
    expect(byName(f, 'noerr').widget).toBe('hidden');
    expect(byName(f, 'timeout')).toMatchObject({ widget: 'number', min: 0, emptyAllowed: true });
    const t = byName(formFields(template), 'template');
    expect(t.widget).toBe('code');
    expect(codeLanguage(t, { format: 'json' })).toBe('json');
    expect(codeLanguage(byName(f, 'func'), {})).toBe('javascript');
  });

  it('picks config nodes and node lists by x-node-ref', () => {
    expect(byName(formFields(mqttIn), 'broker')).toMatchObject({ widget: 'node-ref', nodeRef: 'mqtt-broker' });
    expect(byName(formFields(linkIn), 'links')).toMatchObject({ widget: 'node-refs', nodeRef: 'link out' });
    const scope = byName(formFields(catchNode), 'scope');
    expect(scope.widget).toBe('node-refs');
    expect(scope.refModes?.map((m) => m.value)).toEqual([null, 'group']);
  });

  it('reads every definition without throwing', () => {
    for (const definition of nodeDefinitions) expect(formFields(definition).length).toBeGreaterThan(0);
  });
});

describe('parseNumberInput', () => {
  const port = byName(formFields(mqttListener), 'port');
  const timeout = byName(formFields(functionNode), 'timeout');

  it('accepts numbers within bounds and refuses the rest with the bound', () => {
    expect(parseNumberInput(port, ' 8883 ')).toEqual({ ok: true, value: 8883 });
    expect(parseNumberInput(port, '70000')).toEqual({ ok: false, message: 'Port must be at most 65535' });
    expect(parseNumberInput(port, '-1')).toEqual({ ok: false, message: 'Port must be at least 0' });
    expect(parseNumberInput(port, '1.5')).toEqual({ ok: false, message: 'Port must be a whole number' });
    expect(parseNumberInput(port, 'abc')).toEqual({ ok: false, message: 'Port must be a number' });
    expect(parseNumberInput(port, '')).toEqual({ ok: false, message: 'Port needs a number' });
  });

  it('stores empty text as "" where the schema allows it', () => {
    expect(parseNumberInput(timeout, '')).toEqual({ ok: true, value: '' });
    expect(parseNumberInput(timeout, '2.5')).toEqual({ ok: true, value: 2.5 });
  });
});

describe('parseSecretJsonInput', () => {
  const headers = byName(formFields(notify), 'headers');

  it('keeps the stored value for empty text and stores a typed JSON object', () => {
    expect(parseSecretJsonInput(headers, '  ')).toEqual({ ok: true, value: undefined });
    expect(parseSecretJsonInput(headers, '{"Authorization": "Bearer t0k3n"}')).toEqual({ ok: true, value: { Authorization: 'Bearer t0k3n' } });
    expect(parseSecretJsonInput(headers, '{}')).toEqual({ ok: true, value: {} });
  });

  it('refuses text that is not a JSON object, saying what is wanted', () => {
    expect(parseSecretJsonInput(headers, '{"Authorization": ')).toMatchObject({ ok: false, message: expect.stringMatching(/^Not valid JSON: /) });
    expect(parseSecretJsonInput(headers, '["Authorization"]')).toEqual({
      ok: false, message: 'Headers must be a JSON object, such as {"Authorization": "Bearer …"}',
    });
    expect(parseSecretJsonInput(headers, 'Bearer t0k3n')).toMatchObject({ ok: false });
  });
});

describe('problemsByField', () => {
  it('puts each validator problem under its field and the rest in general', () => {
    const result = validateNodeConfig(alert, { trigger: 'threshold', forSeconds: -1, severity: 'loud' });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    const fields = formFields(alert);
    const sorted = problemsByField([...problems, { path: '', message: 'whole node' }, { path: '/z', message: 'on no flow' }], {
      config: fields.filter((f) => f.source === 'config').map((f) => f.name),
    });
    expect(sorted.byField.get('property')).toEqual(['Property is required']);
    expect(sorted.byField.get('forSeconds')?.[0]).toMatch(/^For \(seconds\) must be >= 0/);
    expect(sorted.byField.get('severity')?.[0]).toMatch(/^Severity must be one of "info", "warning", "critical"/);
    expect(sorted.general).toEqual(['whole node', 'on no flow']);
  });

  it('maps credential problems and escaped pointers', () => {
    const sorted = problemsByField(
      [
        { path: '/credentials/secret', message: 'Secret too short' },
        { path: '/a~1b/0', message: 'nested' },
      ],
      { config: ['a/b'], credentials: ['secret'] },
    );
    expect(sorted.byField.get(fieldKey('credentials', 'secret'))).toEqual(['Secret too short']);
    expect(sorted.byField.get('a/b')).toEqual(['nested']);
  });
});

describe('thingIdentifiers', () => {
  it('lists properties, services and events of a TSL, without the implicit ones', () => {
    const tsl = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../server/thing-model/fixtures/alibaba-example-tsl.json'), 'utf8'));
    const ids = thingIdentifiers(tsl);
    expect(ids.property[0]).toEqual({ identifier: 'PowerSwitch', name: 'Power Switch', detail: 'bool' });
    expect(ids.service.map((s) => s.identifier)).toEqual(['Calibrate', 'Reboot']);
    expect(ids.event.map((s) => s.identifier)).toEqual(['HighTemperatureAlert', 'Error']);
    expect(thingIdentifiers(null)).toEqual({ property: [], service: [], event: [] });
  });
});

describe('what a field keeps of the text typed', () => {
  const port = { name: 'port', title: 'Port', widget: 'number', min: 0, max: 65535, integer: true } as FormField;

  it('keeps a number field\'s text when it is no number, and an out-of-bounds number as a number, each with the reason', () => {
    expect(numberFieldValue(port, '1883')).toEqual({ value: 1883, message: null });
    expect(numberFieldValue(port, '12a')).toEqual({ value: '12a', message: 'Port must be a number' });
    expect(numberFieldValue(port, '70000')).toEqual({ value: 70000, message: 'Port must be at most 65535' });
    expect(numberFieldValue(port, '')).toEqual({ value: '', message: 'Port needs a number' });
  });

  it('shows JSON that did not parse as it was typed, and stored values as JSON', () => {
    expect(jsonFieldText('[{"t":')).toBe('[{"t":');
    expect(jsonFieldText([{ t: 'eq' }])).toBe('[\n  {\n    "t": "eq"\n  }\n]');
    expect(jsonFieldText('"quoted"')).toBe('"\\"quoted\\""');
    expect(jsonFieldText(undefined)).toBe('null');
  });
});
