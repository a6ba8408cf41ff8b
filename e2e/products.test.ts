import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/testing/test-server.ts';
import { AppPages, downloadedText, launchBrowser, screenshot } from './browser.ts';

let server: TestServer;
let browser: Browser;
let tempDir: string;
/** The admin's page and the operator's, each signed in once for the file. */
const pages = new AppPages(() => browser, () => server);

/** A thing model as Alibaba's console exports it, smaller: one property, one service, one event. */
const sensorTsl = {
  schema: 'https://iotx-tsl.oss-ap-southeast-1.aliyuncs.com/schema.json',
  profile: { version: '1.0', productKey: 'e2eSensor' },
  properties: [{
    identifier: 'temperature', name: 'Temperature', accessMode: 'r', required: false,
    dataType: { type: 'float', specs: { min: '-40', max: '120', step: '0.1', unit: '°C', unitName: 'Celsius' } },
  }],
  events: [{
    identifier: 'overheat', name: 'Overheat', type: 'alert', required: false, method: 'thing.event.overheat.post',
    outputData: [{ identifier: 'temperature', name: 'Temperature', dataType: { type: 'float', specs: { min: '-40', max: '120' } } }],
  }],
  services: [{
    identifier: 'reboot', name: 'Reboot', required: false, callType: 'async', method: 'thing.service.reboot',
    inputData: [{ identifier: 'delay', name: 'Delay', dataType: { type: 'int', specs: { min: '0', max: '60', unit: 's' } } }], outputData: [],
  }],
};

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-products-e2e-'));
});

afterAll(async () => {
  await pages.close();
  await browser?.close();
  await server?.close();
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
});

const dialog = (page: Page) => page.getByRole('dialog');

/**
 * Every line of the JSON view, trimmed. CodeMirror draws only the lines in view, so its scroller is scrolled through
 * as a reader would.
 */
async function jsonViewLines(page: Page): Promise<string[]> {
  // The server's tsconfig has no DOM types: the page's objects are typed here with what is used of them.
  type Scroller = { clientHeight: number; scrollHeight: number; scrollTop: number; querySelectorAll(selector: string): Iterable<{ textContent: string | null }> };
  return page.getByTestId('tsl-json').locator('.cm-scroller').evaluate(async (scroller: Scroller) => {
    const window = globalThis as unknown as { requestAnimationFrame(callback: () => void): number };
    const frame = () => new Promise<void>((r) => window.requestAnimationFrame(() => window.requestAnimationFrame(() => r())));
    const seen: string[] = [];
    for (let top = 0; ; top += scroller.clientHeight / 2) {
      scroller.scrollTop = top;
      await frame();
      for (const line of scroller.querySelectorAll('.cm-line')) seen.push(String(line.textContent).trim());
      if (top >= scroller.scrollHeight - scroller.clientHeight) break;
    }
    scroller.scrollTop = 0;
    return seen;
  });
}

