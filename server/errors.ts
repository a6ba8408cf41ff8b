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

export const badRequest = (message: string, details?: unknown) => new ApiError(400, 'bad_request', message, details);
export const validationFailed = (message: string, details: unknown) => new ApiError(422, 'validation_failed', message, details);
export const unauthorized = (message = 'Sign in first: send a bearer token or the session cookie.') =>
  new ApiError(401, 'unauthorized', message);
export const forbidden = (permission: string) =>
  new ApiError(403, 'forbidden', `Your role does not allow this (needs ${permission}). Ask an admin.`, { permission });
export const notFound = (what: string, id: string) => new ApiError(404, 'not_found', `${what} "${id}" does not exist.`);
export const conflict = (code: string, message: string, details?: unknown) => new ApiError(409, code, message, details);
