import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

const doc = fs.readFileSync(new URL('../../docs/codecs.md', import.meta.url), 'utf8');
/** The fenced block right after `<!-- codec example: <name> … -->` in docs/codecs.md. */
function block(name: string): string {
  const match = doc.match(new RegExp(`<!-- codec example: ${name}\\b[^>]*-->\\s*\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\``));
  if (!match) throw new Error(`docs/codecs.md has no "${name}" example`);
  return match[1] ?? '';
}
const meterSource = block('checked');

let tw: TestServer;
let admin: string;
const codec = (pk: string) => `/api/v1/products/${pk}/codec`;
const putDraft = (pk: string, source: string, token = admin) => tw.request('PUT', `${codec(pk)}/draft`, { token, body: { source } });
const test = (pk: string, body: unknown, token = admin) => tw.request('POST', `${codec(pk)}/test`, { token, body });

beforeAll(async () => {
  tw = await startTestServer();
  admin = tw.adminToken;
  for (const productKey of ['meter', 'broken', 'spin', 'roles', 'gone']) {
    await tw.request('POST', '/api/v1/products', { token: admin, body: { productKey, name: productKey } });
  }
});
afterAll(() => tw?.close());

describe('codec drafts', () => {
  it('refuses a draft that does not parse with 422 validation_failed and the line, and keeps none', async () => {
    const res = await putDraft('broken', 'function decode(bytes) {\n  return [;\n}');
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', details: { kind: 'syntax', line: 2 } });
    expect(res.body.error.details.column).toEqual(expect.any(Number));
    expect((await tw.request('GET', codec('broken'), { token: admin })).body).toEqual({ productKey: 'broken', draft: null, published: null });
  });

  it('refuses a draft without decode', async () => {
    const res = await putDraft('broken', 'function encode(c) { return [1]; }');
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', details: { kind: 'missing-function' } });
  });

  it('saves a good draft, tries the docs frame on it, publishes it as version 1', async () => {
    const saved = await putDraft('meter', meterSource);
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ source: meterSource, updatedBy: 'admin', unpublishedChanges: true });

    const decoded = await test('meter', { decode: { hex: block('uplink'), context: { deviceName: 'meter-1' } } });
    expect(decoded.status).toBe(200);
    expect(decoded.body).toEqual({ ok: true, messages: JSON.parse(block('decoded')) });
    const encoded = await test('meter', { encode: { command: { kind: 'property.set', id: '8', params: { relay: true, powerLimit: 3000 } } } });
    expect(encoded.body).toEqual({ ok: true, hex: block('encoded').replace(/\s+/g, '') });
    const corrupted = await test('meter', { decode: { hex: block('uplink').trim().replace(/99$/, '00') } });
    expect(corrupted.body).toMatchObject({ ok: false, error: { kind: 'threw', message: expect.stringContaining('bad checksum') } });

    const published = await tw.request('POST', `${codec('meter')}/publish`, { token: admin });
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({ version: 1, publishedBy: 'admin' });
    expect((await tw.request('GET', codec('meter'), { token: admin })).body).toMatchObject({
      draft: { unpublishedChanges: false }, published: { version: 1 },
    });
    expect((await tw.request('GET', `${codec('meter')}/versions/1`, { token: admin })).body).toMatchObject({ version: 1, source: meterSource });
    expect((await tw.request('POST', `${codec('meter')}/publish`, { token: admin })).body.error.code).toBe('codec_unchanged');

    // Listeners get the published codec loaded on demand.
    const running = await tw.app.codecs.published('meter');
    expect(running?.version).toBe(1);
    expect(running?.sandbox.decode('meter', Buffer.from(block('uplink').replace(/\s+/g, ''), 'hex'), { productKey: 'meter' }).ok).toBe(true);
  });

  it('tries an unsaved source, and answers a syntax error in it as the bench result', async () => {
    const res = await test('meter', { source: 'function decode(b) { return [{kind: "property.post", params: {n: b.length}}]; }', decode: { hex: '0102' } });
    expect(res.body).toEqual({ ok: true, messages: [{ kind: 'property.post', params: { n: 2 } }] });
    const broken = await test('meter', { source: 'function decode(b) {', decode: { hex: '01' } });
    expect(broken.body).toMatchObject({ ok: false, error: { kind: 'syntax', line: expect.any(Number) } });
  });

  it('stops a draft that never returns with the timeout error, and keeps serving', async () => {
    expect((await putDraft('spin', 'function decode(bytes) { while (true) {} }')).status).toBe(200);
    const res = await test('spin', { decode: { hex: 'a5' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: false, error: { kind: 'timeout', message: expect.stringContaining('50 ms') } });
    expect((await test('meter', { decode: { hex: block('uplink') } })).body.ok).toBe(true);
    expect((await tw.request('GET', codec('spin'), { token: admin })).status).toBe(200);
  });

  it('deletes a product with its codec', async () => {
    expect((await putDraft('gone', meterSource)).status).toBe(200);
    expect((await tw.request('POST', `${codec('gone')}/publish`, { token: admin })).status).toBe(201);
    expect((await tw.request('DELETE', '/api/v1/products/gone', { token: admin })).status).toBe(204);
    expect(tw.app.db.prepare("SELECT COUNT(*) FROM product_codec_versions WHERE product_key = 'gone'").pluck().get()).toBe(0);
    expect((await tw.request('GET', codec('gone'), { token: admin })).status).toBe(404);
  });

  it('refuses bad bench requests in the error envelope', async () => {
    expect((await test('meter', { decode: { hex: 'zz' } })).body.error.code).toBe('validation_failed');
    expect((await test('meter', {})).body.error.code).toBe('bad_request');
    expect((await test('roles', { decode: { hex: '01' } })).status).toBe(404);
  });
});

describe('who may do what', () => {
  it('lets operators and engineers read a codec but not save, publish or try one (that takes flows:code)', async () => {
    for (const role of ['operator', 'engineer'] as const) {
      const token = await tw.tokenFor(role);
      expect((await tw.request('GET', codec('meter'), { token })).status).toBe(200);
      expect((await tw.request('GET', `${codec('meter')}/versions/1`, { token })).status).toBe(200);
      const refusals = [
        await putDraft('roles', meterSource, token),
        await tw.request('POST', `${codec('meter')}/publish`, { token }),
        await test('meter', { decode: { hex: '01' } }, token),
      ];
      for (const res of refusals) expect(res.body.error).toMatchObject({ code: 'forbidden', details: { permission: 'flows:code' } });
    }
  });

  it('audits saving, publishing and trying', async () => {
    const audit = (await tw.request('GET', '/api/v1/audit?limit=100', { token: admin })).body.items as { actor: string; action: string; target: string; details: unknown }[];
    const codecRows = audit.filter((r) => r.action.startsWith('codec.'));
    expect(codecRows).toEqual(expect.arrayContaining([
      expect.objectContaining({ actor: 'admin', action: 'codec.draft.save', target: 'meter' }),
      expect.objectContaining({ actor: 'admin', action: 'codec.publish', target: 'meter', details: { version: 1 } }),
      expect.objectContaining({ action: 'codec.test', target: 'spin', details: expect.objectContaining({ ok: false, error: 'timeout' }) }),
    ]));
    // Refused requests changed nothing, so they are not in the audit log.
    expect(codecRows.every((r) => r.actor === 'admin')).toBe(true);
  });
});
