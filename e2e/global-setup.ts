import { ensureUiBuilt } from '../server/http/ui-build.ts';
import { createLogger } from '../server/logger.ts';

/**
 * Vitest global setup: builds the web UI once, before any test file runs, when its sources changed. Browser tests
 * need it, and test files running in parallel must not each start a build into the same `dist/app`.
 */
export default async function setup(): Promise<void> {
  await ensureUiBuilt(createLogger(process.env.THINGWIRE_TEST_LOG ?? 'info'));
}
