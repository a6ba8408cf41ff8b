import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from '../testing/test-server.ts';

let tw: TestServer;
beforeAll(async () => {
  tw = await startTestServer();
});
afterAll(() => tw?.close());

describe('sign-in', () => {
  it('returns a bearer token and an HttpOnly, SameSite=Strict session cookie that both work', async () => {
    const res = await tw.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: TEST_ADMIN_PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.body.token).toMatch(/^tws_/);
    expect(res.body.user).toMatchObject({ username: 'admin', role: 'admin' });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/thingwire_session=tws_/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);

    const viaBearer = await tw.request('GET', '/api/v1/auth/me', { token: res.body.token });
    expect(viaBearer.body).toMatchObject({ username: 'admin', via: 'session' });
    const viaCookie = await tw.request('GET', '/api/v1/auth/me', { headers: { cookie: cookie.split(';')[0]! } });
    expect(viaCookie.status).toBe(200);
  });

  it('refuses a wrong password with 401 in the error envelope, without saying which part was wrong', async () => {
    for (const body of [{ username: 'admin', password: 'nope' }, { username: 'ghost', password: 'nope' }]) {
      const res = await tw.request('POST', '/api/v1/auth/login', { body });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'invalid_credentials', message: 'Wrong username or password.' } });
    }
  });

  it('answers malformed JSON with 400 and a message, and the server keeps serving', async () => {
    const res = await tw.request('POST', '/api/v1/auth/login', { body: '{"username":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('malformed_json');
    expect((await tw.request('GET', '/healthz')).status).toBe(200);
  });

  it('lists every schema problem of a bad body', async () => {
    const res = await tw.request('POST', '/api/v1/auth/login', { body: { username: 5, extra: true } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['/username', '/password', '/extra']));
  });

  it('lets a user change their own password, which ends their other sessions', async () => {
    const operator = await tw.tokenFor('operator');
    const other = await tw.request('POST', '/api/v1/auth/login', { body: { username: 'operator1', password: 'operator-password-1' } });
    const wrong = await tw.request('POST', '/api/v1/auth/password', { token: operator, body: { currentPassword: 'nope', newPassword: 'a-new-password' } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('wrong_password');
    const ok = await tw.request('POST', '/api/v1/auth/password', { token: operator, body: { currentPassword: 'operator-password-1', newPassword: 'a-new-password' } });
    expect(ok.status).toBe(204);
    const me = await tw.request('GET', '/api/v1/auth/me', { token: operator });
    expect(me.status).toBe(200);
    // What the UI uses to offer only the buttons this role may use.
    expect(me.body.permissions).toContain('alerts:ack');
    expect(me.body.permissions).not.toContain('products:write');
    expect((await tw.request('GET', '/api/v1/auth/me', { token: other.body.token })).status).toBe(401);
    const login = await tw.request('POST', '/api/v1/auth/login', { body: { username: 'operator1', password: 'a-new-password' } });
    expect(login.status).toBe(200);
    await tw.request('POST', '/api/v1/auth/password', { token: operator, body: { currentPassword: 'a-new-password', newPassword: 'operator-password-1' } });
  });

  it('keeps each user\'s language, time zone and theme, refuses an unknown time zone, and audits the change', async () => {
    const operator = await tw.tokenFor('operator');
    expect((await tw.request('GET', '/api/v1/auth/me', { token: operator })).body.preferences).toEqual({ locale: null, timeZone: null, theme: 'system' });
    const prefs = { locale: 'zh-CN', timeZone: 'Asia/Shanghai', theme: 'dark' };
    const saved = await tw.request('PUT', '/api/v1/auth/me/preferences', { token: operator, body: prefs });
    expect(saved.status).toBe(200);
    expect((await tw.request('GET', '/api/v1/auth/me', { token: operator })).body.preferences).toEqual(prefs);
    // Another user's choices are their own.
    expect((await tw.request('GET', '/api/v1/auth/me', { token: tw.adminToken })).body.preferences.locale).toBeNull();

    const badZone = await tw.request('PUT', '/api/v1/auth/me/preferences', { token: operator, body: { ...prefs, timeZone: 'Mars/Olympus' } });
    expect(badZone.status).toBe(422);
    expect(badZone.body.error.details).toEqual([{ path: '/timeZone', message: 'unknown time zone' }]);
    const badLocale = await tw.request('PUT', '/api/v1/auth/me/preferences', { token: operator, body: { ...prefs, locale: 'fr' } });
    expect(badLocale.status).toBe(422);
    expect((await tw.request('GET', '/api/v1/auth/me', { token: operator })).body.preferences).toEqual(prefs);

    const audit = await tw.request('GET', '/api/v1/audit', { token: tw.adminToken });
    expect(audit.body.items.find((a: { action: string }) => a.action === 'auth.preferences')).toMatchObject({ actor: 'operator1', target: 'operator1' });
  });

  it('ends a session on logout', async () => {
    const login = await tw.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: TEST_ADMIN_PASSWORD } });
    expect((await tw.request('POST', '/api/v1/auth/logout', { token: login.body.token })).status).toBe(204);
    expect((await tw.request('GET', '/api/v1/auth/me', { token: login.body.token })).status).toBe(401);
  });

  it('refuses a cookie-authenticated write from a foreign origin (CSRF)', async () => {
    const login = await tw.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: TEST_ADMIN_PASSWORD } });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const res = await tw.request('POST', '/api/v1/auth/tokens', { body: { name: 'x' }, headers: { cookie, origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('cross_origin_refused');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('API tokens for scripts', () => {
  it('creates a token shown once, which authenticates until revoked', async () => {
    const created = await tw.request('POST', '/api/v1/auth/tokens', { token: tw.adminToken, body: { name: 'ci deploy', role: 'engineer' } });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^twt_/);
    const me = await tw.request('GET', '/api/v1/auth/me', { token: created.body.token });
    expect(me.body).toMatchObject({ username: 'admin', role: 'engineer', via: 'api-token' });
    // An engineer-scoped token cannot manage users even though its owner is an admin.
    expect((await tw.request('GET', '/api/v1/users', { token: created.body.token })).status).toBe(403);

    const list = await tw.request('GET', '/api/v1/auth/tokens', { token: tw.adminToken });
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    expect(list.body.items.find((t: { id: number }) => t.id === created.body.id).lastUsedAt).not.toBeNull();

    expect((await tw.request('DELETE', `/api/v1/auth/tokens/${created.body.id}`, { token: tw.adminToken })).status).toBe(204);
    expect((await tw.request('GET', '/api/v1/auth/me', { token: created.body.token })).status).toBe(401);
  });

  it('does not let an operator mint an admin token', async () => {
    const res = await tw.request('POST', '/api/v1/auth/tokens', { token: await tw.tokenFor('operator'), body: { name: 'up', role: 'admin' } });
    expect(res.status).toBe(403);
  });
});

describe('users (admin only)', () => {
  it('admins manage users; engineers and operators get 403; a disabled user cannot sign in', async () => {
    for (const role of ['engineer', 'operator'] as const) {
      const res = await tw.request('GET', '/api/v1/users', { token: await tw.tokenFor(role) });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    const created = await tw.request('POST', '/api/v1/users', { token: tw.adminToken, body: { username: 'temp', password: 'temporary-pass', role: 'operator' } });
    expect(created.status).toBe(201);
    expect(created.body).not.toHaveProperty('password_hash');
    const weak = await tw.request('POST', '/api/v1/users', { token: tw.adminToken, body: { username: 'weak', password: 'short', role: 'operator' } });
    expect(weak.status).toBe(422);
    await tw.request('PATCH', `/api/v1/users/${created.body.id}`, { token: tw.adminToken, body: { disabled: true } });
    const login = await tw.request('POST', '/api/v1/auth/login', { body: { username: 'temp', password: 'temporary-pass' } });
    expect(login.status).toBe(401);
    const audit = await tw.request('GET', '/api/v1/audit', { token: tw.adminToken });
    expect(audit.body.items.map((a: { action: string }) => a.action)).toEqual(expect.arrayContaining(['user.create', 'user.update']));
  });

  it('keeps one enabled admin: demoting or disabling the last one is refused with a reason, a second admin may be', async () => {
    const me = await tw.request('GET', '/api/v1/auth/me', { token: tw.adminToken });
    for (const body of [{ role: 'engineer' }, { disabled: true }]) {
      const res = await tw.request('PATCH', `/api/v1/users/${me.body.id}`, { token: tw.adminToken, body });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('last_admin');
      expect(res.body.error.message).toMatch(/only enabled admin: make another user an admin first/);
    }
    expect((await tw.request('GET', '/api/v1/auth/me', { token: tw.adminToken })).body.role).toBe('admin');
    const second = await tw.request('POST', '/api/v1/users', { token: tw.adminToken, body: { username: 'admin2', password: 'second-admin-pass', role: 'admin' } });
    expect((await tw.request('PATCH', `/api/v1/users/${second.body.id}`, { token: tw.adminToken, body: { role: 'operator' } })).status).toBe(200);
    // Back to one admin: deleting is refused for yourself already, demoting yourself again for being the last.
    expect((await tw.request('PATCH', `/api/v1/users/${me.body.id}`, { token: tw.adminToken, body: { role: 'operator' } })).status).toBe(409);
  });

  it('stores passwords only as scrypt hashes', async () => {
    const hashes = tw.app.db.prepare('SELECT password_hash FROM users').pluck().all() as string[];
    for (const h of hashes) expect(h).toMatch(/^scrypt\$/);
    expect(hashes.join()).not.toContain(TEST_ADMIN_PASSWORD);
  });
});

describe('every API route checks its permission', () => {
  it('answers 401 with the envelope for each route when no credentials are sent', async () => {
    const doc = (await tw.request('GET', '/api/v1/openapi.json')).body;
    const routes = Object.entries(doc.paths as Record<string, Record<string, { 'x-permission': string }>>)
      .flatMap(([p, methods]) => Object.entries(methods).map(([m, op]) => ({ path: p.replace(/\{[^}]+\}/g, '1'), method: m, access: op['x-permission'] })))
      .filter((r) => r.access !== 'public');
    expect(routes.length).toBeGreaterThan(10);
    for (const r of routes) {
      const res = await tw.request(r.method.toUpperCase(), r.path, { body: ['get', 'delete'].includes(r.method) ? undefined : {} });
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
      const bad = await tw.request(r.method.toUpperCase(), r.path, { token: 'tws_forged', body: ['get', 'delete'].includes(r.method) ? undefined : {} });
      expect(bad.status, `${r.method} ${r.path} with a forged token`).toBe(401);
    }
  });

  it('answers unknown API paths with a 404 envelope', async () => {
    const res = await tw.request('GET', '/api/v1/nothing-here', { token: tw.adminToken });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('health, metrics, OpenAPI', () => {
  it('serves /healthz, Prometheus /metrics and the generated OpenAPI document', async () => {
    expect((await tw.request('GET', '/healthz')).body).toMatchObject({ status: 'ok' });
    const metrics = await tw.request('GET', '/metrics');
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(metrics.body).toContain('thingwire_http_requests_total');
    expect(metrics.body).toContain('thingwire_process_resident_memory_bytes');
    const doc = (await tw.request('GET', '/api/v1/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/auth/login'].post.requestBody.content['application/json'].schema.required).toEqual(['username', 'password']);
    // Paging has defaults: a client need not send it.
    const listDevices = doc.paths['/api/v1/devices'].get.parameters as { name: string; required: boolean }[];
    expect(listDevices.find((p) => p.name === 'limit')).toMatchObject({ required: false });
  });

  it('counts a failed request under the same route as a successful one', async () => {
    await tw.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'not-it' } });
    const metrics = (await tw.request('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/thingwire_http_requests_total\{method="POST",route="\/api\/v1\/auth\/login",status="401"\} \d/);
    expect(metrics).not.toContain('route="/auth/login"');
  });

  it('never sends a wildcard CORS header', async () => {
    const res = await tw.request('GET', '/api/v1/openapi.json', { headers: { origin: 'https://elsewhere.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
