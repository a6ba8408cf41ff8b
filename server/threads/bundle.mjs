// @ts-check
/**
 * A TypeScript entry module and the project modules it imports as one JavaScript file, built by esbuild. It serves
 * `npm start` (server/start.mjs) and the worker threads (rpc-thread.ts). Loading the server's modules through tsx
 * costs each start about 1.5 s of CPU (tsx's loader thread and a round trip to it per module); the same modules
 * bundled load in a fraction of that.
 *
 * Plain JavaScript, so `npm start` can load it without tsx. The bundle is built at the first start after a change
 * to any module in it and kept, with the list of its inputs, in a directory of the system's temporary files (writable
 * wherever the server runs, also when its own files are not): a later start, in any process, checks the inputs'
 * sizes and modification times and loads the bundle as it is. Packages are imported from this checkout's
 * `node_modules` by absolute path, and each module's `import.meta.url` is its own source file's, so the bundle runs
 * from wherever it is kept and finds what its modules find beside them.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Where bundles are kept: per user (another's directory is not writable) and per checkout. */
export const DEFAULT_BUNDLE_DIR = path.join(
  os.tmpdir(),
  `thingwire-threads-${os.userInfo().uid}`,
  createHash('sha256').update(ROOT).digest('hex').slice(0, 12),
);

/** @typedef {{ inputs: Record<string, [size: number, mtimeMs: number]> }} Manifest */

/** @param {Manifest} manifest */
function unchanged(manifest) {
  for (const [file, [size, mtimeMs]] of Object.entries(manifest.inputs)) {
    let stat;
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
 * Leaves packages out of the bundle, imported by their absolute path in this checkout's `node_modules`, and the
 * project's plain JavaScript modules (`.mjs`, such as this one), imported by their own path: they need no bundling.
 * @type {import('esbuild').Plugin}
 */
const externalByPath = {
  name: 'external-by-path',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, ({ path: specifier }) => (
      specifier.startsWith('node:') ? { path: specifier, external: true } : { path: fileURLToPath(import.meta.resolve(specifier)), external: true }
    ));
    b.onResolve({ filter: /\.mjs$/ }, ({ path: specifier, resolveDir }) => ({ path: path.resolve(resolveDir, specifier), external: true }));
  },
};

/**
 * Each TypeScript module's `import.meta.url`, `.dirname` and `.filename` as they are for its source file: modules
 * find the files beside them (the web UI, the default flows, a thread's module) from the bundle as from tsx.
 * @type {import('esbuild').Plugin}
 */
const ownImportMeta = {
  name: 'own-import-meta',
  setup(b) {
    b.onLoad({ filter: /\.tsx?$/ }, ({ path: file }) => {
      if (file.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = fs.readFileSync(file, 'utf8');
      if (!source.includes('import.meta')) return undefined;
      const contents = source
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(file).href))
        .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(file)))
        .replaceAll('import.meta.filename', JSON.stringify(file));
      // Resolving from the bundle's place would find nothing; resolve from a .mjs module instead.
      if (contents.includes('import.meta.resolve')) return { errors: [{ text: `${file}: import.meta.resolve in a bundled module` }] };
      return { contents, loader: file.endsWith('x') ? 'tsx' : 'ts' };
    });
  },
};

/**
 * The bundle of the module at `entry` (its project modules bundled, packages imported from `node_modules`), built
 * now if it is missing or out of date. Throws when it cannot be built or written.
 * @param {URL} entry
 * @param {string} [dir]
 * @returns {Promise<URL>}
 */
export async function bundle(entry, dir = DEFAULT_BUNDLE_DIR) {
  const name = path.relative(ROOT, fileURLToPath(entry)).replace(/[\\/]/g, '__').replace(/\.ts$/, '');
  const file = path.join(dir, `${name}.mjs`);
  const manifestFile = path.join(dir, `${name}.json`);
  try {
    const manifest = /** @type {Manifest} */ (JSON.parse(fs.readFileSync(manifestFile, 'utf8')));
    if (fs.existsSync(file) && unchanged(manifest)) return pathToFileURL(file);
  } catch {
    // No bundle yet, or an unreadable manifest: build it.
  }
  fs.mkdirSync(dir, { recursive: true });
  const built = await build({
    entryPoints: [fileURLToPath(entry)], outfile: file, write: false, bundle: true, platform: 'node', format: 'esm', target: 'node20',
    plugins: [externalByPath, ownImportMeta], metafile: true, logLevel: 'silent', absWorkingDir: ROOT,
    // Stack traces name the TypeScript files and lines (start.mjs turns source maps on).
    sourcemap: 'linked', sourcesContent: false,
  });
  /** @type {Manifest['inputs']} */
  const inputs = {};
  for (const input of Object.keys(built.metafile.inputs)) {
    const stat = fs.statSync(path.join(ROOT, input));
    inputs[input] = [stat.size, stat.mtimeMs];
  }
  // Processes starting together may build at once: each writes files of its own and renames them into place, the
  // bundle (and its map) before the manifest that vouches for it.
  const place = (/** @type {string} */ target, /** @type {string | Uint8Array} */ contents) => {
    const partial = `${target}.${process.pid}.${Date.now()}`;
    fs.writeFileSync(partial, contents);
    fs.renameSync(partial, target);
  };
  for (const output of built.outputFiles) place(output.path, output.contents);
  place(manifestFile, JSON.stringify(/** @type {Manifest} */ ({ inputs })));
  return pathToFileURL(file);
}
