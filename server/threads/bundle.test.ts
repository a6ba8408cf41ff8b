import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { TELEMETRY_DB_FILE } from '../telemetry/sqlite-telemetry.ts';
import { bundle } from './bundle.mjs';

const entry = new URL('../telemetry/sqlite-telemetry-worker.ts', import.meta.url);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-bundle-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a worker thread\'s bundle', () => {
  it('is built once and reused while its modules are unchanged, and built again after one changes', async () => {
    const file = fileURLToPath(await bundle(entry, dir));
    const builtAt = fs.statSync(file).mtimeMs;
    expect(fileURLToPath(await bundle(entry, dir))).toBe(file);
    expect(fs.statSync(file).mtimeMs).toBe(builtAt);

    // One of its modules touched, as an edit would: the next start bundles again.
    const input = new URL('../db/migrate.ts', import.meta.url);
    const { atime, mtime } = fs.statSync(input);
    try {
      fs.utimesSync(input, atime, new Date(mtime.getTime() + 1000));
      await bundle(entry, dir);
      expect(fs.statSync(file).mtimeMs).not.toBe(builtAt);
    } finally {
      fs.utimesSync(input, atime, mtime);
    }
  });

  it('holds the thread\'s own modules and imports packages from this checkout by path', async () => {
    const code = fs.readFileSync(await bundle(entry, dir), 'utf8');
    expect(code).toMatch(/SqliteTelemetry = class/);
    expect(code).toContain(`from "${path.resolve(import.meta.dirname, '../../node_modules/better-sqlite3')}`);
    // The registry's migrations and the bundler itself stay out of the thread.
    expect(code).not.toContain('create-auth-tables');
    expect(code).not.toContain('esbuild');
  });

  it('runs from a directory outside the checkout: the thread opens a telemetry store', async () => {
    const worker = new Worker(await bundle(entry, dir), { execArgv: [] });
    try {
      // The migrations' log records come first, then the answer.
      const reply = new Promise((resolve, reject) => {
        worker.on('message', (message: { id?: number }) => message.id === 1 && resolve(message));
        worker.once('error', reject);
      });
      worker.postMessage({ id: 1, method: 'open', args: [1, path.join(dir, TELEMETRY_DB_FILE)] });
      expect(await reply).toEqual({ id: 1, value: undefined });
    } finally {
      await worker.terminate();
    }
  });
});

describe('the server\'s bundle (npm start)', () => {
  it('gives each module its own import.meta, so files beside the sources are found from the temp dir', async () => {
    const code = fs.readFileSync(await bundle(new URL('../main.ts', import.meta.url), dir), 'utf8');
    // app.ts reads ../package.json and the default flows relative to itself.
    expect(code).toContain(JSON.stringify(new URL('../app.ts', import.meta.url).href));
    expect(code).not.toMatch(/import\.meta\.(url|dirname|filename)/);
    // The bundler is imported from the checkout, not bundled (it would resolve packages from the temp dir).
    expect(code).toContain(`from "${path.resolve(import.meta.dirname, 'bundle.mjs')}"`);
  });

  it('names the TypeScript file and line in a stack trace, as npm start runs it (source maps on)', async () => {
    const errors = await bundle(new URL('../errors.ts', import.meta.url), dir);
    const script = `process.setSourceMapsEnabled(true); const m = await import(${JSON.stringify(errors.href)}); console.log(m.notFound('Thing', 'x').stack);`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')[1]).toContain(`${path.resolve(import.meta.dirname, '../errors.ts')}:`);
  });

  it('refuses a module resolving from import.meta, which the bundle\'s place would break', async () => {
    const entry = path.join(dir, 'resolves.ts');
    fs.writeFileSync(entry, "export const where = import.meta.resolve('pg');\n");
    await expect(bundle(new URL(`file://${entry}`), dir)).rejects.toThrow(/import\.meta\.resolve in a bundled module/);
  });
});
