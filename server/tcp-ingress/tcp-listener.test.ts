import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alinkSignature } from '../device-auth/alink-sign.ts';
import { createDevices, freePort, type TestDevice } from '../testing/mqtt-devices.ts';
import { alinkSignIn, deployTcpListeners, tcpListenerFlow, TcpTestDevice } from '../testing/tcp-devices.ts';
import { meterChecksum, meterCodec, meterFrame, meterSetReply, meterTsl, publishCodec as publishProductCodec } from '../testing/codec-products.ts';
import { startTestServer, type TestJson, type TestServer } from '../testing/test-server.ts';
import { until } from '../testing/until.ts';
import type { CodecFramer } from './tcp-framing.ts';
import type { TcpListener } from './tcp-listener.ts';

/**
 * The codec of the listeners' own product: a binary login `a5 10 {name length} {name} {timestamp, uint48 ms}
 * {HMAC-SHA256, 32 bytes}` signs a meter in, and its `frame` also cuts the meter's frames (codec framing).
 */
const loginCodec = `
function frame(bytes) {
  if (bytes.length < 3) return 0;
  const size = bytes[1] === 0x10 ? 3 + bytes[2] + 38 : bytes[1] === 0x03 ? 8 : 20;
  return bytes.length >= size ? size : 0;
}
function decode(bytes, context) {
  if (bytes[0] !== 0xa5 || bytes[1] !== 0x10) throw new Error('expected a login frame');
  const n = bytes[2];
  let name = '';
  for (let i = 0; i < n; i++) name += String.fromCharCode(bytes[3 + i]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = 3 + n;
  const timestamp = view.getUint16(at) * 2 ** 32 + view.getUint32(at + 2);
  let sign = '';
  for (let i = at + 6; i < bytes.length; i++) sign += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return [{ kind: 'login', params: { productKey: 'a1meter', deviceName: name, clientId: name, timestamp: String(timestamp), signmethod: 'hmacsha256', sign } }];
}
function encode(command, context) {
  if (command.kind === 'reply' && command.request === 'login') return [0xa5, 0x11, command.code === 200 ? 0 : 1];
  throw new Error('this codec answers logins only');
}`;

let tw: TestServer;
let meter: TestDevice;
let meter2: TestDevice;
let spin: TestDevice;
let hog: TestDevice;
let acked: TestDevice;
let jsonDevice: TestDevice;
let jsonNeighbour: TestDevice;
/** Listener ports by name. */
const port: Record<'main' | 'codec' | 'newline' | 'len32' | 'fixed' | 'flood' | 'timeout' | 'idle', number> = {} as never;
const FIXED = 300;

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
function loginFrame(device: TestDevice, secret = device.deviceSecret): Buffer {
  const timestamp = Date.now();
  const sign = alinkSignature('hmacsha256', secret, { clientId: device.deviceName, deviceName: device.deviceName, productKey: device.productKey, timestamp: String(timestamp) });
  const name = Buffer.from(device.deviceName);
  const ts = Buffer.alloc(6);
  ts.writeUIntBE(timestamp, 0, 6);
  return Buffer.concat([Buffer.from([0xa5, 0x10, name.length]), name, ts, Buffer.from(sign, 'hex')]);
}
/** What the login codec's `frame` says, on the device's side of codec framing. */
const codecFrame: CodecFramer = (bytes) => ({ ok: true, value: bytes.length >= 3 ? 3 : 0 });

const api = (method: string, path: string, body?: unknown) => tw.request(method, `/api/v1${path}`, { token: tw.adminToken, body });
const messages = async (d: TestDevice): Promise<TestJson[]> => (await api('GET', `/devices/${d.productKey}/${d.deviceName}/messages?limit=100`)).body.items;
const connections = async (d: TestDevice): Promise<TestJson[]> => (await api('GET', `/devices/${d.productKey}/${d.deviceName}/connections?limit=100`)).body.items;
const latest = async (d: TestDevice): Promise<Record<string, unknown>> => {
  const items = (await api('GET', `/devices/${d.productKey}/${d.deviceName}/properties`)).body.items as { identifier: string; value: unknown }[];
  return Object.fromEntries(items.map((i) => [i.identifier, i.value]));
};
const listener = (p: number): TcpListener => tw.app.tcpListeners.listeners().find((l) => l.port === p)!;
const metric = async (name: string): Promise<number> => {
  const text = (await tw.request('GET', '/metrics')).body as string;
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
};

