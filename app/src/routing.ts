import { useEffect, useState } from 'react';

const PATH_CHANGED = 'thingwire:navigate';

/** Goes to `path` within the app (History API); `replace` keeps the back button from returning to a redirect. */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === window.location.pathname) return;
  if (options.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  // pushState fires no event of its own; popstate only covers back and forward.
  window.dispatchEvent(new Event(PATH_CHANGED));
}

/** The current path, re-rendering on {@link navigate} and on back/forward. */
export function usePath(): string {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const update = () => setPath(window.location.pathname);
    window.addEventListener('popstate', update);
    window.addEventListener(PATH_CHANGED, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(PATH_CHANGED, update);
    };
  }, []);
  return path;
}
