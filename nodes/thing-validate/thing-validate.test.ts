import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compileThingModel } from '../../server/thing-model/tsl-compiler.ts';
import type { TslDocument } from '../../domain/thing-model/tsl-types.ts';
import { registerNodes } from '../kit/register-nodes.ts';
import {
  messagesTo,
  nextMessage,
  nodeTestHelper,
  onTab,
  settled,
  statusesOf,
  testServices,
  type NodeTestHelper,
} from '../kit/node-test-harness.ts';
import type { NodeMessage } from '../kit/node-red-api.ts';
import type { ThingFlowMessage, ThingMessageKind } from '../kit/thing-flow-message.ts';
import { thingValidateNode } from './thing-validate.runtime.ts';

const thermostat: TslDocument = {
  properties: [
    {
      identifier: 'temperature',
      name: 'Temperature',
      accessMode: 'r',
      dataType: { type: 'float', specs: { min: '-40', max: '120' } },
    },
    { identifier: 'power', name: 'Power', accessMode: 'rw', dataType: { type: 'bool', specs: { '0': 'off', '1': 'on' } } },
  ],
  events: [
    {
      identifier: 'overheat',
      name: 'Overheat',
      type: 'alert',
      outputData: [{ identifier: 'temp', name: 'Temp', dataType: { type: 'float', specs: {} } }],
    },
  ],
  services: [
    {
      identifier: 'reboot',
      name: 'Reboot',
      callType: 'async',
      inputData: [],
      outputData: [{ identifier: 'ok', name: 'OK', dataType: { type: 'bool', specs: { '0': 'no', '1': 'yes' } } }],
    },
  ],
};

const RECEIVED_AT = 1_700_000_000_000;

function deviceMessage(kind: ThingMessageKind, payload: unknown, thing: Partial<ThingFlowMessage['thing']> = {}): NodeMessage {
  return {
    payload,
    thing: {
      id: '42',
      productKey: 'thermo',
      deviceName: 'hall',
      kind,
      receivedAt: RECEIVED_AT,
      protocol: 'mqtt',
      dialect: 'alink',
      ack: { token: 't-42' },
      ...thing,
    },
  };
}

