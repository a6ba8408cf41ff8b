/**
 * Live values for a dashboard's widgets, coalesced: one watcher per device the widgets show (the feed sends a watched
 * device's values at most every 250 ms), each value filed into one store, and the widgets told at most every
 * {@link FLUSH_MS} that something changed. Twelve widgets over fifty devices posting every second re-render about
 * twice a second each, not once per message. The devices' shadow (latest stored values) is read once as they are
 * first watched, so a widget shows a value before the device posts again. No polling.
 */
import { createContext, useContext, useEffect, useMemo, useSyncExternalStore } from 'react';
import { apiGet } from '../api.ts';
import { devicePath } from '../devices/device-detail-api.ts';
import { useLiveProperties } from '../live/device-feed.ts';
import { DashboardLive } from './live-store.ts';
import { deviceKey } from '../live/device-feed-client.ts';

export { DashboardLive, FLUSH_MS, type ValueAt } from './live-store.ts';

const LiveContext = createContext<DashboardLive | null>(null);
export const LiveProvider = LiveContext.Provider;

/** The page's store; re-renders the caller when its values change (at most every {@link FLUSH_MS}). */
export function useDashboardLive(): DashboardLive {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useDashboardLive outside a dashboard');
  useSyncExternalStore(live.subscribe, live.version, live.version);
  return live;
}

/** A store for the page's lifetime. */
export function useNewDashboardLive(): DashboardLive {
  const live = useMemo(() => new DashboardLive(), []);
  useEffect(() => () => live.dispose(), [live]);
  return live;
}

/** Watches one device on the feed and files its values in the store; renders nothing. */
function DeviceWatcher({ live, productKey, deviceName }: { live: DashboardLive; productKey: string; deviceName: string }) {
  const key = deviceKey(productKey, deviceName);
  const values = useLiveProperties(productKey, deviceName);
  useEffect(() => live.setLive(key, values), [live, key, values]);
  useEffect(() => {
    let current = true;
    apiGet<{ items: { identifier: string; value: unknown; time: string }[] }>(`${devicePath(productKey, deviceName)}/properties`).then((shadow) => {
      if (!current) return;
      live.setShadow(key, Object.fromEntries(shadow.items.map((p) => [p.identifier, { value: p.value, time: Date.parse(p.time) }])));
    }, () => undefined);
    return () => void (current = false);
  }, [live, key, productKey, deviceName]);
  return null;
}

/** One watcher per device in `devices` (keys `productKey/deviceName`). */
export function DeviceWatchers({ live, devices }: { live: DashboardLive; devices: readonly string[] }) {
  return devices.map((key) => {
    const slash = key.indexOf('/');
    return <DeviceWatcher key={key} live={live} productKey={key.slice(0, slash)} deviceName={key.slice(slash + 1)} />;
  });
}
