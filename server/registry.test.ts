import fs from 'node:fs';
import http from 'node:http';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../domain/auth/permissions.ts';
import { startTestServer, type TestServer } from './testing/test-server.ts';

const fixtureTsl = fs.readFileSync(new URL('./thing-model/fixtures/alibaba-example-tsl.json', import.meta.url), 'utf8');
const smallTsl = {
  properties: [
    { identifier: 'temperature', name: 'Temperature', accessMode: 'r', dataType: { type: 'float', specs: { min: '-40', max: '120' } } },
    // Writable, and in the Alibaba example too: whichever of the two is published, a command setting it is valid.
    { identifier: 'DeviceLabel', name: 'Label', accessMode: 'rw', dataType: { type: 'text', specs: { length: '64' } } },
  ],
  services: [],
  events: [],
};

let tw: TestServer;
let admin: string;
let engineer: string;
let operator: string;
beforeAll(async () => {
  tw = await startTestServer();
  admin = tw.adminToken;
  engineer = await tw.tokenFor('engineer');
  operator = await tw.tokenFor('operator');
});
afterAll(() => tw?.close());

describe('a product from thing model to device secret', () => {
  it('imports an Alibaba TSL, publishes it, exports it unchanged, and hands out a device secret only to admins', async () => {
    const product = await tw.request('POST', '/api/v1/products', { token: engineer, body: { name: 'Environment monitor' } });
    expect(product.status).toBe(201);
    const pk: string = product.body.productKey;
    expect(pk).toMatch(/^[A-Za-z0-9]{11}$/);

    const draft = await tw.request('PUT', `/api/v1/products/${pk}/thing-model/draft`, {
      token: engineer, body: fixtureTsl, headers: { 'content-type': 'application/json' },
    });
    expect(draft.status).toBe(200);
    expect(draft.body).toMatchObject({ updatedBy: 'engineer1', unpublishedChanges: true });

    const published = await tw.request('POST', `/api/v1/products/${pk}/thing-model/publish`, { token: engineer });
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({ version: 1, publishedBy: 'engineer1' });

    const exported = await tw.request('GET', `/api/v1/products/${pk}/thing-model/versions/1`, { token: operator });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^application\/json/);
    expect(exported.body).toEqual(JSON.parse(fixtureTsl));

    const summary = await tw.request('GET', `/api/v1/products/${pk}/thing-model`, { token: operator });
    expect(summary.body).toMatchObject({
      productKey: pk, draft: { unpublishedChanges: false }, published: { version: 1, publishedBy: 'engineer1' },
    });

    const created = await tw.request('POST', '/api/v1/devices', { token: engineer, body: { productKey: pk, deviceName: 'sensor-01' } });
    expect(created.status).toBe(201);
    const secret: string = created.body.deviceSecret;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);

    const list = await tw.request('GET', `/api/v1/devices?productKey=${pk}`, { token: operator });
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).not.toHaveProperty('deviceSecret');
    expect(JSON.stringify(list.body)).not.toContain(secret);

    const byEngineer = await tw.request('POST', `/api/v1/devices/${pk}/sensor-01/secret/reveal`, { token: engineer });
    expect(byEngineer.status).toBe(403);
    expect(byEngineer.body.error).toMatchObject({ code: 'forbidden' });
    expect(JSON.stringify(byEngineer.body)).not.toContain(secret);

    const revealed = await tw.request('POST', `/api/v1/devices/${pk}/sensor-01/secret/reveal`, { token: admin });
    expect(revealed.status).toBe(200);
    expect(revealed.body).toEqual({ deviceSecret: secret });
    const audit = await tw.request('GET', '/api/v1/audit?limit=20', { token: admin });
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({ actor: 'admin', action: 'device.secret.reveal', target: `${pk}/sensor-01` }),
    );

    const rotated = await tw.request('POST', `/api/v1/devices/${pk}/sensor-01/secret/rotate`, { token: admin });
    expect(rotated.status).toBe(200);
    expect(rotated.body.deviceSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(rotated.body.deviceSecret).not.toBe(secret);
    const afterRotation = await tw.request('POST', `/api/v1/devices/${pk}/sensor-01/secret/reveal`, { token: admin });
    expect(afterRotation.body.deviceSecret).toBe(rotated.body.deviceSecret);
    expect((await tw.request('GET', '/api/v1/audit?limit=20', { token: admin })).body.items).toContainEqual(
      expect.objectContaining({ actor: 'admin', action: 'device.secret.rotate', target: `${pk}/sensor-01` }),
    );
  });
});

