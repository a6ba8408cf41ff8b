/**
 * The editor's everyday interactions, driven as a Node-RED user would: Ctrl+F search, Ctrl+click quick-add, the
 * right-click menu, the `?` shortcut list, drops and pastes where the mouse is, menus that close, invalid edits kept
 * and listed, the deploy warning, and status texts in words. One server and one page for the file.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { openApp, screenshot } from './browser.ts';
import { canvas, canvasNode, dropFromPalette, flowsOf, properties, sharedEditorPage, startingFlows } from './flow-editor-page.ts';

const fn = (id: string, z: string, name: string, x: number, y: number, wires: string[][], func = 'return msg;') => ({
  id, type: 'function', z, name, func, outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], x, y, wires,
});
const debug = (id: string, z: string, name: string, x: number, y: number) => ({
  id, type: 'debug', z, name, active: true, tosidebar: true, console: false, tostatus: false, complete: 'payload', targetType: 'msg', statusVal: '', statusType: 'auto', x, y, wires: [],
});

const flows = [
  ...startingFlows,
  { id: 'second', type: 'tab', label: 'Second', disabled: false, info: '' },
  { id: 'start', type: 'inject', z: 'e2e-tab', name: 'start', props: [{ p: 'payload' }], payload: '', payloadType: 'date', repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', x: 160, y: 100, wires: [['double']] },
  fn('double', 'e2e-tab', 'double it', 360, 100, [['out']]),
  debug('out', 'e2e-tab', 'out', 560, 100),
  debug('note', 'e2e-tab', 'lonely note', 160, 260),
  // A websocket client that cannot connect: Node-RED sets its status as the key "common.status.disconnected".
  { id: 'ws-client', type: 'websocket-client', path: 'ws://127.0.0.1:9/nowhere', tls: '', wholemsg: 'false', hb: '0', subprotocol: '' },
  { id: 'ws-out', type: 'websocket out', z: 'e2e-tab', name: 'ws out', server: '', client: 'ws-client', x: 560, y: 260, wires: [] },
  fn('helper', 'second', 'hidden helper', 300, 200, [[]], '// needle-in-code\nreturn msg;'),
  // A link out to a link in beside it and to one on the second tab.
  { id: 'link-out', type: 'link out', z: 'e2e-tab', name: 'to both', mode: 'link', links: ['link-here', 'link-there'], x: 360, y: 380, wires: [] },
  { id: 'link-here', type: 'link in', z: 'e2e-tab', name: 'here', links: ['link-out'], x: 560, y: 440, wires: [[]] },
  { id: 'link-there', type: 'link in', z: 'second', name: 'there', links: ['link-out'], x: 300, y: 320, wires: [[]] },
];

const shared = sharedEditorPage({ flows });
let page: Page;
beforeAll(() => {
  page = shared.page;
});

/** The centre of an element on the page. */
async function centreOf(locator: ReturnType<typeof canvasNode>): Promise<{ x: number; y: number }> {
  const box = (await locator.boundingBox())!;
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** The canvas's pan and zoom, as React Flow last applied it. */
const viewTransform = () => page.locator('.react-flow__viewport').evaluate((el: { style: { transform: string } }) => el.style.transform);
const selectedCount = () => canvas(page).locator('.react-flow__node.selected').count();
const sidebarTab = (name: string | RegExp) => page.getByRole('tablist', { name: 'Sidebar' }).getByRole('tab', { name });

describe('the editor’s interactions', () => {
  it('shows status texts in words, not as Node-RED message keys', async () => {
    const status = canvasNode(page, 'ws out').getByTestId('node-status');
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(/^(disconnected|error|connecting)$/);
  });

  it('finds a node on another tab with Ctrl+F and shows it centred and selected', async () => {
    await canvas(page).click({ position: { x: 700, y: 500 } });
    await page.keyboard.press('Control+F');
    const dialog = page.getByRole('dialog', { name: 'Search flows' });
    await dialog.getByRole('searchbox', { name: 'Search flows' }).fill('needle-in-code');
    await expect.poll(() => dialog.getByRole('option').allTextContents()).toEqual(['hidden helperfunction · Second']);
    await screenshot(page, 'flow-editor-search');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('tab', { name: 'Second' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => properties(page).getByRole('heading').textContent()).toBe('hidden helper');
    const node = canvasNode(page, 'hidden helper');
    const box = (await canvas(page).boundingBox())!;
    await expect.poll(async () => {
      const at = await centreOf(node);
      return Math.hypot(at.x - (box.x + box.width / 2), at.y - (box.y + box.height / 2));
    }).toBeLessThan(4);
    // By type too, across tabs, with the tab named.
    await page.keyboard.press('Control+F');
    await dialog.getByRole('searchbox').fill('function');
    await expect.poll(() => dialog.getByRole('option').count()).toBe(2);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
  });

  it('shows where a selected link out sends: a dashed wire to the link in on the tab, a stub to the other tab that goes there', async () => {
    await page.getByRole('tab', { name: 'Flow 1' }).click();
    const wires = canvas(page).locator('.flow-link-wires');
    expect(await wires.count()).toBe(0);
    await canvas(page).locator('.react-flow__node[data-id="link-out"]').click();
    await expect.poll(() => wires.locator('path').first().getAttribute('d')).toMatch(/^M/);
    const stub = wires.getByRole('button', { name: 'Go to the linked node on Second' });
    await expect.poll(() => stub.textContent()).toBe('Second');
    await screenshot(page, 'flow-editor-link-wires');
    await stub.click();
    await expect.poll(() => page.getByRole('tab', { name: 'Second' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => properties(page).getByRole('heading').textContent()).toBe('there');
  });

  it('lists every shortcut on ?, and Escape closes the list', async () => {
    await page.getByRole('tab', { name: 'Flow 1' }).click();
    await canvas(page).click({ position: { x: 700, y: 500 } });
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    for (const keys of ['Ctrl+F', 'Ctrl+click on the canvas', 'Right-click', 'Ctrl+V', 'Ctrl+Z', '?']) await dialog.getByText(keys, { exact: true }).waitFor();
    await screenshot(page, 'flow-editor-shortcuts');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
  });

  it('quick-adds a node at a Ctrl+click, wired from the selected node', async () => {
    await canvasNode(page, 'double it').click();
    const box = (await canvas(page).boundingBox())!;
    const at = { x: box.x + 520, y: box.y + 380 };
    await page.keyboard.down('Control');
    await page.mouse.click(at.x, at.y);
    await page.keyboard.up('Control');
    const dialog = page.getByRole('dialog', { name: 'Add a node' });
    await dialog.getByRole('searchbox', { name: 'Node type' }).fill('deb');
    await dialog.getByRole('option', { name: /debug/ }).first().waitFor();
    await screenshot(page, 'flow-editor-quick-add');
    await page.keyboard.press('Enter');
    const added = canvasNode(page, 'debug 1');
    await added.waitFor();
    const centre = await centreOf(added);
    expect(Math.abs(centre.x - at.x)).toBeLessThan(3);
    expect(Math.abs(centre.y - at.y)).toBeLessThan(3);
    await expect.poll(() => canvas(page).locator('.react-flow__edge').count()).toBe(3);
    expect(await selectedCount()).toBe(1);
  });

  it('offers cut, copy, paste, delete, group, enable/disable and select connected on a right-click', async () => {
    await canvasNode(page, 'start').click({ button: 'right' });
    const menu = page.getByRole('menu', { name: 'Canvas menu' });
    await screenshot(page, 'flow-editor-context-menu');
    await menu.getByRole('menuitem', { name: /Select connected/ }).click();
    // start → double it → out and the quick-added debug: not the lonely note or the websocket node.
    await expect.poll(selectedCount).toBe(4);

    await canvasNode(page, 'lonely note').click({ button: 'right' });
    expect(await menu.getByRole('menuitem', { name: /Group selection/ }).isEnabled()).toBe(true);
    await menu.getByRole('menuitem', { name: /^Disable/ }).click();
    await canvasNode(page, 'lonely note').click({ button: 'right' });
    await menu.getByRole('menuitem', { name: /^Enable/ }).waitFor();
    await menu.getByRole('menuitem', { name: /^Copy/ }).click();
    await expect.poll(() => menu.count()).toBe(0);
    const box = (await canvas(page).boundingBox())!;
    const at = { x: box.x + 300, y: box.y + 420 };
    await page.mouse.click(at.x, at.y, { button: 'right' });
    await menu.getByRole('menuitem', { name: /^Paste/ }).click();
    await expect.poll(() => canvasNode(page, 'lonely note').count()).toBe(2);
    const pasted = await centreOf(canvasNode(page, 'lonely note').nth(1));
    expect(Math.abs(pasted.x - at.x)).toBeLessThan(3);

    // Group the pair start + double it, then delete the pasted note from the menu.
    await canvasNode(page, 'start').click();
    await canvasNode(page, 'double it').click({ modifiers: ['Control'] });
    await canvasNode(page, 'double it').click({ button: 'right' });
    await menu.getByRole('menuitem', { name: /Group selection/ }).click();
    await expect.poll(() => canvas(page).locator('.react-flow__node-flow-group').count()).toBe(1);
    await canvasNode(page, 'lonely note').nth(1).click({ button: 'right' });
    await menu.getByRole('menuitem', { name: /^Delete/ }).click();
    await expect.poll(() => canvasNode(page, 'lonely note').count()).toBe(1);
  });

  it('closes the Deploy menu, the tab menu and the context menu on Escape and on a click elsewhere', async () => {
    const deployMenu = page.getByRole('menu').filter({ hasText: 'Modified flows' });
    await page.getByRole('button', { name: 'Deploy options' }).click();
    await deployMenu.waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => deployMenu.count()).toBe(0);
    await page.getByRole('button', { name: 'Deploy options' }).click();
    await deployMenu.waitFor();
    await canvas(page).click({ position: { x: 700, y: 520 } });
    await expect.poll(() => deployMenu.count()).toBe(0);

    const tabMenu = page.getByRole('menu').filter({ hasText: 'Delete flow' });
    await page.getByRole('button', { name: 'Options for Flow 1' }).click();
    await tabMenu.waitFor();
    await canvas(page).click({ position: { x: 700, y: 520 } });
    await expect.poll(() => tabMenu.count()).toBe(0);

    await canvas(page).click({ position: { x: 700, y: 520 }, button: 'right' });
    const menu = page.getByRole('menu', { name: 'Canvas menu' });
    await menu.waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => menu.count()).toBe(0);
  });

  it('pastes at the mouse on the canvas, and visibly beside the original when the mouse is elsewhere', async () => {
    await canvasNode(page, 'out').click();
    await page.keyboard.press('Control+C');
    const box = (await canvas(page).boundingBox())!;
    const at = { x: box.x + 640, y: box.y + 460 };
    await page.mouse.move(at.x, at.y);
    // Zoomed with the wheel since the mouse last moved: still under it.
    const before = await viewTransform();
    await page.mouse.wheel(0, -200);
    await expect.poll(viewTransform).not.toBe(before);
    await page.keyboard.press('Control+V');
    await expect.poll(() => canvasNode(page, 'out').count()).toBe(2);
    const atMouse = await centreOf(canvasNode(page, 'out').nth(1));
    expect(Math.hypot(atMouse.x - at.x, atMouse.y - at.y)).toBeLessThan(3);
    await page.mouse.wheel(0, 200);
    await expect.poll(viewTransform).toBe(before);

    // The mouse on the palette: the copy lands a step down and right of the original, selected.
    await page.getByRole('complementary', { name: 'Palette' }).hover();
    await page.keyboard.press('Control+V');
    await expect.poll(() => canvasNode(page, 'out').count()).toBe(3);
    const [original, beside] = [await centreOf(canvasNode(page, 'out').first()), await centreOf(canvasNode(page, 'out').nth(2))];
    expect(beside.x - original.x).toBeGreaterThan(10);
    expect(beside.y - original.y).toBeGreaterThan(10);
    expect(await selectedCount()).toBe(1);
    await page.keyboard.press('Delete');
    await canvasNode(page, 'out').nth(1).click();
    await page.keyboard.press('Delete');
    await expect.poll(() => canvasNode(page, 'out').count()).toBe(1);
  });

  it('drops a palette node under the cursor, on a new empty flow and after zooming and panning', async () => {
    await page.getByRole('button', { name: 'Add flow' }).click();
    await expect.poll(() => page.getByRole('tab', { name: 'Flow 2' }).getAttribute('aria-selected')).toBe('true');
    const box = (await canvas(page).boundingBox())!;
    await dropFromPalette(page, 'inject', 420, 260);
    // A new inject is labelled as Node-RED labels it: by its payload, a timestamp.
    const first = await centreOf(canvasNode(page, 'timestamp'));
    expect(Math.hypot(first.x - (box.x + 420), first.y - (box.y + 260))).toBeLessThan(3);

    // Zooming is a d3 transition applied on a later frame: each step waits to see the view change, so the drop
    // is measured against the view the user would see, not one a pending transition is about to replace.
    const changes = async (act: () => Promise<void>) => {
      const before = await viewTransform();
      await act();
      await expect.poll(viewTransform).not.toBe(before);
    };
    await changes(() => page.getByRole('button', { name: 'Zoom in', exact: true }).click());
    await changes(() => page.getByRole('button', { name: 'Zoom in', exact: true }).click());
    await changes(async () => {
      await page.mouse.move(box.x + 700, box.y + 560);
      await page.mouse.down();
      await page.mouse.move(box.x + 600, box.y + 500, { steps: 5 });
      await page.mouse.up();
    });
    await dropFromPalette(page, 'debug', 300, 420);
    const second = await centreOf(canvasNode(page, 'debug 2'));
    expect(Math.hypot(second.x - (box.x + 300), second.y - (box.y + 420))).toBeLessThan(3);
  });

  it('keeps invalid text in the node, marks it, lists it in Problems and warns before deploying it', async () => {
    await page.getByRole('tab', { name: 'Flow 1' }).click();
    await canvasNode(page, 'double it').click();
    await sidebarTab('Properties').click();
    await properties(page).getByRole('tab', { name: 'Setup' }).click();
    await properties(page).getByLabel('Timeout', { exact: true }).fill('12a');
    await properties(page).getByText('Timeout must be a number').waitFor();
    // Deselected and selected again: the text is still there, and the node is marked.
    await canvas(page).click({ position: { x: 700, y: 520 } });
    await canvasNode(page, 'double it').getByTestId('node-problem').waitFor();
    await canvasNode(page, 'double it').click();
    await properties(page).getByRole('tab', { name: 'Setup' }).click();
    expect(await properties(page).getByLabel('Timeout', { exact: true }).inputValue()).toBe('12a');

    await sidebarTab(/Problems/).click();
    const list = page.getByRole('list', { name: 'Problems' });
    await list.getByRole('button', { name: /double it/ }).waitFor();
    await screenshot(page, 'flow-editor-problems');
    await page.getByRole('tab', { name: 'Second' }).click();
    await list.getByRole('button', { name: /double it/ }).click();
    await expect.poll(() => page.getByRole('tab', { name: 'Flow 1' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => properties(page).getByRole('heading').textContent()).toBe('double it');

    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    const warning = page.getByRole('dialog', { name: 'Deploy with invalid nodes?' });
    await warning.getByText('The workspace contains some nodes that are not properly configured').waitFor();
    await warning.getByRole('list', { name: 'Invalid nodes' }).getByText('double it').waitFor();
    await screenshot(page, 'flow-editor-deploy-warning');
    await warning.getByRole('button', { name: 'Cancel' }).click();
    expect((await flowsOf(shared.server)).flows.find((n) => n.id === 'double')!['timeout']).toBe(0);
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await warning.getByRole('button', { name: 'Confirm deploy' }).click();
    await page.getByText(/^Deployed/).waitFor();
    const deployed = (await flowsOf(shared.server)).flows;
    expect(deployed.find((n) => n.id === 'double')!['timeout']).toBe('12a');
    expect(deployed.find((n) => n.id === 'note')!['d']).toBe(true);
    expect(shared.app.errors).toEqual([]);
  });

  it('lets a read-only user search and copy, but not add, cut, group or disable', async () => {
    await shared.server.request('POST', '/api/v1/users', { token: shared.server.adminToken, body: { username: 'otto', password: 'operator-password', role: 'operator' } });
    const operator = await openApp(shared.browser, shared.server, '/flows', { width: 1440, height: 900 }, { signedIn: ['otto', 'operator-password'] });
    const ro = operator.page;
    ro.setDefaultTimeout(18_000);
    try {
      await ro.getByText('Read only: your role cannot change flows').waitFor();
      await ro.keyboard.press('Control+F');
      await ro.getByRole('searchbox', { name: 'Search flows' }).fill('hidden helper');
      await ro.keyboard.press('Enter');
      await expect.poll(() => ro.getByRole('tab', { name: 'Second' }).getAttribute('aria-selected')).toBe('true');

      await canvasNode(ro, 'hidden helper').click({ button: 'right' });
      const menu = ro.getByRole('menu', { name: 'Canvas menu' });
      const enabled = await menu.getByRole('menuitem').evaluateAll((items: { disabled: boolean; textContent: string | null }[]) =>
        items.filter((item) => !item.disabled).map((item) => item.textContent),
      );
      expect(enabled).toEqual(['CopyCtrl+C', 'Select connected']);
      await ro.keyboard.press('Escape');
      const box = (await canvas(ro).boundingBox())!;
      await ro.keyboard.down('Control');
      await ro.mouse.click(box.x + 500, box.y + 500);
      await ro.keyboard.up('Control');
      expect(await ro.getByRole('dialog', { name: 'Add a node' }).count()).toBe(0);
      expect(operator.errors).toEqual([]);
    } finally {
      await operator.close();
    }
  });
});
