import { startPostgres } from './postgres-server.ts';
import type { TestProject } from 'vitest/node';

/**
 * Vitest global setup: one PostgreSQL for the whole run, on which each test file makes databases of its own
 * (`testPostgres().database()`), instead of a server started (about a second of CPU) per file.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  project.provide('postgresAdminUrl', server.adminUrl);
  return () => server.stop();
}
