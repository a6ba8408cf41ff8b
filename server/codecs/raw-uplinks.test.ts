import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codecDocExample, meterCodec, meterTsl, publishCodec } from '../testing/codec-products.ts';
import { connect, createDevices, deployListener, deviceOptions, nextMessage, subscribe, type TestDevice } from '../testing/mqtt-devices.ts';
import { pipelineFlow } from '../testing/pipeline-flow.ts';
import { alinkSignIn } from '../testing/tcp-devices.ts';
import { startTestServer, type TestJson, type TestServer } from '../testing/test-server.ts';
import { until } from '../testing/until.ts';

/**
 * Alink raw uplinks (`…/thing/model/up_raw`) of a product with a published codec, as an Alibaba device with a
 * "custom format" product sends them: decoded by the product's codec into the messages they carry, stored through the
 * shipped pipeline, and answered on `up_raw_reply` (MQTT) or in the response (HTTP) once those have their verdicts.
 */
let tw: TestServer;
let mqttPort: number;
let meter: TestDevice;
let plain: TestDevice;
const clients: MqttClient[] = [];
const frame = Buffer.from(codecDocExample('uplink').replace(/\s+/g, ''), 'hex');
const rawTopic = (d: TestDevice) => `/sys/${d.productKey}/${d.deviceName}/thing/model/up_raw`;

const latest = async (d: TestDevice) => Object.fromEntries(((await tw.request('GET', `/api/v1/devices/${d.productKey}/${d.deviceName}/properties`, { token: tw.adminToken }))
  .body.items as TestJson[]).map((i) => [i.identifier, i.value]));

async function device(d: TestDevice): Promise<MqttClient> {
  const c = await connect(`mqtt://127.0.0.1:${mqttPort}`, deviceOptions(d));
  clients.push(c);
  await subscribe(c, `${rawTopic(d)}_reply`);
  return c;
}

beforeAll(async () => {
  tw = await startTestServer();
  const token = tw.adminToken;
  [meter] = await createDevices(tw, 'a1meter', ['meter-1']);
  [plain] = await createDevices(tw, 'a1plain', ['plain-1']);
  for (const productKey of ['a1meter', 'a1plain']) {
    await tw.request('PUT', `/api/v1/products/${productKey}/thing-model/draft`, { token, body: meterTsl });
    expect((await tw.request('POST', `/api/v1/products/${productKey}/thing-model/publish`, { token })).status).toBe(201);
  }
  await publishCodec(tw, 'a1meter', meterCodec);
  mqttPort = await deployListener(tw, pipelineFlow());
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await tw?.close();
});

describe('raw uplinks of a product with a codec', () => {
  it('over MQTT: decoded, stored through the pipeline, and answered on up_raw_reply once stored', async () => {
    const c = await device(meter!);
    const replied = nextMessage(c, `${rawTopic(meter!)}_reply`);
    await c.publishAsync(rawTopic(meter!), frame, { qos: 1 });
    expect(await replied).toMatchObject({ code: 200 });
    expect(await latest(meter!)).toMatchObject({ voltage: 230.5, current: 1.25, power: 288.125 });
    // Logged as the message it carried, under the topic that message stands for.
    const log = (await tw.request('GET', '/api/v1/devices/a1meter/meter-1/messages', { token: tw.adminToken })).body.items as TestJson[];
    expect(log.find((m) => m.kind === 'property.post')).toMatchObject({ msgId: '7', code: 200, topic: '/sys/a1meter/meter-1/thing/event/property/post' });
  });

  it('over MQTT: a frame the codec refuses is answered 400 with its reason, and logged with its bytes', async () => {
    const c = await device(meter!);
    const bad = Buffer.from(frame);
    bad[19] = (bad[19]! + 1) & 0xff; // the checksum no longer matches
    const replied = nextMessage(c, `${rawTopic(meter!)}_reply`);
    await c.publishAsync(rawTopic(meter!), bad, { qos: 1 });
    expect(await replied).toMatchObject({ code: 400, message: expect.stringContaining('bad checksum') });
    const entry = await until('the refusal in the message log', async () =>
      ((await tw.request('GET', '/api/v1/devices/a1meter/meter-1/messages', { token: tw.adminToken })).body.items as TestJson[])
        .find((m) => m.code === 400), (m) => m !== undefined);
    expect(entry!.reason).toContain(`frame (20 bytes): ${bad.toString('hex').replace(/(..)(?!$)/g, '$1 ')}`);
  });

  it('over HTTP: the response is the raw uplink\'s answer, once stored', async () => {
    const auth = await fetch(`${tw.url}/device/auth`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alinkSignIn(meter!)) });
    const { info } = (await auth.json()) as { info: { token: string } };
    const posted = await fetch(`${tw.url}/device/topic${rawTopic(meter!)}`, {
      method: 'POST', headers: { password: info.token, 'content-type': 'application/octet-stream' }, body: frame,
    });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toMatchObject({ code: 200 });
  });

  it('of a product without a codec still reach flows as bytes (none in the shipped pipeline takes them: 503)', async () => {
    const c = await device(plain!);
    const replied = nextMessage(c, `${rawTopic(plain!)}_reply`);
    await c.publishAsync(rawTopic(plain!), frame, { qos: 1 });
    expect(await replied).toMatchObject({ code: 503, message: expect.stringContaining('no flow handles') });
  });
});
