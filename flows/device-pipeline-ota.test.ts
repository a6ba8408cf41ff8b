import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createDevices, deployListener, deviceOptions, nextMessage, request, subscribe, type TestDevice } from '../server/testing/mqtt-devices.ts';
import { pipelineFlow } from '../server/testing/pipeline-flow.ts';
import { startTestServer, type TestJson, type TestServer } from '../server/testing/test-server.ts';
import { until } from '../server/testing/until.ts';

/**
 * Firmware updates through the shipped pipeline and the real OTA service, with a real MQTT device: the pipeline's ota
 * node answers the device's reports, an `ota upgrade` node fed by version reports starts the upgrades, and an alert
 * node after the ota node (as its help and the pipeline's comment describe) raises an alert when the device fails
 * verification and clears it when a later upgrade succeeds.
 */
const PK = 'lamps';
let tw: TestServer;
let device: TestDevice;
let client: MqttClient;
const upgradeTopic = `/ota/device/upgrade/${PK}/porch`;
const informTopic = `/ota/device/inform/${PK}/porch`;
const progressTopic = `/ota/device/progress/${PK}/porch`;

beforeAll(async () => {
  tw = await startTestServer({ ota: { tickMs: 50 } });
  [device] = await createDevices(tw, PK, ['porch']);
  const uploaded = await fetch(`${tw.url}/api/v1/firmware?productKey=${PK}&version=2.0.0`, {
    method: 'POST', headers: { authorization: `Bearer ${tw.adminToken}`, 'content-type': 'application/octet-stream' }, body: randomBytes(50_000),
  });
  expect(uploaded.status).toBe(201);

  const flows: Record<string, unknown>[] = pipelineFlow();
  const otaNode = flows.find((n) => n.id === 'tw-ota')!;
  otaNode.wires = [[...(otaNode.wires as string[][])[0]!, 'test-ota-alert']];
  flows.push(
    {
      id: 'test-ota-alert', type: 'alert', z: 'tw-devices-tab', x: 810, y: 340, name: 'Firmware upgrade failed', severity: 'warning',
      product: '', trigger: 'event', event: 'ota_failed', clearEvent: 'ota_succeeded', message: '{{device}}: firmware upgrade failed', wires: [[]],
    },
  );
  // A user's tab, placed before the Devices tab, so that its device in starts first and gets each report before the
  // pipeline's ota node has recorded it: every device that reports an older version is brought to the newest firmware
  // all the same (the ota upgrade node hands the service the report).
  flows.unshift(
    { id: 'test-tab', type: 'tab', label: 'Keep firmware current' },
    { id: 'test-informs', type: 'device-in', z: 'test-tab', x: 130, y: 100, product: '', device: '', kinds: ['ota.inform'], dialect: 'any', wires: [['test-upgrade']] },
    { id: 'test-upgrade', type: 'ota-upgrade', z: 'test-tab', x: 330, y: 100, name: '', module: 'default', version: '', wires: [[], []] },
  );
  const port = await deployListener(tw, flows);
  client = await connect(`mqtt://127.0.0.1:${port}`, deviceOptions(device));
  await subscribe(client, upgradeTopic);
  await subscribe(client, `/sys/${PK}/porch/thing/ota/firmware/get_reply`);
});
afterAll(async () => {
  client?.end(true);
  await tw?.close();
});

let nextId = 100;
const publish = (topic: string, params: object) => client.publishAsync(topic, JSON.stringify({ id: String(++nextId), params }));
const api = async (path: string): Promise<TestJson> => (await tw.request('GET', path, { token: tw.adminToken })).body;
const campaigns = async (): Promise<TestJson[]> => (await api('/api/v1/ota/campaigns')).items;

describe('firmware updates in the default pipeline', () => {
  it('upgrades a device that reports an old version, answers its firmware request, alerts when it fails verification and clears when a retry succeeds', async () => {
    // The version report reaches the pipeline's ota node (which records it) and the ota upgrade node (which starts an upgrade).
    const push = nextMessage(client, upgradeTopic);
    await publish(informTopic, { version: '1.0.0' });
    expect(await push).toMatchObject({ code: '1000', data: { version: '2.0.0', module: 'default' } });
    const [first] = await campaigns();
    expect(first).toMatchObject({ productKey: PK, version: '2.0.0', total: 1, createdBy: 'node:test-upgrade' });

    // The device asks for its upgrade: the ota node answers with the service's upgrade data.
    const answer = await request(client, `/sys/${PK}/porch/thing/ota/firmware/get`, {
      id: '77', version: '1.0', method: 'thing.ota.firmware.get', params: { module: 'default' },
    });
    expect(answer).toMatchObject({ id: '77', code: 200, data: { version: '2.0.0', module: 'default', url: expect.stringContaining('/ota/firmware/') } });

    // Verification fails: the ota node's ota_failed reaches the alert node.
    await publish(progressTopic, { step: '-3', desc: 'sha256 mismatch' });
    const [raised] = await until('an alert', async () => (await api('/api/v1/alerts?state=active')).items as TestJson[], (items) => items.length === 1);
    expect(raised).toMatchObject({
      deviceName: 'porch', productKey: PK, severity: 'warning', message: 'porch: firmware upgrade failed',
      value: { type: 'ota.device', upgrade: { state: 'failed', step: -3, reason: 'verification failed: sha256 mismatch', toVersion: '2.0.0' } },
    });

    // The device restarts on its old firmware: a new upgrade, which it completes.
    const again = nextMessage(client, upgradeTopic);
    await publish(informTopic, { version: '1.0.0' });
    expect(await again).toMatchObject({ data: { version: '2.0.0' } });
    await publish(progressTopic, { step: '100', desc: 'burning' });
    await publish(informTopic, { version: '2.0.0' });
    const [cleared] = await until('the alert cleared', async () => (await api('/api/v1/alerts?state=cleared')).items as TestJson[], (items) => items.length === 1);
    expect(cleared).toMatchObject({ id: raised.id, deviceName: 'porch' });
    const all = await until('both campaigns done', campaigns, (list) => list.length === 2 && list.every((c) => c.state === 'completed'));
    expect(all.map((c) => c.counts)).toEqual(expect.arrayContaining([
      expect.objectContaining({ failed: 1, succeeded: 0 }), expect.objectContaining({ failed: 0, succeeded: 1 }),
    ]));

    // Every report got the ota node's verdict in the message log (none waited for the reply timeout).
    const log = await until('verdicts logged', async () => (await api(`/api/v1/devices/${PK}/porch/messages?limit=50`)).items as TestJson[],
      (items) => items.filter((m) => m.direction === 'up' && m.kind?.startsWith('ota.')).length === 6);
    expect(log.filter((m) => m.direction === 'up' && m.kind?.startsWith('ota.')).map((m) => m.code)).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it('answers a malformed version report 400 with the reason, in the message log', async () => {
    await client.publishAsync(informTopic, JSON.stringify({ id: '4242', params: { version: 'v1.2' } }));
    const log = await until('the verdict', async () => (await api(`/api/v1/devices/${PK}/porch/messages?limit=20`)).items as TestJson[],
      (items) => items.some((m) => m.msgId === '4242' && m.code !== null));
    expect(log.find((m) => m.msgId === '4242')).toMatchObject({ kind: 'ota.inform', code: 400, reason: expect.stringContaining('v1.2') });
  });
});
