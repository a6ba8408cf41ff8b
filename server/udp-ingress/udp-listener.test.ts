import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alinkSignature } from '../device-auth/alink-sign.ts';
import { createDevices, deployListener, type TestDevice } from '../testing/mqtt-devices.ts';
import { udpPipelineFlow } from '../testing/pipeline-flow.ts';
import { meterChecksum, meterCodec, meterFrame, meterSetReply, meterTsl, publishCodec as publishProductCodec } from '../testing/codec-products.ts';
import { startTestServer, type TestJson, type TestServer } from '../testing/test-server.ts';
import { until } from '../testing/until.ts';
import type { UdpListener } from './udp-listener.ts';

/**
 * A tag that signs in with a codec login ('L' and the sign-in fields as JSON) and posts a temperature byte after 'T',
 * asking for the verdict: 'R' and 0 when stored, 1 when not.
 */
const tagCodec = `
function decode(bytes) {
  if (bytes[0] === 0x4c) return [{ kind: 'login', params: JSON.parse(String.fromCharCode.apply(null, Array.from(bytes.subarray(1)))) }];
  if (bytes[0] === 0x54) return [{ kind: 'property.post', params: { temperature: bytes[1] }, ack: true }];
  throw new Error('unknown frame');
}
function encode(command) {
  if (command.kind === 'reply' && command.request === 'login') return [0x4c, command.code === 200 ? 0 : 1];
  if (command.kind === 'reply') return [0x52, command.code === 200 ? 0 : 1];
  throw new Error('no commands');
}`;

let tw: TestServer;
let listener: UdpListener;
let meter: TestDevice;
let looping: TestDevice;
let tag: TestDevice;
let json1: TestDevice;
let json2: TestDevice;
const sockets: UdpDevice[] = [];

/** A device's UDP socket on a loopback address of its own (the listener rate-limits per address). */
class UdpDevice {
  readonly received: Buffer[] = [];
  #wake: (() => void) | undefined;
  private constructor(readonly socket: dgram.Socket) {
    socket.on('message', (bytes) => {
      this.received.push(bytes);
      this.#wake?.();
    });
  }

  static async open(address: string): Promise<UdpDevice> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, address, resolve));
    const device = new UdpDevice(socket);
    sockets.push(device);
    return device;
  }

  send(bytes: Buffer | string): void {
    this.socket.send(typeof bytes === 'string' ? Buffer.from(bytes) : bytes, listener.port!, '127.0.0.1');
  }

  /** The next datagram (taken off the list), or a rejection after the timeout. */
  async next(timeoutMs = 10_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no datagram came');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.received.shift()!;
  }

  async nextJson(): Promise<TestJson> {
    return JSON.parse((await this.next()).toString('utf8'));
  }
}

function signIn(device: TestDevice, secret = device.deviceSecret): Record<string, string> {
  const timestamp = String(Date.now());
  const clientId = `${device.deviceName}-udp`;
  const sign = alinkSignature('hmacsha256', secret, { clientId, deviceName: device.deviceName, productKey: device.productKey, timestamp });
  return { productKey: device.productKey, deviceName: device.deviceName, clientId, timestamp, signmethod: 'hmacsha256', sign };
}

/** A sign-in datagram long enough for the answer with the token to be sent back (see "no amplification"). */
const padded = (fields: object) => JSON.stringify({ ...fields, pad: ' '.repeat(120) });

async function messages(device: TestDevice, query = ''): Promise<TestJson[]> {
  const res = await tw.request('GET', `/api/v1/devices/${device.productKey}/${device.deviceName}/messages?limit=50${query}`, { token: tw.adminToken });
  return res.body.items;
}

const publishCodec = (productKey: string, source: string) => publishProductCodec(tw, productKey, source);

async function product(productKey: string, tsl: object | undefined, deviceName: string): Promise<TestDevice> {
  const token = tw.adminToken;
  expect((await tw.request('POST', '/api/v1/products', { token, body: { productKey, name: productKey, dialect: 'alink' } })).status).toBe(201);
  if (tsl) {
    await tw.request('PUT', `/api/v1/products/${productKey}/thing-model/draft`, { token, body: tsl });
    await tw.request('POST', `/api/v1/products/${productKey}/thing-model/publish`, { token });
  }
  const d = await tw.request('POST', '/api/v1/devices', { token, body: { productKey, deviceName } });
  return { productKey, deviceName, deviceSecret: d.body.deviceSecret };
}

const stats = () => listener.stats();

