/**
 * The management screens end to end, as a new user runs a fleet from the browser: sign in, create a product by
 * importing a TSL file, add a device, start the device simulator with the credentials the device page shows, watch
 * the device come online with its values moving and the chart drawing them, set a property and see the device's
 * reply, see the example alert trip and acknowledge it; then an operator, who may look but not edit products.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorProcess } from '../server/testing/device-simulator.ts';
import { deployListener } from '../server/testing/mqtt-devices.ts';
import { pipelineFlow } from '../server/testing/pipeline-flow.ts';
import { startTestServer, type TestServer } from '../server/testing/test-server.ts';
import { launchBrowser, openApp, screenshot, signIn } from './browser.ts';

const PRODUCT = 'a1Boiler';
const DEVICE = 'boiler-1';

/**
 * The thing model a user imports: a boiler reporting temperatures always above the example alert's 30 °C (so the
 * simulator's values trip it), its humidity, and a writable set point the command form offers.
 */
const TSL = {
  schema: 'https://iotx-tsl.oss-ap-southeast-1.aliyuncs.com/schema.json',
  profile: { version: '1.0', productKey: PRODUCT },
  properties: [
    { identifier: 'temperature', name: 'Temperature', accessMode: 'r', required: false, dataType: { type: 'float', specs: { min: '31', max: '40', step: '0.1', unit: '°C', unitName: 'Celsius' } } },
    { identifier: 'humidity', name: 'Humidity', accessMode: 'r', required: false, dataType: { type: 'int', specs: { min: '0', max: '100', step: '1', unit: '%', unitName: 'percent' } } },
    { identifier: 'setPoint', name: 'Set point', accessMode: 'rw', required: false, dataType: { type: 'float', specs: { min: '10', max: '30', step: '0.5', unit: '°C', unitName: 'Celsius' } } },
  ],
  services: [],
  events: [],
};

let server: TestServer;
let browser: Browser;
let simulator: SimulatorProcess | undefined;
let tslFile: string;

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  // The shipped device pipeline with its example alert ("Too hot": temperature > 30), held for 1 s instead of 10.
  await deployListener(server, pipelineFlow({ alertForSeconds: 1 }));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-journey-'));
  tslFile = path.join(dir, 'boiler-thing-model.json');
  fs.writeFileSync(tslFile, JSON.stringify(TSL, null, 2));
}, 120_000);

afterAll(async () => {
  await simulator?.stop();
  await browser?.close();
  await server?.close();
});

