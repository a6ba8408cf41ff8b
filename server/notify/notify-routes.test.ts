import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../auth/permissions.ts';
import { openDatabase, type Db } from '../db/database.ts';
import { RouteTable } from '../http/route-table.ts';
import { serveRouteTable } from '../testing/route-table-server.ts';
import { SecretBox } from '../secrets/secret-box.ts';
import { registerNotifyRoutes } from './notify-routes.ts';
import { WebhookOutbox } from './webhook-outbox.ts';
import { settlement, startWebhookReceiver, type WebhookTestReceiver } from './webhook-test-receiver.ts';

// The routes on a RouteTable mounted as app.ts mounts it; the bearer token is the role (auth has its own tests).
let dir: string;
let db: Db;
let outbox: WebhookOutbox;
let hook: WebhookTestReceiver;
let served: Awaited<ReturnType<typeof serveRouteTable>> | undefined;
let base: string;
const audits: { actor: string; action: string; target: string | null }[] = [];
/** What the receiver answers next: the tests turn it from refusing to accepting. */
let answer = 400;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-notify-routes-'));
  db = openDatabase(path.join(dir, 'thingwire.db'));
  outbox = new WebhookOutbox(db, new SecretBox(randomBytes(32)), pino({ level: 'silent' }), { backoff: { baseMs: 10, maxMs: 50 } });
  hook = await startWebhookReceiver(() => ({ status: answer, body: answer === 400 ? 'no such device' : 'ok' }));

  const table = new RouteTable();
  registerNotifyRoutes(table, outbox, { audit: (actor, action, target) => audits.push({ actor, action, target }) });
  served = await serveRouteTable(table);
  base = served.base;
});

afterAll(async () => {
  await outbox?.close();
  db?.close();
  await hook?.close();
  await served?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, url: string, role: Role | null = 'operator') {
  const res = await fetch(base + url, { method, headers: role ? { authorization: `Bearer ${role}` } : {} });
  return { status: res.status, body: (await res.json()) as any };
}

function send(nodeId: string, payload: unknown): string {
  return outbox.enqueue({
    nodeId, url: hook.url, body: JSON.stringify(payload), signingKey: { ref: `node:${nodeId}`, secret: 'routes-test-secret-0123' },
  }).id;
}

describe('/notifications', () => {
  let failed: string;
  let delivered: string;

  beforeAll(async () => {
    answer = 400;
    failed = send('alarm', { alarm: 'overheat' });
    await settlement(outbox, failed);
    answer = 200;
    delivered = send('report', { daily: true });
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

  it('shows one notification with its body and every attempt', async () => {
    const res = await call('GET', `/notifications/${failed}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: failed, state: 'failed', headers: {}, body: '{"alarm":"overheat"}' });
    expect(res.body.attemptLog).toEqual([
      { attempt: 1, startedAt: expect.any(String), durationMs: expect.any(Number), outcome: 'failed', status: 400, error: 'HTTP 400 Bad Request', response: 'no such device' },
    ]);
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
