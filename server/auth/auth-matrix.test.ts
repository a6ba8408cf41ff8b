import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from '../testing/test-server.ts';
import { roleAllows, roles, type Permission, type Role } from '../../domain/auth/permissions.ts';

let tw: TestServer;
/** Per role, how it signs in: a login session token and an API token of that role, both sent as bearer tokens. */
const credentials: { role: Role; via: 'session' | 'api-token'; token: string }[] = [];

beforeAll(async () => {
  tw = await startTestServer();
  for (const role of roles) {
    const session = role === 'admin' ? (await tw.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: TEST_ADMIN_PASSWORD } })).body.token : await tw.tokenFor(role);
    const apiToken = (await tw.request('POST', '/api/v1/auth/tokens', { token: session, body: { name: `matrix-${role}`, role } })).body.token;
    credentials.push({ role, via: 'session', token: session }, { role, via: 'api-token', token: apiToken });
  }
});
afterAll(() => tw?.close());

const label = (c: { role: string; via: string } | undefined, method: string, path: string, access: string) =>
  `${c ? `${c.role} (${c.via})` : 'anonymous'} ${method} ${path} (${access})`;

/**
 * Every route of the OpenAPI document × anonymous and every role, signed in by session and by API token: anonymous
 * gets 401; a role without the route's permission gets 403 in the envelope; a role with it gets past the check
 * (whatever the handler then says about the empty request). Path parameters name things that do not exist, so
 * allowed calls change nothing.
 */
describe('auth matrix: each credential × each route', () => {
  it('enforces the permission table on every API route', async () => {
    const doc = (await tw.request('GET', '/api/v1/openapi.json')).body;
    const routes = Object.entries(doc.paths as Record<string, Record<string, { 'x-permission': string }>>)
      .flatMap(([p, methods]) => Object.entries(methods).map(([method, op]) => ({ p, method: method.toUpperCase(), access: op['x-permission'] })))
      // Logging out would end the session this test signs in with; it has its own test.
      .filter((r) => r.access !== 'public' && r.p !== '/api/v1/auth/logout');
    const families = new Set(routes.map((r) => r.p.split('/')[3]));
    expect([...families]).toEqual(expect.arrayContaining(['auth', 'users', 'audit', 'flows', 'node-types', 'products', 'devices', 'notifications', 'alerts']));

    for (const r of routes) {
      const path = r.p.replace(/\{id\}|\{version\}|\{tokenId\}/g, '999999').replace(/\{[^}]+\}/g, 'zz-missing');
      const body = ['GET', 'DELETE'].includes(r.method) ? undefined : {};
      const anonymous = await tw.request(r.method, path, { body });
      expect(anonymous.status, label(undefined, r.method, r.p, r.access)).toBe(401);
      for (const c of credentials) {
        const res = await tw.request(r.method, path, { token: c.token, body });
        const where = label(c, r.method, r.p, r.access);
        if (r.access === 'authenticated' || roleAllows(c.role, r.access as Permission)) {
          expect([401, 403], where).not.toContain(res.status);
        } else {
          expect(res.status, where).toBe(403);
          expect(res.body.error, where).toMatchObject({ code: 'forbidden', details: { permission: r.access } });
        }
      }
    }
  });

  /**
   * Node-RED's admin API (its routes in @node-red/editor-api 4.1 and the core nodes' own), with the permission our gate
   * in front of it asks for: reading takes flows:read; deploying, deleting a flow, inject and debug switches take
   * flows:write; anything else that changes the runtime takes flows:code. Past the gate Node-RED answers as it does
   * (its own 401 for its unused login, 403 for disabled diagnostics), never in our envelope.
   */
  const redRoutes: [method: string, path: string, permission: Permission][] = [
    ['GET', '/flows', 'flows:read'], ['GET', '/flows/state', 'flows:read'], ['GET', '/flow/zz-missing', 'flows:read'],
    ['GET', '/nodes', 'flows:read'], ['GET', '/nodes/node-red', 'flows:read'], ['GET', '/nodes/node-red/inject', 'flows:read'],
    ['GET', '/nodes/messages?lng=en-US', 'flows:read'], ['GET', '/context/global', 'flows:read'], ['GET', '/context/flow/zz-missing', 'flows:read'],
    ['GET', '/settings', 'flows:read'], ['GET', '/plugins', 'flows:read'], ['GET', '/diagnostics', 'flows:read'],
    ['GET', '/auth/login', 'flows:read'], ['GET', '/icons', 'flows:read'], ['GET', '/debug/view/view.html', 'flows:read'],
    ['POST', '/flows', 'flows:write'], ['POST', '/flow', 'flows:write'], ['PUT', '/flow/zz-missing', 'flows:write'],
    ['DELETE', '/flow/zz-missing', 'flows:write'], ['POST', '/inject/zz-missing', 'flows:write'],
    ['POST', '/debug/zz-missing/enable', 'flows:write'], ['POST', '/debug/enable', 'flows:write'],
    ['POST', '/flows/state', 'flows:code'], ['POST', '/nodes', 'flows:code'], ['PUT', '/nodes/zz-missing', 'flows:code'],
    ['PUT', '/nodes/zz-missing/set', 'flows:code'], ['DELETE', '/nodes/zz-missing', 'flows:code'],
    ['DELETE', '/context/global/zz-missing', 'flows:code'], ['DELETE', '/context/flow/zz-missing/key', 'flows:code'],
    ['POST', '/settings/user', 'flows:code'], ['POST', '/library/flows/zz-missing', 'flows:code'], ['POST', '/auth/revoke', 'flows:code'],
    ['POST', '/auth/token', 'flows:code'],
  ];

  it('enforces the same table on every path of Node-RED\'s admin API (/red)', async () => {
    for (const [method, path, permission] of redRoutes) {
      const send = (token?: string) =>
        fetch(`${tw.url}/red${path}`, {
          method,
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json', 'Node-RED-API-Version': 'v2' },
          ...(method === 'GET' ? {} : { body: method === 'POST' && path === '/flows' ? '{"flows":"not flows"}' : '{}' }),
        });
      const refusal = async (res: Response) => ({ status: res.status, error: ((await res.json().catch(() => ({}))) as { error?: unknown }).error });
      expect(await refusal(await send()), label(undefined, method, `/red${path}`, permission)).toMatchObject({ status: 401, error: { code: 'unauthorized' } });
      for (const c of credentials) {
        const answer = await refusal(await send(c.token));
        const where = label(c, method, `/red${path}`, permission);
        if (roleAllows(c.role, permission)) {
          const refusedByGate = [401, 403].includes(answer.status) && typeof answer.error === 'object';
          expect(refusedByGate, `${where}: ${JSON.stringify(answer)}`).toBe(false);
        } else {
          expect(answer, where).toMatchObject({ status: 403, error: { code: 'forbidden', details: { permission } } });
        }
      }
    }
  });
});