/** Opens a section from the left navigation, as a person does. */
async function openSection(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

/** The value of `--name` in a copied shell command line (quoted or not). */
function argument(command: string, name: string): string {
  const match = new RegExp(`--${name} (?:'([^']*)'|(\\S+))`).exec(command);
  if (!match) throw new Error(`the command has no --${name}:\n${command}`);
  return match[1] ?? match[2]!;
}

describe('running a fleet from the browser', () => {
  it('product from a TSL file → device → simulator with the shown credentials → live values, chart, a reply, an acknowledged alert', async () => {
    const { page, errors, close } = await openApp(browser, server);
    await signIn(page);
    await page.waitForURL('**/dashboard');
    await screenshot(page, 'journey-1-dashboard-empty');

    // A product, created by importing the TSL file and publishing it at once.
    await openSection(page, 'Products');
    await page.getByRole('button', { name: 'Create a product' }).click();
    const create = page.getByRole('dialog');
    await create.getByLabel('Name', { exact: true }).fill('Boiler');
    await create.getByLabel('TSL JSON file').setInputFiles(tslFile);
    await create.getByText('Found 3 properties').waitFor();
    expect(await create.getByLabel('Product key').inputValue()).toBe(PRODUCT);
    await create.getByLabel(/Publish it as version 1/).check();
    await create.getByRole('button', { name: 'Create and publish' }).click();
    await create.getByText('Thing model imported and published as version 1').waitFor();
    await create.getByRole('button', { name: 'Open the product' }).click();
    await page.waitForURL((u) => u.pathname === `/products/${PRODUCT}`);
    const published = await server.request('GET', `/api/v1/products/${PRODUCT}/thing-model`, { token: server.adminToken });
    expect(published.body.published.version).toBe(1);

    // A device of it, from the Devices screen.
    await openSection(page, 'Devices');
    await page.getByRole('button', { name: 'Add device' }).first().click();
    const add = page.getByRole('dialog', { name: 'Add device' });
    await add.getByLabel('Product').selectOption(PRODUCT);
    await add.getByLabel('Device name').fill(DEVICE);
    await add.getByRole('button', { name: 'Add device' }).click();
    const done = page.getByRole('dialog', { name: 'Device created' });
    await done.getByRole('link', { name: 'Open the device page' }).click();
    await page.waitForURL(`**/devices/${PRODUCT}/${DEVICE}`);
    await page.getByRole('heading', { level: 1, name: DEVICE }).waitFor();

    // The connection panel: reveal the secret, then start the simulator with the command the page shows.
    await page.getByRole('tab', { name: 'Connection' }).click();
    await page.getByRole('button', { name: 'Reveal secret' }).click();
    const secret = (await page.getByTestId('device-secret').textContent())!.trim();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const command = (await page.getByLabel('Simulator command').textContent())!;
    expect(argument(command, 'secret')).toBe(secret);
    await screenshot(page, 'journey-2-connection');
    simulator = startSimulator(
      server,
      { productKey: argument(command, 'product'), deviceName: argument(command, 'device'), deviceSecret: argument(command, 'secret') },
      { mqttUrl: argument(command, 'mqtt'), rate: 2 },
    );
    await simulator.waitFor(/^connected to/, 15_000);

    // Online, values arriving, the chart drawing them.
    await page.getByRole('banner').locator('..').getByText('online', { exact: true }).first().waitFor({ timeout: 45_000 });
    await page.getByRole('tab', { name: 'Overview' }).click();
    const temperature = page.getByTestId('live-value-temperature');
    await temperature.filter({ hasText: /3\d/ }).waitFor({ timeout: 45_000 });
    const first = await temperature.textContent();
    await expect.poll(() => temperature.textContent(), { timeout: 45_000 }).not.toBe(first);
    await page.getByRole('tab', { name: 'History' }).click();
    const points = page.getByTestId('chart-points-temperature');
    await points.filter({ hasText: /[1-9]/ }).waitFor({ timeout: 60_000 });
    await screenshot(page, 'journey-3-history');
    // That the chart keeps growing as the simulator posts (its 5 s reloads, on Playwright's clock in a second window) is
    // device-detail.test.ts's, with the same simulator: a second window here cost a context and its page.

    // A property set from the generated form; the simulator answers it like firmware.
    await page.getByRole('tab', { name: 'Commands' }).click();
    await page.getByLabel('Set point').fill('21.5');
    await page.getByRole('button', { name: 'Send Set point' }).click();
    await page.getByTestId('command-reply').filter({ hasText: '200' }).waitFor({ timeout: 45_000 });
    await screenshot(page, 'journey-4-command-reply');

    // The example alert trips on the simulated temperatures; acknowledge it from the Alerts screen.
    await openSection(page, 'Alerts');
    const row = page.getByRole('row', { name: new RegExp(`Too hot.*${DEVICE}`) });
    await row.waitFor({ timeout: 60_000 });
    await row.getByRole('button', { name: /^Acknowledge/ }).click();
    await row.getByText('acknowledged', { exact: true }).filter({ visible: true }).waitFor();
    const alerts = await server.request('GET', `/api/v1/alerts?deviceName=${DEVICE}`, { token: server.adminToken });
    expect(alerts.body.items[0]).toMatchObject({ ruleName: 'Too hot', state: 'acknowledged', acknowledgedBy: 'admin' });
    await screenshot(page, 'journey-5-alert-acknowledged');

    await openSection(page, 'Dashboard');
    await expect.poll(() => page.locator('[data-stat="online"] [data-value]').textContent(), { timeout: 30_000 }).toBe('1');
    await screenshot(page, 'journey-6-dashboard');
    expect(errors).toEqual([]);
    await close();
  }, 180_000);

  it('lets an operator look at products and devices but offers nothing that edits them', async () => {
    await server.tokenFor('operator');
    const { page, errors, close } = await openApp(browser, server, '/', undefined, { signedIn: ['operator1', 'operator-password-1'] });
    await openSection(page, 'Products');
    await page.getByRole('link', { name: 'Boiler', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Boiler' }).waitFor();
    for (const name of ['New product', 'Create a product', 'Edit', 'Delete', 'Delete product']) {
      expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
    }
    await page.getByRole('tab', { name: 'Thing model' }).click();
    await page.getByText('temperature', { exact: true }).first().waitFor();
    for (const name of [/^Add /, /^Publish/, /^Save/, /^Import/, /^Remove/]) {
      expect(await page.getByRole('button', { name }).count()).toBe(0);
    }
    await screenshot(page, 'journey-7-operator-product');
    // The API agrees: what is not offered is refused.
    const token = await server.tokenFor('operator');
    expect((await server.request('PATCH', `/api/v1/products/${PRODUCT}`, { token, body: { name: 'x' } })).status).toBe(403);
    expect(await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Users' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });
});
