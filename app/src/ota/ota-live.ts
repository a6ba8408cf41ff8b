/** Live updates for the OTA screens: pushes merged over what the API answered, and reloads coalesced. */
import { useCallback, useEffect, useRef } from 'react';

/**
 * A function that reloads at most once per `ms`: the first call starts a timer and the reload runs when it ends, so a
 * burst of pushes (a wave of devices moving on) costs one request, and the answer includes every change of the burst.
 */
export function useCoalescedReload(reload: () => unknown, ms = 1000): () => void {
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // The reload of the latest render (its path may have changed since the timer started).
  const latest = useRef(reload);
  useEffect(() => {
    latest.current = reload;
  });
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    if (timer.current !== undefined) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      void latest.current();
    }, ms);
  }, [ms]);
}

/** Something the feed pushed, and when (ms): shown until a re-read is newer (see {@link newer}). */
export interface Pushed<T> {
  value: T;
  at: number;
}

/** Upgrades held from the feed, with `upgrades` (just pushed) replacing what was held for their ids. */
export function withPushed<T extends { id: number }>(held: ReadonlyMap<number, Pushed<T>>, upgrades: readonly T[], at: number): ReadonlyMap<number, Pushed<T>> {
  const next = new Map(held);
  for (const u of upgrades) next.set(u.id, { value: u, at });
  return next;
}

/** The newer of what the API answered (`readAt`, ms) and what was pushed since (`pushedAt`). */
export function newer<T>(read: T | undefined, readAt: number | undefined, pushed: Pushed<T> | undefined): T | undefined {
  if (pushed && (read === undefined || pushed.at >= (readAt ?? 0))) return pushed.value;
  return read;
}