beforeAll(async () => {
  tw = await startTestServer();
  meter = await product('a1meter', meterTsl, 'meter-1');
  await publishCodec('a1meter', meterCodec);
  looping = await product('a1loop', undefined, 'loop-1');
  await publishCodec('a1loop', 'function decode(bytes) { while (true) {} }');
  [tag] = await createDevices(tw, 'a1tag', ['tag-1']);
  await publishCodec('a1tag', tagCodec);
  [json1, json2] = await createDevices(tw, 'a1json', ['json-1', 'json-2']);
  await deployListener(tw, udpPipelineFlow({ productKey: 'a1tag', maxDatagramBytes: 512, ratePerAddress: 20 }));
  listener = (await until('the UDP listener started', () => tw.app.udpListeners.listeners().find((l) => l.port), Boolean, 15_000))!;
});

afterAll(async () => {
  for (const s of sockets) s.socket.close();
  await tw?.close();
});

describe('a codec device over UDP', () => {
  it('signs in, posts frames through the docs\' meter codec, and answers a queued command with its reply', async () => {
    // Offline: the command waits, and goes out right after the sign-in's answer.
    const queued = await tw.request('POST', '/api/v1/devices/a1meter/meter-1/commands', {
      token: tw.adminToken, body: { kind: 'property.set', params: { powerLimit: 1500 }, whenOffline: 'queue' },
    });
    expect(queued.status).toBe(202);
    const device = await UdpDevice.open('127.0.0.2');
    device.send(padded(signIn(meter)));
    const signedIn = await device.nextJson();
    expect(signedIn).toMatchObject({ code: 0, message: 'success', info: { token: expect.any(String), expiresAt: expect.any(Number) } });
    const waited = await device.next();
    expect([...waited.subarray(0, 2), waited[6], waited.readUInt16BE(7)]).toEqual([0xa5, 0x02, 0xff, 1500]);
    expect(waited.readUInt32BE(2)).toBe(Number(queued.body.id));
    device.send(meterSetReply(waited.readUInt32BE(2)));
    await until('the queued command answered', async () => (await messages(meter, '&direction=down')).find((m) => m.msgId === queued.body.id), (m) => m?.code === 200);

    // The address is bound: bare frames are the meter's, decoded by its product's codec, checked and stored.
    device.send(meterFrame(7, 230.5, 1.25, 288.125));
    const props = await until('the meter\'s values stored', async () => {
      const res = await tw.request('GET', '/api/v1/devices/a1meter/meter-1/properties', { token: tw.adminToken });
      return res.body.items as TestJson[];
    }, (items) => items.some((p) => p.identifier === 'voltage'));
    expect(Object.fromEntries(props.map((p) => [p.identifier, p.value]))).toMatchObject({ voltage: 230.5, current: 1.25, power: 288.125, relay: 1 });
    const stored = (await messages(meter)).find((m) => m.msgId === '7');
    expect(stored).toMatchObject({ direction: 'up', kind: 'property.post', code: 200 });

    // A voltage outside the thing model: 422 in the message log, nothing stored.
    device.send(meterFrame(8, 9999, 1, 1));
    const refused = await until('the bad value logged', async () => (await messages(meter)).find((m) => m.msgId === '8'), (m) => m?.code !== undefined && m.code !== null);
    expect(refused.code).toBe(422);

    // A command sent with "If offline: queue" while the meter is online goes to its address as the codec's bytes.
    const sent = tw.request('POST', '/api/v1/devices/a1meter/meter-1/commands', {
      token: tw.adminToken, body: { kind: 'property.set', params: { relay: true, powerLimit: 3000 }, whenOffline: 'queue' },
    });
    const command = await device.next();
    expect(command.subarray(0, 2)).toEqual(Buffer.from([0xa5, 0x02]));
    expect(command.length).toBe(10);
    expect(command[6]).toBe(1);
    expect(command.readUInt16BE(7)).toBe(3000);
    expect(command[9]).toBe(meterChecksum(command, 9));
    device.send(meterSetReply(command.readUInt32BE(2)));
    const result = await sent;
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ id: String(command.readUInt32BE(2)), code: 200 });
  });

  it('a codec that never returns is stopped with a timeout in its device\'s message log while the meter goes on', async () => {
    const loop = await UdpDevice.open('127.0.0.3');
    loop.send(padded(signIn(looping)));
    expect(await loop.nextJson()).toMatchObject({ code: 0 });
    const frame = Buffer.from('c0ffee0102', 'hex');
    loop.send(frame);

    const meterSocket = await UdpDevice.open('127.0.0.2');
    meterSocket.send(padded(signIn(meter)));
    expect(await meterSocket.nextJson()).toMatchObject({ code: 0 });
    meterSocket.send(meterFrame(21, 231, 2, 462));

    const failed: TestJson = await until('the timeout logged', async () => (await messages(looping)).find((m) => m.code === 400), Boolean);
    expect(failed.kind).toBe('raw.up');
    expect(failed.reason).toMatch(/codec decode failed \(timeout\).*c0 ff ee 01 02/);
    const served = await until('the meter served', async () => (await messages(meter)).find((m) => m.msgId === '21'), (m) => m?.code === 200);
    expect(served.code).toBe(200);
  });

  it('signs in with a codec login read by the listener\'s product, answered by its encode, as are posts that ask', async () => {
    const device = await UdpDevice.open('127.0.0.4');
    device.send(Buffer.concat([Buffer.from('L'), Buffer.from(JSON.stringify(signIn(tag)))]));
    expect(await device.next()).toEqual(Buffer.from([0x4c, 0]));
    device.send(Buffer.from([0x54, 21]));
    expect(await device.next()).toEqual(Buffer.from([0x52, 0]));
    device.send(Buffer.from([0x54, 200])); // above the thing model's 125
    expect(await device.next()).toEqual(Buffer.from([0x52, 1]));
    await until('the tag\'s value stored', async () => {
      const res = await tw.request('GET', '/api/v1/devices/a1tag/tag-1/properties', { token: tw.adminToken });
      return res.body.items as TestJson[];
    }, (items) => items.some((p) => p.identifier === 'temperature' && p.value === 21));

    const stranger = await UdpDevice.open('127.0.0.5');
    stranger.send(Buffer.concat([Buffer.from('L'), Buffer.from(JSON.stringify(signIn(tag, 'not-the-secret')))]));
    expect(await stranger.next()).toEqual(Buffer.from([0x4c, 1]));
    const history = await tw.request('GET', '/api/v1/devices/a1tag/tag-1/connections', { token: tw.adminToken });
    expect(history.body.items.find((c: TestJson) => c.event === 'refused')).toMatchObject({ protocol: 'udp', reason: 'bad-signature' });
  });
});

