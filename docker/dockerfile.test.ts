/**
 * The Docker image ships what runs: every file of this repository that the server, its scripts, the UI build and the
 * web app import (found by esbuild, packages left out) is copied into the stage that needs it. A folder added to the
 * code and forgotten here would otherwise only show when someone builds the image.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The repository files `entry` imports, directly or not. */
async function localImports(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [entry], bundle: true, write: false, platform: 'node', format: 'esm', packages: 'external', metafile: true,
    logLevel: 'silent', absWorkingDir: ROOT, loader: { '.css': 'empty', '.svg': 'empty', '.png': 'empty', '.md': 'text' },
    // Vite's `?raw` imports (a document shown as text) are files too.
    plugins: [{ name: 'raw', setup: (b) => b.onResolve({ filter: /\?raw$/ }, (a) => ({ path: path.resolve(a.resolveDir, a.path.slice(0, -'?raw'.length)) })) }],
  });
  return Object.keys(result.metafile.inputs).filter((file) => !file.startsWith('node_modules/'));
}

/** Each stage's name (`AS name`, the last one `runtime`) and the sources its `COPY` lines take from the build context. */
function stages(): Map<string, string[]> {
  const result = new Map<string, string[]>();
  let current: string[] = [];
  const lines = fs.readFileSync(path.join(ROOT, 'docker/Dockerfile'), 'utf8').split('\n');
  lines.forEach((line, i) => {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      current = [];
      const isLast = !lines.slice(i + 1).some((l) => /^FROM\s/i.test(l));
      result.set(isLast ? 'runtime' : from[1] ?? `stage${i}`, current);
      return;
    }
    const copy = /^COPY\s+(?!--from)(.+)$/i.exec(line);
    if (copy) current.push(...copy[1]!.trim().split(/\s+/).slice(0, -1).map((source) => source.replace(/\/$/, '')));
  });
  return result;
}

const uncovered = (files: string[], sources: string[]) =>
  files.filter((file) => !sources.some((source) => file === source || file.startsWith(`${source}/`)));

describe('the Docker image', () => {
  it('copies every file the server and its scripts import into the image that runs them', async () => {
    const runtime = stages().get('runtime')!;
    const entries = ['server/start.mjs', 'server/main.ts', 'scripts/admin.ts', 'scripts/sign.ts', 'server/telemetry/sqlite-telemetry-worker.ts'];
    const files = (await Promise.all(entries.map(localImports))).flat();
    expect(files.length).toBeGreaterThan(100);
    expect([...new Set(uncovered(files, runtime))]).toEqual([]);
  });

  it('copies every file the UI build and the web app import into the stage that builds the UI', async () => {
    const ui = stages().get('ui')!;
    const files = (await Promise.all(['vite.config.ts', 'app/src/main.tsx'].map(localImports))).flat();
    expect([...new Set(uncovered([...files, 'app/index.html'], ui))]).toEqual([]);
  });
});
