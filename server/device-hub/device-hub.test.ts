import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../db/database.ts';
import { SqliteSql } from '../db/sql.ts';
import { createLogger } from '../logger.ts';
import { createRegistry, type Registry } from '../registry.ts';
import { SecretBox } from '../secrets/secret-box.ts';
import { DeviceHub, type DeviceHubOptions } from './device-hub.ts';
import { payloadText } from './device-log.ts';
import { until } from '../testing/until.ts';
import { FakeDeviceSession } from '../testing/fake-device-session.ts';
import type { ThingCommand, ThingMessage } from '../../domain/devices/thing-message.ts';

let dir: string;
let db: Db;
let sql: SqliteSql;
let registry: Registry;
let hub: DeviceHub | undefined;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-hub-'));
  db = openDatabase(path.join(dir, 'thingwire.db'));
  sql = new SqliteSql(db);
  registry = createRegistry(sql, new SecretBox(randomBytes(32)), createLogger('silent'));
  await registry.products.create({ productKey: 'pk', name: 'product' });
  await registry.devices.create({ productKey: 'pk', deviceName: 'dn' });
  await registry.devices.create({ productKey: 'pk', deviceName: 'other' });
});
afterEach(async () => {
  await hub?.close();
  hub = undefined;
  vi.useRealTimers();
  vi.restoreAllMocks();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const START = Date.parse('2026-11-22T10:00:00.000Z');
/** Fake timers (and Date) from a fixed instant: timeouts are stepped through, never slept. */
const useFakeClock = () => {
  vi.useFakeTimers();
  vi.setSystemTime(START);
};
const makeHub = (options: DeviceHubOptions = {}) => (hub = new DeviceHub(sql, registry.devices, registry.events, createLogger('silent'), options));
const history = async (deviceName = 'dn') =>
  (await hub!.connections('pk', deviceName, { limit: 500, offset: 0 })).items.reverse();
const messageLog = async (deviceName = 'dn') => (await hub!.messages('pk', deviceName, {}, { limit: 500, offset: 0 })).items.reverse();
const rowCount = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
const device = (deviceName = 'dn') => registry.devices.get('pk', deviceName);
const command = (fields: Partial<ThingCommand> = {}): ThingCommand => ({
  productKey: 'pk', deviceName: 'dn', kind: 'property.set', params: { power: 'on' }, ...fields,
});
/** Every message subscribers get, and the reply token of the last uplink. */
const subscribeAll = () => {
  const got: ThingMessage[] = [];
  hub!.subscribe((m) => void got.push(m));
  return got;
};

describe('sessions and status', () => {
  it('takes over: a second connection closes the first and the device stays online', async () => {
    makeHub();
    const first = new FakeDeviceSession('pk', 'dn', { clientId: 'c1' });
    const second = new FakeDeviceSession('pk', 'dn', { clientId: 'c2', remoteAddress: '198.51.100.7' });
    hub!.opened(first);
    hub!.opened(second);
    expect(first.closes).toEqual(['takeover']);
    // The transport then reports the close the hub asked for: already recorded, so ignored.
    hub!.closed(first.id, 'takeover');

    expect(hub!.isOnline('pk', 'dn')).toBe(true);
    expect(await hub!.status('pk', 'dn')).toMatchObject({ online: true, session: { id: second.id, clientId: 'c2', remoteAddress: '198.51.100.7' } });
    expect((await device()).status).toBe('online');
    expect((await history()).map((h) => [h.event, h.reason, h.clientId])).toEqual([
      ['connected', null, 'c1'],
      ['disconnected', 'takeover', 'c1'],
      ['connected', null, 'c2'],
    ]);
  });

  it('stays online when the transport reports a takeover before the newer connection opens (aedes, same client id)', async () => {
    makeHub();
    const states: unknown[] = [];
    hub!.subscribe((m) => void (m.kind === 'state' && states.push(m.params)));
    const first = new FakeDeviceSession('pk', 'dn');
    hub!.opened(first);
    const waiting = hub!.sendCommand(command());
    hub!.closed(first.id, 'takeover');
    expect(hub!.isOnline('pk', 'dn')).toBe(true);
    expect((await device()).status).toBe('online');
    const during = hub!.sendCommand(command({ params: { power: 'off' } }));

    const second = new FakeDeviceSession('pk', 'dn');
    hub!.opened(second);
    expect(second.commands.map((c) => c.command.params)).toEqual([{ power: 'off' }]);
    hub!.uplink(second, second.message('property.set.reply', { id: first.commands[0]!.messageId }));
    hub!.uplink(second, second.message('property.set.reply', { id: second.commands[0]!.messageId }));
    expect((await Promise.all([waiting, during])).map((r) => r.code)).toEqual([200, 200]);
    expect(states).toEqual([{ status: 'online' }, { status: 'online' }]);
    expect((await history()).map((h) => [h.event, h.reason])).toEqual([['connected', null], ['disconnected', 'takeover'], ['connected', null]]);
  });

  it('goes offline when the newer connection of a takeover never opens', async () => {
    useFakeClock();
    makeHub({ takeoverGraceMs: 2000 });
    const first = new FakeDeviceSession('pk', 'dn');
    hub!.opened(first);
    const waiting = hub!.sendCommand(command({ timeoutMs: 10_000 }));
    hub!.closed(first.id, 'takeover');
    await vi.advanceTimersByTimeAsync(1999);
    expect(hub!.isOnline('pk', 'dn')).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(hub!.isOnline('pk', 'dn')).toBe(false);
    expect((await device()).status).toBe('offline');
    expect(await waiting).toMatchObject({ code: 503, message: 'device went offline' });
  });

  it('goes offline on disconnect, with the connection history and state messages for flows', async () => {
    makeHub();
    const states: unknown[] = [];
    hub!.subscribe((m) => void (m.kind === 'state' && states.push(m.params)));
    const session = new FakeDeviceSession('pk', 'dn', { protocol: 'mqtts', dialect: 'things', clientId: 'dn', remoteAddress: '203.0.113.9' });
    expect(await device()).toMatchObject({ status: 'inactive', lastOnlineAt: null, lastSeenAt: null });

    hub!.opened(session);
    expect(await device()).toMatchObject({ status: 'online', lastOnlineAt: expect.any(String) });
    hub!.closed(session.id, 'keepalive-timeout');

    expect(hub!.isOnline('pk', 'dn')).toBe(false);
    expect(await device()).toMatchObject({ status: 'offline', lastSeenAt: expect.any(String) });
    expect(await history()).toEqual([
      expect.objectContaining({ event: 'connected', reason: null, remoteAddress: '203.0.113.9', protocol: 'mqtts', dialect: 'things', clientId: 'dn' }),
      expect.objectContaining({ event: 'disconnected', reason: 'keepalive-timeout', remoteAddress: '203.0.113.9' }),
    ]);
    expect(states).toEqual([{ status: 'online' }, { status: 'offline', reason: 'keepalive-timeout' }]);
    // Closing it again (the transport's own report) changes nothing.
    hub!.closed(session.id, 'disconnect');
    expect(await history()).toHaveLength(2);
  });

  it('records refused attempts with the real reason, and nothing for devices that do not exist', async () => {
    makeHub();
    const attempt = { remoteAddress: '203.0.113.5', protocol: 'mqtt', dialect: 'alink', clientId: 'x|securemode=3|' } as const;
    await hub!.recordRefused({ ...attempt, productKey: 'pk', deviceName: 'dn', reason: 'signature does not match' });
    await hub!.recordRefused({ ...attempt, productKey: 'pk', deviceName: 'dn', reason: 'device disabled' });
    await hub!.recordRefused({ ...attempt, productKey: 'pk', deviceName: 'ghost', reason: 'unknown device' });
    await hub!.recordRefused({ ...attempt, productKey: 'nope', deviceName: 'dn', reason: 'unknown device' });
    await hub!.recordRefused({ ...attempt, reason: 'malformed username' });

    expect((await history()).map((h) => [h.event, h.reason, h.remoteAddress, h.clientId])).toEqual([
      ['refused', 'signature does not match', '203.0.113.5', 'x|securemode=3|'],
      ['refused', 'device disabled', '203.0.113.5', 'x|securemode=3|'],
    ]);
    expect(rowCount('device_connections')).toBe(2);
    expect(hub!.stats().refused).toEqual({ known: 2, unknownDevice: 3 });
  });

  it('says in the history of a device that the cluster node holding it was lost', async () => {
    makeHub();
    hub!.lostWithNode('node-b', [{ productKey: 'pk', deviceName: 'dn' }]);
    expect(await history()).toEqual([expect.objectContaining({ event: 'disconnected', reason: 'node-lost: node node-b stopped answering' })]);
  });

  it('sets devices left online by a stopped process offline when it starts', async () => {
    db.prepare("UPDATE devices SET status = 'online' WHERE device_name = 'dn'").run();
    await makeHub().recover();
    expect((await device()).status).toBe('offline');
    expect((await device('other')).status).toBe('inactive');
    expect(await history()).toEqual([expect.objectContaining({ event: 'disconnected', reason: expect.stringMatching(/^server-stop/) })]);
  });
});

describe('uplinks and replies by token', () => {
  it('hands uplinks to every subscriber with one token; the first reply wins', async () => {
    makeHub();
    const a = subscribeAll();
    const b = subscribeAll();
    const session = new FakeDeviceSession('pk', 'dn');
    hub!.opened(session);
    hub!.uplink(session, session.message('property.post', { id: '7', ack: true, params: { temperature: 21.5 } }));

    const [post] = a.filter((m) => m.kind === 'property.post');
    expect(post).toMatchObject({ id: '7', productKey: 'pk', deviceName: 'dn', params: { temperature: 21.5 }, replyToken: expect.any(String) });
    expect(b.find((m) => m.kind === 'property.post')?.replyToken).toBe(post!.replyToken);

    expect(hub!.reply(post!.replyToken!, 200, { saved: 1 })).toBe(true);
    expect(hub!.reply(post!.replyToken!, 422, { bad: 1 }, 'too late')).toBe(false);
    expect(hub!.reply('not-a-token', 200)).toBe(false);
    expect(session.replies).toEqual([{ message: expect.objectContaining({ id: '7' }), code: 200, data: { saved: 1 }, text: undefined }]);
    expect(await messageLog()).toEqual([expect.objectContaining({ direction: 'up', kind: 'property.post', msgId: '7', code: 200, payload: '{"temperature":21.5}' })]);
  });

  it('takes identity from the session, not from the message', async () => {
    makeHub();
    const got = subscribeAll();
    const session = new FakeDeviceSession('pk', 'dn');
    hub!.opened(session);
    hub!.uplink(session, { ...session.message('property.post'), deviceName: 'other' });
    expect(got.at(-1)).toMatchObject({ productKey: 'pk', deviceName: 'dn' });
    expect(await messageLog('other')).toEqual([]);
  });

  it('answers 504 when no flow replies within the reply timeout', async () => {
    useFakeClock();
    makeHub({ replyTimeoutMs: 5000 });
    const got = subscribeAll();
    const session = new FakeDeviceSession('pk', 'dn');
    hub!.opened(session);
    hub!.uplink(session, session.message('event.post', { id: '9', eventId: 'overheat', ack: true }));

    await vi.advanceTimersByTimeAsync(4999);
    expect(session.replies).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(session.replies).toEqual([expect.objectContaining({ code: 504, text: 'no flow answered in 5000 ms' })]);
    expect(hub!.reply(got.at(-1)!.replyToken!, 200)).toBe(false);
    expect(await messageLog()).toEqual([expect.objectContaining({ msgId: '9', identifier: 'overheat', code: 504, reason: 'no flow answered in 5000 ms' })]);
  });

  it('answers 503 at once when no flow subscribes, and logs why a message went nowhere', async () => {
    makeHub();
    const session = new FakeDeviceSession('pk', 'dn');
    hub!.opened(session);
    hub!.uplink(session, session.message('property.post', { id: '1', ack: true }));
    expect(session.replies).toEqual([expect.objectContaining({ code: 503, text: 'no flow handles device messages' })]);

    hub!.uplink(session, session.message('property.post', { id: '2', ack: false }));
    expect(session.replies).toHaveLength(1);
    // Without ack nothing is published, but the log still has the verdict.
    expect((await messageLog()).map((m) => [m.msgId, m.code, m.reason])).toEqual([
      ['1', 503, 'no flow handles device messages'],
      ['2', 503, 'no flow handles device messages'],
    ]);
    expect(hub!.stats().repliesByCode).toEqual({ 503: 1 });
  });

  it('records the flow\'s verdict on an uplink without ack, publishing nothing', async () => {
    makeHub();
    const got = subscribeAll();
    const session = new FakeDeviceSession('pk', 'dn');
    hub!.opened(session);
    hub!.uplink(session, session.message('property.post', { id: '8', ack: false, params: { temperature: 900 } }));

    const token = got.find((m) => m.kind === 'property.post')?.replyToken;
    expect(token).toEqual(expect.any(String));
    expect(hub!.reply(token!, 422, [{ field: 'temperature' }], 'temperature above max')).toBe(true);
    expect(hub!.reply(token!, 200)).toBe(false);
    expect(session.replies).toEqual([]);
    expect(await messageLog()).toEqual([expect.objectContaining({ msgId: '8', code: 422, reason: 'temperature above max' })]);
    // Counted as answers only when a device got one.
    expect(hub!.stats().repliesByCode).toEqual({});
  });

  it('records 504 for an uplink without ack that no flow answered, publishing nothing', async () => {
    useFakeClock();
    makeHub({ replyTimeoutMs: 5000 });
    subscribeAll();
    const session = new FakeDeviceSession('pk', 'dn');
    hub!.opened(session);
    hub!.uplink(session, session.message('event.post', { id: '10', eventId: 'overheat', ack: false }));
    await vi.advanceTimersByTimeAsync(4999);
    expect((await messageLog())[0]).toMatchObject({ msgId: '10', code: null });
    await vi.advanceTimersByTimeAsync(1);
    expect(session.replies).toEqual([]);
    expect(await messageLog()).toEqual([expect.objectContaining({ msgId: '10', code: 504, reason: 'no flow answered in 5000 ms' })]);
    expect(hub!.stats().pendingReplies).toBe(0);
  });

  it('keeps a device reply\'s own code: it gets no token and never times out', async () => {
    useFakeClock();
    makeHub({ replyTimeoutMs: 1000 });
    const got = subscribeAll();
    const session = new FakeDeviceSession('pk', 'dn');
    hub!.opened(session);
    hub!.uplink(session, session.message('service.reply', { id: '11', serviceId: 'reboot', code: 460, ack: false }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(got.at(-1)).toMatchObject({ kind: 'service.reply' });
    expect(got.at(-1)!.replyToken).toBeUndefined();
    expect(await messageLog()).toEqual([expect.objectContaining({ msgId: '11', code: 460 })]);
  });

  it('waits for the reply as long as the session\'s listener says, not the hub default', async () => {
    useFakeClock();
    makeHub({ replyTimeoutMs: 5000 });
    subscribeAll();
    const session = new FakeDeviceSession('pk', 'dn', { replyTimeoutMs: 300 });
    hub!.opened(session);
    hub!.uplink(session, session.message('property.post', { id: '12', ack: true }));
    await vi.advanceTimersByTimeAsync(299);
    expect(session.replies).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(session.replies).toEqual([expect.objectContaining({ code: 504, text: 'no flow answered in 300 ms' })]);
  });

  it('reports pressure for uplinks waiting to be answered, not for those without ack', async () => {
    const pressure: boolean[] = [];
    makeHub({ maxPendingReplies: 2, pressure: (busy) => pressure.push(busy) });
    const got = subscribeAll();
    const session = new FakeDeviceSession('pk', 'dn');
    hub!.opened(session);
    for (let i = 0; i < 5; i++) hub!.uplink(session, session.message('property.post', { ack: false }));
    expect(pressure).toEqual([]);
    hub!.uplink(session, session.message('property.post', { ack: true }));
    hub!.uplink(session, session.message('property.post', { ack: true }));
    expect(pressure).toEqual([true]);
    for (const m of got.filter((m) => m.ack)) hub!.reply(m.replyToken!, 200);
    expect(pressure).toEqual([true, false]);
    // Nobody waits on the five without ack (shutdown does not hold for them), but their verdicts are still recorded.
    expect(hub!.stats().pendingReplies).toBe(0);
    await hub!.close();
    expect((await messageLog()).map((m) => m.code)).toEqual([503, 503, 503, 503, 503, 200, 200]);
  });

  it('keeps going when a subscriber throws', () => {
    makeHub();
    hub!.subscribe(() => {
      throw new Error('broken node');
    });
    const got = subscribeAll();
    const session = new FakeDeviceSession('pk', 'dn');
    hub!.opened(session);
    hub!.uplink(session, session.message('property.post'));
    expect(got.map((m) => m.kind)).toEqual(['state', 'property.post']);
  });

  it('does not deliver a reply once the connection that asked has ended', async () => {
    makeHub();
    const got = subscribeAll();
    const session = new FakeDeviceSession('pk', 'dn');
    hub!.opened(session);
    hub!.uplink(session, session.message('property.post', { id: '3', ack: true }));
    hub!.closed(session.id, 'connection-lost');
    expect(hub!.reply(got.find((m) => m.kind === 'property.post')!.replyToken!, 200)).toBe(false);
    expect(session.replies).toEqual([]);
    expect((await messageLog())[0]).toMatchObject({ msgId: '3', code: 200, reason: 'reply not delivered: the connection ended first' });
  });

  it('records what the listener refused by itself with its code', async () => {
    makeHub();
    const session = new FakeDeviceSession('pk', 'dn');
    hub!.opened(session);
    hub!.refused(session, { id: '44', topic: '/sys/pk/dn/thing/event/property/post' }, 429, 'rate limit of 10 messages/s exceeded');
    hub!.refused(session, { topic: '/sys/pk/dn/thing/nonsense' }, 404, 'unknown topic');
    expect((await messageLog()).map((m) => [m.msgId, m.topic, m.code, m.reason])).toEqual([
      ['44', '/sys/pk/dn/thing/event/property/post', 429, 'rate limit of 10 messages/s exceeded'],
      [null, '/sys/pk/dn/thing/nonsense', 404, 'unknown topic'],
    ]);
    expect(hub!.stats().repliesByCode).toEqual({ 404: 1, 429: 1 });
  });
});

describe('commands', () => {
  /** Plays a device that answers every command `code` with `data`, after a stray reply to an id nobody waits for. */
  const answering = (session: FakeDeviceSession, code = 200, data: unknown = { ok: true }) => {
    session.onCommand = (cmd, messageId) => {
      const kind = cmd.kind === 'property.set' ? 'property.set.reply' : 'service.reply';
      queueMicrotask(() => {
        hub!.uplink(session, session.message(kind, { id: '1', code: 200, params: { stray: true } }));
        hub!.uplink(session, session.message(kind, { id: messageId, serviceId: cmd.serviceId, code, params: data }));
      });
    };
  };

  it('matches the device reply to the command by message id', async () => {
    makeHub();
    const session = new FakeDeviceSession('pk', 'dn');
    answering(session, 200, { rebooting: true });
    hub!.opened(session);
    const result = await hub!.sendCommand(command({ kind: 'service.invoke', serviceId: 'reboot', params: { delay: 1 } }));
    const [sent] = session.commands;
    expect(sent).toMatchObject({ command: { kind: 'service.invoke', serviceId: 'reboot', params: { delay: 1 } }, messageId: expect.stringMatching(/^\d+$/) });
    expect(result).toEqual({ id: sent!.messageId, code: 200, data: { rebooting: true } });

    const second = await hub!.sendCommand(command());
    expect(Number(second.id)).toBeGreaterThan(Number(result.id));
    const down = (await messageLog()).filter((m) => m.direction === 'down');
    expect(down.map((m) => [m.kind, m.identifier, m.msgId, m.code])).toEqual([
      ['service.invoke', 'reboot', result.id, 200],
      ['property.set', null, second.id, 200],
    ]);
    // The stray reply is in the log, saying why nothing took it.
    expect((await messageLog()).find((m) => m.msgId === '1')).toMatchObject({ reason: expect.stringMatching(/^no command waiting/) });
  });

  it('passes a device\'s error code through', async () => {
    makeHub();
    const session = new FakeDeviceSession('pk', 'dn');
    answering(session, 460, { reason: 'busy' });
    hub!.opened(session);
    expect(await hub!.sendCommand(command())).toMatchObject({ code: 460, data: { reason: 'busy' } });
  });

  it('ends with 504 when the device does not answer in time', async () => {
    useFakeClock();
    makeHub();
    const session = new FakeDeviceSession('pk', 'dn');
    hub!.opened(session);
    let result;
    void hub!.sendCommand(command({ timeoutMs: 2000 })).then((r) => (result = r));
    await vi.advanceTimersByTimeAsync(1999);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toEqual({ id: session.commands[0]!.messageId, code: 504, message: 'device did not answer in 2000 ms' });
    expect(hub!.stats()).toMatchObject({ pendingCommands: 0, commandsByCode: { 504: 1 } });
  });

  it('answers 400, not 503, when the device\'s dialect cannot encode the command', async () => {
    makeHub();
    const session = new FakeDeviceSession('pk', 'dn', { encode: true });
    hub!.opened(session);
    expect(await hub!.sendCommand(command({ kind: 'raw.down', params: 'AQID' }))).toMatchObject({
      code: 400, message: 'A raw.down command carries its bytes as a Buffer in params.',
    });
    expect(await hub!.sendCommand(command({ params: 'warm' }))).toMatchObject({ code: 400, message: 'A property.set command carries an object in params.' });
    expect(await hub!.sendCommand(command({ kind: 'raw.down', params: Buffer.from([1, 2, 3]) }))).toMatchObject({ code: 202 });
    expect(session.published.map((p) => p.topic)).toEqual(['/sys/pk/dn/thing/model/down_raw']);
    expect((await messageLog()).map((m) => m.code)).toEqual([400, 400, 202]);

    // A transport that cannot send is still a 503: the command was fine, the connection was not.
    const broken = new FakeDeviceSession('pk', 'dn');
    broken.onCommand = () => {
      throw new Error('socket closed');
    };
    hub!.opened(broken);
    expect(await hub!.sendCommand(command())).toMatchObject({ code: 503, message: 'could not be sent: socket closed' });
  });

  it('fails at once with 503 when the device is offline, and 404 when it does not exist', async () => {
    makeHub();
    expect(await hub!.sendCommand(command())).toMatchObject({ code: 503, message: 'device is offline' });
    expect(await hub!.sendCommand(command({ deviceName: 'ghost', whenOffline: 'queue' }))).toMatchObject({ code: 404 });
    expect(await hub!.sendCommand(command({ kind: 'service.invoke' }))).toMatchObject({ code: 400 });
    expect(await messageLog()).toEqual([expect.objectContaining({ direction: 'down', code: 503, reason: 'device is offline' })]);
  });

  it('fails commands waiting for a reply with 503 when the device goes offline, but not on a takeover', async () => {
    makeHub();
    const first = new FakeDeviceSession('pk', 'dn');
    hub!.opened(first);
    const beforeTakeover = hub!.sendCommand(command());
    const second = new FakeDeviceSession('pk', 'dn');
    hub!.opened(second);
    // The device answers on its new connection the command it got on the old one.
    hub!.uplink(second, second.message('property.set.reply', { id: first.commands[0]!.messageId, code: 200 }));
    expect(await beforeTakeover).toMatchObject({ code: 200 });

    const lost = hub!.sendCommand(command());
    hub!.closed(second.id, 'connection-lost');
    expect(await lost).toMatchObject({ code: 503, message: 'device went offline' });
  });

  it('delivers queued commands when the device connects', async () => {
    makeHub();
    const results = [hub!.sendCommand(command({ whenOffline: 'queue', params: { power: 'on' } })), hub!.sendCommand(command({ whenOffline: 'queue', params: { power: 'off' } }))];
    expect(hub!.stats().queuedCommands).toBe(2);
    const session = new FakeDeviceSession('pk', 'dn');
    answering(session);
    hub!.opened(session);
    expect(session.commands.map((c) => c.command.params)).toEqual([{ power: 'on' }, { power: 'off' }]);
    expect((await Promise.all(results)).map((r) => r.code)).toEqual([200, 200]);
  });

  it('hands its queued commands, in order, to the node of a cluster the device connected to; one no node took stays first', async () => {
    makeHub();
    const offered: unknown[] = [];
    let taken = false;
    hub!.routeCommandsThrough({
      holderOf: () => Promise.resolve('another-node'),
      send: (command) => {
        offered.push(command.params);
        return Promise.resolve(taken ? { id: 'there', code: 200, data: command.params } : undefined);
      },
    });
    const results = [hub!.sendCommand(command({ whenOffline: 'queue', params: { power: 'on' } })), hub!.sendCommand(command({ whenOffline: 'queue', params: { power: 'off' } }))];
    // Sent, the commands went to the node holding the device first; it had none, so they are queued here.
    await until('both queued', () => hub!.stats().queuedCommands, (n) => n === 2);
    offered.length = 0;
    // The device shows up on the other node, which does not take the first (it lost the device again): both stay
    // queued here, in their order.
    await until('the first offered', () => offered.length, (n) => n > 0);
    expect(offered).toEqual([{ power: 'on' }]);
    expect(hub!.stats().queuedCommands).toBe(2);
    taken = true;
    const answered = await Promise.all(results);
    expect(answered).toMatchObject([{ code: 200, data: { power: 'on' } }, { code: 200, data: { power: 'off' } }]);
    // Each ends with the id it was queued under, which the caller was told.
    expect(answered.map((r) => r.id)).not.toContain('there');
    expect(offered.slice(-2)).toEqual([{ power: 'on' }, { power: 'off' }]);
    expect(hub!.stats().queuedCommands).toBe(0);
  });

  it('bounds the queue of an offline device', async () => {
    makeHub({ maxQueuedCommands: 2 });
    void hub!.sendCommand(command({ whenOffline: 'queue' }));
    void hub!.sendCommand(command({ whenOffline: 'queue' }));
    expect(await hub!.sendCommand(command({ whenOffline: 'queue' }))).toMatchObject({ code: 503, message: expect.stringMatching(/already has 2 commands queued/) });
  });

  it('ends a queued command with 410 when its TTL passes, and never delivers it', async () => {
    useFakeClock();
    makeHub({ queueTtlMs: 60_000 });
    let result;
    void hub!.sendCommand(command({ whenOffline: 'queue' })).then((r) => (result = r));
    await vi.advanceTimersByTimeAsync(59_999);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toMatchObject({ code: 410, message: 'expired: the device stayed offline for 60000 ms' });

    const session = new FakeDeviceSession('pk', 'dn');
    hub!.opened(session);
    expect(session.commands).toEqual([]);
    expect(await messageLog()).toEqual([expect.objectContaining({ direction: 'down', code: 410 })]);
  });

  it('holds commands until a session opened not ready says it is ready (MQTT: until the device subscribed)', async () => {
    makeHub();
    const queued = hub!.sendCommand(command({ whenOffline: 'queue', params: { power: 'on' } }));
    const session = new FakeDeviceSession('pk', 'dn');
    answering(session);
    hub!.opened(session, { commandsReady: false });
    expect(hub!.isOnline('pk', 'dn')).toBe(true);
    const sentEarly = hub!.sendCommand(command({ params: { power: 'off' } }));
    expect(session.commands).toEqual([]);

    hub!.commandsReady(session);
    hub!.commandsReady(session);
    expect(session.commands.map((c) => c.command.params)).toEqual([{ power: 'on' }, { power: 'off' }]);
    expect((await Promise.all([queued, sentEarly])).map((r) => r.code)).toEqual([200, 200]);
  });

  it('fails a command held for a not-ready session with 503 if the device leaves, and 504 if it never gets ready', async () => {
    useFakeClock();
    makeHub();
    const first = new FakeDeviceSession('pk', 'dn');
    hub!.opened(first, { commandsReady: false });
    const held = hub!.sendCommand(command());
    const stillQueued = hub!.sendCommand(command({ whenOffline: 'queue' }));
    hub!.closed(first.id, 'disconnect');
    expect(await held).toMatchObject({ code: 503, message: 'device went offline' });
    expect(hub!.stats().queuedCommands).toBe(1);

    const second = new FakeDeviceSession('pk', 'dn');
    hub!.opened(second, { commandsReady: false });
    let result;
    void hub!.sendCommand(command({ timeoutMs: 3000 })).then((r) => (result = r));
    await vi.advanceTimersByTimeAsync(3000);
    expect(result).toMatchObject({ code: 504, message: expect.stringMatching(/never became ready/) });
    expect(second.commands).toEqual([]);
    hub!.commandsReady(second);
    expect(second.commands).toHaveLength(1);
    void stillQueued;
  });

  it('checks the TTL again on delivery, by the hub\'s clock', async () => {
    let clock = START;
    makeHub({ now: () => clock, queueTtlMs: 60_000 });
    const expired = hub!.sendCommand(command({ whenOffline: 'queue' }));
    clock += 60_001;
    const session = new FakeDeviceSession('pk', 'dn');
    hub!.opened(session);
    expect(await expired).toMatchObject({ code: 410 });
    expect(session.commands).toEqual([]);
  });
});

describe('registry changes', () => {
  it('kicks the session of a device that is disabled or has its secret rotated', async () => {
    makeHub();
    const session = new FakeDeviceSession('pk', 'dn');
    hub!.opened(session);
    await registry.devices.update('pk', 'dn', { enabled: false });
    expect(session.closes).toEqual(['kicked']);
    expect(hub!.isOnline('pk', 'dn')).toBe(false);
    expect((await device()).status).toBe('offline');
    hub!.closed(session.id, 'kicked');
    expect((await history()).map((h) => [h.event, h.reason])).toEqual([['connected', null], ['disconnected', 'kicked: device disabled']]);

    await registry.devices.update('pk', 'dn', { enabled: true });
    const again = new FakeDeviceSession('pk', 'dn');
    hub!.opened(again);
    await registry.devices.rotateSecret('pk', 'dn');
    expect(again.closes).toEqual(['kicked']);
    expect((await history()).at(-1)).toMatchObject({ event: 'disconnected', reason: 'kicked: device secret rotated' });
    // Description edits do not disturb a connected device.
    const third = new FakeDeviceSession('pk', 'dn');
    hub!.opened(third);
    await registry.devices.update('pk', 'dn', { description: 'kitchen' });
    expect(third.closes).toEqual([]);
  });

  it('kicks a deleted device, fails its queued commands and forgets its history', async () => {
    makeHub();
    const queued = hub!.sendCommand(command({ deviceName: 'other', whenOffline: 'queue' }));
    const session = new FakeDeviceSession('pk', 'dn');
    hub!.opened(session);
    hub!.subscribe(() => {});
    hub!.uplink(session, session.message('property.post'));
    await hub!.flush();
    hub!.uplink(session, session.message('property.post'));
    await registry.devices.delete('pk', 'dn');
    await registry.devices.delete('pk', 'other');
    expect(session.closes).toEqual(['kicked']);
    expect(await queued).toMatchObject({ code: 404, message: 'device was deleted' });
    await hub!.flush();
    expect(rowCount('device_messages')).toBe(0);
    expect(rowCount('device_connections')).toBe(0);

    // A session that opens for a device deleted after it signed in is closed once the registry is asked again, and
    // leaves nothing behind.
    const late = new FakeDeviceSession('pk', 'dn');
    hub!.opened(late);
    await until('the late session kicked', () => late.closes, (closes) => closes.length > 0);
    expect(late.closes).toEqual(['kicked']);
    expect(hub!.isOnline('pk', 'dn')).toBe(false);
    await hub!.flush();
    expect(rowCount('device_connections')).toBe(0);
  });
});

describe('batched writes', () => {
  it('writes the status of a fleet connecting together, 50 ms after the first, in one transaction', async () => {
    for (let i = 0; i < 50; i++) await registry.devices.create({ productKey: 'pk', deviceName: `fleet${i}` });
    useFakeClock();
    makeHub();
    const write = vi.spyOn(registry.devices, 'flushStatus');
    const sessions = Array.from({ length: 50 }, (_, i) => new FakeDeviceSession('pk', `fleet${i}`));
    for (const s of sessions) hub!.opened(s);
    expect(write).not.toHaveBeenCalled();
    expect((await hub!.status('pk', 'fleet7'))?.online).toBe(true); // the live view has them at once
    await vi.advanceTimersByTimeAsync(49);
    expect(write).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(write).toHaveBeenCalledTimes(1);
    expect(rowCount("devices WHERE status = 'online'")).toBe(50);
    for (const s of sessions) hub!.closed(s.id, 'disconnect');
    await vi.advanceTimersByTimeAsync(50);
    expect(write).toHaveBeenCalledTimes(2);
    expect(await registry.devices.countByStatus()).toMatchObject({ online: 0, offline: 50 });
  });

  it('writes the message log in batches: nothing before the flush, everything after', async () => {
    useFakeClock();
    makeHub();
    const got = subscribeAll();
    const session = new FakeDeviceSession('pk', 'dn');
    hub!.opened(session);
    hub!.uplink(session, session.message('property.post', { params: { n: 0 } }));
    hub!.reply(got.at(-1)!.replyToken!, 200);
    expect(rowCount('device_messages')).toBe(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(rowCount('device_messages')).toBe(1);

    const transactions = vi.spyOn(sql, 'transaction');
    const flushesBefore = hub!.stats().messageLog.flushes;
    for (let n = 1; n <= 10_000; n++) hub!.uplink(session, session.message('property.post', { params: { n } }));
    await hub!.flush();
    expect(rowCount('device_messages')).toBe(10_001);
    const flushes = hub!.stats().messageLog.flushes - flushesBefore;
    expect(flushes).toBeLessThanOrEqual(10_000 / 500 + 1);
    // Every write of the hub goes through a transaction: log batches, plus one for lastSeen.
    expect(transactions.mock.calls.length).toBeLessThanOrEqual(flushes + 1);
  });

  it('sets a reply code that arrives after the entry was written on its row', async () => {
    makeHub();
    const got = subscribeAll();
    const session = new FakeDeviceSession('pk', 'dn');
    hub!.opened(session);
    hub!.uplink(session, session.message('property.post', { id: '5', ack: true }));
    await hub!.flush();
    expect((await messageLog())[0]).toMatchObject({ msgId: '5', code: null });
    hub!.reply(got.at(-1)!.replyToken!, 422, { errors: [] }, 'temperature above max');
    expect((await messageLog())[0]).toMatchObject({ msgId: '5', code: 422, reason: 'temperature above max' });
    expect((await hub!.messages('pk', 'dn', { code: 422 }, { limit: 10, offset: 0 })).total).toBe(1);
  });

  it('writes lastSeen at most once per interval, not per message', async () => {
    useFakeClock();
    makeHub({ lastSeenFlushMs: 5000 });
    const touch = vi.spyOn(registry.devices, 'touch');
    const session = new FakeDeviceSession('pk', 'dn');
    hub!.subscribe(() => {});
    hub!.opened(session);
    expect((await device()).lastSeenAt).toBe(new Date(START).toISOString());

    await vi.advanceTimersByTimeAsync(1000);
    for (let i = 0; i < 100; i++) {
      hub!.seen(session);
      hub!.uplink(session, session.message('property.post'));
    }
    expect(touch).not.toHaveBeenCalled();
    expect((await hub!.status('pk', 'dn'))?.lastSeenAt).toBe(START + 1000);
    // The batch is written lastSeenFlushMs after the first unwritten sighting.
    await vi.advanceTimersByTimeAsync(4999);
    expect(touch).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(touch).toHaveBeenCalledTimes(1);
    expect((await device()).lastSeenAt).toBe(new Date(START + 1000).toISOString());

    // Going offline writes the last time at once.
    await vi.advanceTimersByTimeAsync(500);
    hub!.seen(session);
    hub!.closed(session.id, 'disconnect');
    expect(await device()).toMatchObject({ status: 'offline', lastSeenAt: new Date(START + 6500).toISOString() });
    expect(await hub!.status('pk', 'dn')).toEqual({ online: false, lastSeenAt: START + 6500 });
    expect(touch).toHaveBeenCalledTimes(1);
  });

  it('keeps the newest rows per device in the retention sweep', async () => {
    makeHub({ log: { messagesPerDevice: 5, connectionsPerDevice: 3 } });
    hub!.subscribe(() => {});
    const chatty = new FakeDeviceSession('pk', 'dn');
    const quiet = new FakeDeviceSession('pk', 'other');
    hub!.opened(quiet);
    for (let i = 1; i <= 3; i++) {
      hub!.opened(chatty);
      for (let n = 1; n <= 10; n++) hub!.uplink(chatty, chatty.message('property.post', { id: `${i}${n}` }));
      hub!.closed(chatty.id, 'disconnect');
    }
    hub!.uplink(quiet, quiet.message('property.post', { id: '1' }));
    await hub!.sweep();
    expect((await messageLog()).map((m) => m.msgId)).toEqual(['36', '37', '38', '39', '310']);
    expect((await messageLog('other')).map((m) => m.msgId)).toEqual(['1']);
    expect((await history()).map((h) => h.event)).toEqual(['disconnected', 'connected', 'disconnected']);
    expect(await history('other')).toHaveLength(1);
  });
});

describe('payloads in the message log', () => {
  it('cuts payloads to 4 KB on a character boundary and says so', () => {
    expect(payloadText({ a: 1 })).toEqual({ payload: '{"a":1}', truncated: false });
    expect(payloadText(undefined)).toEqual({ payload: null, truncated: false });
    const long = payloadText({ text: 'é'.repeat(5000) });
    expect(long.truncated).toBe(true);
    expect(Buffer.byteLength(long.payload!)).toBeLessThanOrEqual(4096);
    expect(long.payload!.endsWith('é')).toBe(true);
    expect(payloadText(Buffer.from([1, 2, 3]))).toEqual({ payload: '{"base64":"AQID"}', truncated: false });
  });
});

describe('close', () => {
  it('ends waiting commands with 503, writes what is buffered and stops answering', async () => {
    makeHub();
    const session = new FakeDeviceSession('pk', 'dn');
    hub!.opened(session);
    const waiting = hub!.sendCommand(command());
    const queued = hub!.sendCommand(command({ deviceName: 'other', whenOffline: 'queue' }));
    await hub!.close();
    expect(await waiting).toMatchObject({ code: 503 });
    expect(await queued).toMatchObject({ code: 503 });
    expect(rowCount('device_messages')).toBe(2);
    expect(await hub!.sendCommand(command())).toMatchObject({ code: 503 });
  });
});
