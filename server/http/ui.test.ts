import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { precompressFiles } from './precompressed.ts';
import { UI_CONTENT_SECURITY_POLICY, uiRoutes } from './ui.ts';

const distDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-ui-'));
let server: http.Server;
let url: string;

beforeAll(async () => {
  fs.mkdirSync(path.join(distDir, 'assets'));
  fs.writeFileSync(path.join(distDir, 'index.html'), '<!doctype html><div id="root"></div>');
  fs.writeFileSync(path.join(distDir, 'assets', 'index-abc123.js'), 'console.log(1)');
  // A bundle big enough to compress, with its copies as the build writes them.
  fs.writeFileSync(path.join(distDir, 'assets', 'app-def456.js'), BUNDLE);
  fs.writeFileSync(path.join(distDir, 'assets', 'app-def456.css'), 'body { color: red }\n'.repeat(200));
  expect(await precompressFiles(['app-def456.js', 'app-def456.css', 'index-abc123.js'].map((f) => path.join(distDir, 'assets', f)))).toBe(2);
  const app = express();
  app.get('/api/v1/thing', (_req, res) => void res.json({ ok: true }));
  app.use(uiRoutes(distDir));
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(distDir, { recursive: true, force: true });
});

const BUNDLE = Array.from({ length: 400 }, (_, i) => `export const value${i} = ${i};`).join('\n');

/** A GET answered raw (fetch would undo the encoding): status, headers and the bytes that arrived. */
const raw = (p: string, acceptEncoding: string, method = 'GET') => new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
  http.request(url + p, { method, headers: { 'accept-encoding': acceptEncoding } }, (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
  }).on('error', reject).end();
});

const get = (p: string, accept = 'text/html,application/xhtml+xml,*/*;q=0.8') => fetch(url + p, { headers: { accept } });

describe('hosting the web UI', () => {
  it('answers every app path with index.html, revalidated on each load and under the CSP', async () => {
    for (const p of ['/', '/flows', '/devices/a1sensor/room-101']) {
      const res = await get(p);
      expect(res.status, p).toBe(200);
      expect(await res.text()).toContain('<div id="root">');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toBe(UI_CONTENT_SECURITY_POLICY);
    }
  });

  it('serves hashed assets with a long immutable cache, and a 404 (not the app) for an unknown one', async () => {
    const res = await get('/assets/index-abc123.js', '*/*');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const missing = await get('/assets/index-old999.js', '*/*');
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain('<div id="root">');
  });

  it('sends text assets brotli-compressed to browsers that take it, gzip to others, plain when asked, with the same cache', async () => {
    const br = await raw('/assets/app-def456.js', 'gzip, deflate, br, zstd');
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['vary']).toBe('Accept-Encoding');
    expect(zlib.brotliDecompressSync(br.body).toString('utf8')).toBe(BUNDLE);
    expect(br.body.length).toBeLessThan(BUNDLE.length / 4);
    const gz = await raw('/assets/app-def456.css', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['content-type']).toMatch(/^text\/css/);
    expect(zlib.gunzipSync(gz.body).toString('utf8')).toBe('body { color: red }\n'.repeat(200));
    const plain = await raw('/assets/app-def456.js', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['vary']).toBe('Accept-Encoding');
    expect(plain.body.toString('utf8')).toBe(BUNDLE);
    // HEAD as GET; a file too small to compress goes as it is.
    const head = await raw('/assets/app-def456.js', 'br', 'HEAD');
    expect([head.status, head.headers['content-encoding'], head.body.length]).toEqual([200, 'br', 0]);
    expect((await raw('/assets/index-abc123.js', 'br')).headers['content-encoding']).toBeUndefined();
    // The copies are not a way out of the folder.
    expect((await raw('/assets/..%2f..%2fetc%2fpasswd', 'br')).status).toBe(404);
  });

  it('leaves server paths and non-HTML requests to the server', async () => {
    for (const p of ['/api/v1/other', '/red/flows', '/nodes/hook', '/healthz', '/metrics', '/mqtt']) {
      expect((await get(p)).status, p).toBe(404);
    }
    expect(await (await get('/api/v1/thing')).json()).toEqual({ ok: true });
    expect((await get('/flows', 'application/json')).status).toBe(404);
    expect((await fetch(`${url}/flows`, { method: 'POST' })).status).toBe(404);
  });

  it('says how to build the UI when it was not built', async () => {
    fs.renameSync(path.join(distDir, 'index.html'), path.join(distDir, 'index.off'));
    try {
      const res = await get('/');
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('npm run build:ui');
    } finally {
      fs.renameSync(path.join(distDir, 'index.off'), path.join(distDir, 'index.html'));
    }
  });
});
