import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, deployListener, deviceOptions } from '../server/testing/mqtt-devices.ts';
import { pipelineFlow } from '../server/testing/pipeline-flow.ts';
import { startTestServer, type TestServer } from '../server/testing/test-server.ts';
import { AppPages, downloadedText, launchBrowser, screenshot } from './browser.ts';

let server: TestServer;
let browser: Browser;
/** One signed-in page per user for the file's tests (see AppPages). */
const pages = new AppPages(() => browser, () => server);
let engineerToken: string;
let mqttPort: number;
/** The secret the add dialog showed for lamp-1, used later to connect it as a real device. */
let lamp1Secret = '';

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  engineerToken = await server.tokenFor('engineer');
  await server.tokenFor('operator');
  // The shipped pipeline brings the MQTT listener devices sign in to.
  mqttPort = await deployListener(server, pipelineFlow());
});

afterAll(async () => {
  await pages.close();
  await browser?.close();
  await server?.close();
});

async function openDevices(role: 'engineer' | 'operator', appPath = '/devices', viewport?: { width: number; height: number }) {
  const app = await pages.open(appPath, viewport, [`${role}1`, `${role}-password-1`]);
  app.page.setDefaultTimeout(24_000);
  await app.page.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
  return app;
}

const rows = (page: Page) => page.getByRole('table', { name: 'Devices' }).locator('tbody tr');
const deviceRow = (page: Page, key: string) => page.locator(`tr[data-device="${key}"]`);

/** Waits until the table shows exactly these devices (`productKey/deviceName`). */
async function waitForDevices(page: Page, keys: string[]): Promise<void> {
  const want = [...keys].sort().join(',');
  await page.waitForFunction((w) => {
    // This file is compiled without the DOM's types; the function runs in the page.
    const { document } = globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<{ getAttribute(n: string): string | null }> } };
    return [...document.querySelectorAll('table[aria-label="Devices"] tbody tr')].map((r) => r.getAttribute('data-device')).sort().join(',') === w;
  }, want);
}

async function apiDevices(query = ''): Promise<{ items: { productKey: string; deviceName: string; tags: Record<string, string> }[]; total: number }> {
  return (await server.request('GET', `/api/v1/devices${query}`, { token: engineerToken })).body;
}

const revealSecret = async (pk: string, dn: string): Promise<string> =>
  (await server.request('POST', `/api/v1/devices/${pk}/${dn}/secret/reveal`, { token: server.adminToken })).body.deviceSecret;

const csv = (lines: string[]) => Buffer.from(lines.join('\n') + '\n');

