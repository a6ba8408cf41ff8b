import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { roleAllows, roles, type Permission } from './permissions.ts';

let tw: TestServer;
beforeAll(async () => {
  tw = await startTestServer();
});
afterAll(() => tw?.close());

/**
 * Every route of the OpenAPI document × every role: a role without the route's permission gets 403 in the envelope;
 * a role with it gets past the check (whatever the handler then says about the empty request). Path parameters name
 * things that do not exist, so allowed calls change nothing.
 */
describe('auth matrix: each role × each route', () => {
  it('enforces the permission table on every route', async () => {
    const doc = (await tw.request('GET', '/api/v1/openapi.json')).body;
    const routes = Object.entries(doc.paths as Record<string, Record<string, { 'x-permission': string }>>)
      .flatMap(([p, methods]) => Object.entries(methods).map(([method, op]) => ({ p, method, access: op['x-permission'] })))
      // Logging out would end the session this test signs in with; it has its own test.
      .filter((r) => r.access !== 'public' && r.access !== 'authenticated' && r.p !== '/api/v1/auth/logout');
    const families = new Set(routes.map((r) => r.p.split('/')[3]));
    expect([...families]).toEqual(expect.arrayContaining(['auth', 'users', 'audit', 'flows', 'node-types', 'products', 'devices']));

    for (const role of roles) {
      const token = await tw.tokenFor(role);
      for (const r of routes) {
        const path = r.p.replace(/\{id\}|\{version\}/g, '999999').replace(/\{[^}]+\}/g, 'zz-missing');
        const res = await tw.request(r.method.toUpperCase(), path, { token, body: ['get', 'delete'].includes(r.method) ? undefined : {} });
        const label = `${role} ${r.method.toUpperCase()} ${r.p} (${r.access})`;
        if (roleAllows(role, r.access as Permission)) {
          expect([401, 403], label).not.toContain(res.status);
        } else {
          expect(res.status, label).toBe(403);
          expect(res.body.error, label).toMatchObject({ code: 'forbidden', details: { permission: r.access } });
        }
      }
    }
  });
});
