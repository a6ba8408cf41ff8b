import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alinkSignature } from '../device-auth/alink-sign.ts';
import { signThings } from '../device-auth/things-sign.ts';
import { SecretBox } from '../secrets/secret-box.ts';
import { createDevices, deployListener, testTsl, type TestDevice } from '../testing/mqtt-devices.ts';
import { curlCommands, propertyPostTopic, samplePropertyPost } from '../../app/src/devices/connection-commands.ts';
import type { TslDocument } from '../../domain/thing-model/tsl-types.ts';
import { pipelineFlow } from '../testing/pipeline-flow.ts';
import { until } from '../testing/until.ts';
import { startTestServer, type TestJson, type TestServer } from '../testing/test-server.ts';
import { DeviceTokens } from '../ingress/device-tokens.ts';

const run = promisify(execFile);

let tw: TestServer;
let base: string;
let sensor: TestDevice;
let neighbour: TestDevice;
let doomed: TestDevice;
let rotated: TestDevice;
let thing: TestDevice;

beforeAll(async () => {
  tw = await startTestServer();
  base = `${tw.url}/device`;
  [sensor, neighbour, doomed, rotated] = await createDevices(tw, 'a1http', ['sensor-1', 'sensor-2', 'doomed', 'rotated']);
  [thing] = await createDevices(tw, 't1http', ['thing-1'], 'things');
  // The shipped pipeline: validate against the thing model, store, answer 200 once the rows are committed.
  await deployListener(tw, pipelineFlow());
});

afterAll(async () => {
  await tw?.close();
});

interface HttpAnswer {
  status: number;
  body: TestJson;
}

