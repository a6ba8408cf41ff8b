/**
 * The dashboard in the real app: a fresh install says to create a product first; with devices, a real signed MQTT
 * device connecting shows as online at once, its posts as messages per second, its alert by severity and its
 * connection in the recent events, and it shows as offline when it disconnects.
 */
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createDevices, deployListener, deviceOptions, type TestDevice } from '../server/testing/mqtt-devices.ts';
import { pipelineFlow } from '../server/testing/pipeline-flow.ts';
import { startTestServer, type TestServer } from '../server/testing/test-server.ts';
import { launchBrowser, openApp, screenshot } from './browser.ts';

let server: TestServer;
let browser: Browser;
let mqttUrl: string;

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  // The shipped pipeline, its example alert ("Too hot": temperature above 30) raised at once instead of after 10 s.
  mqttUrl = `mqtt://127.0.0.1:${await deployListener(server, pipelineFlow({ alertForSeconds: 0 }))}`;
  await server.tokenFor('operator');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Signs in on `/` and lands on the dashboard, as a person does. */
async function openDashboard(viewport?: { width: number; height: number }, user?: [string, string]) {
  const app = await openApp(browser, server, '/', viewport, { signedIn: user ?? true });
  app.page.setDefaultTimeout(24_000);
  await app.page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  expect(new URL(app.page.url()).pathname).toBe('/dashboard');
  return app;
}

const stat = (page: Page, id: string) => page.locator(`[data-stat="${id}"]`);
const statValue = (page: Page, id: string) => stat(page, id).locator('[data-value]');

/** A device posting a temperature every 100 ms (QoS 0, no reply asked) until stopped. */
function keepPosting(client: MqttClient, device: TestDevice): () => void {
  let id = 0;
  const timer = setInterval(() => {
    const params = { temperature: 31 + (id % 5) / 10 };
    client.publish(`/sys/${device.productKey}/${device.deviceName}/thing/event/property/post`,
      JSON.stringify({ id: String(++id), version: '1.0', sys: { ack: 0 }, params, method: 'thing.event.property.post' }));
  }, 100);
  return () => clearInterval(timer);
}

describe('the dashboard', () => {
  it('on a fresh install says to create a product first, with the way there', async () => {
    const { page, errors, close } = await openDashboard(undefined, ['operator1', 'operator-password-1']);
    await page.getByText('No products yet').waitFor();
    expect(await page.getByRole('link', { name: 'Go to products' }).getAttribute('href')).toBe('/products');
    await page.getByText('An engineer or admin creates products first').waitFor();
    await screenshot(page, 'dashboard-empty');
    expect(errors).toEqual([]);
    await close();
  });

  it('shows a signed MQTT device online, its messages per second and its alert, then offline after it disconnects', async () => {
    const [boiler, spare] = await createDevices(server, 'a1dash', ['boiler-1', 'boiler-2']);
    const { page, errors, close } = await openDashboard();
    await expect.poll(() => statValue(page, 'total').textContent()).toBe('2');
    expect(await statValue(page, 'online').textContent()).toBe('0');
    expect(await stat(page, 'online').getAttribute('href')).toBe('/devices?status=online');
    expect(await stat(page, 'offline').getAttribute('href')).toBe('/devices?status=offline');
    await expect.poll(() => page.getByTestId('live-state').getAttribute('data-state')).toBe('open');

    // A refused attempt (a wrong secret) shows in the recent events with its reason.
    await expect(connect(mqttUrl, deviceOptions({ ...spare, deviceSecret: '00'.repeat(32) }))).rejects.toThrow();

    const device = await connect(mqttUrl, deviceOptions(boiler));
    const stop = keepPosting(device, boiler);
    try {
      // Pushed by the feed: no waiting for the next poll.
      await expect.poll(() => statValue(page, 'online').textContent(), { timeout: 12_000 }).toBe('1');
      await expect.poll(async () => Number(await stat(page, 'uplinks').textContent()), { timeout: 15_000 }).toBeGreaterThan(0);
      const row = page.locator('tr[data-connection="a1dash/boiler-1"]').first();
      await row.getByText('connected').waitFor();
      expect(await row.getByRole('link', { name: 'boiler-1' }).getAttribute('href')).toBe('/devices/a1dash/boiler-1');
      const refused = page.locator('tr[data-connection="a1dash/boiler-2"]').first();
      await refused.getByText('refused').waitFor();

      // The example alert of the shipped pipeline (warning) counts as active, linked to the filtered alert list.
      await expect.poll(() => statValue(page, 'alerts-warning').textContent(), { timeout: 24_000 }).toBe('1');
      expect(await stat(page, 'alerts-warning').getAttribute('href')).toBe('/alerts?state=active&severity=warning');
      // A few rate pushes for the sparkline to draw.
      await page.locator('svg[role="img"] polyline').waitFor({ state: 'attached' });
      await expect.poll(async () => ((await page.locator('svg[role="img"] polyline').getAttribute('points')) ?? '').split(' ').length, { timeout: 24_000 }).toBeGreaterThan(3);
      await screenshot(page, 'dashboard');

      const tablet = await openDashboard({ width: 820, height: 1180 });
      await expect.poll(() => statValue(tablet.page, 'online').textContent()).toBe('1');
      await expect.poll(async () => Number(await stat(tablet.page, 'uplinks').textContent())).toBeGreaterThan(0);
      // Its sparkline starts with the minute the server measured before the page opened (two pushes draw a line;
      // the history comes before the first).
      await tablet.page.locator('svg[role="img"] polyline').waitFor({ state: 'attached' });
      expect(((await tablet.page.locator('svg[role="img"] polyline').getAttribute('points')) ?? '').split(' ').length).toBeGreaterThan(5);
      // Nothing sticks out sideways at tablet width.
      const overflow = await tablet.page.evaluate(() => {
        const { document } = globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } };
        return document.documentElement.scrollWidth - document.documentElement.clientWidth;
      });
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(tablet.page, 'dashboard-tablet');
      expect(tablet.errors).toEqual([]);
      await tablet.close();
    } finally {
      stop();
    }

    await device.endAsync();
    await expect.poll(() => statValue(page, 'online').textContent(), { timeout: 12_000 }).toBe('0');
    expect(await statValue(page, 'offline').textContent()).toBe('1');
    await page.locator('tr[data-connection="a1dash/boiler-1"]').first().getByText('disconnected').waitFor();
    await expect.poll(() => stat(page, 'uplinks').textContent(), { timeout: 15_000 }).toBe('0');

    // A card opens the filtered device list.
    await stat(page, 'offline').click();
    await page.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
    expect(new URL(page.url()).search).toBe('?status=offline');
    expect(errors).toEqual([]);
    await close();
  });
});
