import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../domain/auth/permissions.ts';
import { openDatabase } from '../db/database.ts';
import { SqliteSql } from '../db/sql.ts';
import { RouteTable } from '../http/route-table.ts';
import { serveRouteTable } from '../testing/route-table-server.ts';
import { startTestServer, type TestJson, type TestServer } from '../testing/test-server.ts';
import { SecretBox } from '../secrets/secret-box.ts';
import { registerNotifyRoutes } from './notify-routes.ts';
import { WebhookOutbox } from './webhook-outbox.ts';
import { nextAttempt, settlement, startWebhookReceiver, type ReceivedWebhook, type WebhookTestReceiver } from './webhook-test-receiver.ts';

// The routes on a RouteTable mounted as app.ts mounts it; the bearer token is the role (auth has its own tests).
let dir: string;
let sql: SqliteSql;
let outbox: WebhookOutbox;
let hook: WebhookTestReceiver;
let served: Awaited<ReturnType<typeof serveRouteTable>> | undefined;
let base: string;
const audits: { actor: string; action: string; target: string | null }[] = [];
/** What the receiver answers next: the tests turn it from refusing to accepting. */
let answer = 400;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-notify-routes-'));
  sql = new SqliteSql(openDatabase(path.join(dir, 'thingwire.db')));
  outbox = new WebhookOutbox(sql, new SecretBox(randomBytes(32)), pino({ level: 'silent' }), {
    backoff: { baseMs: 10, maxMs: 50 }, outbound: { allowCidrs: ['127.0.0.1/32'] },
  });
  await outbox.startDelivery();
  hook = await startWebhookReceiver(() => ({ status: answer, body: answer === 400 ? 'no such device' : 'ok' }));

  const table = new RouteTable();
  registerNotifyRoutes(table, outbox, { audit: async (actor, action, target) => void audits.push({ actor, action, target }) });
  served = await serveRouteTable(table);
  base = served.base;
});

