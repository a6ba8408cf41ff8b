import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ThingwireServices } from '../../domain/platform-services.ts';
import type { Alert } from '../../domain/alerts/alert-schemas.ts';
import { AlertEngine } from '../../server/alerts/alert-engine.ts';
import { AlertStore } from '../../server/alerts/alert-store.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { SqliteSql } from '../../server/db/sql.ts';
import { FakeDeviceSession } from '../../server/testing/fake-device-session.ts';
import { ManualAlertClock } from '../../server/testing/manual-alert-clock.ts';
import { startTestDeviceHub, type TestDeviceHub } from '../../server/testing/test-device-hub.ts';
import { until } from '../../server/testing/until.ts';
import { alertNode } from '../alert/alert.runtime.ts';
import { deviceInNode } from '../device-in/device-in.runtime.ts';
import { validateNodeConfig } from '../kit/config-validator.ts';
import type { NodeMessage } from '../kit/node-red-api.ts';
import {
  messagesTo, nextMessage, nodeTestHelper, onTab, settled, statusesOf, testServices, type NodeTestHelper,
} from '../kit/node-test-harness.ts';
import { registerNodes } from '../kit/register-nodes.ts';
import type { ThingMeta } from '../kit/thing-flow-message.ts';
import { campaignEvent, deviceEvent, FakeOtaService } from './fake-ota-service.ts';
import { ota } from './ota.def.ts';
import { otaNode, type OtaEventMessage } from './ota.runtime.ts';

type Reply = { token: string; code: number; data?: unknown; text?: string };

let helper: NodeTestHelper;
let service: FakeOtaService;
let replies: Reply[];
const register = (RED: unknown) => registerNodes(RED, [otaNode, deviceInNode, alertNode]);

beforeAll(() => {
  helper = nodeTestHelper();
});
beforeEach(() => {
  service = new FakeOtaService();
  replies = [];
});
afterEach(async () => {
  await helper.unload();
});

/** A device hub that records the verdicts given, text included. */
function recordingHub(): ThingwireServices['deviceHub'] {
  return {
    subscribe: () => () => {},
    reply: (token, code, data, text) => (replies.push({ token, code, data, text }), true),
    sendCommand: async () => ({ id: '0', code: 503 }),
  };
}

/** ota → out, plus a catch node; `withOta: false` leaves the OTA service out of the settings. */
async function load(config: Record<string, unknown> = {}, options: { withOta?: boolean; services?: Partial<ThingwireServices> } = {}) {
  const services = testServices({}, { deviceHub: recordingHub(), ...(options.withOta === false ? {} : { ota: service }), ...options.services });
  helper.settings({ thingwire: { services, registerNodes: register } });
  await helper.load(register, onTab([
    { id: 'ota', type: 'ota', name: '', ...config, wires: [['out']] },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ]));
}

/** An OTA uplink as device in passes it on: params in msg.payload, the rest in msg.thing. */
function uplink(kind: ThingMeta['kind'], payload: unknown, thing: Partial<ThingMeta> = {}): NodeMessage {
  return {
    payload,
    topic: `lamps/porch/${kind}`,
    thing: { id: '3', productKey: 'lamps', deviceName: 'porch', kind, receivedAt: 1_765_000_000_000, protocol: 'mqtt', dialect: 'alink', ack: false, replyToken: `tok-${kind}`, ...thing },
  };
}

const send = (message: NodeMessage) => helper.getNode('ota').receive(message);
const lastStatus = () => statusesOf(helper, 'ota').at(-1);

