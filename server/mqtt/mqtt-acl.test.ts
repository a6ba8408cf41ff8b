import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createDevices, deployListener, deviceOptions, listenerFlow, nextMessage, subscribe, type TestDevice } from '../testing/mqtt-devices.ts';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

let tw: TestServer;
let url: string;
let a: TestDevice;
let b: TestDevice;
let c: TestDevice;
const clients: MqttClient[] = [];

/** An OTA upgrade push (docs/protocol.md "OTA and raw messages") as the platform publishes it, through the listener devices are on. */
const pushUpgrade = (topic: string) => tw.app.mqttListeners.listeners()[0]!.publishTo(topic, Buffer.from(JSON.stringify({
  code: '1000', id: Date.now(), message: 'success',
  data: { size: 4, version: '2.0.0', url: 'http://127.0.0.1/ota/firmware/1?token=t', sign: '0'.repeat(64), signMethod: 'SHA256', module: 'default', extData: {} },
})), 1);

beforeAll(async () => {
  tw = await startTestServer();
  [a, b] = await createDevices(tw, 'pk1', ['a', 'b']);
  [c] = await createDevices(tw, 'pk2', ['a']);
  url = `mqtt://127.0.0.1:${await deployListener(tw, listenerFlow())}`;
});
afterAll(async () => {
  for (const cl of clients) cl.end(true);
  await tw?.close();
});

/** Every topic family (docs/protocol.md "Topics") for one device, both directions. */
const topics = (d: TestDevice) => {
  const P = `/sys/${d.productKey}/${d.deviceName}`;
  return [
    `${P}/thing/event/property/post`, `${P}/thing/event/property/post_reply`,
    `${P}/thing/event/overheat/post`, `${P}/thing/event/overheat/post_reply`,
    `${P}/thing/service/property/set`, `${P}/thing/service/property/set_reply`,
    `${P}/thing/service/reboot`, `${P}/thing/service/reboot_reply`,
    `${P}/thing/model/up_raw`, `${P}/thing/model/up_raw_reply`, `${P}/thing/model/down_raw`,
    `${P}/thing/ota/firmware/get`, `${P}/thing/ota/firmware/get_reply`,
    `/ota/device/inform/${d.productKey}/${d.deviceName}`, `/ota/device/upgrade/${d.productKey}/${d.deviceName}`,
    `/ota/device/progress/${d.productKey}/${d.deviceName}`,
    `${d.productKey}/${d.deviceName}/thing/event/property/post`, `${d.productKey}/${d.deviceName}/thing/service/property/set`,
  ];
};

