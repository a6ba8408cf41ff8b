/**
 * What the device detail page reads from the REST API, typed by the schemas the server validates and answers with
 * (`domain/devices/`, `domain/telemetry/telemetry-schemas.ts`), and the hooks that load and merge it with the live feed.
 */
import { useEffect, useState } from 'react';
import type { ConnectionPage } from '../../../domain/devices/device-hub-schemas.ts';
import type { Device } from '../../../domain/devices/device-schemas.ts';
import type { EventList, PropertyList } from '../../../domain/telemetry/telemetry-schemas.ts';
import type { TslDocument } from '../../../domain/thing-model/tsl-types.ts';
import { useLiveDeviceState, useLiveProperties } from '../live/device-feed.ts';
import { queryString, useApi } from '../use-api.ts';

export type { CommandResult, ConnectionLogItem, ConnectionPage, MessageLogItem, MessagePage } from '../../../domain/devices/device-hub-schemas.ts';
export type { ConnectionInfo, MqttEndpoint, SignedCredentials } from '../../../domain/devices/device-credential-schemas.ts';
export type { Device } from '../../../domain/devices/device-schemas.ts';
export type { Product } from '../../../domain/products/product-schemas.ts';

/** One stored event of the device (`GET …/events`). */
export type EventItem = EventList['items'][number];
/** One property of the device shadow (`GET …/properties`). */
export type PropertyItem = PropertyList['items'][number];

/** `/api/v1/devices/{pk}/{dn}` with both parts encoded. */
export const devicePath = (productKey: string, deviceName: string) =>
  `/devices/${encodeURIComponent(productKey)}/${encodeURIComponent(deviceName)}`;

/** The product's published thing model (the TSL devices are validated against), or null when none is published. */
export function usePublishedTsl(productKey: string): { tsl: TslDocument | null | undefined; version?: number; error?: Error } {
  const summary = useApi<{ published: { version: number } | null }>(`/products/${encodeURIComponent(productKey)}/thing-model`, { pollMs: 60_000 });
  const version = summary.data?.published?.version;
  const model = useApi<TslDocument>(version === undefined ? null : `/products/${encodeURIComponent(productKey)}/thing-model/versions/${version}`);
  if (summary.data && summary.data.published === null) return { tsl: null };
  return { tsl: model.data, version, error: summary.error ?? model.error };
}

/**
 * The device, polled every 5 s while the tab is visible, with its status taken from the live feed when the feed's
 * change is newer than the last poll.
 */
export function useDevice(productKey: string, deviceName: string) {
  const read = useApi<Device>(devicePath(productKey, deviceName), { pollMs: 5000 });
  const live = useLiveDeviceState(productKey, deviceName);
  let online = read.data?.status === 'online';
  // A live change newer than the poll's answer wins.
  if (live && live.at >= (read.receivedAt ?? 0)) online = live.online;
  return { ...read, online };
}

/** A property's latest value and when it was measured (ms). */
export interface LatestValue {
  value: unknown;
  time: number;
}

/**
 * The device's latest property values: the shadow polled every 3 s while the tab is visible, each value replaced by
 * the live feed's when that one is newer.
 */
export function useLatestValues(productKey: string, deviceName: string) {
  const read = useApi<{ items: PropertyItem[] }>(`${devicePath(productKey, deviceName)}/properties`, { pollMs: 3000 });
  const live = useLiveProperties(productKey, deviceName);
  const values = new Map<string, LatestValue>();
  for (const item of read.data?.items ?? []) values.set(item.identifier, { value: item.value, time: Date.parse(item.time) });
  for (const [identifier, pushed] of Object.entries(live)) {
    const polled = values.get(identifier);
    if (!polled || pushed.time >= polled.time) values.set(identifier, { value: pushed.value, time: pushed.time });
  }
  return { ...read, values, items: read.data?.items ?? [] };
}

/** The most recent connection events (for the facts of the current or last connection). */
export function useRecentConnections(productKey: string, deviceName: string, pollMs: number) {
  return useApi<ConnectionPage>(`${devicePath(productKey, deviceName)}/connections${queryString({ limit: 50 })}`, { pollMs });
}

/** `Date.now()` that ticks every `ms`, for countdowns and "ago" columns. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
