import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createLiveClient, type LiveClient } from './live-client.ts';
import type { SocketConstructor } from './reconnecting-socket.ts';

/** A stand-in for the server's live socket: real `ws` on loopback, speaking the same messages. */
let server: WebSocketServer;
let url: string;
let clients: LiveClient[] = [];

beforeEach(async () => {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/live`;
});

afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  for (const ws of server.clients) ws.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function connect(options: Parameters<typeof createLiveClient>[1] = {}): LiveClient {
  const client = createLiveClient(url, { WebSocket: WebSocket as unknown as SocketConstructor, initialReconnectMs: 20, ...options });
  clients.push(client);
  return client;
}

/** Resolves when `check` holds, re-checked on each notification of `subscribe`; fails after a timeout. */
function until(subscribe: (listener: () => void) => () => void, check: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const timeout = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${what}`));
    }, 5000);
    const off = subscribe(() => {
      if (!check()) return;
      clearTimeout(timeout);
      off();
      resolve();
    });
  });
}

async function connected(): Promise<import('ws').WebSocket> {
  const [ws] = [...server.clients];
  if (ws) return ws;
  return new Promise((resolve) => server.once('connection', resolve));
}

function send(ws: import('ws').WebSocket, message: object) {
  ws.send(JSON.stringify(message));
}

describe('createLiveClient', () => {
  it('keeps the latest status per node and tells only that node’s listeners', async () => {
    const client = connect();
    const ws = await connected();
    // Connecting and reconnecting are reconnecting-socket.ts's (tested there); the client reports its state.
    await until(client.subscribeConnection, () => client.connectionState() === 'open', 'open');
    let aCalls = 0;
    let bCalls = 0;
    client.subscribeNodeStatus('a', () => aCalls++);
    client.subscribeNodeStatus('b', () => bCalls++);
    const aChanged = until((l) => client.subscribeNodeStatus('a', l), () => client.nodeStatus('a')?.text === 'second', 'status a');
    send(ws, { type: 'hello', user: 'admin' });
    send(ws, { type: 'status', id: 'a', status: { fill: 'green', shape: 'dot', text: 'first' } });
    send(ws, { type: 'status', id: 'a', status: { fill: 'red', shape: 'ring', text: 'second' } });
    await aChanged;
    expect(client.nodeStatus('a')).toEqual({ fill: 'red', shape: 'ring', text: 'second' });
    expect(aCalls).toBe(2);
    expect(bCalls).toBe(0);
    expect(client.nodeStatus('b')).toBeUndefined();

    const snapshot = client.nodeStatus('a');
    send(ws, { type: 'status', id: 'a', status: { fill: 'red', shape: 'ring', text: 'second' } });
    send(ws, { type: 'status', id: 'a', status: {} });
    await until((l) => client.subscribeNodeStatus('a', l), () => client.nodeStatus('a') === undefined, 'status cleared');
    // The repeat changed nothing, so only the clear notified.
    expect(aCalls).toBe(3);
    expect(snapshot).toEqual({ fill: 'red', shape: 'ring', text: 'second' });

    // A cluster's status: what each group of nodes says, for the canvas to put in the UI's language.
    const byNode = [{ nodes: ['n1', 'n2'], text: '3 connected', fill: 'green', shape: 'dot' }, { nodes: ['n3'] }, { nodes: 'not a list' }];
    send(ws, { type: 'status', id: 'b', status: { fill: 'green', shape: 'dot', text: 'n1, n2: 3 connected · n3', byNode } });
    await until((l) => client.subscribeNodeStatus('b', l), () => client.nodeStatus('b') !== undefined, 'status b');
    expect(client.nodeStatus('b')).toEqual({
      fill: 'green', shape: 'dot', text: 'n1, n2: 3 connected · n3',
      byNode: [{ nodes: ['n1', 'n2'], fill: 'green', shape: 'dot', text: '3 connected' }, { nodes: ['n3'] }],
    });
  });

  it('decodes debug messages, keeps the last N and sums what the server dropped', async () => {
    const client = connect({ maxLogEntries: 3 });
    const ws = await connected();
    send(ws, {
      type: 'debug',
      messages: [
        { id: 'n1', z: 't1', name: 'sensor', topic: 'a1/room', msg: '{"temperature":23.5}', format: 'Object', property: 'payload' },
        { id: 'n1', z: 't1', msg: 'hello', format: 'string[5]' },
        { id: 'n2', z: 't1', msg: '42', format: 'number' },
        { id: 'n3', z: 't1', level: 20, type: 'function', msg: 'boom', format: 'string[4]' },
      ],
    });
    send(ws, { type: 'debug-dropped', count: 7 });
    send(ws, { type: 'debug-dropped', count: 5 });
    await until(client.subscribeLog, () => client.droppedCount() === 12, 'dropped count');
    const log = client.log();
    expect(log.map((e) => (e.kind === 'debug' ? e.value : e.id))).toEqual(['hello', 42, 'boom']);
    const last = log.at(-1);
    expect(last).toMatchObject({ kind: 'debug', nodeId: 'n3', z: 't1', level: 'error' });

    const before = client.log();
    // Flows starting on a deploy is not kept; the problem after it is.
    send(ws, { type: 'runtime', id: 'runtime-state', payload: { state: 'start', deploy: true } });
    send(ws, { type: 'runtime', id: 'runtime-state', payload: { state: 'stop', error: 'missing-types', type: 'warning', text: 'notification.warnings.missing-types', types: ['ui_gauge'] } });
    await until(client.subscribeLog, () => client.log().at(-1)?.kind === 'runtime', 'runtime event');
    expect(client.log()).not.toBe(before);
    expect(client.log().at(-1)).toMatchObject({ kind: 'runtime', id: 'runtime-state', level: 'error', text: expect.stringContaining('node types not installed: ui_gauge') });
    expect(client.log().filter((e) => e.kind === 'runtime')).toHaveLength(1);

    client.clearLog();
    expect(client.log()).toEqual([]);
    expect(client.droppedCount()).toBe(0);
  });
});
