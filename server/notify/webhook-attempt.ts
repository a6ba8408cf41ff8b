/**
 * One delivery attempt of a webhook: a signed JSON POST (`webhook-signature.ts`) to an address the outbound policy
 * allows, bounded by the notification's timeout, and what came of it in the terms the outbox records. Knows nothing
 * of the outbox's table or schedule.
 */
import { OutboundRefusedError, type OutboundPolicy } from '../outbound/outbound-policy.ts';
import { outboundRequest, type OutboundResponse } from '../outbound/outbound-request.ts';
import { retryAfterMs, verdictFor, type AttemptVerdict } from './delivery-policy.ts';
import { NOTIFICATION_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from './webhook-signature.ts';

const USER_AGENT = 'Thingwire-Webhook/1';
/** The start of a receiver's answer kept for the delivery log (its error text says why it refused). */
const MAX_RESPONSE_EXCERPT_BYTES = 1024;

/** A notification ready to send: its stored fields with the signing secret and the sender's headers opened. */
export interface WebhookRequest {
  id: string;
  url: string;
  method: 'POST';
  body: string;
  timeoutMs: number;
  secret: string;
  headers: Readonly<Record<string, string>>;
}

export interface AttemptResult {
  startedAt: number;
  durationMs: number;
  verdict: AttemptVerdict | 'interrupted';
  status: number | null;
  error: string | null;
  response: string | null;
  retryAfterMs?: number | undefined;
}

/** An attempt that ended before a request was made, and cannot go better next time. */
export function failedBeforeSending(error: string): AttemptResult {
  return { startedAt: Date.now(), durationMs: 0, verdict: 'failed', status: null, response: null, error };
}

/**
 * Sends `request` once. Never rejects: every way it can end is a result to record. `stopping` aborts it when delivery
 * stops on this node, as the platform stops or another node of the cluster takes delivery over (verdict
 * `interrupted`: the attempt does not count).
 */
export async function attemptWebhook(request: WebhookRequest, policy: OutboundPolicy, stopping: AbortSignal): Promise<AttemptResult> {
  const startedAt = Date.now();
  const result = (r: Omit<AttemptResult, 'startedAt' | 'durationMs'>): AttemptResult => ({
    startedAt, durationMs: Date.now() - startedAt, ...r,
  });
  const timestamp = String(Math.floor(startedAt / 1000));
  const headers: Record<string, string> = {
    ...request.headers,
    'Content-Type': 'application/json',
    'User-Agent': USER_AGENT,
    [NOTIFICATION_ID_HEADER]: request.id,
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: webhookSignature(request.secret, timestamp, request.body),
  };
  const timeout = AbortSignal.timeout(request.timeoutMs);
  try {
    // Redirects are not followed (maxRedirects 0): the POST would go somewhere nobody configured.
    const response = await outboundRequest(request.url, {
      method: request.method, headers, body: request.body, policy, maxBodyBytes: MAX_RESPONSE_EXCERPT_BYTES,
      signal: AbortSignal.any([stopping, timeout]),
    });
    const verdict = verdictFor(response.status);
    return result({
      verdict, status: response.status, response: responseExcerpt(response),
      error: verdict === 'delivered' ? null : statusError(response),
      retryAfterMs: retryAfterMs(headerValue(response.headers['retry-after']) ?? null, Date.now()),
    });
  } catch (err) {
    if (stopping.aborted) {
      return result({ verdict: 'interrupted', status: null, response: null, error: 'interrupted: delivery stopped on this node during the attempt' });
    }
    if (timeout.aborted) return result({ verdict: 'retry', status: null, response: null, error: `no response within ${request.timeoutMs} ms` });
    // Refused by the outbound policy: the next attempt would be refused too.
    if (err instanceof OutboundRefusedError) return result({ verdict: 'failed', status: null, response: null, error: err.message });
    return result({ verdict: 'retry', status: null, response: null, error: `no connection: ${errorMessage(err)}` });
  }
}

function statusError(response: OutboundResponse): string {
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (response.status >= 300 && response.status < 400) {
    const location = headerValue(response.headers.location);
    return `${status}: redirects are not followed${location ? ` (to ${location})` : ''}; set the node's URL to the final address`;
  }
  return status;
}

/** The start of the response body, for the delivery log (a receiver's error text says why it refused). */
function responseExcerpt(response: OutboundResponse): string | null {
  // The status already arrived and decides the outcome; a body cut off by the timeout only shortens the log.
  if (response.bodyError) return `(the response body could not be read: ${response.bodyError.message})`;
  if (response.body.byteLength === 0) return null;
  const text = response.body.toString('utf8');
  // A multi-byte character cut at the limit decodes as U+FFFD; drop it rather than log a character never sent.
  return response.truncated ? text.replace(/\uFFFD+$/, '') : text;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
