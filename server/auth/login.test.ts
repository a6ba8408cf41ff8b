import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ADMIN_PASSWORD, type ApiResponse, type TestServer } from '../testing/test-server.ts';
import { HashGate, type HashGateEvent } from './hash-gate.ts';
import { defaultHashParams, hashPassword } from './passwords.ts';

const login = (tw: TestServer, username: string, password: string, forwardedFor?: string) =>
  tw.request('POST', '/api/v1/auth/login', {
    body: { username, password },
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });

/** Runs `count` jobs, `parallel` at a time, and returns their results in job order. */
async function inParallel<T>(count: number, parallel: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await job(i);
      }
    }),
  );
  return results;
}

const statuses = (responses: ApiResponse[]) => {
  const out: Record<number, number> = {};
  for (const r of responses) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
};

describe('sign-in limits with the default config (X-Forwarded-For not believed)', () => {
  let tw: TestServer;
  beforeAll(async () => {
    tw = await startTestServer();
  });
  afterAll(() => tw?.close());

  it('counts every guess from this connection against one address, however X-Forwarded-For rotates', async () => {
    const ok = await login(tw, 'admin', TEST_ADMIN_PASSWORD, '203.0.113.9');
    expect(ok.status).toBe(200);
    const audit = await tw.request('GET', '/api/v1/audit?limit=1', { token: tw.adminToken });
    expect(audit.body.items[0]).toMatchObject({ action: 'auth.login', details: { from: expect.not.stringContaining('203.0.113.9') } });

    const guesses = await inParallel(60, 10, (i) => login(tw, `sprayed${i}`, 'Summer2024!', `198.51.100.${i}`));
    expect(statuses(guesses)).toEqual({ 401: 50, 429: 10 });
    const refused = guesses.find((r) => r.status === 429)!;
    expect(refused.body.error).toMatchObject({
      code: 'too_many_attempts', message: 'Too many failed sign-ins from your network address. Try again in 15 minutes.',
    });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
  });
});

describe('sign-in limits behind a trusted proxy (trustProxy: loopback)', () => {
  let tw: TestServer;
  const hashed: string[] = [];
  beforeAll(async () => {
    const hashGate = new HashGate({ observe: (e) => e.type === 'started' && hashed.push(e.label) });
    tw = await startTestServer({ config: { trustProxy: ['loopback'] }, auth: { hashGate } });
  });
  afterAll(() => tw?.close());

  it('checks 10 passwords for an account, not more, when 200 guesses from 20 addresses arrive 20 at a time', async () => {
    hashed.length = 0; // the test server's own sign-in as admin
    const guesses = await inParallel(200, 20, (i) => login(tw, i % 2 ? 'admin' : 'ADMIN', `guess-${i}`, `198.51.100.${i % 20}`));
    expect(statuses(guesses)).toEqual({ 401: 10, 429: 190 });
    expect(hashed.filter((label) => label.toLowerCase() === 'admin')).toHaveLength(10);
    // The last guess, sent when the ten failures are in: the first refusals may come while those ten are still being
    // checked, and say so ("Try again in 1 second").
    const refused = guesses.at(-1)!;
    expect(refused.status).toBe(429);
    expect(refused.body.error).toEqual({
      code: 'too_many_attempts', message: 'Too many failed sign-ins for this user. Try again in 15 minutes.',
      details: { retryAfterSeconds: expect.any(Number) },
    });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    // The right password is refused too while locked: were it let through, the lock would not stop guessing, it
    // would only tell a guesser when they were right.
    expect((await login(tw, 'admin', TEST_ADMIN_PASSWORD, '192.0.2.1')).status).toBe(429);
  });

  it('believes the forwarded address: each client behind the proxy has its own address limit', async () => {
    const guesses = await inParallel(60, 10, (i) => login(tw, `sprayed${i}`, 'Summer2024!', `203.0.113.${i}`));
    expect(statuses(guesses)).toEqual({ 401: 60 });
  });

  it('locks an account after 10 failures from any addresses, and a success before that starts the count again', async () => {
    await tw.tokenFor('operator');
    for (let i = 0; i < 9; i++) expect((await login(tw, 'operator1', 'wrong-password', `192.0.2.${i}`)).status).toBe(401);
    expect((await login(tw, 'operator1', 'operator-password-1', '192.0.2.100')).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await login(tw, 'operator1', 'wrong-password', `192.0.2.${20 + i}`)).status).toBe(401);
    const locked = await login(tw, 'operator1', 'operator-password-1', '192.0.2.200');
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('too_many_attempts');
  });
});

