/**
 * The dashboard store on both registry databases (SQLite, and a real PostgreSQL): who sees and changes which
 * dashboard, owners matched whatever the case of their name, and the per-user limit. The routes' own test covers the
 * HTTP side on SQLite.
 */
import { describe, expect, it } from 'vitest';
import { rolePermissions, type Principal, type Role } from '../../domain/auth/permissions.ts';
import { REGISTRY_DIALECTS, registryDatabases } from '../testing/registry-databases.ts';
import { DashboardStore, MAX_DASHBOARDS_PER_USER } from './dashboard-store.ts';

const databases = registryDatabases();
const permissions = rolePermissions();
const user = (username: string, role: Role, userId = 1): Principal => ({ userId, username, role, permissions: permissions[role], via: 'session' });
const alice = user('alice', 'operator', 1);
const bob = user('bob', 'engineer', 2);
const root = user('root', 'admin', 3);
const widget = { id: 'w1', type: 'value' as const, title: '', x: 0, y: 0, w: 3, h: 2, series: [{ productKey: 'pk', deviceName: 'd', property: 'temp' }] };

describe.each(REGISTRY_DIALECTS)('dashboards on %s', (dialect) => {
  it('keeps a personal dashboard its owner\'s alone, and lets everyone read a shared one that only its owner or an admin changes', async () => {
    const store = new DashboardStore(await databases.open(dialect));
    const mine = await store.create(alice, 'Boilers', [widget]);
    expect(mine).toMatchObject({ owner: 'alice', name: 'Boilers', shared: false, widgets: [widget], canEdit: true });
    expect(mine.id).toEqual(expect.any(Number));
    // Owners are matched whatever the case of the name they signed in with.
    expect((await store.list(user('ALICE', 'operator'))).map((d) => d.id)).toEqual([mine.id]);
    await expect(store.get(mine.id, bob)).rejects.toMatchObject({ status: 404 });
    await expect(store.get(mine.id, root)).rejects.toMatchObject({ status: 404 });

    const shared = await store.setShared(mine.id, alice, true);
    expect(shared.shared).toBe(true);
    expect(await store.get(mine.id, bob)).toMatchObject({ canEdit: false });
    await expect(store.update(mine.id, bob, { name: 'Mine now' })).rejects.toMatchObject({ status: 403, code: 'dashboard_read_only' });
    expect(await store.update(mine.id, root, { name: 'Boiler room' })).toMatchObject({ name: 'Boiler room', owner: 'alice' });
    // An admin unsharing it: answered, and then it is the owner's alone again.
    expect(await store.setShared(mine.id, root, false)).toMatchObject({ shared: false, canEdit: false });
    await expect(store.get(mine.id, root)).rejects.toMatchObject({ status: 404 });

    const other = await store.create(bob, 'another');
    expect((await store.list(bob)).map((d) => d.name)).toEqual(['another']);
    expect(await store.delete(other.id, bob)).toMatchObject({ name: 'another' });
    await expect(store.get(other.id, bob)).rejects.toMatchObject({ status: 404 });
    expect(await store.exportFile(mine.id, alice)).toEqual({ format: 'thingwire-dashboard', version: 1, name: 'Boiler room', widgets: [widget] });
  });

  it(`stops a user at ${MAX_DASHBOARDS_PER_USER} dashboards, also when they create several at once`, async () => {
    const store = new DashboardStore(await databases.open(dialect));
    await Promise.all(Array.from({ length: MAX_DASHBOARDS_PER_USER - 2 }, (_, i) => store.create(alice, `d${i}`)));
    const last = await Promise.allSettled([store.create(alice, 'x'), store.create(alice, 'y'), store.create(alice, 'z')]);
    expect(last.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(last.find((r) => r.status === 'rejected')).toMatchObject({ reason: { status: 409, code: 'too_many_dashboards' } });
    expect(await store.list(alice)).toHaveLength(MAX_DASHBOARDS_PER_USER);
  });
});
