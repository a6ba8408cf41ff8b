import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignMethod } from '../../domain/products/product-schemas.ts';

export type { SignMethod };

const ALGORITHMS: Readonly<Record<SignMethod, string>> = { hmacsha256: 'sha256', hmacsha1: 'sha1', hmacmd5: 'md5' };

/** Whether a device-supplied `signmethod` is one the platform can compute (allowing it is the product's decision). */
export const isSignMethod = (value: string): value is SignMethod => Object.hasOwn(ALGORITHMS, value);

/** The HMAC of `content` keyed by the device secret's UTF-8 bytes, as Alibaba's signing tools compute it. */
export const hmac = (method: SignMethod, key: string, content: string): Buffer =>
  createHmac(ALGORITHMS[method], key).update(content).digest();

/**
 * Whether `givenHex` spells `expected` in hex, either case, compared in constant time. Decoding the hex (rather than
 * lowercasing the string) gives case-insensitivity without a per-character pass; Node stops decoding at the first
 * non-hex character, so a short result exposes any invalid character.
 */
export function hexMatches(expected: Buffer, givenHex: string): boolean {
  if (givenHex.length !== expected.length * 2) return false;
  const given = Buffer.from(givenHex, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
