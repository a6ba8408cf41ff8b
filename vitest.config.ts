import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'nodes/**/*.test.ts', 'flows/**/*.test.ts', 'bench/**/*.test.ts'],
    // Real servers, real sockets, real SQLite files: give each test file its own process.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results/results.json' },
  },
});
