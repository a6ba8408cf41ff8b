/**
 * The outbox on both registry databases (SQLite, and a real PostgreSQL) against real webhook receivers on loopback:
 * what is sent and how it is signed, retries and their timing, the refusals, what survives a restart, and delivery
 * moving between the nodes of a cluster.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migratePostgres } from '../db/migrate.ts';
import { migrations } from '../db/migrations/index.ts';
import type { Sql, SqlDialect } from '../db/sql.ts';
import { SecretBox } from '../secrets/secret-box.ts';
import { REGISTRY_DIALECTS, registryDatabases } from '../testing/registry-databases.ts';
import { testPostgres } from '../testing/test-postgres.ts';
import { until } from '../testing/until.ts';
import type { Notification } from '../../domain/notify/notify-schemas.ts';
import type { NotificationRequest } from '../../domain/notify/notify-service.ts';
import { NotifyError, WebhookOutbox, type WebhookOutboxOptions } from './webhook-outbox.ts';
import {
  closedPort, nextAttempt, settlement, startWebhookReceiver, type ReceivedWebhook, type WebhookAnswer, type WebhookTestReceiver,
} from './webhook-test-receiver.ts';

const SECRET = 'whsec-0123456789abcdef';
const silent = pino({ level: 'silent' });
const databases = registryDatabases();
const postgres = testPostgres();

/**
 * The receiver's side of the signature, written from the documented recipe (not with the outbox's own code): HMAC
 * over `timestamp.rawBody`, compared in constant time, timestamp within 5 minutes.
 */
function verifiedByRecipe(request: ReceivedWebhook, secret: string): boolean {
  const timestamp = String(request.headers['x-thingwire-timestamp']);
  const signature = String(request.headers['x-thingwire-signature']);
  const expected = 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex');
  return (
    expected.length === signature.length &&
    timingSafeEqual(Buffer.from(expected), Buffer.from(signature)) &&
    Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300
  );
}

let sql: Sql;
let key: Buffer;
let outbox: WebhookOutbox;
let receiver: WebhookTestReceiver | undefined;

/** The receivers of these tests listen on 127.0.0.1, which the outbox refuses unless it is allowed. */
const LOOPBACK_ALLOWED = { allowCidrs: ['127.0.0.1/32'] };

/** Small, deterministic backoff (the jitter pinned at its top: the full exponential wait). */
function outboxOn(on: Sql, options: WebhookOutboxOptions = {}): WebhookOutbox {
  return new WebhookOutbox(on, new SecretBox(key), silent, {
    backoff: { baseMs: 40, maxMs: 1000 }, random: () => 1, outbound: LOOPBACK_ALLOWED, ...options,
  });
}

/** An outbox that delivers, as a single node's does from its start. */
async function open(options: WebhookOutboxOptions = {}): Promise<WebhookOutbox> {
  outbox = outboxOn(sql, options);
  await outbox.startDelivery();
  return outbox;
}

/** A restart: the outbox closes, and a new one (nothing in its memory) delivers from the same database. */
async function reopen(options?: WebhookOutboxOptions): Promise<WebhookOutbox> {
  await outbox.close();
  return open(options);
}

/** Notification `id` settled by a new outbox delivering from the same database, as after a restart. */
async function settledAfterRestart(id: string): Promise<Notification> {
  await outbox.close();
  outbox = outboxOn(sql);
  // Heard from before delivery starts: its first pass may deliver it before it resolves.
  const settled = settlement(outbox, id);
  await outbox.startDelivery();
  return settled;
}

function request(url: string, overrides: Partial<NotificationRequest> = {}): NotificationRequest {
  return {
    nodeId: 'n1', url, body: JSON.stringify({ temperature: 21.5, device: 'hall' }),
    signingKey: { ref: 'node:n1', secret: SECRET }, ...overrides,
  };
}

async function enqueued(url: string, overrides?: Partial<NotificationRequest>): Promise<string> {
  return (await outbox.enqueue(request(url, overrides))).id;
}

