import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import type { SocketConstructor } from '../../../editor/live/reconnecting-socket.ts';
import { createDeviceFeedClient, type DeviceFeedClient, type LiveEvent } from './device-feed-client.ts';

/** A stand-in for the server's device feed: real `ws` on loopback, speaking the same messages. */
let server: WebSocketServer;
let url: string;
let clients: DeviceFeedClient[] = [];
/** What each server-side socket received, by socket. */
let received: Map<ServerSocket, unknown[]>;
let connections: number;

beforeEach(async () => {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  received = new Map();
  connections = 0;
  server.on('connection', (ws) => {
    connections++;
    const got: unknown[] = [];
    received.set(ws, got);
    ws.on('message', (data) => got.push(JSON.parse(String(data))));
  });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/live/devices`;
});

afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  for (const ws of server.clients) ws.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function feed(options: Parameters<typeof createDeviceFeedClient>[1] = {}): DeviceFeedClient {
  const client = createDeviceFeedClient(url, {
    WebSocket: WebSocket as unknown as SocketConstructor, initialReconnectMs: 20, idleCloseMs: 50, stateNotifyMs: 10, ...options,
  });
  clients.push(client);
  return client;
}

/** Resolves when `check` holds, polled every few ms; fails after a timeout. */
async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The open server-side socket (there is one at a time in these tests). */
async function serverSocket(): Promise<ServerSocket> {
  await until(() => [...server.clients].some((ws) => ws.readyState === ws.OPEN), 'a connection');
  return [...server.clients].find((ws) => ws.readyState === ws.OPEN)!;
}

const send = (ws: ServerSocket, message: object) => ws.send(JSON.stringify(message));

/**
 * Resolves once a whole idle time has passed: a second client with the same idle time is retained, released and seen
 * closed. A socket that should have outlived that time can then be checked, with no fixed wait. Counts its own
 * connection out of `connections`.
 */
async function anIdleTimeLater(): Promise<void> {
  const witness = feed();
  const release = witness.retain();
  await until(() => witness.connectionState() === 'open', 'the witness open');
  release();
  await until(() => witness.connectionState() === 'closed', 'the witness closed after its idle time');
  connections--;
}

describe('createDeviceFeedClient', () => {
  it('connects only while retained, and closes a moment after the last user lets go', async () => {
    const client = feed();
    client.subscribeStates(() => {});
    expect(client.deviceStates().size).toBe(0);
    expect(server.clients.size).toBe(0);
    expect(client.connectionState()).toBe('closed');

    const releaseA = client.retain();
    const releaseB = client.retain();
    await until(() => client.connectionState() === 'open', 'open');
    const ws = await serverSocket();
    releaseA();
    releaseA();
    await anIdleTimeLater();
    // B still holds it.
    expect(ws.readyState).toBe(ws.OPEN);
    releaseB();
    // A page change: released and retained again within the idle time keeps the same socket.
    const releaseC = client.retain();
    await anIdleTimeLater();
    expect(ws.readyState).toBe(ws.OPEN);
    releaseC();
    await until(() => client.connectionState() === 'closed' && ws.readyState === ws.CLOSED, 'closed after idle');
    expect(connections).toBe(1);

    const releaseD = client.retain();
    await until(() => client.connectionState() === 'open', 'open again');
    expect(connections).toBe(2);
    releaseD();
  });

  it('sends the union of watched devices as one request, and again on every reconnect', async () => {
    const client = feed();
    const unwatchA = client.watch('pk/a');
    const unwatchB = client.watch('pk/b');
    const unwatchA2 = client.watch('pk/a');
    const first = await serverSocket();
    await until(() => received.get(first)!.length === 1, 'the watch');
    expect(received.get(first)).toEqual([{ type: 'watch', devices: ['pk/a', 'pk/b'] }]);

    unwatchA();
    unwatchB();
    // pk/a is still watched once.
    await until(() => received.get(first)!.length === 2, 'the second watch');
    expect(received.get(first)![1]).toEqual({ type: 'watch', devices: ['pk/a'] });

    first.terminate();
    await until(() => connections === 2 && client.connectionState() === 'open', 'reconnected');
    const second = await serverSocket();
    await until(() => received.get(second)!.length === 1, 'the watch after reconnecting');
    expect(received.get(second)).toEqual([{ type: 'watch', devices: ['pk/a'] }]);
    unwatchA2();
    await until(() => received.get(second)!.length === 2, 'watching nothing');
    expect(received.get(second)![1]).toEqual({ type: 'watch', devices: [] });
  });

  it('keeps the latest state per device, with snapshots that change only when the data does', async () => {
    const client = feed();
    const release = client.retain();
    let notified = 0;
    client.subscribeStates(() => notified++);
    const ws = await serverSocket();
    const empty = client.deviceStates();
    expect(client.deviceStates()).toBe(empty);

    send(ws, { type: 'state', productKey: 'pk', deviceName: 'a', online: true, at: 1000 });
    send(ws, { type: 'state', productKey: 'pk', deviceName: 'b', online: true, at: 1000 });
    await until(() => client.deviceStates().size === 2 && notified > 0, 'two states');
    const a = client.deviceState('pk/a');
    expect(a).toEqual({ online: true, at: 1000 });
    const snapshot = client.deviceStates();
    expect(client.deviceStates()).toBe(snapshot);

    send(ws, { type: 'state', productKey: 'pk', deviceName: 'b', online: false, at: 2000 });
    // An older push (reordered by a reconnect) does not undo a newer one.
    send(ws, { type: 'state', productKey: 'pk', deviceName: 'b', online: true, at: 1500 });
    // Pushes are handled in order: once c is there, the two b pushes before it were handled.
    send(ws, { type: 'state', productKey: 'pk', deviceName: 'c', online: true, at: 2000 });
    await until(() => client.deviceState('pk/c') !== undefined, 'c online');
    expect(client.deviceState('pk/b')).toEqual({ online: false, at: 2000 });
    expect(client.deviceState('pk/a')).toBe(a);
    expect(client.deviceStates()).not.toBe(snapshot);
    expect(snapshot.get('pk/b')).toEqual({ online: true, at: 1000 });
    release();
  });

  it('merges property values of watched devices (newest time wins), passes events on, and keeps a minute of rates', async () => {
    const client = feed({ rateHistory: 3 });
    const unwatch = client.watch('pk/a');
    let calls = 0;
    client.subscribeProperties('pk/a', () => calls++);
    const events: LiveEvent[] = [];
    client.subscribeEvents('pk/a', (e) => events.push(e));
    const ws = await serverSocket();
    await until(() => received.get(ws)!.length === 1, 'the watch');

    send(ws, { type: 'properties', productKey: 'pk', deviceName: 'a', values: { temperature: { value: 21, time: 1000 }, target: { value: 20, time: 1000 } } });
    send(ws, { type: 'properties', productKey: 'pk', deviceName: 'a', values: { temperature: { value: 19, time: 500 } } });
    send(ws, { type: 'properties', productKey: 'pk', deviceName: 'a', values: { temperature: { value: 22, time: 2000 } } });
    // Not watched: ignored.
    send(ws, { type: 'properties', productKey: 'pk', deviceName: 'b', values: { temperature: { value: 1, time: 3000 } } });
    send(ws, { type: 'event', productKey: 'pk', deviceName: 'a', identifier: 'overheat', params: { temp: 90 }, at: 2500 });
    for (let i = 1; i <= 4; i++) send(ws, { type: 'rate', uplinksPerSecond: i, downlinksPerSecond: 0, online: 1, at: i * 1000 });
    await until(() => client.rate()?.uplinksPerSecond === 4, 'the last rate');

    expect(client.properties('pk/a')).toEqual({ temperature: { value: 22, time: 2000 }, target: { value: 20, time: 1000 } });
    expect(calls).toBe(2);
    expect(client.properties('pk/b')).toEqual({});
    expect(client.properties('pk/b')).toBe(client.properties('pk/c'));
    expect(events).toEqual([{ identifier: 'overheat', params: { temp: 90 }, at: 2500 }]);
    expect(client.rateHistory().map((r) => r.uplinksPerSecond)).toEqual([2, 3, 4]);

    // Nobody watches it any more: its values are forgotten, the next watch starts empty.
    unwatch();
    expect(client.properties('pk/a')).toEqual({});
  });

  it('passes OTA pushes on to every OTA listener, without a watch, leaving out events it cannot use', async () => {
    const client = feed();
    const release = client.retain();
    const pushes: unknown[][] = [];
    const off = client.subscribeOta((events) => pushes.push([...events]));
    const ws = await serverSocket();
    const upgrade = { id: 3, campaignId: 1, productKey: 'pk', deviceName: 'a', state: 'downloading', percent: 40 };
    const campaign = { id: 1, state: 'stopped', counts: { failed: 2 } };
    send(ws, {
      type: 'ota',
      events: [
        { type: 'ota.device', upgrade },
        { type: 'ota.device', upgrade: { id: 'x' } },
        { type: 'ota.campaign', campaign, change: 'stopped' },
        { type: 'something.else' },
        null,
      ],
    });
    // Nothing usable: no call.
    send(ws, { type: 'ota', events: [{ type: 'ota.device' }] });
    send(ws, { type: 'ota', events: [{ type: 'ota.campaign', campaign: { id: 1, state: 'running', counts: {} }, change: 'resumed' }] });
    await until(() => pushes.length === 2, 'two OTA pushes');
    expect(pushes[0]).toEqual([{ type: 'ota.device', upgrade }, { type: 'ota.campaign', campaign, change: 'stopped' }]);
    expect(pushes[1]).toMatchObject([{ campaign: { state: 'running' } }]);
    expect(received.get(ws)).toEqual([]);

    off();
    send(ws, { type: 'ota', events: [{ type: 'ota.device', upgrade }] });
    send(ws, { type: 'rate', uplinksPerSecond: 5, downlinksPerSecond: 0, online: 0, at: 1 });
    await until(() => client.rate()?.uplinksPerSecond === 5, 'a later push');
    expect(pushes).toHaveLength(2);
    release();
  });

  it('starts the rate history from the minute the server measured before the socket opened', async () => {
    const client = feed({ rateHistory: 3 });
    const release = client.retain();
    const ws = await serverSocket();
    const rate = (i: number) => ({ uplinksPerSecond: i, downlinksPerSecond: 0, online: 1, at: i * 1000 });
    send(ws, { type: 'rate-history', rates: [rate(1), rate(2), { at: 'not a rate' }, rate(3), rate(4)] });
    send(ws, { type: 'rate', ...rate(5) });
    await until(() => client.rate()?.uplinksPerSecond === 5, 'the current rate');
    expect(client.rateHistory().map((r) => r.uplinksPerSecond)).toEqual([3, 4, 5]);
    release();
  });

  it('keeps the open alerts\' counts of each alerts push and passes its transitions on', async () => {
    const client = feed();
    const release = client.retain();
    const pushes: number[][] = [];
    const off = client.subscribeAlerts((transitions) => pushes.push(transitions.map((t) => t.alert.id)));
    const ws = await serverSocket();
    const counts = (critical: number) => ({ active: { info: 0, warning: 0, critical }, acknowledged: { info: 0, warning: 0, critical: 0 } });
    send(ws, { type: 'alerts', counts: counts(0), transitions: [] });
    send(ws, { type: 'alerts', counts: { active: {} }, transitions: [] });
    send(ws, {
      type: 'alerts', counts: counts(1),
      transitions: [{ transition: 'raised', alert: { id: 7, severity: 'critical', deviceName: 'a' } }, { transition: 'raised', alert: null }],
    });
    await until(() => pushes.length === 2, 'two alerts pushes');
    expect(pushes).toEqual([[], [7]]);
    expect(client.alertCounts()).toEqual(counts(1));
    off();
    release();
  });

  it('watches at most as many devices as the server said it takes', async () => {
    const client = feed();
    const release = client.retain();
    const ws = await serverSocket();
    send(ws, { type: 'hello', user: 'admin', maxWatched: 2 });
    send(ws, { type: 'rate', uplinksPerSecond: 0, downlinksPerSecond: 0, online: 0, at: 1 });
    await until(() => client.rate() !== undefined, 'the rate after the hello');
    const unwatch = ['pk/a', 'pk/b', 'pk/c'].map((k) => client.watch(k));
    await until(() => received.get(ws)!.length === 1, 'the watch');
    expect(received.get(ws)).toEqual([{ type: 'watch', devices: ['pk/a', 'pk/b'] }]);
    for (const u of unwatch) u();
    release();
  });
});
