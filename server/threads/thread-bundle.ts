/**
 * A worker thread's TypeScript as one JavaScript file. A thread that loads TypeScript through tsx spends about half a
 * second of CPU starting (tsx, its loader thread and esbuild, then each module transformed or read from tsx's cache);
 * the same modules bundled by esbuild load in a tenth of that. The bundle is built at the first start after a change
 * to any module in it and kept, with the list of its inputs, in a directory of the system's temporary files (writable
 * wherever the server runs, also when its own files are not): a later start, in any process, checks the inputs' sizes
 * and modification times and loads the bundle as it is. Packages are imported from this checkout's `node_modules` by
 * absolute path, so the bundle runs from wherever it is kept.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Where bundles are kept: per user (another's directory is not writable) and per checkout. */
export const DEFAULT_BUNDLE_DIR = path.join(
  os.tmpdir(),
  `thingwire-threads-${os.userInfo().uid}`,
  createHash('sha256').update(ROOT).digest('hex').slice(0, 12),
);

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

/** Leaves packages out of the bundle, imported by their absolute path in this checkout's `node_modules`. */
const packagesByPath: Plugin = {
  name: 'packages-by-path',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, ({ path: specifier }) => (
      specifier.startsWith('node:') ? { path: specifier, external: true } : { path: fileURLToPath(import.meta.resolve(specifier)), external: true }
    ));
  },
};

/**
 * The bundle of the TypeScript module at `entry` (its own modules bundled, packages imported from `node_modules`),
 * built now if it is missing or out of date. Throws when it cannot be built or written.
 */
export async function threadBundle(entry: URL, dir = DEFAULT_BUNDLE_DIR): Promise<URL> {
  const name = path.relative(ROOT, fileURLToPath(entry)).replace(/[\\/]/g, '__').replace(/\.ts$/, '');
  const bundle = path.join(dir, `${name}.mjs`);
  const manifestFile = path.join(dir, `${name}.json`);
  try {
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest;
    if (fs.existsSync(bundle) && unchanged(manifest)) return new URL(`file://${bundle}`);
  } catch {
    // No bundle yet, or an unreadable manifest: build it.
  }
  fs.mkdirSync(dir, { recursive: true });
  // Processes starting together may build at once: each writes its own files and renames them into place.
  const partial = `${bundle}.${process.pid}.${Date.now()}`;
  const built = await build({
    entryPoints: [fileURLToPath(entry)], outfile: partial, bundle: true, platform: 'node', format: 'esm', target: 'node20',
    plugins: [packagesByPath], metafile: true, logLevel: 'silent', absWorkingDir: ROOT,
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
