import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );

/** scrypt's cost parameters: N (CPU and memory), r (block size), p (parallelism). Memory per hash is 128·N·r bytes. */
export interface HashParams {
  N: number;
  r: number;
  p: number;
}

/**
 * N=2^17, r=8, p=1: OWASP's minimum for scrypt (2024). Roughly half a second of one core and 128 MiB per hash on
 * a small server: slow for anyone guessing offline from a stolen database, bearable once per sign-in. Because each
 * hash takes that much memory and time, sign-ins pass a bound on concurrent hashes (`HashGate`).
 */
export const defaultHashParams: Readonly<HashParams> = Object.freeze({ N: 1 << 17, r: 8, p: 1 });

// Room for the default (128 MiB) with headroom; also the ceiling for a stored hash's parameters, so a tampered row
// with a huge N fails to verify instead of making the server allocate gigabytes.
const maxmem = 256 * 1024 * 1024;

/** Hash as `scrypt$N$r$p$salt$hash` (base64url), so parameters can be raised later without breaking old hashes. */
export async function hashPassword(password: string, params: HashParams = defaultHashParams): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32, { ...params, maxmem });
  return format(params, salt, key);
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await scrypt(password, parsed.salt, parsed.hash.length, { ...parsed.params, maxmem });
  return timingSafeEqual(key, parsed.hash);
}

/**
 * Whether a stored hash was made with weaker parameters than `params`, so it should be replaced the next time its
 * password is known (a successful sign-in). A stronger stored hash is left as it is.
 */
export function needsRehash(stored: string, params: HashParams = defaultHashParams): boolean {
  const parsed = parse(stored);
  if (!parsed) return true;
  return parsed.params.N < params.N || parsed.params.r < params.r || parsed.params.p < params.p;
}

/**
 * A well-formed hash that no password matches (its key is random, not derived), checked when the user does not exist
 * so the answer costs the same one hash with `params` as a real check. Nothing is hashed to make it, so it costs
 * nothing at import or per call.
 */
export function decoyHash(params: HashParams = defaultHashParams): string {
  return format(params, randomBytes(16), randomBytes(32));
}

/** A readable generated password: 20 characters from an unambiguous alphabet (~115 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

const format = (params: HashParams, salt: Buffer, key: Buffer) =>
  ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');

function parse(stored: string): { params: HashParams; salt: Buffer; hash: Buffer } | undefined {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return undefined;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (!Object.values(params).every((v) => Number.isSafeInteger(v) && v > 0)) return undefined;
  return { params, salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') };
}
