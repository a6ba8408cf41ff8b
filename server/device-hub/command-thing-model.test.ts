import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, deployListener, deviceOptions, listenerFlow, subscribe, type TestDevice } from '../testing/mqtt-devices.ts';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

/**
 * Commands through the API checked against the product's published thing model, with a real device connected over
 * MQTT: what the model refuses is answered 422 and never published to the device; what fits reaches it.
 */
let tw: TestServer;
let lamp: TestDevice;
let url: string;
let client: MqttClient | undefined;

const TSL = {
  properties: [
    { identifier: 'mode', name: 'Mode', accessMode: 'rw', required: false, dataType: { type: 'enum', specs: { 0: 'off', 1: 'on', 2: 'blink' } } },
    { identifier: 'firmware', name: 'Firmware', accessMode: 'r', required: false, dataType: { type: 'text', specs: { length: '16' } } },
  ],
  events: [],
  services: [
    { identifier: 'blink', name: 'Blink', callType: 'async', inputData: [{ identifier: 'times', name: 'Times', dataType: { type: 'int', specs: { min: '1', max: '10' } } }], outputData: [] },
  ],
};

beforeAll(async () => {
  tw = await startTestServer();
  const token = tw.adminToken;
  await tw.request('POST', '/api/v1/products', { token, body: { productKey: 'lamps', name: 'Lamps' } });
  expect((await tw.request('PUT', '/api/v1/products/lamps/thing-model/draft', { token, body: TSL })).status).toBe(200);
  expect((await tw.request('POST', '/api/v1/products/lamps/thing-model/publish', { token })).status).toBeLessThan(300);
  const created = await tw.request('POST', '/api/v1/devices', { token, body: { productKey: 'lamps', deviceName: 'porch' } });
  lamp = { productKey: 'lamps', deviceName: 'porch', deviceSecret: created.body.deviceSecret };
  url = `mqtt://127.0.0.1:${await deployListener(tw, listenerFlow())}`;
});
afterAll(async () => {
  client?.end(true);
  await tw?.close();
});

const command = (body: object) => tw.request('POST', '/api/v1/devices/lamps/porch/commands', { token: tw.adminToken, body: { timeoutMs: 5000, ...body } });

describe('commands checked against the published thing model', () => {
  it('answers 422 with the failing fields and publishes nothing to the device; a valid set reaches it', async () => {
    client = await connect(url, deviceOptions(lamp));
    // Every command topic of the device: whatever the hub publishes to it arrives here, in order.
    const received: { topic: string; params: unknown }[] = [];
    client.on('message', (topic, payload) => {
      const { id, params } = JSON.parse(payload.toString()) as { id: string; params: unknown };
      received.push({ topic, params });
      void client!.publishAsync(`${topic}_reply`, JSON.stringify({ id, code: 200, data: {} }));
    });
    await subscribe(client, '/sys/lamps/porch/thing/service/#');

    const enumOut = await command({ kind: 'property.set', params: { mode: 7 } });
    expect(enumOut.status).toBe(422);
    expect(enumOut.body).toEqual({
      error: {
        code: 'validation_failed',
        message: 'Not sent: the command does not fit the thing model of lamps (version 1): params.mode: must be one of 0 (off), 1 (on), 2 (blink)',
        details: [{ path: '/params/mode', message: 'must be one of 0 (off), 1 (on), 2 (blink)' }],
      },
    });

    const readOnly = await command({ kind: 'property.set', params: { mode: 1, firmware: '9.9' } });
    expect(readOnly.status).toBe(422);
    expect(readOnly.body.error.details).toEqual([{ path: '/params/firmware', message: 'read-only' }]);

    const badService = await command({ kind: 'service.invoke', serviceId: 'blink', params: { times: 0 } });
    expect(badService.status).toBe(422);
    expect(badService.body.error.details).toEqual([{ path: '/params/times', message: 'must be ≥ 1' }]);

    const valid = await command({ kind: 'property.set', params: { mode: 2 } });
    expect(valid.status).toBe(200);
    expect(valid.body).toMatchObject({ code: 200 });
    // The device answered the valid set, so it has received it; had any refused command been published before it,
    // it would have arrived first on this connection.
    expect(received).toEqual([{ topic: '/sys/lamps/porch/thing/service/property/set', params: { mode: 2 } }]);

    // Every command is in the message log, the refused ones with 422 and their reason.
    const log = await tw.request('GET', '/api/v1/devices/lamps/porch/messages?direction=down', { token: tw.adminToken });
    expect(log.body.items.map((m: { kind: string; code: number; reason: string | null }) => [m.kind, m.code, m.reason])).toEqual([
      ['property.set', 200, null],
      ['service.invoke', 422, 'not sent: the command does not fit the thing model of lamps (version 1): params.times: must be ≥ 1'],
      ['property.set', 422, 'not sent: the command does not fit the thing model of lamps (version 1): params.firmware: read-only'],
      ['property.set', 422, 'not sent: the command does not fit the thing model of lamps (version 1): params.mode: must be one of 0 (off), 1 (on), 2 (blink)'],
    ]);
    expect((await tw.request('GET', '/api/v1/devices/lamps/porch/messages?code=422', { token: tw.adminToken })).body.total).toBe(3);
  });

  it('documents the 422 of the command route in the OpenAPI document', async () => {
    const doc = (await tw.request('GET', '/api/v1/openapi.json')).body;
    const responses = doc.paths['/api/v1/devices/{productKey}/{deviceName}/commands'].post.responses;
    expect(responses['422']).toMatchObject({
      description: expect.stringContaining('does not fit the product\'s published thing model'),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    });
  });
});
