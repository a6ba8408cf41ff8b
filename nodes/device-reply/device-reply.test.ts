import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeDeviceSession } from '../../server/testing/fake-device-session.ts';
import { startTestDeviceHub, type TestDeviceHub } from '../../server/testing/test-device-hub.ts';
import { deviceInNode } from '../device-in/device-in.runtime.ts';
import { registerNodes } from '../kit/register-nodes.ts';
import { nextMessage, nodeTestHelper, onTab, testServices, type NodeTestHelper } from '../kit/node-test-harness.ts';
import { deviceReplyNode } from './device-reply.runtime.ts';

describe('device-reply', () => {
  let helper: NodeTestHelper;
  let devices: TestDeviceHub;
  let session: FakeDeviceSession;
  const register = (RED: unknown) => registerNodes(RED, [deviceInNode, deviceReplyNode]);

  beforeAll(() => {
    helper = nodeTestHelper();
  });
  beforeEach(async () => {
    devices = await startTestDeviceHub(['lamps/porch']);
    session = new FakeDeviceSession('lamps', 'porch');
  });
  afterEach(async () => {
    await helper.unload();
    await devices.close();
  });

  /** device in → the given reply nodes in a row → helper `out`. */
  async function load(...replies: Record<string, unknown>[]) {
    const services = testServices({}, { deviceHub: devices.hub });
    helper.settings({ thingwire: { services, registerNodes: register } });
    const ids = replies.map((_, i) => `reply${i}`);
    await helper.load(register, onTab([
      { id: 'in', type: 'device-in', product: '', device: '', kinds: ['property.post'], dialect: 'any', wires: [[ids[0]]] },
      ...replies.map((config, i) => ({ id: ids[i], type: 'device-reply', code: 200, message: 'success', sendPayload: false, ...config, wires: [[ids[i + 1] ?? 'out']] })),
      { id: 'out', type: 'helper' },
    ]));
    devices.hub.opened(session);
  }

  const post = (fields: Parameters<FakeDeviceSession['message']>[1]) => {
    const arrived = nextMessage(helper, 'out');
    devices.hub.uplink(session, session.message('property.post', { params: { on: 1 }, ...fields }));
    return arrived;
  };

  it('answers the device with its code and message; the first answer wins', async () => {
    await load({ code: 422, message: 'not now' }, { code: 200 });
    const out = await post({ id: '7', ack: true });
    expect(session.replies).toEqual([{ message: expect.objectContaining({ id: '7' }), code: 422, data: {}, text: 'not now' }]);
    // The second node's answer came too late: it says so, and the message still passes on.
    expect(out.replied).toBe(false);
    expect(out.payload).toEqual({ on: 1 });
    expect(await devices.messageLog('lamps', 'porch')).toEqual([expect.objectContaining({ msgId: '7', code: 422, reason: 'not now' })]);
  });

  it('says it answered, and sends msg.payload as the reply data when Send payload is on', async () => {
    await load({ sendPayload: true });
    const out = await post({ id: '8', ack: true });
    expect(out.replied).toBe(true);
    expect(session.replies).toEqual([expect.objectContaining({ code: 200, data: { on: 1 }, text: 'success' })]);
  });

  it('records its verdict on a message without ack in the message log, sending the device nothing', async () => {
    await load({ code: 400, message: 'rejected by the flow' });
    const out = await post({ id: '9', ack: false });
    expect(out.replied).toBe(true);
    expect(session.replies).toEqual([]);
    expect(await devices.messageLog('lamps', 'porch')).toEqual([expect.objectContaining({ msgId: '9', code: 400, reason: 'rejected by the flow' })]);
  });

  it('passes a message without a reply token through, replied false', async () => {
    const services = testServices({}, { deviceHub: devices.hub });
    helper.settings({ thingwire: { services, registerNodes: register } });
    await helper.load(register, onTab([
      { id: 'reply', type: 'device-reply', code: 200, message: 'success', sendPayload: false, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]));
    const arrived = nextMessage(helper, 'out');
    helper.getNode('reply').receive({ payload: 1, thing: { kind: 'state' } });
    expect(await arrived).toMatchObject({ payload: 1, replied: false });
  });
});