describe('who may call the registry routes', () => {
  type Permission = 'products:read' | 'products:write' | 'devices:read' | 'devices:write' | 'devices:secret';
  const allowed: Record<Permission, Role[]> = {
    'products:read': ['operator', 'engineer', 'admin'],
    'products:write': ['engineer', 'admin'],
    'devices:read': ['operator', 'engineer', 'admin'],
    'devices:write': ['engineer', 'admin'],
    'devices:secret': ['admin'],
  };
  /** Each role works on its own product, so one role's successful write cannot change what another role meets. */
  interface Case {
    family: 'products' | 'thing models' | 'devices' | 'telemetry' | 'secrets';
    /** As in /api/v1/openapi.json. */
    route: string;
    permission: Permission;
    path(pk: string): string | Promise<string>;
    body?(pk: string): unknown;
  }
  const tm = (pk: string) => `/api/v1/products/${pk}/thing-model`;
  const cases: Case[] = [
    { family: 'products', route: 'get /products', permission: 'products:read', path: () => '/api/v1/products' },
    { family: 'products', route: 'post /products', permission: 'products:write', path: () => '/api/v1/products', body: (pk) => ({ productKey: `${pk}-new`, name: 'new' }) },
    { family: 'products', route: 'get /products/{productKey}', permission: 'products:read', path: (pk) => `/api/v1/products/${pk}` },
    { family: 'products', route: 'patch /products/{productKey}', permission: 'products:write', path: (pk) => `/api/v1/products/${pk}`, body: () => ({ description: 'changed' }) },
    { family: 'products', route: 'delete /products/{productKey}', permission: 'products:write', path: (pk) => `/api/v1/products/${pk}-empty` },
    { family: 'thing models', route: 'get /products/{productKey}/thing-model', permission: 'products:read', path: tm },
    { family: 'thing models', route: 'put /products/{productKey}/thing-model/draft', permission: 'products:write', path: (pk) => `${tm(pk)}/draft`, body: () => JSON.parse(fixtureTsl) },
    { family: 'thing models', route: 'get /products/{productKey}/thing-model/draft', permission: 'products:read', path: (pk) => `${tm(pk)}/draft` },
    { family: 'thing models', route: 'post /products/{productKey}/thing-model/publish', permission: 'products:write', path: (pk) => `${tm(pk)}/publish` },
    { family: 'thing models', route: 'get /products/{productKey}/thing-model/versions', permission: 'products:read', path: (pk) => `${tm(pk)}/versions` },
    { family: 'thing models', route: 'get /products/{productKey}/thing-model/versions/{version}', permission: 'products:read', path: (pk) => `${tm(pk)}/versions/1` },
    { family: 'devices', route: 'get /devices', permission: 'devices:read', path: () => '/api/v1/devices' },
    { family: 'devices', route: 'post /devices', permission: 'devices:write', path: () => '/api/v1/devices', body: (pk) => ({ productKey: pk, deviceName: 'new' }) },
    { family: 'devices', route: 'post /devices/bulk', permission: 'devices:write', path: () => '/api/v1/devices/bulk', body: (pk) => ({ devices: [{ productKey: pk, deviceName: 'bulk' }] }) },
    { family: 'devices', route: 'get /devices/{productKey}/{deviceName}', permission: 'devices:read', path: (pk) => `/api/v1/devices/${pk}/d1` },
    { family: 'devices', route: 'patch /devices/{productKey}/{deviceName}', permission: 'devices:write', path: (pk) => `/api/v1/devices/${pk}/d1`, body: () => ({ enabled: false }) },
    { family: 'devices', route: 'delete /devices/{productKey}/{deviceName}', permission: 'devices:write', path: (pk) => `/api/v1/devices/${pk}/doomed` },
    { family: 'devices', route: 'get /devices/{productKey}/{deviceName}/connections', permission: 'devices:read', path: (pk) => `/api/v1/devices/${pk}/d1/connections` },
    { family: 'devices', route: 'get /devices/{productKey}/{deviceName}/messages', permission: 'devices:read', path: (pk) => `/api/v1/devices/${pk}/d1/messages` },
    { family: 'devices', route: 'get /devices/{productKey}/{deviceName}/sub-devices', permission: 'devices:read', path: (pk) => `/api/v1/devices/${pk}/d1/sub-devices` },
    // d1 is made a sub-device's gateway first (as its topo/add would), so an allowed caller removes a link that exists.
    {
      family: 'devices', route: 'delete /devices/{productKey}/{deviceName}/sub-devices/{subProductKey}/{subDeviceName}', permission: 'devices:write',
      path: async (pk) => {
        const { registry } = tw.app;
        if (!(await registry.devices.exists(pk, 'sub'))) await registry.devices.create({ productKey: pk, deviceName: 'sub' });
        await registry.topology.link({ productKey: pk, deviceName: 'd1' }, [{ productKey: pk, deviceName: 'sub' }], 'gateway');
        return `/api/v1/devices/${pk}/d1/sub-devices/${pk}/sub`;
      },
    },
    { family: 'devices', route: 'get /devices/{productKey}/{deviceName}/connection-info', permission: 'devices:read', path: (pk) => `/api/v1/devices/${pk}/d1/connection-info` },
    { family: 'devices', route: 'post /devices/{productKey}/{deviceName}/credentials', permission: 'devices:write', path: (pk) => `/api/v1/devices/${pk}/d1/credentials` },
    // d1 is offline: the call succeeds with the outcome `code: 503` in the body.
    { family: 'telemetry', route: 'get /devices/{productKey}/{deviceName}/properties', permission: 'devices:read', path: (pk) => `/api/v1/devices/${pk}/d1/properties` },
    { family: 'telemetry', route: 'get /devices/{productKey}/{deviceName}/properties/{identifier}/history', permission: 'devices:read', path: (pk) => `/api/v1/devices/${pk}/d1/properties/temperature/history` },
    { family: 'telemetry', route: 'get /devices/{productKey}/{deviceName}/events', permission: 'devices:read', path: (pk) => `/api/v1/devices/${pk}/d1/events` },
    { family: 'telemetry', route: 'get /devices/{productKey}/{deviceName}/telemetry.csv', permission: 'devices:read', path: (pk) => `/api/v1/devices/${pk}/d1/telemetry.csv` },
    { family: 'telemetry', route: 'get /products/{productKey}/events', permission: 'devices:read', path: (pk) => `/api/v1/products/${pk}/events` },
    { family: 'devices', route: 'post /devices/{productKey}/{deviceName}/commands', permission: 'devices:write', path: (pk) => `/api/v1/devices/${pk}/d1/commands`, body: () => ({ kind: 'property.set', params: { DeviceLabel: 'on' } }) },
    { family: 'secrets', route: 'post /products/{productKey}/secret/reveal', permission: 'devices:secret', path: (pk) => `/api/v1/products/${pk}/secret/reveal` },
    { family: 'secrets', route: 'post /devices/{productKey}/{deviceName}/secret/reveal', permission: 'devices:secret', path: (pk) => `/api/v1/devices/${pk}/d1/secret/reveal` },
    { family: 'secrets', route: 'post /devices/{productKey}/{deviceName}/secret/rotate', permission: 'devices:secret', path: (pk) => `/api/v1/devices/${pk}/d1/secret/rotate` },
  ];
  const callers = ['no token', 'operator', 'engineer', 'admin'] as const;
  const productOf = (caller: (typeof callers)[number]) => `acl-${caller.replace(' ', '-')}`;

  beforeAll(async () => {
    const as = (method: string, path: string, body?: unknown) => tw.request(method, path, { token: admin, body });
    for (const caller of callers) {
      const pk = productOf(caller);
      await as('POST', '/api/v1/products', { productKey: pk, name: pk });
      await as('POST', '/api/v1/products', { productKey: `${pk}-empty`, name: 'nothing in it' });
      await as('POST', '/api/v1/devices/bulk', { devices: [{ productKey: pk, deviceName: 'd1' }, { productKey: pk, deviceName: 'doomed' }] });
      await as('PUT', `${tm(pk)}/draft`, smallTsl);
      await as('POST', `${tm(pk)}/publish`);
      // A draft that differs from version 1, so that publishing it succeeds.
      await as('PUT', `${tm(pk)}/draft`, JSON.parse(fixtureTsl));
    }
  });

  it('covers every registry route, with the permission the route declares', async () => {
    const doc = (await tw.request('GET', '/api/v1/openapi.json')).body as { paths: Record<string, Record<string, { 'x-permission': string }>> };
    const declared = Object.entries(doc.paths)
      // A device's OTA routes are OTA's, a product's codec routes the codecs' and the Modbus routes Modbus's (server/ota,
      // server/codecs and server/modbus test them; the auth matrix checks every route's permission).
      .filter(([path]) => /^\/api\/v1\/(products|devices)/.test(path) && !/\/(ota|codec|modbus)(\/|$)/.test(path))
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => [`${method} ${path.slice('/api/v1'.length)}`, op['x-permission']]));
    expect(Object.fromEntries(declared)).toEqual(Object.fromEntries(cases.map((c) => [c.route, c.permission])));
  });

  describe.each(cases)('$family: $route', (c) => {
    it.each(callers)('%s', async (caller) => {
      const pk = productOf(caller);
      const token = caller === 'no token' ? null : caller === 'admin' ? admin : caller === 'engineer' ? engineer : operator;
      const res = await tw.request(c.route.split(' ')[0]!.toUpperCase(), await c.path(pk), { token, body: c.body?.(pk) });
      if (caller === 'no token') {
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
      } else if (!allowed[c.permission].includes(caller)) {
        expect(res.status).toBe(403);
        expect(res.body).toEqual({ error: { code: 'forbidden', message: expect.stringContaining(c.permission), details: { permission: c.permission } } });
      } else {
        expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(200);
        expect(res.status).toBeLessThan(300);
      }
    });
  });
});

