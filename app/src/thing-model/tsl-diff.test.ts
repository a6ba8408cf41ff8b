import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diffCounts, diffThingModels, isEmptyDiff } from './tsl-diff.ts';

const fixture = () => JSON.parse(fs.readFileSync(new URL('../../../server/thing-model/fixtures/alibaba-example-tsl.json', import.meta.url), 'utf8'));

describe('diffThingModels', () => {
  it('finds nothing between a document and itself, whatever the key order or number style', () => {
    const a = { properties: [{ identifier: 't', name: 'T', accessMode: 'r', dataType: { type: 'int', specs: { min: '0', max: '10' } } }] };
    const b = { properties: [{ dataType: { specs: { max: 10, min: 0 }, type: 'int' }, accessMode: 'r', name: 'T', identifier: 't' }] };
    expect(isEmptyDiff(diffThingModels(a, b))).toBe(true);
    expect(isEmptyDiff(diffThingModels(fixture(), fixture()))).toBe(true);
  });

  it('lists everything as added when nothing is published yet, leaving out Alibaba’s generated features', () => {
    const diff = diffThingModels(null, fixture());
    expect(diff.properties.added.map((p) => p.identifier)).toHaveLength(10);
    expect(diff.services.added.map((s) => s.identifier)).toEqual(['Calibrate', 'Reboot']);
    expect(diff.events.added.map((e) => e.identifier)).toEqual(['HighTemperatureAlert', 'Error']);
    expect(diff.properties.added[1]).toEqual({ identifier: 'CurrentTemperature', name: 'Current Temperature', summary: 'float -40…120 °C' });
  });

  it('says what changed, old → new: data type, specs, access, struct fields, array elements and parameters', () => {
    const before = fixture();
    const after = fixture();
    after.properties[1].dataType.specs.max = '150';
    after.properties[2].accessMode = 'rw';
    after.properties[2].dataType = { type: 'float', specs: { min: '0', max: '100', step: '1', unit: '%', unitName: 'percent' } };
    after.properties[7].dataType.specs.pop(); // GeoLocation loses CoordinateSystem
    after.properties[7].dataType.specs[0].dataType.specs.min = '-179';
    after.properties[9].dataType.specs.item.specs[0].name = 'Starts';
    after.properties.splice(4, 1); // DeviceLabel
    after.properties.push({ identifier: 'Fan', name: 'Fan', accessMode: 'rw', dataType: { type: 'bool', specs: { 0: 'off', 1: 'on' } } });
    after.services[2].callType = 'async';
    after.services[2].inputData.push({ identifier: 'Reason', name: 'Reason', dataType: { type: 'text', specs: { length: '32' } } });
    after.events[1].type = 'error';

    const diff = diffThingModels(before, after);
    expect(diff.properties.added).toEqual([{ identifier: 'Fan', name: 'Fan', summary: 'bool 0 off / 1 on' }]);
    expect(diff.properties.removed.map((p) => p.identifier)).toEqual(['DeviceLabel']);
    const changed = Object.fromEntries(diff.properties.changed.map((c) => [c.identifier, c.changes]));
    expect(changed.CurrentTemperature).toEqual([{ label: 'max', from: '120', to: '150' }]);
    expect(changed.CurrentHumidity).toEqual([
      { label: 'access', from: 'read-only (r)', to: 'read-write (rw)' },
      { label: 'data type', from: 'int', to: 'float' },
    ]);
    expect(changed.GeoLocation).toEqual([
      { label: 'field Longitude: min', from: '-180', to: '-179' },
      { label: 'field CoordinateSystem', from: 'enum 1 WGS_84, 2 GCJ_02', to: '—' },
    ]);
    expect(changed.Schedule).toEqual([{ label: 'element field StartTime: name', from: 'Start Time', to: 'Starts' }]);
    expect(diff.services.changed).toEqual([{
      identifier: 'Calibrate', name: 'Calibrate', changes: [
        { label: 'call type', from: 'sync', to: 'async' },
        { label: 'input Reason', from: '—', to: 'text, up to 32 characters' },
      ],
    }]);
    expect(diff.events.changed[0]!.changes).toEqual([{ label: 'event type', from: 'alert', to: 'error' }]);
    expect(diffCounts(diff)).toEqual({ added: 1, removed: 1, changed: 6 });
  });
});
