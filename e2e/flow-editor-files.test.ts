import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/testing/test-server.ts';
import { AppPages, downloadedText, launchBrowser, screenshot } from './browser.ts';
import { canvas, canvasNode, deployStartingFlows, dropFromPalette, flowsOf, openEditorPage, properties } from './flow-editor-page.ts';

let server: TestServer;
let browser: Browser;
/** One signed-in page per user for the file's tests (see AppPages). */
const pages = new AppPages(() => browser, () => server);

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  await deployStartingFlows(server);
});

afterAll(async () => {
  await pages.close();
  await browser?.close();
  await server?.close();
});

const openEditor = () => openEditorPage(browser, server, pages);
const deployedFlows = () => flowsOf(server);

describe('the flow editor with flow files and other people\'s changes', () => {
  it('imports a flow file as it is and exports it unchanged', async () => {
    const { page, errors, close } = await openEditor();
    const original = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../editor/model/fixtures/group.json'), 'utf8'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-import-'));
    const file = path.join(dir, 'group.json');
    fs.writeFileSync(file, JSON.stringify(original, null, 2));

    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Import flows' });
    await dialog.getByLabel('Flow file').setInputFiles(file);
    await expect.poll(() => dialog.getByLabel('Flow JSON').inputValue()).toContain('"type"');
    await dialog.getByLabel('Replace all flows').check();
    await dialog.getByRole('button', { name: 'Import' }).click();
    await canvas(page).getByTestId('group-node').first().waitFor();
    await screenshot(page, 'flow-editor-imported');

    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const exportDialog = page.getByRole('dialog', { name: 'Export flows' });
    const download = page.waitForEvent('download');
    await exportDialog.getByRole('button', { name: 'Download' }).click();
    const exported = JSON.parse(await downloadedText(await download));
    expect(exported).toEqual(original);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(errors).toEqual([]);
    await close();
  });

  it('keeps nodes of uninstalled types from pasted flow JSON, draws them as unknown and refuses to deploy them by name', async () => {
    const { page, errors, close } = await openEditor();
    const text = fs.readFileSync(path.join(import.meta.dirname, '../editor/model/fixtures/unknown-contrib.json'), 'utf8');
    const before = await deployedFlows();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Import flows' });
    await dialog.getByLabel('Flow JSON').fill('[{"id": "x", "type": ');
    await dialog.getByRole('button', { name: 'Import' }).click();
    // Not flow JSON: said in the dialog, nothing imported.
    await dialog.getByRole('alert').waitFor();
    await dialog.getByLabel('Flow JSON').fill(text);
    await dialog.getByLabel('Replace all flows').check();
    await dialog.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('tab', { name: 'Dashboard' }).click();
    // Labelled with the missing type, as Node-RED draws unknown nodes.
    const unknown = canvas(page).locator('[data-testid="flow-node"][data-label="ui_gauge"]');
    await unknown.waitFor();
    expect(await unknown.getAttribute('class')).toContain('border-dashed');
    await unknown.click();
    await expect.poll(() => properties(page).getByRole('alert').textContent()).toContain('Node type "ui_gauge" is not installed');
    await screenshot(page, 'flow-editor-unknown');

    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    const notice = page.getByRole('alert').filter({ hasText: 'Not deployed' });
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/modbus-read/);
    expect(await notice.textContent()).toMatch(/ui_gauge/);
    expect((await deployedFlows()).rev).toBe(before.rev);

    // Exported as it came in, unknown properties and all.
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const exportDialog = page.getByRole('dialog', { name: 'Export flows' });
    // A node is selected, so the export offers it alone first; take all flows.
    await exportDialog.getByLabel('All flows').check();
    const download = page.waitForEvent('download');
    await exportDialog.getByRole('button', { name: 'Download' }).click();
    expect(JSON.parse(await downloadedText(await download))).toEqual(JSON.parse(text));
    await page.evaluate(() => (globalThis as unknown as { localStorage: { clear(): void } }).localStorage.clear());
    expect(errors).toEqual([]);
    await close();
  });

  it('puts imported nodes whose tab is missing on a tab made for them, and names a wire to a node that exists nowhere', async () => {
    const { page, errors, close } = await openEditor();
    // Two nodes exported without their tab; the inject is also wired to a node the file does not have.
    const flows = [
      { id: 'e2e-tick', type: 'inject', z: 'missing-tab', name: 'tick', props: [{ p: 'payload' }], repeat: '', once: false, topic: '', payload: '', payloadType: 'date', x: 140, y: 100, wires: [['e2e-show', 'nowhere']] },
      { id: 'e2e-show', type: 'debug', z: 'missing-tab', name: 'show', active: true, tosidebar: true, console: false, complete: 'false', x: 340, y: 100, wires: [] },
    ];
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Import flows' });
    await dialog.getByLabel('Flow JSON').fill(JSON.stringify(flows));
    await dialog.getByRole('button', { name: 'Import' }).click();
    const warning = dialog.getByRole('alert', { name: 'Import warning' });
    await warning.waitFor();
    expect(await warning.textContent()).toContain('tick (e2e-tick) → nowhere');
    expect(await dialog.getByRole('status').textContent()).toBe('Imported 2 nodes on 1 tab. Tab "Flow 2" made for nodes whose tab was not in the file.');
    // Imported already: the made tab is shown behind the dialog with the nodes on it.
    await canvasNode(page, 'tick').waitFor();
    await screenshot(page, 'flow-editor-import-missing-tab');
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(await page.getByRole('tab', { name: 'Flow 2' }).getAttribute('aria-selected')).toBe('true');
    await canvasNode(page, 'show').waitFor();

    // Deployed beside what was there, not instead of it.
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByText('Deployed.').waitFor();
    const deployed = (await deployedFlows()).flows;
    const made = deployed.find((n) => n.type === 'tab' && n['label'] === 'Flow 2');
    const tick = deployed.find((n) => n.type === 'inject' && n['name'] === 'tick');
    const show = deployed.find((n) => n.type === 'debug' && n['name'] === 'show');
    expect(deployed.map((n) => n.id)).toEqual(expect.arrayContaining(['e2e-tab', 'e2e-listener']));
    expect([tick?.['z'], show?.['z']]).toEqual([made?.id, made?.id]);
    expect(tick?.['wires']).toEqual([[show?.id]]);
    await deployStartingFlows(server);
    expect(errors).toEqual([]);
    await close();
  });

  it('shows who changed what when someone else deployed since the editor loaded, and overwrites only when asked', async () => {
    const { page, errors, close } = await openEditor();
    // Someone else deploys meanwhile: a comment on Flow 1.
    const before = await deployedFlows();
    const theirs = [...before.flows, { id: 'their-note', type: 'comment', z: 'e2e-tab', name: 'their note', info: '', x: 300, y: 400, wires: [] }];
    expect((await server.request('POST', '/api/v1/flows', { token: server.adminToken, body: { flows: theirs, rev: before.rev } })).status).toBe(200);

    await dropFromPalette(page, 'inject', 200, 320);
    // A new inject is labelled as Node-RED labels it: by its payload, a timestamp.
    await canvasNode(page, 'timestamp').waitFor();
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Someone else deployed since you loaded' });
    await dialog.waitFor();
    expect(await dialog.getByTestId('their-changes').textContent()).toContain('Added: their note (comment) on “Flow 1”');
    expect(await dialog.getByTestId('your-changes').textContent()).toContain('Added: timestamp (inject)');
    await screenshot(page, 'flow-editor-conflict');
    // Nothing was overwritten while the dialog is open.
    expect((await deployedFlows()).flows.map((n) => n.id)).toContain('their-note');

    await dialog.getByRole('button', { name: 'Overwrite' }).click();
    await page.getByText('Deployed.').waitFor();
    const after = await deployedFlows();
    expect(after.flows.some((n) => n.type === 'inject')).toBe(true);
    expect(after.flows.map((n) => n.id)).not.toContain('their-note');
    expect(errors).toEqual([]);
    await close();
  });

  it('edits with the keyboard and tabs, asks before leaving with unsaved changes, and offers them back after a reload', async () => {
    const { page, errors, close } = await openEditor();
    await page.getByRole('button', { name: 'Add flow' }).click();
    const newTab = page.getByRole('tab', { name: 'Flow 2' });
    await newTab.dblclick();
    await page.getByLabel('Flow name').fill('Scratch');
    await page.keyboard.press('Enter');
    await page.getByRole('tab', { name: 'Scratch' }).waitFor();

    await dropFromPalette(page, 'inject', 200, 200);
    const injects = canvas(page).locator('[data-testid="flow-node"][data-label="timestamp"]');
    await injects.first().click();
    await page.keyboard.press('Control+C');
    const box = (await canvas(page).boundingBox())!;
    await page.mouse.move(box.x + 400, box.y + 320);
    await page.keyboard.press('Control+V');
    await expect.poll(() => injects.count()).toBe(2);
    await page.keyboard.press('Delete');
    await expect.poll(() => injects.count()).toBe(1);
    await page.keyboard.press('Control+Z');
    await expect.poll(() => injects.count()).toBe(2);
    await page.keyboard.press('Control+Shift+Z');
    await expect.poll(() => injects.count()).toBe(1);
    await page.keyboard.press('Control+Z');
    await expect.poll(() => injects.count()).toBe(2);
    await screenshot(page, 'flow-editor-edited');

    // Leaving asks first; after the reload the draft is offered back.
    const asked = new Promise<string>((resolve) => page.once('dialog', (dialog) => {
      resolve(dialog.type());
      void dialog.accept();
    }));
    // The draft is written shortly after the last change: wait until it holds both injects on Scratch.
    await page.waitForFunction(() => {
      type Node = { id: string; type: string; z?: string; label?: string };
      const text = (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('thingwire.flow-editor.draft');
      const flows = text === null ? [] : (JSON.parse(text) as { flows: Node[] }).flows;
      const tab = flows.find((n) => n.type === 'tab' && n.label === 'Scratch');
      return tab !== undefined && flows.filter((n) => n.type === 'inject' && n.z === tab.id).length === 2;
    });
    await page.reload();
    expect(await asked).toBe('beforeunload');
    const banner = page.getByRole('status', { name: 'Unsaved changes' });
    await banner.waitFor();
    await banner.getByRole('button', { name: 'Restore' }).click();
    await page.getByRole('tab', { name: 'Scratch' }).click();
    await expect.poll(() => injects.count()).toBe(2);
    expect(errors).toEqual([]);
    await close();
  });
});
