import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

const fixtureTsl = fs.readFileSync(new URL('./fixtures/alibaba-example-tsl.json', import.meta.url), 'utf8');
const lampV1 = {
  properties: [{ identifier: 'on', name: 'On', accessMode: 'rw', dataType: { type: 'bool', specs: { 0: 'off', 1: 'on' } } }],
  services: [],
  events: [],
};
const lampV2 = {
  ...lampV1,
  properties: [
    ...lampV1.properties,
    { identifier: 'brightness', name: 'Brightness', accessMode: 'rw', dataType: { type: 'int', specs: { min: '0', max: '100', unit: '%' } } },
  ],
};
const brokenTsl = {
  properties: [
    { identifier: '1bad', name: 'Bad', accessMode: 'rw', dataType: { type: 'int', specs: { min: '10', max: '5' } } },
    { identifier: 'mode', name: 'Mode', accessMode: 'x', dataType: { type: 'enum', specs: { a: 'auto' } } },
    { identifier: 'mode', name: 'Mode again', accessMode: 'r', dataType: { type: 'text', specs: { length: '99999' } } },
  ],
  services: [{ identifier: 'reboot', name: 'Reboot', callType: 'sometimes', inputData: [], outputData: [] }],
  events: [],
};

let tw: TestServer;
let engineer: string;
const tm = (pk: string) => `/api/v1/products/${pk}/thing-model`;
const putDraft = (pk: string, body: unknown, headers?: Record<string, string>) =>
  tw.request('PUT', `${tm(pk)}/draft`, { token: engineer, body, headers });
const publish = (pk: string) => tw.request('POST', `${tm(pk)}/publish`, { token: engineer });

beforeAll(async () => {
  tw = await startTestServer();
  engineer = await tw.tokenFor('engineer');
  for (const productKey of ['fixture', 'lamp', 'strict', 'empty']) {
    await tw.request('POST', '/api/v1/products', { token: engineer, body: { productKey, name: productKey } });
  }
});
afterAll(() => tw?.close());

describe('importing and exporting Alibaba TSL', () => {
  it('exports the draft and the published version as the JSON that was imported, key order included', async () => {
    expect((await putDraft('fixture', fixtureTsl, { 'content-type': 'application/json' })).status).toBe(200);
    const canonical = JSON.stringify(JSON.parse(fixtureTsl));
    const draft = await tw.request('GET', `${tm('fixture')}/draft`, { token: engineer });
    expect(JSON.stringify(draft.body)).toBe(canonical);
    expect((await publish('fixture')).status).toBe(201);
    const version = await tw.request('GET', `${tm('fixture')}/versions/1`, { token: engineer });
    expect(JSON.stringify(version.body)).toBe(canonical);
  });

  it('keeps the draft after publishing, and says whether it has unpublished changes', async () => {
    expect((await tw.request('GET', tm('lamp'), { token: engineer })).body).toEqual({ productKey: 'lamp', draft: null, published: null });
    await putDraft('lamp', lampV1);
    expect((await tw.request('GET', tm('lamp'), { token: engineer })).body).toMatchObject({
      draft: { updatedBy: 'engineer1', unpublishedChanges: true }, published: null,
    });
    await publish('lamp');
    expect((await tw.request('GET', tm('lamp'), { token: engineer })).body).toMatchObject({
      draft: { unpublishedChanges: false }, published: { version: 1, publishedBy: 'engineer1' },
    });
  });
});

describe('publishing', () => {
  it('numbers versions, never changes a published one, and refuses a draft identical to the latest version', async () => {
    const unchanged = await publish('lamp');
    expect(unchanged.status).toBe(409);
    expect(unchanged.body.error).toEqual({
      code: 'thing_model_unchanged', message: 'The draft is identical to version 1; change it before publishing.',
    });

    await putDraft('lamp', lampV2);
    const v2 = await publish('lamp');
    expect(v2.status).toBe(201);
    expect(v2.body.version).toBe(2);

    const versions = await tw.request('GET', `${tm('lamp')}/versions`, { token: engineer });
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect((await tw.request('GET', `${tm('lamp')}/versions/1`, { token: engineer })).body).toEqual(lampV1);
    expect((await tw.request('GET', `${tm('lamp')}/versions/2`, { token: engineer })).body).toEqual(lampV2);

    // Going back to an older model is a new version, not a rewrite of history.
    await putDraft('lamp', lampV1);
    expect((await publish('lamp')).body.version).toBe(3);
  });

  it('protects published versions in the database itself', () => {
    expect(() => tw.app.db.prepare("UPDATE thing_model_versions SET tsl = '{}' WHERE product_key = 'lamp'").run())
      .toThrow(/published thing model versions cannot be changed/);
  });

  it('answers 404 without a draft, for an unknown version and for an unknown product', async () => {
    const noDraft = await publish('empty');
    expect(noDraft.status).toBe(404);
    expect(noDraft.body.error.message).toBe('Product "empty" has no thing model draft; import one first.');
    expect((await tw.request('GET', `${tm('lamp')}/versions/99`, { token: engineer })).status).toBe(404);
    const unknown = await tw.request('GET', tm('ghost'), { token: engineer });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe('Product "ghost" does not exist.');
  });
});

describe('refusing invalid thing models', () => {
  it('lists every problem by its path and saves nothing', async () => {
    await putDraft('strict', lampV1);
    const res = await putDraft('strict', brokenTsl);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_thing_model');
    expect(res.body.error.message).toBe('The thing model has 7 problems; details lists each by its path.');
    expect(res.body.error.details.map((p: { path: string }) => p.path)).toEqual([
      '/properties/0/identifier',
      '/properties/0/dataType/specs/min',
      '/properties/1/accessMode',
      '/properties/1/dataType/specs/a',
      '/properties/2/identifier',
      '/properties/2/dataType/specs/length',
      '/services/0/callType',
    ]);
    for (const p of res.body.error.details) expect(p.message).toEqual(expect.any(String));
    expect((await tw.request('GET', `${tm('strict')}/draft`, { token: engineer })).body).toEqual(lampV1);
  });

  it('refuses a body that is not a TSL object, and a request without a body', async () => {
    const array = await putDraft('strict', []);
    expect(array.status).toBe(422);
    expect(array.body.error.details).toEqual([{ path: '', message: expect.stringContaining('JSON object') }]);

    const none = await tw.request('PUT', `${tm('strict')}/draft`, { token: engineer });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/Send the TSL JSON/);
    expect((await tw.request('GET', `${tm('strict')}/draft`, { token: engineer })).body).toEqual(lampV1);
  });
});