describe('ota node: device reports', () => {
  it('hands each report to the service as the device message it was, and gives the verdict by its reply token', async () => {
    const upgrade = { size: 432_945, version: '2.0.0', url: 'http://tw.example/ota/firmware/7?token=t', module: 'mcu' };
    service.verdictOf = (m) => (m.kind === 'ota.get' ? { code: 200, data: upgrade } : m.kind === 'ota.inform' ? { code: 400, text: 'malformed: version "1.2" is not major.minor.patch' } : { code: 200 });
    await load();
    send(uplink('ota.get', { module: 'mcu' }, { ack: true }));
    send(uplink('ota.inform', { version: '1.2', module: 'mcu' }));
    send(uplink('ota.progress', { step: '45', desc: 'downloading', module: 'mcu' }));
    await until('three verdicts', () => replies, (r) => r.length === 3);

    expect(replies).toEqual([
      { token: 'tok-ota.get', code: 200, data: upgrade, text: undefined },
      { token: 'tok-ota.inform', code: 400, data: undefined, text: 'malformed: version "1.2" is not major.minor.patch' },
      { token: 'tok-ota.progress', code: 200, data: undefined, text: undefined },
    ]);
    // The ThingMessage again: msg.thing with msg.payload as params.
    expect(service.handled[0]).toEqual({
      id: '3', productKey: 'lamps', deviceName: 'porch', kind: 'ota.get', receivedAt: 1_765_000_000_000, protocol: 'mqtt',
      dialect: 'alink', ack: true, replyToken: 'tok-ota.get', params: { module: 'mcu' },
    });
    expect(service.handled.map((m) => m.kind)).toEqual(['ota.get', 'ota.inform', 'ota.progress']);
    expect(await until('status', lastStatus, (s) => s?.text === '3 reports (1 refused)')).toEqual({ fill: 'green', shape: 'dot', text: '3 reports (1 refused)' });
  });

  it('through a real device hub: ota.get is answered to the device; a version report only lands in the message log', async () => {
    const devices: TestDeviceHub = await startTestDeviceHub(['lamps/porch']);
    try {
      const session = new FakeDeviceSession('lamps', 'porch');
      service.verdictOf = (m) => (m.kind === 'ota.get' ? { code: 200, data: {} } : { code: 200 });
      helper.settings({ thingwire: { services: testServices({}, { deviceHub: devices.hub, ota: service }), registerNodes: register } });
      await helper.load(register, onTab([
        { id: 'in', type: 'device-in', product: '', device: '', kinds: ['ota.inform', 'ota.progress', 'ota.get'], dialect: 'any', wires: [['ota']] },
        { id: 'ota', type: 'ota', name: '', output: 'all', wires: [[]] },
      ]));
      devices.hub.opened(session);
      devices.hub.uplink(session, session.message('ota.inform', { id: '1', params: { version: '1.0.0' } }));
      devices.hub.uplink(session, session.message('ota.get', { id: '2', ack: true, params: { module: 'default' } }));

      await until('the answer to ota.get', () => session.replies, (r) => r.length === 1);
      expect(session.replies).toEqual([expect.objectContaining({ message: expect.objectContaining({ id: '2', kind: 'ota.get' }), code: 200, data: {} })]);
      const log = await until('both verdicts logged', () => devices.messageLog('lamps', 'porch'), (l) => l.filter((e) => e.code !== null).length === 2);
      expect(log.map((e) => [e.msgId, e.code])).toEqual([['1', 200], ['2', 200]]);
      expect(service.handled.map((m) => [m.kind, m.params])).toEqual([['ota.inform', { version: '1.0.0' }], ['ota.get', { module: 'default' }]]);
    } finally {
      await helper.unload();
      await devices.close();
    }
  });

  it('fails a message that is no OTA report to the catch node, answering nothing', async () => {
    await load();
    const notDevice = nextMessage(helper, 'caught');
    send({ payload: { version: '1.0.0' } });
    expect(((await notDevice)['error'] as { message: string }).message).toContain('not a device message');

    const wrongKind = nextMessage(helper, 'caught');
    send(uplink('property.post', { temperature: 20 }));
    expect(((await wrongKind)['error'] as { message: string }).message).toContain(
      'not an OTA message: kind property.post; connect a device in with the kinds ota.inform, ota.progress and ota.get',
    );
    expect(replies).toEqual([]);
    expect(service.handled).toEqual([]);
  });

  it('answers 500 and tells the catch node when the service fails instead of giving a verdict', async () => {
    service.verdictOf = () => {
      throw new Error('database is locked');
    };
    await load();
    const caught = nextMessage(helper, 'caught');
    send(uplink('ota.progress', { step: '10' }));
    expect(((await caught)['error'] as { message: string }).message).toContain('database is locked');
    expect(replies).toEqual([{ token: 'tok-ota.progress', code: 500, data: undefined, text: 'OTA service failed: database is locked' }]);
  });
});