const publishCodec = (productKey: string, source: string) => publishProductCodec(tw, productKey, source);

/** Connects, signs in with JSON fields and checks the answer. */
async function signedIn(p: number, device: TestDevice, framing: 'length16' | 'newline' = 'length16'): Promise<TcpTestDevice> {
  const c = await TcpTestDevice.connect(p, framing);
  c.send(alinkSignIn(device));
  expect(await c.nextJson()).toEqual({ code: 0, message: 'success' });
  return c;
}

beforeAll(async () => {
  tw = await startTestServer();
  [meter, meter2] = await createDevices(tw, 'a1meter', ['meter-1', 'meter-2']);
  await api('PUT', '/products/a1meter/thing-model/draft', meterTsl);
  expect((await api('POST', '/products/a1meter/thing-model/publish')).status).toBe(201);
  await publishCodec('a1meter', meterCodec);
  [spin] = await createDevices(tw, 'a1spin', ['spin-1']);
  await publishCodec('a1spin', 'function decode(bytes) { while (true) {} }');
  [hog] = await createDevices(tw, 'a1hog', ['hog-1']);
  await publishCodec('a1hog', 'function decode(bytes) { const keep = []; for (;;) keep.push(new ArrayBuffer(1 << 20)); }');
  [acked] = await createDevices(tw, 'a1ack', ['ack-1']);
  // A temperature byte and a message id byte, posted asking for the verdict; the verdict as `a5 12 {code, uint16}`.
  await publishCodec('a1ack', `
    function decode(bytes) { return [{ kind: 'property.post', id: bytes[1], params: { temperature: bytes[0] }, ack: true }]; }
    function encode(command) {
      if (command.kind !== 'reply') throw new Error('verdicts only');
      return [0xa5, 0x12, command.code >> 8, command.code & 0xff, Number(command.id)];
    }`);
  [jsonDevice, jsonNeighbour] = await createDevices(tw, 'a1json', ['json-1', 'json-2']);
  await createDevices(tw, 'a1login', []);
  await publishCodec('a1login', loginCodec);
  for (const name of ['main', 'codec', 'newline', 'len32', 'fixed', 'flood', 'timeout', 'idle'] as const) port[name] = await freePort();
  await deployTcpListeners(tw, flows());
});

/** The listeners under test; `changes` over the newline listener's settings (a redeploy). */
function flows(changes: object = {}) {
  return tcpListenerFlow([
    { id: 'tcp-main', port: port.main, framing: 'length16', productKey: 'a1login', maxFrameBytes: 4096 },
    { id: 'tcp-codec', port: port.codec, framing: 'codec', productKey: 'a1login' },
    { id: 'tcp-newline', port: port.newline, framing: 'newline', maxFrameBytes: 4096, ...changes },
    { id: 'tcp-len32', port: port.len32, framing: 'length32' },
    { id: 'tcp-fixed', port: port.fixed, framing: 'fixed', fixedBytes: FIXED },
    { id: 'tcp-flood', port: port.flood, maxPendingSignIns: 2 },
    { id: 'tcp-timeout', port: port.timeout, signInTimeoutMs: 300 },
    { id: 'tcp-idle', port: port.idle, idleTimeoutSeconds: 1 },
  ]);
}

afterAll(async () => {
  await tw?.close();
});

