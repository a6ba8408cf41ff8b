import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NonceCache, parseThingsPassword, signThings, thingsSignature } from './things-sign.ts';

describe('things signature', () => {
  it('is hex(HMAC-SHA1(key, "{dn}.{nonce}.{ts}.{key}")) as RMQTT Things computes it', () => {
    const expected = createHmac('sha1', 'key').update('dn.n0nce.1700000000.key').digest('hex');
    expect(thingsSignature('dn', 'n0nce', '1700000000', 'key').toString('hex')).toBe(expected);
    expect(signThings({ productKey: 'pk', deviceName: 'dn', deviceSecret: 'key', nonce: 'n0nce', timestamp: 1700000000 }))
      .toEqual({ clientId: 'dn', username: 'pk', password: `n0nce.1700000000.${expected}` });
  });

  it('defaults to a random nonce and the current time in seconds', () => {
    const a = parseThingsPassword(signThings({ productKey: 'pk', deviceName: 'dn', deviceSecret: 'k' }).password)!;
    const b = parseThingsPassword(signThings({ productKey: 'pk', deviceName: 'dn', deviceSecret: 'k' }).password)!;
    expect(a.nonce).not.toBe(b.nonce);
    expect(Math.abs(Number(a.timestamp) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('refuses nonces the password syntax cannot carry', () => {
    expect(() => signThings({ productKey: 'pk', deviceName: 'dn', deviceSecret: 'k', nonce: 'a.b' })).toThrow(/nonce/);
    expect(() => signThings({ productKey: 'pk', deviceName: 'dn', deviceSecret: 'k', nonce: '' })).toThrow(/nonce/);
    expect(() => signThings({ productKey: 'pk', deviceName: 'dn', deviceSecret: 'k', nonce: 'x'.repeat(65) })).toThrow(/nonce/);
    expect(() => signThings({ productKey: 'pk', deviceName: 'dn', deviceSecret: 'k', timestamp: 1_700_000_000.5 })).toThrow(/seconds/);
  });
});

describe('parseThingsPassword', () => {
  it('splits nonce, timestamp and signature', () => {
    expect(parseThingsPassword('abc.1700000000.ff00')).toEqual({ nonce: 'abc', timestamp: '1700000000', signature: 'ff00' });
  });

  it.each([
    ['one dot', 'abc.ff00'],
    ['three dots', 'a.1.ff.00'],
    ['no nonce', '.1700000000.ff00'],
    ['no signature', 'abc.1700000000.'],
    ['a timestamp that is not digits', 'abc.17e8.ff00'],
    ['no timestamp', 'abc..ff00'],
    ['a nonce too long to remember', `${'n'.repeat(65)}.1.ff`],
    ['a hex alink password', 'fafd82a3d602b37fb0fa8b7892f24a477f851a14'],
  ])('refuses %s', (_, password) => {
    expect(parseThingsPassword(password)).toBeUndefined();
  });
});

describe('NonceCache', () => {
  it('refuses a nonce until it expires, then accepts it again', () => {
    const cache = new NonceCache();
    expect(cache.claim('pk/dn/n', 1_000, 0)).toBe(true);
    expect(cache.claim('pk/dn/n', 2_000, 500)).toBe(false);
    expect(cache.claim('pk/dn/n', 2_000, 1_000)).toBe(false);
    expect(cache.claim('pk/other/n', 2_000, 1_000)).toBe(true);
    expect(cache.claim('pk/dn/n', 2_001, 1_001)).toBe(true);
    expect(cache.claim('pk/dn/n', 3_000, 2_000)).toBe(false);
  });

  it('sweeps expired entries as new ones arrive, without a timer', () => {
    const cache = new NonceCache();
    for (let i = 0; i < 100; i++) cache.claim(`pk/dn/${i}`, i, 0);
    for (let i = 0; i < 100; i++) cache.claim(`pk/dn/new${i}`, 10_000, 5_000);
    expect(cache.size).toBe(100);
  });

  it('stays within its bound by forgetting the oldest nonce', () => {
    const cache = new NonceCache(3);
    for (const nonce of ['a', 'b', 'c', 'd']) expect(cache.claim(nonce, 10_000, 0)).toBe(true);
    expect(cache.size).toBe(3);
    expect(cache.claim('a', 10_000, 0)).toBe(true);
    expect(cache.claim('d', 10_000, 0)).toBe(false);
  });
});
