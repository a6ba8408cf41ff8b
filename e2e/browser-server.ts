import { chromium } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { chromiumLaunchOptions } from './chromium.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the run's shared Chromium listens (`launchBrowser` connects to it); unset when none was started. */
    chromiumWsEndpoint?: string;
  }
}

/**
 * Vitest global setup of the browser tests: one headless Chromium for the whole run instead of one per file.
 * Launching it took 1–3 s of each file (more on a busy machine) and closing it another; a file now connects in
 * ~0.1 s. Each test still gets its own browser context (own cookies and storage), as before.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await chromium.launchServer(chromiumLaunchOptions());
  project.provide('chromiumWsEndpoint', server.wsEndpoint());
  return () => server.close();
}
