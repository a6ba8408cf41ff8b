import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../server/testing/device-simulator.ts';
import { connect, createDevices, deviceOptions, type TestDevice } from '../server/testing/mqtt-devices.ts';
import { startTestServer, type TestServer } from '../server/testing/test-server.ts';
import { launchBrowser, openApp, screenshot } from './browser.ts';
import { canvas, canvasNode, deployStartingFlows, dropFromPalette, flowsOf, openEditorPage, properties, wire } from './flow-editor-page.ts';

let server: TestServer;
let browser: Browser;
let device: TestDevice;

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  [device] = await createDevices(server, 'a1editor', ['room-1']);
  await deployStartingFlows(server);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const openEditor = () => openEditorPage(browser, server);

/** What the operator test reads of a canvas node in the page (e2e code has no DOM types). */
interface ShownNode {
  getAttribute(name: string): string | null;
  closest(selector: string): { style: { transform: string }; offsetWidth: number; offsetHeight: number } | null;
}
const deployedFlows = () => flowsOf(server);

describe('the flow editor', () => {
  it('builds device in → switch → debug by drag and drop, deploys it, and shows a real device’s message and status', async () => {
    const { page, errors, close } = await openEditor();
    await dropFromPalette(page, 'device-in', 160, 200);
    await dropFromPalette(page, 'switch', 360, 200);
    await dropFromPalette(page, 'debug', 560, 200);
    const [deviceIn, switchNode, debugNode] = [canvasNode(page, 'device in'), canvasNode(page, 'switch'), canvasNode(page, 'debug 1')];
    await debugNode.waitFor();
    await wire(page, deviceIn, switchNode);
    await wire(page, switchNode, debugNode);
    await expect.poll(() => canvas(page).locator('.react-flow__edge').count()).toBe(2);

    // Configure in the properties panel: the switch passes property posts, the debug node also shows its status.
    await switchNode.click();
    await properties(page).getByLabel('Property', { exact: true }).fill('thing.kind');
    await properties(page).getByLabel('Rule 1 value', { exact: true }).fill('property.post');
    await debugNode.click();
    await properties(page).getByLabel('node status (32 characters)').check();
    await screenshot(page, 'flow-editor-built');

    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByText('Deployed.').waitFor();
    const { flows } = await deployedFlows();
    const byType = (type: string) => flows.find((n) => n.type === type)!;
    expect(byType('device-in').wires).toEqual([[byType('switch').id]]);
    expect(byType('switch').wires).toEqual([[byType('debug').id]]);
    expect(byType('switch')).toMatchObject({ property: 'thing.kind', rules: [{ t: 'eq', v: 'property.post', vt: 'str' }] });
    expect(byType('debug').tostatus).toBe(true);

    // The device simulator, as the README starts it, with the credentials the API gave.
    const port = server.app.mqttListeners.listeners()[0]!.ports.tcp;
    await page.getByRole('tablist', { name: 'Sidebar' }).getByRole('tab', { name: 'Debug' }).click();
    const simulator = startSimulator(server, device, { mqttUrl: `mqtt://127.0.0.1:${port}`, rate: 2 });
    try {
      await simulator.waitFor(/^connected/);
      // The message in the debug sidebar (from debug 1, its topic naming the device), its payload as the node's status.
      await page.getByRole('complementary', { name: 'Sidebar' }).getByText(`${device.productKey}/${device.deviceName}/property.post`).first().waitFor();
      await expect.poll(() => debugNode.getByTestId('node-status').textContent()).toMatch(/temperature: -?\d/);
      await expect.poll(() => deviceIn.getByTestId('node-status').textContent()).toMatch(/^\d+ messages?$/);
    } finally {
      await screenshot(page, 'flow-editor-live');
      await simulator.stop();
    }
    expect(errors).toEqual([]);
    await close();
  });

  it('fires an inject node with its button and shows what it sent; an undeployed inject is not fired', async () => {
    const before = await deployedFlows();
    const flows = [
      ...before.flows.filter((n) => n['z'] !== 'inject-tab' && n.id !== 'inject-tab'),
      { id: 'inject-tab', type: 'tab', label: 'Buttons', disabled: false, info: '' },
      { id: 'btn', type: 'inject', z: 'inject-tab', name: 'press me', x: 200, y: 100, props: [{ p: 'payload' }], payload: 'hello from the button', payloadType: 'str', repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', wires: [['btn-debug']] },
      { id: 'btn-debug', type: 'debug', z: 'inject-tab', name: 'button output', x: 420, y: 100, active: true, tosidebar: true, console: false, tostatus: false, complete: 'payload', targetType: 'msg', statusVal: '', statusType: 'auto', wires: [] },
    ];
    expect((await server.request('POST', '/api/v1/flows', { token: server.adminToken, body: { flows, rev: before.rev } })).status).toBe(200);
    const { page, errors, close } = await openEditor();
    await page.getByRole('tab', { name: 'Buttons' }).click();
    await page.getByRole('tablist', { name: 'Sidebar' }).getByRole('tab', { name: 'Debug' }).click();
    await page.getByRole('button', { name: 'Inject press me' }).click();
    await page.getByRole('status').filter({ hasText: 'Injected: press me' }).waitFor();
    await page.getByRole('complementary', { name: 'Debug' }).getByText('"hello from the button"').waitFor();

    // Renamed on the canvas but not deployed: the runtime would run the old node, so it is not fired.
    await canvasNode(page, 'press me').click();
    await page.getByRole('tablist', { name: 'Sidebar' }).getByRole('tab', { name: 'Properties' }).click();
    await properties(page).getByLabel('Name', { exact: true }).fill('press me again');
    await page.getByRole('button', { name: 'Inject press me again' }).click();
    await page.getByRole('alert').filter({ hasText: 'undeployed changes' }).waitFor();
    await screenshot(page, 'flow-editor-inject');
    await page.evaluate(() => (globalThis as unknown as { localStorage: { clear(): void } }).localStorage.clear());
    expect(errors).toEqual([]);
    await close();
  });

  it('box-selects, copies to another tab and pastes; edits the listener in the config nodes panel; deploys modified nodes with devices staying connected', async () => {
    const before = await deployedFlows();
    const flows = [
      ...before.flows,
      { id: 'copy-from', type: 'tab', label: 'Copy from', disabled: false, info: '' },
      { id: 'copy-to', type: 'tab', label: 'Copy to', disabled: false, info: '' },
      { id: 'cp-src', type: 'inject', z: 'copy-from', name: 'source', x: 200, y: 120, props: [{ p: 'payload' }], payload: '', payloadType: 'date', repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', wires: [['cp-dst']] },
      { id: 'cp-dst', type: 'debug', z: 'copy-from', name: 'target', x: 420, y: 120, active: true, tosidebar: true, console: false, tostatus: false, complete: 'payload', targetType: 'msg', statusVal: '', statusType: 'auto', wires: [] },
      { id: 'cp-far', type: 'comment', z: 'copy-from', name: 'far away', x: 300, y: 400, info: '', wires: [] },
    ];
    expect((await server.request('POST', '/api/v1/flows', { token: server.adminToken, body: { flows, rev: before.rev } })).status).toBe(200);
    const port = server.app.mqttListeners.listeners()[0]!.ports.tcp;
    const client = await connect(`mqtt://127.0.0.1:${port}`, deviceOptions(device));
    let disconnects = 0;
    client.on('close', () => disconnects++);
    const { page, errors, close } = await openEditor();
    try {
      await page.getByRole('tab', { name: 'Copy from' }).click();
      // Shift+drag a box around the two wired nodes, not the comment below them.
      const [a, b] = [(await canvasNode(page, 'source').boundingBox())!, (await canvasNode(page, 'target').boundingBox())!];
      await page.keyboard.down('Shift');
      await page.mouse.move(a.x - 30, Math.min(a.y, b.y) - 30);
      await page.mouse.down();
      await page.mouse.move(b.x + b.width + 30, Math.max(a.y + a.height, b.y + b.height) + 30, { steps: 10 });
      await page.mouse.up();
      await page.keyboard.up('Shift');
      await expect.poll(() => canvas(page).locator('.react-flow__node.selected').count()).toBe(2);
      await page.keyboard.press('Control+C');
      await page.getByRole('tab', { name: 'Copy to' }).click();
      const box = (await canvas(page).boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.keyboard.press('Control+V');
      await canvasNode(page, 'source').waitFor();
      await expect.poll(() => canvas(page).locator('.react-flow__edge').count()).toBe(1);
      expect(await canvasNode(page, 'far away').count()).toBe(0);

      // The listener is a config node: listed in its panel, edited in the properties.
      await page.getByRole('tablist', { name: 'Sidebar' }).getByRole('tab', { name: 'Config nodes' }).click();
      await page.getByRole('region', { name: 'Configuration nodes' }).getByRole('button', { name: /Devices \(MQTT\)/ }).click();
      await properties(page).getByLabel('Rate per device (msg/s)').fill('50');
      await screenshot(page, 'flow-editor-copy-config');

      await page.getByRole('button', { name: 'Deploy options' }).click();
      await page.getByRole('menuitemradio', { name: /Modified nodes/ }).click();
      await page.getByRole('button', { name: 'Deploy (modified nodes)' }).click();
      await page.getByText('Deployed.').waitFor();
      const after = (await deployedFlows()).flows;
      expect(after.find((n) => n.id === 'e2e-listener')).toMatchObject({ ratePerDevice: 50 });
      const copies = after.filter((n) => n['z'] === 'copy-to');
      expect(copies.map((n) => n.type).sort()).toEqual(['debug', 'inject']);
      const copiedSource = copies.find((n) => n.type === 'inject')!;
      expect(copiedSource.wires).toEqual([[copies.find((n) => n.type === 'debug')!.id]]);
      // The device on the listener never noticed the deploy.
      expect(client.connected).toBe(true);
      expect(disconnects).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await client.endAsync();
      await close();
    }
  });

  it('shows an operator the flows and their debug output read-only: nothing a drag, a key, a field or a menu does changes them', async () => {
    await server.request('POST', '/api/v1/users', { token: server.adminToken, body: { username: 'olga', password: 'operator-password', role: 'operator' } });
    // An engineer's switch → debug on the first flow, for the operator to look at.
    const deployed = await deployedFlows();
    const added = [
      { id: 'ro-switch', type: 'switch', z: 'e2e-tab', name: 'ro switch', property: 'payload', propertyType: 'msg', rules: [{ t: 'eq', v: 'on', vt: 'str' }], checkall: 'true', repair: false, outputs: 1, x: 200, y: 320, wires: [['ro-debug']] },
      { id: 'ro-debug', type: 'debug', z: 'e2e-tab', name: 'ro debug', active: true, tosidebar: true, console: false, tostatus: false, complete: 'payload', targetType: 'msg', x: 420, y: 320, wires: [] },
    ];
    const deploy = await server.request('POST', '/api/v1/flows', { token: server.adminToken, body: { flows: [...deployed.flows, ...added], rev: deployed.rev } });
    expect(deploy.status).toBe(200);
    const app = await openApp(browser, server, '/flows', { width: 1440, height: 900 }, { signedIn: ['olga', 'operator-password'] });
    const { page } = app;
    page.setDefaultTimeout(18_000);
    try {
      await page.getByText('Read only: your role cannot change flows').waitFor();
      await page.getByRole('tab', { name: 'Flow 1' }).waitFor();
      const nodes = canvas(page).locator('[data-testid="flow-node"]');
      await nodes.first().waitFor();
      // What the operator sees, to compare after every attempt.
      const seen = async () => ({
        // Each node's label and centre in flow coordinates (Node-RED's x/y): its translate plus half its size.
        labels: await nodes.evaluateAll((els: ShownNode[]) =>
          els
            .map((el) => {
              const node = el.closest('.react-flow__node')!;
              const [x, y] = (/translate\(([-\d.]+)px, ([-\d.]+)px\)/.exec(node.style.transform) ?? []).slice(1).map(Number);
              return `${el.getAttribute('data-label')} at ${Math.round(x! + node.offsetWidth / 2)},${Math.round(y! + node.offsetHeight / 2)}`;
            })
            .sort(),
        ),
        wires: await canvas(page).locator('.react-flow__edge').count(),
        tabs: await page.getByRole('tab').allTextContents(),
      });
      const before = await seen();
      const deployedBefore = (await deployedFlows()).rev;

      // No deploy, inject, import, undo or add-flow control; the palette says why its entries do not drag.
      for (const name of ['Deploy', 'Import', 'Undo', 'Redo', 'Add flow']) expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
      expect(await page.getByRole('button', { name: /^Inject / }).count()).toBe(0);
      expect(await page.getByRole('button', { name: /^Options for / }).count()).toBe(0);
      await page.getByRole('complementary', { name: 'Palette' }).getByText('Read only: nodes cannot be added.').waitFor();
      expect(await page.locator('[data-node-type="debug"]').getAttribute('draggable')).toBe('false');

      // A drag from the palette, a node dragged on the canvas, Delete, undo, cut and paste: nothing moves or goes.
      await dropFromPalette(page, 'debug', 700, 500);
      const label = 'ro switch';
      const first = canvasNode(page, label);
      const box = (await first.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + 200, box.y + 150, { steps: 6 });
      await page.mouse.up();
      await canvasNode(page, label).click();
      await expect.poll(() => page.getByTestId('rf__node-ro-switch').getAttribute('class')).toContain('selected');
      await page.keyboard.press('Delete');
      await page.keyboard.press('Backspace');
      await page.keyboard.press('Control+z');
      await page.keyboard.press('Control+x');
      // A paste of flow JSON, as the system clipboard would deliver it.
      const pasted = JSON.stringify([{ id: 'pasted-1', type: 'debug', z: 'e2e-tab', x: 600, y: 400, wires: [] }]);
      await page.evaluate(`(() => {
        const data = new DataTransfer();
        data.setData('text/plain', ${JSON.stringify(pasted)});
        window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data }));
      })()`);
      // Double-clicking a tab does not open its name for editing.
      await page.getByRole('tab', { name: 'Flow 1' }).dblclick();
      expect(await page.getByLabel('Flow name').count()).toBe(0);

      // The selected node's properties are there to read, in disabled fields.
      const panel = properties(page);
      await panel.locator(`[data-node-id]`).first().waitFor();
      const fields = panel.locator('form input:not([type=hidden]), form select, form textarea');
      await fields.first().waitFor();
      for (const field of await fields.all()) expect(await field.isDisabled()).toBe(true);
      const firstField = fields.first();
      const value = await firstField.inputValue();
      await firstField.click({ force: true });
      await page.keyboard.type('changed');
      expect(await firstField.inputValue()).toBe(value);
      expect(await panel.locator('.cm-content[contenteditable="true"]').count()).toBe(0);

      // Export still works.
      await page.getByRole('button', { name: 'Export', exact: true }).click();
      await page.getByRole('dialog').waitFor();
      await page.keyboard.press('Escape');

      expect(await seen()).toEqual(before);
      expect(await page.getByText('Read only: your role cannot change flows').count()).toBe(1);
      expect((await deployedFlows()).rev).toBe(deployedBefore);
      await screenshot(page, 'flow-editor-operator');
      expect(app.errors).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
