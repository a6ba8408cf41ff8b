/**
 * What the dashboard screens read and send: `/api/v1/dashboards` (shapes: `domain/dashboards/dashboard-schemas.ts`),
 * and which dashboard a user looked at last (this browser remembers it per user).
 */
import type { Dashboard, DashboardFile, DashboardSummary, Widget } from '../../../domain/dashboards/dashboard-schemas.ts';
import { apiGet, apiRequest } from '../api.ts';

export type { Dashboard, DashboardFile, DashboardSummary, Widget, WidgetSeries, WidgetType } from '../../../domain/dashboards/dashboard-schemas.ts';
export { DASHBOARD_FORMAT, MAX_SERIES, MAX_WIDGETS, WIDGET_TYPES } from '../../../domain/dashboards/dashboard-schemas.ts';

/** The built-in fleet overview, in the picker as a dashboard of its own. */
export const FLEET = 'fleet';

const path = (id: number) => `/dashboards/${id}`;

export const dashboardApi = {
  list: () => apiGet<{ items: DashboardSummary[] }>('/dashboards'),
  get: (id: number) => apiGet<Dashboard>(path(id)),
  create: (name: string, widgets: Widget[] = []) => apiRequest<Dashboard>('POST', '/dashboards', { name, widgets }),
  update: (id: number, patch: { name?: string; widgets?: Widget[] }) => apiRequest<Dashboard>('PATCH', path(id), patch),
  share: (id: number, shared: boolean) => apiRequest<Dashboard>('PUT', `${path(id)}/shared`, { shared }),
  remove: (id: number) => apiRequest<void>('DELETE', path(id)),
  exportFile: (id: number) => apiGet<DashboardFile>(`${path(id)}/export`),
  importFile: (file: unknown) => apiRequest<Dashboard>('POST', '/dashboards/import', file),
};

const storageKey = (username: string) => `thingwire.dashboard.${username}`;

/** The dashboard this user last chose in this browser: an id, or {@link FLEET}. */
export function rememberedDashboard(username: string): string | null {
  try {
    return window.localStorage.getItem(storageKey(username));
  } catch {
    return null;
  }
}

export function rememberDashboard(username: string, choice: string): void {
  try {
    window.localStorage.setItem(storageKey(username), choice);
  } catch {
    // Private mode or storage full: the choice is still in the address.
  }
}

/** The export's file name: the dashboard's name in safe characters (as the API's Content-Disposition says it). */
export const exportFileName = (name: string) =>
  `${name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'dashboard'}.dashboard.json`;

/** A new widget id, unique within `widgets`. */
export function newWidgetId(widgets: readonly Widget[]): string {
  for (let n = widgets.length + 1; ; n++) {
    const id = `w${n}`;
    if (!widgets.some((w) => w.id === id)) return id;
  }
}
