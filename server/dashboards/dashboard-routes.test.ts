/**
 * `/api/v1/dashboards` on a real server (SQLite, HTTP): personal and shared dashboards, who may change which, the
 * export file and a strict import, and the audit of every change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

let tw: TestServer;
let admin: string;
let engineer: string;
let operator: string;

const widget = (id: string, extra: Record<string, unknown> = {}) => ({
  id, type: 'value', title: '', x: 0, y: 0, w: 3, h: 2, series: [{ productKey: 'a1sensor', deviceName: 'room-1', property: 'temperature' }], ...extra,
});
const api = (method: string, path: string, token: string, body?: unknown) => tw.request(method, `/api/v1${path}`, { token, body });

beforeAll(async () => {
  tw = await startTestServer();
  admin = tw.adminToken;
  [engineer, operator] = await Promise.all([tw.tokenFor('engineer'), tw.tokenFor('operator')]);
});
afterAll(() => tw?.close());

describe('dashboards', () => {
  it('creates, lays out, renames, lists and deletes a personal dashboard, audited', async () => {
    const created = await api('POST', '/dashboards', operator, { name: 'Boilers' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ owner: 'operator1', name: 'Boilers', shared: false, widgets: [], canEdit: true });
    const id = created.body.id as number;

    const widgets = [widget('w1'), widget('w2', { type: 'chart', x: 3, w: 9, h: 4 }), { id: 'w3', type: 'rate', title: 'Rate', x: 0, y: 4, w: 4, h: 2 },
      { id: 'w4', type: 'status-map', title: '', x: 4, y: 4, w: 8, h: 3, tag: 'room', productKey: 'a1sensor' }, { id: 'w5', type: 'alerts', title: '', x: 0, y: 7, w: 12, h: 3 }];
    const laid = await api('PATCH', `/dashboards/${id}`, operator, { widgets, name: 'Boiler room' });
    expect(laid.status).toBe(200);
    expect(laid.body).toMatchObject({ name: 'Boiler room', widgets });
    expect((await api('GET', `/dashboards/${id}`, operator)).body.widgets).toEqual(widgets);
    expect((await api('GET', '/dashboards', operator)).body.items).toEqual([expect.objectContaining({ id, name: 'Boiler room', widgetCount: 5, canEdit: true })]);

    // Someone else's personal dashboard does not exist for them, not even for an admin.
    expect((await api('GET', `/dashboards/${id}`, engineer)).status).toBe(404);
    expect((await api('GET', `/dashboards/${id}`, admin)).status).toBe(404);
    expect((await api('PATCH', `/dashboards/${id}`, admin, { name: 'mine now' })).status).toBe(404);
    expect((await api('DELETE', `/dashboards/${id}`, engineer)).status).toBe(404);
    expect((await api('GET', '/dashboards', engineer)).body.items).toEqual([]);

    expect((await api('DELETE', `/dashboards/${id}`, operator)).status).toBe(204);
    expect((await api('GET', `/dashboards/${id}`, operator)).status).toBe(404);
    const audit = (await api('GET', '/audit?limit=50', admin)).body;
    const actions = (audit.items as { action: string; target: string }[]).filter((e) => e.target === `dashboard:${id}`).map((e) => e.action);
    expect(actions.sort()).toEqual(['dashboard.create', 'dashboard.delete', 'dashboard.update']);
  });

  it('refuses layouts that do not fit the grid or miss what a widget needs, with each problem', async () => {
    const { body: { id } } = await api('POST', '/dashboards', engineer, { name: 'Layout' });
    const bad = await api('PATCH', `/dashboards/${id}`, engineer, {
      widgets: [widget('a', { x: 10, w: 4 }), widget('a', { type: 'gauge', series: [] }), widget('c', { type: 'chart', series: undefined }), { id: 'd', type: 'status-map', title: '', x: 0, y: 0, w: 2, h: 2 }],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.details).toEqual(expect.arrayContaining([
      { path: '/widgets/0/w', message: expect.stringContaining('12 columns') },
      { path: '/widgets/1/id', message: expect.stringContaining('another widget') },
      { path: '/widgets/1/series', message: expect.stringContaining('exactly one') },
      { path: '/widgets/2/series', message: expect.stringContaining('1 to 8') },
      { path: '/widgets/3/tag', message: expect.stringContaining('tag') },
    ]));
    const unknown = await api('PATCH', `/dashboards/${id}`, engineer, { widgets: [widget('x', { type: 'pie', colour: 'red', w: 0 })] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details).toEqual(expect.arrayContaining([
      { path: '/widgets/0/type', message: expect.stringContaining('must be one of value, gauge, chart') },
      { path: '/widgets/0/colour', message: 'is not a known field' },
      { path: '/widgets/0/w', message: expect.any(String) },
    ]));
    const tooMany = await api('PATCH', `/dashboards/${id}`, engineer, { widgets: Array.from({ length: 51 }, (_, i) => widget(`w${i}`)) });
    expect(tooMany.status).toBe(422);
    // More devices than the live feed watches for one page.
    const chart = (i: number) => widget(`c${i}`, { type: 'chart', series: Array.from({ length: 8 }, (_, k) => ({ productKey: 'a1sensor', deviceName: `d-${i}-${k}`, property: 't' })) });
    const wide = await api('PATCH', `/dashboards/${id}`, engineer, { widgets: Array.from({ length: 13 }, (_, i) => chart(i)) });
    expect(wide.status).toBe(422);
    expect(wide.body.error.details).toEqual([{ path: '/widgets', message: expect.stringContaining('at most 100') }]);
    expect((await api('GET', `/dashboards/${id}`, engineer)).body.widgets).toEqual([]);
  });

  it('shares a dashboard with everyone to look at; only its owner or an admin changes it; operators cannot share', async () => {
    const { body: mine } = await api('POST', '/dashboards', operator, { name: 'Night shift', widgets: [widget('w1')] });
    const refused = await api('PUT', `/dashboards/${mine.id}/shared`, operator, { shared: true });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden', details: { permission: 'dashboards:share' } });

    const { body: plant } = await api('POST', '/dashboards', engineer, { name: 'Plant', widgets: [widget('w1')] });
    const shared = await api('PUT', `/dashboards/${plant.id}/shared`, engineer, { shared: true });
    expect(shared.status).toBe(200);
    expect(shared.body).toMatchObject({ shared: true, owner: 'engineer1' });

    // The operator sees it, may not change it.
    const seen = await api('GET', `/dashboards/${plant.id}`, operator);
    expect(seen.body).toMatchObject({ name: 'Plant', shared: true, canEdit: false });
    expect((await api('GET', '/dashboards', operator)).body.items.map((d: { name: string }) => d.name)).toEqual(['Night shift', 'Plant']);
    for (const [method, path, body] of [
      ['PATCH', `/dashboards/${plant.id}`, { name: 'Mine' }], ['PATCH', `/dashboards/${plant.id}`, { widgets: [] }], ['DELETE', `/dashboards/${plant.id}`, undefined],
    ] as const) {
      const res = await api(method, path, operator, body);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('dashboard_read_only');
    }
    expect((await api('PUT', `/dashboards/${plant.id}/shared`, operator, { shared: false })).status).toBe(403);

    // An admin may change and unshare someone's shared dashboard.
    expect((await api('PATCH', `/dashboards/${plant.id}`, admin, { name: 'Plant floor' })).body).toMatchObject({ name: 'Plant floor', canEdit: true });
    expect((await api('PUT', `/dashboards/${plant.id}/shared`, admin, { shared: false })).body.shared).toBe(false);
    expect((await api('GET', `/dashboards/${plant.id}`, operator)).status).toBe(404);
    // Unshared, it is the engineer's alone again: the admin no longer sees it.
    expect((await api('GET', `/dashboards/${plant.id}`, admin)).status).toBe(404);
    expect((await api('GET', `/dashboards/${plant.id}`, engineer)).body).toMatchObject({ name: 'Plant floor', shared: false });
  });

  it('exports a dashboard as a file and imports it as a new personal dashboard; junk is refused with what is wrong', async () => {
    const { body: src } = await api('POST', '/dashboards', engineer, {
      name: 'Export me / v2', widgets: [widget('w1'), { id: 'r', type: 'rate', title: 'Messages', x: 3, y: 0, w: 4, h: 2 }],
    });
    const exported = await api('GET', `/dashboards/${src.id}/export`, engineer);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toBe('attachment; filename="Export-me-v2.dashboard.json"');
    expect(exported.body).toEqual({ format: 'thingwire-dashboard', version: 1, name: 'Export me / v2', widgets: src.widgets });

    const imported = await api('POST', '/dashboards/import', operator, exported.body);
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({ owner: 'operator1', shared: false, name: 'Export me / v2', widgets: src.widgets });
    expect(imported.body.id).not.toBe(src.id);

    for (const junk of [
      [1, 2, 3],
      { format: 'grafana', version: 1, name: 'x', widgets: [] },
      { format: 'thingwire-dashboard', version: 2, name: 'x', widgets: [] },
      { format: 'thingwire-dashboard', version: 1, name: '', widgets: [{ id: 'w', type: 'value' }] },
      { ...exported.body, widgets: [{ ...src.widgets[0], x: 11 }] },
      { ...exported.body, widgets: [{ ...src.widgets[0], series: [{ productKey: 'a b', deviceName: 'x', property: '1; drop' }] }] },
      { ...exported.body, widgets: Array.from({ length: 60 }, (_, i) => widget(`w${i}`)) },
      { ...exported.body, extra: true },
    ]) {
      const res = await api('POST', '/dashboards/import', operator, junk);
      expect(res.status, JSON.stringify(junk).slice(0, 80)).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details.length).toBeGreaterThan(0);
    }
    const malformed = await tw.request('POST', '/api/v1/dashboards/import', { token: operator, body: '{"format":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect((await api('GET', '/dashboards', operator)).body.items.filter((d: { name: string }) => d.name === 'Export me / v2')).toHaveLength(1);
  });

  it('asks for a sign-in, and documents every route with its permission', async () => {
    expect((await tw.request('GET', '/api/v1/dashboards')).status).toBe(401);
    const doc = (await tw.request('GET', '/api/v1/openapi.json')).body;
    expect(doc.paths['/api/v1/dashboards/{id}/shared'].put['x-permission']).toBe('dashboards:share');
    expect(doc.paths['/api/v1/dashboards/import'].post['x-permission']).toBe('dashboards:own');
  });
});
