/**
 * The alert screens against real alerts: the shipped device pipeline (with a short `for`) and a real signed MQTT
 * device posting temperatures over the example threshold. A person watches the alert appear, opens it, acknowledges
 * and clears it, filters the list, and an operator acknowledges too; the API confirms each change.
 */
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createDevices, deployListener, deviceOptions, request, subscribe, type TestDevice } from '../server/testing/mqtt-devices.ts';
import { pipelineFlow } from '../server/testing/pipeline-flow.ts';
import { startTestServer, type TestServer } from '../server/testing/test-server.ts';
import { AppPages, launchBrowser, openApp, screenshot } from './browser.ts';

let server: TestServer;
let browser: Browser;
/** One signed-in page per user for the file's tests (see AppPages). */
const pages = new AppPages(() => browser, () => server);
let hall: TestDevice;
let lobby: TestDevice;
let mqttPort: number;
const clients = new Map<string, MqttClient>();
let nextId = 1;

/** How long the pipeline may take to raise an alert (its `for` is 1 s). */
const APPEARS_MS = 15_000;

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  [hall, lobby] = await createDevices(server, 'thermo', ['hall', 'lobby']);
  const flows = pipelineFlow({ alertForSeconds: 1 });
  // A second rule beside the example, so severities can be told apart: critical above 45 at once.
  const store = flows.find((n) => n.id === 'tw-store')!;
  store.wires![0]!.push('e2e-critical');
  flows.push({
    id: 'e2e-critical', type: 'alert', z: 'tw-devices-tab', name: 'Overheating', severity: 'critical', product: '', trigger: 'threshold',
    property: 'temperature', operator: '>', value: 45, low: 0, high: 0, forSeconds: 0, clearOperator: '<', clearValue: 40, clearLow: 0,
    clearHigh: 0, event: '', eventType: 'alert-or-error', clearEvent: '', offlineMinutes: 5, message: '', x: 740, y: 160, wires: [[]],
  });
  mqttPort = await deployListener(server, flows);
}, 120_000);

afterAll(async () => {
  for (const c of clients.values()) c.end(true);
  await pages.close();
  await browser?.close();
  await server?.close();
});

/** The device posts a temperature and the pipeline answers 200 (validated and stored, so the alert node saw it). */
async function postTemperature(device: TestDevice, temperature: number): Promise<void> {
  let client = clients.get(device.deviceName);
  if (!client) {
    client = await connect(`mqtt://127.0.0.1:${mqttPort}`, deviceOptions(device));
    await subscribe(client, `/sys/${device.productKey}/${device.deviceName}/thing/event/property/post_reply`);
    clients.set(device.deviceName, client);
  }
  const reply = await request(client, `/sys/${device.productKey}/${device.deviceName}/thing/event/property/post`, {
    id: String(nextId++), version: '1.0', sys: { ack: 1 }, method: 'thing.event.property.post', params: { temperature },
  });
  expect(reply).toMatchObject({ code: 200 });
}

async function apiAlert(id: number) {
  const res = await server.request('GET', `/api/v1/alerts/${id}`, { token: server.adminToken });
  expect(res.status).toBe(200);
  return res.body as { id: number; state: string; acknowledgedBy: string | null; clearedBy: string | null; value: unknown };
}

async function openAlerts(): Promise<Array<{ id: number; ruleName: string; deviceName: string; state: string }>> {
  const res = await server.request('GET', '/api/v1/alerts?state=open', { token: server.adminToken });
  return res.body.items;
}

const row = (page: Page, name: string) => page.getByRole('row', { name });

