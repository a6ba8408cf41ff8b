import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import type { Logger } from 'pino';
import type { Logger as ViteLogger } from 'vite';
import { UI_DIST_DIR } from './ui.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What the web UI build needs: `missing` or `outdated` want a build; `no-sources` cannot have one (no `app/`). */
export type UiBuildStatus =
  | { state: 'fresh' }
  | { state: 'missing' }
  | { state: 'outdated'; newestSource: string }
  | { state: 'no-sources' };

/**
 * Files the bundle is made from, as paths relative to the repository root: the app, the editor, the shared `domain/`
 * layer, the node definitions the editor imports (`*.def.ts`, their index and the kit they use), so a changed node
 * changes the UI too, the build's compressed copies (`server/http/precompressed.ts`), and the codec docs whose worked example the codec editor starts from; tests never are bundled.
 */
export function isUiSource(relativePath: string): boolean {
  const p = relativePath.split(path.sep).join('/');
  if (/\.test\.tsx?$/.test(p)) return false;
  return (
    p.startsWith('app/') || p.startsWith('editor/') || p.startsWith('domain/') || p === 'vite.config.ts' || p === 'server/http/precompressed.ts' || p === 'nodes/definitions.ts' || p === 'docs/codecs.md' ||
    /^nodes\/.+\.def\.ts$/.test(p) || /^nodes\/kit\/[^/]+\.ts$/.test(p)
  );
}

/** Whether `dist/app/index.html` is missing or older than the newest UI source under `root`. */
export function uiBuildStatus(root: string = REPO_ROOT, distDir: string = UI_DIST_DIR): UiBuildStatus {
  let builtAt: number;
  try {
    builtAt = fs.statSync(path.join(distDir, 'index.html')).mtimeMs;
  } catch {
    return fs.existsSync(path.join(root, 'app', 'index.html')) ? { state: 'missing' } : { state: 'no-sources' };
  }
  let newest: { file: string; mtimeMs: number } | undefined;
  for (const start of ['app', 'editor', 'domain', 'nodes', 'vite.config.ts', 'server/http/precompressed.ts', 'docs/codecs.md']) {
    for (const file of walk(path.join(root, start))) {
      const relative = path.relative(root, file);
      if (!isUiSource(relative)) continue;
      const { mtimeMs } = fs.statSync(file);
      if (!newest || mtimeMs > newest.mtimeMs) newest = { file: relative, mtimeMs };
    }
  }
  return newest && newest.mtimeMs > builtAt ? { state: 'outdated', newestSource: newest.file } : { state: 'fresh' };
}

/** Every file below `start` (or `start` itself), skipping dependency folders and dotfiles. */
function* walk(start: string): Generator<string> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(start, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') yield start;
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(start, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile()) yield full;
  }
}

/**
 * Builds the web UI with Vite when `dist/app` is missing or older than its sources, so `npm start` on a fresh clone
 * serves the UI. A production install has no Vite (a dev dependency): then it warns and the server hosts whatever
 * was built before. Throws when the build itself fails.
 */
export async function ensureUiBuilt(logger: Logger, root: string = REPO_ROOT): Promise<UiBuildStatus> {
  if (uiBuildStatus(root).state === 'fresh') return { state: 'fresh' };
  // Two processes starting at once (a server and a test run, parallel test runs) would both empty and write
  // dist/app, each serving the other's half-written files: one builds, the other waits and finds it fresh.
  const release = await buildLock(path.join(root, 'dist', '.ui-build.lock'));
  try {
    return await buildWhenStale(logger, root);
  } finally {
    release();
  }
}

/** A lock between processes: a directory created atomically; one older than `staleMs` was left by a killed build. */
export async function buildLock(dir: string, staleMs = 5 * 60_000): Promise<() => void> {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(dir);
      return () => fs.rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - fs.statSync(dir).mtimeMs > staleMs) fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        // Released between the two calls: try again.
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function buildWhenStale(logger: Logger, root: string): Promise<UiBuildStatus> {
  const log = logger.child({ subsystem: 'ui-build' });
  const status = uiBuildStatus(root);
  if (status.state === 'fresh') return status;
  if (status.state === 'no-sources') {
    log.warn('the web UI is not built and its sources (app/) are not here: only the API is served');
    return status;
  }
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    log.warn({ ...status }, 'the web UI needs a build but Vite is not installed (install the dev dependencies, then `npm run build:ui`); serving what exists');
    return status;
  }
  log.info({ ...status }, 'building the web UI…');
  const started = performance.now();
  // Vite takes the build's mode from NODE_ENV when set: under vitest ('test') or a development shell it would ship
  // React's development build. What is served is always the production build; the caller's NODE_ENV is restored.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await vite.build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn', customLogger: viteLogBridge(log) });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  log.info({ ms: Math.round(performance.now() - started) }, 'built the web UI');
  return status;
}

/** Vite's messages into our pino logger, without its terminal colours. */
function viteLogBridge(log: Logger): ViteLogger {
  const warned = new Set<string>();
  const bridge: ViteLogger = {
    hasWarned: false,
    info: (msg) => log.debug(stripVTControlCharacters(msg)),
    warn: (msg) => {
      bridge.hasWarned = true;
      log.warn(stripVTControlCharacters(msg));
    },
    warnOnce: (msg) => {
      if (warned.has(msg)) return;
      warned.add(msg);
      bridge.warn(msg);
    },
    error: (msg) => log.error(stripVTControlCharacters(msg)),
    clearScreen: () => {},
    hasErrorLogged: () => false,
  };
  return bridge;
}
