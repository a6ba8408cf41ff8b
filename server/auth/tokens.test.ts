import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

let tw: TestServer;
beforeAll(async () => {
  tw = await startTestServer();
});
afterAll(() => tw?.close());

let serial = 0;
/** A new user signed in: its id, session token and password. */
async function user(role: 'admin' | 'engineer' | 'operator') {
  const username = `tok-${role}-${++serial}`;
  const password = `${username}-password`;
  const created = await tw.request('POST', '/api/v1/users', { token: tw.adminToken, body: { username, password, role } });
  expect(created.status).toBe(201);
  const session = (await tw.request('POST', '/api/v1/auth/login', { body: { username, password } })).body.token as string;
  return { id: created.body.id as number, username, password, session };
}
const apiToken = async (session: string, role: string) => {
  const res = await tw.request('POST', '/api/v1/auth/tokens', { token: session, body: { name: `t${++serial}`, role } });
  expect(res.status).toBe(201);
  return res.body as { token: string; id: number };
};
const me = (token: string) => tw.request('GET', '/api/v1/auth/me', { token });

describe('API tokens follow their owner', () => {
  it('acts with the lower of the token\'s and the owner\'s current role: a demoted admin\'s old token cannot make admins', async () => {
    const formerAdmin = await user('admin');
    const { token } = await apiToken(formerAdmin.session, 'admin');
    expect((await tw.request('PATCH', `/api/v1/users/${formerAdmin.id}`, { token: tw.adminToken, body: { role: 'operator' } })).status).toBe(200);
    const attempt = await tw.request('POST', '/api/v1/users', { token, body: { username: 'sneaky', password: 'sneaky-password', role: 'admin' } });
    expect(attempt.status).toBe(403);
    expect((await me(token)).body).toMatchObject({ role: 'operator', via: 'api-token' });
    expect((await me(token)).body.permissions).not.toContain('users:manage');
    // Promoted again, the token is an admin token again (it never said more than admin).
    await tw.request('PATCH', `/api/v1/users/${formerAdmin.id}`, { token: tw.adminToken, body: { role: 'admin' } });
    expect((await me(token)).body.role).toBe('admin');
  });

  it('stops working at once when its owner is disabled, and stays revoked after they are enabled again', async () => {
    const someone = await user('engineer');
    const { token } = await apiToken(someone.session, 'engineer');
    await tw.request('PATCH', `/api/v1/users/${someone.id}`, { token: tw.adminToken, body: { disabled: true } });
    expect((await me(token)).status).toBe(401);
    await tw.request('PATCH', `/api/v1/users/${someone.id}`, { token: tw.adminToken, body: { disabled: false } });
    expect((await me(token)).status).toBe(401);
    expect((await me(someone.session)).status).toBe(401);
  });

  it('ends other sessions and the tokens on a password change, unless the tokens are asked to be kept', async () => {
    const someone = await user('engineer');
    const other = (await tw.request('POST', '/api/v1/auth/login', { body: { username: someone.username, password: someone.password } })).body.token;
    const first = await apiToken(someone.session, 'operator');
    const change = (currentPassword: string, newPassword: string, extra: object = {}) =>
      tw.request('POST', '/api/v1/auth/password', { token: someone.session, body: { currentPassword, newPassword, ...extra } });
    expect((await change(someone.password, 'second-password-1')).status).toBe(204);
    expect((await me(first.token)).status).toBe(401);
    expect((await me(other)).status).toBe(401);
    expect((await me(someone.session)).status).toBe(200);

    const kept = await apiToken(someone.session, 'operator');
    expect((await change('second-password-1', 'third-password-1', { revokeTokens: false })).status).toBe(204);
    expect((await me(kept.token)).status).toBe(200);
  });

  it('counts wrong current passwords against the sign-in limit, so a stolen session cannot guess the password', async () => {
    const someone = await user('operator');
    const guess = (currentPassword: string) =>
      tw.request('POST', '/api/v1/auth/password', { token: someone.session, body: { currentPassword, newPassword: 'guessed-password-1' } });
    const answers = [];
    for (let i = 0; i < 11; i++) answers.push((await guess(`guess-${i}-password`)).status);
    expect(answers).toEqual([...Array(10).fill(403), 429]);
    expect((await guess(someone.password)).status).toBe(429);
  });

  it('ends sessions and tokens when an admin resets the password', async () => {
    const someone = await user('operator');
    const { token } = await apiToken(someone.session, 'operator');
    expect((await tw.request('PATCH', `/api/v1/users/${someone.id}`, { token: tw.adminToken, body: { password: 'reset-by-admin-1' } })).status).toBe(200);
    expect((await me(token)).status).toBe(401);
    expect((await me(someone.session)).status).toBe(401);
  });

  it('lets admins list and revoke anyone\'s tokens, audited, and only admins', async () => {
    const someone = await user('engineer');
    const { token, id } = await apiToken(someone.session, 'engineer');
    const listed = await tw.request('GET', `/api/v1/users/${someone.id}/tokens`, { token: tw.adminToken });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ id, role: 'engineer', lastUsedAt: null })]);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect((await tw.request('GET', `/api/v1/users/${someone.id}/tokens`, { token: someone.session })).status).toBe(403);

    expect((await tw.request('DELETE', `/api/v1/users/${someone.id}/tokens/${id}`, { token: tw.adminToken })).status).toBe(204);
    expect((await me(token)).status).toBe(401);
    expect((await tw.request('DELETE', `/api/v1/users/${someone.id}/tokens/${id}`, { token: tw.adminToken })).status).toBe(404);

    const audit = (await tw.request('GET', '/api/v1/audit?limit=50', { token: tw.adminToken })).body.items as { actor: string; action: string; details: unknown }[];
    expect(audit).toEqual(expect.arrayContaining([
      expect.objectContaining({ actor: someone.username, action: 'token.create', details: expect.objectContaining({ id, role: 'engineer' }) }),
      expect.objectContaining({ actor: 'admin', action: 'token.revoke', details: { id, owner: someone.username } }),
    ]));
  });
});

describe('live sockets end with their session', () => {
  const open = (path: string, token: string) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`${tw.url.replace('http', 'ws')}${path}?access_token=${token}`);
      ws.once('message', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  const closed = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

  it('closes /api/v1/live and /api/v1/live/devices when the session signs out', async () => {
    const someone = await user('operator');
    const sockets = [await open('/api/v1/live', someone.session), await open('/api/v1/live/devices', someone.session)];
    const codes = Promise.all(sockets.map(closed));
    expect((await tw.request('POST', '/api/v1/auth/logout', { token: someone.session })).status).toBe(204);
    expect(await codes).toEqual([4401, 4401]);
  });

  it('closes a token\'s socket when the token is revoked, and keeps others open', async () => {
    const someone = await user('operator');
    const revoked = await apiToken(someone.session, 'operator');
    const kept = await apiToken(someone.session, 'operator');
    const doomed = await open('/api/v1/live', revoked.token);
    const staying = await open('/api/v1/live', kept.token);
    const code = closed(doomed);
    await tw.request('DELETE', `/api/v1/auth/tokens/${revoked.id}`, { token: someone.session });
    expect(await code).toBe(4401);
    expect(staying.readyState).toBe(WebSocket.OPEN);
    staying.close();
  });
});