/** How many rows `table` holds. */
async function count(table: string): Promise<number> {
  return (await sql.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))!.n;
}

async function receiver_(answer?: (request: ReceivedWebhook, n: number) => WebhookAnswer | Promise<WebhookAnswer>, port?: number) {
  receiver = await startWebhookReceiver(answer, port);
  return receiver;
}

/** Each test on an empty outbox of a database of `dialect`, with a delivering outbox open on it. */
function onDatabase(dialect: SqlDialect): void {
  beforeAll(async () => {
    sql = await databases.open(dialect);
  });
  beforeEach(async () => {
    for (const table of ['notify_attempts', 'notify_outbox', 'notify_secrets']) await sql.run(`DELETE FROM ${table}`);
    key = randomBytes(32);
    await open();
  });
  afterEach(async () => {
    await outbox.close();
    await receiver?.close();
    receiver = undefined;
  });
}

describe.each(REGISTRY_DIALECTS)('on %s', (dialect) => {
  onDatabase(dialect);

  describe('delivery', () => {
    it('POSTs the body as JSON with a signature the receiver verifies by the documented recipe', async () => {
      const hook = await receiver_();
      const body = JSON.stringify({ temperature: 21.5, note: 'naïve ✓' });
      const { id } = await outbox.enqueue(request(hook.url, { body, headers: { 'X-Tenant': 'acme' } }));
      const done = await settlement(outbox, id);

      expect(done).toMatchObject({ id, state: 'delivered', attempts: 1, lastStatus: 200, lastError: null, deliveredAt: expect.any(String) });
      expect(hook.requests).toHaveLength(1);
      const [received] = hook.requests as [ReceivedWebhook];
      expect(received.method).toBe('POST');
      expect(received.body).toBe(body);
      expect(received.headers['content-type']).toBe('application/json');
      expect(received.headers['x-tenant']).toBe('acme');
      expect(received.headers['x-thingwire-notification-id']).toBe(id);
      expect(received.headers['x-thingwire-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(verifiedByRecipe(received, SECRET)).toBe(true);
      expect(verifiedByRecipe(received, 'another-secret-of-16+')).toBe(false);
      expect(verifiedByRecipe({ ...received, body: body.replace('21.5', '99') }, SECRET)).toBe(false);

      expect((await outbox.get(id)).attemptLog).toEqual([
        { attempt: 1, startedAt: expect.any(String), durationMs: expect.any(Number), outcome: 'delivered', status: 200, error: null, response: 'ok' },
      ]);
    });

    it('keeps the signing secret sealed, once per sender, and nowhere in the outbox rows', async () => {
      const hook = await receiver_();
      const ids = [await enqueued(hook.url), await enqueued(hook.url)];
      await Promise.all(ids.map((id) => settlement(outbox, id)));
      const secrets = await sql.all<{ ref: string; sealed: string }>('SELECT ref, sealed FROM notify_secrets');
      expect(secrets.map((s) => s.ref)).toEqual(['node:n1']);
      expect(new SecretBox(key).open(secrets[0]!.sealed)).toBe(SECRET);
      const dump = JSON.stringify(await sql.all('SELECT * FROM notify_outbox')) + JSON.stringify(secrets);
      expect(dump).not.toContain(SECRET);
    });

    it('keeps the headers sealed at rest and shows their names only', async () => {
      const hook = await receiver_();
      const { id } = await outbox.enqueue(request(hook.url, { headers: { Authorization: 'Bearer hook-credential-42' } }));
      await settlement(outbox, id);
      expect(hook.requests[0]!.headers.authorization).toBe('Bearer hook-credential-42');
      expect(JSON.stringify(await sql.all('SELECT * FROM notify_outbox'))).not.toContain('hook-credential-42');
      const detail = await outbox.get(id);
      expect(detail.headerNames).toEqual(['Authorization']);
      expect(JSON.stringify(detail)).not.toContain('hook-credential-42');
    });

    it('still sends the plain headers of a notification stored before headers were sealed', async () => {
      const port = await closedPort();
      await reopen({ backoff: { baseMs: 10_000, maxMs: 10_000 } });
      const { id } = await outbox.enqueue(request(`http://127.0.0.1:${port}/hook`));
      await nextAttempt(outbox, id);
      await sql.run('UPDATE notify_outbox SET headers = ? WHERE id = ?', ['{"X-Legacy":"plain"}', id]);
      const hook = await receiver_(undefined, port);
      const delivered = settlement(outbox, id);
      await outbox.retry(id);
      expect(await delivered).toMatchObject({ state: 'delivered' });
      expect(hook.requests[0]!.headers['x-legacy']).toBe('plain');
      expect((await outbox.get(id)).headerNames).toEqual(['X-Legacy']);
    });

    it('retries 5xx with exponential backoff and delivers on the third attempt', async () => {
      const hook = await receiver_((_request, n) => (n < 2 ? { status: 500, body: 'database down' } : { status: 200 }));
      const { id } = await outbox.enqueue(request(hook.url));
      const done = await settlement(outbox, id);

      expect(done).toMatchObject({ state: 'delivered', attempts: 3, lastStatus: 200 });
      expect(hook.requests).toHaveLength(3);
      // Backoff 40 ms, then 80 ms (jitter pinned at its top); timers may fire a millisecond early.
      const [first, second, third] = hook.requests.map((r) => r.at) as [number, number, number];
      expect(second - first).toBeGreaterThanOrEqual(39);
      expect(third - second).toBeGreaterThanOrEqual(79);
      expect((await outbox.get(id)).attemptLog.map((a) => [a.attempt, a.outcome, a.status, a.error, a.response])).toEqual([
        [1, 'retry', 500, 'HTTP 500 Internal Server Error', 'database down'],
        [2, 'retry', 500, 'HTTP 500 Internal Server Error', 'database down'],
        [3, 'delivered', 200, null, null],
      ]);
      // Each attempt is signed afresh, so each carries a timestamp of its own time.
      expect(hook.requests.every((r) => verifiedByRecipe(r, SECRET))).toBe(true);
    });

    it('fails at once on a 4xx, a permanent error, and keeps the receiver\'s reason', async () => {
      const hook = await receiver_(() => ({ status: 400, body: '{"error":"unknown field temperature"}' }));
      const { id } = await outbox.enqueue(request(hook.url));
      const done = await settlement(outbox, id);

      expect(done).toMatchObject({ state: 'failed', attempts: 1, lastStatus: 400, lastError: 'HTTP 400 Bad Request', nextAttemptAt: null });
      expect((await outbox.get(id)).attemptLog).toMatchObject([{ outcome: 'failed', response: '{"error":"unknown field temperature"}' }]);
      expect(await outbox.stats()).toEqual({ pending: 0, inFlight: 0 });
      expect(hook.requests).toHaveLength(1);
    });

    it.each([
      [408, 'retry'],
      [429, 'retry'],
      [503, 'retry'],
      [401, 'failed'],
      [404, 'failed'],
      [410, 'failed'],
    ] as const)('treats %i as %s', async (status, outcome) => {
      const hook = await receiver_(() => ({ status }));
      const { id } = await outbox.enqueue(request(hook.url));
      const { attempt } = await nextAttempt(outbox, id);
      expect(attempt).toMatchObject({ status, outcome });
    });

    it('does not follow a redirect: the POST would go somewhere nobody configured', async () => {
      const hook = await receiver_((_request, n) => (n === 0 ? { status: 301, headers: { location: '/moved' } } : { status: 200 }));
      const { id } = await outbox.enqueue(request(hook.url));
      const done = await settlement(outbox, id);
      expect(done.state).toBe('failed');
      expect(done.lastError).toMatch(/^HTTP 301 Moved Permanently: redirects are not followed \(to \/moved\)/);
      expect(hook.requests).toHaveLength(1);
    });

    it('retries an attempt that times out', async () => {
      const hook = await receiver_((_request, n) => (n === 0 ? new Promise<WebhookAnswer>(() => {}) : { status: 204 }));
      const { id } = await outbox.enqueue(request(hook.url, { timeoutMs: 200 }));
      const done = await settlement(outbox, id);

      expect(done).toMatchObject({ state: 'delivered', attempts: 2, lastStatus: 204 });
      const [timedOut] = (await outbox.get(id)).attemptLog;
      expect(timedOut).toMatchObject({ outcome: 'retry', status: null, error: 'no response within 200 ms' });
      expect(timedOut!.durationMs).toBeGreaterThanOrEqual(190);
    });

    it('gives up after maxAttempts and says so', async () => {
      const hook = await receiver_(() => ({ status: 503 }));
      const { id } = await outbox.enqueue(request(hook.url, { maxAttempts: 3 }));
      const done = await settlement(outbox, id);

      expect(done).toMatchObject({ state: 'failed', attempts: 3, lastStatus: 503 });
      expect(done.lastError).toBe('HTTP 503 Service Unavailable; gave up after 3 attempts');
      expect((await outbox.get(id)).attemptLog.map((a) => a.outcome)).toEqual(['retry', 'retry', 'failed']);
      expect(hook.requests).toHaveLength(3);
    });

    it('waits at least as long as a Retry-After asks', async () => {
      const hook = await receiver_(() => ({ status: 429, headers: { 'retry-after': '1' } }));
      const { id } = await outbox.enqueue(request(hook.url));
      const { notification, attempt } = await nextAttempt(outbox, id);
      const waited = Date.parse(notification.nextAttemptAt!) - Date.parse(attempt.startedAt);
      expect(waited).toBeGreaterThanOrEqual(1000);
    });

    it('keeps at most 4 attempts in flight', async () => {
      const release: (() => void)[] = [];
      const openAtArrival: number[] = [];
      let openRequests = 0;
      const hook = await receiver_(() => {
        openAtArrival.push(++openRequests);
        return new Promise<WebhookAnswer>((resolve) => release.push(() => (openRequests--, resolve({ status: 200 }))));
      });
      const ids = await Promise.all(Array.from({ length: 6 }, () => enqueued(hook.url)));
      const all = Promise.all(ids.map((id) => settlement(outbox, id)));

      await hook.request(3);
      expect(await outbox.stats()).toEqual({ pending: 6, inFlight: 4 });
      // A slot frees up only when a receiver answers: release one at a time and see the next arrive.
      for (let n = 4; n < 6; n++) {
        release.shift()!();
        await hook.request(n);
      }
      for (const answer of release.splice(0)) answer();
      expect((await all).map((n) => n.state)).toEqual(Array(6).fill('delivered'));
      expect(Math.max(...openAtArrival)).toBe(4);
    });
  });

  describe('durability', () => {
    it('keeps a notification pending while the receiver is down and delivers it after a restart', async () => {
      const port = await closedPort();
      await reopen({ backoff: { baseMs: 200, maxMs: 1000 } });
      const id = await enqueued(`http://127.0.0.1:${port}/hook`);
      const { notification, attempt } = await nextAttempt(outbox, id);
      expect(attempt).toMatchObject({ outcome: 'retry', status: null, error: expect.stringMatching(/^no connection: .*ECONNREFUSED/) });
      expect(notification).toMatchObject({ state: 'pending', attempts: 1 });
      expect(Date.parse(notification.nextAttemptAt!)).toBeGreaterThan(Date.parse(attempt.startedAt));

      // A stop. Then the receiver comes up, and the platform starts again.
      await outbox.close();
      const hook = await receiver_(undefined, port);
      const done = await settledAfterRestart(id);

      expect(done).toMatchObject({ state: 'delivered', attempts: 2 });
      expect((await outbox.get(id)).attemptLog.map((a) => a.outcome)).toEqual(['retry', 'delivered']);
      // Signed with the secret sealed before the restart.
      expect(verifiedByRecipe(hook.requests[0]!, SECRET)).toBe(true);
    });

    it('interrupts an attempt in flight on close without counting it, and sends it first after the restart', async () => {
      const hook = await receiver_((_request, n) => (n === 0 ? new Promise<WebhookAnswer>(() => {}) : { status: 200 }));
      const { id } = await outbox.enqueue(request(hook.url, { timeoutMs: 60_000 }));
      await hook.request(0);
      await outbox.close();

      const detail = await outbox.get(id);
      expect(detail).toMatchObject({ state: 'pending', attempts: 0 });
      expect(detail.attemptLog).toMatchObject([{ attempt: 1, outcome: 'interrupted', status: null }]);
      await expect(outbox.enqueue(request(hook.url))).rejects.toMatchObject({ code: 'outbox_closed' });

      expect(await settledAfterRestart(id)).toMatchObject({ state: 'delivered', attempts: 1 });
      expect((await outbox.get(id)).attemptLog.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'interrupted'], [2, 'delivered']]);
    });

    it('signs waiting notifications with the sender\'s current secret after it changes', async () => {
      const port = await closedPort();
      const dead = `http://127.0.0.1:${port}/hook`;
      await reopen({ backoff: { baseMs: 10_000, maxMs: 10_000 } });
      const first = await enqueued(dead);
      await nextAttempt(outbox, first);
      const rotated = 'whsec-rotated-fedcba9876543210';
      const second = await enqueued(dead, { signingKey: { ref: 'node:n1', secret: rotated } });
      await nextAttempt(outbox, second);

      const hook = await receiver_(undefined, port);
      // Retrying a pending notification skips the rest of its backoff.
      const settled = Promise.all([settlement(outbox, first), settlement(outbox, second)]);
      for (const id of [first, second]) await outbox.retry(id);
      await settled;
      expect(hook.requests.map((r) => verifiedByRecipe(r, rotated))).toEqual([true, true]);
    });

    it('deletes settled notifications past the retention, then stores a sender\'s secret again when it next sends', async () => {
      const hook = await receiver_();
      const first = await enqueued(hook.url);
      await settlement(outbox, first);
      await reopen({ retentionMs: 0 });
      // The sweep runs as delivery starts; the secrets go last.
      await until('the sweep', () => count('notify_secrets'), (n) => n === 0, 5000);
      expect((await outbox.list({}, { limit: 10, offset: 0 })).total).toBe(0);
      expect(await count('notify_attempts')).toBe(0);

      const second = await enqueued(hook.url);
      expect(await settlement(outbox, second)).toMatchObject({ state: 'delivered' });
    });
  });

  describe('beside another node', () => {
    it('delivers what a node that does not deliver enqueued: at once when woken, and by its poll without a wake', async () => {
      const hook = await receiver_();
      const other = outboxOn(sql);
      // Started: what was due has been started, and the next look at the table is a minute away.
      await reopen({ pollMs: 60_000 });
      // What the app does across a cluster: the enqueueing node's event wakes the delivering one.
      const wake = () => outbox.wake();
      other.events.on('queued', wake);
      const woken = (await other.enqueue(request(hook.url))).id;
      expect(await settlement(outbox, woken)).toMatchObject({ state: 'delivered', attempts: 1 });

      // The event lost: the poll finds it.
      other.events.off('queued', wake);
      await reopen({ pollMs: 50 });
      const polled = (await other.enqueue(request(hook.url))).id;
      expect(await settlement(outbox, polled)).toMatchObject({ state: 'delivered', attempts: 1 });
      expect(hook.requests.map((r) => r.headers['x-thingwire-notification-id'])).toEqual([woken, polled]);
      await other.close();
    });

    it('tells the sending node of the outcome when another node delivered it', async () => {
      const hook = await receiver_();
      const other = outboxOn(sql);
      other.events.on('queued', () => outbox.wake());
      // What the app does across a cluster: the delivering node's outcomes go to the others.
      outbox.events.on('notify.outcome', (outcome) => other.followOutcome(outcome));
      const heard: string[] = [];
      other.subscribe(request(hook.url).nodeId!, (outcome) => heard.push(`${outcome.id} ${outcome.state}`));
      const id = (await other.enqueue(request(hook.url))).id;
      await until('the outcome heard on the sending node', () => heard, (h) => h.length === 1, 5000);
      expect(heard).toEqual([`${id} delivered`]);
      await other.close();
    });

    it('lists, shows and retries from a node that does not deliver', async () => {
      let answer = 400;
      const hook = await receiver_(() => ({ status: answer }));
      const other = outboxOn(sql);
      other.events.on('queued', () => outbox.wake());
      const id = (await other.enqueue(request(hook.url))).id;
      expect(await settlement(outbox, id)).toMatchObject({ state: 'failed', lastStatus: 400 });
      expect(await other.list({ state: 'failed' }, { limit: 10, offset: 0 })).toMatchObject({ total: 1, items: [{ id }] });
      expect((await other.get(id)).attemptLog).toMatchObject([{ attempt: 1, outcome: 'failed', status: 400 }]);

      answer = 200;
      const delivered = settlement(outbox, id);
      expect(await other.retry(id)).toMatchObject({ state: 'pending', attempts: 0 });
      expect(await delivered).toMatchObject({ state: 'delivered', attempts: 1 });
      expect(await other.stats()).toEqual({ pending: 0, inFlight: 0 });
      await other.close();
    });

    it('keeps a notification delivered when a node that lost the lead records its attempt late', async () => {
      const release: ((answer: WebhookAnswer) => void)[] = [];
      const hook = await receiver_((_request, n) => (n === 0 ? new Promise<WebhookAnswer>((resolve) => release.push(resolve)) : { status: 200 }));
      const id = await enqueued(hook.url, { timeoutMs: 60_000 });
      await hook.request(0);
      // Another node delivers it meanwhile: the two overlap until the first notices it no longer leads.
      const other = outboxOn(sql);
      const delivered = settlement(other, id);
      await other.startDelivery();
      expect(await delivered).toMatchObject({ state: 'delivered', attempts: 1 });

      const outcomes: string[] = [];
      for (const event of ['delivered', 'failed'] as const) outbox.events.on(event, () => outcomes.push(event));
      const late = nextAttempt(outbox, id);
      release[0]!({ status: 503 });
      const { notification, attempt } = await late;
      expect(attempt).toMatchObject({ attempt: 2, outcome: 'retry', status: 503 });
      expect(notification).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 200 });
      expect(outcomes).toEqual([]);
      await other.close();
    });

    it('stores a sender\'s secret again after the delivering node\'s sweep deleted it', async () => {
      const hook = await receiver_();
      const other = outboxOn(sql);
      other.events.on('queued', () => outbox.wake());
      await settlement(outbox, (await other.enqueue(request(hook.url))).id);
      // Its sweep deletes the notification and then the secret no notification refers to, which the other node
      // remembers having stored.
      await reopen({ retentionMs: 0 });
      await until('the sweep', () => count('notify_secrets'), (n) => n === 0, 5000);

      const again = (await other.enqueue(request(hook.url))).id;
      expect(await settlement(outbox, again)).toMatchObject({ state: 'delivered' });
      expect(verifiedByRecipe(hook.requests[1]!, SECRET)).toBe(true);
      await other.close();
    });
  });

  describe('enqueue', () => {
    it.each([
      ['an ftp URL', { url: 'ftp://example.com/hook' }, 'invalid_notification', 'URL must be http:// or https://, not ftp://'],
      ['a URL with a password', { url: 'https://user:pw@example.com/hook' }, 'invalid_notification', 'URL must not contain a user name or password; send credentials in a header'],
      ['not a URL', { url: 'http://exa mple' }, 'invalid_notification', 'URL "http://exa mple" is not a valid address'],
      ['a reserved header', { headers: { 'content-type': 'text/plain' } }, 'invalid_notification', 'header content-type is set by Thingwire itself'],
      ['a signature header', { headers: { 'X-Thingwire-Signature': 'x' } }, 'invalid_notification', 'header X-Thingwire-Signature is set by Thingwire itself'],
      ['a header with a newline', { headers: { 'X-A': 'a\r\nX-B: b' } }, 'invalid_notification', 'header X-A must be text on one line'],
      ['a body that is not JSON', { body: 'temperature=21' }, 'invalid_notification', 'the body must be JSON text: it is sent as application/json'],
      ['a timeout out of range', { timeoutMs: 10 }, 'invalid_notification', 'timeout must be 100 to 60000 ms'],
      ['no secret', { signingKey: { ref: 'node:n1', secret: '' } }, 'invalid_notification', 'a signing secret is required'],
    ] as const)('refuses %s', async (_what, overrides, code, message) => {
      await expect(outbox.enqueue(request('http://127.0.0.1:8080/hook', overrides as Partial<NotificationRequest>)))
        .rejects.toMatchObject({ code, message });
      expect((await outbox.stats()).pending).toBe(0);
    });

    it('refuses a body over the limit with 413', async () => {
      await reopen({ maxBodyBytes: 100 });
      const error: unknown = await outbox.enqueue(request('http://127.0.0.1:8080/hook', { body: JSON.stringify('x'.repeat(200)) }))
        .catch((err: unknown) => err);
      expect(error).toBeInstanceOf(NotifyError);
      expect(error).toMatchObject({ status: 413, code: 'body_too_large' });
    });

    it('refuses new notifications while the outbox holds maxPending, so a dead receiver cannot fill the disk', async () => {
      const port = await closedPort();
      await reopen({ maxPending: 2, backoff: { baseMs: 10_000, maxMs: 10_000 } });
      const dead = `http://127.0.0.1:${port}/hook`;
      await enqueued(dead);
      await enqueued(dead);
      await expect(outbox.enqueue(request(dead))).rejects.toMatchObject({ status: 503, code: 'outbox_full' });
    });
  });
});

