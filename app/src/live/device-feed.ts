/**
 * React hooks over the live device feed (`/api/v1/live/devices`): one socket for the whole app, opened when the first
 * hook mounts and closed shortly after the last one unmounts (see `device-feed-client.ts`). Each hook reads a snapshot
 * that changes only when its own data does, so a push re-renders only the components it concerns.
 *
 * What the feed pushes is what changed since the page loaded (or the hook mounted); screens start from what the REST
 * API answered and take a pushed value when it is newer.
 */
import { useCallback, useEffect, useEffectEvent, useSyncExternalStore } from 'react';
import {
  createDeviceFeedClient,
  deviceKey,
  type DeviceFeedClient,
  type LiveDeviceState,
  type LiveEvent,
  type LivePropertyValue,
  type LiveRate,
} from './device-feed-client.ts';
import type { AlertFeedTransition, OpenAlertCounts } from '../../../domain/alerts/alert-feed.ts';
import type { OtaEvent } from '../../../domain/ota/ota-schemas.ts';

export type { LiveDeviceState, LivePropertyValue, LiveRate } from './device-feed-client.ts';

let client: DeviceFeedClient | undefined;
/** The app's one feed client, created on first use (nothing connects until a hook mounts). */
function feed(): DeviceFeedClient {
  return (client ??= createDeviceFeedClient());
}

const nothing = () => undefined;
const noStates: ReadonlyMap<string, LiveDeviceState> = new Map();
const noProperties: Readonly<Record<string, LivePropertyValue>> = Object.freeze({});
const noRates: readonly LiveRate[] = [];

/** Keeps the socket open while subscribed, and listens with `listen`. */
function retained(listen: (c: DeviceFeedClient, listener: () => void) => () => void) {
  return (listener: () => void) => {
    const c = feed();
    const release = c.retain();
    const off = listen(c, listener);
    return () => {
      off();
      release();
    };
  };
}

const subscribeStates = retained((c, l) => c.subscribeStates(l));
const subscribeRate = retained((c, l) => c.subscribeRate(l));
const subscribeConnection = retained((c, l) => c.subscribeConnection(l));

/** The state of one device pushed since the page loaded (undefined: no change seen; use what the API answered). */
export function useLiveDeviceState(productKey: string, deviceName: string): LiveDeviceState | undefined {
  const key = deviceKey(productKey, deviceName);
  const read = useCallback(() => feed().deviceState(key), [key]);
  return useSyncExternalStore(subscribeStates, read, nothing);
}

/** States of every device pushed since the page loaded, keyed `productKey/deviceName` (for lists). */
export function useLiveDeviceStates(): ReadonlyMap<string, LiveDeviceState> {
  return useSyncExternalStore(subscribeStates, () => feed().deviceStates(), () => noStates);
}

/** Latest property values of one device pushed since the hook mounted, merged per identifier. */
export function useLiveProperties(productKey: string, deviceName: string): Readonly<Record<string, LivePropertyValue>> {
  const key = deviceKey(productKey, deviceName);
  const subscribe = useCallback((listener: () => void) => {
    const c = feed();
    const unwatch = c.watch(key);
    const off = c.subscribeProperties(key, listener);
    return () => {
      off();
      unwatch();
    };
  }, [key]);
  const read = useCallback(() => feed().properties(key), [key]);
  return useSyncExternalStore(subscribe, read, () => noProperties);
}

/** Calls `listener` for each event the device posts while mounted. */
export function useLiveEvents(productKey: string, deviceName: string, listener: (event: { identifier: string; params: unknown; at: number }) => void): void {
  const onEvent = useEffectEvent(listener);
  const key = deviceKey(productKey, deviceName);
  useEffect(() => {
    const c = feed();
    const unwatch = c.watch(key);
    const off = c.subscribeEvents(key, (event: LiveEvent) => onEvent(event));
    return () => {
      off();
      unwatch();
    };
  }, [key]);
}

/**
 * Calls `listener` with the OTA events of each push while mounted (device upgrades and campaigns changing state), and
 * `onOpened` each time the socket opens after the hook mounted: what changed before then was not pushed, so a screen
 * reads again.
 */
export function useLiveOta(listener: (events: readonly OtaEvent[]) => void, onOpened?: () => void): void {
  const onEvents = useEffectEvent(listener);
  const opened = useEffectEvent(() => onOpened?.());
  useEffect(() => {
    const c = feed();
    const release = c.retain();
    const off = c.subscribeOta((events) => onEvents(events));
    let state = c.connectionState();
    const offConnection = c.subscribeConnection(() => {
      const next = c.connectionState();
      if (next !== state && next === 'open') opened();
      state = next;
    });
    return () => {
      offConnection();
      off();
      release();
    };
  }, []);
}

/** Messages per second across the fleet, pushed every second. */
export function useLiveRate(): LiveRate | undefined {
  return useSyncExternalStore(subscribeRate, () => feed().rate(), nothing);
}

/** The rate pushes of about the last minute, oldest first (for a sparkline). */
export function useLiveRateHistory(): readonly LiveRate[] {
  return useSyncExternalStore(subscribeRate, () => feed().rateHistory(), () => noRates);
}

/** Whether the feed's socket is connected. */
export function useLiveConnection(): 'connecting' | 'open' | 'closed' {
  return useSyncExternalStore(subscribeConnection, () => feed().connectionState(), () => 'closed' as const);
}

const subscribeAlertCounts = retained((c, l) => c.subscribeAlerts(() => l()));

/** Open alerts by state and severity, live (undefined until the socket's first push). */
export function useLiveAlertCounts(): OpenAlertCounts | undefined {
  return useSyncExternalStore(subscribeAlertCounts, () => feed().alertCounts(), nothing);
}

/**
 * Calls `listener` with the transitions of each alerts push while mounted (and with none on the push a socket opens
 * with, after a reconnect too: a screen reads again then, as something may have changed meanwhile).
 */
export function useLiveAlerts(listener: (transitions: readonly AlertFeedTransition[]) => void): void {
  const onPush = useEffectEvent(listener);
  useEffect(() => {
    const c = feed();
    const release = c.retain();
    const off = c.subscribeAlerts((transitions) => onPush(transitions));
    return () => {
      off();
      release();
    };
  }, []);
}