describe('sign-in under a flood of wrong passwords (trustProxy: loopback)', () => {
  let tw: TestServer;
  const events: HashGateEvent[] = [];
  const watchers = new Set<() => void>();
  /** Resolves once `condition` holds, checked at every gate event. */
  const until = (condition: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => condition() && (watchers.delete(check), resolve());
      watchers.add(check);
      check();
    });
  const hashGate = new HashGate({
    concurrency: 2, maxQueued: 8,
    observe: (e) => {
      events.push(e);
      for (const check of [...watchers]) check();
    },
  });
  beforeAll(async () => {
    tw = await startTestServer({ config: { trustProxy: ['loopback'] }, auth: { hashGate } });
  });
  afterAll(() => tw?.close());

  it('lets a person sign in ahead of the queued guesses, and turns guesses away with 503 when the queue is full', async () => {
    const created = await tw.request('POST', '/api/v1/users', {
      token: tw.adminToken, body: { username: 'realuser', password: 'real-user-password', role: 'operator' },
    });
    expect(created.status).toBe(201);
    const floodAddresses = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'];
    // Each flooding address has failed once, so its guesses count as suspect from here on.
    for (const address of floodAddresses) expect((await login(tw, 'warmup', 'wrong-password', address)).status).toBe(401);

    // Both hashing turns are held by the test, so what waits for which is decided by the gate alone, not by timing.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holders = [0, 1].map(() => hashGate.run(() => held, { urgent: true, label: 'held' }));

    let stop = false;
    let guess = 0;
    const flood: ApiResponse[] = [];
    const workers = floodAddresses.flatMap((address) =>
      [0, 1, 2, 3].map(async () => {
        while (!stop) flood.push(await login(tw, `guess${guess++}`, 'wrong-password', address));
      }),
    );
    await until(() => events.some((e) => e.type === 'refused'));

    const real = login(tw, 'realuser', 'real-user-password', '192.0.2.50');
    await until(() => events.some((e) => e.type === 'queued' && e.label === 'realuser'));
    release();
    const signedIn = await real;
    stop = true;
    await Promise.all([...workers, ...holders]);

    expect(signedIn.status).toBe(200);
    const queued = events.findIndex((e) => e.type === 'queued' && e.label === 'realuser');
    const started = events.findIndex((e) => e.type === 'started' && e.label === 'realuser');
    // It waited behind a full queue of guesses, yet nothing was ahead of it and no guess was hashed before it.
    expect(events[queued]).toMatchObject({ ahead: 0, waiting: 8 });
    expect(events.slice(queued, started).filter((e) => e.type === 'started')).toEqual([]);

    const busy = flood.find((r) => r.status === 503)!;
    expect(busy.body.error).toMatchObject({ code: 'sign_in_busy', message: 'The server is busy checking other sign-ins. Try again in 5 seconds.' });
    expect(busy.headers.get('retry-after')).toBe('5');
    // A guess turned away (503 busy, 429 limit) cost no hash: only the ones answered 401 were hashed.
    const floodHashes = events.filter((e) => e.type === 'started' && e.label.startsWith('guess')).length;
    expect(floodHashes).toBe(flood.filter((r) => r.status === 401).length);
    expect(new Set(flood.map((r) => r.status))).toEqual(new Set([401, 503, ...(flood.some((r) => r.status === 429) ? [429] : [])]));
  });
});

describe('password hashes with the production parameters', () => {
  let tw: TestServer;
  beforeAll(async () => {
    tw = await startTestServer({ auth: { hashParams: defaultHashParams } });
  }, 60_000);
  afterAll(() => tw?.close());

  it('upgrades a hash made with N=2^15 to N=2^17 at the next sign-in, and the password keeps working', { timeout: 60_000 }, async () => {
    const old = await hashPassword('legacy-password', { N: 1 << 15, r: 8, p: 1 });
    const t = new Date().toISOString();
    tw.app.db
      .prepare("INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES ('legacy', ?, 'operator', ?, ?)")
      .run(old, t, t);
    const stored = () => tw.app.db.prepare("SELECT password_hash FROM users WHERE username = 'legacy'").pluck().get() as string;

    expect((await login(tw, 'legacy', 'legacy-password')).status).toBe(200);
    expect(stored()).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect((await login(tw, 'legacy', 'legacy-password')).status).toBe(200);
    expect((await login(tw, 'legacy', 'not-the-password')).status).toBe(401);
  });
});
