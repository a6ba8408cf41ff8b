/**
 * Browser tests drive the real server (`startTestServer`) in Debian's headless Chromium (see `chromium.ts`), as a
 * person would: through the login form, clicks and typing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Dialog, type Download, type Locator, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { TEST_ADMIN_PASSWORD, type TestServer } from '../server/testing/test-server.ts';
import { chromiumLaunchOptions } from './chromium.ts';

/** Where screenshots go (gitignored); look at them after a run. */
export const ARTIFACTS_DIR = path.join(import.meta.dirname, 'artifacts');

/**
 * Whether the browser tests save their screenshots: with `THINGWIRE_SCREENSHOTS=1` (`npm run screenshots` sets it),
 * for a person to look at. `npm test` asserts nothing about pixels, and its ~170 captures cost ~20 s of Chromium's
 * CPU (PNG encoding, ~0.1 s each) on the two cores the browser files already queue for.
 */
export const SAVE_SCREENSHOTS = process.env.THINGWIRE_SCREENSHOTS === '1';

/**
 * The run's shared Chromium (started by `browser-server.ts`), or a Chromium of its own when the file runs without
 * that setup. `close()` lets go of it. A context per test (`openApp`) keeps tests apart (own cookies and storage).
 */
export async function launchBrowser(): Promise<Browser> {
  const shared = inject('chromiumWsEndpoint');
  return shared ? chromium.connect(shared) : chromium.launch(chromiumLaunchOptions());
}

/** The text of a finished download (read through Playwright: the browser may run in another process). */
export async function downloadedText(download: Download): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A page in a fresh browser context (no cookies), with what went wrong in it collected for assertions. */
export interface AppPage {
  page: Page;
  /** Uncaught exceptions in the page and console errors other than failed HTTP requests (a 401 is expected). */
  errors: string[];
  close(): Promise<void>;
}

/**
 * Each page pastes what it copied itself. The run's files share one Chromium, and with it one system clipboard: a
 * file copying while another copies and pastes (two run at once) swapped the other's paste for its own nodes. A Ctrl+C
 * or Ctrl+X the page handles is remembered in the page, and a Ctrl+V reads that back; a paste event a test builds
 * itself (flow JSON "from elsewhere") keeps its own data.
 */
const PAGE_OWN_CLIPBOARD = `(() => {
  let copied;
  const { setData, getData } = DataTransfer.prototype;
  DataTransfer.prototype.setData = function (format, data) {
    const type = window.event && window.event.type;
    if ((type === 'copy' || type === 'cut') && format === 'text/plain') copied = data;
    return setData.call(this, format, data);
  };
  DataTransfer.prototype.getData = function (format) {
    const event = window.event;
    if (event && event.type === 'paste' && event.isTrusted && format === 'text/plain' && copied !== undefined) return copied;
    return getData.call(this, format);
  };
})();`;

/** Set in sessionStorage by {@link AppPages.open}: the next document of the page starts with empty storage. */
const RESET_FLAG = 'thingwire-test:reset-storage';
const RESET_STORAGE = `if (sessionStorage.getItem(${JSON.stringify(RESET_FLAG)})) { localStorage.clear(); sessionStorage.clear(); }`;

/**
 * Opens `path` of the test server's UI in a new context of `browser`, at a laptop-sized viewport by default. With
 * `clock`, the page's timers run on Playwright's clock (at real speed until moved on): a screen that reloads every
 * few seconds is made to reload now with `page.clock.fastForward(ms)`, while the server and devices keep real time.
 *
 * With `signedIn` (the admin, or `[username, password]`), the context signs in first through the API the login form
 * posts to, keeping the session cookie the server sets, and the page opens on the signed-in shell: a test about a
 * screen need not go through the login form each time (~0.5 s a page, more on a busy machine). The form itself, and
 * landing where one was going after it, are `shell.test.ts`'s; a few journeys still sign in through it with `signIn`.
 */
