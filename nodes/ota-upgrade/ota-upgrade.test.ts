import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Campaign } from '../../domain/ota/ota-schemas.ts';
import { FakeDeviceSession } from '../../server/testing/fake-device-session.ts';
import { startTestDeviceHub } from '../../server/testing/test-device-hub.ts';
import { until } from '../../server/testing/until.ts';
import { deviceInNode } from '../device-in/device-in.runtime.ts';
import { validateNodeConfig } from '../kit/config-validator.ts';
import type { NodeMessage } from '../kit/node-red-api.ts';
import {
  messagesTo, nextMessage, nodeTestHelper, onTab, settled, statusesOf, testServices, type NodeTestHelper,
} from '../kit/node-test-harness.ts';
import { registerNodes } from '../kit/register-nodes.ts';
import { FakeOtaService } from '../ota/fake-ota-service.ts';
import { otaUpgrade } from './ota-upgrade.def.ts';
import { otaUpgradeNode, type RefusalPayload } from './ota-upgrade.runtime.ts';

let helper: NodeTestHelper;
let service: FakeOtaService;
const register = (RED: unknown) => registerNodes(RED, [otaUpgradeNode, deviceInNode]);

beforeAll(() => {
  helper = nodeTestHelper();
});
beforeEach(() => {
  service = new FakeOtaService();
});
afterEach(async () => {
  await helper.unload();
});

