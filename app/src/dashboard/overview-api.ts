/**
 * `GET /api/v1/overview` as the dashboard reads it (its shape: `domain/devices/overview-schemas.ts`), polled and
 * refreshed early when the live feed reports a device going online or offline.
 */
import { useEffect, useRef } from 'react';
import type { Overview } from '../../../domain/devices/overview-schemas.ts';
import { useLiveDeviceStates } from '../live/device-feed.ts';
import { useApi } from '../use-api.ts';

export type { ConnectionEvent, Overview, Severity } from '../../../domain/devices/overview-schemas.ts';

const POLL_MS = 5000;
/** A fleet reconnecting after a restart sends thousands of state changes: the counts are read again at most this often. */
const LIVE_REFRESH_MS = 1000;

/** The overview, polled every 5 s and read again soon after the feed pushes a state change. */
export function useOverview() {
  const read = useApi<Overview>('/overview', { pollMs: POLL_MS });
  const states = useLiveDeviceStates();
  const lastRefresh = useRef(0);
  const { reload } = read;
  useEffect(() => {
    if (states.size === 0) return;
    const wait = Math.max(200, lastRefresh.current + LIVE_REFRESH_MS - Date.now());
    const timer = setTimeout(() => {
      lastRefresh.current = Date.now();
      void reload();
    }, wait);
    return () => clearTimeout(timer);
  }, [states, reload]);
  return read;
}
