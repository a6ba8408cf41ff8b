import { randomBytes } from 'node:crypto';
import type { MqttCredentials } from './alink-sign.ts';
import { hmac } from './hmac.ts';

/** The parts of a things password `{nonce}.{unix s}.{hex signature}`. */
export interface ThingsPassword {
  nonce: string;
  /** Unix seconds, digits as sent. */
  timestamp: string;
  signature: string;
}

/** Longest nonce remembered: bounds what one replay-cache entry costs. RMQTT Things clients send 8–32 characters. */
export const MAX_NONCE_LENGTH = 64;

const UNIX_SECONDS = /^\d{1,12}$/;

/** Splits a things password; undefined unless it has exactly two dots, a nonce, a digit timestamp and a signature. */
export function parseThingsPassword(password: string): ThingsPassword | undefined {
  const first = password.indexOf('.');
  const second = password.indexOf('.', first + 1);
  if (first < 1 || first > MAX_NONCE_LENGTH || second < 0 || password.indexOf('.', second + 1) >= 0) return undefined;
  const timestamp = password.slice(first + 1, second);
  if (!UNIX_SECONDS.test(timestamp) || second === password.length - 1) return undefined;
  return { nonce: password.slice(0, first), timestamp, signature: password.slice(second + 1) };
}

/**
 * The things signature: hex(HMAC-SHA1(key, "{dn}.{nonce}.{ts}.{key}")) with the device secret as the key. RMQTT
 * Things signed with one global key; firmware written for it works here once its key is set to the device secret.
 */
export const thingsSignature = (deviceName: string, nonce: string, timestamp: string, deviceSecret: string): Buffer =>
  hmac('hmacsha1', deviceSecret, `${deviceName}.${nonce}.${timestamp}.${deviceSecret}`);

/** What a device needs to sign in with things signing. */
export interface ThingsSignInput {
  productKey: string;
  deviceName: string;
  deviceSecret: string;
  /** Default 16 random hex characters; a nonce is accepted once per timestamp window. */
  nonce?: string;
  /** Unix seconds; default now. */
  timestamp?: number;
}

/** Signs a things CONNECT (clientId = dn, username = pk): for simulators, tests and `npm run sign`. */
export function signThings(input: ThingsSignInput): MqttCredentials {
  const nonce = input.nonce ?? randomBytes(8).toString('hex');
  if (nonce.length === 0 || nonce.length > MAX_NONCE_LENGTH || nonce.includes('.')) {
    throw new Error(`nonce must be 1–${MAX_NONCE_LENGTH} characters without "."`);
  }
  const seconds = input.timestamp ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(seconds) || seconds < 0) throw new Error(`timestamp must be whole unix seconds, not ${seconds}`);
  const timestamp = String(seconds);
  const signature = thingsSignature(input.deviceName, nonce, timestamp, input.deviceSecret).toString('hex');
  return { clientId: input.deviceName, username: input.productKey, password: `${nonce}.${timestamp}.${signature}` };
}

/**
 * Nonces seen in valid things sign-ins, each remembered until its timestamp leaves the window (after that the
 * timestamp check refuses the password anyway, so the nonce may come back with a new timestamp).
 *
 * Memory is bounded by `maxEntries`; past it the oldest entry is forgotten, which reopens a replay for that one nonce
 * rather than refusing every device once the cache is full. Entries are kept in insertion order, which is close to
 * expiry order (expiry = device timestamp + product window), so each claim sweeps a few expired entries off the head:
 * constant work per CONNECT, no timer.
 */
export class NonceCache {
  readonly #expiries = new Map<string, number>();
  readonly #maxEntries: number;

  constructor(maxEntries = 100_000) {
    this.#maxEntries = maxEntries;
  }

  /** Entries held, expired ones not yet swept included. */
  get size(): number {
    return this.#expiries.size;
  }

  /**
   * Records `key` (device and nonce) as used until `expiresAt` (ms); false when it is already recorded and has not
   * expired at `now`, i.e. a replay.
   */
  claim(key: string, expiresAt: number, now: number): boolean {
    this.#sweep(now);
    const seen = this.#expiries.get(key);
    if (seen !== undefined) {
      if (seen >= now) return false;
      // Re-inserted at the tail so insertion order stays close to expiry order.
      this.#expiries.delete(key);
    } else if (this.#expiries.size >= this.#maxEntries) {
      this.#expiries.delete(this.#expiries.keys().next().value!);
    }
    this.#expiries.set(key, expiresAt);
    return true;
  }

  #sweep(now: number): void {
    let budget = 4;
    for (const [key, expiresAt] of this.#expiries) {
      if (expiresAt >= now || budget-- === 0) return;
      this.#expiries.delete(key);
    }
  }
}