export async function openApp(
  browser: Browser,
  server: TestServer,
  appPath = '/',
  viewport: { width: number; height: number } = { width: 1280, height: 800 },
  options: { clock?: boolean; signedIn?: true | [username: string, password: string]; liveFeed?: false } = {},
): Promise<AppPage> {
  // Reduced motion, as many users set it: the dashboard's pulsing live dot otherwise repaints ten times a second on
  // every page left open on it (a tenth of a core each, idle), and the files' pages queue for the same two cores.
  const context = await browser.newContext({ baseURL: server.url, viewport, reducedMotion: 'reduce' });
  await context.addInitScript(PAGE_OWN_CLIPBOARD);
  await context.addInitScript(RESET_STORAGE);
  if (options.clock) await context.clock.install();
  // No live pushes reach the page (its socket opens but hears nothing), as when they are slow to arrive.
  if (options.liveFeed === false) await context.routeWebSocket(/\/api\/v1\/live\/devices/, () => undefined);
  if (options.signedIn) {
    const [username, password] = options.signedIn === true ? ['admin', TEST_ADMIN_PASSWORD] : options.signedIn;
    // The context's request client shares its cookies: the server's Set-Cookie lands in the browser as it would.
    const res = await context.request.post('/api/v1/auth/login', { data: { username, password } });
    if (res.status() !== 200) throw new Error(`signing in as ${username}: ${res.status()} ${await res.text()}`);
  }
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('console', (message) => {
    // Chromium reports every non-2xx fetch as a console error; the app handles those itself.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(`console: ${message.text()}`);
  });
  await page.goto(appPath);
  if (options.signedIn) await page.getByTestId('current-user').waitFor();
  return { page, errors, close: () => context.close() };
}

/**
 * Signed-in pages that the tests of one file take turns on: one page per user, opened and signed in by the first test
 * that asks for it, then loaded afresh at the next test's path. A new page costs ~3 s of CPU on this kind of machine
 * (its renderer process starting and loading the app cold, measured in a cgroup), a full load in an open page ~0.35 s
 * (a detour through another page to empty the storage cost another 0.1 s: the storage is emptied as the next document
 * starts instead), and the browser tests run two at a time on two cores, so they wait on CPU. Each test still starts from a full page
 * load of its path, with the browser's storage (drafts, layout, remembered choices) emptied and its own `errors`;
 * what stays is the session cookie and the cached assets, as for a person who comes back to the app.
 *
 * Not for a test that needs a context of its own: a Playwright clock (`clock`), a blocked live feed, or the sign-in
 * form (`openApp` then).
 */
export class AppPages {
  readonly #pages = new Map<string, { app: AppPage; viewport: { width: number; height: number } }>();
  readonly #browser: () => Browser;
  readonly #server: () => TestServer;

  /** `browser` and `server` are read when a page is first opened (a file's `beforeAll` sets them). */
  constructor(browser: () => Browser, server: () => TestServer) {
    this.#browser = browser;
    this.#server = server;
  }

  /**
   * `path` in the page of `signedIn` (the admin by default), as {@link openApp} opens it; `close()` leaves the page
   * open for the next test.
   */
  async open(
    appPath = '/',
    viewport: { width: number; height: number } = { width: 1280, height: 800 },
    signedIn: true | [username: string, password: string] = true,
  ): Promise<AppPage> {
    const key = signedIn === true ? 'admin' : signedIn[0];
    const kept = this.#pages.get(key);
    if (!kept) {
      const app = await openApp(this.#browser(), this.#server(), appPath, viewport, { signedIn });
      this.#pages.set(key, { app, viewport });
      return { ...app, close: async () => undefined };
    }
    const { app } = kept;
    const { page } = app;
    // The next document starts with the browser's storage emptied (RESET_STORAGE, before the app's scripts run), so
    // whatever the leaving page writes as it unloads (a draft, a layout) is gone too.
    await page.evaluate(`sessionStorage.setItem(${JSON.stringify(RESET_FLAG)}, '1')`);
    if (kept.viewport.width !== viewport.width || kept.viewport.height !== viewport.height) {
      await page.setViewportSize(viewport);
      kept.viewport = viewport;
    }
    app.errors.length = 0;
    // Away from the app: a page that keeps unsaved edits asks first; leave.
    const leave = (dialog: Dialog) => void (dialog.type() === 'beforeunload' ? dialog.accept() : dialog.dismiss());
    page.on('dialog', leave);
    try {
      await page.goto(appPath);
    } finally {
      page.off('dialog', leave);
    }
    await page.getByTestId('current-user').waitFor();
    return { ...app, close: async () => undefined };
  }

  /** Closes every page (a file's `afterAll`). */
  async close(): Promise<void> {
    await Promise.all([...this.#pages.values()].map(({ app }) => app.close()));
    this.#pages.clear();
  }
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

/**
 * Saves a screenshot of the page, or of one part of it (`part`: a panel), as `e2e/artifacts/<name>.png` when
 * {@link SAVE_SCREENSHOTS}, and answers its path. The viewport, not the full page: the app scrolls inside its panels,
 * so a full-page capture shows nothing more and costs about twice as much.
 */
export async function screenshot(page: Page, name: string, part?: Locator): Promise<string> {
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  if (!SAVE_SCREENSHOTS) return file;
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await (part ?? page).screenshot({ path: file });
  return file;
}
