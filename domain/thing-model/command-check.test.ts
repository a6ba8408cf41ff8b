import { afterEach, describe, expect, it } from 'vitest';
import { FakeDeviceSession } from '../../server/testing/fake-device-session.ts';
import type { ThingCommand } from '../devices/thing-message.ts';
import { startTestDeviceHub, type TestDeviceHub } from '../../server/testing/test-device-hub.ts';
import { checkCommand, thingModelCommandCheck } from './command-check.ts';
import { compileThingModel } from '../../server/thing-model/tsl-compiler.ts';
import type { TslDocument } from './tsl-types.ts';

/** A lamp: a writable enum, int and struct, a read-only text, and a service with inputs. */
const lampTsl: TslDocument = {
  properties: [
    { identifier: 'mode', name: 'Mode', accessMode: 'rw', dataType: { type: 'enum', specs: { 0: 'off', 1: 'on', 2: 'blink' } } },
    { identifier: 'brightness', name: 'Brightness', accessMode: 'rw', dataType: { type: 'int', specs: { min: '0', max: '100' } } },
    {
      identifier: 'pos', name: 'Position', accessMode: 'rw',
      dataType: { type: 'struct', specs: [
        { identifier: 'lat', name: 'Lat', dataType: { type: 'double', specs: { min: '-90', max: '90' } } },
        { identifier: 'lon', name: 'Lon', dataType: { type: 'double', specs: { min: '-180', max: '180' } } },
      ] },
    },
    { identifier: 'firmware', name: 'Firmware', accessMode: 'r', dataType: { type: 'text', specs: { length: '16' } } },
  ],
  events: [],
  services: [
    {
      identifier: 'blink', name: 'Blink', callType: 'async',
      inputData: [
        { identifier: 'times', name: 'Times', dataType: { type: 'int', specs: { min: '1', max: '10' } } },
        { identifier: 'label', name: 'Label', dataType: { type: 'text', specs: { length: '4' } } },
      ],
      outputData: [],
    },
  ],
};

const model = compileThingModel('lamps', 2, lampTsl);
const set = (params: unknown): ThingCommand => ({ productKey: 'lamps', deviceName: 'porch', kind: 'property.set', params });
const invoke = (serviceId: string, params?: unknown): ThingCommand =>
  ({ productKey: 'lamps', deviceName: 'porch', kind: 'service.invoke', serviceId, params });
const details = (command: ThingCommand) => checkCommand(model, command)?.details;

describe('checkCommand', () => {
  it('lets a valid property set through', () => {
    expect(checkCommand(model, set({ mode: 2, brightness: 100, pos: { lat: 1.5, lon: -2 } }))).toBeUndefined();
  });

  it('refuses an enum value the model does not list, naming the field and the allowed values', () => {
    const refusal = checkCommand(model, set({ mode: 7 }));
    expect(refusal?.details).toEqual([{ field: 'params.mode', reason: 'must be one of 0 (off), 1 (on), 2 (blink)' }]);
    expect(refusal?.message).toBe(
      'not sent: the command does not fit the thing model of lamps (version 2): params.mode: must be one of 0 (off), 1 (on), 2 (blink)',
    );
  });

  it('refuses values of the wrong type, out of range, or wrong inside a struct', () => {
    expect(details(set({ brightness: 'full' }))).toEqual([{ field: 'params.brightness', reason: 'must be an integer' }]);
    expect(details(set({ brightness: 101 }))).toEqual([{ field: 'params.brightness', reason: 'must be ≤ 100' }]);
    expect(details(set({ pos: { lat: 91, lon: 0 } }))).toEqual([{ field: 'params.pos.lat', reason: 'must be ≤ 90' }]);
  });

  it('refuses setting a read-only property', () => {
    expect(details(set({ firmware: '1.0' }))).toEqual([{ field: 'params.firmware', reason: 'read-only' }]);
  });

  it('refuses a property the model does not define', () => {
    expect(details(set({ colour: 'red' }))).toEqual([{ field: 'params.colour', reason: 'not defined in the thing model' }]);
  });

  it('lists every failing field, valid ones left out', () => {
    expect(details(set({ mode: 1, brightness: -1, firmware: 'x', colour: 1 }))).toEqual([
      { field: 'params.brightness', reason: 'must be ≥ 0' },
      { field: 'params.firmware', reason: 'read-only' },
      { field: 'params.colour', reason: 'not defined in the thing model' },
    ]);
  });

  it('refuses params that are not an object of values', () => {
    expect(details(set([1, 2]))).toEqual([{ field: 'params', reason: 'must be an object of property values' }]);
  });

  it('lets a valid service call through, with or without params', () => {
    expect(checkCommand(model, invoke('blink', { times: 3, label: 'hi' }))).toBeUndefined();
    expect(checkCommand(model, invoke('blink'))).toBeUndefined();
  });

  it('refuses a service the model does not define', () => {
    expect(details(invoke('reboot', {}))).toEqual([{ field: 'serviceId', reason: '"reboot" is not a service of the thing model' }]);
  });

  it('refuses service input out of range, too long, or not an input of the service', () => {
    expect(details(invoke('blink', { times: 11, label: 'hello', colour: 'red' }))).toEqual([
      { field: 'params.colour', reason: 'not an input of service "blink"' },
      { field: 'params.times', reason: 'must be ≤ 10' },
      { field: 'params.label', reason: 'must be at most 4 characters' },
    ]);
  });

  it('does not check raw downlinks', () => {
    expect(checkCommand(model, { productKey: 'lamps', deviceName: 'porch', kind: 'raw.down', params: Buffer.from([1]) })).toBeUndefined();
  });

  it('names at most five fields in the message and all of them in details', () => {
    const many = compileThingModel('pk', 1, {
      properties: Array.from({ length: 7 }, (_, i) => ({ identifier: `p${i}`, name: `p${i}`, accessMode: 'r' as const, dataType: { type: 'int' as const, specs: {} } })),
    });
    const refusal = checkCommand(many, set(Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`p${i}`, 1]))));
    expect(refusal?.details).toHaveLength(7);
    expect(refusal?.message).toMatch(/params\.p4: read-only \(and 2 more\)$/);
  });
});

