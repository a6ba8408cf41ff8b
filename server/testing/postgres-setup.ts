import { startPostgres } from './postgres-server.ts';
import type { TestProject } from 'vitest/node';

/**
 * Vitest global setup: one PostgreSQL for the whole run, on which each test file makes databases of its own
 * (`testPostgres().database()`), instead of a server started (about a second of CPU) per file.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  const admin = new URL(server.url);
  admin.pathname = '/postgres';
  project.provide('postgresAdminUrl', admin.href);
  return () => server.stop();
}
