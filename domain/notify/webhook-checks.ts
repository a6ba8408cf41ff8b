/**
 * What a webhook's address and headers must be, checked where they are written (the notify node's config, the
 * editor) and again where they are used (the outbox), so both say the same sentence.
 */
import { HEADER_NAME_PATTERN } from './notify-schemas.ts';

/** Header names the outbox sets itself; a sender's own value would break the signature or the framing. */
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'transfer-encoding', 'connection', 'host']);
const HEADER_NAME = new RegExp(HEADER_NAME_PATTERN);

/** Why `url` cannot be a webhook's address, in a sentence; undefined when it can. */
export function webhookUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `URL ${JSON.stringify(url)} is not a valid address`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `URL must be http:// or https://, not ${parsed.protocol}//`;
  // A header carries the same without a password in every log line and every listing of the notification.
  if (parsed.username || parsed.password) return 'URL must not contain a user name or password; send credentials in a header';
  return undefined;
}

/** Why `headers` cannot go with a webhook, in a sentence; undefined when they can. */
export function webhookHeadersProblem(headers: Readonly<Record<string, unknown>>): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) return `header name ${JSON.stringify(name)} is not a valid HTTP header name`;
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower) || lower.startsWith('x-thingwire-')) return `header ${name} is set by Thingwire itself`;
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) return `header ${name} must be text on one line`;
  }
  return undefined;
}