describe('a TCP device with a product codec', () => {
  it('signs in with JSON, posts frames the codec decodes (stored, checked against the thing model) and answers a command encoded by it', async () => {
    const device = await signedIn(port.main, meter);
    device.send(hex('a5 01 00 00 00 07 43 66 80 00 3f a0 00 00 43 90 10 00 01 99'));
    await until('the meter\'s values are stored', () => latest(meter), (v) => v.voltage === 230.5);
    expect(await latest(meter)).toMatchObject({ voltage: 230.5, current: 1.25, power: 288.125 });

    // A voltage the thing model does not allow: refused 422, in the message log.
    device.send(meterFrame(8, 999));
    const refused = await until('the 422 is in the message log', () => messages(meter), (items) => items.some((m) => m.msgId === '8' && m.code === 422));
    expect(refused.find((m) => m.msgId === '8')).toMatchObject({ direction: 'up', kind: 'property.post', code: 422 });

    // A command through the API: the meter gets the codec's bytes and its reply frame is the command's result.
    const command = api('POST', `/devices/${meter.productKey}/${meter.deviceName}/commands`, { kind: 'property.set', params: { relay: false, powerLimit: 2000 } });
    const sent = await device.next();
    expect(sent.length).toBe(10);
    expect([...sent.subarray(0, 2), ...sent.subarray(6, 10)]).toEqual([0xa5, 0x02, 0x00, 0x07, 0xd0, meterChecksum(sent, 9)]);
    const id = sent.readUInt32BE(2);
    device.send(meterSetReply(id));
    expect((await command).body).toMatchObject({ id: String(id), code: 200 });

    const history = await connections(meter);
    expect(history[0]).toMatchObject({ event: 'connected', protocol: 'tcp', remoteAddress: expect.stringContaining('127.0.0.1') });
    device.end();
    await until('the meter is offline', () => connections(meter), (h) => h[0].event === 'disconnected');
  });

  it('a codec that spins or eats memory fails its own frames, with their hex in the message log; the meter on the same listener goes on', async () => {
    const m = await signedIn(port.main, meter2);
    const spinning = await signedIn(port.main, spin);
    const hogging = await signedIn(port.main, hog);
    m.send(meterFrame(1, 220));
    await until('the meter is served before', () => latest(meter2), (v) => v.voltage === 220);

    spinning.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    hogging.send(Buffer.from([0xca, 0xfe]));
    const spinLog = await until('the spinning codec\'s failure is logged', () => messages(spin), (items) => items.some((i) => i.code === 400));
    expect(spinLog[0].reason).toMatch(/codec decode failed \(timeout\).*de ad be ef/);
    const hogLog = await until('the hungry codec\'s failure is logged', () => messages(hog), (items) => items.some((i) => i.code === 400));
    expect(hogLog[0].reason).toMatch(/codec decode failed \(memory\).*ca fe/);

    m.send(meterFrame(2, 221));
    await until('the meter is served after', () => latest(meter2), (v) => v.voltage === 221);
    // The codecs' devices stay connected: a failing frame costs that frame.
    expect(spinning.socket.destroyed || hogging.socket.destroyed).toBe(false);
    // A codec that cannot encode a command answers the command with why; nothing is sent.
    const command = await api('POST', `/devices/${spin.productKey}/${spin.deviceName}/commands`, { kind: 'property.set', params: { target: 10 } });
    expect(command.body).toMatchObject({ code: 400, message: expect.stringContaining('has no encode function') });
    for (const c of [m, spinning, hogging]) c.end();
  });

  it('a post the codec marks ack gets its verdict through the codec\'s encode', async () => {
    const device = await signedIn(port.main, acked);
    device.send(Buffer.from([21, 1]));
    expect([...await device.next()]).toEqual([0xa5, 0x12, 0, 200, 1]);
    // 200 °C is outside the thing model: 422.
    device.send(Buffer.from([200, 2]));
    expect([...await device.next()]).toEqual([0xa5, 0x12, 422 >> 8, 422 & 0xff, 2]);
    device.end();
  });

  it('waits unread while the platform is overloaded and is taken once it has room; a device disabled meanwhile is closed', async () => {
    const device = await signedIn(port.main, meter2);
    const gate = tw.app.gate;
    const held = gate.stats().heldTotal;
    gate.setBusy('test', true, 'test: storage behind');
    try {
      device.send(meterFrame(40, 240));
      await until('the frame is held back', () => gate.stats().heldTotal, (n) => n > held);
      expect((await latest(meter2)).voltage).not.toBe(240);
    } finally {
      gate.setBusy('test', false);
    }
    await until('the frame is taken once the gate opens', () => latest(meter2), (v) => v.voltage === 240);

    // The hub ends the session of a device that may no longer connect; the listener closes its socket.
    expect((await api('PATCH', `/devices/${meter2.productKey}/${meter2.deviceName}`, { enabled: false })).status).toBe(200);
    await device.closed;
    expect((await connections(meter2))[0]).toMatchObject({ event: 'disconnected', reason: 'kicked: device disabled' });
    expect((await api('PATCH', `/devices/${meter2.productKey}/${meter2.deviceName}`, { enabled: true })).status).toBe(200);
  });

  it('signs in with a binary codec login, answered by the codec, with codec framing cutting the stream', async () => {
    // The device's side cuts the login codec's 3-byte answers.
    const device = await TcpTestDevice.connect(port.codec, 'codec', { codecFrame });
    // The login and a measurement in one segment: the stream is cut by the codec's frame().
    const login = loginFrame(meter);
    const first = meterFrame(31, 231);
    device.socket.write(Buffer.concat([login, first.subarray(0, 5)]));
    expect([...await device.next()]).toEqual([0xa5, 0x11, 0x00]);
    device.socket.write(first.subarray(5));
    await until('the codec-login meter is stored', () => latest(meter), (v) => v.voltage === 231);
    expect((await connections(meter))[0]).toMatchObject({ event: 'connected', protocol: 'tcp', clientId: expect.stringContaining('meter-1') });
    device.end();

    // A wrong signature in the binary login: the codec's answer says so, and the connection ends.
    const wrong = await TcpTestDevice.connect(port.codec, 'codec', { codecFrame });
    wrong.socket.write(loginFrame(meter, 'not-the-secret'));
    expect([...await wrong.next()]).toEqual([0xa5, 0x11, 0x01]);
    await wrong.closed;
  });
});

