import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  dataTypeToTsl, describeDataType, emptyThingModel, featurePath, formFromTsl, jsonEqual, newParam, newProperty,
  newService, tslFromForm, withType, type ThingModelForm,
} from './tsl-form.ts';

const fixtureText = fs.readFileSync(new URL('../../../server/thing-model/fixtures/alibaba-example-tsl.json', import.meta.url), 'utf8');
const fixture = (): unknown => JSON.parse(fixtureText);

describe('reading and writing TSL', () => {
  it('writes Alibaba’s export back exactly as it read it, key order included', () => {
    expect(JSON.stringify(tslFromForm(formFromTsl(fixture())))).toBe(JSON.stringify(fixture()));
  });

  it('keeps unknown keys, numbers written as numbers, and documents without the generated features', () => {
    const doc = {
      vendor: { x: 1 },
      properties: [{ identifier: 't', name: 'T', accessMode: 'r', dataType: { type: 'float', specs: { min: -40, max: 120.5 } }, custom: true }],
    };
    const form = formFromTsl(doc);
    expect(tslFromForm(form)).toEqual({ ...doc, services: [], events: [] });
    // An edit rewrites only that feature, and keeps its number style and unknown keys.
    form.properties[0]!.name = 'Temperature';
    form.properties[0]!.dataType.max = '125';
    expect((tslFromForm(form).properties as unknown[])[0]).toEqual({
      identifier: 't', name: 'Temperature', accessMode: 'r', custom: true, dataType: { type: 'float', specs: { min: -40, max: 125 } },
    });
  });

  it('keeps Alibaba’s generated post/set/get in step with the properties', () => {
    const form = formFromTsl(fixture());
    form.properties = form.properties.filter((p) => p.identifier !== 'DeviceLabel');
    const added = { ...newProperty(), identifier: 'Fan', name: 'Fan', accessMode: 'rw', dataType: withType(newProperty().dataType, 'bool') };
    form.properties.push(added);
    type Feature = { identifier: string; desc?: string; inputData: unknown[]; outputData: unknown[] };
    const doc = tslFromForm(form) as { services: Feature[]; events: Feature[] };
    const set = doc.services.find((s) => s.identifier === 'set')!;
    const get = doc.services.find((s) => s.identifier === 'get')!;
    const post = doc.events.find((e) => e.identifier === 'post')!;
    expect(set.inputData.map((p) => (p as { identifier: string }).identifier)).toEqual(['PowerSwitch', 'LastMaintenance', 'WorkMode', 'AlarmThresholds', 'Schedule', 'Fan']);
    expect(get.inputData).toContain('Fan');
    expect(get.inputData).not.toContain('DeviceLabel');
    expect(post.outputData.at(-1)).toEqual({ identifier: 'Fan', name: 'Fan', dataType: { type: 'bool', specs: { 0: 'off', 1: 'on' } } });
    expect(set.desc).toBe('Property set');
  });

  it('writes a new property, service and nested struct/array types in Alibaba’s shape', () => {
    const form = emptyThingModel('a1lamp');
    const p = newProperty();
    p.identifier = 'Zones';
    p.name = 'Zones';
    p.dataType = withType(p.dataType, 'struct');
    const f0 = p.dataType.fields[0]!;
    f0.identifier = 'Level';
    f0.name = 'Level';
    f0.dataType.min = '0';
    f0.dataType.max = '100';
    const f1 = { ...newParam(), identifier: 'Points', name: 'Points' };
    f1.dataType = withType(f1.dataType, 'array', { inStruct: true });
    f1.dataType.size = '8';
    f1.dataType.item = withType(f1.dataType.item!, 'text');
    p.dataType.fields.push(f1);
    form.properties.push(p);
    const s = { ...newService(), identifier: 'Blink', name: 'Blink' };
    form.services.push(s);
    const doc = tslFromForm(form);
    expect(doc).toEqual({
      schema: 'https://iotx-tsl.oss-ap-southeast-1.aliyuncs.com/schema.json',
      profile: { version: '1.0', productKey: 'a1lamp' },
      properties: [{
        identifier: 'Zones', name: 'Zones', accessMode: 'r', required: false,
        dataType: {
          type: 'struct',
          specs: [
            { identifier: 'Level', name: 'Level', dataType: { type: 'int', specs: { min: '0', max: '100' } } },
            { identifier: 'Points', name: 'Points', dataType: { type: 'array', specs: { size: '8', item: { type: 'text', specs: { length: '255' } } } } },
          ],
        },
      }],
      events: [],
      services: [{
        identifier: 'Blink', name: 'Blink', required: false, callType: 'async', method: 'thing.service.Blink', inputData: [], outputData: [],
      }],
    });
    expect(describeDataType(p.dataType)).toBe('struct {Level, Points}');
  });

  it('reports enum values listed twice at the path the server would use', () => {
    const dt = withType(newProperty().dataType, 'enum');
    dt.entries.push({ key: 'x', value: '0', label: 'again' });
    const problems: { path: string; message: string }[] = [];
    dataTypeToTsl(dt, { path: '/properties/0/dataType', problems });
    expect(problems).toEqual([{ path: '/properties/0/dataType/specs/0', message: 'the value 0 is listed twice' }]);
  });

  it('locates services and events after Alibaba’s generated ones', () => {
    const form: ThingModelForm = formFromTsl(fixture());
    expect(featurePath(form, 'services', 0)).toBe('/services/2');
    expect(featurePath(form, 'events', 1)).toBe('/events/2');
    expect(featurePath(form, 'properties', 3)).toBe('/properties/3');
  });

  it('compares JSON regardless of key order but not list order', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: undefined }, {})).toBe(false);
  });

  it('reads what is not TSL-shaped without failing', () => {
    for (const doc of [null, 5, [], { properties: 5 }, { properties: [5, { dataType: 'x' }] }]) {
      expect(() => tslFromForm(formFromTsl(doc))).not.toThrow();
    }
  });
});
