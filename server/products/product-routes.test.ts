import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

let tw: TestServer;
let engineer: string;
beforeAll(async () => {
  tw = await startTestServer();
  engineer = await tw.tokenFor('engineer');
});
afterAll(() => tw?.close());

const createProduct = (body: object) => tw.request('POST', '/api/v1/products', { token: engineer, body });

describe('creating products', () => {
  it('fills in the defaults, generates an 11-character key and shows the product secret only once', async () => {
    const res = await createProduct({ name: 'Smart plug' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Smart plug', description: '', dialect: 'alink', deviceCount: 0,
      auth: { signMethods: ['hmacsha256', 'hmacsha1'], timestampWindowSeconds: 300, requireTimestamp: false, dynamicRegistration: false },
    });
    expect(res.body.productKey).toMatch(/^[A-Za-z0-9]{11}$/);
    expect(res.body.productSecret).toMatch(/^[0-9a-f]{64}$/);

    const got = await tw.request('GET', `/api/v1/products/${res.body.productKey}`, { token: engineer });
    const { productSecret, ...rest } = res.body;
    expect(got.body).toEqual(rest);
    const list = await tw.request('GET', '/api/v1/products', { token: engineer });
    expect(JSON.stringify([got.body, list.body])).not.toContain(productSecret);
  });

  it('keeps a chosen key and sign-in settings, and refuses the same key twice with 409', async () => {
    const body = {
      productKey: 'legacy_meter-1', name: 'Legacy meter', description: 'old firmware', dialect: 'things',
      auth: { signMethods: ['hmacmd5'], timestampWindowSeconds: 60, requireTimestamp: true, dynamicRegistration: true },
    };
    const res = await createProduct(body);
    expect(res.status).toBe(201);
    const { productKey, auth, ...rest } = body;
    expect(res.body).toMatchObject({ productKey, auth, ...rest });

    const again = await createProduct({ productKey: 'legacy_meter-1', name: 'another' });
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({ code: 'product_exists', message: 'A product with the key "legacy_meter-1" already exists.' });
  });

  it('lists every problem of an invalid product', async () => {
    const res = await createProduct({
      productKey: 'has space', dialect: 'mqtt', auth: { signMethods: ['sha512'], timestampWindowSeconds: 5 }, colour: 'red',
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining([
      '/productKey', '/name', '/dialect', '/auth/signMethods/0', '/auth/timestampWindowSeconds', '/colour',
    ]));
  });
});

describe('changing products', () => {
  it('changes only what a PATCH names, keeping the other sign-in settings', async () => {
    const { body: created } = await createProduct({ productKey: 'patch-me', name: 'before', auth: { requireTimestamp: true } });
    const res = await tw.request('PATCH', '/api/v1/products/patch-me', {
      token: engineer, body: { name: 'after', auth: { timestampWindowSeconds: 900 } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'after', description: '', dialect: 'alink',
      auth: { signMethods: ['hmacsha256', 'hmacsha1'], timestampWindowSeconds: 900, requireTimestamp: true, dynamicRegistration: false },
    });
    expect(res.body.updatedAt >= created.updatedAt).toBe(true);
    expect(res.body.createdAt).toBe(created.createdAt);
  });

  it('answers 404 in the error envelope for a product that does not exist', async () => {
    const res = await tw.request('PATCH', '/api/v1/products/nope', { token: engineer, body: { name: 'x' } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'Product "nope" does not exist.' } });
  });
});

describe('telemetry retention', () => {
  const patchProduct = (productKey: string, body: object) =>
    tw.request('PATCH', `/api/v1/products/${productKey}`, { token: engineer, body });
  beforeAll(async () => {
    await createProduct({ productKey: 'kept-as-is', name: 'kept as is', retentionDays: 90 });
  });

  it('is null (keep forever) unless the product is created with a number of days', async () => {
    expect((await createProduct({ name: 'no retention' })).body.retentionDays).toBeNull();

    const res = await createProduct({ productKey: 'short-lived', name: 'short-lived', retentionDays: 30 });
    expect(res.status).toBe(201);
    expect(res.body.retentionDays).toBe(30);
    expect((await tw.request('GET', '/api/v1/products/short-lived', { token: engineer })).body.retentionDays).toBe(30);
    const list = await tw.request('GET', '/api/v1/products', { token: engineer });
    expect(list.body.items).toContainEqual(expect.objectContaining({ productKey: 'short-lived', retentionDays: 30 }));
  });

  it('is changed by a PATCH that names it, kept by one that does not, and cleared with null', async () => {
    await createProduct({ productKey: 'retained', name: 'retained', retentionDays: 7 });
    expect((await patchProduct('retained', { retentionDays: 365 })).body).toMatchObject({ name: 'retained', retentionDays: 365 });
    expect((await patchProduct('retained', { name: 'renamed' })).body).toMatchObject({ name: 'renamed', retentionDays: 365 });
    const cleared = await patchProduct('retained', { retentionDays: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.retentionDays).toBeNull();
    expect((await tw.request('GET', '/api/v1/products/retained', { token: engineer })).body.retentionDays).toBeNull();
  });

  it.each([
    [0, 'must be >= 1'],
    [-5, 'must be >= 1'],
    [1.5, 'must be integer or null'],
    [36_501, 'must be <= 36500'],
    ['30', 'must be integer or null'],
  ])('refuses %j days on create and on change, naming the field', async (retentionDays, message) => {
    for (const res of [
      await createProduct({ name: 'invalid retention', retentionDays }),
      await patchProduct('kept-as-is', { retentionDays }),
    ]) {
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'validation_failed', message: 'The request body is invalid.' });
      // One entry, the one that helps: not also "must be null" and "must match a schema in anyOf".
      expect(res.body.error.details).toEqual([{ path: '/retentionDays', message }]);
    }
    expect((await tw.request('GET', '/api/v1/products/kept-as-is', { token: engineer })).body.retentionDays).toBe(90);
  });

  it('accepts the longest retention, 36500 days', async () => {
    expect((await createProduct({ name: 'a century', retentionDays: 36_500 })).body.retentionDays).toBe(36_500);
  });
});

