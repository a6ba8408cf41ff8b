/**
 * Reads of the REST API for the management screens: one hook that loads a path, keeps the last good answer while it
 * reloads (no flicker on refresh or polling), and says what failed in the API's own words.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { tc } from './i18n/common.messages.ts';
import { te, type ErrorCodeKey } from './i18n/errors.messages.ts';
import { currentLocale } from './i18n/locale.ts';
import type { Params } from './i18n/messages.ts';
import { ApiError, apiGet } from './api.ts';

export interface ApiRead<T> {
  /** The last good answer; kept while a reload runs and when a later reload fails. */
  data: T | undefined;
  /** The error of the latest load, if it failed. */
  error: ApiError | Error | undefined;
  /** True until the first answer (or failure) for the current path. */
  loading: boolean;
  /** When `data` arrived (`Date.now()`), so a newer live push can win over an older answer. */
  receivedAt: number | undefined;
  /** Loads again (after a change the page made). */
  reload(): Promise<void>;
}

/**
 * `GET /api/v1<path>`; null reads nothing. With `pollMs` it reloads on that period while the tab is visible, for
 * figures that change on their own (device status, alert counts).
 */
export function useApi<T>(path: string | null, options: { pollMs?: number } = {}): ApiRead<T> {
  const [state, setState] = useState<{ path: string | null; data?: T; receivedAt?: number; error?: ApiError | Error; loading: boolean }>({ path, loading: path !== null });
  const latest = useRef(path);
  latest.current = path;

  const load = useCallback(async () => {
    if (path === null) return;
    try {
      const data = await apiGet<T>(path);
      if (latest.current === path) setState({ path, data, receivedAt: Date.now(), loading: false });
    } catch (err) {
      if (latest.current === path) {
        setState((s) => (s.path === path ? { ...s, error: err as Error, loading: false } : { path, error: err as Error, loading: false }));
      }
    }
  }, [path]);

  useEffect(() => {
    setState((s) => (s.path === path ? s : { path, loading: path !== null }));
    void load();
    if (!options.pollMs || path === null) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void load();
    }, options.pollMs);
    return () => clearInterval(timer);
  }, [load, options.pollMs, path]);

  const current = state.path === path ? state : { data: undefined, receivedAt: undefined, error: undefined, loading: path !== null };
  return { data: current.data, error: current.error, loading: current.loading, receivedAt: current.receivedAt, reload: load };
}

/** A query string from the defined, non-empty values of `params` (`?a=1&b=x`), or '' when there are none. */
export function queryString(params: Record<string, string | number | boolean | undefined | null | readonly string[]>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const v of value) search.append(key, v);
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * The message to show for a failed call: in English the API's own words (which name the exact thing), in another
 * language the translation of its stable error code; or what to check when the server was not reached.
 */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return currentLocale() === 'en' ? err.message : apiErrorText(err);
  if (err instanceof TypeError) return tc('unreachable');
  return err instanceof Error ? err.message : String(err);
}

/** An API error in the current language from its code, its details filling the translation's parameters. */
export function apiErrorText(err: ApiError): string {
  const params = err.details && typeof err.details === 'object' && !Array.isArray(err.details) ? (err.details as Params) : undefined;
  if (err.code in te.catalog) return te(err.code as ErrorCodeKey, params);
  if (err.status >= 500) return te('status5xx');
  const byStatus = `status${err.status}`;
  return byStatus in te.catalog ? te(byStatus as ErrorCodeKey) : te('other');
}