describe('a TCP device without a codec', () => {
  it('posts {topic, payload} JSON and gets its reply; a command comes as {topic, payload} and its reply ends it', async () => {
    const topic = `/sys/${jsonDevice.productKey}/${jsonDevice.deviceName}/thing/event/property/post`;
    const post = (id: string, temperature: number) => JSON.stringify({ topic, payload: { id, version: '1.0', params: { temperature }, method: 'thing.event.property.post' } });
    const device = await TcpTestDevice.connect(port.newline, 'newline');
    // Sign-in and a post in one segment, then a post split across two: the stream carries the frames however cut.
    device.socket.write(`${JSON.stringify(alinkSignIn(jsonDevice))}\n${post('1', 21.5)}\r\n`);
    expect(await device.nextJson()).toEqual({ code: 0, message: 'success' });
    expect(await device.nextJson()).toMatchObject({ topic: `${topic}_reply`, payload: { id: '1', code: 200 } });
    const split = `${post('2', 22.5)}\n`;
    device.socket.write(split.slice(0, 20));
    device.socket.write(split.slice(20));
    expect(await device.nextJson()).toMatchObject({ topic: `${topic}_reply`, payload: { id: '2', code: 200 } });
    expect(await latest(jsonDevice)).toMatchObject({ temperature: 22.5 });

    const command = api('POST', `/devices/${jsonDevice.productKey}/${jsonDevice.deviceName}/commands`, { kind: 'property.set', params: { target: 20 } });
    const sent = await device.nextJson() as { topic: string; payload: { id: string; params: unknown } };
    expect(sent).toMatchObject({ topic: `/sys/${jsonDevice.productKey}/${jsonDevice.deviceName}/thing/service/property/set`, payload: { params: { target: 20 } } });
    device.send(`${JSON.stringify({ topic: `${sent.topic}_reply`, payload: { id: sent.payload.id, code: 200, data: {} } })}`);
    expect((await command).body).toMatchObject({ id: sent.payload.id, code: 200 });

    // Garbage after sign-in: refused 400 in the message log, with the bytes, and the device stays connected.
    device.socket.write(Buffer.concat([randomBytes(40).map((b) => (b === 0x0a ? 0 : b)), Buffer.from('\n')]));
    const garbage = await device.nextJson();
    expect(garbage).toMatchObject({ code: 400, message: expect.stringContaining('must be JSON') });
    expect((await messages(jsonDevice)).find((m) => m.code === 400)).toMatchObject({ reason: expect.stringContaining('must be JSON') });

    // The same device signing in again takes over: the first connection is closed, the history says why.
    const again = await signedIn(port.newline, jsonDevice, 'newline');
    await device.closed;
    await until('the takeover is in the history', () => connections(jsonDevice), (h) => h.some((e) => e.event === 'disconnected' && /takeover/.test(e.reason ?? '')));

    // A line over the limit from a signed-in device: closed before it is buffered, 413 in the log, the reason in history.
    again.socket.write('x'.repeat(5000));
    await again.closed;
    await until('the oversized frame is in the history', () => connections(jsonDevice), (h) => h[0].event === 'disconnected' && h[0].reason?.includes('packet-too-large'));
    expect((await messages(jsonDevice)).find((m) => m.code === 413)?.reason).toMatch(/over the limit of 4096/);
  });

  it('length32 and fixed framing carry a sign-in and a post cut anywhere', async () => {
    const topic = (d: TestDevice) => `/sys/${d.productKey}/${d.deviceName}/thing/event/property/post`;
    const body = (d: TestDevice, id: string, temperature: number) => ({ topic: topic(d), payload: { id, version: '1.0', params: { temperature }, method: 'thing.event.property.post' } });

    const len32 = await TcpTestDevice.connect(port.len32, 'length32');
    const stream = Buffer.concat([frame32(alinkSignIn(jsonNeighbour)), frame32(body(jsonNeighbour, '5', 30.5))]);
    for (let i = 0; i < stream.length; i += 7) len32.socket.write(stream.subarray(i, i + 7));
    expect(await len32.nextJson()).toEqual({ code: 0, message: 'success' });
    expect(await len32.nextJson()).toMatchObject({ payload: { id: '5', code: 200 } });
    len32.end();

    // Fixed frames: the JSON padded with spaces to the frame size.
    const fixed = await TcpTestDevice.connect(port.fixed, 'fixed', { fixedBytes: FIXED });
    const pad = (o: object) => Buffer.from(JSON.stringify(o).padEnd(FIXED, ' '));
    fixed.socket.write(Buffer.concat([pad(alinkSignIn(jsonNeighbour)), pad(body(jsonNeighbour, '6', 31.5)).subarray(0, 100)]));
    expect(JSON.parse((await fixed.next()).toString())).toEqual({ code: 0, message: 'success' });
    fixed.socket.write(pad(body(jsonNeighbour, '6', 31.5)).subarray(100));
    expect(JSON.parse((await fixed.next()).toString())).toMatchObject({ payload: { id: '6', code: 200 } });
    fixed.end();
    expect(await latest(jsonNeighbour)).toMatchObject({ temperature: 31.5 });
  });
});

