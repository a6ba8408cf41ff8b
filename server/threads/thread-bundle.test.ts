import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { threadBundle } from './thread-bundle.ts';

const entry = new URL('../telemetry/sqlite-telemetry-worker.ts', import.meta.url);

describe('a worker thread\'s bundle', () => {
  it('is built once and reused while its modules are unchanged, and built again after one changes', () => {
    const bundle = threadBundle(entry);
    const builtAt = fs.statSync(bundle).mtimeMs;
    expect(threadBundle(entry)).toEqual(bundle);
    expect(fs.statSync(bundle).mtimeMs).toBe(builtAt);

    // One of its modules touched, as an edit would: the next start bundles again.
    const input = new URL('../db/migrate.ts', import.meta.url);
    const { atime, mtime } = fs.statSync(input);
    try {
      fs.utimesSync(input, atime, new Date(mtime.getTime() + 1000));
      threadBundle(entry);
      expect(fs.statSync(bundle).mtimeMs).not.toBe(builtAt);
    } finally {
      fs.utimesSync(input, atime, mtime);
    }
  });

  it('holds the thread\'s own modules and leaves packages to node_modules', () => {
    const code = fs.readFileSync(threadBundle(entry), 'utf8');
    expect(code).toMatch(/SqliteTelemetry = class/);
    expect(code).toMatch(/import Database from "better-sqlite3"/);
    // The registry's migrations and the bundler itself stay out of the thread.
    expect(code).not.toContain('create-auth-tables');
    expect(code).not.toContain('esbuild');
  });
});
