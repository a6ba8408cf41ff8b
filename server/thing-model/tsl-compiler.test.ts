import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CompiledThingModel, FieldError } from '../../domain/thing-model/compiled-thing-model.ts';
import { TslInvalidError, assertTsl } from './tsl-check.ts';
import { compileThingModel } from './tsl-compiler.ts';
import type { TslDataType, TslDocument } from '../../domain/thing-model/tsl-types.ts';

function loadExample(): TslDocument {
  const doc: unknown = JSON.parse(readFileSync(new URL('./fixtures/alibaba-example-tsl.json', import.meta.url), 'utf8'));
  assertTsl(doc);
  return doc;
}

const model = compileThingModel('a1EnvMon001', 3, loadExample());

/** A model with one read-write property `p` of the given type, for types the example does not cover. */
function modelOf(dataType: TslDataType): CompiledThingModel {
  return compileThingModel('pk', 1, { properties: [{ identifier: 'p', name: 'P', accessMode: 'rw', dataType }] });
}

/** The value a post accepted for one property, or the errors it answered. */
function post(identifier: string, value: unknown, on: CompiledThingModel = model): unknown {
  const outcome = on.validatePropertyPost({ [identifier]: value });
  if (!outcome.ok) return { code: outcome.code, errors: outcome.errors };
  expect(outcome.value.values).toHaveLength(1);
  return outcome.value.values[0]?.value;
}

/** The 422 answer for one failing field. */
const fails = (field: string, reason: string) => ({ code: 422, errors: [{ field, reason }] });

