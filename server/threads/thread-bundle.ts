/**
 * A worker thread's TypeScript as one JavaScript file. A thread that loads TypeScript through tsx spends about half a
 * second of CPU starting (tsx, its loader thread and esbuild, then each module transformed or read from tsx's cache);
 * the same modules bundled by esbuild load in a tenth of that. The bundle is built at the first start after a change
 * to any module in it and kept in `node_modules/.cache/thingwire-threads/` with the list of its inputs: a later start,
 * in any process, checks their sizes and modification times and loads the bundle as it is.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'thingwire-threads');

interface Manifest {
  /** Each input module (relative to the repository) with its size and modification time when it was bundled. */
  inputs: Record<string, [size: number, mtimeMs: number]>;
}

function unchanged(manifest: Manifest): boolean {
  for (const [file, [size, mtimeMs]] of Object.entries(manifest.inputs)) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(path.join(ROOT, file));
    } catch {
      return false;
    }
    if (stat.size !== size || stat.mtimeMs !== mtimeMs) return false;
  }
  return true;
}

/**
 * The bundle of the TypeScript module at `entry` (its own modules bundled, packages left to `node_modules`), built
 * now if it is missing or out of date. Throws when it cannot be built or written; the caller loads the TypeScript.
 */
export function threadBundle(entry: URL): URL {
  const source = path.relative(ROOT, entry.pathname);
  const name = source.replace(/[\\/]/g, '__').replace(/\.ts$/, '');
  const bundle = path.join(CACHE_DIR, `${name}.mjs`);
  const manifestFile = path.join(CACHE_DIR, `${name}.json`);
  try {
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest;
    if (fs.existsSync(bundle) && unchanged(manifest)) return new URL(`file://${bundle}`);
  } catch {
    // No bundle yet, or an unreadable manifest: build it.
  }
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  // Processes starting together may build at once: each writes its own files and renames them into place.
  const partial = `${bundle}.${process.pid}.${Date.now()}`;
  const built = buildSync({
    entryPoints: [entry.pathname], outfile: partial, bundle: true, platform: 'node', format: 'esm', target: 'node20',
    packages: 'external', metafile: true, logLevel: 'silent', absWorkingDir: ROOT,
  });
  const inputs: Manifest['inputs'] = {};
  for (const file of Object.keys(built.metafile.inputs)) {
    const stat = fs.statSync(path.join(ROOT, file));
    inputs[file] = [stat.size, stat.mtimeMs];
  }
  fs.renameSync(partial, bundle);
  fs.writeFileSync(`${manifestFile}.${process.pid}`, JSON.stringify({ inputs } satisfies Manifest));
  fs.renameSync(`${manifestFile}.${process.pid}`, manifestFile);
  return new URL(`file://${bundle}`);
}
