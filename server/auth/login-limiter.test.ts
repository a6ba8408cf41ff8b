import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.ts';
import { addressGroup, LoginLimiter } from './login-limiter.ts';

const minute = 60_000;

/** A limiter on a clock the test moves. */
function limiter(options: ConstructorParameters<typeof LoginLimiter>[0] = {}) {
  const clock = { now: 1_000_000 };
  return { clock, limiter: new LoginLimiter({ now: () => clock.now, ...options }) };
}

/** What `reserve` throws, or undefined when it reserved. */
function refusal(fn: () => unknown): ApiError | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
}

describe('LoginLimiter', () => {
  it('refuses the 11th failed sign-in for an account in 15 minutes, whatever the address or letter case', () => {
    const { limiter: l } = limiter();
    for (let i = 0; i < 10; i++) l.reserve(i % 2 ? 'Alice' : 'ALICE', `10.0.0.${i}`).failed();
    const err = refusal(() => l.reserve('alice', '10.0.9.9'));
    expect(err).toMatchObject({ status: 429, code: 'too_many_attempts', details: { retryAfterSeconds: 900 } });
    expect(err?.message).toBe('Too many failed sign-ins for this user. Try again in 15 minutes.');
    // Another account from the same addresses is not affected.
    expect(refusal(() => l.reserve('bob', '10.0.0.1'))).toBeUndefined();
  });

  it('counts checks still running, so parallel attempts cannot get past the limit', () => {
    const { limiter: l } = limiter();
    const running = Array.from({ length: 10 }, (_, i) => l.reserve('alice', `10.0.0.${i}`));
    expect(refusal(() => l.reserve('alice', '10.0.1.1'))).toMatchObject({ status: 429, details: { retryAfterSeconds: 1 } });
    // A check that hashed nothing (server busy) gives its place back; one that failed keeps it.
    running[0]!.cancelled();
    running[1]!.failed();
    const next = l.reserve('alice', '10.0.1.1');
    expect(refusal(() => l.reserve('alice', '10.0.1.2'))).toBeDefined();
    next.cancelled();
    for (const a of running.slice(2)) a.failed();
    // 9 failed and 1 hashed nothing: one more check, then the wait is for the oldest failure to age out.
    l.reserve('alice', '10.0.1.2').failed();
    expect(refusal(() => l.reserve('alice', '10.0.1.2'))).toMatchObject({ details: { retryAfterSeconds: 900 } });
  });

  it('lets the oldest failure age out of the sliding window and says when that is', () => {
    const { clock, limiter: l } = limiter();
    for (let i = 0; i < 10; i++) {
      l.reserve('alice', '10.0.0.1').failed();
      clock.now += minute;
    }
    // Failures at 0..9 min, now 10 min: the first leaves the window at 15 min.
    const err = refusal(() => l.reserve('alice', '10.0.0.1'));
    expect(err).toMatchObject({ details: { retryAfterSeconds: 300 } });
    expect(err?.message).toBe('Too many failed sign-ins for this user. Try again in 5 minutes.');
    clock.now += 5 * minute - 1;
    expect(refusal(() => l.reserve('alice', '10.0.0.1'))).toMatchObject({ details: { retryAfterSeconds: 1 } });
    clock.now += 1;
    l.reserve('alice', '10.0.0.1').failed();
    expect(refusal(() => l.reserve('alice', '10.0.0.1'))).toMatchObject({ details: { retryAfterSeconds: 60 } });
  });

  it('forgets the account\'s failures on a success, but not the address\'s', () => {
    const { limiter: l } = limiter({ perAddress: { attempts: 12, windowMs: 15 * minute } });
    for (let i = 0; i < 9; i++) l.reserve('alice', '10.0.0.1').failed();
    l.reserve('Alice', '10.0.0.1').succeeded();
    // The address keeps its 9 failures: 3 more use it up.
    for (let i = 0; i < 3; i++) l.reserve('mallory', '10.0.0.1').failed();
    const err = refusal(() => l.reserve('carol', '10.0.0.1'));
    expect(err?.message).toBe('Too many failed sign-ins from your network address. Try again in 15 minutes.');
    // Alice has her 10 again (9 + 10 would be over the limit had the success not cleared them).
    for (let i = 0; i < 10; i++) l.reserve('alice', '10.0.0.2').failed();
    expect(refusal(() => l.reserve('alice', '10.0.0.2'))).toBeDefined();
  });

  it('refuses the 51st failure from one address across usernames, counting IPv4-mapped and one IPv6 /64 as one address', () => {
    const { limiter: l } = limiter();
    for (let i = 0; i < 50; i++) l.reserve(`user${i}`, i % 2 ? '::ffff:192.0.2.7' : '192.0.2.7').failed();
    expect(refusal(() => l.reserve('another', '192.0.2.7'))).toMatchObject({ status: 429, details: { retryAfterSeconds: 900 } });
    expect(refusal(() => l.reserve('another', '192.0.2.8'))).toBeUndefined();

    for (let i = 0; i < 50; i++) l.reserve(`v6user${i}`, `2001:db8:1:2::${i.toString(16)}`).failed();
    expect(refusal(() => l.reserve('another', '2001:db8:1:2:ffff:1:2:3'))).toBeDefined();
    expect(refusal(() => l.reserve('another', '2001:db8:1:3::1'))).toBeUndefined();
  });

  it('marks an attempt suspect when its account or address failed recently or is being checked', () => {
    const { clock, limiter: l } = limiter();
    expect(l.reserve('alice', '10.0.0.1').suspect).toBe(false);
    const running = l.reserve('bob', '10.0.0.2');
    expect(running.suspect).toBe(false);
    const sameAccount = l.reserve('bob', '10.0.0.3');
    const sameAddress = l.reserve('carol', '10.0.0.2');
    expect([sameAccount.suspect, sameAddress.suspect]).toEqual([true, true]);
    sameAccount.cancelled();
    sameAddress.cancelled();
    running.failed();
    const later = l.reserve('BOB', '10.0.0.9');
    expect(later.suspect).toBe(true);
    later.succeeded();
    clock.now += 16 * minute;
    expect(l.reserve('dave', '10.0.0.2').suspect).toBe(false);
  });

  it('counts an attempt settled twice once', () => {
    const { limiter: l } = limiter({ perAccount: { attempts: 2, windowMs: minute } });
    const a = l.reserve('alice', '10.0.0.1');
    a.failed();
    a.failed();
    a.cancelled();
    l.reserve('alice', '10.0.0.1').cancelled();
    expect(refusal(() => l.reserve('alice', '10.0.0.1'))).toBeUndefined();
  });

  it('forgets accounts and addresses whose failures have left the window', () => {
    const { clock, limiter: l } = limiter();
    for (let i = 0; i < 500; i++) l.reserve(`user${i}`, `10.0.${i >> 8}.${i & 255}`).failed();
    expect(l.size).toEqual({ accounts: 500, addresses: 500 });
    clock.now += 16 * minute;
    l.reserve('alice', '10.9.9.9').cancelled();
    expect(l.size).toEqual({ accounts: 0, addresses: 0 });
  });
});

describe('addressGroup', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::1', '0:0:0:0::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:0db8:0001:0002:0003:0004:0005:0006', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('%s counts as %s', (address, group) => {
    expect(addressGroup(address)).toBe(group);
  });
});