describe('ACL: devices never see each other\'s traffic', () => {
  it('refuses every filter outside the device\'s namespace and every wildcard over product or device', async () => {
    const client = await connect(url, deviceOptions(a));
    clients.push(client);
    const foreign = [
      ...topics(b), ...topics(c),
      '#', '+/#', '/sys/#', '/sys/+/#', '/sys/pk1/#', '/sys/pk1/+/#', '/sys/+/a/#', '/sys/+/+/thing/event/property/post',
      '/ota/device/+/pk1/+', '/ota/device/upgrade/+/a', '/ota/#', '+/+/thing/#', 'pk1/+/thing/#', '$SYS/#', '/ext/ntp/pk1/b/request',
    ];
    for (const filter of foreign) expect(await subscribe(client, filter), filter).toBe(128);
    for (const filter of [`/sys/pk1/a/#`, `/sys/pk1/a/thing/service/+`, `/ota/device/upgrade/pk1/a`, `/ota/device/+/pk1/a`]) {
      expect(await subscribe(client, filter), filter).not.toBe(128);
    }
  });

  it('delivers none of B\'s uplinks, replies or commands to A, across every topic family', async () => {
    const spy = await connect(url, deviceOptions(a));
    clients.push(spy);
    await subscribe(spy, '/sys/pk1/a/#');
    await subscribe(spy, '/ota/device/+/pk1/a');
    const leaked: string[] = [];
    spy.on('message', (topic) => {
      if (!topic.startsWith('/sys/pk1/a/') && !topic.endsWith('/pk1/a')) leaked.push(topic);
    });
    const victim = await connect(url, deviceOptions(b));
    clients.push(victim);
    await subscribe(victim, '/sys/pk1/b/#');
    for (const topic of topics(b).filter((t) => t.startsWith('/sys/pk1/b') || t.startsWith('/ota/device/inform') || t.startsWith('/ota/device/progress'))) {
      if (/_reply$|\/set$|\/reboot$|down_raw$/.test(topic)) continue;
      await victim.publishAsync(topic, JSON.stringify({ id: '1', version: '1.0', params: {}, method: 'thing.event.property.post' }), { qos: 1 });
    }
    await tw.request('POST', '/api/v1/devices/pk1/b/commands', { token: tw.adminToken, body: { kind: 'property.set', params: { target: 10 }, timeoutMs: 200 } });
    await tw.request('POST', '/api/v1/devices/pk1/b/commands', { token: tw.adminToken, body: { kind: 'service.invoke', serviceId: 'reboot', params: { delay: 0 }, timeoutMs: 200 } });
    pushUpgrade('/ota/device/upgrade/pk1/b');
    // A's own upgrade push reaches A: the push path works, and A's connection delivered everything sent before it.
    const own = nextMessage(spy, '/ota/device/upgrade/pk1/a');
    pushUpgrade('/ota/device/upgrade/pk1/a');
    expect(await own).toMatchObject({ code: '1000', data: { version: '2.0.0' } });
    expect(leaked).toEqual([]);
  });

  it('refuses a things-dialect device every filter outside {pk}/{dn}/#', async () => {
    const client = await connect(url, deviceOptions(a, 'things'));
    clients.push(client);
    for (const filter of ['#', '+/#', '+/+/#', 'pk1/+/#', '+/a/#', 'pk1/b/#', 'pk1/b/thing/service/property/set', 'pk1/b/ota/upgrade', 'pk2/a/#', '+/a/ota/upgrade', 'pk1/+/ota/upgrade']) {
      expect(await subscribe(client, filter), filter).toBe(128);
    }
    for (const filter of ['pk1/a/#', 'pk1/a/thing/service/+', 'pk1/a/ota/upgrade']) expect(await subscribe(client, filter), filter).not.toBe(128);
  });

  it('delivers none of a things-dialect device\'s uplinks, replies, commands or upgrade pushes to others, whichever dialect they speak', async () => {
    // A speaks things, C (pk2/a: the same device name in another product) alink; B, the victim, things.
    const spyA = await connect(url, deviceOptions(a, 'things'));
    const spyC = await connect(url, deviceOptions(c));
    const victim = await connect(url, deviceOptions(b, 'things'));
    clients.push(spyA, spyC, victim);
    await subscribe(spyA, 'pk1/a/#');
    await subscribe(spyC, '/sys/pk2/a/#');
    await subscribe(spyC, '/ota/device/+/pk2/a');
    await subscribe(victim, 'pk1/b/#');
    const leaked: string[] = [];
    spyA.on('message', (topic) => {
      if (!topic.startsWith('pk1/a/')) leaked.push(`A got ${topic}`);
    });
    spyC.on('message', (topic) => {
      if (!topic.startsWith('/sys/pk2/a/') && !topic.endsWith('/pk2/a')) leaked.push(`C got ${topic}`);
    });

    // Uplinks of each kind, answered on {topic}_reply (200, 422 or 404: all replies B alone may see).
    const uplinks: [string, object][] = [
      ['pk1/b/thing/event/property/post', { id: '1', ack: 1, params: { temperature: 1 } }],
      ['pk1/b/thing/event/overheat/post', { id: '2', ack: 1, params: { value: { temp: 90 } } }],
      ['pk1/b/thing/event/property/post', { id: '3', ack: 1, params: { temperature: 'hot' } }],
      ['pk1/b/ota/version', { id: '4', params: { version: '1.0.0' } }],
      ['pk1/b/ota/progress', { id: '5', params: { step: '50', desc: 'downloading' } }],
    ];
    const replied = nextMessage(victim, 'pk1/b/thing/event/property/post_reply');
    for (const [topic, body] of uplinks) await victim.publishAsync(topic, JSON.stringify(body), { qos: 1 });
    expect(await replied).toMatchObject({ id: '1', code: 200 });
    // Commands go out in B's dialect, on its things topics.
    const command = nextMessage(victim, 'pk1/b/thing/service/property/set');
    await tw.request('POST', '/api/v1/devices/pk1/b/commands', { token: tw.adminToken, body: { kind: 'property.set', params: { target: 10 }, timeoutMs: 200 } });
    await tw.request('POST', '/api/v1/devices/pk1/b/commands', { token: tw.adminToken, body: { kind: 'service.invoke', serviceId: 'reboot', params: { delay: 0 }, timeoutMs: 200 } });
    expect(await command).toMatchObject({ params: { target: 10 } });
    const upgrade = nextMessage(victim, 'pk1/b/ota/upgrade');
    pushUpgrade('pk1/b/ota/upgrade');
    pushUpgrade('/ota/device/upgrade/pk1/b');
    await upgrade;

    // Each spy's own upgrade push comes after all of B's traffic: once it arrived, anything leaked would have too.
    const ownA = nextMessage(spyA, 'pk1/a/ota/upgrade');
    const ownC = nextMessage(spyC, '/ota/device/upgrade/pk2/a');
    pushUpgrade('pk1/a/ota/upgrade');
    pushUpgrade('/ota/device/upgrade/pk2/a');
    await Promise.all([ownA, ownC]);
    expect(leaked).toEqual([]);
  });

  it('disconnects a device that publishes into another device\'s topics', async () => {
    const rogue = await connect(url, deviceOptions(a));
    clients.push(rogue);
    const closed = new Promise((r) => rogue.once('close', () => r(undefined)));
    rogue.publish('/sys/pk1/b/thing/service/property/set', JSON.stringify({ id: '1', params: { target: 5 } }));
    await closed;
    const log = await tw.request('GET', '/api/v1/devices/pk1/a/messages', { token: tw.adminToken });
    expect(log.body.items.some((m: { code: number; topic: string }) => m.code === 401 && m.topic === '/sys/pk1/b/thing/service/property/set')).toBe(true);
  });
});