describe('ota node: without the OTA service', () => {
  it('says so in its status and answers every report 503', async () => {
    await load({}, { withOta: false });
    expect(statusesOf(helper, 'ota')).toEqual([{ fill: 'red', shape: 'ring', text: 'OTA service not available' }]);
    send(uplink('ota.get', {}, { ack: true }));
    send(uplink('ota.inform', { version: '1.0.0' }));
    await until('two verdicts', () => replies, (r) => r.length === 2);
    expect(replies).toEqual([
      { token: 'tok-ota.get', code: 503, data: undefined, text: 'OTA service not available' },
      { token: 'tok-ota.inform', code: 503, data: undefined, text: 'OTA service not available' },
    ]);
  });
});

describe('ota node: OTA changes out', () => {
  it('sends a device change as ota.device with the event as payload and the device in msg.thing, as a device event', async () => {
    await load();
    const out = nextMessage(helper, 'out');
    const failed = deviceEvent({ state: 'failed', step: -3, reason: 'verification failed', message: 'sha256 mismatch', updatedAt: '2026-12-05T10:05:00.000Z' });
    service.emit(failed);
    const message = (await out) as OtaEventMessage;
    expect(message.topic).toBe('ota.device');
    expect(message.payload).toEqual(failed);
    expect(message.thing).toEqual({
      productKey: 'lamps', deviceName: 'porch', kind: 'event.post', eventId: 'ota_failed', receivedAt: Date.parse('2026-12-05T10:05:00.000Z'),
    });
    expect(await until('status', lastStatus, (s) => s?.text === '0 reports, last: porch failed')).toMatchObject({ fill: 'red' });
  });

  it('sends a campaign change as ota.campaign, without msg.thing', async () => {
    await load();
    const out = nextMessage(helper, 'out');
    const stopped = campaignEvent('stopped', { id: 4, state: 'stopped', stateReason: '3 of 10 devices of wave 1 failed (more than 20 %)' });
    service.emit(stopped);
    const message = await out;
    expect(message.topic).toBe('ota.campaign');
    expect(message.payload).toEqual(stopped);
    expect(message).not.toHaveProperty('thing');
    expect(await until('status', lastStatus, (s) => s?.text === '0 reports, last: campaign 4 stopped')).toMatchObject({ fill: 'red' });
  });

  /** Every state a device upgrade passes through, and campaign changes; what comes out with `output`. */
  async function outputWith(output: string): Promise<string[]> {
    await load({ output });
    const received = messagesTo(helper, 'out');
    const marker = nextMessage(helper, 'out');
    for (const state of ['queued', 'notified', 'downloading', 'flashing', 'succeeded', 'failed', 'timed_out', 'cancelled'] as const) {
      service.emit(deviceEvent({ state }));
    }
    for (const change of ['started', 'wave', 'paused', 'resumed', 'stopped', 'cancelled', 'completed']) service.emit(campaignEvent(change));
    // Something every setting lets out, last: what came out before it is all that will.
    service.emit(deviceEvent({ state: 'failed', deviceName: 'last' }));
    await marker;
    await until('the last one', () => received, (r) => r.some((m) => (m as OtaEventMessage).thing?.deviceName === 'last'));
    await settled();
    return received.map((m) => {
      const { payload } = m as OtaEventMessage;
      return payload.type === 'ota.device' ? (m as OtaEventMessage).thing!.eventId : `campaign ${payload.change}`;
    });
  }

  it('with Output "every change": every device state and campaign change', async () => {
    expect(await outputWith('all')).toEqual([
      'ota_queued', 'ota_notified', 'ota_downloading', 'ota_flashing', 'ota_succeeded', 'ota_failed', 'ota_timed_out', 'ota_cancelled',
      'campaign started', 'campaign wave', 'campaign paused', 'campaign resumed', 'campaign stopped', 'campaign cancelled', 'campaign completed',
      'ota_failed',
    ]);
  });

  it('with Output "device upgrades that ended": only the ends, every one a device message', async () => {
    expect(await outputWith('ends')).toEqual(['ota_succeeded', 'ota_failed', 'ota_timed_out', 'ota_cancelled', 'ota_failed']);
  });

  it('with Output "failures and campaign stops": failed and timed-out devices, and campaigns that stopped themselves', async () => {
    expect(await outputWith('problems')).toEqual(['ota_failed', 'ota_timed_out', 'campaign stopped', 'ota_failed']);
  });

  it('subscribes while it runs: unsubscribed when its flow stops, and a new deploy subscribes once', async () => {
    await load();
    expect(service.listenerCount).toBe(1);
    await helper.unload();
    expect(service.listenerCount).toBe(0);
    // Nothing listens any more; announcing is harmless.
    service.emit(deviceEvent({ state: 'failed' }));

    await load();
    expect(service.listenerCount).toBe(1);
    const out = messagesTo(helper, 'out');
    const next = nextMessage(helper, 'out');
    service.emit(deviceEvent({ state: 'succeeded' }));
    await next;
    await settled();
    expect(out).toHaveLength(1);
  });
});