describe('device times ahead of the server clock', () => {
  const patchProduct = (productKey: string, body: object) =>
    tw.request('PATCH', `/api/v1/products/${productKey}`, { token: engineer, body });

  it('are refused unless the product says clamp; a PATCH changes the setting and one without it keeps it', async () => {
    expect((await createProduct({ productKey: 'clock-default', name: 'default' })).body.futureTimes).toBe('refuse');
    expect((await createProduct({ productKey: 'clock-clamped', name: 'clamped', futureTimes: 'clamp' })).body.futureTimes).toBe('clamp');
    expect((await patchProduct('clock-default', { futureTimes: 'clamp' })).body.futureTimes).toBe('clamp');
    expect((await patchProduct('clock-default', { name: 'renamed' })).body).toMatchObject({ name: 'renamed', futureTimes: 'clamp' });
    expect((await tw.request('GET', '/api/v1/products/clock-default', { token: engineer })).body.futureTimes).toBe('clamp');
    expect((await patchProduct('clock-clamped', { futureTimes: 'refuse' })).body.futureTimes).toBe('refuse');
  });

  it('take no other setting, naming the field', async () => {
    for (const res of [
      await createProduct({ name: 'ignore', futureTimes: 'ignore' }),
      await patchProduct('clock-clamped', { futureTimes: null }),
    ]) {
      expect(res.status).toBe(422);
      expect(res.body.error.details).toEqual([{ path: '/futureTimes', message: 'must be one of refuse, clamp' }]);
    }
  });
});

describe('the product secret', () => {
  it('is revealed to an admin, with an audit entry, and refused to an engineer', async () => {
    const { body: created } = await createProduct({ productKey: 'dynreg', name: 'self-registering', auth: { dynamicRegistration: true } });
    expect((await tw.request('POST', '/api/v1/products/dynreg/secret/reveal', { token: engineer })).status).toBe(403);
    const res = await tw.request('POST', '/api/v1/products/dynreg/secret/reveal', { token: tw.adminToken });
    expect(res.body).toEqual({ productSecret: created.productSecret });
    const audit = await tw.request('GET', '/api/v1/audit?limit=10', { token: tw.adminToken });
    expect(audit.body.items).toContainEqual(expect.objectContaining({ actor: 'admin', action: 'product.secret.reveal', target: 'dynreg' }));
  });
});

describe('deleting products', () => {
  it('is refused while the product has devices, saying how many to delete first', async () => {
    await createProduct({ productKey: 'fleet', name: 'fleet' });
    await tw.request('POST', '/api/v1/devices/bulk', {
      token: engineer, body: { devices: [{ productKey: 'fleet', deviceName: 'a' }, { productKey: 'fleet', deviceName: 'b' }] },
    });
    expect((await tw.request('GET', '/api/v1/products/fleet', { token: engineer })).body.deviceCount).toBe(2);

    const refused = await tw.request('DELETE', '/api/v1/products/fleet', { token: engineer });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toEqual({
      code: 'product_has_devices', message: 'Product "fleet" still has 2 devices; delete them first.', details: { deviceCount: 2 },
    });
    expect((await tw.request('GET', '/api/v1/products/fleet', { token: engineer })).status).toBe(200);

    await tw.request('DELETE', '/api/v1/devices/fleet/a', { token: engineer });
    const oneLeft = await tw.request('DELETE', '/api/v1/products/fleet', { token: engineer });
    expect(oneLeft.body.error.message).toBe('Product "fleet" still has 1 device; delete it first.');
    await tw.request('DELETE', '/api/v1/devices/fleet/b', { token: engineer });
    expect((await tw.request('DELETE', '/api/v1/products/fleet', { token: engineer })).status).toBe(204);
    expect((await tw.request('GET', '/api/v1/products/fleet', { token: engineer })).status).toBe(404);
  });

  it('takes its thing models with it: a new product with the same key starts without any', async () => {
    const tsl = { properties: [{ identifier: 'on', name: 'On', accessMode: 'rw', dataType: { type: 'bool', specs: { 0: 'off', 1: 'on' } } }] };
    await createProduct({ productKey: 'reborn', name: 'first life' });
    await tw.request('PUT', '/api/v1/products/reborn/thing-model/draft', { token: engineer, body: tsl });
    expect((await tw.request('POST', '/api/v1/products/reborn/thing-model/publish', { token: engineer })).status).toBe(201);
    expect((await tw.request('DELETE', '/api/v1/products/reborn', { token: engineer })).status).toBe(204);

    await createProduct({ productKey: 'reborn', name: 'second life' });
    const summary = await tw.request('GET', '/api/v1/products/reborn/thing-model', { token: engineer });
    expect(summary.body).toEqual({ productKey: 'reborn', draft: null, published: null });
  });
});

describe('listing products', () => {
  it('lists products by key with their device counts', async () => {
    const res = await tw.request('GET', '/api/v1/products', { token: await tw.tokenFor('operator') });
    expect(res.status).toBe(200);
    const keys = res.body.items.map((p: { productKey: string }) => p.productKey);
    expect(keys).toEqual([...keys].sort());
    expect(keys).toEqual(expect.arrayContaining(['legacy_meter-1', 'patch-me', 'dynreg']));
    expect(res.body.items.every((p: { deviceCount: number }) => p.deviceCount === 0)).toBe(true);
  });
});