afterAll(async () => {
  await outbox?.close();
  await sql?.close();
  await hook?.close();
  await served?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, url: string, role: Role | null = 'operator') {
  const res = await fetch(base + url, { method, headers: role ? { authorization: `Bearer ${role}` } : {} });
  return { status: res.status, body: (await res.json()) as TestJson };
}

async function send(nodeId: string, payload: unknown): Promise<string> {
  return (await outbox.enqueue({
    nodeId, url: hook.url, body: JSON.stringify(payload), headers: { Authorization: 'Bearer hook-credential-7' },
    signingKey: { ref: `node:${nodeId}`, secret: 'routes-test-secret-0123' },
  })).id;
}

describe('/notifications', () => {
  let failed: string;
  let delivered: string;

  beforeAll(async () => {
    answer = 400;
    failed = await send('alarm', { alarm: 'overheat' });
    await settlement(outbox, failed);
    answer = 200;
    delivered = await send('report', { daily: true });
    await settlement(outbox, delivered);
  });

  it('lists notifications newest first, a page at a time, filtered by state and node', async () => {
    const all = await call('GET', '/notifications');
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 2, limit: 50, offset: 0 });
    expect(all.body.items.map((n: { id: string }) => n.id)).toEqual([delivered, failed]);
    expect(all.body.items[1]).toEqual({
      id: failed, nodeId: 'alarm', url: hook.url, method: 'POST', state: 'failed', attempts: 1, maxAttempts: 8,
      nextAttemptAt: null, lastStatus: 400, lastError: 'HTTP 400 Bad Request', createdAt: expect.any(String), deliveredAt: null,
    });
    expect(all.body.items[0]).not.toHaveProperty('body');

    const page = await call('GET', '/notifications?limit=1&offset=1');
    expect(page.body).toMatchObject({ total: 2, limit: 1, offset: 1, items: [{ id: failed }] });
    expect((await call('GET', '/notifications?state=failed')).body).toMatchObject({ total: 1, items: [{ id: failed }] });
    expect((await call('GET', '/notifications?nodeId=report')).body).toMatchObject({ total: 1, items: [{ id: delivered }] });
    expect((await call('GET', '/notifications?state=lost')).status).toBe(422);
  });

  it('shows one notification with its body and every attempt to those who may change flows', async () => {
    const res = await call('GET', `/notifications/${failed}`, 'engineer');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: failed, state: 'failed', headerNames: ['Authorization'], body: '{"alarm":"overheat"}' });
    expect(res.body.attemptLog).toEqual([
      { attempt: 1, startedAt: expect.any(String), durationMs: expect.any(Number), outcome: 'failed', status: 400, error: 'HTTP 400 Bad Request', response: 'no such device' },
    ]);
    expect(JSON.stringify(res.body)).not.toContain('hook-credential-7');
  });

  it('shows an operator how a notification went, not what it carried or what came back', async () => {
    const res = await call('GET', `/notifications/${failed}`, 'operator');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: failed, state: 'failed', attempts: 1, lastStatus: 400, lastError: 'HTTP 400 Bad Request', headerNames: ['Authorization'] });
    expect(res.body).not.toHaveProperty('body');
    expect(res.body.attemptLog).toEqual([
      { attempt: 1, startedAt: expect.any(String), durationMs: expect.any(Number), outcome: 'failed', status: 400, error: 'HTTP 400 Bad Request' },
    ]);
    const text = JSON.stringify(res.body) + JSON.stringify((await call('GET', '/notifications', 'operator')).body);
    for (const hidden of ['hook-credential-7', 'overheat', 'no such device']) expect(text).not.toContain(hidden);
  });

  it('answers 404, 422 and 401 as the API does', async () => {
    const missing = await call('GET', '/notifications/00000000-0000-4000-8000-000000000000');
    expect(missing).toEqual({ status: 404, body: { error: { code: 'not_found', message: 'Notification "00000000-0000-4000-8000-000000000000" does not exist.' } } });
    expect((await call('GET', '/notifications/42')).status).toBe(422);
    expect((await call('GET', '/notifications', null)).status).toBe(401);
  });

  it('retries a failed notification for flows:write, as a new round of attempts, and audits it', async () => {
    expect((await call('POST', `/notifications/${failed}/retry`, 'operator')).status).toBe(403);

    const settled = settlement(outbox, failed);
    const res = await call('POST', `/notifications/${failed}/retry`, 'engineer');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: failed, state: 'pending', attempts: 0, lastStatus: 400 });
    expect(await settled).toMatchObject({ state: 'delivered', attempts: 1 });
    expect(audits).toEqual([{ actor: 'engineer1', action: 'notification.retry', target: failed }]);

    const detail = await call('GET', `/notifications/${failed}`);
    expect(detail.body.attemptLog.map((a: { attempt: number; outcome: string }) => [a.attempt, a.outcome])).toEqual([[1, 'failed'], [2, 'delivered']]);
  });

  it('refuses to send a delivered notification again', async () => {
    const res = await call('POST', `/notifications/${delivered}/retry`, 'engineer');
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('already_delivered');
  });
});

