/**
 * The properties panel and the live debug sidebar in the real editor: a person selects nodes on the canvas, edits
 * their config with the generated form (pickers fed by the API, CodeMirror for code), sees invalid values marked,
 * and watches debug messages, errors and statuses from the running flows arrive.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/testing/test-server.ts';
import { AppPages, launchBrowser, screenshot } from './browser.ts';

let server: TestServer;
let browser: Browser;
/** One signed-in page per user for the file's tests (see AppPages). */
const pages = new AppPages(() => browser, () => server);

const PRODUCT = 'a1EnvMon001';
const TAB = 'e2e-live-tab';

/** A flow that keeps the debug sidebar busy: a JSON payload every second, a failing function, and a burst. */
const liveFlow = [
  { id: TAB, type: 'tab', label: 'Live test', disabled: false, info: '' },
  {
    id: 'e2e-tick', type: 'inject', z: TAB, name: 'tick', props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }], repeat: '1', crontab: '',
    once: true, onceDelay: 0.1, topic: 'sensor/1',
    payload: JSON.stringify({ temperature: 23.5, tags: ['a', 'b'], note: 'x'.repeat(300) }), payloadType: 'json', x: 120, y: 60, wires: [['e2e-out', 'e2e-boom']],
  },
  { id: 'e2e-out', type: 'debug', z: TAB, name: 'payload out', active: true, tosidebar: true, console: false, tostatus: false, complete: 'false', statusVal: '', statusType: 'auto', x: 340, y: 60, wires: [] },
  {
    id: 'e2e-boom', type: 'function', z: TAB, name: 'boom', outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [],
    func: "node.status({ fill: 'red', shape: 'ring', text: 'failing' });\nnode.error('boom failed', msg);\nreturn null;", x: 340, y: 140, wires: [[]],
  },
  {
    id: 'e2e-burst-tick', type: 'inject', z: TAB, name: 'burst tick', props: [{ p: 'payload' }], repeat: '3', crontab: '', once: true, onceDelay: 1.5,
    topic: '', payload: '', payloadType: 'date', x: 120, y: 220, wires: [['e2e-burst']],
  },
  {
    id: 'e2e-burst', type: 'function', z: TAB, name: 'burst', outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [],
    func: 'for (let i = 0; i < 150; i++) node.send({ payload: i });\nreturn null;', x: 300, y: 220, wires: [['e2e-burst-out']],
  },
  { id: 'e2e-burst-out', type: 'debug', z: TAB, name: 'burst out', active: true, tosidebar: true, console: false, tostatus: false, complete: 'false', statusVal: '', statusType: 'auto', x: 480, y: 220, wires: [] },
  // An installed type the palette does not offer (as a contrib node would be): its properties are edited as JSON.
  { id: 'e2e-global', type: 'global-config', name: 'lines', env: [{ name: 'SCALE', value: '10', type: 'num' }], modules: {} },
  {
    id: 'e2e-alert', type: 'alert', z: TAB, name: 'Hot rule', severity: 'warning', product: PRODUCT, trigger: 'threshold', property: 'CurrentTemperature',
    operator: '>', value: 30, low: 0, high: 0, forSeconds: 10, clearOperator: 'auto', clearValue: 0, clearLow: 0, clearHigh: 0, event: '',
    eventType: 'alert-or-error', clearEvent: '', offlineMinutes: 5, message: '', x: 560, y: 60, wires: [[]],
  },
];

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ installDefaultFlows: true }), launchBrowser()]);
  const token = server.adminToken;
  const ok = (res: { status: number; body: unknown }, what: string) => {
    if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  ok(await server.request('POST', '/api/v1/products', { token, body: { productKey: PRODUCT, name: 'Environment monitor' } }), 'product');
  const tsl = fs.readFileSync(path.join(import.meta.dirname, '../server/thing-model/fixtures/alibaba-example-tsl.json'), 'utf8');
  ok(await server.request('PUT', `/api/v1/products/${PRODUCT}/thing-model/draft`, { token, body: tsl, headers: { 'content-type': 'application/json' } }), 'draft');
  ok(await server.request('POST', `/api/v1/products/${PRODUCT}/thing-model/publish`, { token }), 'publish');
  ok(await server.request('POST', '/api/v1/devices', { token, body: { productKey: PRODUCT, deviceName: 'room-7', description: 'Room 7' } }), 'device');
  const current = await server.request('GET', '/api/v1/flows', { token });
  // The test tab first, so the editor opens on it.
  ok(await server.request('POST', '/api/v1/flows', { token, body: { rev: current.body.rev, flows: [...liveFlow, ...current.body.flows] } }), 'deploy');
});