describe('products and thing models', () => {
  it('creates a product by importing a TSL file, adds a struct property holding an array in the form, and publishes it through the diff', async () => {
    const file = path.join(tempDir, 'room-sensor-tsl.json');
    fs.writeFileSync(file, JSON.stringify(sensorTsl, null, 2));
    const { page, errors, close } = await pages.open('/products');
    page.setDefaultTimeout(24_000);

    // No products yet: the empty state says what a product is and offers to create one.
    await page.getByText('No products yet').waitFor();
    await screenshot(page, 'products-empty');
    await page.getByRole('button', { name: 'Create a product' }).click();
    const create = dialog(page);
    await create.getByLabel('Name', { exact: true }).fill('Room sensor');
    await create.getByLabel('TSL JSON file').setInputFiles(file);
    // Alibaba's export names its product: the key is taken from the file.
    await create.getByText('Found 1 property, 1 service and 1 event.').waitFor();
    expect(await create.getByLabel('Product key').inputValue()).toBe('e2eSensor');
    await screenshot(page, 'product-new-dialog');
    await create.getByRole('button', { name: 'Create with thing model' }).click();
    await create.getByText('Thing model imported as the draft').waitFor();
    expect(await create.getByLabel('Product secret').textContent()).toMatch(/^[0-9a-f]{64}$/);
    await create.getByRole('button', { name: 'Open the product' }).click();
    await page.waitForURL((u) => u.pathname === '/products/e2eSensor' && u.searchParams.get('tab') === 'thing-model');

    const properties = page.getByRole('region', { name: /^Properties/ });
    await properties.getByRole('table', { name: 'Properties' }).getByText('temperature', { exact: true }).waitFor();
    expect(await page.getByTestId('published-version').textContent()).toContain('not published');

    // A property whose value is a struct, one field of which is an array.
    await properties.getByRole('button', { name: 'Add property' }).click();
    const editor = dialog(page);
    const identifier = editor.getByLabel('Identifier', { exact: true }).first();
    await identifier.fill('1zones');
    await editor.getByLabel('Name', { exact: true }).first().click();
    // The server's rule, shown under the field before anything is saved.
    await editor.getByText('"1zones" is not a valid identifier').waitFor();
    await identifier.fill('zones');
    await editor.getByLabel('Name', { exact: true }).first().fill('Zones');
    await editor.getByRole('combobox', { name: 'Data type' }).first().selectOption('struct');
    const field1 = editor.getByRole('group', { name: 'Field 1' });
    await field1.getByLabel('Identifier', { exact: true }).fill('level');
    await field1.getByLabel('Name', { exact: true }).fill('Level');
    await field1.getByLabel('Max', { exact: true }).fill('100');
    await editor.getByRole('button', { name: 'Add field' }).click();
    const field2 = editor.getByRole('group', { name: 'Field 2' });
    await field2.getByLabel('Identifier', { exact: true }).fill('points');
    await field2.getByLabel('Name', { exact: true }).fill('Points');
    await field2.getByRole('combobox', { name: 'Data type' }).selectOption('array');
    await field2.getByLabel('Max elements').fill('8');
    // A struct may not hold structs, not even as array elements: the element types offered say so.
    const elementTypes = await field2.getByLabel('Element type').locator('option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
    expect(elementTypes).toEqual(['int', 'float', 'double', 'text']);
    await field2.getByLabel('Element type').selectOption('int');
    await field2.getByLabel('Min').fill('0');
    await screenshot(page, 'thing-model-struct-editor');
    await editor.getByRole('button', { name: 'Add property' }).click();
    await editor.waitFor({ state: 'detached' });
    await properties.getByText('struct {level, points}').waitFor();
    expect(await page.getByTestId('draft-status').textContent()).toContain('unsaved changes');

    // The JSON view shows the same draft.
    await page.getByRole('button', { name: 'JSON', exact: true }).click();
    await page.getByRole('textbox', { name: 'Thing model JSON' }).waitFor();
    const lines = await jsonViewLines(page);
    expect(lines).toContain('"identifier": "points",');
    expect(lines).toContain('"type": "array",');
    expect(lines).toContain('"size": "8",');
    await page.getByRole('button', { name: 'Form', exact: true }).click();
    await screenshot(page, 'product-thing-model');

    // Publish: the diff lists the features, then the version shows.
    await page.getByRole('button', { name: 'Publish…' }).click();
    const publish = dialog(page);
    await publish.getByRole('heading', { name: 'Publish version 1?' }).waitFor();
    const diff = publish.getByTestId('thing-model-diff');
    expect(await diff.textContent()).toContain('4 added');
    expect(await diff.getByRole('region', { name: 'Properties changes' }).textContent()).toContain('zonesZones· struct {level, points}');
    await publish.getByRole('button', { name: 'Save and publish version 1' }).click();
    await page.getByTestId('published-version').getByText('version 1').waitFor();

    const summary = await server.request('GET', '/api/v1/products/e2eSensor/thing-model', { token: server.adminToken });
    expect(summary.body).toMatchObject({ published: { version: 1, publishedBy: 'admin' }, draft: { unpublishedChanges: false } });
    const v1 = (await server.request('GET', '/api/v1/products/e2eSensor/thing-model/versions/1', { token: server.adminToken })).body;
    expect(v1.properties.map((p: { identifier: string }) => p.identifier)).toEqual(['temperature', 'zones']);
    expect(v1.properties[1].dataType).toEqual({
      type: 'struct',
      specs: [
        { identifier: 'level', name: 'Level', dataType: { type: 'int', specs: { max: '100' } } },
        { identifier: 'points', name: 'Points', dataType: { type: 'array', specs: { size: '8', item: { type: 'int', specs: { min: '0' } } } } },
      ],
    });
    // What was not edited is published exactly as it was imported.
    expect(v1.services).toEqual(sensorTsl.services);
    expect(v1.events).toEqual(sensorTsl.events);

    // A second version: the diff says old → new for what changed.
    await properties.getByRole('button', { name: 'Edit property temperature' }).click();
    const edit = dialog(page);
    await edit.getByLabel('Access').selectOption('rw');
    await edit.getByLabel('Max', { exact: true }).fill('150');
    await edit.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('region', { name: /^Events/ }).getByRole('button', { name: 'Remove event overheat' }).click();
    await page.getByRole('button', { name: 'Publish…' }).click();
    await publish.getByRole('heading', { name: 'Publish version 2?' }).waitFor();
    const changed = await diff.getByRole('region', { name: 'Properties changes' }).textContent();
    expect(changed).toContain('accessread-only (r)→read-write (rw)');
    expect(changed).toContain('max120→150');
    expect(await diff.getByRole('region', { name: 'Events changes' }).textContent()).toContain('removedoverheat');
    await screenshot(page, 'thing-model-diff');
    await publish.getByRole('button', { name: 'Save and publish version 2' }).click();
    await page.getByTestId('published-version').getByText('version 2').waitFor();
    const v2 = (await server.request('GET', '/api/v1/products/e2eSensor/thing-model/versions/2', { token: server.adminToken })).body;
    expect(v2.properties[0]).toMatchObject({ accessMode: 'rw', dataType: { specs: { max: '150' } } });
    expect(v2.events).toEqual([]);

    // Services and events have their own forms, with typed parameters.
    await page.getByRole('button', { name: 'Edit service reboot' }).click();
    const service = dialog(page);
    expect(await service.getByLabel('Call type').inputValue()).toBe('async');
    const input = service.getByRole('group', { name: 'Input parameter 1' });
    expect(await input.getByLabel('Identifier', { exact: true }).inputValue()).toBe('delay');
    expect(await input.getByLabel('Unit', { exact: true }).inputValue()).toBe('s');
    await service.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Add event' }).click();
    const event = dialog(page);
    expect(await event.getByLabel('Event type').locator('option').allTextContents()).toEqual(['Information (info)', 'Alert (alert)', 'Error (error)']);
    await event.getByRole('button', { name: 'Add output parameter' }).click();
    await event.getByRole('group', { name: 'Output parameter 1' }).waitFor();
    await event.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByTestId('draft-status').textContent()).not.toContain('unsaved changes');

    // Export downloads the published version as <productKey>-thing-model.json.
    await page.getByRole('button', { name: 'Export' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'Published version 2' }).click()]);
    expect(download.suggestedFilename()).toBe('e2eSensor-thing-model.json');
    expect(JSON.parse(await downloadedText(download))).toEqual(v2);

    await page.getByRole('link', { name: 'Products' }).first().click();
    await page.waitForURL('**/products');
    await page.getByRole('table', { name: 'Products' }).getByText('version 2').waitFor();
    await screenshot(page, 'products');
    expect(errors).toEqual([]);
    await close();
  });

  it('shows a JSON syntax error at its place, and a problem the server would refuse under its field before saving', async () => {
    await server.request('POST', '/api/v1/products', { token: server.adminToken, body: { productKey: 'e2eJson', name: 'JSON lamp' } });
    const { page, errors, close } = await pages.open('/products/e2eJson?tab=thing-model');
    page.setDefaultTimeout(24_000);
    await page.getByText('No properties yet').waitFor();
    await page.getByRole('button', { name: 'JSON', exact: true }).click();
    const json = page.getByRole('textbox', { name: 'Thing model JSON' });
    await json.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(',');
    await page.getByTestId('tsl-json').getByText('Line 11, column 1: Unexpected "," after the end of the document').waitFor();
    await screenshot(page, 'thing-model-json-error');
    await page.getByRole('button', { name: 'Form', exact: true }).click();
    await page.getByText('The JSON has an error at line 11, column 1').waitFor();
    await json.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Backspace');
    expect(await page.getByTestId('tsl-json').getByRole('alert').count()).toBe(0);
    await page.getByRole('button', { name: 'Form', exact: true }).click();

    // A property the server refuses: its problem stays under the field it is about.
    await page.getByRole('button', { name: 'Add property' }).click();
    const editor = dialog(page);
    await editor.getByLabel('Identifier', { exact: true }).fill('level');
    await editor.getByLabel('Name', { exact: true }).fill('Level');
    await editor.getByLabel('Min').fill('10');
    await editor.getByLabel('Max', { exact: true }).fill('5');
    await editor.getByRole('button', { name: 'Add property' }).click();
    await editor.getByText('Fix the marked problem first.').waitFor();
    expect(await editor.getByText('Min (10) is greater than max (5)').isVisible()).toBe(true);
    await editor.getByLabel('Max', { exact: true }).fill('50');
    await editor.getByRole('button', { name: 'Add property' }).click();

    // Unsaved: leaving the tab or the page asks first.
    await page.getByRole('tab', { name: 'Overview' }).click();
    const leave = page.getByRole('alertdialog', { name: 'Leave without saving?' });
    await leave.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByRole('tab', { name: 'Thing model' }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Dashboard' }).click();
    await leave.getByRole('button', { name: 'Cancel' }).click();
    expect(new URL(page.url()).pathname).toBe('/products/e2eJson');

    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Draft saved.').waitFor();
    const draft = await server.request('GET', '/api/v1/products/e2eJson/thing-model/draft', { token: server.adminToken });
    expect(draft.body.properties).toEqual([{ identifier: 'level', name: 'Level', accessMode: 'r', required: false, dataType: { type: 'int', specs: { min: '10', max: '50' } } }]);

    // An imported file the server refuses: its problem is shown at the feature, and under the field once opened.
    const bad = path.join(tempDir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ properties: [{ identifier: 'bad-id', name: 'Bad', accessMode: 'r', dataType: { type: 'int' } }] }));
    await page.getByLabel('Import a TSL file into the draft').setInputFiles(bad);
    await page.getByText('Imported bad.json: 1 property, 0 services and 0 events').waitFor();
    expect(await page.getByText('It has 1 problem to fix first').count()).toBe(1);
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('The thing model has 1 problem; details lists each by its path.').waitFor();
    await page.getByRole('button', { name: 'Edit property bad-id' }).click();
    const fix = dialog(page);
    await fix.getByText('"bad-id" is not a valid identifier').waitFor();
    expect(await fix.getByLabel('Identifier', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await fix.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Undo import' }).click();
    await page.getByRole('button', { name: 'Edit property level' }).waitFor();
    expect(await page.getByTestId('draft-status').textContent()).not.toContain('unsaved changes');

    await page.getByRole('button', { name: 'Remove property level' }).click();
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Dashboard' }).click();
    await leave.getByRole('button', { name: 'Leave without saving' }).click();
    await page.waitForURL('**/dashboard');
    const kept = await server.request('GET', '/api/v1/products/e2eJson/thing-model/draft', { token: server.adminToken });
    expect(kept.body.properties).toHaveLength(1);
    expect(errors).toEqual([]);
    await close();
  });

  it('edits a product with the API’s field problems under the field, reveals its secret, and refuses to delete it while it has devices', async () => {
    await server.request('POST', '/api/v1/products', { token: server.adminToken, body: { productKey: 'e2eDoomed', name: 'Doomed plug' } });
    const device = await server.request('POST', '/api/v1/devices', { token: server.adminToken, body: { productKey: 'e2eDoomed', deviceName: 'plug-1' } });
    expect(device.status).toBe(201);
    const { page, errors, close } = await pages.open('/products/e2eDoomed');
    page.setDefaultTimeout(24_000);
    await page.getByText('Timestamp window').waitFor();

    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const edit = dialog(page);
    await edit.getByLabel('Name', { exact: true }).fill('Doomed smart plug');
    await edit.getByLabel('Timestamp window (seconds)').fill('5');
    await edit.getByRole('button', { name: 'Save' }).click();
    // The API's own words, under the field its details name (/auth/timestampWindowSeconds).
    await edit.getByText('Must be >= 10').waitFor();
    expect(await edit.getByLabel('Timestamp window (seconds)').getAttribute('aria-invalid')).toBe('true');
    await edit.getByLabel('Timestamp window (seconds)').fill('60');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Doomed smart plug' }).waitFor();
    expect((await server.request('GET', '/api/v1/products/e2eDoomed', { token: server.adminToken })).body).toMatchObject({
      name: 'Doomed smart plug', auth: { timestampWindowSeconds: 60 },
    });

    await page.getByRole('button', { name: 'Reveal product secret' }).click();
    expect(await page.getByLabel('Product secret').textContent()).toMatch(/^[0-9a-f]{64}$/);
    await screenshot(page, 'product-overview');
    await page.getByRole('button', { name: 'Delete product' }).click();
    const confirm = page.getByRole('alertdialog');
    await confirm.getByRole('button', { name: 'Delete product' }).click();
    await confirm.getByText('Product "e2eDoomed" still has 1 device; delete it first.').waitFor();
    await screenshot(page, 'product-delete-refused');

    // Once its device is gone, the same dialog deletes it.
    expect((await server.request('DELETE', '/api/v1/devices/e2eDoomed/plug-1', { token: server.adminToken })).status).toBe(204);
    await confirm.getByRole('button', { name: 'Delete product' }).click();
    await page.waitForURL('**/products');
    expect((await server.request('GET', '/api/v1/products/e2eDoomed', { token: server.adminToken })).status).toBe(404);
    expect(errors).toEqual([]);
    await close();
  });

  it('edits a codec: tries the starter on a frame and a command before saving, shows a syntax error at its line, saves and publishes it', async () => {
    const token = server.adminToken;
    await server.request('POST', '/api/v1/products', { token, body: { productKey: 'e2eMeter', name: 'Energy meter' } });
    await server.request('PUT', '/api/v1/products/e2eMeter/thing-model/draft', {
      token,
      body: { properties: [
        { identifier: 'voltage', name: 'Voltage', accessMode: 'r', dataType: { type: 'float' } },
        { identifier: 'relay', name: 'Relay', accessMode: 'rw', dataType: { type: 'bool', specs: { 0: 'off', 1: 'on' } } },
      ] },
    });
    await server.request('POST', '/api/v1/products/e2eMeter/thing-model/publish', { token });
    const { page, errors, close } = await pages.open('/products/e2eMeter?tab=codec', { width: 1280, height: 1000 });
    page.setDefaultTimeout(24_000);

    // No codec yet: the editor holds the docs' meter, which the bench decodes and encodes before anything is saved.
    await page.getByTestId('codec-draft').getByText('new codec from the starter').waitFor();
    const source = page.getByRole('textbox', { name: 'Codec source' });
    await source.getByText('function decode(bytes, context) {').waitFor();
    await page.getByLabel('Frame from a device (hex)').fill('a5 01 00 00 00 07 43 66 80 00 3f a0 00 00 43 90 10 00 01 99');
    await page.getByRole('button', { name: 'Decode' }).click();
    const decoded = page.getByTestId('decode-result');
    await decoded.getByText('1 message').waitFor();
    expect(JSON.parse((await decoded.locator('pre').textContent())!)).toEqual([
      { kind: 'property.post', id: '7', params: { voltage: 230.5, current: 1.25, power: 288.125, relay: true } },
    ]);
    // The command offered sets the first writable property of the published thing model.
    expect(JSON.parse(await page.getByLabel('Command to a device (JSON)').inputValue())).toEqual({ kind: 'property.set', id: '1', params: { relay: 1 } });
    await page.getByRole('button', { name: 'Encode' }).click();
    await page.getByTestId('encode-result').getByText('a5 02 00 00 00 01 01 00 00 a9').waitFor();
    await screenshot(page, 'codec-test-bench');

    // A frame the codec refuses: its throw, with the line it was thrown at marked in the editor.
    await page.getByLabel('Frame from a device (hex)').fill('a5 01 00 00 00 07 43 66 80 00 3f a0 00 00 43 90 10 00 01 00');
    await page.getByRole('button', { name: 'Decode' }).click();
    await decoded.getByText('threw').waitFor();
    expect(await decoded.textContent()).toContain('Error: bad checksum');
    await page.getByTestId('codec-editor').locator('.cm-code-error-message').getByText(/^Line \d+, column \d+: Error: bad checksum$/).waitFor();

    // A syntax error: saving is refused, and the error sits under its line.
    const lines = (await server.request('GET', '/api/v1/products/e2eMeter/codec', { token })).body.draft;
    expect(lines).toBeNull();
    await source.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\nfunction broken( {');
    await page.getByTestId('codec-draft').getByText('unsaved changes').waitFor();
    // The bench's results were for the code before this edit, and say so.
    expect(await page.getByText('From before the code’s last change').count()).toBe(2);
    const errorLine = (await source.locator('.cm-line').count());
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('The codec does not load: SyntaxError').first().waitFor();
    const marker = page.getByTestId('codec-editor').locator('.cm-code-error-message');
    expect(await marker.textContent()).toMatch(/^Line \d+, column \d+: SyntaxError/);
    expect(Number((await marker.textContent())!.match(/^Line (\d+)/)![1])).toBeGreaterThanOrEqual(errorLine - 1);
    await screenshot(page, 'codec-syntax-error');
    expect((await server.request('GET', '/api/v1/products/e2eMeter/codec', { token })).body.draft).toBeNull();

    // Undone, it saves; then it publishes as version 1.
    await source.click();
    await page.keyboard.press('Control+End');
    for (let i = 0; i < '\nfunction broken( {'.length; i++) await page.keyboard.press('Backspace');
    await marker.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Draft saved.').waitFor();
    await page.getByTestId('codec-draft').getByText('unpublished changes').waitFor();
    const saved = (await server.request('GET', '/api/v1/products/e2eMeter/codec', { token })).body;
    expect(saved.draft.source).toContain('function encode(command, context)');
    await page.getByRole('button', { name: 'Publish…' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Publish version 1' }).click();
    await page.getByTestId('codec-published').getByText('version 1').waitFor();
    expect(await page.getByRole('button', { name: 'Publish…' }).isDisabled()).toBe(true);
    const v1 = (await server.request('GET', '/api/v1/products/e2eMeter/codec/versions/1', { token })).body;
    expect(v1).toMatchObject({ version: 1, publishedBy: 'admin', source: saved.draft.source });

    // A published version reads as it was; an edit after it is an unsaved change again.
    await source.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n// v2');
    await page.getByTestId('codec-draft').getByText('unsaved changes').waitFor();
    await page.getByLabel('Show').selectOption('1');
    await page.getByRole('textbox', { name: 'Codec version 1' }).getByText('function frame(bytes) {').waitFor();
    expect(await page.getByRole('button', { name: 'Save draft' }).count()).toBe(0);
    await page.getByLabel('Show').selectOption('draft');
    await source.getByText('// v2').waitFor();
    // Unsaved: leaving the tab asks first, naming what would be lost.
    await page.getByRole('tab', { name: 'Overview' }).click();
    const leave = page.getByRole('alertdialog', { name: 'Leave without saving?' });
    await leave.getByText('The codec has changes that are not saved.').waitFor();
    await leave.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByRole('tab', { name: 'Codec' }).getAttribute('aria-selected')).toBe('true');
    expect(errors).toEqual([]);
    await close();
  });

  it('shows an operator the products and thing model without a button that would change them', async () => {
    await server.tokenFor('operator');
    const { page, errors, close } = await pages.open('/products', undefined, ['operator1', 'operator-password-1']);
    page.setDefaultTimeout(24_000);
    await page.getByRole('table', { name: 'Products' }).getByRole('link', { name: 'Room sensor', exact: true }).click();
    await page.getByRole('heading', { name: 'Room sensor' }).waitFor();
    expect(await page.getByRole('button', { name: 'New product' }).count()).toBe(0);
    for (const name of ['Edit', 'Delete product', 'Reveal product secret']) {
      expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    }

    await page.getByRole('tab', { name: 'Thing model' }).click();
    await page.waitForURL((u) => u.searchParams.get('tab') === 'thing-model');
    const properties = page.getByRole('region', { name: /^Properties/ });
    await properties.getByText('struct {level, points}').waitFor();
    for (const name of [/^Add /, /^Edit /, /^Remove /, /^Save/, /^Publish/, /^Import/]) {
      expect(await page.getByRole('button', { name }).count(), String(name)).toBe(0);
    }
    expect(await page.getByLabel('Import a TSL file into the draft').count()).toBe(0);
    await properties.getByRole('button', { name: 'View property zones' }).click();
    const view = dialog(page);
    expect(await view.getByLabel('Identifier', { exact: true }).first().isDisabled()).toBe(true);
    expect(await view.getByRole('button', { name: /Add|Remove|Apply/ }).count()).toBe(0);
    await screenshot(page, 'product-thing-model-read-only');
    await view.getByRole('button', { name: 'Close' }).first().click();

    // A codec is code the server runs: without flows:code it is read, not saved, published or tried.
    await page.getByRole('tab', { name: 'Codec' }).click();
    await page.getByTestId('codec-read-only').getByText('flows:code').waitFor();
    await page.getByRole('textbox', { name: 'Codec source' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Codec source' }).getAttribute('contenteditable')).toBe('false');
    for (const name of ['Save draft', 'Publish…', 'Decode', 'Encode']) expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });

  it('fits a tablet in portrait', async () => {
    const { page, errors, close } = await pages.open('/products', { width: 820, height: 1180 });
    page.setDefaultTimeout(24_000);
    await page.getByRole('table', { name: 'Products' }).waitFor();
    await screenshot(page, 'products-tablet');
    // Nothing sticks out sideways but the table's own scroller.
    const overflow = () => page.evaluate<number>(`(() => {
      const scroller = document.querySelector('main > div');
      return scroller.scrollWidth - scroller.clientWidth;
    })()`);
    expect(await overflow()).toBe(0);
    await page.goto('/products/e2eSensor?tab=thing-model');
    await page.getByRole('region', { name: /^Properties/ }).waitFor();
    await screenshot(page, 'product-thing-model-tablet');
    expect(await overflow()).toBe(0);
    // The codec editor and its bench stack; the point table scrolls in its own box.
    await page.getByRole('tab', { name: 'Codec' }).click();
    await page.getByRole('region', { name: 'Test bench' }).waitFor();
    expect(await overflow()).toBe(0);
    await page.getByRole('tab', { name: 'Modbus' }).click();
    await page.getByRole('region', { name: 'Modbus point table' }).waitFor();
    expect(await overflow()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });
});
