/**
 * The live socket of a cluster node, on a real HTTP server and WebSocket: the editor shows each flow node's status as
 * every cluster node reports it, labelled by node, in the most alarming colour among them; a node that stops sharing
 * (killed) has its statuses dropped; and this node's statuses and debug messages are shared with the others.
 */
import http from 'node:http';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { rolePermissions, type Principal } from '../../domain/auth/permissions.ts';
import { createLogger } from '../logger.ts';
import { until } from '../testing/until.ts';
import { LIVE_SHARED_EVENT, LiveSocket, type LiveBatch } from './live-socket.ts';

const admin: Principal = { userId: 1, username: 'admin', role: 'admin', permissions: rolePermissions().admin, via: 'session' };
const events = new EventEmitter();
let server: http.Server;
let live: LiveSocket;
const shared: LiveBatch[] = [];

beforeAll(async () => {
  live = new LiveSocket({ events, logger: createLogger('silent'), authenticate: async () => admin, allowedOrigins: [], nodeId: 'n1', flushMs: 20 });
  live.shared.on(LIVE_SHARED_EVENT, (batch) => shared.push(batch));
  server = http.createServer();
  server.on('upgrade', (req, socket, head) => live.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  live?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** An editor's socket, and the last status it was sent for each flow node. */
async function editor(): Promise<{ ws: WebSocket; statuses: Map<string, unknown> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/live`);
  const statuses = new Map<string, unknown>();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string; id?: string; status?: unknown };
    if (message.type === 'status') statuses.set(message.id!, message.status);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, statuses };
}

describe('live socket of a cluster node', () => {
  it('shows every node\'s status of a flow node, labelled, and drops those of a node gone silent', async () => {
    const { ws, statuses } = await editor();
    try {
      events.emit('node-status', { id: 'listener', status: { fill: 'green', shape: 'dot', text: '3 connected' } });
      live.follow({ origin: 'n2', statuses: [['listener', { fill: 'green', shape: 'dot', text: '2 connected' }]] });
      live.follow({ origin: 'n3', statuses: [['listener', { fill: 'red', shape: 'ring', text: 'port in use' }], ['alert', { fill: 'yellow', shape: 'dot', text: '1 open' }]] });
      await until('the combined status', () => statuses.get('listener'), (s) => JSON.stringify(s ?? null).includes('n3'));
      expect(statuses.get('listener')).toEqual({
        fill: 'red', shape: 'ring', text: 'n3: port in use · n1: 3 connected · n2: 2 connected',
        byNode: [
          { nodes: ['n3'], text: 'port in use', fill: 'red', shape: 'ring' }, { nodes: ['n1'], text: '3 connected', fill: 'green', shape: 'dot' },
          { nodes: ['n2'], text: '2 connected', fill: 'green', shape: 'dot' },
        ],
      });
      expect(statuses.get('alert')).toMatchObject({ fill: 'yellow', shape: 'dot', text: 'n3: 1 open' });

      // The same status on two nodes is said once for both; a status cleared on a node leaves the others'.
      live.follow({ origin: 'n2', statuses: [['listener', { fill: 'green', shape: 'dot', text: '3 connected' }]] });
      live.follow({ origin: 'n3', statuses: [['listener', {}]] });
      await until('n3 cleared', () => statuses.get('listener'), (s) => !JSON.stringify(s ?? null).includes('n3'));
      expect(statuses.get('listener')).toMatchObject({ fill: 'green', shape: 'dot', text: 'n1, n2: 3 connected', byNode: [{ nodes: ['n1', 'n2'], text: '3 connected', fill: 'green', shape: 'dot' }] });

      // An editor that opens now gets the same.
      const later = await editor();
      await until('the later editor\'s statuses', () => later.statuses.size, (n) => n === 2);
      expect(later.statuses.get('listener')).toMatchObject({ fill: 'green', shape: 'dot', text: 'n1, n2: 3 connected' });
      later.ws.close();

      // n3 is killed and shares nothing more: after three refreshes (90 s) its statuses go.
      vi.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
      try {
        vi.setSystemTime(Date.now() + 91_000);
        live.follow({ origin: 'n2', statuses: [], all: true }); // n2 is alive (its refresh), with no status now
        await until('n3\'s alert status dropped', () => statuses.get('alert'), (s) => JSON.stringify(s ?? null) === '{}');
        expect(statuses.get('listener')).toMatchObject({ fill: 'green', shape: 'dot', text: 'n1: 3 connected' });
      } finally {
        vi.useRealTimers();
      }
    } finally {
      ws.close();
    }
  });

  it('shares this node\'s statuses as they change, all of them now and then, and its debug messages labelled', async () => {
    events.emit('comms', { topic: 'debug', data: { id: 'dbg', msg: 'hello' } });
    await until('the debug message shared', () => shared.flatMap((b) => b.messages ?? []), (m) => m.length > 0);
    expect(shared.flatMap((b) => b.messages ?? [])).toContainEqual({ id: 'dbg', msg: 'hello', clusterNode: 'n1' });
    // The first flush shared all statuses (`all`), the later ones what changed.
    expect(shared[0]).toMatchObject({ all: true });
    events.emit('node-status', { id: 'store', status: { fill: 'green', shape: 'dot', text: '5 stored' } });
    await until('the changed status shared', () => shared.some((b) => !b.all && b.statuses?.some(([id]) => id === 'store')), Boolean);
  });
});