afterAll(async () => {
  await pages.close();
  await browser?.close();
  await server?.close();
});

async function openEditor(): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
  const app = await pages.open('/flows', { width: 1440, height: 900 });
  await app.page.getByTestId('flow-canvas').locator('[data-testid="flow-node"]').first().waitFor();
  return app;
}

const canvasNode = (page: Page, label: string) => page.getByTestId('flow-canvas').locator(`[data-testid="flow-node"][data-label="${label}"]`);
const sidebarTab = (page: Page, name: string) => page.getByRole('tablist', { name: 'Sidebar' }).getByRole('tab', { name });

describe('the properties panel', () => {
  it('edits an alert rule through a form generated from its schema, with pickers fed by the API', async () => {
    const { page, errors, close } = await openEditor();
    await canvasNode(page, 'Hot rule').click();
    const panel = page.getByRole('complementary', { name: 'Properties' });
    await panel.getByRole('heading', { name: 'Hot rule' }).waitFor();
    expect(await panel.textContent()).toContain('alert');

    // Pickers: the product by name, the property from the published thing model.
    const product = panel.getByLabel('Product', { exact: true });
    await expect.poll(() => product.locator('option:checked').textContent()).toBe(`Environment monitor (${PRODUCT})`);
    const property = panel.getByLabel('Property', { exact: true });
    await expect.poll(() => property.locator('option').allTextContents()).toContain('CurrentHumidity — Current Humidity (int)');
    expect(await property.inputValue()).toBe('CurrentTemperature');
    expect(await panel.getByLabel('Severity').inputValue()).not.toBe('');

    // Bounds are enforced as typed: the node keeps its last valid value.
    const forSeconds = panel.getByLabel('For (seconds)');
    await forSeconds.fill('-5');
    await panel.getByText('For (seconds) must be at least 0').waitFor();
    await forSeconds.fill('15');
    await expect.poll(() => panel.getByText('For (seconds) must be at least 0').count()).toBe(0);

    // An invalid config is marked on the field and on the node.
    await property.selectOption('');
    await panel.getByText('Property is required').waitFor();
    await canvasNode(page, 'Hot rule').getByTestId('node-problem').waitFor();
    await screenshot(page, 'properties-panel-invalid');

    // One undo restores the property; the red marker goes.
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => property.inputValue()).toBe('CurrentTemperature');
    await expect.poll(() => panel.getByText('Property is required').count()).toBe(0);

    // Typing a name is one undo step, however many keystrokes.
    const name = panel.getByLabel('Name', { exact: true });
    await name.fill('');
    await name.pressSequentially('Very hot');
    await forSeconds.focus();
    await panel.getByRole('heading', { name: 'Very hot' }).waitFor();
    await page.getByRole('button', { name: 'Undo' }).click();
    await panel.getByRole('heading', { name: 'Hot rule' }).waitFor();
    expect(await forSeconds.inputValue()).toBe('15');

    expect(errors).toEqual([]);
    await close();
  });

  it('edits function code in CodeMirror and picks a device of the chosen product', async () => {
    const { page, errors, close } = await openEditor();
    await canvasNode(page, 'boom').click();
    const panel = page.getByRole('complementary', { name: 'Properties' });
    const code = panel.getByRole('textbox', { name: 'On Message' });
    await code.waitFor();
    // Node-RED's tabs: the message code shows first, the others one click away.
    expect(await panel.locator('[data-code-language="javascript"] .cm-editor').count()).toBe(1);
    expect(await code.textContent()).toContain("node.error('boom failed', msg);");
    await panel.getByRole('tab', { name: 'On Start' }).click();
    await panel.getByRole('textbox', { name: 'On Start' }).waitFor();
    await panel.getByRole('tab', { name: 'On Message' }).click();
    await code.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n// checked');
    await expect.poll(() => code.textContent()).toContain('// checked');
    await screenshot(page, 'properties-panel-function');
    // Highlighted as JavaScript.
    expect(await panel.locator('.cm-editor [class^="ͼ"], .cm-editor span[class*="ͼ"]').count()).toBeGreaterThan(0);

    // A device in node on the default flow: the device picker lists the product's devices once a product is chosen.
    await page.getByRole('tablist', { name: 'Flows' }).getByRole('tab', { name: 'Devices' }).click();
    await canvasNode(page, 'device posts').click();
    await panel.getByRole('heading', { name: 'device posts' }).waitFor();
    const device = panel.getByLabel('Device', { exact: true });
    expect(await device.evaluate((el) => el.tagName)).toBe('INPUT');
    await panel.getByLabel('Product', { exact: true }).selectOption(PRODUCT);
    await expect.poll(() => panel.getByLabel('Device', { exact: true }).locator('option').allTextContents()).toContain('room-7 — Room 7');
    await panel.getByLabel('Device', { exact: true }).selectOption('room-7');
    // Kinds: an array of choices, as checkboxes.
    expect(await panel.getByRole('checkbox', { name: 'property.post' }).isChecked()).toBe(true);
    expect(await panel.getByRole('checkbox', { name: 'state' }).isChecked()).toBe(false);
    await screenshot(page, 'properties-panel-device-in');
    expect(errors).toEqual([]);
    await close();
  });
});

