import { isIPv6 } from 'node:net';
import { ApiError } from '../errors.ts';

/** At most `attempts` failed sign-ins in any `windowMs` (a sliding window). */
export interface LoginLimit {
  attempts: number;
  windowMs: number;
}

/**
 * 10 per account in 15 minutes: enough for a person who mistypes or forgot which password they chose, few enough
 * that guessing online gets ~1,000 tries a day per account. Counted per account from any address, so spreading the
 * guesses over many addresses gains nothing.
 */
export const perAccountLimit: LoginLimit = { attempts: 10, windowMs: 15 * 60_000 };

/**
 * 50 per address in 15 minutes, across all usernames: higher than one account's limit because an office or a mobile
 * carrier puts many people behind one NAT address, low enough that trying one common password against many
 * usernames ("spraying") from one address is slow.
 */
export const perAddressLimit: LoginLimit = { attempts: 50, windowMs: 15 * 60_000 };

export interface LoginLimiterOptions {
  perAccount?: LoginLimit;
  perAddress?: LoginLimit;
  /** The clock, in ms (tests step it). */
  now?: () => number;
}

/** One reserved sign-in attempt; settle it exactly once (later calls do nothing). */
export interface LoginAttempt {
  /**
   * Someone failed to sign in recently as this account or from this address, or another check for either is running
   * now: such attempts wait behind clean ones for a turn to hash.
   */
  readonly suspect: boolean;
  /** The password was right: the account's failures are forgotten. */
  succeeded(): void;
  /** The password was checked and was wrong (or the user is unknown or disabled): counts against both limits. */
  failed(): void;
  /** No password was checked (the server was busy, or failed): counts for nothing. */
  cancelled(): void;
}

interface Tally {
  /** When each failure in the window happened, oldest first. */
  failures: number[];
  /** Attempts reserved whose check has not finished. */
  inFlight: number;
}

/**
 * Limits failed sign-ins per account and per address. An attempt is reserved synchronously before its password is
 * checked and counts like a failure while the check runs, so however many requests arrive at once, no more checks run
 * for one account or address than its limit allows; a refused attempt costs no hash.
 */
export class LoginLimiter {
  readonly #perAccount: LoginLimit;
  readonly #perAddress: LoginLimit;
  readonly #now: () => number;
  readonly #accounts = new Map<string, Tally>();
  readonly #addresses = new Map<string, Tally>();
  // Tallies of names nobody tries again stay until a sweep, once a minute. A sweep finds at most as many as failures
  // recorded in a window, and each failure took one hash, which the hash gate bounds.
  #nextSweep = 0;

  constructor(options: LoginLimiterOptions = {}) {
    this.#perAccount = options.perAccount ?? perAccountLimit;
    this.#perAddress = options.perAddress ?? perAddressLimit;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Reserves an attempt for `username` (case-insensitive) from `address`, or throws 429 `too_many_attempts` with
   * `details.retryAfterSeconds` when either limit is used up (failures plus checks running).
   */
  reserve(username: string, address: string): LoginAttempt {
    const now = this.#now();
    this.#sweep(now);
    const accountKey = username.toLowerCase();
    const addressKey = addressGroup(address);
    const account = this.#tally(this.#accounts, accountKey, this.#perAccount, now);
    const from = this.#tally(this.#addresses, addressKey, this.#perAddress, now);
    const accountWait = waitMs(account, this.#perAccount, now);
    const addressWait = waitMs(from, this.#perAddress, now);
    if (accountWait > 0 || addressWait > 0) {
      const seconds = Math.max(1, Math.ceil(Math.max(accountWait, addressWait) / 1000));
      const whose = accountWait > 0 ? 'for this user' : 'from your network address';
      throw new ApiError(429, 'too_many_attempts', `Too many failed sign-ins ${whose}. Try again in ${inWords(seconds)}.`, {
        retryAfterSeconds: seconds,
      });
    }
    const suspect = account.failures.length + account.inFlight + from.failures.length + from.inFlight > 0;
    account.inFlight += 1;
    from.inFlight += 1;
    this.#accounts.set(accountKey, account);
    this.#addresses.set(addressKey, from);

    let settled = false;
    const settle = (outcome: 'succeeded' | 'failed' | 'cancelled') => {
      if (settled) return;
      settled = true;
      const at = this.#now();
      account.inFlight -= 1;
      from.inFlight -= 1;
      if (outcome === 'failed') {
        account.failures.push(at);
        from.failures.push(at);
      }
      // Only the account is forgiven: forgiving the address would let anyone with one valid login reset it between
      // guesses at other accounts.
      if (outcome === 'succeeded') account.failures.length = 0;
      this.#forgetIfIdle(this.#accounts, accountKey, account);
      this.#forgetIfIdle(this.#addresses, addressKey, from);
    };
    return {
      suspect,
      succeeded: () => settle('succeeded'),
      failed: () => settle('failed'),
      cancelled: () => settle('cancelled'),
    };
  }

  /** Accounts and addresses with failures in their window or checks running (for tests and metrics). */
  get size(): { accounts: number; addresses: number } {
    return { accounts: this.#accounts.size, addresses: this.#addresses.size };
  }

  #tally(map: Map<string, Tally>, key: string, limit: LoginLimit, now: number): Tally {
    const tally = map.get(key) ?? { failures: [], inFlight: 0 };
    expire(tally, limit, now);
    return tally;
  }

  #forgetIfIdle(map: Map<string, Tally>, key: string, tally: Tally): void {
    // The tally may have been swept and replaced meanwhile; only delete our own.
    if (tally.inFlight === 0 && tally.failures.length === 0 && map.get(key) === tally) map.delete(key);
  }

  #sweep(now: number): void {
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + 60_000;
    for (const [map, limit] of [[this.#accounts, this.#perAccount], [this.#addresses, this.#perAddress]] as const) {
      for (const [key, tally] of map) {
        expire(tally, limit, now);
        this.#forgetIfIdle(map, key, tally);
      }
    }
  }
}

function expire(tally: Tally, limit: LoginLimit, now: number): void {
  let stale = 0;
  while (stale < tally.failures.length && tally.failures[stale]! <= now - limit.windowMs) stale += 1;
  if (stale) tally.failures.splice(0, stale);
}

/** How long until one more attempt fits under the limit; 0 when it fits now. */
function waitMs(tally: Tally, limit: LoginLimit, now: number): number {
  const over = tally.failures.length + tally.inFlight - limit.attempts + 1;
  if (over <= 0) return 0;
  // Used up by checks still running: they end within moments, as failures (then see above) or not.
  if (over > tally.failures.length) return 1000;
  return tally.failures[over - 1]! + limit.windowMs - now;
}

function inWords(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/**
 * The address a limit counts: IPv4 as it is (also when written IPv4-mapped, `::ffff:10.0.0.1`), IPv6 by its /64,
 * since one subscriber usually holds a whole /64 and could otherwise take a fresh address for every guess.
 */
export function addressGroup(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}