describe('compileThingModel', () => {
  it('keeps the product key and version it was compiled for', () => {
    expect(model.productKey).toBe('a1EnvMon001');
    expect(model.version).toBe(3);
  });

  it('refuses a document checkTsl refuses, with every problem', () => {
    const doc = {
      properties: [{ identifier: 't', name: 't', accessMode: 'r', dataType: { type: 'int', specs: { min: '9', max: '1' } } }],
    } as TslDocument;
    expect(() => compileThingModel('pk', 1, doc)).toThrow(TslInvalidError);
    expect(() => compileThingModel('pk', 1, doc)).toThrow('min (9) is greater than max (1)');
  });

  describe('int', () => {
    it('accepts min and max exactly and refuses one beyond', () => {
      expect(post('CurrentHumidity', 0)).toBe(0);
      expect(post('CurrentHumidity', 100)).toBe(100);
      expect(post('CurrentHumidity', -1)).toEqual(fails('CurrentHumidity', 'must be ≥ 0'));
      expect(post('CurrentHumidity', 101)).toEqual(fails('CurrentHumidity', 'must be ≤ 100'));
    });

    it('refuses fractions and numeric strings', () => {
      expect(post('CurrentHumidity', 50.5)).toEqual(fails('CurrentHumidity', 'must be an integer'));
      expect(post('CurrentHumidity', '50')).toEqual(fails('CurrentHumidity', 'must be an integer'));
      expect(post('CurrentHumidity', 100.5)).toEqual(fails('CurrentHumidity', 'must be an integer; must be ≤ 100'));
    });

    it('keeps an unbounded int within int32', () => {
      const unbounded = modelOf({ type: 'int', specs: { unit: 'count' } });
      expect(post('p', 2147483647, unbounded)).toBe(2147483647);
      expect(post('p', -2147483648, unbounded)).toBe(-2147483648);
      expect(post('p', 2147483648, unbounded)).toEqual(fails('p', 'must be ≤ 2147483647 (int32 range)'));
      expect(post('p', -2147483649, unbounded)).toEqual(fails('p', 'must be ≥ -2147483648 (int32 range)'));
    });
  });

  describe('float and double', () => {
    it('accepts min and max exactly and refuses values just beyond', () => {
      expect(post('CurrentTemperature', -40)).toBe(-40);
      expect(post('CurrentTemperature', 120)).toBe(120);
      expect(post('CurrentTemperature', -40.01)).toEqual(fails('CurrentTemperature', 'must be ≥ -40'));
      expect(post('CurrentTemperature', 120.01)).toEqual(fails('CurrentTemperature', 'must be ≤ 120'));
      expect(post('EnergyConsumption', 0)).toBe(0);
      expect(post('EnergyConsumption', 99999999)).toBe(99999999);
      expect(post('EnergyConsumption', -0.001)).toEqual(fails('EnergyConsumption', 'must be ≥ 0'));
    });

    it('does not enforce step, which Alibaba treats as a UI hint', () => {
      expect(post('CurrentTemperature', 23.456)).toBe(23.456);
    });

    it('refuses strings and booleans', () => {
      expect(post('CurrentTemperature', '23.5')).toEqual(fails('CurrentTemperature', 'must be a number'));
      expect(post('EnergyConsumption', true)).toEqual(fails('EnergyConsumption', 'must be a number'));
    });

    it('keeps an unbounded float within single precision; an unbounded double has no limit', () => {
      const float = modelOf({ type: 'float' });
      expect(post('p', 3.4e38, float)).toBe(3.4e38);
      expect(post('p', 3.5e38, float)).toEqual(fails('p', 'must be ≤ 3.4028234663852886e+38 (float range)'));
      expect(post('p', -3.5e38, float)).toEqual(fails('p', 'must be ≥ -3.4028234663852886e+38 (float range)'));
      expect(post('p', 1e300, modelOf({ type: 'double' }))).toBe(1e300);
    });
  });

  describe('text', () => {
    it('accepts up to length characters', () => {
      expect(post('DeviceLabel', '')).toBe('');
      expect(post('DeviceLabel', 'a'.repeat(64))).toBe('a'.repeat(64));
      expect(post('DeviceLabel', 'a'.repeat(65))).toEqual(fails('DeviceLabel', 'must be at most 64 characters'));
    });

    it('counts characters, not UTF-16 units', () => {
      expect(post('DeviceLabel', '😀'.repeat(64))).toBe('😀'.repeat(64));
      expect(post('DeviceLabel', '😀'.repeat(65))).toEqual(fails('DeviceLabel', 'must be at most 64 characters'));
    });

    it('refuses non-strings', () => {
      expect(post('DeviceLabel', 42)).toEqual(fails('DeviceLabel', 'must be a string'));
    });
  });

  describe('date', () => {
    const reason = 'must be a UTC time in milliseconds: a string of digits or a non-negative integer';

    it('accepts UTC ms as a string of digits and keeps it', () => {
      expect(post('LastMaintenance', '1700000000000')).toBe('1700000000000');
      expect(post('LastMaintenance', '0')).toBe('0');
    });

    it('accepts an integer and normalises it to Alibaba\'s string form', () => {
      expect(post('LastMaintenance', 1700000000000)).toBe('1700000000000');
    });

    it('refuses anything else', () => {
      for (const value of ['2024-01-01', '', '-5', '17e11', -1, 1.5, true, null]) {
        expect(post('LastMaintenance', value), JSON.stringify(value)).toEqual(fails('LastMaintenance', reason));
      }
    });
  });

  describe('bool', () => {
    it('accepts 0 and 1', () => {
      expect(post('PowerSwitch', 0)).toBe(0);
      expect(post('PowerSwitch', 1)).toBe(1);
    });

    it('accepts true and false and normalises them to 1 and 0', () => {
      expect(post('PowerSwitch', true)).toBe(1);
      expect(post('PowerSwitch', false)).toBe(0);
    });

    it('refuses anything else, naming the labels', () => {
      for (const value of [2, -1, '1', 'on', 0.5, null]) {
        expect(post('PowerSwitch', value), JSON.stringify(value)).toEqual(fails('PowerSwitch', 'must be 0 (off) or 1 (on)'));
      }
    });
  });

  describe('enum', () => {
    it('accepts a defined value', () => {
      expect(post('WorkMode', 0)).toBe(0);
      expect(post('WorkMode', 3)).toBe(3);
    });

    it('refuses other values, listing the defined ones', () => {
      for (const value of [4, -1, '1', 1.5]) {
        expect(post('WorkMode', value)).toEqual(fails('WorkMode', 'must be one of 0 (auto), 1 (cool), 2 (heat), 3 (dry)'));
      }
    });
  });

  describe('struct', () => {
    const location = { Longitude: 120.15, Latitude: 30.28, Altitude: 12.5, CoordinateSystem: 1 };

    it('accepts an object with exactly the defined fields', () => {
      expect(post('GeoLocation', location)).toEqual(location);
    });

    it('reports a missing field, an unknown field and a bad field value by dotted path', () => {
      const { Latitude: _omitted, ...withoutLatitude } = location;
      expect(post('GeoLocation', withoutLatitude)).toEqual(fails('GeoLocation.Latitude', 'missing'));
      expect(post('GeoLocation', { ...location, Speed: 3 })).toEqual(
        fails('GeoLocation.Speed', 'not a field of the struct (fields: Longitude, Latitude, Altitude, CoordinateSystem)'),
      );
      expect(post('GeoLocation', { ...location, Longitude: 180.5, CoordinateSystem: 3 })).toEqual({
        code: 422,
        errors: [
          { field: 'GeoLocation.Longitude', reason: 'must be ≤ 180' },
          { field: 'GeoLocation.CoordinateSystem', reason: 'must be one of 1 (WGS_84), 2 (GCJ_02)' },
        ],
      });
    });

    it('refuses a non-object', () => {
      for (const value of [[1, 2], 'here', 5]) {
        expect(post('GeoLocation', value)).toEqual(
          fails('GeoLocation', 'must be an object with the fields Longitude, Latitude, Altitude, CoordinateSystem'),
        );
      }
    });
  });

  describe('array', () => {
    it('accepts up to size items', () => {
      expect(post('AlarmThresholds', [])).toEqual([]);
      expect(post('AlarmThresholds', [1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
      expect(post('AlarmThresholds', [1, 2, 3, 4, 5])).toEqual(fails('AlarmThresholds', 'must have at most 4 items'));
    });

    it('reports an invalid item by index', () => {
      expect(post('AlarmThresholds', [1, 'x', 3])).toEqual(fails('AlarmThresholds[1]', 'must be an integer'));
      expect(post('AlarmThresholds', { 0: 1 })).toEqual(fails('AlarmThresholds', 'must be an array'));
    });

    describe('of struct', () => {
      const slot = { StartTime: '1700000000000', Duration: 30, Mode: 1, Enabled: 1 };

      it('reports an invalid field inside an item as list[i].field', () => {
        expect(post('Schedule', [slot, slot, { ...slot, Duration: 0 }])).toEqual(fails('Schedule[2].Duration', 'must be ≥ 1'));
        expect(post('Schedule', [{ StartTime: '1', Duration: 1, Mode: 0 }])).toEqual(fails('Schedule[0].Enabled', 'missing'));
        expect(post('Schedule', [slot, { ...slot, Extra: 1 }])).toEqual(
          fails('Schedule[1].Extra', 'not a field of the struct (fields: StartTime, Duration, Mode, Enabled)'),
        );
        expect(post('Schedule', [slot, slot, slot, slot])).toEqual(fails('Schedule', 'must have at most 3 items'));
      });

      it('normalises bool and date fields inside items without touching the device\'s objects', () => {
        const reported = [{ ...slot, StartTime: 1700000000000, Enabled: true }];
        expect(post('Schedule', reported)).toEqual([{ ...slot, StartTime: '1700000000000', Enabled: 1 }]);
        expect(reported[0]?.Enabled).toBe(true);
      });
    });
  });

  describe('validatePropertyPost', () => {
    it('accepts bare values and {value, time}, keeping time', () => {
      const outcome = model.validatePropertyPost({
        CurrentTemperature: 23.6,
        PowerSwitch: { value: 1, time: 1524448722000 },
        GeoLocation: { value: { Longitude: 1, Latitude: 2, Altitude: 3, CoordinateSystem: 2 } },
      });
      expect(outcome).toEqual({
        ok: true,
        value: {
          values: [
            { identifier: 'CurrentTemperature', value: 23.6 },
            { identifier: 'PowerSwitch', value: 1, time: 1524448722000 },
            { identifier: 'GeoLocation', value: { Longitude: 1, Latitude: 2, Altitude: 3, CoordinateSystem: 2 } },
          ],
          dropped: [],
        },
      });
      if (outcome.ok) expect(outcome.value.values[0]).not.toHaveProperty('time');
    });

    it('checks the value inside {value, time} and the time itself', () => {
      expect(post('CurrentHumidity', { value: 101, time: 1524448722000 })).toEqual(fails('CurrentHumidity', 'must be ≤ 100'));
      for (const time of ['1524448722000', -1, 1.5]) {
        expect(post('CurrentHumidity', { value: 50, time })).toEqual(
          fails('CurrentHumidity', 'time must be a non-negative integer (device ms)'),
        );
      }
      expect(post('CurrentHumidity', { value: 50, tim: 1524448722000 })).toEqual(
        fails('CurrentHumidity', 'unexpected "tim" beside value and time'),
      );
    });

    it('tells a struct that has a field named value from {value, time}', () => {
      const reading = compileThingModel('pk', 1, {
        properties: [
          {
            identifier: 'reading',
            name: 'Reading',
            accessMode: 'r',
            dataType: { type: 'struct', specs: [{ identifier: 'value', name: 'Value', dataType: { type: 'int' } }, { identifier: 'time', name: 'Time', dataType: { type: 'int' } }] },
          },
        ],
      });
      expect(post('reading', { value: 5, time: 6 }, reading)).toEqual({ value: 5, time: 6 });
      const wrapped = reading.validatePropertyPost({ reading: { value: { value: 5, time: 6 }, time: 1524448722000 } });
      expect(wrapped).toEqual({ ok: true, value: { values: [{ identifier: 'reading', value: { value: 5, time: 6 }, time: 1524448722000 }], dropped: [] } });
    });

    it('lists every failing field', () => {
      const outcome = model.validatePropertyPost({
        CurrentHumidity: 101,
        PowerSwitch: 2,
        DeviceLabel: 'ok',
        GeoLocation: { Longitude: 0, Latitude: 91, Altitude: 0, CoordinateSystem: 1 },
      });
      expect(outcome).toEqual({
        ok: false,
        code: 422,
        errors: [
          { field: 'CurrentHumidity', reason: 'must be ≤ 100' },
          { field: 'PowerSwitch', reason: 'must be 0 (off) or 1 (on)' },
          { field: 'GeoLocation.Latitude', reason: 'must be ≤ 90' },
        ],
      });
    });

    it('answers 404 for an identifier the model does not define, listing the other failures too', () => {
      expect(model.validatePropertyPost({ Temperature: 20 })).toEqual({
        ok: false,
        code: 404,
        errors: [{ field: 'Temperature', reason: 'not defined in the thing model' }],
      });
      expect(model.validatePropertyPost({ Temperature: 20, CurrentHumidity: -1 })).toEqual({
        ok: false,
        code: 404,
        errors: [
          { field: 'Temperature', reason: 'not defined in the thing model' },
          { field: 'CurrentHumidity', reason: 'must be ≥ 0' },
        ],
      });
      // A key that names an Object.prototype member is still just unknown.
      expect(model.validatePropertyPost(JSON.parse('{"__proto__": 1, "constructor": 2}'))).toEqual({
        ok: false,
        code: 404,
        errors: [
          { field: '__proto__', reason: 'not defined in the thing model' },
          { field: 'constructor', reason: 'not defined in the thing model' },
        ],
      });
    });

    it('drops unknown identifiers when asked, reporting them', () => {
      expect(model.validatePropertyPost({ Temperature: 20, CurrentHumidity: 40 }, { dropUnknown: true })).toEqual({
        ok: true,
        value: { values: [{ identifier: 'CurrentHumidity', value: 40 }], dropped: ['Temperature'] },
      });
    });

    it('answers 400 when params is not an object', () => {
      for (const params of [null, undefined, [], 'x', 5]) {
        expect(model.validatePropertyPost(params)).toEqual({
          ok: false,
          code: 400,
          errors: [{ field: 'params', reason: 'must be an object of property values' }],
        });
      }
    });

    it('accepts an empty report', () => {
      expect(model.validatePropertyPost({})).toEqual({ ok: true, value: { values: [], dropped: [] } });
    });
  });

  describe('validatePropertySet', () => {
    it('accepts read-write properties, normalised', () => {
      expect(model.validatePropertySet({ PowerSwitch: true, WorkMode: 2, LastMaintenance: 1700000000000 })).toEqual({
        ok: true,
        value: { PowerSwitch: 1, WorkMode: 2, LastMaintenance: '1700000000000' },
      });
    });

    it('refuses a read-only property with 422 "read-only"', () => {
      expect(model.validatePropertySet({ CurrentTemperature: 20, PowerSwitch: 1 })).toEqual({
        ok: false,
        code: 422,
        errors: [{ field: 'CurrentTemperature', reason: 'read-only' }],
      });
    });

    it('checks values against the model, and answers 404 and 400 like a post', () => {
      expect(model.validatePropertySet({ WorkMode: 9 })).toEqual({
        ok: false,
        code: 422,
        errors: [{ field: 'WorkMode', reason: 'must be one of 0 (auto), 1 (cool), 2 (heat), 3 (dry)' }],
      });
      expect(model.validatePropertySet({ Volume: 1 })).toEqual({
        ok: false,
        code: 404,
        errors: [{ field: 'Volume', reason: 'not defined in the thing model' }],
      });
      expect(model.validatePropertySet('PowerSwitch=1')).toMatchObject({ ok: false, code: 400 });
    });
  });

  describe('validatePropertyGet', () => {
    it('accepts a list of property identifiers of any access mode', () => {
      expect(model.validatePropertyGet(['PowerSwitch', 'GeoLocation'])).toEqual({ ok: true, value: ['PowerSwitch', 'GeoLocation'] });
    });

    it('answers 404 for an unknown identifier and 400 for anything but a list of identifiers', () => {
      expect(model.validatePropertyGet(['PowerSwitch', 'Volume'])).toEqual({
        ok: false,
        code: 404,
        errors: [{ field: 'Volume', reason: 'not defined in the thing model' }],
      });
      expect(model.validatePropertyGet({ PowerSwitch: 1 })).toEqual({
        ok: false,
        code: 400,
        errors: [{ field: 'params', reason: 'must be a list of property identifiers' }],
      });
      expect(model.validatePropertyGet([1])).toEqual({ ok: false, code: 400, errors: [{ field: '[0]', reason: 'must be a property identifier' }] });
    });
  });

  describe('validateEvent', () => {
    it('accepts {value, time} with the event\'s outputs', () => {
      expect(model.validateEvent('HighTemperatureAlert', { value: { CurrentTemperature: 91.2, AlarmLevel: 2 }, time: 1524448722000 })).toEqual({
        ok: true,
        value: { value: { CurrentTemperature: 91.2, AlarmLevel: 2 }, time: 1524448722000 },
      });
      expect(model.validateEvent('Error', { value: { ErrorCode: 1 } })).toEqual({ ok: true, value: { value: { ErrorCode: 1 } } });
    });

    it('lists every failing output and refuses outputs the event does not define', () => {
      expect(model.validateEvent('HighTemperatureAlert', { value: { CurrentTemperature: 130, AlarmLevel: 3, Humidity: 1 } })).toEqual({
        ok: false,
        code: 422,
        errors: [
          { field: 'Humidity', reason: 'not an output of event "HighTemperatureAlert"' },
          { field: 'CurrentTemperature', reason: 'must be ≤ 120' },
          { field: 'AlarmLevel', reason: 'must be one of 1 (warning), 2 (critical)' },
        ],
      });
      expect(model.validateEvent('Error', { value: { ErrorCode: 0 }, time: 'now' })).toEqual({
        ok: false,
        code: 422,
        errors: [{ field: 'time', reason: 'time must be a non-negative integer (device ms)' }],
      });
    });

    it('answers 404 for an event the model does not define, including the built-in post', () => {
      for (const eventId of ['Overheat', 'post', 'property']) {
        expect(model.validateEvent(eventId, { value: {} })).toEqual({
          ok: false,
          code: 404,
          errors: [{ field: eventId, reason: 'not an event of the thing model' }],
        });
      }
    });

    it('answers 400 for params that are not {value: {...}, time?}', () => {
      expect(model.validateEvent('Error', [])).toEqual({ ok: false, code: 400, errors: [{ field: 'params', reason: 'must be an object {value, time}' }] });
      expect(model.validateEvent('Error', { ErrorCode: 1 })).toEqual({
        ok: false,
        code: 400,
        errors: [
          { field: 'ErrorCode', reason: 'unexpected: event params are {value, time}' },
          { field: 'value', reason: "must be an object of the event's output parameters" },
        ],
      });
    });
  });

  describe('services', () => {
    it('checks a service\'s input and output, normalising bool and date', () => {
      expect(model.validateServiceInput('Calibrate', { Sensor: 0, Offset: -10 })).toEqual({ ok: true, value: { Sensor: 0, Offset: -10 } });
      expect(model.validateServiceOutput('Calibrate', { Result: true, CalibratedAt: 1700000000000 })).toEqual({
        ok: true,
        value: { Result: 1, CalibratedAt: '1700000000000' },
      });
    });

    it('lists every failing parameter and refuses undefined ones', () => {
      expect(model.validateServiceInput('Calibrate', { Sensor: 2, Offset: 10.5, Gain: 1 })).toEqual({
        ok: false,
        code: 422,
        errors: [
          { field: 'Gain', reason: 'not an input of service "Calibrate"' },
          { field: 'Sensor', reason: 'must be one of 0 (temperature), 1 (humidity)' },
          { field: 'Offset', reason: 'must be ≤ 10' },
        ],
      });
      expect(model.validateServiceOutput('Calibrate', { Result: 'yes' })).toEqual({
        ok: false,
        code: 422,
        errors: [{ field: 'Result', reason: 'must be 0 (failed) or 1 (succeeded)' }],
      });
    });

    it('answers 404 for an unknown service and 400 for non-object params', () => {
      expect(model.validateServiceInput('SelfDestruct', {})).toEqual({
        ok: false,
        code: 404,
        errors: [{ field: 'SelfDestruct', reason: 'not a service of the thing model' }],
      });
      expect(model.validateServiceOutput('SelfDestruct', {})).toMatchObject({ ok: false, code: 404 });
      expect(model.validateServiceInput('Reboot', 5)).toEqual({
        ok: false,
        code: 400,
        errors: [{ field: 'params', reason: 'must be an object of named parameters' }],
      });
    });

    it('accepts a missing reply data for a service without outputs', () => {
      expect(model.validateServiceOutput('Reboot', undefined)).toEqual({ ok: true, value: {} });
    });

    it('routes the built-in set and get to the property checks', () => {
      expect(model.validateServiceInput('set', { PowerSwitch: false })).toEqual({ ok: true, value: { PowerSwitch: 0 } });
      expect(model.validateServiceInput('set', { CurrentHumidity: 1 })).toEqual({
        ok: false,
        code: 422,
        errors: [{ field: 'CurrentHumidity', reason: 'read-only' }],
      });
      expect(model.validateServiceOutput('set', {})).toEqual({ ok: true, value: {} });
      // get_reply carries property values of any access mode.
      expect(model.validateServiceOutput('get', { CurrentHumidity: 40, PowerSwitch: true })).toEqual({
        ok: true,
        value: { CurrentHumidity: 40, PowerSwitch: 1 },
      });
      expect(model.validateServiceOutput('get', { CurrentHumidity: 400 })).toEqual({
        ok: false,
        code: 422,
        errors: [{ field: 'CurrentHumidity', reason: 'must be ≤ 100' }],
      });
      expect(model.validateServiceInput('get', ['PowerSwitch'])).toMatchObject({ ok: false, code: 400 });
    });
  });

  it('gives the same answers from two versions compiled side by side', () => {
    const again = compileThingModel('a1EnvMon001', 4, loadExample());
    const params = { CurrentHumidity: 101, PowerSwitch: true };
    expect(again.validatePropertyPost(params)).toEqual(model.validatePropertyPost(params));
  });

  it('keeps working after release()', () => {
    const released = compileThingModel('pk', 1, loadExample());
    released.release();
    const errors: FieldError[] = [{ field: 'WorkMode', reason: 'must be one of 0 (auto), 1 (cool), 2 (heat), 3 (dry)' }];
    expect(released.validatePropertyPost({ WorkMode: 7 })).toEqual({ ok: false, code: 422, errors });
  });
});

describe('hand-written documents', () => {
  it('compile with specs as JSON numbers and services or events without data lists', () => {
    const doc = {
      properties: [{ identifier: 'level', name: 'Level', accessMode: 'rw', dataType: { type: 'int', specs: { min: 1, max: 5 } } }],
      services: [{ identifier: 'reboot', name: 'Reboot', callType: 'async' }],
      events: [{ identifier: 'started', name: 'Started', type: 'info' }],
    } as TslDocument;
    const compiled = compileThingModel('pk', 1, doc);
    expect(post('level', 5, compiled)).toBe(5);
    expect(post('level', 6, compiled)).toEqual(fails('level', 'must be ≤ 5'));
    expect(compiled.validateServiceInput('reboot', {})).toEqual({ ok: true, value: {} });
    expect(compiled.validateEvent('started', { value: {} })).toEqual({ ok: true, value: { value: {} } });
    expect(compiled.validateEvent('started', { value: { x: 1 } })).toEqual({
      ok: false,
      code: 422,
      errors: [{ field: 'x', reason: 'not an output of event "started"' }],
    });
  });
});