/** validate → [valid, invalid] helpers, plus a catch node; extra node config per test. */
function pipeline(config: Record<string, unknown>) {
  return onTab([
    { id: 'validate', type: 'thing-validate', name: '', product: '', unknownProperties: 'reject', ...config, wires: [['valid'], ['invalid']] },
    { id: 'valid', type: 'helper' },
    { id: 'invalid', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ]);
}

describe('thing-validate', () => {
  let helper: NodeTestHelper;
  const register = (RED: unknown) => registerNodes(RED, [thingValidateNode]);

  beforeAll(() => {
    helper = nodeTestHelper();
  });
  afterEach(async () => {
    await helper.unload();
  });

  async function load(config: Record<string, unknown> = {}, withServices = true) {
    const services = testServices({ thermo: compileThingModel('thermo', 1, thermostat) });
    helper.settings(withServices ? { thingwire: { services, registerNodes: register } } : {});
    await helper.load(register, pipeline(config));
  }

  /** Sends a device message and returns what came out of each output. */
  async function validate(message: NodeMessage, expectOn: 'valid' | 'invalid') {
    const other = messagesTo(helper, expectOn === 'valid' ? 'invalid' : 'valid');
    const arrived = nextMessage(helper, expectOn);
    helper.getNode('validate').receive(message);
    const out = (await arrived) as ThingFlowMessage;
    await settled();
    expect(other).toEqual([]);
    return out;
  }

  it('passes a valid property post on output 1 with a normalised payload and timed values', async () => {
    await load();
    const out = await validate(
      deviceMessage('property.post', { temperature: 21.5, power: { value: 1, time: 1_700_000_000_123 } }),
      'valid',
    );
    expect(out.payload).toEqual({ temperature: 21.5, power: 1 });
    expect(out.thing.values).toEqual([
      { identifier: 'temperature', value: 21.5, time: RECEIVED_AT },
      { identifier: 'power', value: 1, time: 1_700_000_000_123 },
    ]);
    expect(out.error).toBeUndefined();
    expect(statusesOf(helper, 'validate').at(-1)).toEqual({ fill: 'green', shape: 'dot', text: '1 valid, 0 invalid' });
  });

  it('prefers the device time of the message over the receive time for values without their own time', async () => {
    await load();
    const out = await validate(deviceMessage('property.post', { temperature: 20 }, { deviceTime: 1_699_999_999_000 }), 'valid');
    expect(out.thing.values).toEqual([{ identifier: 'temperature', value: 20, time: 1_699_999_999_000 }]);
  });

  it('rejects an unknown property with 404 on output 2 when unknownProperties is reject', async () => {
    await load({ unknownProperties: 'reject' });
    const out = await validate(deviceMessage('property.post', { temperature: 20, bogus: 1 }), 'invalid');
    expect(out.error).toMatchObject({ code: 404, details: [{ field: 'bogus' }] });
    expect(out.error?.message).toContain('bogus');
    expect(out.thing.replyCode).toBe(404);
    expect(out.payload).toEqual({ temperature: 20, bogus: 1 });
    expect(statusesOf(helper, 'validate').at(-1)).toEqual({ fill: 'yellow', shape: 'dot', text: '0 valid, 1 invalid' });
  });

  it('drops an unknown property and passes the rest when unknownProperties is drop', async () => {
    await load({ unknownProperties: 'drop' });
    const out = await validate(deviceMessage('property.post', { temperature: 20, bogus: 1 }), 'valid');
    expect(out.payload).toEqual({ temperature: 20 });
    expect(out.thing.dropped).toEqual(['bogus']);
  });

  it('answers 422 with one field error per failing value', async () => {
    await load();
    const out = await validate(deviceMessage('property.post', { temperature: 'hot', power: 3 }), 'invalid');
    expect(out.error?.code).toBe(422);
    expect(out.error?.details.map((d) => d.field).sort()).toEqual(['power', 'temperature']);
    expect(out.error?.message).toMatch(/^failed the thing model: /);
    expect(out.thing.replyCode).toBe(422);
  });

  it('answers 400 for params that are not an object', async () => {
    await load();
    const out = await validate(deviceMessage('property.post', 'hot'), 'invalid');
    expect(out.error?.code).toBe(400);
  });

  it('answers 404 for a product without a published thing model', async () => {
    await load();
    const out = await validate(deviceMessage('property.post', { temperature: 1 }, { productKey: 'unpublished' }), 'invalid');
    expect(out.error).toEqual({ code: 404, message: 'product unpublished has no published thing model', details: [] });
    expect(out.thing.replyCode).toBe(404);
  });

  it('uses the configured product instead of the message product', async () => {
    await load({ product: 'thermo' });
    const out = await validate(deviceMessage('property.post', { temperature: 1 }, { productKey: 'other' }), 'valid');
    expect(out.payload).toEqual({ temperature: 1 });
  });

  it('validates an event and moves its time to msg.thing.deviceTime', async () => {
    await load();
    const out = await validate(
      deviceMessage('event.post', { value: { temp: 91.2 }, time: 1_700_000_000_999 }, { eventId: 'overheat' }),
      'valid',
    );
    expect(out.payload).toEqual({ temp: 91.2 });
    expect(out.thing.deviceTime).toBe(1_700_000_000_999);
  });

  it('rejects an event the model does not define with 404', async () => {
    await load();
    const out = await validate(deviceMessage('event.post', { value: {} }, { eventId: 'explosion' }), 'invalid');
    expect(out.error?.code).toBe(404);
  });

  it('validates a service reply against the service output', async () => {
    await load();
    const out = await validate(deviceMessage('service.reply', { ok: 1 }, { serviceId: 'reboot' }), 'valid');
    expect(out.payload).toEqual({ ok: 1 });
  });

  it('passes other kinds through unchanged', async () => {
    await load();
    const message = deviceMessage('ota.inform', { version: '1.0.1' });
    const out = await validate(message, 'valid');
    expect(out.payload).toEqual({ version: '1.0.1' });
    expect(out.thing).toEqual(message['thing']);
  });

  it('rejects a message without msg.thing with 400', async () => {
    await load();
    const out = await validate({ payload: { temperature: 1 } }, 'invalid');
    expect(out.error?.code).toBe(400);
  });

  it('counts valid and invalid messages in its status', async () => {
    await load();
    await validate(deviceMessage('property.post', { temperature: 1 }), 'valid');
    // Later updates within the throttle interval are deferred, not shown per message.
    await validate(deviceMessage('property.post', { temperature: 'x' }), 'invalid');
    expect(statusesOf(helper, 'validate')).toEqual([{ fill: 'green', shape: 'dot', text: '1 valid, 0 invalid' }]);
  });

  it('with an invalid config shows a red status, stays inert and fails each input to the catch node', async () => {
    await load({ unknownProperties: 'explode' });
    expect(statusesOf(helper, 'validate')).toEqual([
      {
        fill: 'red',
        shape: 'ring',
        text: 'invalid config: Unknown properties must be one of "reject", "drop" (got "explode")',
      },
    ]);
    const valid = messagesTo(helper, 'valid');
    const invalid = messagesTo(helper, 'invalid');
    const caught = nextMessage(helper, 'caught');
    helper.getNode('validate').receive(deviceMessage('property.post', { temperature: 1 }));
    const error = (await caught)['error'] as { message: string; source: { id: string } };
    expect(error.message).toContain('invalid config');
    expect(error.source.id).toBe('validate');
    await settled();
    expect([valid, invalid]).toEqual([[], []]);
  });

  it('stays inert with a red status when the Thingwire services are not in the settings', async () => {
    await load({}, false);
    expect(statusesOf(helper, 'validate')).toEqual([
      { fill: 'red', shape: 'ring', text: 'Thingwire services not available' },
    ]);
    const caught = nextMessage(helper, 'caught');
    helper.getNode('validate').receive(deviceMessage('property.post', { temperature: 1 }));
    expect(((await caught)['error'] as { message: string }).message).toContain('Thingwire services not available');
  });
});
