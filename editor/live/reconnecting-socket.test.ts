import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { ACCESS_CONFIRMED_EVENT, createReconnectingSocket, type ReconnectingSocket, type ReconnectingSocketOptions, type SocketConstructor } from './reconnecting-socket.ts';

/** A stand-in for the server's live endpoints: real `ws` on loopback. */
let server: WebSocketServer;
let url: string;
let sockets: ReconnectingSocket[] = [];

beforeEach(async () => {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/live`;
});

afterEach(async () => {
  for (const socket of sockets) socket.close();
  sockets = [];
  for (const ws of server.clients) ws.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function socketTo(options: Partial<ReconnectingSocketOptions> = {}): ReconnectingSocket {
  const socket = createReconnectingSocket({
    url: () => url,
    WebSocket: WebSocket as unknown as SocketConstructor,
    initialReconnectMs: 20,
    onMessage: () => {},
    ...options,
  });
  sockets.push(socket);
  return socket;
}

/** Resolves when the socket's state is `state`, re-checked on each change; fails after a timeout. */
function until(socket: ReconnectingSocket, state: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.state() === state) return resolve();
    const timeout = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${state}`));
    }, 5000);
    const off = socket.subscribeState(() => {
      if (socket.state() !== state) return;
      clearTimeout(timeout);
      off();
      resolve();
    });
  });
}

const nextConnection = () => new Promise<ServerSocket>((resolve) => server.once('connection', resolve));

describe('createReconnectingSocket', () => {
  it('connects on open(), passes JSON messages on, and sends only while open', async () => {
    const messages: unknown[] = [];
    const received: string[] = [];
    let opened = 0;
    const socket = socketTo({ onMessage: (m) => messages.push(m), onOpen: () => opened++ });
    expect(socket.state()).toBe('closed');
    expect(socket.send('early')).toBe(false);

    const connection = nextConnection();
    socket.open();
    expect(socket.state()).toBe('connecting');
    const ws = await connection;
    ws.on('message', (data) => received.push(String(data)));
    await until(socket, 'open');
    expect(opened).toBe(1);

    const last = new Promise<void>((resolve) => ws.on('message', () => received.length === 2 && resolve()));
    expect(socket.send('one')).toBe(true);
    expect(socket.send('two')).toBe(true);
    await last;
    expect(received).toEqual(['one', 'two']);

    ws.send('not json');
    ws.send(JSON.stringify({ type: 'hello' }));
    ws.send(JSON.stringify({ type: 'last' }));
    await expect.poll(() => messages.length).toBe(2);
    expect(messages).toEqual([{ type: 'hello' }, { type: 'last' }]);
  });

  it('reconnects after the server drops the connection, calls onOpen again, and stops for good on close()', async () => {
    let opened = 0;
    const socket = socketTo({ onOpen: () => opened++ });
    const first = nextConnection();
    socket.open();
    await until(socket, 'open');
    const second = nextConnection();
    (await first).terminate();
    await until(socket, 'closed');
    const ws = await second;
    await until(socket, 'open');
    // A channel re-sends what the new socket must know (the device feed: its watch list).
    expect(opened).toBe(2);

    const gone = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    socket.close();
    expect(socket.state()).toBe('closed');
    socket.open();
    expect(socket.state()).toBe('closed');
    await gone;
    expect(server.clients.size).toBe(0);
  });

  it('keeps retrying while the server is away', async () => {
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const socket = socketTo();
    socket.open();
    await until(socket, 'closed');
    server = new WebSocketServer({ port, host: '127.0.0.1' });
    await until(socket, 'open');
  });

  it('stop() closes with the code and reason given and reconnects no more until open()', async () => {
    // A reconnect would take a minute: open() connecting at once shows none was due.
    const socket = socketTo({ initialReconnectMs: 60_000 });
    const connection = nextConnection();
    socket.open();
    const ws = await connection;
    await until(socket, 'open');
    const closedWith = new Promise<[number, string]>((resolve) => ws.once('close', (code, reason) => resolve([code, String(reason)])));
    socket.stop(1000, 'nothing uses it');
    expect(socket.state()).toBe('closed');
    expect(await closedWith).toEqual([1000, 'nothing uses it']);

    socket.open();
    expect(socket.state()).toBe('connecting');
    await until(socket, 'open');
  });

  it('leaves a dropped socket closed while no connection is wanted', async () => {
    let wanted = true;
    const socket = socketTo({ initialReconnectMs: 60_000, wanted: () => wanted });
    const first = nextConnection();
    socket.open();
    await until(socket, 'open');
    wanted = false;
    (await first).terminate();
    await until(socket, 'closed');
    // No reconnect is due: open() connects at once once it is wanted again (and not before).
    socket.open();
    expect(socket.state()).toBe('closed');
    wanted = true;
    socket.open();
    expect(socket.state()).toBe('connecting');
    await until(socket, 'open');
  });

  it('tells when the server closes for changed access (4401), and connects again once the session confirms access', async () => {
    let told = 0;
    const first = nextConnection();
    const page = new EventTarget();
    const socket = socketTo({ onAccessChanged: () => told++, events: page });
    socket.open();
    (await first).close(4401, 'role changed');
    await until(socket, 'closed');
    expect(told).toBe(1);
    // Not on a timer: signed out, it would only be refused while the screens holding it unmount.
    const next = nextConnection();
    page.dispatchEvent(new Event(ACCESS_CONFIRMED_EVENT));
    const second = await next;
    await until(socket, 'open');
    second.close(1001, 'going away');
    await nextConnection();
    expect(told).toBe(1);
  });
});