describe('ota node feeding an alert node', () => {
  let dir: string;
  let db: Db;
  let engine: AlertEngine;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-ota-node-'));
    db = openDatabase(path.join(dir, 'thingwire.db'));
    engine = new AlertEngine(new AlertStore(new SqliteSql(db)), { logger: pino({ level: 'silent' }), clock: new ManualAlertClock() });
  });
  afterEach(async () => {
    await helper.unload();
    await engine.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('raises "upgrade failed" for the device on ota_failed and clears it on ota_succeeded, as the help describes', async () => {
    helper.settings({ thingwire: { services: { ...testServices({}, { ota: service }), alerts: engine }, registerNodes: register } });
    await helper.load(register, onTab([
      { id: 'ota', type: 'ota', name: '', output: 'ends', wires: [['alert']] },
      {
        id: 'alert', type: 'alert', name: 'Firmware upgrade failed', severity: 'warning', trigger: 'event', event: 'ota_failed',
        clearEvent: 'ota_succeeded', message: '{{device}}: firmware upgrade failed', wires: [['raised']],
      },
      { id: 'raised', type: 'helper' },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ]));
    const errors = messagesTo(helper, 'caught');
    const raised = nextMessage(helper, 'raised');
    service.emit(deviceEvent({ state: 'downloading', percent: 40 }));
    service.emit(campaignEvent('wave'));
    service.emit(deviceEvent({ state: 'failed', step: -3, reason: 'verification failed' }));
    const { payload } = (await raised) as { payload: { transition: string; alert: Alert } };
    expect(payload.transition).toBe('raised');
    expect(payload.alert).toMatchObject({
      productKey: 'lamps', deviceName: 'porch', severity: 'warning', state: 'active', message: 'porch: firmware upgrade failed',
      value: { type: 'ota.device', upgrade: { state: 'failed', step: -3, reason: 'verification failed' } },
    });

    const cleared = nextMessage(helper, 'raised');
    service.emit(deviceEvent({ state: 'succeeded', step: 100, percent: 100 }));
    expect(((await cleared) as { payload: { transition: string } }).payload.transition).toBe('cleared');
    await settled();
    // The campaign change never reached the alert node, which would have failed it.
    expect(errors).toEqual([]);
  });
});

describe('ota definition', () => {
  it('needs nothing filled in and outputs every change by default', () => {
    expect(validateNodeConfig(ota, { id: 'n1', type: 'ota' })).toEqual({ ok: true, config: { name: '', output: 'all' } });
    expect(validateNodeConfig(ota, { id: 'n1', type: 'ota', output: 'some' }).ok).toBe(false);
  });
});
