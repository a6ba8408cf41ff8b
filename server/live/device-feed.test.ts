import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connect, createDevices, deployListener, deviceOptions, request, subscribe, type TestDevice } from '../testing/mqtt-devices.ts';
import { pipelineFlow } from '../testing/pipeline-flow.ts';
import { startTestDeviceHub } from '../testing/test-device-hub.ts';
import { startTestServer, type TestJson, type TestServer } from '../testing/test-server.ts';
import { createLogger } from '../logger.ts';
import { rolePermissions } from '../../domain/auth/permissions.ts';
import { DEVICE_FEED_PATH, DeviceFeed } from './device-feed.ts';
import { FakeDeviceSession } from '../testing/fake-device-session.ts';

let tw: TestServer;
let mqttUrl: string;
let sensor: TestDevice;
let other: TestDevice;
/** Posts nothing before the properties test, so its shadow holds only what that test sent. */
let quiet: TestDevice;
let operator: string;
const open: { close(): void }[] = [];

beforeAll(async () => {
  tw = await startTestServer();
  [sensor, other, quiet] = await createDevices(tw, 'a1feed', ['sensor-1', 'sensor-2', 'sensor-3']);
  mqttUrl = `mqtt://127.0.0.1:${await deployListener(tw, pipelineFlow())}`;
  operator = await tw.tokenFor('operator');
});

afterAll(async () => {
  for (const o of open) o.close();
  await tw?.close();
});

type FeedMessage = Record<string, TestJson> & { type: string };

/** A `ws` client on the feed that keeps every message, so a test can wait for the one it expects. */
class FeedClient {
  readonly messages: FeedMessage[] = [];
  readonly #waiters = new Set<() => void>();
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as FeedMessage);
      for (const w of [...this.#waiters]) w();
    });
    ws.on('close', () => {
      for (const w of [...this.#waiters]) w();
    });
  }

  /** The first message from index `from` on that matches; rejects after the timeout. */
  until(match: (m: FeedMessage) => boolean, what: string, from = 0, timeoutMs = 5000): Promise<FeedMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.slice(from).find(match);
        if (!found) return false;
        clearTimeout(timer);
        this.#waiters.delete(onMessage);
        resolve(found);
        return true;
      };
      const onMessage = () => void check();
      const timer = setTimeout(() => {
        this.#waiters.delete(onMessage);
        reject(new Error(`no ${what} on the feed within ${timeoutMs} ms; got ${JSON.stringify(this.messages.slice(from).slice(-10))}`));
      }, timeoutMs);
      if (!check()) this.#waiters.add(onMessage);
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Sends a watch and waits for the feed to confirm it. */
  async watch(devices: string[]): Promise<void> {
    const from = this.messages.length;
    this.send({ type: 'watch', devices });
    await this.until((m) => m.type === 'watching' || m.type === 'error', 'watch answer', from).then((m) => {
      if (m.type === 'error') throw new Error(m.message);
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

const feedUrl = () => tw.url.replace(/^http/, 'ws') + DEVICE_FEED_PATH;

/** Opens the feed; resolves once the handshake succeeded, or rejects with the HTTP status it was refused with. */
function openFeed(headers: Record<string, string> = { authorization: `Bearer ${operator}` }, url = feedUrl()): Promise<FeedClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const client = new FeedClient(ws);
    ws.once('open', () => {
      open.push(client);
      resolve(client);
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode, body })));
    });
    ws.once('error', (err) => reject(err));
  });
}

async function refusal(headers: Record<string, string>, url?: string): Promise<{ status: number; body: string }> {
  try {
    await openFeed(headers, url);
  } catch (err) {
    return err as { status: number; body: string };
  }
  throw new Error('the feed accepted the connection');
}

const topic = (d: TestDevice, what: string) => `/sys/${d.productKey}/${d.deviceName}/thing/event/${what}/post`;
let nextId = 100;
/** Posts properties (or an event) and waits for the pipeline's answer: by then the feed has the message. */
async function post(client: MqttClient, device: TestDevice, what: string, params: object): Promise<number> {
  const reply = await request(client, topic(device, what), { id: String(++nextId), version: '1.0', sys: { ack: 1 }, params, method: `thing.event.${what}.post` });
  return reply.code as number;
}

async function connectDevice(device: TestDevice): Promise<MqttClient> {
  const client = await connect(mqttUrl, deviceOptions(device));
  open.push({ close: () => client.end(true) });
  await subscribe(client, `/sys/${device.productKey}/${device.deviceName}/thing/event/+/post_reply`);
  return client;
}

