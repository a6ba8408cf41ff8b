import { describe, expect, it } from 'vitest';
import { decoyHash, defaultHashParams, hashPassword, needsRehash, verifyPassword } from './passwords.ts';

const cheap = { N: 1 << 10, r: 8, p: 1 };

describe('passwords', () => {
  it('hashes with N=2^17, r=8 unless told otherwise (OWASP minimum for scrypt)', () => {
    expect(defaultHashParams).toEqual({ N: 131072, r: 8, p: 1 });
  });

  it('verifies a hash by the parameters stored in it', async () => {
    const stored = await hashPassword('correct horse', cheap);
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('wrong horse', stored)).toBe(false);
    expect(await verifyPassword('correct horse', 'bcrypt$whatever')).toBe(false);
    expect(await verifyPassword('correct horse', 'scrypt$abc$8$1$c2FsdA$aGFzaA')).toBe(false);
  });

  it('asks for a new hash when the stored one is weaker than the current parameters, not when it is stronger', async () => {
    const stored = await hashPassword('correct horse', cheap);
    expect(needsRehash(stored, cheap)).toBe(false);
    expect(needsRehash(stored, { ...cheap, N: 1 << 11 })).toBe(true);
    expect(needsRehash(stored, { ...cheap, r: 16 })).toBe(true);
    expect(needsRehash(stored, { ...cheap, N: 1 << 9 })).toBe(false);
    expect(needsRehash(stored)).toBe(true);
  });

  it('makes decoys with the given parameters that no password matches', async () => {
    const decoy = decoyHash(cheap);
    expect(decoy).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(decoyHash(cheap)).not.toBe(decoy);
    expect(await verifyPassword('', decoy)).toBe(false);
  });
});
