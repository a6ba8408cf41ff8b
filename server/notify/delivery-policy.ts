/**
 * When a webhook attempt counts as delivered, worth repeating, or hopeless, and how long to wait before repeating it.
 */

/** What one attempt's answer means for the notification. */
export type AttemptVerdict = 'delivered' | 'retry' | 'failed';

/**
 * 2xx: delivered. 408 and 429 (the receiver asks us to come back), and 5xx (it is broken, for now): retry. Any other
 * status, 3xx and 4xx, is permanent: the receiver understood the request and refused it (wrong URL, auth, a
 * signature it does not accept, a body it will not take) and would refuse the same bytes again, so repeating them
 * only adds load. Redirects are not followed: a POST must not silently turn into a GET or go to a host nobody
 * configured. Fix the cause and retry through `POST /api/v1/notifications/:id/retry`.
 */
export function verdictFor(status: number): AttemptVerdict {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'failed';
}

/** Exponential backoff between attempts. */
export interface BackoffOptions {
  /** Wait after the first failed attempt (before jitter); doubles with each further one. Default 5 s. */
  baseMs: number;
  /** Longest wait, also for a receiver's `Retry-After`. Default 1 h. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 5_000, maxMs: 3_600_000 };

/**
 * The wait after failed attempt number `attempt` (1-based): `min(maxMs, baseMs·2^(attempt-1))`, of which a random
 * half is dropped ("equal jitter"). The jitter spreads the retries of many notifications that failed together (one
 * receiver's outage) so they do not return in lockstep; keeping half guarantees a recovering receiver a real pause.
 * A `Retry-After` the receiver sent is honoured as a lower bound, up to `maxMs`.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number, retryAfterMs?: number): number {
  const exponential = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.round(Math.min(options.maxMs, Math.max(jittered, retryAfterMs ?? 0)));
}

/** A `Retry-After` header (delay-seconds or an HTTP date) in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
