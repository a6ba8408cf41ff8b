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
  if (!res.ok) throw answeredError(path, res.status, res.statusText, json);
  return json as T;
}

/** The {@link ApiError} of a non-2xx answer, from the API's envelope when it sent one. */
function answeredError(path: string, status: number, statusText: string, json: unknown): ApiError {
  // The session ended while the page was open (the sign-in routes answer 401 for their own reasons).
  if (status === 401 && !path.startsWith('/auth/')) announceAccessChanged();
  const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
  return new ApiError(status, error?.code ?? 'http_error', error?.message ?? `The server answered ${status} ${statusText}.`, error?.details);
}

/** Bytes of an upload sent so far, of how many. */
export interface UploadProgress {
  loaded: number;
  total: number;
}

/** An upload under way: its answer, and a way to stop it (the answer then rejects with an `AbortError`). */
export interface Upload<T> {
  done: Promise<T>;
  abort(): void;
}

/**
 * `POST /api/v1<path>` with `body` sent as it is (`application/octet-stream`), reporting the bytes sent as they go:
 * XMLHttpRequest, because fetch reports no upload progress. Answers and fails as {@link apiRequest} does.
 */
export function apiUpload<T>(path: string, body: Blob, onProgress: (progress: UploadProgress) => void): Upload<T> {
  const xhr = new XMLHttpRequest();
  const done = new Promise<T>((resolve, reject) => {
    xhr.open('POST', `/api/v1${path}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (event) => onProgress({ loaded: event.loaded, total: event.lengthComputable ? event.total : body.size });
    xhr.onload = () => {
      const text = xhr.responseText;
      let json: unknown;
      try {
        json = text && xhr.getResponseHeader('content-type')?.includes('json') ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(json as T);
      else reject(answeredError(path, xhr.status, xhr.statusText, json));
    };
    // What fetch rejects with when the server cannot be reached, so errorText() says the same.
    xhr.onerror = () => reject(new TypeError('The upload failed: the server could not be reached.'));
    xhr.onabort = () => reject(new DOMException('The upload was stopped.', 'AbortError'));
    xhr.send(body);
  });
  return { done, abort: () => xhr.abort() };
}

function isRawBody(body: unknown): body is RawBody {
  return typeof body === 'object' && body !== null && typeof (body as RawBody).raw === 'string' && typeof (body as RawBody).contentType === 'string';
}

/** `GET /api/v1<path>`. */
export const apiGet = <T>(path: string): Promise<T> => apiRequest<T>('GET', path);
