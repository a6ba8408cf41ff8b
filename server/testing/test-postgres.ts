import { randomBytes } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { createDatabaseAt, startPostgres, type PostgresServer } from './postgres-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's shared PostgreSQL (postgres-setup.ts), as a URL of its `postgres` database; unset when none runs. */
    postgresAdminUrl?: string;
  }
}

/**
 * PostgreSQL for a test file: the run's shared server when the project starts one (postgres-setup.ts), else one of
 * the file's own, stopped after it. `database()` gives a new, empty database each time, named apart from every other
 * file's, so files running side by side on the shared server never meet.
 */
export function testPostgres(): { database(prefix?: string): Promise<string> } {
  const shared = inject('postgresAdminUrl');
  let own: Promise<PostgresServer> | undefined;
  if (!shared) afterAll(async () => (await own?.catch(() => undefined))?.stop());
  return {
    async database(prefix = 'test') {
      const name = `${prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_${process.pid}_${randomBytes(4).toString('hex')}`;
      if (shared) return createDatabaseAt(shared, name);
      own ??= startPostgres();
      return (await own).createDatabase(name);
    },
  };
}