describe('the device feed', () => {
  it('refuses a caller without credentials (401) and a page of another site (403)', async () => {
    const anonymous = await refusal({});
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({ error: { code: 'unauthorized' } });
    const badToken = await refusal({}, `${feedUrl()}?access_token=tw_session_nope`);
    expect(badToken.status).toBe(401);

    // A browser on evil.example carries the user's cookie along: the Origin gives it away.
    const login = await tw.request('POST', '/api/v1/auth/login', { body: { username: 'operator1', password: 'operator-password-1' } });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const crossSite = await refusal({ cookie, origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body).toContain('https://evil.example');

    // The same cookie from the app's own origin is fine.
    const own = await openFeed({ cookie, origin: tw.url });
    await own.until((m) => m.type === 'hello' && m.user === 'operator1', 'hello');
  });

  it('tells every client when a device goes online and offline, and pushes the rate every second', async () => {
    const feed = await openFeed();
    await feed.until((m) => m.type === 'rate', 'first rate');
    const from = feed.messages.length;
    const device = await connectDevice(sensor);
    const online = await feed.until((m) => m.type === 'state' && m.deviceName === sensor.deviceName, 'online state', from);
    expect(online).toEqual({ type: 'state', productKey: 'a1feed', deviceName: 'sensor-1', online: true, at: expect.any(Number) });
    expect(Math.abs(online.at - Date.now())).toBeLessThan(5000);

    for (let i = 0; i < 5; i++) expect(await post(device, sensor, 'property', { temperature: 20 + i })).toBe(200);
    const rate = await feed.until((m) => m.type === 'rate' && m.uplinksPerSecond > 0, 'a non-zero rate', from);
    expect(rate).toMatchObject({ uplinksPerSecond: expect.any(Number), downlinksPerSecond: 0, online: 1, at: expect.any(Number) });

    const before = feed.messages.length;
    await device.endAsync();
    const offline = await feed.until((m) => m.type === 'state' && m.deviceName === sensor.deviceName, 'offline state', before);
    expect(offline).toMatchObject({ online: false });

    // A page opened now gets the rates measured before it (that non-zero one among them), then the current one and
    // the open alerts' counts.
    const later = await openFeed();
    const history = await later.until((m) => m.type === 'rate-history', 'the rate history');
    const current = await later.until((m) => m.type === 'rate', 'the current rate');
    expect([...history.rates, current].some((r: { at: number; uplinksPerSecond: number }) => r.at === rate.at && r.uplinksPerSecond === rate.uplinksPerSecond)).toBe(true);
    const types = () => later.messages.map((m) => m.type);
    await later.until((m) => m.type === 'alerts', 'the open alerts');
    expect(types().slice(0, 4)).toEqual(['hello', 'rate-history', 'rate', 'alerts']);
  });

  it('pushes property values and events only for watched devices, as the properties API then answers them', async () => {
    const feed = await openFeed();
    await feed.until((m) => m.type === 'hello', 'hello');
    const device = await connectDevice(quiet);
    const neighbour = await connectDevice(other);

    // Not watched yet: nothing is pushed for it.
    expect(await post(device, quiet, 'property', { temperature: { value: 11.5, time: Date.now() - 120_000 } })).toBe(200);
    await feed.watch(['a1feed/sensor-3']);
    const time = Date.now() - 60_000;
    expect(await post(device, quiet, 'property', { temperature: { value: 12.5, time }, target: 21 })).toBe(200);
    expect(await post(neighbour, other, 'property', { temperature: 99 })).toBe(200);
    const pushed = await feed.until((m) => m.type === 'properties', 'properties');
    expect(pushed).toEqual({
      type: 'properties', productKey: 'a1feed', deviceName: 'sensor-3',
      values: { temperature: { value: 12.5, time }, target: { value: 21, time: expect.any(Number) } },
    });
    // Only the watched device, and nothing from before the watch.
    expect(feed.messages.filter((m) => m.type === 'properties')).toHaveLength(1);

    const shadow = await tw.request('GET', '/api/v1/devices/a1feed/sensor-3/properties', { token: operator });
    const byId = Object.fromEntries(shadow.body.items.map((i: { identifier: string; value: unknown; time: string }) => [i.identifier, i]));
    expect(byId.temperature).toMatchObject({ value: 12.5, time: new Date(time).toISOString() });
    expect(byId.target).toMatchObject({ value: 21, time: new Date(pushed.values.target.time).toISOString() });

    // A post the thing model rejects is not stored, so it is not pushed either; the next good one is.
    const from = feed.messages.length;
    expect(await post(device, quiet, 'property', { temperature: 900 })).toBe(422);
    expect(await post(device, quiet, 'property', { temperature: 13.5 })).toBe(200);
    const next = await feed.until((m) => m.type === 'properties', 'properties after the rejected post', from);
    expect(next.values).toEqual({ temperature: { value: 13.5, time: expect.any(Number) } });

    const eventTime = Date.now() - 1000;
    expect(await post(device, quiet, 'overheat', { value: { temp: 88.5 }, time: eventTime })).toBe(200);
    const event = await feed.until((m) => m.type === 'event', 'event');
    expect(event).toEqual({ type: 'event', productKey: 'a1feed', deviceName: 'sensor-3', identifier: 'overheat', params: { temp: 88.5 }, at: eventTime });

    // Watching nothing again: posts are no longer pushed.
    await feed.watch([]);
    const after = feed.messages.length;
    expect(await post(device, quiet, 'property', { temperature: 14.5 })).toBe(200);
    await feed.watch(['a1feed/sensor-2']);
    expect(await post(neighbour, other, 'property', { temperature: 15.5 })).toBe(200);
    const neighbours = await feed.until((m) => m.type === 'properties', 'the neighbour', after);
    expect(neighbours).toMatchObject({ deviceName: 'sensor-2', values: { temperature: { value: 15.5 } } });
    expect(feed.messages.slice(after).filter((m) => m.type === 'properties' && m.deviceName === 'sensor-3')).toEqual([]);
  });

  it('answers bad client messages with an error and keeps going', async () => {
    const feed = await openFeed();
    const answers: string[] = [];
    for (const bad of [
      'not json',
      { type: 'subscribe' },
      { type: 'watch' },
      { type: 'watch', devices: 'a1feed/sensor-1' },
      { type: 'watch', devices: ['a1feed'] },
      { type: 'watch', devices: [42] },
      { type: 'watch', devices: Array.from({ length: 101 }, (_, i) => `a1feed/d${i}`) },
    ]) {
      const from = feed.messages.length;
      feed.send(bad);
      answers.push((await feed.until((m) => m.type === 'error', `the error for ${JSON.stringify(bad).slice(0, 40)}`, from)).message);
    }
    expect(answers).toEqual([
      expect.stringContaining('Not JSON'),
      expect.stringContaining('Unknown message'),
      expect.stringContaining('devices must be a list'),
      expect.stringContaining('devices must be a list'),
      'watch: not "productKey/deviceName": "a1feed"; nothing changed.',
      'watch: not "productKey/deviceName": 42; nothing changed.',
      'watch: at most 100 devices at a time (got 101); nothing changed.',
    ]);
    feed.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await feed.until((m) => m.type === 'error' && m.message.startsWith('Send JSON text'), 'the error for binary data');
    // Still open, and a good request works.
    await feed.watch(['a1feed/sensor-1', 'a1feed/sensor-2']);
    expect(feed.messages.at(-1)).toEqual({ type: 'watching', devices: ['a1feed/sensor-1', 'a1feed/sensor-2'] });
  });
});

describe('a feed on a hub of its own', () => {
  it('does not count as a flow: with no flow deployed devices are still answered 503 at once', async () => {
    const test = await startTestDeviceHub(['pk/dn']);
    const feed = new DeviceFeed({
      hub: test.hub, thingModels: test.registry.thingModels, logger: createLogger('silent'), allowedOrigins: [],
      authenticate: async () => undefined,
    });
    try {
      const session = new FakeDeviceSession('pk', 'dn');
      test.hub.opened(session);
      test.hub.uplink(session, {
        id: '7', productKey: 'pk', deviceName: 'dn', kind: 'property.post', params: { temperature: 1 }, receivedAt: Date.now(),
        protocol: 'mqtt', dialect: 'alink', ack: true,
      });
      expect(session.replies).toEqual([expect.objectContaining({ code: 503, text: 'no flow handles device messages' })]);
      expect(test.hub.stats().pendingReplies).toBe(0);
    } finally {
      feed.close();
      await test.close();
    }
  });

  it('ends the feed of a socket whose session ended', async () => {
    const test = await startTestDeviceHub(['pk/dn']);
    let signedIn = true;
    const feed = new DeviceFeed({
      hub: test.hub, thingModels: test.registry.thingModels, logger: createLogger('silent'), allowedOrigins: [], recheckMs: 50,
      authenticate: async () => (signedIn ? { userId: 1, username: 'op', role: 'operator', permissions: rolePermissions().operator, via: 'session' } : undefined),
    });
    const httpServer = http.createServer();
    httpServer.on('upgrade', (req, socket, head) => feed.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    try {
      const client = await openFeed({}, `ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}${DEVICE_FEED_PATH}`);
      await client.until((m) => m.type === 'hello', 'hello');
      const closed = new Promise<number>((resolve) => client.ws.once('close', (code) => resolve(code)));
      signedIn = false;
      expect(await closed).toBe(4401);
    } finally {
      feed.close();
      await new Promise((resolve) => httpServer.close(resolve));
      await test.close();
    }
  });
});
