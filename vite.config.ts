import path from 'node:path';
import react from '@vitejs/plugin-react';
import tailwindcss from 'tailwindcss';
import { defineConfig, type Plugin } from 'vite';
import { nodeDefinitions } from './nodes/definitions.ts';
import { precompiledValidatorsModule } from './nodes/kit/precompiled-validators.ts';
import { precompressFiles } from './server/http/precompressed.ts';
import { themeColors, themeVariables } from './vite.theme.ts';

const root = import.meta.dirname;

/**
 * `virtual:node-config-validators`: every node definition's config validator, compiled at build time. The UI's
 * Content-Security-Policy has no `unsafe-eval`, so the editor cannot compile JSON Schemas in the browser.
 */
function nodeConfigValidators(): Plugin {
  const id = 'virtual:node-config-validators';
  return {
    name: 'thingwire-node-config-validators',
    resolveId: (source) => (source === id ? `\0${id}` : undefined),
    load: (resolved) => (resolved === `\0${id}` ? precompiledValidatorsModule(nodeDefinitions) : undefined),
  };
}
/** Brotli and gzip copies of the built text files, which the server sends instead of compressing per request. */
function precompress(): Plugin {
  return {
    name: 'thingwire-precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      await precompressFiles(Object.keys(bundle).map((file) => path.join(options.dir!, file)));
    },
  };
}

/** Where `npm start` runs Thingwire; `npx vite` forwards the API there so the dev server needs no CORS. */
const apiTarget = process.env.THINGWIRE_DEV_API ?? 'http://localhost:1880';

/**
 * The browser UI: the management app in `app/` with the flow editor from `editor/`, built into `dist/app/`, which
 * the server hosts (`server/http/ui.ts`) and builds on start when stale (`server/http/ui-build.ts`).
 */
export default defineConfig({
  root: path.join(root, 'app'),
  base: '/',
  plugins: [react(), nodeConfigValidators(), precompress()],
  css: {
    postcss: {
      // Tailwind 3 (pure JavaScript): Tailwind 4's native engine has no packages for other platforms on the registry
      // this project installs from, which leaves the lock file unusable for `npm ci`. Absolute globs, so the build
      // scans the same files from any working directory (server start, tests).
      plugins: [tailwindcss({
        content: [path.join(root, 'app/index.html'), path.join(root, 'app/src/**/*.{ts,tsx}'), path.join(root, 'editor/**/*.{ts,tsx}')],
        // Light and dark from one palette of variables (vite.theme.ts); `dark:` classes for what must not turn over.
        darkMode: 'class',
        theme: { colors: themeColors() },
        plugins: [{ handler: ({ addBase }) => addBase(themeVariables()) }],
      })],
    },
  },
  // Files outside app/ (editor/, domain/, nodes/ definitions) are part of the bundle; the dev server may read them.
  server: {
    fs: { allow: [root] },
    proxy: {
      '/api': { target: apiTarget, ws: true, changeOrigin: false },
      '/red': { target: apiTarget },
      '/mqtt': { target: apiTarget, ws: true },
    },
  },
  build: {
    outDir: path.join(root, 'dist', 'app'),
    emptyOutDir: true,
  },
});
