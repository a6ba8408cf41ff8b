import { describe, expect, it } from 'vitest';
import { SignInBans } from './sign-in-bans.ts';

describe('SignInBans', () => {
  it('bans an address after too many failures within the window, for the ban time, and says so once a minute', () => {
    let now = 1_000_000;
    const lines: unknown[] = [];
    const bans = new SignInBans({ maxFailures: 3, windowMs: 60_000, banMs: 300_000, now: () => now, logger: { info: (o: unknown) => void lines.push(o) } });
    bans.failed('10.0.0.1');
    bans.failed('10.0.0.1');
    expect(bans.banned('10.0.0.1')).toBe(false);
    bans.failed('10.0.0.1');
    expect(bans.banned('10.0.0.1')).toBe(true);
    expect(bans.banned('10.0.0.2')).toBe(false);
    for (let i = 0; i < 100; i++) bans.banned('10.0.0.1');
    expect(lines).toHaveLength(1);
    expect(bans.stats()).toMatchObject({ failures: 3, bans: 1, refusedWhileBanned: 101, bannedNow: 1 });
    now += 300_001;
    expect(bans.banned('10.0.0.1')).toBe(false);
  });

  it('forgets failures older than the window', () => {
    let now = 0;
    const bans = new SignInBans({ maxFailures: 3, windowMs: 60_000, now: () => now });
    bans.failed('a');
    bans.failed('a');
    now += 60_001;
    bans.failed('a');
    expect(bans.banned('a')).toBe(false);
  });

  it('keeps at most maxAddresses tracked, so a spray of addresses cannot grow memory', () => {
    const bans = new SignInBans({ maxFailures: 2, maxAddresses: 100 });
    for (let i = 0; i < 10_000; i++) bans.failed(`10.1.${i >> 8}.${i & 255}`);
    bans.failed('10.9.9.9');
    bans.failed('10.9.9.9');
    expect(bans.banned('10.9.9.9')).toBe(true);
    expect(bans.stats().failures).toBe(10_002);
  });
});
