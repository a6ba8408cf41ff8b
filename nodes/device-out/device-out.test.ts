import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeDeviceSession } from '../../server/testing/fake-device-session.ts';
import type { CommandResult } from '../../domain/devices/thing-message.ts';
import { startTestDeviceHub, type TestDeviceHub } from '../../server/testing/test-device-hub.ts';
import { thingModelCommandCheck } from '../../domain/thing-model/command-check.ts';
import { registerNodes } from '../kit/register-nodes.ts';
import { messagesTo, nextMessage, nodeTestHelper, onTab, settled, statusesOf, testServices, type NodeTestHelper } from '../kit/node-test-harness.ts';
import type { NodeMessage } from '../kit/node-red-api.ts';
import { deviceOutNode } from './device-out.runtime.ts';

type OutMessage = NodeMessage & { reply?: CommandResult; error?: { code: number; message: string; details?: unknown } };

describe('device-out', () => {
  let helper: NodeTestHelper;
  let devices: TestDeviceHub;
  /** The lamp, encoding what it is sent with its dialect's real codec (as the MQTT listener does). */
  let lamp: FakeDeviceSession;
  const register = (RED: unknown) => registerNodes(RED, [deviceOutNode]);

  beforeAll(() => {
    helper = nodeTestHelper();
  });
  beforeEach(async () => {
    devices = await startTestDeviceHub(['lamps/porch', 'lamps/hall']);
    lamp = new FakeDeviceSession('lamps', 'porch', { encode: true });
  });
  afterEach(async () => {
    await helper.unload();
    await devices.close();
  });

  async function load(config: Record<string, unknown> = {}) {
    const services = testServices({}, { deviceHub: devices.hub });
    helper.settings({ thingwire: { services, registerNodes: register } });
    await helper.load(register, onTab([
      {
        id: 'out', type: 'device-out', product: 'lamps', device: 'porch', command: 'property.set', service: '', timeoutMs: 5000,
        whenOffline: 'fail', queueTtlSeconds: 60, ...config, wires: [['reply'], ['error']],
      },
      { id: 'reply', type: 'helper' },
      { id: 'error', type: 'helper' },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ]));
  }

  /** Plays the device: answers each command with `code` and `data` in its reply. */
  const answers = (session: FakeDeviceSession, code = 200, data: unknown = {}) => {
    session.onCommand = (command, messageId) => {
      const kind = command.kind === 'property.set' ? 'property.set.reply' : 'service.reply';
      queueMicrotask(() => devices.hub.uplink(session, session.message(kind, { id: messageId, serviceId: command.serviceId, code, params: data })));
    };
  };

  /** Sends `msg` into the node; resolves with what came out of `port`, checking nothing came out of the other. */
  async function send(msg: NodeMessage, port: 'reply' | 'error'): Promise<OutMessage> {
    const other = messagesTo(helper, port === 'reply' ? 'error' : 'reply');
    const arrived = nextMessage(helper, port, 3000);
    helper.getNode('out').receive(msg);
    const out = (await arrived) as OutMessage;
    await settled();
    expect(other).toEqual([]);
    return out;
  }

  it('sets properties and puts the device\'s reply on output 1', async () => {
    await load();
    answers(lamp, 200, { applied: true });
    devices.hub.opened(lamp);
    const out = await send({ payload: { on: 1 }, topic: 'kept' }, 'reply');
    expect(out).toMatchObject({ payload: { applied: true }, topic: 'kept', reply: { code: 200, data: { applied: true } } });
    expect(JSON.parse(lamp.published[0]!.payload.toString())).toMatchObject({ method: 'thing.service.property.set', params: { on: 1 } });
  });

  it('invokes a service on the device a message came from, the command and service taken from the message', async () => {
    await load({ product: '', device: '', command: 'from-message' });
    const hall = new FakeDeviceSession('lamps', 'hall', { dialect: 'things', encode: true });
    answers(hall, 200, { rebooted: true });
    devices.hub.opened(hall);
    const out = await send({ payload: { delay: 1 }, command: 'service.invoke', serviceId: 'reboot', thing: { productKey: 'lamps', deviceName: 'hall' } }, 'reply');
    expect(out.payload).toEqual({ rebooted: true });
    expect(hall.published.map((p) => p.topic)).toEqual(['lamps/hall/thing/service/reboot']);
  });

  it('puts a device\'s error code on output 2', async () => {
    await load({ command: 'service.invoke', service: 'reboot' });
    answers(lamp, 460, { reason: 'busy' });
    devices.hub.opened(lamp);
    const out = await send({ payload: {} }, 'error');
    expect(out.error).toEqual({ code: 460, message: 'device answered 460' });
    expect(out.reply).toMatchObject({ code: 460, data: { reason: 'busy' } });
  });

  it('puts a timeout on output 2 with 504 when the device does not answer', async () => {
    await load({ timeoutMs: 100 });
    devices.hub.opened(lamp);
    const out = await send({ payload: { on: 1 } }, 'error');
    expect(out.error).toEqual({ code: 504, message: 'device did not answer in 100 ms' });
  });

  it('fails fast with 503 on output 2 when the device is offline and the node says fail', async () => {
    await load({ whenOffline: 'fail' });
    const out = await send({ payload: { on: 1 } }, 'error');
    expect(out.error).toEqual({ code: 503, message: 'device is offline' });
  });

  it('queues the command for an offline device and delivers it when the device connects (queue mode)', async () => {
    await load({ whenOffline: 'queue' });
    const arrived = nextMessage(helper, 'reply', 3000);
    helper.getNode('out').receive({ payload: { on: 0 } });
    await settled();
    // The first status shows at once (later ones are throttled).
    expect(statusesOf(helper, 'out')).toEqual([{ fill: 'blue', shape: 'ring', text: '1 waiting' }]);
    answers(lamp, 200, { applied: true });
    devices.hub.opened(lamp);
    expect(await arrived).toMatchObject({ payload: { applied: true }, reply: { code: 200 } });
    expect(lamp.commands.map((c) => c.command.params)).toEqual([{ on: 0 }]);
  });

  it('ends a queued command on output 2 with 410 when its TTL passes first', async () => {
    await load({ whenOffline: 'queue', queueTtlSeconds: 1 });
    const out = await send({ payload: { on: 0 } }, 'error');
    expect(out.error).toEqual({ code: 410, message: 'expired: the device stayed offline for 1000 ms' });
  });

  it('sends a raw downlink and reports it sent on output 1 (202: raw downlinks get no reply)', async () => {
    await load({ command: 'raw.down' });
    devices.hub.opened(lamp);
    const out = await send({ payload: Buffer.from([0xca, 0xfe]) }, 'reply');
    expect(out.reply).toMatchObject({ code: 202, message: 'sent; raw downlinks get no reply' });
    expect(lamp.published).toEqual([{ topic: '/sys/lamps/porch/thing/model/down_raw', payload: Buffer.from([0xca, 0xfe]) }]);
  });

  it('decodes a base64 string payload into the raw downlink\'s bytes', async () => {
    await load({ command: 'raw.down' });
    devices.hub.opened(lamp);
    await send({ payload: Buffer.from([1, 2, 3, 250]).toString('base64') }, 'reply');
    expect(lamp.published.map((p) => [...p.payload])).toEqual([[1, 2, 3, 250]]);
  });

  it('refuses a raw payload string that is not base64 with 400 on output 2, sending nothing', async () => {
    await load({ command: 'raw.down' });
    devices.hub.opened(lamp);
    for (const payload of ['not base64!', 'AQI', '']) {
      const out = await send({ payload }, 'error');
      expect(out.error).toEqual({ code: 400, message: 'a raw downlink\'s msg.payload must be a Buffer or a base64 string' });
    }
    expect(lamp.commands).toEqual([]);
  });

  it('answers 400 on output 2 when the device\'s dialect cannot encode the command', async () => {
    await load({ command: 'raw.down' });
    devices.hub.opened(lamp);
    const raw = await send({ payload: { bytes: [1, 2] } }, 'error');
    expect(raw.error).toEqual({ code: 400, message: 'A raw.down command carries its bytes as a Buffer in params.' });
    await helper.unload();
    await load({ command: 'property.set' });
    const set = await send({ payload: 'on' }, 'error');
    expect(set.error).toEqual({ code: 400, message: 'A property.set command carries an object in params.' });
  });

  it('puts a command the published thing model refuses on output 2 with 422 and the failing fields, sending nothing', async () => {
    await devices.close();
    devices = await startTestDeviceHub(['lamps/porch'], { checkCommand: (command) => thingModelCommandCheck(devices.registry.thingModels)(command) });
    await devices.registry.thingModels.saveDraft('lamps', {
      properties: [{ identifier: 'mode', name: 'Mode', accessMode: 'rw', dataType: { type: 'enum', specs: { 0: 'off', 1: 'on' } } }],
    }, 'test');
    await devices.registry.thingModels.publish('lamps', 'test');
    await load();
    answers(lamp, 200);
    devices.hub.opened(lamp);
    const out = await send({ payload: { mode: 5 } }, 'error');
    expect(out.error).toEqual({
      code: 422,
      message: 'not sent: the command does not fit the thing model of lamps (version 1): params.mode: must be one of 0 (off), 1 (on)',
      details: [{ field: 'params.mode', reason: 'must be one of 0 (off), 1 (on)' }],
    });
    expect(lamp.published).toEqual([]);
    expect(await send({ payload: { mode: 1 } }, 'reply')).toMatchObject({ reply: { code: 200 } });
    expect(lamp.published.map((p) => JSON.parse(p.payload.toString()).params)).toEqual([{ mode: 1 }]);
  });

  it('reports a message without a target device to Catch nodes', async () => {
    await load({ product: '', device: '' });
    const caught = nextMessage(helper, 'caught');
    helper.getNode('out').receive({ payload: { on: 1 } });
    expect((await caught).error).toMatchObject({ message: expect.stringContaining('no target device: set Product and Device') });
  });
});
