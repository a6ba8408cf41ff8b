/**
 * How the editor reaches the REST API. The host app passes its client (session cookie, the API's error envelope), so
 * nothing in `editor/` imports `app/` and the editor can be hosted elsewhere.
 */
export interface EditorApi {
  /** `GET /api/v1<path>`, parsed JSON. */
  get<T>(path: string): Promise<T>;
  /** Any method; a JSON body is sent as JSON. A non-2xx answer throws an {@link EditorApiError}-shaped error. */
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
}

/** What a failed call throws: the API's `{error:{code,message,details?}}` with the HTTP status. */
export interface EditorApiError extends Error {
  status: number;
  code: string;
  details?: unknown;
}

export function isEditorApiError(err: unknown): err is EditorApiError {
  return err instanceof Error && typeof (err as Partial<EditorApiError>).status === 'number' && typeof (err as Partial<EditorApiError>).code === 'string';
}