async function call(urlPath: string, body: string | object, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const res = await fetch(`${base}${urlPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** The body of an alink `/auth`, signed now with the device's secret (or another one). */
function alinkAuth(device: TestDevice, secret = device.deviceSecret) {
  const timestamp = String(Date.now());
  const clientId = `${device.deviceName}-http`;
  const sign = alinkSignature('hmacsha256', secret, { clientId, deviceName: device.deviceName, productKey: device.productKey, timestamp });
  return { productKey: device.productKey, deviceName: device.deviceName, clientId, timestamp, signmethod: 'hmacsha256', sign };
}

async function tokenOf(device: TestDevice): Promise<string> {
  const res = await call('/auth', alinkAuth(device));
  expect(res).toMatchObject({ status: 200, body: { code: 0, info: { token: expect.any(String) } } });
  return res.body.info.token as string;
}

const propertyTopic = (d: TestDevice) => `/topic/sys/${d.productKey}/${d.deviceName}/thing/event/property/post`;
const post = (d: TestDevice, token: string, id: string, params: object, topic = propertyTopic(d)) =>
  call(topic, { id, version: '1.0', params, method: 'thing.event.property.post' }, { password: token });

const history = async (d: TestDevice) =>
  (await tw.request('GET', `/api/v1/devices/${d.productKey}/${d.deviceName}/connections`, { token: tw.adminToken })).body.items as TestJson[];
const messages = async (d: TestDevice) =>
  (await tw.request('GET', `/api/v1/devices/${d.productKey}/${d.deviceName}/messages`, { token: tw.adminToken })).body.items as TestJson[];

/** A token signed with the platform's real key (read from the data dir), for what the platform would not issue. */
function realTokens(): DeviceTokens {
  return new DeviceTokens(SecretBox.fromKeyFile(path.join(tw.dataDir, 'keys', 'secret.key')).derive('http-device-token'));
}

describe('HTTP devices', () => {
  it('signs in, posts a property and is answered with the reply envelope once it is stored', async () => {
    const token = await tokenOf(sensor);
    const res = await post(sensor, token, '11', { temperature: 21.5 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: '11', code: 200, data: {}, message: 'success', method: 'thing.event.property.post', version: '1.0' });
    // 200 comes after the commit: the value is readable at once, no waiting.
    const shadow = await tw.request('GET', `/api/v1/devices/${sensor.productKey}/${sensor.deviceName}/properties`, { token: tw.adminToken });
    expect(shadow.body.items).toContainEqual(expect.objectContaining({ identifier: 'temperature', value: 21.5 }));
    // Online over HTTP, with the sign-in in the connection history.
    const status = await tw.request('GET', `/api/v1/devices/${sensor.productKey}/${sensor.deviceName}`, { token: tw.adminToken });
    expect(status.body.status).toBe('online');
    expect(await history(sensor)).toContainEqual(expect.objectContaining({ event: 'connected', protocol: 'http', clientId: 'sensor-1-http' }));
    expect((await messages(sensor))[0]).toMatchObject({ direction: 'up', msgId: '11', code: 200 });
  });

  it('answers 422 with the failing fields when the values break the thing model', async () => {
    const token = await tokenOf(sensor);
    const res = await post(sensor, token, '12', { temperature: 900 });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ id: '12', code: 422, data: [expect.objectContaining({ field: 'temperature' })] });
  });

  it('answers 400 with an envelope for a body that is not JSON, recorded in the message log', async () => {
    const token = await tokenOf(sensor);
    const res = await call(propertyTopic(sensor), '{"id":"13", not json', { password: token });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 400, message: expect.stringContaining('not JSON') });
    expect((await messages(sensor))[0]).toMatchObject({ code: 400 });
  });

  it('refuses another device\'s topic with 403', async () => {
    const token = await tokenOf(sensor);
    const res = await post(sensor, token, '14', { temperature: 20 }, propertyTopic(neighbour));
    expect(res).toMatchObject({ status: 403, body: { code: 403, message: 'topic outside the device namespace' } });
    expect((await messages(sensor))[0]).toMatchObject({ code: 403, topic: `/sys/a1http/sensor-2/thing/event/property/post` });
    expect(await messages(neighbour)).toEqual([]);
  });

  it('refuses a body over the limit with 413', async () => {
    const token = await tokenOf(sensor);
    const big = JSON.stringify({ id: '15', version: '1.0', params: { note: 'x'.repeat(300 * 1024) } });
    const res = await call(propertyTopic(sensor), big, { password: token });
    expect(res.status).toBe(413);
    expect((await messages(sensor))[0]).toMatchObject({ code: 413 });
  });

  it('refuses a bad signature with 401 and records the real reason in the device\'s history', async () => {
    const res = await call('/auth', alinkAuth(neighbour, 'not-the-secret'));
    expect(res).toEqual({ status: 401, body: { code: 401, message: 'not authorized' } });
    expect(await history(neighbour)).toContainEqual(expect.objectContaining({ event: 'refused', reason: 'bad-signature', protocol: 'http' }));
    // A malformed sign-in is 400: the device's code is wrong, not its secret.
    expect((await call('/auth', { productKey: 'a1http' })).status).toBe(400);
    expect((await call('/auth', 'nope')).status).toBe(400);
    // A sign-in is small: 8 KB at most.
    expect(await call('/auth', { productKey: 'a1http', deviceName: 'x'.repeat(9000), sign: 'x' })).toMatchObject({ status: 413, body: { code: 413 } });
  });

  it('refuses missing, forged and expired tokens with 401', async () => {
    const payload = { id: '16', version: '1.0', params: { temperature: 20 }, method: 'thing.event.property.post' };
    expect((await call(propertyTopic(sensor), payload)).status).toBe(401);
    expect((await call(propertyTopic(sensor), payload, { password: 'garbage' })).status).toBe(401);
    const grant = { productKey: sensor.productKey, deviceName: sensor.deviceName, dialect: 'alink' as const, expiresAt: Date.now() + 60_000 };
    const forged = new DeviceTokens(randomBytes(32)).issue(grant, sensor.deviceSecret);
    expect((await call(propertyTopic(sensor), payload, { password: forged })).status).toBe(401);
    // Another device's genuine token does not become this device's by editing the names.
    const other = await tokenOf(neighbour);
    const edited = other.split('.');
    edited[1] = Buffer.from(sensor.deviceName).toString('base64url');
    expect((await call(propertyTopic(sensor), payload, { password: edited.join('.') })).status).toBe(401);
    const expired = realTokens().issue({ ...grant, expiresAt: Date.now() - 1 }, sensor.deviceSecret);
    const res = await call(propertyTopic(sensor), payload, { password: expired });
    expect(res).toEqual({ status: 401, body: { code: 401, message: 'token expired: sign in again at /auth' } });
    // The same grant, still valid: the key is the real one, only the expiry refused it.
    expect((await call(propertyTopic(sensor), payload, { password: realTokens().issue(grant, sensor.deviceSecret) })).status).toBe(200);
  });

  it('voids tokens at use when the secret is rotated or the device disabled', async () => {
    const token = await tokenOf(rotated);
    expect((await post(rotated, token, '1', { temperature: 20 })).status).toBe(200);
    const rotate = await tw.request('POST', `/api/v1/devices/${rotated.productKey}/${rotated.deviceName}/secret/rotate`, { token: tw.adminToken });
    expect(rotate.status).toBe(200);
    expect((await post(rotated, token, '2', { temperature: 20 })).status).toBe(401);

    const before = await tokenOf(doomed);
    await tw.request('PATCH', `/api/v1/devices/${doomed.productKey}/${doomed.deviceName}`, { token: tw.adminToken, body: { enabled: false } });
    expect((await post(doomed, before, '1', { temperature: 20 })).status).toBe(401);
    // Disabling kicked its session: offline at once.
    const status = await tw.request('GET', `/api/v1/devices/${doomed.productKey}/${doomed.deviceName}`, { token: tw.adminToken });
    expect(status.body.status).toBe('offline');
    expect((await call('/auth', alinkAuth(doomed))).status).toBe(401);
  });

  it('takes a device\'s reply to a command without waiting for a flow: 200 once logged', async () => {
    const token = await tokenOf(sensor);
    const res = await call(`/topic/sys/${sensor.productKey}/${sensor.deviceName}/thing/service/reboot_reply`, { id: '99', code: 200, data: {} }, { password: token });
    expect(res).toEqual({ status: 200, body: { id: '99', code: 200, data: {}, message: 'success' } });
    expect((await messages(sensor))[0]).toMatchObject({ kind: 'service.reply', msgId: '99', code: 200 });
  });

  it('takes things-dialect devices, signed as on MQTT', async () => {
    const signed = signThings({ productKey: thing.productKey, deviceName: thing.deviceName, deviceSecret: thing.deviceSecret });
    const auth = await call('/auth', { productKey: thing.productKey, deviceName: thing.deviceName, password: signed.password });
    expect(auth.status).toBe(200);
    // The nonce is used up, as on MQTT.
    expect((await call('/auth', { productKey: thing.productKey, deviceName: thing.deviceName, password: signed.password })).status).toBe(401);
    const res = await call(`/topic/${thing.productKey}/${thing.deviceName}/thing/event/property/post`, { id: '3', ack: 1, params: { temperature: 19 } }, { password: auth.body.info.token });
    expect(res).toEqual({ status: 200, body: { id: '3', code: 200, data: {}, message: 'success' } });
  });

  it('hands a polling device the commands that waited for it, and its reply ends them', async () => {
    const token = await tokenOf(sensor);
    const poll = async (wait: number) => {
      const res = await fetch(`${base}/commands?wait=${wait}`, { headers: { password: token } });
      return { status: res.status, body: (await res.json()) as TestJson };
    };
    expect(await poll(0)).toEqual({ status: 200, body: { code: 0, message: 'success', data: [] } });
    // Sent between two polls: it waits (as long as it would for a reply) and the next poll gets it.
    const command = tw.request('POST', `/api/v1/devices/${sensor.productKey}/${sensor.deviceName}/commands`, {
      token: tw.adminToken, body: { kind: 'property.set', params: { target: 21 }, timeoutMs: 30_000 },
    });
    const polled = await until('the command in a poll', () => poll(20), (p) => p.body.data.length > 0, 20_000);
    const [delivered] = polled.body.data as { topic: string; payload: TestJson }[];
    expect(delivered).toMatchObject({
      topic: `/sys/${sensor.productKey}/${sensor.deviceName}/thing/service/property/set`,
      payload: { method: 'thing.service.property.set', params: { target: 21 } },
    });
    const reply = await call(`/topic${delivered!.topic}_reply`, { id: delivered!.payload.id, code: 200, data: {} }, { password: token });
    expect(reply.status).toBe(200);
    expect((await command).body).toMatchObject({ code: 200 });
    // Queued for later (202), then picked up by a poll as printed in docs/protocol.md.
    const queued = await tw.request('POST', `/api/v1/devices/${sensor.productKey}/${sensor.deviceName}/commands`, {
      token: tw.adminToken, body: { kind: 'service.invoke', serviceId: 'reboot', params: {}, whenOffline: 'queue' },
    });
    expect(queued.status).toBe(202);
    const doc = fs.readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
    const script = /```sh\n(curl[^\n]*\/commands[^\n]*)\n```/.exec(doc)?.[1];
    expect(script).toBeDefined();
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script!], { env: { ...process.env, BASE: base, TOKEN: token } });
    expect(JSON.parse(stdout)).toMatchObject({ code: 0, data: [{ topic: `/sys/${sensor.productKey}/${sensor.deviceName}/thing/service/reboot`, payload: { method: 'thing.service.reboot' } }] });

    // Each open poll holds a request: a device gets four at once, a fifth is refused; closing them frees their places.
    const abort = new AbortController();
    const open = Array.from({ length: 4 }, () => fetch(`${base}/commands?wait=60`, { headers: { password: token }, signal: abort.signal }).catch(() => undefined));
    expect((await until('a fifth poll refused', () => poll(0), (p) => p.status === 429, 10_000)).body).toEqual({ code: 429, message: '4 reads of this device\'s commands are open already' });
    abort.abort();
    await Promise.all(open);
    await until('polls again once they closed', () => poll(0), (p) => p.status === 200, 10_000);
  });

  it('runs the curl commands of the device page\'s connection panel as shown', async () => {
    const device = `/api/v1/devices/${neighbour.productKey}/${neighbour.deviceName}`;
    const signed = (await tw.request('POST', `${device}/credentials`, { token: tw.adminToken })).body;
    const endpoint = (signed.endpoints as { transport: string; url: string }[]).find((e) => e.transport === 'http');
    expect(endpoint?.url).toBe(base);
    const script = curlCommands({
      baseUrl: endpoint!.url, topic: propertyPostTopic(neighbour.productKey, neighbour.deviceName), payload: samplePropertyPost(testTsl as TslDocument),
      signIn: { productKey: neighbour.productKey, deviceName: neighbour.deviceName, clientId: signed.clientId, signMethod: signed.signMethod, timestamp: signed.timestamp, password: signed.password },
    });
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script]);
    expect(JSON.parse(stdout)).toMatchObject({ id: '1', code: 200 });
  });

  it('works from curl, as the docs show: the example in docs/protocol.md runs as printed', async () => {
    const doc = fs.readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## HTTP devices'), doc.indexOf('## Topics'));
    const script = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
    expect(script).toContain('$BASE/auth');
    const env = { ...process.env, PK: neighbour.productKey, DN: neighbour.deviceName, SECRET: neighbour.deviceSecret, BASE: base };
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script!], { env });
    expect(JSON.parse(stdout)).toEqual({ id: '1', code: 200, data: {}, message: 'success', method: 'thing.event.property.post', version: '1.0' });
    // And the reply printed under it is that answer.
    expect(section).toContain(stdout.trim());
  });
});
