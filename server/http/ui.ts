import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Request, type Response, type Router } from 'express';
import { isCompressible, precompressedFiles } from './precompressed.ts';

/** Where `npm run build:ui` (and the build on start) writes the web UI. */
export const UI_DIST_DIR = fileURLToPath(new URL('../../dist/app', import.meta.url));

/**
 * For the UI's HTML. The bundle has no inline scripts; React Flow and React set inline styles, hence
 * `'unsafe-inline'` for styles only. `ws:`/`wss:` for the live WebSocket and MQTT over WebSocket.
 */
export const UI_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self' ws: wss:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths that belong to the server, never to the single-page app, even when a browser asks for HTML. */
const SERVER_PATHS = /^\/(api|red|nodes|healthz|metrics|mqtt)(\/|$)/;

/** How long a hashed asset may be kept: its name changes with its content. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Hosts the built web UI: hashed assets with a long immutable cache, `index.html` revalidated on every load (so a
 * new build is picked up at once), and every other HTML navigation answered with `index.html` so the app's own
 * routes (`/flows`, …) survive a reload. Text assets go out brotli- or gzip-compressed, from the copies the build
 * wrote beside them (precompressed.ts). Mount it after the API routes.
 */
export function uiRoutes(distDir: string = UI_DIST_DIR): Router {
  const router = express.Router();
  const indexFile = path.join(distDir, 'index.html');

  // A missing asset is a 404, not the app: a stale tab asking for an old hash must not get HTML as JavaScript.
  const assets = path.join(distDir, 'assets');
  router.use('/assets', precompressedFiles(assets, IMMUTABLE), express.static(assets, { immutable: true, maxAge: '1y', index: false, setHeaders: varyByEncoding }), (_req, res) => {
    res.status(404).type('text/plain').set('Cache-Control', 'no-store').send('No such asset in this build of the web UI; reload the page.\n');
  });
  router.use(precompressedFiles(distDir, 'no-cache'), express.static(distDir, {
    index: false,
    setHeaders: (res, file) => {
      varyByEncoding(res, file);
      res.setHeader('Cache-Control', 'no-cache');
      if (file.endsWith('.html')) res.setHeader('Content-Security-Policy', UI_CONTENT_SECURITY_POLICY);
    },
  }));

  router.use((req: Request, res: Response, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || SERVER_PATHS.test(req.path) || !req.accepts('html')) return next();
    // Checked per request: a build made while the server runs (`npm run build:ui`) is served without a restart.
    if (!fs.existsSync(indexFile)) {
      res.status(503).type('text/plain').set('Cache-Control', 'no-store').send(
        'The Thingwire web UI has not been built.\n\nRun `npm run build:ui` (needs the dev dependencies: `npm install`), then reload.\n' +
          'The API works without it: /api/v1/openapi.json · health: /healthz\n',
      );
      return;
    }
    res.sendFile(indexFile, { headers: { 'Cache-Control': 'no-cache', 'Content-Security-Policy': UI_CONTENT_SECURITY_POLICY } });
  });
  return router;
}

/** A file the build compresses may be answered either way: a shared cache must keep the answers apart. */
function varyByEncoding(res: http.ServerResponse, file: string): void {
  if (isCompressible(file)) res.setHeader('Vary', 'Accept-Encoding');
}