describe('JSON devices over UDP', () => {
  it('post with a token and are answered with the reply envelope; a token from another address re-binds', async () => {
    const first = await UdpDevice.open('127.0.0.6');
    first.send(padded(signIn(json1)));
    const { info } = await first.nextJson();
    const topic = `/sys/a1json/json-1/thing/event/property/post`;
    const post = (id: string, temperature: number) => ({ topic, payload: { id, version: '1.0', method: 'thing.event.property.post', params: { temperature } } });

    // Bound: no token needed from the sign-in's address.
    first.send(JSON.stringify(post('1', 20.5)));
    expect(await first.nextJson()).toMatchObject({ topic: `${topic}_reply`, payload: { id: '1', code: 200 } });

    // The token from another address: answered there, and that address is now the device's.
    const second = await UdpDevice.open('127.0.0.7');
    second.send(JSON.stringify({ token: info.token, ...post('2', 21) }));
    expect(await second.nextJson()).toMatchObject({ topic: `${topic}_reply`, payload: { id: '2', code: 200 } });
    second.send(JSON.stringify(post('3', 300)));
    expect(await second.nextJson()).toMatchObject({ payload: { id: '3', code: 422 } });
    const unrecognised = stats().unrecognised;
    first.send(JSON.stringify(post('4', 22)));
    await until('the old address\'s datagram dropped', () => stats().unrecognised, (n) => n > unrecognised);
    expect(first.received).toEqual([]);

    // A JSON device's commands go to its address as {topic, payload}; its reply datagram is the command's result.
    const sent = tw.request('POST', '/api/v1/devices/a1json/json-1/commands', {
      token: tw.adminToken, body: { kind: 'property.set', params: { target: 22 }, whenOffline: 'queue' },
    });
    const command = await second.nextJson();
    expect(command).toMatchObject({ topic: '/sys/a1json/json-1/thing/service/property/set', payload: { params: { target: 22 } } });
    second.send(JSON.stringify({ topic: `${command.topic}_reply`, payload: { id: command.payload.id, code: 200, data: {} } }));
    expect((await sent).body).toMatchObject({ code: 200 });
  });

  it('refuses bad signatures and tokens, drops garbage, oversized datagrams and floods, and never answers larger than asked', async () => {
    const attacker = await UdpDevice.open('127.0.0.8');
    const send = (bytes: string | Buffer) => attacker.send(bytes);
    /** Sends a datagram and takes its answer, which must be no larger than it. */
    const ask = async (bytes: string) => {
      send(bytes);
      const answer = await attacker.next();
      expect(answer.length).toBeLessThanOrEqual(Buffer.byteLength(bytes));
      return JSON.parse(answer.toString('utf8')) as TestJson;
    };
    // A bad signature: 401, and the real reason in the device's connection history.
    expect(await ask(JSON.stringify(signIn(json2, 'wrong-secret')))).toEqual({ code: 401, message: 'not authorized' });
    const history = await tw.request('GET', '/api/v1/devices/a1json/json-2/connections', { token: tw.adminToken });
    expect(history.body.items[0]).toMatchObject({ event: 'refused', protocol: 'udp', reason: 'bad-signature' });

    // A forged token: 401 on the post's reply topic.
    const topic = '/sys/a1json/json-2/thing/event/property/post';
    const forged = JSON.stringify({ token: 'YTFqc29u.anNvbi0y.a.9999999999999.AAAA', topic, payload: { id: '1', params: { temperature: 1 } } });
    expect(await ask(forged)).toEqual({ topic: `${topic}_reply`, payload: { code: 401, message: 'not authorized' } });

    // A sign-in with no signature, too short to be answered: left unanswered rather than answered larger.
    const unanswered = stats().unanswered;
    send('{"deviceName":"x"}');
    await until('the short sign-in left unanswered', () => stats().unanswered, (n) => n > unanswered);

    // Garbage and oversized datagrams from an unbound address are dropped and counted.
    const before = stats();
    send(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    send(Buffer.alloc(600, 0x41));
    send('{"not": "json');
    await until('garbage counted', () => stats(), (s) => s.unrecognised >= before.unrecognised + 2 && s.oversized >= before.oversized + 1);

    // The signed-in meter's oversized datagram is refused in its message log.
    const meterSocket = await UdpDevice.open('127.0.0.2');
    meterSocket.send(padded(signIn(meter)));
    expect(await meterSocket.nextJson()).toMatchObject({ code: 0 });
    meterSocket.send(Buffer.alloc(600, 0xa5));
    await until('the oversized frame logged', async () => (await messages(meter)).find((m) => m.code === 413), Boolean);

    // Nothing else was answered.
    expect(attacker.received).toEqual([]);

    // A flood from one address past its rate (20/s, bursts of 40) is dropped before it is read.
    const flooder = await UdpDevice.open('127.0.0.9');
    const start = stats();
    for (let i = 0; i < 400; i++) flooder.send(Buffer.from([i & 0xff]));
    const after = await until('the flood counted', () => stats(), (s) => s.datagrams >= start.datagrams + 400);
    expect(after.rateLimited - start.rateLimited).toBeGreaterThan(200);
    expect(after.rateLimited - start.rateLimited + after.unrecognised - start.unrecognised).toBe(400);

    const metrics = await tw.request('GET', '/metrics', { token: tw.adminToken });
    const text = String(metrics.body);
    expect(text).toMatch(/thingwire_udp_dropped_total\{reason="rate"\} [1-9]/);
    expect(text).toMatch(/thingwire_codec_errors_total\{product="a1loop",kind="timeout"\} [1-9]/);
  });

  it('with binding off takes only datagrams that carry a token (a redeploy applies it to the running listener)', async () => {
    await deployListener(tw, udpPipelineFlow({ productKey: 'a1tag', maxDatagramBytes: 512, ratePerAddress: 20, bindAddress: false }));
    await until('binding off', () => listener.config.bindAddress, (on) => !on);
    expect(tw.app.udpListeners.listeners()).toEqual([listener]);
    expect(stats().boundAddresses).toBe(0);
    const device = await UdpDevice.open('127.0.0.10');
    device.send(padded(signIn(json2)));
    const { info } = await device.nextJson();
    const topic = '/sys/a1json/json-2/thing/event/property/post';
    const post = { topic, payload: { id: '5', version: '1.0', method: 'thing.event.property.post', params: { temperature: 19 } } };
    const unrecognised = stats().unrecognised;
    device.send(JSON.stringify(post));
    await until('the bare post dropped', () => stats().unrecognised, (n) => n > unrecognised);
    device.send(JSON.stringify({ token: info.token, ...post }));
    expect(await device.nextJson()).toMatchObject({ topic: `${topic}_reply`, payload: { id: '5', code: 200 } });
    expect(stats().boundAddresses).toBe(0);
  });
});
