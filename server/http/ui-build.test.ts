import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildLock, isUiSource, uiBuildStatus } from './ui-build.ts';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

/** A repository with UI sources and node files, every file dated `at` (seconds since the epoch). */
function repo(at: number): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-ui-build-'));
  roots.push(root);
  for (const file of ['app/index.html', 'app/src/main.tsx', 'editor/flow-editor.tsx', 'nodes/definitions.ts', 'nodes/kit/define-node.ts',
    'nodes/alert/alert.def.ts', 'nodes/alert/alert.runtime.ts', 'nodes/kit/build-node-package.ts', 'server/app.ts', 'vite.config.ts']) {
    write(root, file, at);
  }
  return root;
}

function write(root: string, file: string, at: number): void {
  const full = path.join(root, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, file);
  fs.utimesSync(full, at, at);
}

const dist = (root: string) => path.join(root, 'dist', 'app');

describe('whether the web UI needs a build', () => {
  it('builds when there is no build yet, and cannot when the sources are absent too', () => {
    const root = repo(1_000);
    expect(uiBuildStatus(root, dist(root))).toEqual({ state: 'missing' });
    fs.rmSync(path.join(root, 'app'), { recursive: true });
    expect(uiBuildStatus(root, dist(root))).toEqual({ state: 'no-sources' });
  });

  it('is fresh when the build is newer than every source, and rebuilds after a source changed', () => {
    const root = repo(1_000);
    write(root, 'dist/app/index.html', 2_000);
    expect(uiBuildStatus(root, dist(root))).toEqual({ state: 'fresh' });

    write(root, 'editor/model/flow-model.ts', 3_000);
    expect(uiBuildStatus(root, dist(root))).toEqual({ state: 'outdated', newestSource: path.join('editor', 'model', 'flow-model.ts') });
  });

  it('rebuilds for node definitions the editor imports, not for node runtimes or the server', () => {
    for (const [file, stale] of [
      ['nodes/alert/alert.def.ts', true], ['nodes/definitions.ts', true], ['nodes/kit/define-node.ts', true], ['vite.config.ts', true],
      ['nodes/alert/alert.runtime.ts', false], ['server/app.ts', false], ['app/.cache/x.js', false],
    ] as const) {
      const root = repo(1_000);
      write(root, 'dist/app/index.html', 2_000);
      write(root, file, 3_000);
      expect(uiBuildStatus(root, dist(root)).state, file).toBe(stale ? 'outdated' : 'fresh');
    }
  });

  it('counts exactly the files the bundle is made from as sources', () => {
    expect(isUiSource('app/src/app.tsx')).toBe(true);
    expect(isUiSource('nodes/notify/notify.def.ts')).toBe(true);
    expect(isUiSource('nodes/kit/sub/deep.ts')).toBe(false);
    expect(isUiSource('domain/thing-model/tsl-problems.ts')).toBe(true);
    expect(isUiSource('docs/codecs.md')).toBe(true);
    expect(isUiSource('docs/modbus.md')).toBe(false);
    expect(isUiSource('server/thing-model/tsl-compiler.ts')).toBe(false);
    expect(isUiSource('nodes/notify/notify.runtime.ts')).toBe(false);
    expect(isUiSource('e2e/shell.test.ts')).toBe(false);
    expect(isUiSource('editor/model/flow-codec.test.ts')).toBe(false);
    expect(isUiSource('nodes/kit/config-validator.test.ts')).toBe(false);
  });
});

describe('the build lock', () => {
  it('makes a second build wait until the first releases, and takes over a lock left by a killed build', async () => {
    const root = repo(1_000);
    const lock = path.join(root, 'dist', '.ui-build.lock');
    const releaseFirst = await buildLock(lock);
    let secondHasIt = false;
    // The waiting build's clock, moved on by hand: five of its 200 ms retries pass without waiting for them.
    vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] });
    try {
      const second = buildLock(lock).then((release) => {
        secondHasIt = true;
        return release;
      });
      await vi.advanceTimersByTimeAsync(1000);
      expect(secondHasIt).toBe(false);
      releaseFirst();
      await vi.advanceTimersByTimeAsync(200);
      (await second)();
    } finally {
      vi.useRealTimers();
    }
    expect(fs.existsSync(lock)).toBe(false);

    fs.mkdirSync(lock);
    fs.utimesSync(lock, 1_000, 1_000);
    (await buildLock(lock))();
  });
});
