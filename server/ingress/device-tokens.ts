import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Dialect } from '../../domain/devices/thing-message.ts';

/** What an HTTP device token grants: posting as one device, in the dialect it signed in with, until it expires. */
export interface DeviceGrant {
  productKey: string;
  deviceName: string;
  dialect: Dialect;
  /** ms since epoch. */
  expiresAt: number;
}

const DIALECT_CODE: Readonly<Record<Dialect, string>> = { alink: 'a', things: 't' };
const CODE_DIALECT: Readonly<Record<string, Dialect>> = { a: 'alink', t: 'things' };

/**
 * Tokens of HTTP devices (docs/protocol.md "HTTP devices"): `{b64url pk}.{b64url dn}.{a|t}.{expiresAt}.{mac}`, the MAC
 * an HMAC-SHA256 under a key derived from the data dir's secret key (`SecretBox.derive`), as download tokens are. The
 * MAC also covers the device's current secret, so rotating the secret voids every token issued before, without a
 * table of tokens; a disabled or deleted device is refused by the lookup that verifying needs anyway. Tokens survive
 * a restart and cannot be made without the key.
 */
export class DeviceTokens {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    this.#key = key;
  }

  /** A token for `grant`, bound to the device's current `deviceSecret`. */
  issue(grant: DeviceGrant, deviceSecret: string): string {
    const body = [b64(grant.productKey), b64(grant.deviceName), DIALECT_CODE[grant.dialect], String(grant.expiresAt)].join('.');
    return `${body}.${this.#mac(body, deviceSecret).toString('base64url')}`;
  }

  /** Who the token names, before it is verified (to look up the device's secret); undefined when it is not a token. */
  static peek(token: string): DeviceGrant | undefined {
    const parts = token.split('.');
    if (parts.length !== 5 || !/^\d{1,15}$/.test(parts[3]!)) return undefined;
    const dialect = CODE_DIALECT[parts[2]!];
    if (!dialect) return undefined;
    return { productKey: unb64(parts[0]!), deviceName: unb64(parts[1]!), dialect, expiresAt: Number(parts[3]) };
  }

  /**
   * The grant of a genuine, unexpired token for a device whose secret is `deviceSecret`, or why it is refused.
   * Constant-time in the MAC.
   */
  verify(token: string, deviceSecret: string, now: number): DeviceGrant | { refused: string } {
    const grant = DeviceTokens.peek(token);
    if (!grant) return { refused: 'malformed token' };
    const dot = token.lastIndexOf('.');
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = this.#mac(token.slice(0, dot), deviceSecret);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { refused: 'invalid token' };
    if (grant.expiresAt <= now) return { refused: 'token expired' };
    return grant;
  }

  #mac(body: string, deviceSecret: string): Buffer {
    // The secret after a NUL: it cannot run into the body, which is base64url, digits and dots.
    return createHmac('sha256', this.#key).update(`${body}\0${deviceSecret}`).digest();
  }
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const unb64 = (s: string) => Buffer.from(s, 'base64url').toString('utf8');
