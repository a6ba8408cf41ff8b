import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a download token grants: one firmware, to the device of one upgrade, until it expires. */
export interface DownloadGrant {
  upgradeId: number;
  firmwareId: number;
  /** ms since epoch. */
  expiresAt: number;
}

/**
 * Download tokens (docs/ota.md "Downloads"): `{upgradeId}.{firmwareId}.{expiresAt}.{mac}`, the MAC an HMAC-SHA256
 * under a key derived from the data dir's secret key, so tokens survive a restart and cannot be made without it. The
 * upgrade names the device; the download route also checks that the upgrade is still under way.
 */
export class DownloadTokens {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    this.#key = key;
  }

  issue(grant: DownloadGrant): string {
    const body = `${grant.upgradeId}.${grant.firmwareId}.${grant.expiresAt}`;
    return `${body}.${this.#mac(body).toString('base64url')}`;
  }

  /** The grant of a genuine token, or why it is refused. Constant-time in the MAC. */
  verify(token: string, now: number): DownloadGrant | { refused: string } {
    const parts = token.split('.');
    if (parts.length !== 4 || !parts.slice(0, 3).every((p) => /^\d{1,15}$/.test(p))) return { refused: 'malformed token' };
    const body = parts.slice(0, 3).join('.');
    const given = Buffer.from(parts[3]!, 'base64url');
    const expected = this.#mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { refused: 'invalid token' };
    const [upgradeId, firmwareId, expiresAt] = parts.slice(0, 3).map(Number) as [number, number, number];
    if (expiresAt <= now) return { refused: 'token expired: ask for the upgrade again (thing/ota/firmware/get)' };
    return { upgradeId, firmwareId, expiresAt };
  }

  #mac(body: string): Buffer {
    return createHmac('sha256', this.#key).update(body).digest();
  }
}
