/**
 * What the device detail page reads from the REST API, typed as the server's schemas answer it
 * (`server/devices/device-schemas.ts`, `server/device-hub/device-hub-schemas.ts`, `server/telemetry/telemetry-schemas.ts`,
 * `server/devices/device-credentials-routes.ts`), and the hooks that load and merge it with the live feed.
 */
import { useEffect, useState } from 'react';
import type { TslDocument } from '../../../server/thing-model/tsl-types.ts';
import { useLiveDeviceState, useLiveProperties } from '../live/device-feed.ts';
import { queryString, useApi } from '../use-api.ts';

export interface Device {
  productKey: string;
  deviceName: string;
  description: string;
  tags: Record<string, string>;
  enabled: boolean;
  status: 'online' | 'offline' | 'inactive';
  lastOnlineAt: string | null;
  lastSeenAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Product {
  productKey: string;
  name: string;
  dialect: 'alink' | 'things';
  auth: { signMethods: string[]; timestampWindowSeconds: number; requireTimestamp: boolean };
}

export interface PageOf<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface ConnectionItem {
  id: number;
  at: string;
  event: 'connected' | 'disconnected' | 'refused';
  reason: string | null;
  remoteAddress: string | null;
  protocol: string | null;
  dialect: string | null;
  clientId: string | null;
}

export interface MessageItem {
  id: number;
  at: string;
  direction: 'up' | 'down';
  kind: string | null;
  identifier: string | null;
  topic: string | null;
  msgId: string | null;
  code: number | null;
  reason: string | null;
  payload: string | null;
  payloadTruncated: boolean;
}

export interface EventItem {
  deviceName: string;
  time: string;
  receivedAt: string;
  eventId: string;
  type: 'info' | 'alert' | 'error';
  data: Record<string, unknown>;
}

export interface PropertyItem {
  identifier: string;
  value: unknown;
  time: string;
  name?: string;
  unit?: string;
}

export interface MqttEndpoint {
  transport: 'mqtt' | 'mqtts' | 'ws' | 'wss';
  host: string;
  port: number;
  url: string;
}

/** `GET …/connection-info`: for everyone who may read the device. */
export interface ConnectionInfo {
  username: string;
  clientId: string;
  signMethod: string;
  timestampWindowSeconds: number;
  endpoints: MqttEndpoint[];
}

/** `POST …/credentials`: signed on the server (devices:write). */
export interface SignedCredentials {
  clientId: string;
  username: string;
  password: string;
  signMethod: string;
  timestamp: number;
  validUntil: string;
  endpoints: MqttEndpoint[];
}

/** `POST …/commands`: the device's reply code, or 503 offline, 504 no reply in time, 202 queued. */
export interface CommandResult {
  id: string;
  code: number;
  data?: unknown;
  message?: string;
}

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
  return useApi<PageOf<ConnectionItem>>(`${devicePath(productKey, deviceName)}/connections${queryString({ limit: 50 })}`, { pollMs });
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
