import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqliteTelemetry } from '../../server/telemetry/sqlite-telemetry.ts';
import { TelemetryWriter } from '../../server/telemetry/telemetry-writer.ts';
import type { TslDocument } from '../../domain/thing-model/tsl-types.ts';
import { registerNodes } from '../kit/register-nodes.ts';
import { messagesTo, nextMessage, nodeTestHelper, onTab, settled, statusesOf, testServices, type NodeTestHelper } from '../kit/node-test-harness.ts';
import type { NodeMessage } from '../kit/node-red-api.ts';
import type { ThingFlowMessage } from '../kit/thing-flow-message.ts';
import { telemetryStoreNode } from './telemetry-store.runtime.ts';

const tsl: TslDocument = {
  properties: [
    { identifier: 'temperature', name: 'Temperature', accessMode: 'r', dataType: { type: 'float', specs: {} } },
    { identifier: 'humidity', name: 'Humidity', accessMode: 'r', dataType: { type: 'int', specs: {} } },
  ],
  events: [{ identifier: 'overheat', name: 'Overheat', type: 'alert', outputData: [{ identifier: 'temp', name: 'Temp', dataType: { type: 'float', specs: {} } }] }],
  services: [],
} as TslDocument;
const T = 1_700_000_000_000;

function message(kind: string, payload: unknown, thing: Record<string, unknown> = {}): NodeMessage {
  return { payload, thing: { id: '7', productKey: 'pk', deviceName: 'd1', kind, receivedAt: T, protocol: 'mqtt', dialect: 'alink', ack: true, replyToken: 'tok-7', ...thing } };
}

describe('telemetry-store', () => {
  let helper: NodeTestHelper;
  let dir: string;
  let backend: SqliteTelemetry;
  let services: ReturnType<typeof testServices>;
  const register = (RED: unknown) => registerNodes(RED, [telemetryStoreNode]);

  beforeAll(async () => {
    helper = nodeTestHelper();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-store-node-'));
    backend = new SqliteTelemetry(path.join(dir, 'telemetry.db'));
    await backend.ensureSchema('pk', 1, tsl);
  });
  afterEach(async () => {
    await helper.unload();
  });
  afterAll(async () => {
    await backend.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function load(writer: TelemetryWriter, config: Record<string, unknown> = {}) {
    services = testServices({}, { telemetry: { submit: (p, e, done) => writer.submit(p, e, done), queuedRows: () => writer.queuedRows } });
    helper.settings({ thingwire: { services, registerNodes: register } });
    await helper.load(register, onTab([
      { id: 'store', type: 'telemetry-store', reply: true, ...config, wires: [['stored'], ['failed']] },
      { id: 'stored', type: 'helper' },
      { id: 'failed', type: 'helper' },
    ]));
  }

  it('stores each value at its own time, then answers 200 and passes the message on', async () => {
    await load(new TelemetryWriter({ backend, lingerMs: 20 }));
    const arrived = nextMessage(helper, 'stored');
    helper.getNode('store').receive(message('property.post', { temperature: 21.5, humidity: 40 }, {
      values: [{ identifier: 'temperature', value: 21.5, time: T - 1000 }, { identifier: 'humidity', value: 40, time: T }],
    }));
    // Not answered before the commit (which comes after this turn of the event loop at the earliest).
    expect(services.replies).toEqual([]);
    await arrived;
    expect(services.replies).toEqual([{ token: 'tok-7', code: 200, data: {} }]);
    expect(await backend.latest('pk', 'd1')).toEqual({ temperature: { value: 21.5, time: T - 1000 }, humidity: { value: 40, time: T } });
    expect(statusesOf(helper, 'store').at(-1)).toMatchObject({ fill: 'green', text: '1 stored' });
  });

  it('stores events with the device time', async () => {
    await load(new TelemetryWriter({ backend, lingerMs: 1 }));
    const arrived = nextMessage(helper, 'stored');
    helper.getNode('store').receive(message('event.post', { temp: 91.5 }, { eventId: 'overheat', deviceTime: T + 5 }));
    await arrived;
    const events = await backend.events({ productKey: 'pk', deviceName: 'd1', from: T, to: T + 10 });
    expect(events).toEqual([expect.objectContaining({ eventId: 'overheat', type: 'alert', time: T + 5, data: { temp: 91.5 } })]);
  });

  it('lists values the database could not take and stores the rest', async () => {
    await load(new TelemetryWriter({ backend, lingerMs: 1 }));
    const arrived = nextMessage(helper, 'stored');
    helper.getNode('store').receive(message('property.post', { temperature: 'hot', humidity: 41 }, { receivedAt: T + 100 }));
    const out = (await arrived) as ThingFlowMessage & { thing: { skipped?: unknown } };
    expect(out.thing.skipped).toEqual([expect.objectContaining({ identifier: 'temperature', reason: 'wrong-type' })]);
    expect((await backend.latest('pk', 'd1')).humidity).toEqual({ value: 41, time: T + 100 });
  });

  it('never answers 200 when nothing of the message could be stored', async () => {
    await load(new TelemetryWriter({ backend, lingerMs: 1 }));
    const failed = nextMessage(helper, 'failed');
    helper.getNode('store').receive(message('property.post', { temperature: 20 }, { productKey: 'nomodel', replyToken: 'n' }));
    const out = (await failed) as ThingFlowMessage;
    expect(out.error).toMatchObject({ code: 500, message: expect.stringMatching(/^not stored: temperature: /) });
    expect(services.replies).toEqual([{ token: 'n', code: 500, data: {} }]);
  });

  it('answers 503 on output 2 when the write queue is full, and passes kinds it does not store straight through', async () => {
    const stuck = new TelemetryWriter({ backend: { writeBatch: () => new Promise(() => {}) }, maxQueuedRows: 1, lingerMs: 1 });
    await load(stuck);
    const failed = nextMessage(helper, 'failed');
    helper.getNode('store').receive(message('property.post', { temperature: 1 }, { replyToken: 'a' }));
    helper.getNode('store').receive(message('property.post', { temperature: 2 }, { replyToken: 'b' }));
    const out = (await failed) as ThingFlowMessage;
    expect(out.error).toMatchObject({ code: 503, message: expect.stringMatching(/overloaded/) });
    expect(services.replies).toEqual([{ token: 'b', code: 503, data: {} }]);

    const passed = nextMessage(helper, 'stored');
    helper.getNode('store').receive(message('state', { status: 'online' }, { replyToken: undefined }));
    expect(((await passed) as ThingFlowMessage).thing.kind).toBe('state');
  });

  it('refuses a message that is not a device message with a hint, on output 2', async () => {
    await load(new TelemetryWriter({ backend, lingerMs: 1 }));
    const stored = messagesTo(helper, 'stored');
    const failed = nextMessage(helper, 'failed');
    helper.getNode('store').receive({ payload: 42 });
    expect(((await failed) as ThingFlowMessage).error?.message).toMatch(/after device in/);
    await settled();
    expect(stored).toEqual([]);
  });
});
