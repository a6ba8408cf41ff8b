import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/testing/test-server.ts';
import { until } from '../server/testing/until.ts';
import { launchBrowser, openApp, screenshot } from './browser.ts';
import { canvas } from './flow-editor-page.ts';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  // What a fresh install opens on: the default device pipeline.
  [server, browser] = await Promise.all([startTestServer({ installDefaultFlows: true }), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

type Box = { x: number; y: number; width: number; height: number };

/** The pane nodes are drawn in (the canvas less its footer), the minimap's box if shown, and every node's box. */
async function shown(page: Page): Promise<{ pane: Box; minimap: Box | null; nodes: Box[]; zoom: number }> {
  const pane = (await canvas(page).locator('.react-flow').boundingBox())!;
  const minimapShown = await canvas(page).locator('.react-flow__minimap').count();
  const minimap = minimapShown ? await canvas(page).locator('.react-flow__minimap').boundingBox() : null;
  const nodes = (await Promise.all((await canvas(page).locator('.react-flow__node').all()).map((n) => n.boundingBox()))).filter((b) => b !== null);
  const zoom = Number.parseInt((await page.getByTestId('canvas-zoom').textContent())!, 10) / 100;
  return { pane, minimap, nodes, zoom };
}

const inside = (b: Box, outer: Box) => b.x >= outer.x - 0.5 && b.y >= outer.y - 0.5 && b.x + b.width <= outer.x + outer.width + 0.5 && b.y + b.height <= outer.y + outer.height + 0.5;
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Whether every one of `count` nodes is wholly in the pane and clear of the minimap. */
function allInView(view: Awaited<ReturnType<typeof shown>>, count: number): boolean {
  return view.nodes.length === count && view.nodes.every((n) => inside(n, view.pane) && !(view.minimap && overlaps(n, view.minimap)));
}

describe('the flow editor’s layout', () => {
  it('gives the canvas the room at 1280 × 800: panels close by one click and stay closed, the default flow shows whole at a readable zoom', async () => {
    const { page, errors, close } = await openApp(browser, server, '/flows', { width: 1280, height: 800 }, { signedIn: true });
    page.setDefaultTimeout(18_000);
    const { body } = await server.request('GET', '/api/v1/flows', { token: server.adminToken });
    const flows = body.flows as { type: string; z?: string; x?: number }[];
    const firstTab = flows.find((n) => n.type === 'tab') as unknown as { id: string };
    const onTab = flows.filter((n) => n.z === firstTab.id && typeof n.x === 'number').length;
    await canvas(page).locator('.react-flow__node').first().waitFor();

    // Panels open: the palette, the sidebar and the navigation's icons leave the canvas most of the window.
    const openCanvas = (await canvas(page).boundingBox())!;
    expect(openCanvas.width).toBeGreaterThanOrEqual(790);
    const opened = await until('opening zoom', () => shown(page), (v) => v.nodes.length > 0 && v.zoom >= 0.8);
    expect(opened.zoom).toBeLessThanOrEqual(1);
    await screenshot(page, 'flow-editor-layout-1280-open');

    // One click: navigation, palette and sidebar closed; every node of the flow wholly in view, none under the minimap.
    await page.getByRole('button', { name: 'Focus canvas' }).click();
    await page.getByRole('complementary', { name: 'Palette' }).waitFor({ state: 'hidden' });
    await page.getByRole('complementary', { name: 'Sidebar' }).waitFor({ state: 'hidden' });
    expect((await canvas(page).boundingBox())!.width).toBeGreaterThanOrEqual(1150);
    const focused = await until('every node in view', () => shown(page), (v) => allInView(v, onTab));
    expect(focused.zoom).toBeGreaterThanOrEqual(0.8);
    await screenshot(page, 'flow-editor-layout-1280-focused');

    // Remembered over a reload; the strips bring each panel back.
    await page.reload();
    await canvas(page).locator('.react-flow__node').first().waitFor();
    expect(await page.getByRole('button', { name: 'Focus canvas' }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: 'Show the palette' }).click();
    await page.getByRole('complementary', { name: 'Palette' }).getByText('device in', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Show the sidebar' }).click();
    await page.getByRole('tablist', { name: 'Sidebar' }).waitFor();

    // Node-RED's keys: Ctrl+P the palette, Ctrl+Space the sidebar (on the canvas, not in a field).
    await canvas(page).locator('.react-flow__pane').click({ position: { x: 600, y: 400 } });
    await page.keyboard.press('Control+p');
    await page.getByRole('complementary', { name: 'Palette' }).waitFor({ state: 'hidden' });
    await page.keyboard.press('Control+Space');
    await page.getByRole('complementary', { name: 'Sidebar' }).waitFor({ state: 'hidden' });
    await page.keyboard.press('Control+p');
    await page.getByRole('complementary', { name: 'Palette' }).waitFor();

    // Fit to view never zooms past 100 % nor hides a node under the minimap; the minimap hides, and stays hidden.
    await page.getByRole('button', { name: 'Fit to view' }).click();
    const fitted = await until('fit to view', () => shown(page), (v) => allInView(v, onTab));
    expect(fitted.zoom).toBeLessThanOrEqual(1);
    expect(fitted.zoom).toBeGreaterThanOrEqual(0.8);
    await page.getByRole('button', { name: 'Minimap' }).click();
    await canvas(page).locator('.react-flow__minimap').waitFor({ state: 'detached' });
    await page.reload();
    await canvas(page).locator('.react-flow__node').first().waitFor();
    expect(await canvas(page).locator('.react-flow__minimap').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Minimap' }).getAttribute('aria-pressed')).toBe('false');

    // A tablet's width: the navigation is icons, the palette and a narrower sidebar leave the canvas its share.
    await page.getByRole('button', { name: 'Show the sidebar' }).click();
    await page.setViewportSize({ width: 820, height: 800 });
    await until('canvas at 820 px', async () => (await canvas(page).boundingBox())!.width, (w) => w >= 340);
    await screenshot(page, 'flow-editor-layout-820-open');
    expect(errors).toEqual([]);
    await close();
  });
});