describe('addresses', () => {
  onDatabase('sqlite');

  it.each([
    ['a loopback IP', (port: number) => `http://127.0.0.1:${port}/hook`, /^refused: webhook address 127\.0\.0\.1 is a loopback address; allow it with --webhook-allow-cidrs 127\.0\.0\.1\/32 or --allow-private-webhooks$/],
    ['a name resolving to loopback', (port: number) => `http://localhost:${port}/hook`, /^refused: webhook address (127\.0\.0\.1|::1) \(localhost\) is a loopback address; /],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/iam/', /^refused: webhook address 169\.254\.169\.254 is a link-local address; allow it with --webhook-allow-cidrs 169\.254\.169\.254\/32 or --allow-private-webhooks$/],
    ['IPv6 loopback', (port: number) => `http://[::1]:${port}/hook`, /^refused: webhook address ::1 is a loopback address; /],
    ['IPv4-mapped loopback', (port: number) => `http://[::ffff:127.0.0.1]:${port}/hook`, /^refused: webhook address ::ffff:7f00:1 maps to 127\.0\.0\.1, a loopback address; /],
  ] as const)('by default refuses %s, at once and for good, without sending anything', async (_what, url, error) => {
    const hook = await receiver_();
    await reopen({ outbound: undefined });
    const { id } = await outbox.enqueue(request(url(hook.port)));
    const done = await settlement(outbox, id);
    expect(done).toMatchObject({ state: 'failed', attempts: 1, lastStatus: null, nextAttemptAt: null });
    expect(done.lastError).toMatch(error);
    expect((await outbox.get(id)).attemptLog).toMatchObject([{ outcome: 'failed', status: null, response: null }]);
    expect(hook.requests).toEqual([]);
  });

  it('sends to an allow-listed range, by address and by a name resolving into it', async () => {
    const hook = await receiver_();
    await reopen({ outbound: { allowCidrs: ['127.0.0.0/30'] } });
    const ids = [await enqueued(hook.url), await enqueued(`http://localhost:${hook.port}/hook`)];
    expect((await Promise.all(ids.map((id) => settlement(outbox, id)))).map((n) => n.state)).toEqual(['delivered', 'delivered']);
    expect(hook.requests).toHaveLength(2);
  });

  it('says at deploy time which URLs it will never deliver to', async () => {
    await reopen({ outbound: undefined });
    expect(outbox.urlRefusal('http://127.0.0.1:8080/hook')).toMatch(/^refused: webhook address 127\.0\.0\.1 is a loopback address; /);
    expect(outbox.urlRefusal('http://hooks.example.com:6667/')).toMatch(/^port 6667 is on the Fetch standard's list/);
    // A name is judged by what it resolves to, at each attempt.
    expect(outbox.urlRefusal('http://localhost:8080/hook')).toBeUndefined();
    expect(outbox.urlRefusal('https://hooks.example.com/in')).toBeUndefined();
  });

  it('fails a port other protocols use at once, as fetch did', async () => {
    const { id } = await outbox.enqueue(request('http://127.0.0.1:6000/hook'));
    const done = await settlement(outbox, id);
    expect(done).toMatchObject({ state: 'failed', attempts: 1 });
    expect(done.lastError).toBe("port 6000 is on the Fetch standard's list of ports never called (it speaks another protocol); use another port");
  });
});

describe('delivery handed over on PostgreSQL', () => {
  it('resumes on the node that takes it over, each notification delivered once', async () => {
    // Two nodes, each with its own connections to one database.
    const { url, sql: first } = await postgres.connect('notify_handover');
    await migratePostgres(first, migrations);
    const second = postgres.pool(url);
    key = randomBytes(32);
    const hook = await receiver_((_request, n) => (n === 0 ? new Promise<WebhookAnswer>(() => {}) : { status: 200 }));
    const a = outboxOn(first);
    const b = outboxOn(second);
    try {
      await a.startDelivery();
      // In flight on the first node as it stops delivering (it lost the lead): recorded as interrupted, not counted.
      const interrupted = (await a.enqueue(request(hook.url, { timeoutMs: 60_000 }))).id;
      await hook.request(0);
      await a.stopDelivery();
      expect(await b.get(interrupted)).toMatchObject({ state: 'pending', attempts: 0, attemptLog: [{ attempt: 1, outcome: 'interrupted' }] });

      // Enqueued on the second node while no node delivers: committed, and waiting.
      const waiting = (await b.enqueue(request(hook.url, { body: '{"n":2}' }))).id;
      expect(await a.stats()).toEqual({ pending: 2, inFlight: 0 });

      const settled = Promise.all([settlement(b, interrupted), settlement(b, waiting)]);
      await b.startDelivery();
      expect((await settled).map((n) => n.state)).toEqual(['delivered', 'delivered']);
      await b.stopDelivery();

      const sent = (id: string) => hook.requests.filter((r) => r.headers['x-thingwire-notification-id'] === id).length;
      expect(sent(waiting)).toBe(1);
      // The interrupted attempt reached the receiver before it was cut off: receivers deduplicate by the id.
      expect(sent(interrupted)).toBe(2);
      expect((await a.get(waiting)).attemptLog.map((x) => [x.attempt, x.outcome])).toEqual([[1, 'delivered']]);
      expect((await a.get(interrupted)).attemptLog.map((x) => [x.attempt, x.outcome])).toEqual([[1, 'interrupted'], [2, 'delivered']]);
    } finally {
      await a.close();
      await b.close();
      await hook.close();
      receiver = undefined;
    }
  });
});
