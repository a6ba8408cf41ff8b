import type { Logger } from 'pino';

export interface SignInBansOptions {
  /** Failed device sign-ins from one address within `windowMs` that get it banned; 0 turns bans off. Default 20. */
  maxFailures?: number;
  /** Default 60 s. */
  windowMs?: number;
  /** How long a ban lasts; default 5 minutes. */
  banMs?: number;
  /** Addresses tracked at most (the oldest are forgotten first), so that a spray of addresses cannot grow memory. */
  maxAddresses?: number;
  logger?: Pick<Logger, 'info'>;
  now?: () => number;
}

interface Tracked {
  /** Failures in the current window, and when it started. */
  failures: number;
  windowStart: number;
  bannedUntil: number;
  /** When this address was last logged about: at most once a minute. */
  loggedAt: number;
  suppressed: number;
}

/**
 * Per-address limit on failed device sign-ins (wrong signature, unknown device): past `maxFailures` in `windowMs`,
 * the address is banned for `banMs`, and its connections are closed as they arrive, before any signature is checked.
 * A successful sign-in does not lift a ban; a ban ends on its own.
 *
 * Devices behind one NAT share an address: a broken device that keeps failing can get its neighbours banned too.
 * The defaults (20 failures a minute) are far above what a fleet of honest devices produces.
 */
export class SignInBans {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #banMs: number;
  readonly #maxAddresses: number;
  readonly #logger: SignInBansOptions['logger'];
  readonly #now: () => number;
  readonly #byAddress = new Map<string, Tracked>();
  readonly #counts = { failures: 0, bans: 0, refusedWhileBanned: 0 };

  constructor(options: SignInBansOptions = {}) {
    this.#max = options.maxFailures ?? 20;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#banMs = options.banMs ?? 5 * 60_000;
    this.#maxAddresses = options.maxAddresses ?? 100_000;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  /** Whether connections from this address are to be closed now; counts each one that is. */
  banned(address: string): boolean {
    if (this.#max === 0) return false;
    const t = this.#byAddress.get(address);
    if (!t || t.bannedUntil <= this.#now()) return false;
    this.#counts.refusedWhileBanned++;
    this.#log(address, t, 'connection from a banned address closed');
    return true;
  }

  /** A sign-in from this address failed. */
  failed(address: string): void {
    this.#counts.failures++;
    if (this.#max === 0) return;
    const now = this.#now();
    let t = this.#byAddress.get(address);
    if (!t) {
      if (this.#byAddress.size >= this.#maxAddresses) this.#forgetOldest(now);
      t = { failures: 0, windowStart: now, bannedUntil: 0, loggedAt: -Infinity, suppressed: 0 };
      this.#byAddress.set(address, t);
    }
    if (now - t.windowStart > this.#windowMs) {
      t.failures = 0;
      t.windowStart = now;
    }
    if (++t.failures < this.#max || t.bannedUntil > now) return;
    t.bannedUntil = now + this.#banMs;
    t.failures = 0;
    this.#counts.bans++;
    t.loggedAt = -Infinity;
    this.#log(address, t, `address banned for ${Math.round(this.#banMs / 1000)} s after ${this.#max} failed device sign-ins`);
  }

  stats(): { failures: number; bans: number; refusedWhileBanned: number; bannedNow: number } {
    const now = this.#now();
    let bannedNow = 0;
    for (const t of this.#byAddress.values()) if (t.bannedUntil > now) bannedNow++;
    return { ...this.#counts, bannedNow };
  }

  /** Once per address and minute: a flood of attempts is one line, with how many were not logged. */
  #log(address: string, t: Tracked, message: string): void {
    const now = this.#now();
    if (now - t.loggedAt < 60_000) {
      t.suppressed++;
      return;
    }
    this.#logger?.info({ remoteAddress: address, bannedUntil: new Date(t.bannedUntil).toISOString(), sinceLastLine: t.suppressed }, message);
    t.loggedAt = now;
    t.suppressed = 0;
  }

  #forgetOldest(now: number): void {
    // The oldest tracked first (Map order is insertion order); a few steps at most, so that a spray of addresses costs
    // constant time each, and an address banned now is kept over one that is not.
    let steps = 0;
    for (const [address, t] of this.#byAddress) {
      if (t.bannedUntil <= now || ++steps > 16) {
        this.#byAddress.delete(address);
        return;
      }
    }
  }
}