describe('refusals', () => {
  it('a bad signature: told 401, closed, the real reason in the device\'s history', async () => {
    const device = await TcpTestDevice.connect(port.main, 'length16');
    device.send(alinkSignIn(meter2, { secret: 'wrong' }));
    expect(await device.nextJson()).toEqual({ code: 401, message: 'not authorized' });
    await device.closed;
    const history = await until('the refusal is in the history', () => connections(meter2), (h) => h[0]?.event === 'refused');
    expect(history[0]).toMatchObject({ protocol: 'tcp', reason: expect.stringContaining('bad-signature') });
  });

  it('no sign-in in time, a frame over the limit, garbage: each closed with its answer and counted', async () => {
    const before = await metric('thingwire_tcp_sign_in_timeouts_total');
    const silent = await TcpTestDevice.connect(port.timeout, 'newline');
    expect(await silent.nextJson()).toEqual({ code: 408, message: 'no sign-in within 0.3 s' });
    await silent.closed;
    expect(await metric('thingwire_tcp_sign_in_timeouts_total')).toBe(before + 1);

    // A length prefix announcing 65535 bytes on a listener allowing 4096: closed before any of it comes.
    const big = await TcpTestDevice.connect(port.main, 'length16');
    big.socket.write(Buffer.from([0xff, 0xff, 0x7b]));
    expect(await big.nextJson()).toMatchObject({ code: 413, message: expect.stringContaining('65535 bytes, over the limit of 4096') });
    await big.closed;
    expect(await metric('thingwire_tcp_frames_too_large_total')).toBeGreaterThanOrEqual(1);

    // Random bytes to every listener: each connection ends, nothing else does.
    for (const [name, p] of Object.entries(port)) {
      if (name === 'flood') continue;
      const c = await TcpTestDevice.connect(p, 'newline');
      c.socket.write(Buffer.concat([randomBytes(10_000), Buffer.from('\n\n')]));
      await c.closed;
    }
    // A first frame that is not a sign-in is answered with what is expected.
    const garbage = await TcpTestDevice.connect(port.newline, 'newline');
    garbage.send('hello');
    expect(await garbage.nextJson()).toMatchObject({ code: 400, message: expect.stringContaining('the first frame must sign in') });
    await garbage.closed;
    // Still serving.
    (await signedIn(port.main, meter2)).end();
  });

  it('a device silent past the idle timeout is closed: keepalive-timeout in its history', async () => {
    const device = await signedIn(port.idle, jsonNeighbour, 'newline');
    await device.closed;
    const history = await until('the idle close is in the history', () => connections(jsonNeighbour), (h) => h[0]?.event === 'disconnected');
    expect(history[0].reason).toMatch(/keepalive-timeout.*no frame for 1 s/);
  });

  it('a device that does not read what it is sent is closed past the unsent-bytes limit, with the reason in its history', async () => {
    const device = await signedIn(port.newline, jsonNeighbour, 'newline');
    device.socket.pause(); // reads nothing more: the kernel's buffers fill, then the listener's
    const raw = { productKey: jsonNeighbour.productKey, deviceName: jsonNeighbour.deviceName, kind: 'raw.down' as const, params: Buffer.alloc(60_000, 0x41) };
    let result = await tw.app.hub.sendCommand(raw);
    for (let i = 0; i < 1000 && result.code === 202; i++) result = await tw.app.hub.sendCommand(raw);
    expect(result).toMatchObject({ code: 503, message: expect.stringContaining('the device does not read: over 1048576 bytes waiting to be sent') });
    // Reading again, the device finds the connection closed.
    device.socket.resume();
    await device.closed;
    const history = await until('the close is in the history', () => connections(jsonNeighbour), (h) => h[0]?.event === 'disconnected');
    expect(history[0].reason).toMatch(/^error: the device does not read/);
    expect(await metric('thingwire_tcp_slow_readers_total')).toBe(1);
  });

  it('a redeploy keeps devices connected and applies a new rate limit at once: excess frames are refused 429', async () => {
    const topic = `/sys/${jsonDevice.productKey}/${jsonDevice.deviceName}/thing/event/property/post`;
    const device = await signedIn(port.newline, jsonDevice, 'newline');
    await deployTcpListeners(tw, flows({ ratePerDevice: 1 }));
    await until('the new limit is in place', () => listener(port.newline).config.ratePerDevice, (r) => r === 1);
    for (let i = 0; i < 5; i++) device.send({ topic, payload: { id: String(100 + i), version: '1.0', params: { temperature: 20 }, method: 'thing.event.property.post' } });
    const codes: unknown[] = [];
    for (let i = 0; i < 5; i++) codes.push(((await device.nextJson()).payload as { code: number }).code);
    // A burst of twice the rate passes; the rest is refused, answered and logged.
    expect(codes.filter((c) => c === 429).length).toBeGreaterThanOrEqual(2);
    expect((await messages(jsonDevice)).find((m) => m.code === 429)?.reason).toBe('rate limit of 1 messages/s exceeded');
    expect(device.socket.destroyed).toBe(false);
    device.end();
    await deployTcpListeners(tw, flows());
  });

  it('a flood of connections that do not sign in: beyond the limit each is closed as it arrives, and counted', async () => {
    const flood = listener(port.flood);
    const waiting = [await TcpTestDevice.connect(port.flood, 'newline'), await TcpTestDevice.connect(port.flood, 'newline')];
    await until('two connections are signing in', () => flood.stats().pendingSignIns, (n) => n === 2);
    const refused = await Promise.all([1, 2, 3].map(() => TcpTestDevice.connect(port.flood, 'newline')));
    await Promise.all(refused.map((c) => c.closed));
    expect(flood.stats().refusedPending).toBe(3);
    expect(await metric('thingwire_tcp_pending_refused_total')).toBe(3);
    // A connection that signs in frees its place.
    waiting[0]!.send(alinkSignIn(jsonNeighbour));
    expect(await waiting[0]!.nextJson()).toEqual({ code: 0, message: 'success' });
    await until('one connection is signing in', () => flood.stats().pendingSignIns, (n) => n === 1);
    const next = await TcpTestDevice.connect(port.flood, 'newline');
    next.send(alinkSignIn(jsonDevice));
    expect(await next.nextJson()).toEqual({ code: 0, message: 'success' });
    for (const c of [...waiting, next]) c.end();
  });
});

function frame32(o: object): Buffer {
  const body = Buffer.from(JSON.stringify(o));
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(body.length);
  return Buffer.concat([prefix, body]);
}