describe('the alert screens', () => {
  it('shows an alert a real device raised without a reload; the detail shows its value; acknowledge and clear it', async () => {
    const { page, errors, close } = await pages.open('/alerts');
    await page.getByText('No open alerts').waitFor();
    expect(await page.getByTestId('alert-badge').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Open the flows' }).getAttribute('href')).toBe('/flows');
    await screenshot(page, 'alerts-empty');

    await postTemperature(hall, 35);
    // Raised after its `for`: the open list shows it as it happens, and the navigation counts it.
    const hot = row(page, 'Too hot on hall');
    await hot.waitFor({ timeout: APPEARS_MS });
    const badge = page.getByRole('navigation', { name: 'Sections' }).getByTestId('alert-badge').filter({ visible: true });
    await expect.poll(() => badge.getAttribute('aria-label')).toBe('1 open: 1 warning');
    const text = await hot.textContent();
    expect(text).toContain('warning');
    expect(text).toContain('active');
    expect(text).toContain('35');
    expect(await hot.getByRole('link', { name: 'hall' }).getAttribute('href')).toBe('/devices/thermo/hall');
    await screenshot(page, 'alerts');

    await hot.getByRole('link', { name: 'Too hot' }).click();
    await page.waitForURL(/\/alerts\/\d+$/);
    const id = Number(new URL(page.url()).pathname.split('/').pop());
    await page.getByTestId('alert-value').waitFor();
    expect(await page.getByTestId('alert-value').textContent()).toBe('35');
    expect(await page.getByRole('heading', { name: 'Too hot' }).isVisible()).toBe(true);
    const timeline = page.getByRole('list', { name: 'State timeline' });
    expect(await timeline.textContent()).toContain('Not acknowledged yet');
    expect(await page.getByRole('region', { name: 'Rule' }).textContent()).toContain('temperature > 30');
    await screenshot(page, 'alert-detail');

    const acked = page.waitForResponse((res) => res.url().endsWith(`/api/v1/alerts/${id}/acknowledge`));
    await page.getByRole('button', { name: 'Acknowledge Too hot on hall' }).click();
    expect((await acked).status()).toBe(200);
    await timeline.getByText('Acknowledged by admin').waitFor();
    expect(await page.getByRole('button', { name: /^Acknowledge/ }).count()).toBe(0);
    expect(await apiAlert(id)).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'admin' });

    const cleared = page.waitForResponse((res) => res.url().endsWith(`/api/v1/alerts/${id}/clear`));
    await page.getByRole('button', { name: 'Clear Too hot on hall' }).click();
    expect((await cleared).status()).toBe(200);
    await timeline.getByText('Cleared by admin').waitFor();
    expect(await page.getByRole('button', { name: /^Clear/ }).count()).toBe(0);
    expect(await apiAlert(id)).toMatchObject({ state: 'cleared', clearedBy: 'admin' });
    await screenshot(page, 'alert-detail-cleared');

    // Back on the list (open alerts by default), the cleared alert is gone.
    await page.getByRole('link', { name: 'Alerts' }).first().click();
    await page.getByText('No open alerts').waitFor();
    expect(errors).toEqual([]);
    await close();
  });

  it('toasts a critical alert wherever the user is, counts it in the navigation, and narrows the list, kept in the URL', async () => {
    const { page, errors, close } = await pages.open('/devices');
    await page.getByRole('heading', { name: 'Devices' }).waitFor();
    await postTemperature(lobby, 50);
    const toast = page.getByRole('alert').filter({ hasText: 'Critical: Overheating on lobby' });
    await toast.waitFor({ timeout: APPEARS_MS });
    const badge = page.getByRole('navigation', { name: 'Sections' }).getByTestId('alert-badge').filter({ visible: true });
    await expect.poll(() => badge.getAttribute('aria-label'), { timeout: APPEARS_MS }).toBe('2 open: 1 critical, 1 warning');
    await screenshot(page, 'alerts-critical-toast');
    await toast.getByRole('link', { name: 'Open the alert' }).click();
    await page.waitForURL(/\/alerts\/\d+$/);
    await page.getByRole('heading', { name: 'Overheating' }).waitFor();

    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: /Alerts/ }).click();
    await row(page, 'Overheating on lobby').waitFor();
    await row(page, 'Too hot on lobby').waitFor();

    await page.getByLabel('Severity').selectOption('critical');
    await page.waitForURL(/severity=critical/);
    await page.getByText('1 alert', { exact: true }).waitFor();
    expect(await row(page, 'Overheating on lobby').textContent()).toContain('critical');
    expect(await row(page, 'Too hot on lobby').count()).toBe(0);

    await page.getByLabel('State').selectOption('cleared');
    await page.waitForURL(/state=cleared/);
    await page.getByText('No alerts match these filters').waitFor();
    await page.getByRole('button', { name: 'Reset filters' }).first().click();
    await row(page, 'Too hot on lobby').waitFor();
    expect(new URL(page.url()).search).toBe('');

    // Every alert of one device, including the cleared one.
    await page.getByLabel('State').selectOption('all');
    await page.getByLabel('Device name').fill('hall');
    await page.waitForURL(/deviceName=hall/);
    await page.getByText('1 alert', { exact: true }).waitFor();
    expect(await row(page, 'Too hot on hall').textContent()).toContain('cleared');

    // A link like the dashboard's opens the same view.
    await page.goto('/alerts?state=active&severity=critical');
    await row(page, 'Overheating on lobby').waitFor();
    expect(await page.getByLabel('State').inputValue()).toBe('active');
    expect(await page.getByLabel('Severity').inputValue()).toBe('critical');
    expect(await row(page, 'Too hot on lobby').count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });

  it('lists the alert rules of the flows with their triggers and open alerts, and opens one in the editor', async () => {
    const { page, errors, close } = await pages.open('/alerts');
    await page.getByRole('link', { name: 'Alert rules' }).click();
    const rules = page.getByRole('table', { name: 'Alert rules' });
    const overheating = rules.getByRole('row', { name: 'Overheating' });
    await overheating.waitFor();
    const text = await overheating.textContent();
    expect(text).toContain('critical');
    expect(text).toContain('temperature > 45; clears when temperature < 40');
    expect(text).toContain('every product');
    expect(text).toContain('running');
    expect(text).toContain('1 active');
    expect(await rules.getByRole('row', { name: 'Too hot' }).textContent()).toContain('temperature > 30 for 1 s; clears when temperature < 28');
    await screenshot(page, 'alert-rules');

    await overheating.getByRole('link', { name: 'Open in the editor' }).click();
    await page.waitForURL(/\/flows\?node=e2e-critical$/);
    await page.getByRole('complementary', { name: 'Properties' }).getByRole('heading', { name: 'Overheating' }).waitFor();
    expect(await page.locator('.react-flow__node[data-id="e2e-critical"]').getAttribute('class')).toContain('selected');
    expect(errors).toEqual([]);
    await close();
  });

  it('lets an operator acknowledge, and shows on the row why the API refused', async () => {
    await server.tokenFor('operator');
    // This page hears no live pushes, so it still offers Acknowledge after someone else acknowledged (as when the
    // push is slow, or both click at once).
    const { page, errors, close } = await openApp(browser, server, '/alerts', undefined, { signedIn: ['operator1', 'operator-password-1'], liveFeed: false });
    const critical = row(page, 'Overheating on lobby');
    await critical.waitFor();
    const overheating = (await openAlerts()).find((a) => a.ruleName === 'Overheating')!;

    // Someone else gets there first: the row says who, and shows the alert as it now is.
    expect((await server.request('POST', `/api/v1/alerts/${overheating.id}/acknowledge`, { token: server.adminToken })).status).toBe(200);
    await critical.getByRole('button', { name: /^Acknowledge/ }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'already acknowledged by admin' });
    await refusal.waitFor();
    expect(await critical.textContent()).toContain('acknowledged');
    expect(await critical.textContent()).toContain('admin');
    await screenshot(page, 'alerts-refusal');

    const hot = row(page, 'Too hot on lobby');
    const tooHot = (await openAlerts()).find((a) => a.ruleName === 'Too hot' && a.deviceName === 'lobby')!;
    const acked = page.waitForResponse((res) => res.url().endsWith(`/api/v1/alerts/${tooHot.id}/acknowledge`));
    await hot.getByRole('button', { name: /^Acknowledge/ }).click();
    expect((await acked).status()).toBe(200);
    await hot.getByText('operator1').waitFor();
    expect(await apiAlert(tooHot.id)).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'operator1' });
    // Acknowledged alerts are still open: they stay in the list, with Clear left to do.
    expect(await hot.getByRole('button', { name: /^Clear/ }).isVisible()).toBe(true);
    expect(errors).toEqual([]);
    await close();
  });

  it('fits a tablet, a tablet on its side and a laptop without sideways scrolling', async () => {
    const { page, errors, close } = await pages.open('/alerts?state=all');
    await row(page, 'Too hot on hall').waitFor();
    for (const [name, viewport] of [
      ['alerts-tablet', { width: 820, height: 1180 }],
      ['alerts-tablet-landscape', { width: 1024, height: 768 }],
      ['alerts-laptop', { width: 1280, height: 800 }],
    ] as const) {
      await page.setViewportSize(viewport);
      await screenshot(page, name);
      // The page itself never scrolls sideways (a wide table scrolls inside its own box).
      const widest = await page.evaluate<{ scroll: number; viewport: number; culprits: string[] }>(`(() => {
        const viewport = window.innerWidth;
        const clipped = (e) => { for (let p = e.parentElement; p; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'hidden' || o === 'scroll') return true; } return false; };
        const culprits = [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > viewport + 1 && !clipped(e))
          .slice(0, 5).map((e) => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right);
        return { scroll: document.documentElement.scrollWidth, viewport, culprits };
      })()`);
      expect(widest, name).toEqual({ scroll: viewport.width, viewport: viewport.width, culprits: [] });
      // Every row's actions are on screen, not behind a sideways scroll.
      const box = (await page.getByRole('button', { name: /^Clear/ }).first().boundingBox())!;
      expect(box.x + box.width, name).toBeLessThanOrEqual(viewport.width);
    }
    expect(errors).toEqual([]);
    await close();
  });
});
