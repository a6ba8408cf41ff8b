import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Agent, request as coapRequest, type IncomingMessage } from 'coap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alinkSignature } from '../device-auth/alink-sign.ts';
import { createDevices, deployListener, testTsl, type TestDevice } from '../testing/mqtt-devices.ts';
import { coapCommands, propertyPostTopic, samplePropertyPost } from '../../app/src/devices/connection-commands.ts';
import type { TslDocument } from '../../domain/thing-model/tsl-types.ts';
import { pipelineFlow } from '../testing/pipeline-flow.ts';
import { until } from '../testing/until.ts';
import { startTestServer, type TestJson, type TestServer } from '../testing/test-server.ts';
import type { CoapListener } from './coap-listener.ts';

const run = promisify(execFile);
/** libcoap's client: `coap-client` where it is built with one TLS library or none, `coap-client-notls` on Debian. */
const COAP_CLIENT = ['coap-client', 'coap-client-notls', 'coap-client-openssl', 'coap-client-gnutls']
  .find((name) => (process.env.PATH ?? '').split(':').some((dir) => fs.existsSync(path.join(dir, name))));
/** The body limit of the listener under test: small, so that a block-wise body can cross it quickly. */
const MAX_BODY = 4096;

let tw: TestServer;
let listener: CoapListener;
let base: string;
let sensor: TestDevice;
let neighbour: TestDevice;
let observer: TestDevice;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-coap-'));
// With a socket of its own the agent never closes it between requests, so an observation and its deregistration
// come from one port, as a device's would.
const agentSocket = dgram.createSocket('udp4');
const agent = new Agent({ socket: agentSocket });

beforeAll(async () => {
  tw = await startTestServer();
  [sensor, neighbour, observer] = await createDevices(tw, 'a1coap', ['sensor-1', 'sensor-2', 'observer-1']);
  // The shipped pipeline (validate, store, answer 200 once committed) with its CoAP listener on a loopback port.
  const flows = pipelineFlow();
  Object.assign(flows.find((n) => n.id === 'tw-coap-listener')!, { maxBodyBytes: MAX_BODY });
  await deployListener(tw, flows);
  listener = tw.app.coapListeners.listeners()[0]!;
  base = `coap://127.0.0.1:${listener.port}`;
});