describe('thingModelCommandCheck', () => {
  it('checks against the product\'s published model, and lets everything through for a product without one', () => {
    const check = thingModelCommandCheck({ compiledFor: (productKey) => (productKey === 'lamps' ? model : undefined) });
    expect(check(set({ mode: 7 }))?.details).toEqual([{ field: 'params.mode', reason: 'must be one of 0 (off), 1 (on), 2 (blink)' }]);
    expect(check({ ...set({ mode: 7, anything: 'at all' }), productKey: 'plain' })).toBeUndefined();
    expect(check({ ...invoke('whatever', { x: 1 }), productKey: 'plain' })).toBeUndefined();
  });
});

describe('the device hub with the thing model check', () => {
  let devices: TestDeviceHub;
  afterEach(() => devices?.close());

  /** Lamps have the model above published; plain has none. */
  async function start(): Promise<TestDeviceHub> {
    devices = await startTestDeviceHub(['lamps/porch', 'plain/shed'], {
      checkCommand: (command) => thingModelCommandCheck(devices.registry.thingModels)(command),
    });
    await devices.registry.thingModels.saveDraft('lamps', lampTsl, 'test');
    await devices.registry.thingModels.publish('lamps', 'test');
    return devices;
  }

  it('ends a refused command with 422 and its fields, logs it as sent down with the reason, and never sends it', async () => {
    const { hub } = await start();
    const porch = new FakeDeviceSession('lamps', 'porch');
    hub.opened(porch);
    const result = await hub.sendCommand(set({ mode: 7, firmware: '2.0' }));
    expect(result).toEqual({
      id: expect.stringMatching(/^\d+$/), code: 422, message: expect.stringContaining('params.mode: must be one of 0 (off), 1 (on), 2 (blink); params.firmware: read-only'),
      details: [{ field: 'params.mode', reason: 'must be one of 0 (off), 1 (on), 2 (blink)' }, { field: 'params.firmware', reason: 'read-only' }],
    });
    expect(porch.commands).toEqual([]);
    expect((await devices.messageLog('lamps', 'porch')).filter((m) => m.direction === 'down')).toEqual([
      expect.objectContaining({ kind: 'property.set', msgId: result.id, code: 422, reason: result.message }),
    ]);
    expect(hub.stats().commandsByCode['422']).toBe(1);
  });

  it('refuses at once rather than queue a command for an offline device', async () => {
    const { hub } = await start();
    const queued: string[] = [];
    const result = await hub.sendCommand({ ...invoke('reboot', {}), whenOffline: 'queue' }, { onQueued: (id) => queued.push(id) });
    expect(result).toMatchObject({ code: 422, details: [{ field: 'serviceId', reason: '"reboot" is not a service of the thing model' }] });
    expect(queued).toEqual([]);
    expect(hub.stats().queuedCommands).toBe(0);
  });

  it('sends commands that fit, and those of a product without a published model, as before', async () => {
    const { hub } = await start();
    const porch = new FakeDeviceSession('lamps', 'porch');
    const shed = new FakeDeviceSession('plain', 'shed');
    for (const session of [porch, shed]) {
      session.onCommand = (command, id) => queueMicrotask(() => hub.uplink(session, session.message('property.set.reply', { id, code: 200, params: {} })));
      hub.opened(session);
    }
    expect(await hub.sendCommand({ ...set({ mode: 1 }), timeoutMs: 2000 })).toMatchObject({ code: 200 });
    expect(await hub.sendCommand({ ...set({ anything: 'goes' }), productKey: 'plain', deviceName: 'shed', timeoutMs: 2000 })).toMatchObject({ code: 200 });
    expect(porch.commands.map((c) => c.command.params)).toEqual([{ mode: 1 }]);
    expect(shed.commands.map((c) => c.command.params)).toEqual([{ anything: 'goes' }]);
  });

  it('ends the command with 500, unsent, when the check itself throws', async () => {
    devices = await startTestDeviceHub(['lamps/porch'], {
      checkCommand: () => {
        throw new Error('database is locked');
      },
    });
    const porch = new FakeDeviceSession('lamps', 'porch');
    devices.hub.opened(porch);
    expect(await devices.hub.sendCommand(set({ mode: 1 }))).toMatchObject({ code: 500, message: 'not sent: the command could not be checked' });
    expect(porch.commands).toEqual([]);
  });
});