describe('the device list', () => {
  it('asks for a product first, then offers Add device; the dialog shows the API’s field error, then creates the device and shows its secret once', async () => {
    const { page, errors, close } = await openDevices('engineer');
    await page.getByText('No products yet').waitFor();
    expect(await page.getByRole('link', { name: 'Go to products' }).getAttribute('href')).toBe('/products');
    expect(await page.getByRole('button', { name: 'Add device' }).count()).toBe(0);
    for (const [productKey, name] of [['a1lamp', 'Street lamp'], ['a1meter', 'Power meter']]) {
      const res = await server.request('POST', '/api/v1/products', { token: engineerToken, body: { productKey, name } });
      expect(res.status).toBe(201);
    }
    await page.reload();
    await page.getByText('No devices yet').waitFor();
    await screenshot(page, 'devices-empty');

    await page.getByRole('button', { name: 'Add device' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add device' });
    await dialog.getByLabel('Product').selectOption('a1lamp');
    const name = dialog.getByLabel('Device name');
    await name.fill('bad name!');
    await dialog.getByRole('button', { name: 'Add device' }).click();
    await dialog.getByText('may hold only letters, digits and _ . : @ - (1 to 64 characters)').waitFor();
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'devices-add-error');
    expect((await apiDevices()).total).toBe(0);

    await name.fill('lamp-1');
    await dialog.getByLabel('Description').fill('Main street, pole 1');
    await dialog.getByRole('button', { name: 'Add tag' }).click();
    await dialog.getByLabel('Tag 1 key').fill('street');
    await dialog.getByLabel('Tag 1 value').fill('main');
    await dialog.getByRole('button', { name: 'Add device' }).click();

    const done = page.getByRole('dialog', { name: 'Device created' });
    await done.getByText('shown only this once').waitFor();
    lamp1Secret = (await done.getByLabel('Device secret').textContent())!.trim();
    expect(lamp1Secret).toMatch(/^[0-9a-f]{64}$/);
    expect(await done.getByRole('link', { name: 'Open the device page' }).getAttribute('href')).toBe('/devices/a1lamp/lamp-1');
    await screenshot(page, 'devices-add-secret');

    const { items } = await apiDevices();
    expect(items).toMatchObject([{ productKey: 'a1lamp', deviceName: 'lamp-1', description: 'Main street, pole 1', tags: { street: 'main' } }]);
    expect(await revealSecret('a1lamp', 'lamp-1')).toBe(lamp1Secret);

    await done.getByRole('button', { name: 'Done' }).click();
    await waitForDevices(page, ['a1lamp/lamp-1']);
    expect(await deviceRow(page, 'a1lamp/lamp-1').textContent()).toContain('Street lamp');
    expect(errors).toEqual([]);
    await close();
  });

  it('imports a CSV: a bad row is listed by line and nothing is created; the fixed file creates every device with its secret', async () => {
    const { page, errors, close } = await openDevices('engineer');
    await waitForDevices(page, ['a1lamp/lamp-1']);
    await page.getByRole('button', { name: 'Import devices' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import devices' });
    await dialog.getByLabel('Example CSV').waitFor();
    const header = 'productKey,deviceName,description,tags';

    await dialog.getByLabel('CSV file').setInputFiles({
      name: 'lamps.csv', mimeType: 'text/csv',
      buffer: csv([header, 'a1lamp,lamp-2,"Main street, pole 2",street=main', 'a1lamp,bad name,Pole 3,street=main', 'a1meter,meter-1,Hall meter,building=hall']),
    });
    await dialog.getByText('3 devices').first().waitFor();
    await dialog.getByRole('button', { name: 'Import 3 devices' }).click();
    const problems = dialog.getByRole('table', { name: 'Problems by row' });
    await problems.waitFor();
    const problemRows = await problems.locator('tbody tr').allTextContents();
    expect(problemRows).toHaveLength(1);
    // Line 3 of the file (the header is line 1), the row's device, the field and the API's message.
    expect(problemRows[0]).toBe('3bad namedeviceNamemay hold only letters, digits and _ . : @ - (1 to 64 characters)');
    expect(await dialog.getByRole('alert').textContent()).toContain('Nothing was created');
    expect((await apiDevices()).total).toBe(1);
    await screenshot(page, 'devices-import-problems');

    await dialog.getByLabel('CSV file').setInputFiles({
      name: 'lamps.csv', mimeType: 'text/csv',
      buffer: csv([header, 'a1lamp,lamp-2,"Main street, pole 2",street=main', 'a1lamp,lamp-3,Pole 3,street=side', 'a1meter,meter-1,Hall meter,building=hall']),
    });
    // A new file replaces the verdict on the old one with the preview of the new.
    await dialog.getByRole('table', { name: 'Rows to import' }).waitFor();
    expect(await dialog.getByRole('table', { name: 'Problems by row' }).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Import 3 devices' }).click();

    const result = page.getByRole('dialog', { name: '3 devices imported' });
    const imported = result.getByRole('table', { name: 'Imported devices' });
    await imported.waitFor();
    const resultRows = await imported.locator('tbody tr').allTextContents();
    expect(resultRows).toHaveLength(3);
    expect(resultRows.map((r) => r.replace(/[0-9a-f]{64}$/, ''))).toEqual(['a1lamplamp-2created', 'a1lamplamp-3created', 'a1metermeter-1created']);
    await screenshot(page, 'devices-import-result');

    const downloading = page.waitForEvent('download');
    await result.getByRole('button', { name: 'Download secrets as CSV' }).click();
    const file = (await downloadedText(await downloading)).trim().split(/\r?\n/);
    expect(file[0]).toBe('productKey,deviceName,deviceSecret');
    expect(file.slice(1)).toEqual([
      `a1lamp,lamp-2,${await revealSecret('a1lamp', 'lamp-2')}`,
      `a1lamp,lamp-3,${await revealSecret('a1lamp', 'lamp-3')}`,
      `a1meter,meter-1,${await revealSecret('a1meter', 'meter-1')}`,
    ]);
    expect((await apiDevices('?tag=building:hall')).items).toMatchObject([{ deviceName: 'meter-1', tags: { building: 'hall' } }]);

    await result.getByRole('button', { name: 'Done' }).click();
    await waitForDevices(page, ['a1lamp/lamp-1', 'a1lamp/lamp-2', 'a1lamp/lamp-3', 'a1meter/meter-1']);
    expect(errors).toEqual([]);
    await close();
  });

  it('narrows the list by search, product, status and tag, keeps the filters in the URL, and back restores them', async () => {
    const { page, errors, close } = await openDevices('engineer');
    const all = ['a1lamp/lamp-1', 'a1lamp/lamp-2', 'a1lamp/lamp-3', 'a1meter/meter-1'];
    await waitForDevices(page, all);

    await page.getByLabel('Search').fill('hall');
    await page.waitForURL('**/devices?q=hall');
    await waitForDevices(page, ['a1meter/meter-1']);
    expect(await page.getByText('1 of 4 devices match').isVisible()).toBe(true);
    await page.getByLabel('Search').fill('');
    await page.waitForURL((url) => url.search === '');
    await waitForDevices(page, all);

    await page.getByLabel('Product').selectOption('a1lamp');
    await waitForDevices(page, ['a1lamp/lamp-1', 'a1lamp/lamp-2', 'a1lamp/lamp-3']);
    await page.getByLabel('Status').selectOption('online');
    await page.waitForURL('**/devices?productKey=a1lamp&status=online');
    await page.getByText('No devices match these filters').waitFor();

    await page.goBack();
    await waitForDevices(page, ['a1lamp/lamp-1', 'a1lamp/lamp-2', 'a1lamp/lamp-3']);
    expect(await page.getByLabel('Status').inputValue()).toBe('');
    await page.goForward();
    await page.getByText('No devices match these filters').waitFor();
    expect(await page.getByLabel('Status').inputValue()).toBe('online');
    await page.getByText('No devices match these filters').locator('..').getByRole('button', { name: 'Clear filters' }).click();
    await waitForDevices(page, all);
    expect(new URL(page.url()).search).toBe('');

    await deviceRow(page, 'a1lamp/lamp-3').getByRole('button', { name: 'street=side' }).click();
    await waitForDevices(page, ['a1lamp/lamp-3']);
    expect(new URL(page.url()).searchParams.getAll('tag')).toEqual(['street:side']);
    await page.getByRole('button', { name: 'Remove tag filter street=side' }).click();
    await waitForDevices(page, all);

    // A link from elsewhere (the dashboard) opens the list filtered.
    await page.goto('/devices?status=inactive&productKey=a1meter');
    await waitForDevices(page, ['a1meter/meter-1']);
    expect(await page.getByLabel('Product').inputValue()).toBe('a1meter');
    expect(await page.getByLabel('Status').inputValue()).toBe('inactive');
    expect(errors).toEqual([]);
    await close();
  });

  it('turns a row online when the real device connects and offline when it leaves', { timeout: 180_000 }, async () => {
    const { page, errors, close } = await openDevices('engineer');
    const status = deviceRow(page, 'a1lamp/lamp-1').locator('[data-column="status"]');
    await status.getByText('never connected').waitFor();

    let client: MqttClient | undefined = await connect(`mqtt://127.0.0.1:${mqttPort}`, deviceOptions({ productKey: 'a1lamp', deviceName: 'lamp-1', deviceSecret: lamp1Secret }));
    try {
      // The live feed or, at the latest, the 10 s poll.
      await status.getByText('online', { exact: true }).waitFor({ timeout: 45_000 });
      await screenshot(page, 'devices');
      await client.endAsync();
      client = undefined;
      await status.getByText('offline', { exact: true }).waitFor({ timeout: 45_000 });
    } finally {
      await client?.endAsync(true);
    }
    expect(errors).toEqual([]);
    await close();
  });

  it('fits a tablet in portrait', async () => {
    const { page, errors, close } = await openDevices('engineer', '/devices', { width: 820, height: 1180 });
    await waitForDevices(page, ['a1lamp/lamp-1', 'a1lamp/lamp-2', 'a1lamp/lamp-3', 'a1meter/meter-1']);
    expect(await page.getByRole('button', { name: 'Add device' }).isVisible()).toBe(true);
    // The page itself does not scroll sideways; only the table may.
    expect(await page.evaluate(() => {
      const { document, innerWidth } = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
      return document.documentElement.scrollWidth <= innerWidth;
    })).toBe(true);
    await screenshot(page, 'devices-tablet');
    expect(errors).toEqual([]);
    await close();
  });

  it('shows operators the devices without Add or Import buttons', async () => {
    const { page, errors, close } = await openDevices('operator');
    await waitForDevices(page, ['a1lamp/lamp-1', 'a1lamp/lamp-2', 'a1lamp/lamp-3', 'a1meter/meter-1']);
    expect(await rows(page).count()).toBe(4);
    expect(await page.getByRole('button', { name: 'Add device' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Import devices' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });
});
