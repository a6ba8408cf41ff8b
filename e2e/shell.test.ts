import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/testing/test-server.ts';
import { fillSignInForm, launchBrowser, openApp, screenshot, signIn } from './browser.ts';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  // The default device pipeline gives the canvas something to draw.
  [server, browser] = await Promise.all([startTestServer({ installDefaultFlows: true }), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the app shell', () => {
  it('loads the sign-in page in under 150 kB, compressed (300 kB is the budget), and shows the API’s own message when the password is wrong', async () => {
    const { page, errors, close } = await openApp(browser, server);
    await page.getByLabel('Username').waitFor();
    // What crossed the network for the first load (a fresh browser context: nothing cached), headers included.
    const transferred = Number(await page.evaluate(`performance.getEntries().reduce((sum, entry) => sum + (entry.transferSize ?? 0), 0)`));
    expect(transferred).toBeGreaterThan(50_000);
    // About 85 kB: the signed-in app is a chunk of its own, loaded once there is a session.
    expect(transferred).toBeLessThan(150_000);
    const answer = page.waitForResponse((res) => res.url().endsWith('/api/v1/auth/login'));
    await fillSignInForm(page, 'admin', 'not-the-password');
    const body = (await (await answer).json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_credentials');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(body.error.message);
    expect(await page.getByLabel('Username').isVisible()).toBe(true);
    await screenshot(page, 'login-wrong-password');
    expect(errors).toEqual([]);
    await close();
  });

  it('signs in onto the dashboard; Flows in the navigation opens the palette by category and the deployed flow', async () => {
    const { page, errors, close } = await openApp(browser, server);
    await signIn(page);
    await page.waitForURL('**/dashboard');
    expect(await page.getByTestId('current-user').textContent()).toBe('admin');
    expect(await page.getByRole('banner').textContent()).toContain('admin');
    const nav = page.getByRole('navigation', { name: 'Sections' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Dashboard', 'Devices', 'Products', 'Firmware', 'Alerts', 'Flows', 'Users', 'My account']);
    await nav.getByRole('link', { name: 'Flows' }).click();
    await page.waitForURL('**/flows');

    const palette = page.getByRole('complementary', { name: 'Palette' });
    await palette.getByText('device in', { exact: true }).waitFor();
    expect(await palette.getByText('telemetry store', { exact: true }).isVisible()).toBe(true);
    expect(await palette.getByRole('heading', { name: 'device' }).isVisible()).toBe(true);

    const { body } = await server.request('GET', '/api/v1/flows', { token: server.adminToken });
    const flows = body.flows as { id: string; type: string; label?: string; z?: string; x?: number }[];
    const tab = flows.find((n) => n.type === 'tab')!;
    const onTab = flows.filter((n) => n.z === tab.id && typeof n.x === 'number');
    const canvas = page.getByTestId('flow-canvas');
    await canvas.locator('.react-flow__node').first().waitFor();
    expect(await canvas.locator('.react-flow__node').count()).toBe(onTab.length);
    expect(await canvas.locator('.react-flow__edge').count()).toBeGreaterThan(0);
    expect(await page.getByRole('tablist', { name: 'Flows' }).getByText(tab.label!, { exact: true }).isVisible()).toBe(true);

    expect(await nav.getByRole('link', { name: 'Flows' }).getAttribute('aria-current')).toBe('page');

    await screenshot(page, 'flows-page');
    expect(errors).toEqual([]);
    await close();
  });

  it('keeps the session over a reload and returns to the login screen on sign out', async () => {
    const { page, errors, close } = await openApp(browser, server, '/flows');
    await signIn(page);
    await page.reload();
    await page.getByTestId('current-user').waitFor();
    expect(new URL(page.url()).pathname).toBe('/flows');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    // The session is over on the server too, not only hidden in the page.
    await page.reload();
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    expect(await page.getByTestId('current-user').count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });

  it('serves the app with a strict Content-Security-Policy for any app path, and the API for /api', async () => {
    const page = await fetch(`${server.url}/flows`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('<div id="root">');
    const api = await fetch(`${server.url}/api/v1/nothing-here`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
