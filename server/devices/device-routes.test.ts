import path from 'node:path';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

let tw: TestServer;
let engineer: string;
let operator: string;
beforeAll(async () => {
  tw = await startTestServer();
  engineer = await tw.tokenFor('engineer');
  operator = await tw.tokenFor('operator');
  for (const productKey of ['plug', 'meter', 'paging']) {
    await tw.request('POST', '/api/v1/products', { token: engineer, body: { productKey, name: productKey } });
  }
});
afterAll(() => tw?.close());

const createDevice = (body: object) => tw.request('POST', '/api/v1/devices', { token: engineer, body });
const list = async (query: string) => {
  const res = await tw.request('GET', `/api/v1/devices?${query}`, { token: operator });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { items: { productKey: string; deviceName: string }[]; total: number; limit: number; offset: number };
};
const names = (page: { items: { deviceName: string }[] }) => page.items.map((d) => d.deviceName);

describe('creating devices', () => {
  it('returns the device with its secret once, and a generated name when none is given', async () => {
    const res = await createDevice({ productKey: 'plug', description: 'kitchen plug', tags: { room: 'kitchen', floor: '1' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      productKey: 'plug', description: 'kitchen plug', tags: { floor: '1', room: 'kitchen' }, enabled: true, status: 'inactive', lastOnlineAt: null,
    });
    expect(res.body.deviceName).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(res.body.deviceSecret).toMatch(/^[0-9a-f]{64}$/);

    const got = await tw.request('GET', `/api/v1/devices/plug/${res.body.deviceName}`, { token: operator });
    const { deviceSecret, ...device } = res.body;
    expect(got.body).toEqual(device);
    expect(JSON.stringify(got.body)).not.toContain(deviceSecret);
  });

  it('accepts every character the protocol allows in a device name, in the path as well', async () => {
    expect((await createDevice({ productKey: 'plug', deviceName: 'gw-01.a_b:c@d' })).status).toBe(201);
    expect((await tw.request('GET', '/api/v1/devices/plug/gw-01.a_b:c@d', { token: operator })).body.deviceName).toBe('gw-01.a_b:c@d');
    expect((await tw.request('GET', `/api/v1/devices/plug/${encodeURIComponent('gw-01.a_b:c@d')}`, { token: operator })).status).toBe(200);
  });

  it('refuses an unknown product with 404, a taken name with 409 and a bad name or tag with 422', async () => {
    const unknown = await createDevice({ productKey: 'nope', deviceName: 'd' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: { code: 'not_found', message: 'Product "nope" does not exist; create the product first.' } });

    await createDevice({ productKey: 'plug', deviceName: 'twice' });
    const duplicate = await createDevice({ productKey: 'plug', deviceName: 'twice' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toEqual({ code: 'device_exists', message: 'Product "plug" already has a device named "twice".' });
    // The same name in another product is a different device.
    expect((await createDevice({ productKey: 'meter', deviceName: 'twice' })).status).toBe(201);

    const bad = await createDevice({ productKey: 'plug', deviceName: 'no spaces', tags: { 'a:b': 'x', ok: 'semi;colon' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['/deviceName', '/tags', '/tags/ok']));
  });
});

describe('changing and deleting devices', () => {
  it('replaces tags, changes the description and the enabled flag', async () => {
    await createDevice({ productKey: 'meter', deviceName: 'm1', description: 'old', tags: { a: '1', b: '2' } });
    const res = await tw.request('PATCH', '/api/v1/devices/meter/m1', { token: engineer, body: { tags: { c: '3' }, enabled: false } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ description: 'old', tags: { c: '3' }, enabled: false });
    const desc = await tw.request('PATCH', '/api/v1/devices/meter/m1', { token: engineer, body: { description: '' } });
    expect(desc.body).toMatchObject({ description: '', tags: { c: '3' }, enabled: false });
  });

  it('deletes a device, after which it is gone', async () => {
    await createDevice({ productKey: 'meter', deviceName: 'gone' });
    expect((await tw.request('DELETE', '/api/v1/devices/meter/gone', { token: engineer })).status).toBe(204);
    expect((await tw.request('GET', '/api/v1/devices/meter/gone', { token: engineer })).status).toBe(404);
    const again = await tw.request('DELETE', '/api/v1/devices/meter/gone', { token: engineer });
    expect(again.body).toEqual({ error: { code: 'not_found', message: 'Device "meter/gone" does not exist.' } });
  });
});

describe('listing devices', () => {
  beforeAll(async () => {
    const devices = Array.from({ length: 30 }, (_, i) => ({
      productKey: 'paging',
      deviceName: `node-${String(i).padStart(2, '0')}`,
      description: i % 3 === 0 ? `Boiler ${i} in the 100% zone` : `pump ${i}`,
      tags: { site: i < 10 ? 'north' : 'south', kind: i % 2 ? 'odd' : 'even' },
    }));
    expect((await tw.request('POST', '/api/v1/devices/bulk', { token: engineer, body: { devices } })).status).toBe(201);
    await tw.request('PATCH', '/api/v1/devices/paging/node-05', { token: engineer, body: { enabled: false } });
    // Connection status is the device hub's to set; until it lands, set it as the hub will.
    tw.app.db.prepare("UPDATE devices SET status = 'online', last_online_at = ? WHERE device_name IN ('node-01', 'node-02')")
      .run(new Date().toISOString());
    tw.app.db.prepare("UPDATE devices SET status = 'offline' WHERE device_name = 'node-03'").run();
  });

  it('pages in name order with the total across pages', async () => {
    const page = await list('productKey=paging&limit=10&offset=20');
    expect(page).toMatchObject({ total: 30, limit: 10, offset: 20 });
    expect(names(page)).toEqual(Array.from({ length: 10 }, (_, i) => `node-${20 + i}`));
    expect((await list('productKey=paging')).items).toHaveLength(30);
    expect((await list('productKey=paging&offset=29')).items).toHaveLength(1);
    const tooMany = await tw.request('GET', '/api/v1/devices?limit=501', { token: operator });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.details).toEqual([{ path: '/limit', message: 'must be <= 500' }]);
  });

  it('filters by product, status and enabled', async () => {
    expect(names(await list('productKey=paging&status=online'))).toEqual(['node-01', 'node-02']);
    expect(names(await list('productKey=paging&status=offline'))).toEqual(['node-03']);
    expect((await list('productKey=paging&status=inactive')).total).toBe(27);
    expect(names(await list('enabled=false&productKey=paging'))).toEqual(['node-05']);
    expect((await list('enabled=true&productKey=paging')).total).toBe(29);
    expect((await list('productKey=meter')).items.every((d) => d.productKey === 'meter')).toBe(true);
  });

  it('filters by one tag or several, all of which must match', async () => {
    expect((await list('tag=site:north')).total).toBe(10);
    expect(names(await list('tag=site:north&tag=kind:odd'))).toEqual(['node-01', 'node-03', 'node-05', 'node-07', 'node-09']);
    expect((await list('tag=site:east')).total).toBe(0);
    expect((await tw.request('GET', '/api/v1/devices?tag=no-colon', { token: operator })).status).toBe(422);
  });

  it('searches names and descriptions, ignoring case, with % and _ taken literally', async () => {
    expect(names(await list('q=BOILER&limit=3'))).toEqual(['node-00', 'node-03', 'node-06']);
    expect((await list('q=boiler')).total).toBe(10);
    expect(names(await list('q=node-1'))).toHaveLength(10);
    expect((await list(`q=${encodeURIComponent('100%')}`)).total).toBe(10);
    expect((await list(`q=${encodeURIComponent('0%_')}`)).total).toBe(0);
  });

  it('never shows a secret', async () => {
    const res = await tw.request('GET', '/api/v1/devices?limit=500', { token: tw.adminToken });
    expect(res.body.items.length).toBeGreaterThan(30);
    for (const device of res.body.items) {
      expect(Object.keys(device).sort()).toEqual(
        ['createdAt', 'description', 'deviceName', 'enabled', 'gateway', 'lastOnlineAt', 'lastSeenAt', 'nodeType', 'productKey', 'status', 'tags', 'updatedAt'],
      );
    }
  });
});

describe('secrets at rest', () => {
  it('keeps no plain device or product secret anywhere in the SQLite files', async () => {
    const product = await tw.request('POST', '/api/v1/products', { token: engineer, body: { productKey: 'vault', name: 'vault' } });
    const plain: string[] = [product.body.productSecret];
    for (const deviceName of ['v1', 'v2']) plain.push((await createDevice({ productKey: 'vault', deviceName })).body.deviceSecret);
    plain.push((await tw.request('POST', '/api/v1/devices/vault/v1/secret/rotate', { token: tw.adminToken })).body.deviceSecret);
    for (const s of plain) expect(s).toMatch(/^[0-9a-f]{64}$/);

    const file = path.join(tw.dataDir, 'thingwire.db');
    const db = new Database(file, { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      expect(tables).toEqual(expect.arrayContaining(['products', 'devices', 'audit_log']));
      for (const table of tables) {
        for (const row of db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]) {
          for (const value of Object.values(row)) {
            for (const s of plain) expect(String(value)).not.toContain(s);
          }
        }
      }
      expect(db.prepare("SELECT device_secret FROM devices WHERE product_key = 'vault'").pluck().all())
        .toEqual([expect.stringMatching(/^v1:/), expect.stringMatching(/^v1:/)]);
    } finally {
      db.close();
    }
    // Also the raw bytes, write-ahead log included: not even a stale page may hold a plain secret.
    const raw = Buffer.concat([file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
    for (const s of plain) expect(raw.includes(s)).toBe(false);
  });
});
