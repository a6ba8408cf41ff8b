import { Type } from '@sinclair/typebox';
import {
  Dashboard, DashboardFile, DashboardPatch, DashboardSummary, MAX_WIDGETS, NewDashboard,
} from '../../domain/dashboards/dashboard-schemas.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { RouteTable } from '../http/route-table.ts';
import { checkWidgets, type DashboardStore } from './dashboard-store.ts';

const Params = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const readOnly = 'dashboard_read_only: someone else\'s shared dashboard (only its owner or an admin changes it)';
const invalid = `validation_failed: the widgets do not fit the 12-column grid, repeat an id, miss what their type needs or are more than ${MAX_WIDGETS}; details: [{path, message}]`;

/** A file name for the export: the dashboard's name in safe characters. */
const fileName = (name: string) => `${name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'dashboard'}.dashboard.json`;

/**
 * `/api/v1/dashboards`: the caller's dashboards and the shared ones; create, rename and lay out (the widgets array),
 * share (`dashboards:share`), delete, export as a `thingwire-dashboard` file and import one. Every change is audited.
 */
export function registerDashboardRoutes(table: RouteTable, dashboards: DashboardStore, auth: Pick<AuthService, 'audit'>): void {
  /** A new personal dashboard, made from a body or an imported file, audited as `action`. */
  const created = async (action: string, principal: Parameters<DashboardStore['create']>[0], body: { name: string; widgets?: Parameters<DashboardStore['create']>[2] }) => {
    const d = await dashboards.create(principal, body.name, body.widgets);
    await auth.audit(principal.username, action, `dashboard:${d.id}`, { name: d.name, widgets: d.widgets.length });
    return d;
  };
  table.add({
    method: 'get', path: '/dashboards', access: 'dashboards:own', tag: 'dashboards',
    summary: 'Your dashboards and every shared one, by name (without their widgets)',
    response: Type.Object({ items: Type.Array(DashboardSummary) }),
    handler: async ({ principal }) => ({ items: await dashboards.list(principal) }),
  });
  table.add({
    method: 'post', path: '/dashboards', access: 'dashboards:own', tag: 'dashboards', status: 201,
    summary: 'Create a personal dashboard, empty or with widgets',
    body: NewDashboard, response: Dashboard,
    errors: { 422: invalid, 409: 'too_many_dashboards: the caller owns 100 already' },
    handler: ({ body, principal }) => created('dashboard.create', principal, body),
  });
  table.add({
    method: 'post', path: '/dashboards/import', access: 'dashboards:own', tag: 'dashboards', status: 201,
    summary: 'Create a personal dashboard from an exported file ({format: "thingwire-dashboard", version: 1, name, widgets}); it is checked strictly',
    body: DashboardFile, response: Dashboard,
    errors: { 422: invalid, 409: 'too_many_dashboards: the caller owns 100 already' },
    handler: ({ body, principal }) => created('dashboard.import', principal, body),
  });
  table.add({
    method: 'get', path: '/dashboards/:id', access: 'dashboards:own', tag: 'dashboards',
    summary: 'One dashboard with its widgets; 404 for someone else\'s personal dashboard',
    params: Params, response: Dashboard,
    handler: ({ params, principal }) => dashboards.get(params.id, principal),
  });
  table.add({
    method: 'get', path: '/dashboards/:id/export', access: 'dashboards:own', tag: 'dashboards',
    summary: 'The dashboard as a file to import elsewhere: {format: "thingwire-dashboard", version: 1, name, widgets} (Content-Disposition: attachment)',
    params: Params, response: DashboardFile,
    async handler({ params, principal, res }) {
      const file = await dashboards.exportFile(params.id, principal);
      res.setHeader('content-disposition', `attachment; filename="${fileName(file.name)}"`);
      return file;
    },
  });
  table.add({
    method: 'patch', path: '/dashboards/:id', access: 'dashboards:own', tag: 'dashboards',
    summary: 'Rename it or replace its widgets and layout; only its owner (or an admin, for a shared one)',
    params: Params, body: DashboardPatch, response: Dashboard,
    errors: { 403: readOnly, 422: invalid },
    async handler({ params, body, principal }) {
      if (body.widgets) checkWidgets(body.widgets);
      const d = await dashboards.update(params.id, principal, body);
      await auth.audit(principal.username, 'dashboard.update', `dashboard:${d.id}`, {
        ...(body.name === undefined ? {} : { name: body.name }), ...(body.widgets ? { widgets: body.widgets.length } : {}),
      });
      return d;
    },
  });
  table.add({
    method: 'put', path: '/dashboards/:id/shared', access: 'dashboards:share', tag: 'dashboards',
    summary: 'Share it with every signed-in user (true) or make it personal again (false); its owner or an admin',
    params: Params, body: Type.Object({ shared: Type.Boolean() }, { additionalProperties: false }), response: Dashboard,
    errors: { 403: readOnly },
    async handler({ params, body, principal }) {
      const d = await dashboards.setShared(params.id, principal, body.shared);
      await auth.audit(principal.username, body.shared ? 'dashboard.share' : 'dashboard.unshare', `dashboard:${d.id}`, { name: d.name, owner: d.owner });
      return d;
    },
  });
  table.add({
    method: 'delete', path: '/dashboards/:id', access: 'dashboards:own', tag: 'dashboards',
    summary: 'Delete it; only its owner (or an admin, for a shared one)',
    params: Params,
    errors: { 403: readOnly },
    async handler({ params, principal }) {
      const d = await dashboards.delete(params.id, principal);
      await auth.audit(principal.username, 'dashboard.delete', `dashboard:${d.id}`, { name: d.name, owner: d.owner, shared: d.shared });
      return undefined;
    },
  });
}
