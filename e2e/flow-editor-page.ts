/**
 * The flow editor as its browser tests drive it (`flow-editor.test.ts`, `flow-editor-files.test.ts`): the flows an
 * engineer starts from, the signed-in editor page, and the canvas, palette and properties panel by role.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestJson, type TestServer } from '../server/testing/test-server.ts';
import { launchBrowser, openApp, type AppPage, type AppPages } from './browser.ts';

/** What an engineer starts from: an empty flow and the device listener (a config node, set up once). */
export const startingFlows = [
  { id: 'e2e-tab', type: 'tab', label: 'Flow 1', disabled: false, info: '' },
  {
    id: 'e2e-listener', type: 'thing-mqtt-listener', name: 'Devices (MQTT)', port: 0, host: '127.0.0.1', tlsPort: 0, tlsCert: '',
    wsPath: '/mqtt', maxPayloadBytes: 262144, ratePerDevice: 0, keepaliveMin: 0, keepaliveMax: 1200,
  },
];

/** Replaces the server's flows with {@link startingFlows} (or `flows`). */
export async function deployStartingFlows(server: TestServer, flows: readonly unknown[] = startingFlows): Promise<void> {
  const { rev } = (await server.request('GET', '/api/v1/flows', { token: server.adminToken })).body;
  const res = await server.request('POST', '/api/v1/flows', { token: server.adminToken, body: { flows, rev } });
  if (res.status !== 200) throw new Error(`deploy: ${JSON.stringify(res.body)}`);
}

/** The editor, signed in as the admin, on its first tab: in a context of its own, or in the admin's page of `pages`. */
export async function openEditorPage(browser: Browser, server: TestServer, pages?: AppPages): Promise<AppPage> {
  const viewport = { width: 1440, height: 900 };
  const app = pages ? await pages.open('/flows', viewport) : await openApp(browser, server, '/flows', viewport, { signedIn: true });
  // Fail on the step that went wrong, well inside the test's own timeout.
  app.page.setDefaultTimeout(18_000);
  await app.page.getByRole('tab', { name: 'Flow 1' }).waitFor();
  return app;
}

/** What a test file shares: one server, the browser, and one signed-in editor page. */
export interface SharedEditor {
  server: TestServer;
  browser: Browser;
  app: AppPage;
  page: Page;
}

/**
 * One server (with `config`), flows (`flows`, {@link startingFlows} by default) and signed-in editor page for a
 * whole test file: registers the file's `beforeAll` and `afterAll`; the fields are set once `beforeAll` ran.
 */
export function sharedEditorPage(setup: { config?: Parameters<typeof startTestServer>[0]; flows?: readonly unknown[] } = {}): SharedEditor {
  const shared = {} as SharedEditor;
  beforeAll(async () => {
    [shared.server, shared.browser] = await Promise.all([startTestServer(setup.config), launchBrowser()]);
    await deployStartingFlows(shared.server, setup.flows);
    shared.app = await openEditorPage(shared.browser, shared.server);
    shared.page = shared.app.page;
  });
  afterAll(async () => {
    await shared.app?.close();
    await shared.browser?.close();
    await shared.server?.close();
  });
  return shared;
}

export const canvas = (page: Page) => page.getByTestId('flow-canvas');
export const canvasNode = (page: Page, label: string) => canvas(page).locator(`[data-testid="flow-node"][data-label="${label}"]`);
export const properties = (page: Page) => page.getByRole('complementary', { name: 'Properties' });

/** Drags a palette entry onto the canvas at (x, y) from the canvas's top-left corner. */
export async function dropFromPalette(page: Page, type: string, x: number, y: number): Promise<void> {
  await page.getByRole('complementary', { name: 'Palette' }).locator(`[data-node-type="${type}"]`).dragTo(canvas(page).locator('.react-flow__pane'), {
    targetPosition: { x, y },
  });
}

/** Draws a wire with the mouse from an output port to a node's input port. */
export async function wire(page: Page, from: Locator, to: Locator, port = 0): Promise<void> {
  const source = (await from.locator('.react-flow__handle.source').nth(port).boundingBox())!;
  const target = (await to.locator('.react-flow__handle.target').boundingBox())!;
  await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
  await page.mouse.down();
  await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 8 });
  await page.mouse.up();
}

/** The deployed flows and their revision, from the API. */
export async function flowsOf(server: TestServer): Promise<{ rev: string; flows: Record<string, TestJson>[] }> {
  return (await server.request('GET', '/api/v1/flows', { token: server.adminToken })).body;
}