describe('nodes without a form', () => {
  it('edits an installed node type without a form as JSON, marks text that is not JSON and keeps the node as it was', async () => {
    const { page, errors, close } = await openEditor();
    await sidebarTab(page, 'Config nodes').click();
    const configList = page.getByRole('complementary', { name: 'Sidebar' });
    await configList.getByRole('button', { name: /lines/ }).click();
    const panel = page.getByRole('complementary', { name: 'Properties' });
    const code = panel.getByRole('textbox', { name: 'Properties (JSON)' });
    await code.waitFor();
    expect(await code.textContent()).toContain('"name": "SCALE"');
    await code.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('{"name": "words", "env": [], "modules": {}');
    await panel.getByText('Not JSON yet').waitFor();
    await panel.getByRole('heading', { name: 'lines' }).waitFor();
    await page.keyboard.type('}');
    await panel.getByRole('heading', { name: 'words' }).waitFor();
    await screenshot(page, 'properties-panel-json');
    // The edit is one undo step: the name and the JSON come back.
    await page.getByTestId('flow-canvas').locator('.react-flow__pane').click({ position: { x: 40, y: 40 } });
    await page.keyboard.press('Control+Z');
    await sidebarTab(page, 'Config nodes').click();
    await configList.getByRole('button', { name: /lines/ }).waitFor();
    expect(errors).toEqual([]);
    await close();
  });
});

describe('the debug sidebar', () => {
  it('shows messages as they arrive, errors in red, dropped counts, and reveals the emitting node', async () => {
    const { page, errors, close } = await openEditor();
    await sidebarTab(page, 'Debug').click();
    const debug = page.getByRole('complementary', { name: 'Debug' });
    const messages = debug.getByRole('list', { name: 'Debug messages' });

    await debug.getByRole('status').filter({ hasText: /messages? dropped \(rate limit\)/ }).waitFor();
    // The node's status, from the same feed, under the node on the canvas.
    await canvasNode(page, 'boom').getByText('failing').waitFor();

    // Clear empties the list and the dropped count; new messages keep coming.
    await debug.getByRole('button', { name: 'Clear' }).click();
    expect(await debug.getByRole('status').count()).toBe(0);
    const latest = messages.locator('li', { hasText: 'topic: sensor/1' }).last();
    await latest.waitFor();
    // Pinned by its sequence number: newer messages keep arriving below it.
    const payload = messages.locator(`li[data-seq="${await latest.getAttribute('data-seq')}"]`);
    expect(await payload.textContent()).toContain('payload out');
    await payload.getByRole('button', { name: 'Expand value' }).click();
    await payload.getByText('temperature:').waitFor();
    expect(await payload.textContent()).toContain('23.5');
    // The long string is cut short, with "more".
    await payload.getByRole('button', { name: /^more/ }).waitFor();

    const lastFailure = messages.locator('li[data-level="error"]', { hasText: 'boom failed' }).last();
    await lastFailure.waitFor();
    const failure = messages.locator(`li[data-seq="${await lastFailure.getAttribute('data-seq')}"]`);
    expect(await failure.getAttribute('class')).toContain('border-l-red-500');
    await screenshot(page, 'debug-sidebar');

    // Clicking the node name selects that node.
    await failure.getByRole('button', { name: 'boom' }).click();
    await expect.poll(() => canvasNode(page, 'boom').evaluate((el) => el.closest('.react-flow__node')?.classList.contains('selected'))).toBe(true);

    // Only the selected node's messages.
    await debug.getByLabel('Show messages from').selectOption('selected');
    await expect.poll(async () => (await messages.locator('li').allTextContents()).every((text) => text.includes('boom'))).toBe(true);

    expect(errors).toEqual([]);
    await close();
  });
});
