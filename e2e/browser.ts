/**
 * Browser tests drive the real server (`startTestServer`) in Debian's headless Chromium, as a person would: through
 * the login form, clicks and typing. Browsers cannot be downloaded by Playwright here, hence playwright-core and the
 * system Chromium (`apt-get install chromium`; `.ci/run` installs it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { TEST_ADMIN_PASSWORD, type TestServer } from '../server/testing/test-server.ts';

/** Where screenshots go (gitignored); look at them after a run. */
export const ARTIFACTS_DIR = path.join(import.meta.dirname, 'artifacts');

const CHROMIUM = process.env.THINGWIRE_CHROMIUM ?? '/usr/bin/chromium';

/** Starts headless Chromium. One per test file; a page per test keeps tests apart (own cookies). */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install Debian's (apt-get update && apt-get install -y chromium) or set THINGWIRE_CHROMIUM.`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true });
}

/** A page in a fresh browser context (no cookies), with what went wrong in it collected for assertions. */
export interface AppPage {
  page: Page;
  /** Uncaught exceptions in the page and console errors other than failed HTTP requests (a 401 is expected). */
  errors: string[];
  close(): Promise<void>;
}

/** Opens `path` of the test server's UI in a new context of `browser`, at a laptop-sized viewport by default. */
export async function openApp(
  browser: Browser,
  server: TestServer,
  appPath = '/',
  viewport: { width: number; height: number } = { width: 1280, height: 800 },
): Promise<AppPage> {
  const context = await browser.newContext({ baseURL: server.url, viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('console', (message) => {
    // Chromium reports every non-2xx fetch as a console error; the app handles those itself.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(`console: ${message.text()}`);
  });
  await page.goto(appPath);
  return { page, errors, close: () => context.close() };
}

/** Signs in through the login form and waits for the signed-in shell. */
export async function signIn(page: Page, username = 'admin', password = TEST_ADMIN_PASSWORD): Promise<void> {
  await fillSignInForm(page, username, password);
  await page.getByTestId('current-user').waitFor();
}

/** Fills and submits the login form without waiting for its outcome (for failed sign-ins). */
export async function fillSignInForm(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Saves a full-page screenshot as `e2e/artifacts/<name>.png` and answers its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
