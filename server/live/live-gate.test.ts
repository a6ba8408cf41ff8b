import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Principal } from '../../domain/auth/permissions.ts';
import { rolePermissions, type Role } from '../../domain/auth/permissions.ts';
import { createLogger } from '../logger.ts';
import { until } from '../testing/until.ts';
import { LiveGate, SIGNED_OUT_CLOSE_CODE, type LiveGateOptions } from './live-gate.ts';

/** Who each bearer token names now; a test changes it as the auth service would (sign-out, demotion). */
const users = new Map<string, Principal>();
const principal = (userId: number, role: Role): Principal => ({
  userId, username: `user${userId}`, role, permissions: rolePermissions()[role], via: 'session',
});
const cleanup: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  users.clear();
});

/** A gate for `flows:write` (engineers and admins) on a loopback server, greeting each socket with `hello`. */
async function gateOnServer(options: Partial<LiveGateOptions> = {}) {
  const authEvents = new EventEmitter<{ 'access-changed': [{ userId: number }] }>();
  const opened: WebSocket[] = [];
  const ended: WebSocket[] = [];
  const gate: LiveGate = new LiveGate({
    name: 'test channel', logger: createLogger('silent'), permission: 'flows:write', allowedOrigins: ['https://ops.example'],
    authenticate: async (req) => users.get(req.headers.authorization?.replace(/^Bearer /, '') ?? ''),
    authEvents,
    opened: (ws, who) => {
      opened.push(ws);
      gate.send(ws, JSON.stringify({ type: 'hello', user: who.username }));
    },
    ended: (ws) => ended.push(ws),
    ...options,
  });
  const server = http.createServer();
  server.on('upgrade', (req, socket, head) => gate.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())), () => gate.close());
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/live`;
  return { gate, authEvents, opened, ended, url };
}

/** Opens a socket; resolves with it and its first message, or rejects with the status and body it was refused with. */
function open(url: string, headers: Record<string, string>): Promise<{ ws: WebSocket; hello: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    cleanup.push(() => ws.terminate());
    ws.once('message', (data) => resolve({ ws, hello: JSON.parse(String(data)) }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode, body })));
    });
    ws.once('error', reject);
  });
}

const refusal = (url: string, headers: Record<string, string>) =>
  open(url, headers).then(
    () => expect.fail('the gate admitted the socket'),
    (err: { status: number; body: string }) => ({ status: err.status, message: JSON.parse(err.body).error.message as string }),
  );
const closeCode = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

describe('the live gate', () => {
  it('admits a caller holding the permission from an allowed origin, and refuses the rest before the handshake', async () => {
    const { url, opened } = await gateOnServer();
    users.set('eng', principal(1, 'engineer'));
    users.set('op', principal(2, 'operator'));

    expect(await refusal(url, {})).toMatchObject({ status: 401 });
    expect(await refusal(url, { authorization: 'Bearer nope' })).toMatchObject({ status: 401 });
    expect(await refusal(url, { authorization: 'Bearer op' })).toEqual({ status: 403, message: 'Your role lacks flows:write.' });
    const foreign = await refusal(url, { authorization: 'Bearer eng', origin: 'https://evil.example' });
    expect(foreign).toMatchObject({ status: 403, message: expect.stringContaining('https://evil.example') });
    expect(opened).toHaveLength(0);

    // No Origin (not a browser), a configured one, and the server's own are fine.
    expect((await open(url, { authorization: 'Bearer eng' })).hello).toEqual({ type: 'hello', user: 'user1' });
    await open(url, { authorization: 'Bearer eng', origin: 'https://ops.example' });
    await open(url, { authorization: 'Bearer eng', origin: url.replace(/^ws/, 'http').replace(/\/live$/, '') });
    expect(opened).toHaveLength(3);
  });

  it('closes with 4401 the sockets of a user whose access changed and no longer holds, and keeps the others', async () => {
    const { url, authEvents, ended, gate } = await gateOnServer();
    users.set('demoted', principal(1, 'engineer'));
    users.set('signed-out', principal(2, 'admin'));
    users.set('kept', principal(3, 'engineer'));
    const demoted = (await open(url, { authorization: 'Bearer demoted' })).ws;
    const signedOut = (await open(url, { authorization: 'Bearer signed-out' })).ws;
    const kept = (await open(url, { authorization: 'Bearer kept' })).ws;

    const codes = Promise.all([closeCode(demoted), closeCode(signedOut)]);
    users.set('demoted', principal(1, 'operator'));
    users.delete('signed-out');
    // Only the users whose access changed are checked; user 3 would pass anyway.
    authEvents.emit('access-changed', { userId: 1 });
    authEvents.emit('access-changed', { userId: 2 });
    expect(await codes).toEqual([SIGNED_OUT_CLOSE_CODE, SIGNED_OUT_CLOSE_CODE]);
    expect(ended).toHaveLength(2);
    expect(gate.size).toBe(1);
    expect(kept.readyState).toBe(WebSocket.OPEN);

    // A closed socket ends once, however it ends.
    const keptClosed = closeCode(kept);
    kept.close();
    await keptClosed;
    await until('the gate to let go of the closed socket', () => gate.size, (n) => n === 0);
    expect(ended).toHaveLength(3);
  });

  it('ends a socket whose credentials expired at the next periodic check', async () => {
    const { url } = await gateOnServer({ recheckMs: 50 });
    users.set('expiring', principal(1, 'engineer'));
    const { ws } = await open(url, { authorization: 'Bearer expiring' });
    const code = closeCode(ws);
    users.delete('expiring');
    expect(await code).toBe(SIGNED_OUT_CLOSE_CODE);
  });

  it('skips a socket that stopped reading instead of buffering for it, and sends to it again once it caught up', async () => {
    const { url, gate, opened } = await gateOnServer({ maxBufferedBytes: 256 * 1024 });
    users.set('slow', principal(1, 'engineer'));
    const { ws } = await open(url, { authorization: 'Bearer slow' });
    const server = opened[0]!;
    let received = 0;
    ws.on('message', () => received++);
    (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();

    // The kernel's buffers take the first megabytes; after that the gate must start refusing.
    const chunk = 'x'.repeat(256 * 1024);
    let sent = 0;
    while (gate.send(server, chunk)) {
      sent++;
      expect(sent * chunk.length).toBeLessThan(256 * 1024 * 1024);
    }
    expect(server.bufferedAmount).toBeGreaterThan(256 * 1024);
    expect(gate.send(server, 'skipped too')).toBe(false);

    (ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await until('the slow socket to catch up', () => server.bufferedAmount, (n) => n <= 256 * 1024);
    expect(gate.send(server, JSON.stringify({ type: 'after' }))).toBe(true);
    await until('everything sent to arrive', () => received, (n) => n === sent + 1);
  });
});