/** ota upgrade → started / refused, plus a catch node; `withOta: false` leaves the OTA service out. */
async function load(config: Record<string, unknown> = {}, options: { withOta?: boolean } = {}) {
  const services = testServices({}, options.withOta === false ? {} : { ota: service });
  helper.settings({ thingwire: { services, registerNodes: register } });
  await helper.load(register, onTab([
    { id: 'up', type: 'ota-upgrade', name: '', ...config, wires: [['started'], ['refused']] },
    { id: 'started', type: 'helper' },
    { id: 'refused', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ]));
}

/** A version report from device in. */
const inform = (deviceName = 'porch'): NodeMessage => ({
  payload: { version: '1.0.0', module: 'default' },
  topic: `lamps/${deviceName}/ota.inform`,
  thing: { id: '1', productKey: 'lamps', deviceName, kind: 'ota.inform', receivedAt: 1_765_000_000_000, protocol: 'mqtt', dialect: 'alink', ack: false },
});

const send = (message: NodeMessage) => helper.getNode('up').receive(message);

describe('ota upgrade node', () => {
  it('upgrades the device of msg.thing to the newest firmware of the module, and outputs the campaign on output 1', async () => {
    await load();
    const started = nextMessage(helper, 'started');
    const refused = messagesTo(helper, 'refused');
    send(inform());
    const message = await started;
    // The device's report goes with the request: the service records it before judging.
    expect(service.upgrades).toEqual([{ request: { productKey: 'lamps', deviceName: 'porch', module: 'default', reported: { module: 'default', version: '1.0.0' } }, actor: 'node:up' }]);
    expect(message.payload).toMatchObject({ id: 1, productKey: 'lamps', version: '2.0.0', target: { type: 'devices', deviceNames: ['porch'] }, createdBy: 'node:up' } satisfies Partial<Campaign>);
    // The rest of the message passes: downstream still knows the device.
    expect(message).toMatchObject({ topic: 'lamps/porch/ota.inform', thing: { deviceName: 'porch', kind: 'ota.inform' } });
    await settled();
    expect(refused).toEqual([]);
  });

  it('asks for the configured module and version', async () => {
    await load({ module: 'mcu', version: '2.1.0' });
    const started = nextMessage(helper, 'started');
    send(inform());
    await started;
    expect(service.upgrades.map((u) => u.request)).toEqual([{ productKey: 'lamps', deviceName: 'porch', module: 'mcu', version: '2.1.0', reported: { module: 'default', version: '1.0.0' } }]);
  });

  it('takes the device from msg.payload in a message without msg.thing', async () => {
    await load();
    const started = nextMessage(helper, 'started');
    send({ payload: { productKey: 'lamps', deviceName: 'hall' } });
    await started;
    expect(service.upgrades.map((u) => u.request)).toEqual([{ productKey: 'lamps', deviceName: 'hall', module: 'default' }]);
  });

  it('sends a refusal to output 2 with the reason, not to the catch node', async () => {
    service.refusalOf = (request) => (request.deviceName === 'porch' ? 'already runs 2.0.0' : undefined);
    await load({ version: '2.0.0' });
    const started = messagesTo(helper, 'started');
    const caught = messagesTo(helper, 'caught');
    const refused = nextMessage(helper, 'refused');
    send(inform('porch'));
    const message = await refused;
    expect(message.payload).toEqual({ reason: 'already runs 2.0.0', code: 'not_upgradable', productKey: 'lamps', deviceName: 'porch', module: 'default', version: '2.0.0' } satisfies RefusalPayload);
    expect(message).toMatchObject({ thing: { deviceName: 'porch' } });
    await settled();
    expect(started).toEqual([]);
    expect(caught).toEqual([]);

    const next = nextMessage(helper, 'started');
    send(inform('hall'));
    await next;
    const status = await until('status', () => statusesOf(helper, 'up').at(-1), (s) => s?.text === '1 started, 1 refused (last: already runs 2.0.0)');
    expect(status).toEqual({ fill: 'green', shape: 'dot', text: '1 started, 1 refused (last: already runs 2.0.0)' });
  });

  it('fails a message that names no device to the catch node', async () => {
    await load();
    const caught = nextMessage(helper, 'caught');
    send({ payload: { deviceName: 'porch' } });
    expect(((await caught)['error'] as { message: string }).message).toContain('no device: the message needs msg.thing.productKey');
    expect(service.upgrades).toEqual([]);
  });

  it('without the OTA service: red status, and every message fails to the catch node', async () => {
    await load({}, { withOta: false });
    expect(statusesOf(helper, 'up')).toEqual([
      { fill: 'red', shape: 'ring', text: 'failed to start: OTA service not available (settings.thingwire.services.ota)' },
    ]);
    const caught = nextMessage(helper, 'caught');
    send(inform());
    expect(((await caught)['error'] as { message: string }).message).toContain('OTA service not available');
  });

  it('typical wiring: device in with ota.inform → ota upgrade, one upgrade asked per report', async () => {
    const devices = await startTestDeviceHub(['lamps/porch']);
    try {
      const session = new FakeDeviceSession('lamps', 'porch');
      helper.settings({ thingwire: { services: testServices({}, { deviceHub: devices.hub, ota: service }), registerNodes: register } });
      await helper.load(register, onTab([
        { id: 'in', type: 'device-in', product: '', device: '', kinds: ['ota.inform'], dialect: 'any', wires: [['up']] },
        { id: 'up', type: 'ota-upgrade', name: '', module: 'default', version: '', wires: [['started'], []] },
        { id: 'started', type: 'helper' },
      ]));
      devices.hub.opened(session);
      const started = nextMessage(helper, 'started');
      devices.hub.uplink(session, session.message('ota.inform', { params: { version: '1.0.0' } }));
      expect((await started).payload).toMatchObject({ productKey: 'lamps', target: { type: 'devices', deviceNames: ['porch'] } });
      expect(service.upgrades.map((u) => u.request)).toEqual([{ productKey: 'lamps', deviceName: 'porch', module: 'default', reported: { version: '1.0.0' } }]);
    } finally {
      await helper.unload();
      await devices.close();
    }
  });
});

describe('ota upgrade definition', () => {
  it('defaults to the module default and the newest version; a version must be major.minor.patch', () => {
    expect(validateNodeConfig(otaUpgrade, { id: 'n1', type: 'ota-upgrade' })).toEqual({ ok: true, config: { name: '', module: 'default', version: '' } });
    expect(validateNodeConfig(otaUpgrade, { id: 'n1', type: 'ota-upgrade', version: 'v2' }).ok).toBe(false);
    expect(validateNodeConfig(otaUpgrade, { id: 'n1', type: 'ota-upgrade', module: 'm c u' }).ok).toBe(false);
    expect(validateNodeConfig(otaUpgrade, { id: 'n1', type: 'ota-upgrade', module: 'mcu', version: '2.10.100' }).ok).toBe(true);
  });

  it('an invalid version leaves the node inert with a red status', async () => {
    await load({ version: '2.0' });
    expect(statusesOf(helper, 'up')[0]).toMatchObject({ fill: 'red', shape: 'ring', text: expect.stringContaining('invalid config: Version') });
  });
});
