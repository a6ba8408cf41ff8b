import { useCallback } from 'react';
import { navigate, useLocationSearch } from '../routing.ts';

/**
 * The query string of the current location as URLSearchParams, re-rendering on in-app navigation and back/forward,
 * and a setter that replaces the given keys (undefined or '' removes one) while keeping the others.
 */
export function useSearch(): [URLSearchParams, (changes: Record<string, string | undefined>, options?: { replace?: boolean }) => void] {
  const search = useLocationSearch();
  const update = useCallback((changes: Record<string, string | undefined>, options: { replace?: boolean } = {}) => {
    const next = new URLSearchParams(window.location.search);
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined || value === '') next.delete(key);
      else next.set(key, value);
    }
    const text = next.toString();
    navigate(`${window.location.pathname}${text ? `?${text}` : ''}`, options);
  }, []);
  return [new URLSearchParams(search), update];
}
