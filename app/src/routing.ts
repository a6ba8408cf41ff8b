import { type AnchorHTMLAttributes, createElement, type MouseEvent, useEffect, useState } from 'react';

const PATH_CHANGED = 'thingwire:navigate';

/** Goes to `path` within the app (History API); `replace` keeps the back button from returning to a redirect. */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  // pushState fires no event of its own; popstate only covers back and forward.
  window.dispatchEvent(new Event(PATH_CHANGED));
}

/** Calls `update` on in-app navigation ({@link navigate}) and on back/forward; answers the unsubscribe. */
function onLocationChange(update: () => void): () => void {
  window.addEventListener('popstate', update);
  window.addEventListener(PATH_CHANGED, update);
  return () => {
    window.removeEventListener('popstate', update);
    window.removeEventListener(PATH_CHANGED, update);
  };
}

/** The current path, re-rendering on {@link navigate} and on back/forward. */
export function usePath(): string {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => onLocationChange(() => setPath(window.location.pathname)), []);
  return path;
}

/**
 * `window.location.search` (filters and pages kept in the URL, so links open a filtered list and back/forward step
 * through filter changes), re-rendering on {@link navigate} and on back/forward.
 */
export function useLocationSearch(): string {
  const [search, setSearch] = useState(window.location.search);
  useEffect(() => {
    const update = () => setSearch(window.location.search);
    // A move between the first render and this effect would otherwise be missed.
    update();
    return onLocationChange(update);
  }, []);
  return search;
}

/**
 * The params of `pattern` (`/devices/:productKey/:deviceName`) in `path`, decoded, or undefined when it does not
 * match. Segments are matched whole; a trailing slash is ignored.
 */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (w.startsWith(':')) {
      try {
        params[w.slice(1)] = decodeURIComponent(got[i]!);
      } catch {
        return undefined;
      }
    } else if (w !== got[i]) return undefined;
  }
  return params;
}

/** A path built from segments, each encoded (device names may hold characters that mean something in a URL). */
export function pathOf(...segments: string[]): string {
  return '/' + segments.map((s, i) => (i === 0 ? s : encodeURIComponent(s))).join('/');
}

/**
 * An in-app link: a real `<a href>` (middle-click and "open in new tab" work) that navigates without reloading on a
 * plain click.
 */
export function Link({ to, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  return createElement('a', {
    ...rest,
    href: to,
    onClick(event: MouseEvent<HTMLAnchorElement>) {
      onClick?.(event);
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      navigate(to);
    },
  });
}
