import { announceAccessChanged } from '../../editor/live/reconnecting-socket.ts';

/** An error answered by the REST API in its envelope `{error:{code,message,details?}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A body sent as it is with its content type (a CSV upload), instead of as JSON. */
export interface RawBody {
  raw: string;
  contentType: string;
}

/**
 * Calls `/api/v1<path>` with the session cookie and answers the parsed JSON body (`undefined` for 204). A non-2xx
 * answer throws {@link ApiError} carrying the API's own message, so screens can show it as it is. `body` is sent as
 * JSON unless it is a {@link RawBody}.
 */
export async function apiRequest<T>(method: string, path: string, body?: unknown): Promise<T> {
  const raw = isRawBody(body) ? body : undefined;
  const res = await fetch(`/api/v1${path}`, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': raw ? raw.contentType : 'application/json' },
    body: body === undefined ? undefined : raw ? raw.raw : JSON.stringify(body),
  });
  const text = await res.text();
  const json: unknown = text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined;
  if (!res.ok) {
    // The session ended while the page was open (the sign-in routes answer 401 for their own reasons).
    if (res.status === 401 && !path.startsWith('/auth/')) announceAccessChanged();
    const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    throw new ApiError(res.status, error?.code ?? 'http_error', error?.message ?? `The server answered ${res.status} ${res.statusText}.`, error?.details);
  }
  return json as T;
}

function isRawBody(body: unknown): body is RawBody {
  return typeof body === 'object' && body !== null && typeof (body as RawBody).raw === 'string' && typeof (body as RawBody).contentType === 'string';
}

/** `GET /api/v1<path>`. */
export const apiGet = <T>(path: string): Promise<T> => apiRequest<T>('GET', path);
