/**
 * Builds `node-red-contrib-thingwire`: Thingwire's nodes as a package that stock Node-RED loads (from `nodesDir` or
 * `~/.node-red/node_modules`). One CommonJS bundle of the runtimes and kit, and the editor `.html` generated from
 * the same definitions. The nodes find the platform services in `settings.thingwire.services` of the
 * Node-RED settings file.
 *
 * Usage: `npm run build:nodes [-- <outDir>]` (default `dist/node-red-contrib-thingwire`).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { thingwireNodeDefinitions } from '../definitions.ts';
import { nodeHtml } from './node-html.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The name Node-RED lists the package under. */
export const NODE_PACKAGE_NAME = 'node-red-contrib-thingwire';

/** Writes the package into `outDir` (created or overwritten) and returns the files written. */
export async function buildNodePackage(
  outDir = path.join(repoRoot, 'dist', NODE_PACKAGE_NAME),
): Promise<{ outDir: string; files: string[] }> {
  const rootPackage = JSON.parse(await fs.readFile(path.join(repoRoot, 'package.json'), 'utf8')) as {
    version: string;
    license: string;
    engines?: Record<string, string>;
  };
  await fs.mkdir(outDir, { recursive: true });

  // Node-RED calls a node module's export with its RED object; the kit registers every implementation.
  await build({
    stdin: {
      contents: [
        "import { registerNodes } from './nodes/kit/register-nodes.ts';",
        "import { implementations } from './nodes/index.ts';",
        'export default function thingwireNodes(RED: unknown): void { registerNodes(RED, implementations); }',
      ].join('\n'),
      loader: 'ts',
      resolveDir: repoRoot,
      sourcefile: 'thingwire-entry.ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: path.join(outDir, 'thingwire.js'),
    logLevel: 'warning',
  });

  await fs.writeFile(path.join(outDir, 'thingwire.html'), nodeHtml(thingwireNodeDefinitions));
  const packageJson = {
    name: NODE_PACKAGE_NAME,
    version: rootPackage.version,
    description: 'Thingwire IoT nodes for Node-RED: thing model validation and more.',
    license: rootPackage.license,
    // The bundle is CommonJS even when this folder sits inside an ESM package.
    type: 'commonjs',
    keywords: ['node-red', 'iot', 'thingwire'],
    engines: rootPackage.engines ?? {},
    'node-red': { version: '>=4.1.0', nodes: { thingwire: 'thingwire.js' } },
  };
  await fs.writeFile(path.join(outDir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  return { outDir, files: ['package.json', 'thingwire.js', 'thingwire.html'] };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { outDir, files } = await buildNodePackage(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`built ${NODE_PACKAGE_NAME} in ${outDir}: ${files.join(', ')}`);
}
