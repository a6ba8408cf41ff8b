/**
 * A large flow in the editor, shared by its browser test (`large-flow.test.ts`, a functional check at a size that
 * still fills the canvas) and the editor benchmark (`bench/editor.ts`, timed at 2,000 nodes, also a row of `npm run bench`). Plain Playwright: no
 * test runner here.
 */
import type { Page } from 'playwright-core';

/** Nodes per row: each row is one wired chain inject → change/function… → debug. */
export const COLUMNS = 40;

/**
 * `nodes` nodes on one tab, in rows of {@link COLUMNS}, each row a wired chain inject → change/function… → debug, laid
 * out as Node-RED lays out nodes (centres 160 px apart, rows 60 px apart).
 */
export function largeFlow(nodes: number): Record<string, unknown>[] {
  const flows: Record<string, unknown>[] = [{ id: 'big-tab', type: 'tab', label: 'Big flow', disabled: false, info: '' }];
  for (let i = 0; i < nodes; i++) {
    const column = i % COLUMNS;
    const row = Math.floor(i / COLUMNS);
    const next = column === COLUMNS - 1 || i === nodes - 1 ? [] : [`n${i + 1}`];
    const at = { id: `n${i}`, z: 'big-tab', x: 100 + column * 160, y: 60 + row * 60 };
    if (column === 0) flows.push({ ...at, type: 'inject', name: `row ${row}`, props: [{ p: 'payload' }], repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', payload: '', payloadType: 'date', wires: [next] });
    else if (column === COLUMNS - 1) flows.push({ ...at, type: 'debug', name: `out ${row}`, active: false, tosidebar: true, console: false, tostatus: false, complete: 'false', statusVal: '', statusType: 'auto', wires: [] });
    else if (column % 2 === 0) flows.push({ ...at, type: 'function', name: `f ${i}`, func: 'return msg;', outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], wires: [next] });
    else flows.push({ ...at, type: 'change', name: `c ${i}`, rules: [{ t: 'set', p: 'topic', pt: 'msg', to: `${i}`, tot: 'str' }], wires: [next] });
  }
  return flows;
}

/**
 * The page's globals the page functions below use: this file is type-checked for Node, without the DOM's types, and
 * page functions are serialized, so each casts `globalThis` itself.
 */
interface PageGlobals {
  document: { querySelectorAll(selector: string): { length: number } };
  framesCounted: number;
  counting: boolean;
}

/**
 * A fresh navigation to the editor (signed in) until its opening view is drawn (a large flow opens on its top-left
 * part at a readable zoom), then "Fit to view" until all `nodes` nodes are on the canvas; answers how long each took.
 */
export async function openCanvas(page: Page, nodes: number, timeoutMs = 10_000): Promise<{ openMs: number; fitMs: number }> {
  const started = Date.now();
  await page.goto('/flows');
  await page.locator('.react-flow__node').first().waitFor({ timeout: timeoutMs });
  const openMs = Date.now() - started;
  const fitStarted = Date.now();
  await page.getByRole('button', { name: 'Fit to view' }).click({ timeout: timeoutMs });
  await page.waitForFunction((count) => (globalThis as unknown as PageGlobals).document.querySelectorAll('.react-flow__node').length >= count, nodes, { timeout: timeoutMs, polling: 'raf' });
  return { openMs, fitMs: Date.now() - fitStarted };
}

/** Frames drawn while the view moved: in all, and during the pans and the zooms apart. */
export interface MotionFrames {
  frames: number;
  seconds: number;
  pan: { frames: number; seconds: number };
  zoom: { frames: number; seconds: number };
}

/**
 * Pans (mouse drags on the pane) and zooms (wheel) as a person does, `rounds` times, counting the frames the page
 * draws meanwhile (requestAnimationFrame), in all and for the pans and the zooms apart.
 */
export async function panAndZoom(page: Page, rounds: number): Promise<MotionFrames> {
  // A string, not a function: tsx (the benchmark) would add a helper to a named function the page does not have.
  await page.evaluate(`(() => {
    window.framesCounted = 0;
    window.counting = true;
    const tick = () => {
      window.framesCounted++;
      if (window.counting) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  const pane = (await page.getByTestId('flow-canvas').boundingBox())!;
  const cx = pane.x + pane.width / 2;
  const cy = pane.y + pane.height / 2;
  const pan = { frames: 0, seconds: 0 };
  const zoom = { frames: 0, seconds: 0 };
  const counted = async () => Number(await page.evaluate('window.framesCounted'));
  /** Runs `gesture`, adding the frames and seconds it took to `into`. */
  const timed = async (into: { frames: number; seconds: number }, gesture: () => Promise<void>) => {
    const [frames, t] = [await counted(), Date.now()];
    await gesture();
    into.seconds += (Date.now() - t) / 1000;
    into.frames += (await counted()) - frames;
  };
  for (let round = 0; round < rounds; round++) {
    await timed(pan, async () => {
      await page.mouse.move(cx, cy);
      await page.mouse.down();
      await page.mouse.move(cx - 300, cy - 150, { steps: 30 });
      await page.mouse.move(cx, cy, { steps: 30 });
      await page.mouse.up();
    });
    await timed(zoom, async () => {
      for (let i = 0; i < 10; i++) await page.mouse.wheel(0, round % 2 === 0 ? -120 : 120);
    });
  }
  await page.evaluate(() => {
    (globalThis as unknown as PageGlobals).counting = false;
  });
  return { frames: pan.frames + zoom.frames, seconds: pan.seconds + zoom.seconds, pan, zoom };
}