afterAll(async () => {
  agent.close();
  agentSocket.close();
  await tw?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface CoapAnswer {
  /** The response code; 2.xx when libcoap printed no code. */
  code: string;
  body: TestJson;
}

/** Runs libcoap's client; it prints a 2.xx payload to stdout, and an error response as `{code} {payload}` to stderr. */
async function coapClient(args: string[]): Promise<CoapAnswer> {
  if (!COAP_CLIENT) throw new Error('libcoap\'s coap-client is not installed (Debian: libcoap3-bin)');
  const { stdout, stderr } = await run(COAP_CLIENT, ['-B', '5', ...args]);
  const error = /^(\d\.\d\d) ?(.*)$/m.exec(stderr);
  const text = error ? error[2]! : stdout;
  return { code: error ? error[1]! : '2.xx', body: text.trim() ? JSON.parse(text) : undefined };
}

function alinkAuth(device: TestDevice) {
  const timestamp = String(Date.now());
  const clientId = `${device.deviceName}-coap`;
  const sign = alinkSignature('hmacsha256', device.deviceSecret, { clientId, deviceName: device.deviceName, productKey: device.productKey, timestamp });
  return { productKey: device.productKey, deviceName: device.deviceName, clientId, timestamp, signmethod: 'hmacsha256', sign };
}

const topicOf = (d: TestDevice) => `/sys/${d.productKey}/${d.deviceName}/thing/event/property/post`;
const envelope = (id: string, params: object) => JSON.stringify({ id, version: '1.0', params, method: 'thing.event.property.post' });

async function tokenOf(device: TestDevice): Promise<string> {
  const res = await coapClient(['-m', 'post', '-e', JSON.stringify(alinkAuth(device)), `${base}/auth`]);
  expect(res).toMatchObject({ code: '2.xx', body: { code: 0, info: { token: expect.any(String) } } });
  return res.body.info.token as string;
}

/** A request from the `coap` package's client: the response code and JSON payload. */
function request(method: 'GET' | 'POST', pathname: string, token: string, payload?: string): Promise<{ code: string; body: TestJson }> {
  return new Promise((resolve, reject) => {
    const req = coapRequest({ hostname: '127.0.0.1', port: listener.port, method, pathname, agent, options: { 2088: Buffer.from(token) } as never });
    req.on('response', (res: IncomingMessage) => resolve({ code: res.code, body: res.payload.length ? JSON.parse(res.payload.toString()) : undefined }));
    req.on('error', reject);
    req.end(payload);
  });
}

describe('CoAP devices', () => {
  it('sign in, post and get the reply envelope with the verdict\'s code, block-wise too, from libcoap\'s coap-client', async () => {
    const token = await tokenOf(sensor);
    const post = (args: string[]) => coapClient(['-m', 'post', '-O', `2088,${token}`, ...args, `${base}/topic${topicOf(sensor)}`]);
    // Stored: 2.04 Changed, libcoap prints the reply envelope.
    expect(await post(['-e', envelope('1', { temperature: 21.5 })])).toEqual({
      code: '2.xx', body: { id: '1', code: 200, data: {}, message: 'success', method: 'thing.event.property.post', version: '1.0' },
    });
    // Non-confirmable, the same.
    expect(await post(['-N', '-e', envelope('2', { temperature: 21.6 })])).toMatchObject({ code: '2.xx', body: { id: '2', code: 200 } });
    // Outside the thing model's range: 4.22 with the failing field in the envelope.
    expect(await post(['-e', envelope('3', { temperature: 999 })])).toMatchObject({
      code: '4.22', body: { id: '3', code: 422, data: [expect.objectContaining({ field: 'temperature' })] },
    });
    // A body of several datagrams, sent in 64-byte blocks (RFC 7959 Block1), put together and stored.
    const big = path.join(tmp, 'big.json');
    fs.writeFileSync(big, `${envelope('4', { temperature: 22.5 }).slice(0, -1)}${' '.repeat(1500)}}`);
    expect(await post(['-b', '64', '-f', big])).toMatchObject({ code: '2.xx', body: { id: '4', code: 200 } });
    // Over the listener's limit: 4.13 at the block that crosses it, and the device's message log says so.
    const huge = path.join(tmp, 'huge.json');
    fs.writeFileSync(huge, `${envelope('5', { temperature: 22.5 }).slice(0, -1)}${' '.repeat(MAX_BODY)}}`);
    expect(await post(['-b', '1024', '-f', huge])).toMatchObject({ code: '4.13', body: { code: 413 } });
    const latest = await tw.request('GET', `/api/v1/devices/${sensor.productKey}/${sensor.deviceName}/properties`, { token: tw.adminToken });
    expect(JSON.stringify(latest.body)).toContain('22.5');
    const log = (await tw.request('GET', `/api/v1/devices/${sensor.productKey}/${sensor.deviceName}/messages`, { token: tw.adminToken })).body.items as TestJson[];
    expect(log.map((m) => m.code)).toEqual(expect.arrayContaining([200, 422, 413]));
    const history = (await tw.request('GET', `/api/v1/devices/${sensor.productKey}/${sensor.deviceName}/connections`, { token: tw.adminToken })).body.items as TestJson[];
    expect(history[0]).toMatchObject({ protocol: 'coap' });

    // Refusals: a token the platform did not issue, another device's topic, an unknown resource, a wrong method.
    const forged = await coapClient(['-m', 'post', '-O', `2088,${token.slice(0, -4)}AAAA`, '-e', envelope('6', { temperature: 1 }), `${base}/topic${topicOf(sensor)}`]);
    expect(forged).toMatchObject({ code: '4.01', body: { code: 401 } });
    expect(await post(['-e', envelope('7', { temperature: 1 })]).then(() => coapClient(['-m', 'post', '-O', `2088,${token}`, '-e', envelope('7', { temperature: 1 }), `${base}/topic${topicOf(neighbour)}`])))
      .toMatchObject({ code: '4.03', body: { code: 403 } });
    expect(await coapClient(['-m', 'get', `${base}/nothing-here`])).toMatchObject({ code: '4.04' });
    expect(await coapClient(['-m', 'get', `${base}/auth`])).toMatchObject({ code: '4.05' });
  });

  it('works from coap-client as docs/protocol.md prints it', async () => {
    const doc = fs.readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
    const start = doc.indexOf('## CoAP devices');
    const section = doc.slice(start, doc.indexOf('\n## ', start + 1));
    const script = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
    expect(script).toContain('coap-client');
    // Debian names the binary after its TLS library; the docs use libcoap's own name.
    const shim = COAP_CLIENT === 'coap-client' ? '' : `coap-client() { ${COAP_CLIENT} "$@"; }\n`;
    const env = { ...process.env, PK: neighbour.productKey, DN: neighbour.deviceName, SECRET: neighbour.deviceSecret, COAP: `127.0.0.1:${listener.port}` };
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', shim + script!], { env });
    expect(JSON.parse(stdout)).toEqual({ id: '1', code: 200, data: {}, message: 'success', method: 'thing.event.property.post', version: '1.0' });
    expect(section).toContain(stdout.trim());
  });

  it('runs the coap-client commands of the device page\'s connection panel as shown', async () => {
    const signed = (await tw.request('POST', `/api/v1/devices/${neighbour.productKey}/${neighbour.deviceName}/credentials`, { token: tw.adminToken })).body;
    const endpoint = (signed.endpoints as { transport: string; url: string }[]).find((e) => e.transport === 'coap');
    expect(endpoint?.url).toBe(base);
    const script = coapCommands({
      url: endpoint!.url, topic: propertyPostTopic(neighbour.productKey, neighbour.deviceName), payload: samplePropertyPost(testTsl as TslDocument),
      signIn: { productKey: neighbour.productKey, deviceName: neighbour.deviceName, clientId: signed.clientId, signMethod: signed.signMethod, timestamp: signed.timestamp, password: signed.password },
    });
    const shim = COAP_CLIENT === 'coap-client' ? '' : `coap-client() { ${COAP_CLIENT} "$@"; }\n`;
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', shim + script]);
    expect(JSON.parse(stdout)).toMatchObject({ id: '1', code: 200 });
  });

  it('pushes commands to a device observing /commands, queued ones first, and takes its replies', async () => {
    // Queued while the device is offline (202), delivered in the first notification of its observation.
    const queued = await tw.request('POST', `/api/v1/devices/${observer.productKey}/${observer.deviceName}/commands`, {
      token: tw.adminToken, body: { kind: 'service.invoke', serviceId: 'reboot', params: { delay: 1 }, whenOffline: 'queue' },
    });
    expect(queued.status).toBe(202);
    const token = await tokenOf(observer);
    const notifications: TestJson[] = [];
    const observation = coapRequest({
      hostname: '127.0.0.1', port: listener.port, method: 'GET', pathname: '/commands', observe: true, agent, options: { 2088: Buffer.from(token) } as never,
    });
    const stream = await new Promise<NodeJS.ReadableStream & { code: string; close(eagerDeregister?: boolean): void }>((resolve, reject) => {
      observation.on('response', resolve);
      observation.on('error', reject);
      observation.end();
    });
    expect(stream.code).toBe('2.05');
    stream.on('data', (chunk: Buffer) => notifications.push(JSON.parse(chunk.toString())));
    const first = await until('the queued command in a notification', () => notifications.flatMap((n) => n.data), (d) => d.length > 0, 5000);
    expect(first[0]).toMatchObject({ topic: `/sys/${observer.productKey}/${observer.deviceName}/thing/service/reboot`, payload: { params: { delay: 1 } } });
    expect(await request('POST', `/topic${first[0].topic}_reply`, token, JSON.stringify({ id: first[0].payload.id, code: 200, data: {} }))).toMatchObject({ code: '2.04' });

    // While it observes, a command goes out at once and its outcome is the device's reply.
    const command = tw.request('POST', `/api/v1/devices/${observer.productKey}/${observer.deviceName}/commands`, {
      token: tw.adminToken, body: { kind: 'property.set', params: { target: 21 }, timeoutMs: 5000 },
    });
    const live = await until('the property set in a notification', () => notifications.flatMap((n) => n.data).filter((c) => c.topic.endsWith('/property/set')), (d) => d.length > 0, 5000);
    expect(live[0].payload).toMatchObject({ method: 'thing.service.property.set', params: { target: 21 } });
    expect(await request('POST', `/topic${live[0].topic}_reply`, token, JSON.stringify({ id: live[0].payload.id, code: 200, data: {} }))).toMatchObject({ code: '2.04' });
    expect((await command).body).toMatchObject({ code: 200 });

    // Deregistering (a GET with the observation's token and Observe 1) ends it on the server.
    expect(listener.observationCount).toBe(1);
    stream.close(true);
    await until('the observation ended', () => listener.observationCount, (n) => n === 0, 5000);
  });

  it('survives garbage and a flood of datagrams from one socket, holding no more state than its bounds', async () => {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const send = (bytes: Buffer) => new Promise<void>((resolve, reject) => socket.send(bytes, listener.port!, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    await send(Buffer.from('not CoAP at all, just bytes \xff\x00'));
    await send(Buffer.from([0x40, 0x01])); // a header cut short
    for (let i = 0; i < 2000; i++) {
      const id = [(i >> 8) & 0xff, i & 0xff];
      const kind = i % 5;
      if (kind === 0) await send(Buffer.from([0x50, 0x01, ...id, 0xb1, 0x78])); // NON GET /x: 4.04
      else if (kind === 1) await send(Buffer.concat([Buffer.from([0x40, 0x02, ...id, 0xb5]), Buffer.from('topic'), Buffer.from([0xff]), Buffer.from('{"id":"1"}')])); // CON POST /topic, no token: 4.01
      else {
        // The first 64-byte block of an upload to a path of its own (1,200 of them, over the bound of 1,000 held at
        // once): each would be held until its next block.
        const seg = Buffer.from(`u${i}`);
        await send(Buffer.concat([Buffer.from([0x50, 0x02, ...id, 0xb0 | seg.length]), seg, Buffer.from([0xd1, 0x03, 0x0a, 0xff]), Buffer.alloc(64, 0x20)]));
      }
    }
    // It works through what the kernel kept of the flood (a full receive buffer drops the rest), then answers again: a
    // request with a token of its own (NON GET /x, token 0xab) gets its 4.04.
    let probed = false;
    let pong = false;
    socket.on('message', (m: Buffer) => {
      if ((m[0]! & 0x0f) === 1 && m[4] === 0xab) probed = true;
      if (m.length === 4 && m[0] === 0x70 && m.readUInt16BE(2) === 0xbeef) pong = true;
    });
    await until('an answer after the flood', async () => {
      await send(Buffer.from([0x51, 0x01, 0xff, 0xff, 0xab, 0xb1, 0x78]));
      return probed;
    }, Boolean, 10_000);
    // A CoAP ping (an empty confirmable message) is answered with RST, as RFC 7252 §4.3 has it.
    await send(Buffer.from([0x40, 0x00, 0xbe, 0xef]));
    await until('the RST to a ping', () => pong, Boolean, 5000);
    socket.close();
    // A device is served as before, and every upload the flood began is held inside the bound.
    await tokenOf(sensor);
    expect(listener.transferCount).toBeLessThanOrEqual(1000);
    expect(listener.transferCount).toBeGreaterThan(0);
  });
});