describe('on the platform', () => {
  // A whole server (sign-ins, roles, the configured outbound policy, Node-RED's credentials); receivers on 127.0.0.1.
  let tw: TestServer;
  let receiver: WebhookTestReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver(() => ({ status: 502, body: 'upstream said: session=admin-session-token' }));
    tw = await startTestServer({ config: { webhookAllowCidrs: ['127.0.0.1/32'] } });
  });
  afterAll(async () => {
    await tw?.close();
    await receiver?.close();
  });

  const get = async (role: Role, url: string) => (await tw.request('GET', `/api/v1${url}`, { token: await tw.tokenFor(role) })).body;

  it('shows an operator the delivery only, an engineer also the body and response, and nobody the header values', async () => {
    const { id } = await tw.app.notify.enqueue({
      nodeId: 'hook', url: receiver.url, body: '{"reading":42}', headers: { Authorization: 'Bearer platform-hook-credential' },
      signingKey: { ref: 'node:hook', secret: 'platform-hook-secret-0123' }, maxAttempts: 1,
    });
    await settlement(tw.app.notify, id);

    const operator = await get('operator', `/notifications/${id}`);
    expect(operator).toMatchObject({ id, state: 'failed', lastStatus: 502, headerNames: ['Authorization'] });
    expect(operator).not.toHaveProperty('body');
    expect(operator.attemptLog).toEqual([expect.objectContaining({ status: 502, error: 'HTTP 502 Bad Gateway' })]);
    expect(operator.attemptLog[0]).not.toHaveProperty('response');
    const seenByOperator = JSON.stringify([operator, await get('operator', '/notifications')]);
    for (const hidden of ['platform-hook-credential', 'reading', 'admin-session-token']) expect(seenByOperator).not.toContain(hidden);

    const engineer = await get('engineer', `/notifications/${id}`);
    expect(engineer).toMatchObject({ body: '{"reading":42}', attemptLog: [{ response: 'upstream said: session=admin-session-token' }] });
    expect(JSON.stringify(engineer)).not.toContain('platform-hook-credential');

    // Both answers are what the published API document says the route answers.
    const openapi = (await tw.request('GET', '/api/v1/openapi.json')).body;
    const schema = openapi.paths['/api/v1/notifications/{id}'].get.responses['200'].content['application/json'].schema;
    expect(schema.required).not.toContain('body');
    expect(schema.properties.attemptLog.items.required).not.toContain('response');
    const validate = new Ajv({ strict: false, validateFormats: false }).compile(schema);
    for (const answer of [operator, engineer]) expect(validate(answer), JSON.stringify(validate.errors)).toBe(true);
  });

  it('applies the configured allow-list and nothing more', async () => {
    const enqueue = async (url: string) =>
      (await tw.app.notify.enqueue({ nodeId: 'probe', url, body: '{}', signingKey: { ref: 'node:probe', secret: 'platform-hook-secret-0123' } })).id;
    const refused = await enqueue(`http://[::1]:${receiver.port}/hook`);
    expect(await settlement(tw.app.notify, refused)).toMatchObject({
      state: 'failed', lastError: expect.stringMatching(/^refused: webhook address ::1 is a loopback address; /),
    });
    const allowed = await enqueue(receiver.url);
    expect((await nextAttempt(tw.app.notify, allowed)).attempt.status).toBe(502);
  });

  it('keeps a notify node\'s headers out of the flow JSON, also when a version-1 node brings them in its config', async () => {
    const arrivals = receiver.requests.length;
    const node = (id: string, y: number, extra: Record<string, unknown>) => ({
      id, type: 'notify', z: 'tab', name: '', url: receiver.url, method: 'POST', body: 'payload', timeoutMs: 2000, maxAttempts: 1,
      x: 300, y, wires: [[]], ...extra,
    });
    const flows = [
      { id: 'tab', type: 'tab', label: 'hooks' },
      { id: 'fire', type: 'inject', z: 'tab', props: [{ p: 'payload' }], payload: '7', payloadType: 'num', repeat: '', once: false, x: 100, y: 40, wires: [['current', 'legacy']] },
      node('current', 40, { v: 2, credentials: { secret: 'flow-hook-secret-0123', headers: { Authorization: 'Bearer current-credential' } } }),
      node('legacy', 80, { headers: { Authorization: 'Bearer legacy-credential' }, credentials: { secret: 'flow-hook-secret-0123' } }),
    ];
    const deployed = await tw.request('POST', '/api/v1/flows', { token: await tw.tokenFor('engineer'), body: { flows } });
    expect(deployed.status).toBe(200);

    const stored = JSON.stringify(await get('operator', '/flows')) + fs.readFileSync(path.join(tw.dataDir, 'node-red', 'flows.json'), 'utf8');
    expect(stored).not.toContain('current-credential');
    expect(stored).not.toContain('legacy-credential');

    const fired = await tw.request('POST', '/api/v1/flows/inject/fire', { token: await tw.tokenFor('engineer') });
    expect(fired.status).toBe(204);
    await receiver.request(arrivals + 1);
    const sent = receiver.requests.slice(arrivals).map((r: ReceivedWebhook) => r.headers.authorization).sort();
    expect(sent).toEqual(['Bearer current-credential', 'Bearer legacy-credential']);
  });
});
