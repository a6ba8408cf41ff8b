/**
 * How Thingwire signs a webhook, in the manner of Stripe and GitHub, so a receiver can tell it came from us and is
 * fresh.
 *
 * Every attempt carries:
 * - `X-Thingwire-Timestamp`: Unix time in seconds when the attempt was made (a retry gets a new one);
 * - `X-Thingwire-Signature`: `sha256=` + the lowercase hex HMAC-SHA256, keyed with the node's secret (its UTF-8
 *   bytes), of `timestamp + "." + body`, where body is the raw request body bytes;
 * - `X-Thingwire-Notification-Id`: the same for every attempt of one notification (delivery is at least once:
 *   deduplicate by it).
 *
 * A receiver verifies before it parses:
 * 1. read the raw body (not a re-serialised parse: key order and spacing would change the bytes);
 * 2. compute `sha256=` + hex HMAC-SHA256(secret, timestamp + "." + rawBody);
 * 3. compare it with the header in constant time (Node `crypto.timingSafeEqual`, Python `hmac.compare_digest`);
 * 4. reject a timestamp more than 5 minutes from its own clock, so a captured request cannot be replayed later.
 *
 * ```js
 * const expected = 'sha256=' + crypto.createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
 * const ok = expected.length === signature.length
 *   && crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
 *   && Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300;
 * ```
 */
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Thingwire-Signature';
export const TIMESTAMP_HEADER = 'X-Thingwire-Timestamp';
export const NOTIFICATION_ID_HEADER = 'X-Thingwire-Notification-Id';

/** The value of {@link SIGNATURE_HEADER} for a body sent at `timestamp` (Unix seconds, as sent in the header). */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
