/**
 * Reads of the REST API for the pickers (products, devices of a product, a product's thing model), shared by every
 * field and panel of one editor and kept briefly, so opening node after node does not refetch the same lists.
 */
import { useEffect, useEffectEvent, useState } from 'react';
import type { EditorApi } from '../editor-api.ts';

/** How long a read is reused. */
const FRESH_MS = 15_000;

const caches = new WeakMap<EditorApi, Map<string, { at: number; value: Promise<unknown> }>>();

/** `GET /api/v1<path>` through the editor's API, shared while fresh. A failed read is not kept. */
export function cachedGet<T>(api: EditorApi, path: string, load: () => Promise<T> = () => api.get<T>(path)): Promise<T> {
  let cache = caches.get(api);
  if (!cache) caches.set(api, (cache = new Map()));
  const hit = cache.get(path);
  if (hit && Date.now() - hit.at < FRESH_MS) return hit.value as Promise<T>;
  const value = load();
  const entry = { at: Date.now(), value };
  cache.set(path, entry);
  value.catch(() => {
    if (cache.get(path) === entry) cache.delete(path);
  });
  return value;
}

export type Resource<T> = { status: 'idle' } | { status: 'loading' } | { status: 'ready'; data: T } | { status: 'failed'; message: string };

/** A read keyed by `key` (null: nothing to read); `load` runs once per key while fresh. */
export function useApiResource<T>(api: EditorApi, key: string | null, load?: () => Promise<T>): Resource<T> {
  const [state, setState] = useState<{ key: string | null; resource: Resource<T> }>({ key: null, resource: { status: 'idle' } });
  // `load` is derived from `key`: the latest one is used, and a new closure each render does not refetch.
  const read = useEffectEvent((from: EditorApi, path: string) => cachedGet<T>(from, path, load));
  useEffect(() => {
    if (key === null) return;
    let current = true;
    read(api, key).then(
      (data) => current && setState({ key, resource: { status: 'ready', data } }),
      (err: unknown) => current && setState({ key, resource: { status: 'failed', message: err instanceof Error ? err.message : String(err) } }),
    );
    return () => {
      current = false;
    };
  }, [api, key]);
  if (key === null) return { status: 'idle' };
  // Until this key's answer arrives, it is loading.
  return state.key === key ? state.resource : { status: 'loading' };
}
