import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TslInvalidError, assertTsl, checkTsl } from './tsl-check.ts';

const example: unknown = JSON.parse(readFileSync(new URL('./fixtures/alibaba-example-tsl.json', import.meta.url), 'utf8'));

/** A document with one property of the given dataType, the smallest thing a dataType problem can live in. */
function withType(dataType: unknown): unknown {
  return { properties: [{ identifier: 'p', name: 'P', accessMode: 'rw', required: false, dataType }] };
}

const int = (specs: Record<string, unknown> = { min: '0', max: '10', step: '1' }) => ({ type: 'int', specs });
const param = (identifier: string, dataType: unknown = int()) => ({ identifier, name: identifier, dataType });

describe('checkTsl', () => {
  it('accepts the Alibaba example export with zero problems', () => {
    expect(checkTsl(example)).toEqual([]);
    expect(() => assertTsl(example)).not.toThrow();
  });

  it('accepts an empty object and spec numbers written as JSON numbers', () => {
    expect(checkTsl({})).toEqual([]);
    expect(checkTsl(withType({ type: 'float', specs: { min: -40, max: 120.5, step: 0.1 } }))).toEqual([]);
  });

  it('refuses anything but an object', () => {
    for (const doc of [null, [], 'tsl', 42]) {
      expect(checkTsl(doc)).toEqual([
        { path: '', message: 'a thing model must be a JSON object with properties, services and events' },
      ]);
    }
    expect(checkTsl({ properties: {}, services: 'x' })).toEqual([
      { path: '/properties', message: 'properties must be a list' },
      { path: '/services', message: 'services must be a list' },
    ]);
  });

  describe('identifiers', () => {
    it('must start with a letter and have at most 32 letters, digits or underscores', () => {
      const ids = ['a'.repeat(32), 'A_1', 'a'.repeat(33), '1abc', 'temp-1', '_x', ''];
      const problems = checkTsl({
        properties: ids.map((identifier) => ({ identifier, name: 'n', accessMode: 'r', dataType: int() })),
      });
      expect(problems).toEqual([
        {
          path: '/properties/2/identifier',
          message: `"${'a'.repeat(33)}" is not a valid identifier: use a letter, then up to 31 letters, digits or underscores`,
        },
        { path: '/properties/3/identifier', message: '"1abc" is not a valid identifier: use a letter, then up to 31 letters, digits or underscores' },
        { path: '/properties/4/identifier', message: '"temp-1" is not a valid identifier: use a letter, then up to 31 letters, digits or underscores' },
        { path: '/properties/5/identifier', message: '"_x" is not a valid identifier: use a letter, then up to 31 letters, digits or underscores' },
        { path: '/properties/6/identifier', message: 'identifier is missing' },
      ]);
    });

    it('finds duplicates within properties, services, events, struct fields and inputData/outputData', () => {
      const problems = checkTsl({
        properties: [
          { identifier: 'temp', name: 'a', accessMode: 'r', dataType: int() },
          { identifier: 'temp', name: 'b', accessMode: 'r', dataType: int() },
          {
            identifier: 'pos',
            name: 'pos',
            accessMode: 'r',
            dataType: { type: 'struct', specs: [param('lat'), param('lat')] },
          },
        ],
        services: [
          { identifier: 'calibrate', name: 'a', callType: 'sync', inputData: [param('x'), param('x')], outputData: [param('y'), param('y')] },
          { identifier: 'calibrate', name: 'b', callType: 'sync', inputData: [], outputData: [] },
        ],
        events: [
          { identifier: 'overheat', name: 'a', type: 'alert', outputData: [param('t'), param('t')] },
          { identifier: 'overheat', name: 'b', type: 'alert', outputData: [] },
        ],
      });
      expect(problems).toEqual([
        { path: '/properties/1/identifier', message: 'duplicate property identifier "temp" (already used at /properties/0)' },
        {
          path: '/properties/2/dataType/specs/1/identifier',
          message: 'duplicate struct field identifier "lat" (already used at /properties/2/dataType/specs/0)',
        },
        {
          path: '/services/0/inputData/1/identifier',
          message: 'duplicate input parameter identifier "x" (already used at /services/0/inputData/0)',
        },
        {
          path: '/services/0/outputData/1/identifier',
          message: 'duplicate output parameter identifier "y" (already used at /services/0/outputData/0)',
        },
        { path: '/services/1/identifier', message: 'duplicate service identifier "calibrate" (already used at /services/0)' },
        {
          path: '/events/0/outputData/1/identifier',
          message: 'duplicate output parameter identifier "t" (already used at /events/0/outputData/0)',
        },
        { path: '/events/1/identifier', message: 'duplicate event identifier "overheat" (already used at /events/0)' },
      ]);
    });

    it('does not count the same identifier in different kinds, or repeated by the built-in post/set/get, as duplicates', () => {
      const power = { identifier: 'Power', name: 'Power', accessMode: 'rw', required: true, dataType: { type: 'bool', specs: { 0: 'off', 1: 'on' } } };
      const powerParam = { identifier: 'Power', name: 'Power', dataType: power.dataType };
      expect(
        checkTsl({
          properties: [power],
          services: [
            { identifier: 'set', name: 'set', callType: 'async', method: 'thing.service.property.set', inputData: [powerParam], outputData: [] },
            { identifier: 'get', name: 'get', callType: 'async', method: 'thing.service.property.get', inputData: ['Power'], outputData: [powerParam] },
            { identifier: 'Power', name: 'Toggle power', callType: 'sync', inputData: [powerParam], outputData: [powerParam] },
          ],
          events: [
            { identifier: 'post', name: 'post', type: 'info', method: 'thing.event.property.post', outputData: [powerParam] },
            { identifier: 'Power', name: 'Power changed', type: 'info', outputData: [powerParam] },
          ],
        }),
      ).toEqual([]);
    });

    it('keeps set, get, post and property for the built-in features', () => {
      expect(
        checkTsl({
          services: [
            { identifier: 'set', name: 'my set', callType: 'sync', inputData: [], outputData: [] },
            { identifier: 'property', name: 'p', callType: 'sync', inputData: [], outputData: [] },
          ],
          events: [{ identifier: 'post', name: 'my post', type: 'info', outputData: [] }],
        }),
      ).toEqual([
        { path: '/services/0/identifier', message: '"set" is reserved for the built-in property services; choose another' },
        { path: '/services/1/identifier', message: '"property" is reserved for the built-in property services; choose another' },
        { path: '/events/0/identifier', message: '"post" is reserved for the built-in property post event; choose another' },
      ]);
    });

    it('checks that the built-in features carry their own identifier and list real properties', () => {
      expect(
        checkTsl({
          properties: [{ identifier: 'temp', name: 't', accessMode: 'r', dataType: int() }],
          services: [
            { identifier: 'setter', name: 'set', callType: 'async', method: 'thing.service.property.set', inputData: [], outputData: [] },
            { identifier: 'get', name: 'get', callType: 'async', method: 'thing.service.property.get', inputData: ['temp', 'hum'], outputData: [] },
          ],
          events: [{ identifier: 'post', name: 'post', type: 'info', method: 'thing.event.property.post', outputData: [param('hum')] }],
        }),
      ).toEqual([
        { path: '/services/0/identifier', message: 'the built-in thing.service.property.set must have identifier "set", not "setter"' },
        { path: '/services/1/inputData/1', message: 'thing.service.property.get lists "hum", which is not a property of this thing model' },
        {
          path: '/events/0/outputData/0/identifier',
          message: 'thing.event.property.post lists "hum", which is not a property of this thing model',
        },
      ]);
    });

    it('checks that a method, when given, matches the identifier', () => {
      expect(
        checkTsl({
          services: [{ identifier: 'reboot', name: 'r', callType: 'async', method: 'thing.service.restart', inputData: [], outputData: [] }],
          events: [{ identifier: 'overheat', name: 'o', type: 'alert', method: 'thing.event.overheat', outputData: [] }],
        }),
      ).toEqual([
        { path: '/services/0/method', message: 'method must be "thing.service.reboot" (or left out), not "thing.service.restart"' },
        { path: '/events/0/method', message: 'method must be "thing.event.overheat.post" (or left out), not "thing.event.overheat"' },
      ]);
    });
  });

  describe('features', () => {
    it('requires a name everywhere, and accessMode, callType and event type from their lists', () => {
      expect(
        checkTsl({
          properties: [{ identifier: 'temp', accessMode: 'w', dataType: { type: 'struct', specs: [{ identifier: 'a', dataType: int() }] } }],
          services: [{ identifier: 'reboot', name: ' ', callType: 'later', inputData: [{ identifier: 'delay', dataType: int() }], outputData: [] }],
          events: [{ identifier: 'overheat', type: 'warning', outputData: [] }],
        }),
      ).toEqual([
        { path: '/properties/0/name', message: 'name is missing' },
        { path: '/properties/0/accessMode', message: 'accessMode must be "r" (read-only) or "rw" (read-write), not "w"' },
        { path: '/properties/0/dataType/specs/0/name', message: 'name is missing' },
        { path: '/services/0/name', message: 'name is missing' },
        { path: '/services/0/callType', message: 'callType must be "sync" or "async", not "later"' },
        { path: '/services/0/inputData/0/name', message: 'name is missing' },
        { path: '/events/0/name', message: 'name is missing' },
        { path: '/events/0/type', message: 'event type must be "info", "alert" or "error", not "warning"' },
      ]);
    });

    it('lists every problem of a document, not only the first', () => {
      const problems = checkTsl({
        properties: [
          { identifier: '9lives', name: 'a', accessMode: 'r', dataType: { type: 'int', specs: { min: '100', max: '10' } } },
          { identifier: 'b', name: 'b', accessMode: 'x', dataType: { type: 'string' } },
        ],
        events: [{ identifier: 'e', name: 'e', type: 'fatal', outputData: [] }],
      });
      expect(problems.map((problem) => problem.path)).toEqual([
        '/properties/0/identifier',
        '/properties/0/dataType/specs/min',
        '/properties/1/accessMode',
        '/properties/1/dataType/type',
        '/events/0/type',
      ]);
    });
  });

  describe('data types', () => {
    it('names the nine types when the type is unknown', () => {
      expect(checkTsl(withType({ type: 'integer', specs: {} }))).toEqual([
        {
          path: '/properties/0/dataType/type',
          message: 'unknown type "integer"; use one of int, float, double, text, date, bool, enum, struct, array',
        },
      ]);
      expect(checkTsl(withType(undefined))).toEqual([
        { path: '/properties/0/dataType', message: 'dataType must be an object with type and specs' },
      ]);
    });

    it('checks min, max and step of int, float and double', () => {
      const cases: Array<[unknown, Array<{ path: string; message: string }>]> = [
        [{ type: 'int', specs: { min: '100', max: '10' } }, [{ path: '/properties/0/dataType/specs/min', message: 'min (100) is greater than max (10)' }]],
        [{ type: 'float', specs: { min: 'low', max: '1,5' } }, [
          { path: '/properties/0/dataType/specs/min', message: 'min ("low") is not a number' },
          { path: '/properties/0/dataType/specs/max', message: 'max ("1,5") is not a number' },
        ]],
        [{ type: 'double', specs: { min: '0', max: '1', step: 'x' } }, [{ path: '/properties/0/dataType/specs/step', message: 'step ("x") is not a number' }]],
        [{ type: 'double', specs: { min: '0', max: '1', step: '0' } }, [{ path: '/properties/0/dataType/specs/step', message: 'step (0) must be greater than 0' }]],
        [{ type: 'int', specs: { min: '0', max: '10', step: -1 } }, [{ path: '/properties/0/dataType/specs/step', message: 'step (-1) must be greater than 0' }]],
        [{ type: 'int', specs: { min: '0.5', max: '3000000000' } }, [
          { path: '/properties/0/dataType/specs/min', message: 'min (0.5) must be a whole number for an int' },
          { path: '/properties/0/dataType/specs/max', message: 'max (3000000000) is outside the int32 range -2147483648..2147483647' },
        ]],
        [{ type: 'float', specs: { min: '5', max: '5', step: '0.01' } }, []],
        [{ type: 'int', specs: { min: '', max: '', step: '' } }, []],
        [{ type: 'int' }, []],
      ];
      for (const [dataType, expected] of cases) expect(checkTsl(withType(dataType)), JSON.stringify(dataType)).toEqual(expected);
    });

    it('checks text length is a whole number from 1 to 10240', () => {
      for (const length of ['1', '10240', 255, undefined]) {
        expect(checkTsl(withType({ type: 'text', specs: { length } }))).toEqual([]);
      }
      for (const [length, shown] of [['0', '"0"'], ['10241', '"10241"'], [1.5, '1.5'], ['abc', '"abc"']] as const) {
        expect(checkTsl(withType({ type: 'text', specs: { length } }))).toEqual([
          { path: '/properties/0/dataType/specs/length', message: `length (${shown}) must be a whole number from 1 to 10240` },
        ]);
      }
    });

    it('checks array size is a whole number from 1 to 512 and the item type', () => {
      const array = (specs: unknown) => withType({ type: 'array', specs });
      expect(checkTsl(array({ size: '512', item: { type: 'int' } }))).toEqual([]);
      expect(checkTsl(array({ size: 1, item: { type: 'text', specs: { length: '10' } } }))).toEqual([]);
      expect(checkTsl(array({ size: '0', item: { type: 'int' } }))).toEqual([
        { path: '/properties/0/dataType/specs/size', message: 'size ("0") must be a whole number from 1 to 512' },
      ]);
      expect(checkTsl(array({ size: '513', item: { type: 'int' } }))).toEqual([
        { path: '/properties/0/dataType/specs/size', message: 'size ("513") must be a whole number from 1 to 512' },
      ]);
      expect(checkTsl(array({ item: { type: 'int' } }))).toEqual([
        { path: '/properties/0/dataType/specs/size', message: 'size is missing; set the maximum number of elements, 1 to 512' },
      ]);
      for (const type of ['bool', 'date', 'enum', 'array', 'list']) {
        expect(checkTsl(array({ size: '4', item: { type } }))).toEqual([
          { path: '/properties/0/dataType/specs/item/type', message: `an array holds int, float, double, text, struct, not "${type}"` },
        ]);
      }
      expect(checkTsl(array({ size: '4' }))).toEqual([
        { path: '/properties/0/dataType/specs/item', message: 'item is missing; give the element type, e.g. {"type": "int"}' },
      ]);
      // The item's own specs are checked like any data type's.
      expect(checkTsl(array({ size: '4', item: { type: 'int', specs: { min: '9', max: '1' } } }))).toEqual([
        { path: '/properties/0/dataType/specs/item/specs/min', message: 'min (9) is greater than max (1)' },
      ]);
    });

    it('requires enum values that are integers, with labels', () => {
      expect(checkTsl(withType({ type: 'enum', specs: { '-1': 'error', '0': 'auto', '10': 'max' } }))).toEqual([]);
      for (const specs of [{}, undefined]) {
        expect(checkTsl(withType({ type: 'enum', specs }))).toEqual([
          { path: '/properties/0/dataType/specs', message: 'enum needs at least one value with its label, e.g. {"0": "auto", "1": "manual"}' },
        ]);
      }
      expect(checkTsl(withType({ type: 'enum', specs: { a: 'x', '1.5': 'y', 'a/b': 'z', '2': 7 } }))).toEqual([
        { path: '/properties/0/dataType/specs/2', message: 'the label of 2 must be text, not 7' },
        { path: '/properties/0/dataType/specs/a', message: 'enum value "a" is not an integer; enum values are whole numbers with labels' },
        { path: '/properties/0/dataType/specs/1.5', message: 'enum value "1.5" is not an integer; enum values are whole numbers with labels' },
        { path: '/properties/0/dataType/specs/a~1b', message: 'enum value "a/b" is not an integer; enum values are whole numbers with labels' },
      ]);
    });

    it('requires bool labels for exactly 0 and 1', () => {
      expect(checkTsl(withType({ type: 'bool', specs: { '0': 'off', '1': 'on' } }))).toEqual([]);
      expect(checkTsl(withType({ type: 'bool', specs: {} }))).toEqual([
        { path: '/properties/0/dataType/specs', message: 'bool needs labels for its values, e.g. {"0": "off", "1": "on"}' },
      ]);
      expect(checkTsl(withType({ type: 'bool', specs: { '0': 'off', '2': 'maybe' } }))).toEqual([
        { path: '/properties/0/dataType/specs/2', message: 'bool values are 0 and 1 only; remove "2"' },
        { path: '/properties/0/dataType/specs', message: 'bool needs a label for 1' },
      ]);
    });

    it('requires struct fields and forbids a struct inside a struct', () => {
      for (const specs of [[], undefined, {}]) {
        expect(checkTsl(withType({ type: 'struct', specs }))).toEqual([
          { path: '/properties/0/dataType/specs', message: 'a struct needs a list of at least one field' },
        ]);
      }
      const inner = { type: 'struct', specs: [param('x')] };
      expect(checkTsl(withType({ type: 'struct', specs: [param('a'), param('b', inner)] }))).toEqual([
        {
          path: '/properties/0/dataType/specs/1/dataType/type',
          message: 'a struct cannot contain another struct (Alibaba forbids nesting); flatten it',
        },
      ]);
      expect(
        checkTsl(withType({ type: 'struct', specs: [param('list', { type: 'array', specs: { size: '2', item: inner } })] })),
      ).toEqual([
        {
          path: '/properties/0/dataType/specs/0/dataType/specs/item/type',
          message: 'a struct cannot contain an array of structs (Alibaba forbids nesting structs)',
        },
      ]);
      // An array of structs is fine on its own, and its fields are checked.
      expect(
        checkTsl(withType({ type: 'array', specs: { size: '2', item: { type: 'struct', specs: [param('a'), param('a')] } } })),
      ).toEqual([
        {
          path: '/properties/0/dataType/specs/item/specs/1/identifier',
          message: 'duplicate struct field identifier "a" (already used at /properties/0/dataType/specs/item/specs/0)',
        },
      ]);
    });
  });

  it('assertTsl throws a TslInvalidError (422 tsl_invalid) with every problem', () => {
    const doc = withType({ type: 'int', specs: { min: '100', max: '10', step: '0' } });
    try {
      assertTsl(doc);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TslInvalidError);
      const invalid = error as TslInvalidError;
      expect(invalid.status).toBe(422);
      expect(invalid.code).toBe('tsl_invalid');
      expect(invalid.message).toBe(
        'The thing model is invalid: /properties/0/dataType/specs/min: min (100) is greater than max (10) (and 1 more problems)',
      );
      expect(invalid.problems).toHaveLength(2);
      expect(invalid.details).toEqual({ problems: invalid.problems });
    }
  });
});