describe('API answers on the wire', () => {
  /** A GET as a browser sends it, answered raw: the encoding as sent and the body as it arrived. */
  const raw = (path: string, acceptEncoding: string) => new Promise<{ encoding: string | undefined; vary: string | undefined; body: Buffer }>((resolve, reject) => {
    http.get(`${tw.url}${path}`, { headers: { authorization: `Bearer ${admin}`, 'accept-encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ encoding: res.headers['content-encoding'], vary: res.headers['vary'], body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });

  it('compresses JSON with brotli for a browser that takes it, gzip for one that does not, and not at all when asked for none', async () => {
    const plain = await raw('/api/v1/openapi.json', 'identity');
    expect(plain.encoding).toBeUndefined();
    const document = JSON.parse(plain.body.toString('utf8'));
    const br = await raw('/api/v1/openapi.json', 'gzip, deflate, br');
    expect(br.encoding).toBe('br');
    expect(br.vary).toMatch(/Accept-Encoding/i);
    expect(br.body.length).toBeLessThan(plain.body.length / 4);
    expect(JSON.parse(zlib.brotliDecompressSync(br.body).toString('utf8'))).toEqual(document);
    const gz = await raw('/api/v1/openapi.json', 'gzip');
    expect(gz.encoding).toBe('gzip');
    expect(JSON.parse(zlib.gunzipSync(gz.body).toString('utf8'))).toEqual(document);
  });
});
