/**
 * The dashboard in the real app: a fresh install says to create a product first; with devices, a real signed MQTT
 * device connecting shows as online at once, its posts as messages per second, its alert by severity and its
 * connection in the recent events, and it shows as offline when it disconnects. A composed dashboard: a latest value
 * and a chart of a real MQTT device, updating live; moved and resized by pointer, kept across a reload; shared,
 * exported and imported.
 */
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createDevices, deployListener, deviceOptions, type TestDevice } from '../server/testing/mqtt-devices.ts';
import { pipelineFlow } from '../server/testing/pipeline-flow.ts';
import { startTestServer, type TestServer } from '../server/testing/test-server.ts';
import { AppPages, downloadedText, launchBrowser, openApp, screenshot } from './browser.ts';

let server: TestServer;
let browser: Browser;
/** One signed-in page per user for the file's tests (see AppPages). */
const pages = new AppPages(() => browser, () => server);
let mqttUrl: string;

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  // The shipped pipeline, its example alert ("Too hot": temperature above 30) raised at once instead of after 10 s.
  mqttUrl = `mqtt://127.0.0.1:${await deployListener(server, pipelineFlow({ alertForSeconds: 0 }))}`;
  await server.tokenFor('operator');
});

afterAll(async () => {
  await pages.close();
  await browser?.close();
  await server?.close();
});

/**
 * Signs in on `/` and lands on the dashboard, as a person does; in the user's page of the file, or with `secondWindow`
 * in a context of its own, beside the page a test has open.
 */
