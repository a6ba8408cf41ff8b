import type { ServerResponse } from 'node:http';

/**
 * Typed errors with a stable `code`. The HTTP layer turns any `ApiError` into the one envelope
 * `{error:{code,message,details?}}` with its status; anything else is a 500 `internal` and is logged.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The body of the one error envelope, `{error: errorBody(err)}`. */
export function errorBody(err: ApiError): { code: string; message: string; details?: unknown } {
  return { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) };
}

/**
 * Answers an error in the envelope on a plain Node response, for the ways in that are not our Express API (Node-RED's
 * admin API and flow endpoints, the flow port). A refusal that says when to come back also says it in `Retry-After`.
 */
export function sendApiError(res: ServerResponse, err: ApiError): void {
  const retryAfter = (err.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  res.writeHead(err.status, {
    'content-type': 'application/json; charset=utf-8',
    'x-content-type-options': 'nosniff',
    ...(typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : {}),
  });
  res.end(JSON.stringify({ error: errorBody(err) }));
}

/**
 * What a request error means to the caller: an `ApiError` as it is, a body parser's refusal (malformed JSON, too
 * large) or another 4xx error in words; undefined for anything else, which is a 500 worth logging.
 */
export function clientError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  const e = err as { type?: string; status?: number; message?: string; limit?: number } | null;
  if (e?.type === 'entity.parse.failed') return new ApiError(400, 'malformed_json', `The body is not valid JSON: ${e.message}`);
  if (e?.type === 'entity.too.large') return new ApiError(413, 'payload_too_large', `The body is larger than the ${e.limit} byte limit.`);
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new ApiError(e.status, 'bad_request', e.message ?? 'bad request');
  return undefined;
}

/** The 500 answer: what went wrong is in the log, not in the response. */
export const internalError = () => new ApiError(500, 'internal', 'Something went wrong on the server; the error is in its log.');

export const badRequest = (message: string, details?: unknown) => new ApiError(400, 'bad_request', message, details);
export const validationFailed = (message: string, details: unknown) => new ApiError(422, 'validation_failed', message, details);
export const unauthorized = (message = 'Sign in first: send a bearer token or the session cookie.') =>
  new ApiError(401, 'unauthorized', message);
export const forbidden = (permission: string) =>
  new ApiError(403, 'forbidden', `Your role does not allow this (needs ${permission}). Ask an admin.`, { permission });
export const notFound = (what: string, id: string) => new ApiError(404, 'not_found', `${what} "${id}" does not exist.`);
export const conflict = (code: string, message: string, details?: unknown) => new ApiError(409, code, message, details);
