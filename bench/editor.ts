/**
 * `npm run bench:editor`: the flow editor on a 2,000-node flow (50 wired chains of 40 nodes on one tab) in headless
 * Chromium at 1440 × 900: how long a signed-in navigation takes until the canvas shows its opening view, how long "Fit
 * to view" then takes until every node is on the canvas, and the frames per second while a person pans (mouse drags on
 * the pane) and zooms (wheel) with the whole flow in view. A real Thingwire (in this process, on a temp data dir and a
 * loopback port) serves the built UI. Prints the figures; with `--json`, one JSON line of them (how `npm run bench`
 * reads them, running this in a process of its own).
 */
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from '../e2e/chromium.ts';
import { largeFlow, openCanvas, panAndZoom } from '../e2e/large-flow.ts';
import { ensureUiBuilt } from '../server/http/ui-build.ts';
import { createLogger } from '../server/logger.ts';
import { startTestServer, TEST_ADMIN_PASSWORD } from '../server/testing/test-server.ts';

/** What one run measured. */
export interface EditorFigures {
  nodes: number;
  openMs: number;
  fitMs: number;
  framesPerSecond: number;
  frames: number;
  seconds: number;
  /** The frame rates of the pans (mouse drags) and of the zooms (wheel) apart. */
  panFramesPerSecond: number;
  zoomFramesPerSecond: number;
}

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '4' }, json: { type: 'boolean', default: false } } });
const nodes = Number(values.nodes);
const rounds = Number(values.rounds);
if (!(nodes > 0) || !(rounds > 0)) throw new Error('--nodes and --rounds are positive numbers');

await ensureUiBuilt(createLogger('warn'));
const server = await startTestServer();
const browser = await chromium.launch(chromiumLaunchOptions({ gpu: true }));
try {
  const { rev } = (await server.request('GET', '/api/v1/flows', { token: server.adminToken })).body;
  const deployed = await server.request('POST', '/api/v1/flows', { token: server.adminToken, body: { flows: largeFlow(nodes), rev } });
  if (deployed.status !== 200) throw new Error(`deploy: ${JSON.stringify(deployed.body)}`);
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto('/flows');
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(TEST_ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.react-flow__node').first().waitFor();

  const { openMs, fitMs } = await openCanvas(page, nodes, 60_000);
  const { frames, seconds, pan, zoom } = await panAndZoom(page, rounds);
  const figures: EditorFigures = {
    nodes, openMs, fitMs, framesPerSecond: frames / seconds, frames, seconds,
    panFramesPerSecond: pan.frames / pan.seconds, zoomFramesPerSecond: zoom.frames / zoom.seconds,
  };
  process.stdout.write(values.json
    ? `${JSON.stringify(figures)}\n`
    : `flow editor, ${nodes} nodes: opening view in ${openMs} ms, every node drawn ${fitMs} ms after fit to view; ` +
      `${figures.framesPerSecond.toFixed(1)} frames/s while panning and zooming from the whole flow in view (${frames} frames in ${seconds.toFixed(1)} s; ` +
      `pans ${figures.panFramesPerSecond.toFixed(1)}, zooms ${figures.zoomFramesPerSecond.toFixed(1)} frames/s)\n`);
} finally {
  await browser.close();
  await server.close();
}