async function openDashboard(viewport?: { width: number; height: number }, user?: [string, string], secondWindow = false) {
  const app = secondWindow ? await openApp(browser, server, '/', viewport, { signedIn: user ?? true }) : await pages.open('/', viewport, user ?? true);
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

      const tablet = await openDashboard({ width: 820, height: 1180 }, undefined, true);
      await expect.poll(() => statValue(tablet.page, 'online').textContent()).toBe('1');
      await expect.poll(async () => Number(await stat(tablet.page, 'uplinks').textContent())).toBeGreaterThan(0);
      // Its sparkline starts with the minute the server measured before the page opened (two pushes draw a line;
      // the history comes before the first): as soon as it is drawn it has at least the points the first page had.
      await tablet.page.locator('svg[role="img"] polyline').waitFor({ state: 'attached' });
      expect(((await tablet.page.locator('svg[role="img"] polyline').getAttribute('points')) ?? '').split(' ').length).toBeGreaterThan(3);
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

  it('composes a dashboard of a live value and a chart, moved and resized by pointer and keyboard, kept, shared, exported and imported', async () => {
    const [oven] = await createDevices(server, 'a1board', ['oven-1']);
    const device = await connect(mqttUrl, deviceOptions(oven));
    let temperature = 21.5;
    let id = 0;
    const timer = setInterval(() => {
      device.publish(`/sys/${oven.productKey}/${oven.deviceName}/thing/event/property/post`,
        JSON.stringify({ id: String(++id), version: '1.0', sys: { ack: 0 }, params: { temperature }, method: 'thing.event.property.post' }));
    }, 250);
    const { page, errors, close } = await openDashboard({ width: 1400, height: 900 });
    try {
      // A new dashboard, then a latest value and a chart from the registry and the published thing model.
      await page.getByRole('button', { name: 'New dashboard' }).click();
      await page.getByRole('dialog').getByLabel('Name').fill('Ovens');
      await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
      await expect.poll(() => page.getByTestId('dashboard-name').textContent()).toBe('Ovens');
      const addWidget = async (type: string) => {
        await page.getByRole('button', { name: 'Add widget' }).first().click();
        const dialog = page.getByRole('dialog');
        await dialog.getByText(type, { exact: true }).click();
        await dialog.getByLabel('Device', { exact: true }).selectOption('a1board/oven-1');
        await dialog.getByLabel('Property', { exact: true }).selectOption('temperature');
        await dialog.getByRole('button', { name: 'Add', exact: true }).click();
        await dialog.waitFor({ state: 'detached' });
      };
      await addWidget('Latest value');
      await addWidget('Time-series chart');
      const value = page.locator('[data-widget-type="value"]');
      const chart = page.locator('[data-widget-type="chart"]');
      await expect.poll(() => value.locator('[data-value]').textContent(), { timeout: 15_000 }).toBe('21.5');
      temperature = 24.25;
      await expect.poll(() => value.locator('[data-value]').textContent(), { timeout: 15_000 }).toBe('24.25');
      await expect.poll(async () => Number(await chart.locator('[data-chart]').getAttribute('data-points')), { timeout: 15_000 }).toBeGreaterThan(1);
      await screenshot(page, 'dashboard-edit');

      // Drag the chart by its title bar to the left edge (the value makes room below), then widen the value from its corner.
      expect(await value.getAttribute('data-layout')).toBe('0,0,3,2');
      expect(await chart.getAttribute('data-layout')).toBe('3,0,6,4');
      const drag = async (from: { x: number; y: number }, dx: number, dy: number) => {
        await page.mouse.move(from.x, from.y);
        await page.mouse.down();
        for (let i = 1; i <= 5; i++) await page.mouse.move(from.x + (dx * i) / 5, from.y + (dy * i) / 5);
        await page.mouse.up();
      };
      const saved = () => page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/api/v1/dashboards/'));
      const head = (await chart.locator('[data-drag-handle]').boundingBox())!;
      const colWidth = ((await page.getByTestId('dashboard-grid').boundingBox())!.width + 12) / 12;
      let save = saved();
      await drag({ x: head.x + head.width / 2, y: head.y + head.height / 2 }, -3 * colWidth, 0);
      await save;
      expect(await chart.getAttribute('data-layout')).toBe('0,0,6,4');
      expect(await value.getAttribute('data-layout')).toBe('0,4,3,2');
      const corner = (await value.locator('[data-resize-handle]').boundingBox())!;
      save = saved();
      await drag({ x: corner.x + corner.width / 2, y: corner.y + corner.height / 2 }, 2 * colWidth, 88);
      await save;
      expect(await value.getAttribute('data-layout')).toBe('0,4,5,3');
      // From the keyboard too: Shift+arrows on the move handle resize, arrows move.
      const handle = value.getByRole('button', { name: /^Move or resize/ });
      save = saved();
      await handle.press('Shift+ArrowDown');
      await save;
      expect(await value.getAttribute('data-layout')).toBe('0,4,5,4');
      save = saved();
      await handle.press('Shift+ArrowUp');
      await save;
      expect(await value.getAttribute('data-layout')).toBe('0,4,5,3');

      // Shared with everyone: an operator lists it and may not change it.
      await page.getByRole('button', { name: 'Share with everyone' }).click();
      await page.getByText('Shared', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Done' }).click();
      const operator = await server.tokenFor('operator');
      const listed = (await server.request('GET', '/api/v1/dashboards', { token: operator })).body.items;
      expect(listed).toEqual([expect.objectContaining({ name: 'Ovens', shared: true, canEdit: false, widgetCount: 2 })]);

      // The layout is what the server keeps: a reload shows it, on the same dashboard.
      await page.reload();
      await expect.poll(() => page.getByTestId('dashboard-name').textContent()).toBe('Ovens');
      await expect.poll(() => value.getAttribute('data-layout')).toBe('0,4,5,3');
      expect(await chart.getAttribute('data-layout')).toBe('0,0,6,4');
      await expect.poll(() => value.locator('[data-value]').textContent(), { timeout: 15_000 }).toBe('24.25');
      await expect.poll(async () => Number(await chart.locator('[data-chart]').getAttribute('data-points')), { timeout: 15_000 }).toBeGreaterThan(1);
      await screenshot(page, 'dashboard-view');

      // Export downloads the file; importing it (renamed) makes a new dashboard of one's own, shown at once.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export' }).click()]);
      expect(download.suggestedFilename()).toBe('Ovens.dashboard.json');
      const file = JSON.parse(await downloadedText(download));
      expect(file).toMatchObject({ format: 'thingwire-dashboard', version: 1, name: 'Ovens' });
      expect(file.widgets).toHaveLength(2);
      await page.getByRole('button', { name: 'Import' }).click();
      await page.getByTestId('dashboard-import-file').setInputFiles({
        name: 'ovens.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...file, name: 'Ovens copy' })),
      });
      await expect.poll(() => page.getByTestId('dashboard-name').textContent()).toBe('Ovens copy');
      await expect.poll(() => page.locator('[data-widget]').count()).toBe(2);
      // Junk is refused with what is wrong, and nothing is created.
      await page.getByRole('button', { name: 'Import' }).click();
      await page.getByTestId('dashboard-import-file').setInputFiles({
        name: 'junk.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...file, widgets: [{ ...file.widgets[0], type: 'pie' }] })),
      });
      await page.getByRole('dialog').getByText('/widgets/0/type: must be one of value, gauge, chart, status-map, alerts, rate').waitFor();
      await page.keyboard.press('Escape');
      expect(errors).toEqual([]);
    } finally {
      clearInterval(timer);
      await device.endAsync();
      await close();
    }
  });
});
