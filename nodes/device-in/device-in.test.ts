import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeDeviceSession } from '../../server/testing/fake-device-session.ts';
import { startTestDeviceHub, type TestDeviceHub } from '../../server/testing/test-device-hub.ts';
import { registerNodes } from '../kit/register-nodes.ts';
import { messagesTo, nextMessage, nodeTestHelper, onTab, settled, statusesOf, testServices, type NodeTestHelper } from '../kit/node-test-harness.ts';
import type { ThingFlowMessage } from '../kit/thing-flow-message.ts';
import { deviceInNode } from './device-in.runtime.ts';

describe('device-in', () => {
  let helper: NodeTestHelper;
  let devices: TestDeviceHub;
  let lamp: FakeDeviceSession;
  let fan: FakeDeviceSession;
  let meter: FakeDeviceSession;
  const register = (RED: unknown) => registerNodes(RED, [deviceInNode]);

  beforeAll(() => {
    helper = nodeTestHelper();
  });
  beforeEach(async () => {
    devices = await startTestDeviceHub(['lamps/porch', 'lamps/hall', 'meters/m1']);
    lamp = new FakeDeviceSession('lamps', 'porch');
    fan = new FakeDeviceSession('lamps', 'hall', { dialect: 'things' });
    meter = new FakeDeviceSession('meters', 'm1');
  });
  afterEach(async () => {
    await helper.unload();
    await devices.close();
  });

  /** One device in node with this config, wired to a helper; the devices connect once the flow runs, unless not to. */
  async function load(config: Record<string, unknown> = {}, connectDevices = true) {
    const services = testServices({}, { deviceHub: devices.hub });
    helper.settings({ thingwire: { services, registerNodes: register } });
    await helper.load(register, onTab([
      { id: 'in', type: 'device-in', product: '', device: '', kinds: ['property.post', 'event.post'], dialect: 'any', ...config, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]));
    if (connectDevices) for (const session of [lamp, fan, meter]) devices.hub.opened(session);
  }

  /** Posts from every device, then one from `last`, which must get through: what else got through came before it. */
  async function postFromAll(last: FakeDeviceSession): Promise<ThingFlowMessage[]> {
    const received = messagesTo(helper, 'out');
    const arrived = nextMessageFrom(last);
    for (const session of [lamp, fan, meter]) {
      devices.hub.uplink(session, session.message('property.post', { id: '1', params: { on: 1 } }));
      devices.hub.uplink(session, session.message('event.post', { id: '2', eventId: 'overheat', params: { temp: 90 } }));
    }
    devices.hub.uplink(last, last.message('property.post', { id: '9', params: { last: true } }));
    await arrived;
    await settled();
    return received as ThingFlowMessage[];
  }

  function nextMessageFrom(session: FakeDeviceSession): Promise<void> {
    return new Promise((resolve) => {
      helper.getNode('out').on('input', (m) => {
        const { thing } = m as ThingFlowMessage;
        if (thing.deviceName === session.deviceName && thing.id === '9') resolve();
      });
    });
  }

  const origins = (messages: ThingFlowMessage[]) => messages.map((m) => `${m.topic}#${m.thing.id}`);

  it('emits params as msg.payload and the rest as msg.thing, with a reply token and productKey/deviceName/kind as topic', async () => {
    await load();
    const arrived = nextMessage(helper, 'out');
    devices.hub.uplink(lamp, lamp.message('property.post', { id: '7', ack: true, params: { on: 1 }, deviceTime: 1_700_000_000_000, topic: '/sys/lamps/porch/thing/event/property/post' }));
    const msg = (await arrived) as ThingFlowMessage;
    expect(msg.payload).toEqual({ on: 1 });
    expect(msg.topic).toBe('lamps/porch/property.post');
    expect(msg.thing).toMatchObject({
      id: '7', productKey: 'lamps', deviceName: 'porch', kind: 'property.post', deviceTime: 1_700_000_000_000,
      protocol: 'mqtt', dialect: 'alink', ack: true, replyToken: expect.any(String),
    });
    expect(msg.thing).not.toHaveProperty('params');
    expect(statusesOf(helper, 'in').at(-1)).toEqual({ fill: 'green', shape: 'dot', text: '1 message' });
  });

  it('passes every device\'s messages when no product or device is set', async () => {
    await load();
    expect(origins(await postFromAll(meter))).toEqual([
      'lamps/porch/property.post#1', 'lamps/porch/event.post#2', 'lamps/hall/property.post#1', 'lamps/hall/event.post#2',
      'meters/m1/property.post#1', 'meters/m1/event.post#2', 'meters/m1/property.post#9',
    ]);
  });

  it('filters by product, and by device within it', async () => {
    await load({ product: 'lamps' });
    expect(origins(await postFromAll(fan))).toEqual([
      'lamps/porch/property.post#1', 'lamps/porch/event.post#2', 'lamps/hall/property.post#1', 'lamps/hall/event.post#2', 'lamps/hall/property.post#9',
    ]);
    await helper.unload();
    await load({ product: 'lamps', device: 'porch' });
    expect(origins(await postFromAll(lamp))).toEqual(['lamps/porch/property.post#1', 'lamps/porch/event.post#2', 'lamps/porch/property.post#9']);
  });

  it('filters by kind, and passes every kind (state changes included) when none is selected', async () => {
    await load({ kinds: ['property.post'] });
    expect(origins(await postFromAll(lamp))).toEqual([
      'lamps/porch/property.post#1', 'lamps/hall/property.post#1', 'meters/m1/property.post#1', 'lamps/porch/property.post#9',
    ]);
    await helper.unload();
    devices.hub.closed(lamp.id, 'disconnect');
    await load({ kinds: [] }, false);
    const stateOf = nextMessage(helper, 'out');
    devices.hub.opened(new FakeDeviceSession('lamps', 'porch'));
    expect(await stateOf).toMatchObject({ topic: 'lamps/porch/state', payload: { status: 'online' }, thing: { kind: 'state' } });
  });

  it('filters by dialect', async () => {
    await load({ dialect: 'things' });
    expect(origins(await postFromAll(fan))).toEqual(['lamps/hall/property.post#1', 'lamps/hall/event.post#2', 'lamps/hall/property.post#9']);
  });

  it('stops taking device messages when its flow stops', async () => {
    await load();
    await helper.unload();
    devices.hub.uplink(lamp, lamp.message('property.post', { id: '5', ack: true }));
    expect(lamp.replies).toEqual([expect.objectContaining({ code: 503, text: 'no flow handles device messages' })]);
  });
});
