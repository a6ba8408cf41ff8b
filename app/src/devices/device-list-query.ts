/**
 * The device list's filters and page live in the URL (`/devices?productKey=…&status=online&q=…&offset=…`), so a link
 * from the dashboard opens the filtered list and back/forward step through filter changes.
 */
import { queryString } from '../use-api.ts';
import type { DeviceStatus } from './device-list-api.ts';

export const PAGE_SIZE = 50;

/** What the list shows, as read from and written to the URL. */
export interface DeviceListQuery {
  productKey?: string;
  status?: DeviceStatus;
  enabled?: boolean;
  q?: string;
  /** `key:value` pairs; a device must carry each. */
  tags: string[];
  offset: number;
}

const STATUSES: readonly string[] = ['online', 'offline', 'inactive'];

/** The query of a URL search string; values the API would refuse are dropped rather than shown as an error. */
export function parseDeviceListQuery(search: string): DeviceListQuery {
  const params = new URLSearchParams(search);
  const status = params.get('status') ?? '';
  const enabled = params.get('enabled');
  const offset = Number(params.get('offset') ?? 0);
  return {
    productKey: params.get('productKey') || undefined,
    status: STATUSES.includes(status) ? (status as DeviceStatus) : undefined,
    enabled: enabled === 'true' ? true : enabled === 'false' ? false : undefined,
    q: params.get('q')?.trim().slice(0, 100) || undefined,
    tags: params.getAll('tag').filter((t) => t.indexOf(':') > 0).slice(0, 10),
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
  };
}

/** Whether any filter narrows the list (the page offset is not a filter). */
export function hasFilters(query: DeviceListQuery): boolean {
  return query.productKey !== undefined || query.status !== undefined || query.enabled !== undefined || query.q !== undefined || query.tags.length > 0;
}

function params(query: DeviceListQuery) {
  return {
    productKey: query.productKey, status: query.status, enabled: query.enabled, q: query.q, tag: query.tags,
    offset: query.offset || undefined,
  };
}

/** The app path of the list with this query. */
export function deviceListHref(query: DeviceListQuery): string {
  return `/devices${queryString(params(query))}`;
}

/** The API path listing a page for this query. */
export function deviceListApiPath(query: DeviceListQuery): string {
  return `/devices${queryString({ ...params(query), limit: PAGE_SIZE })}`;
}
