import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './vitest.sequencer.ts';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'app/**/*.test.ts', 'scripts/**/*.test.ts', 'nodes/**/*.test.ts', 'flows/**/*.test.ts', 'bench/**/*.test.ts', 'editor/**/*.test.ts', 'e2e/**/*.test.ts'],
    // Real servers, real sockets, real SQLite files: give each test file its own process.
    pool: 'forks',
    // Vitest's default is one fewer than the cores: one worker on a 2-core machine. The files spend most of their time
    // waiting on servers, devices and the browser, so two run side by side in about 60 % of the time.
    maxWorkers: 2,
    // Builds the web UI once for the browser tests (and `npm start` in server/main.test.ts) when it is stale.
    globalSetup: ['e2e/global-setup.ts'],
    sequence: { sequencer: SlowFirstSequencer },
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results/results.json' },
  },
});
