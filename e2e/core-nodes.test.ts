/**
 * Every Node-RED core node type as a Node-RED user meets it: created from the palette, its form filled, deployed,
 * exported (the JSON must be what Node-RED 4.1's editor writes for the same settings), then run with a message and
 * its output checked. One server and one page for all of them; the host nodes (exec, file…) are installed.
 * `CORE_NODE_CATEGORIES=common,function` runs only those categories' cases (while working on them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestJson } from '../server/testing/test-server.ts';
import { screenshot } from './browser.ts';
import {
  comparableExport, DebugCollector, eventually, expectedExport, injectInputs, outputsOf, rigFlows, type CoreNodeCase,
} from './core-node-check.ts';
import { cases as commonCases } from './core-nodes/common.cases.ts';
import { cases as functionCases } from './core-nodes/function.cases.ts';
import { cases as networkCases } from './core-nodes/network.cases.ts';
import { cases as parsersCases } from './core-nodes/parsers.cases.ts';
import { cases as sequenceCases } from './core-nodes/sequence.cases.ts';
import { cases as storageCases } from './core-nodes/storage.cases.ts';
import { canvas, dropFromPalette, flowsOf, properties, sharedEditorPage } from './flow-editor-page.ts';

const categories: Record<string, CoreNodeCase[]> = {
  common: commonCases, function: functionCases, network: networkCases, sequence: sequenceCases, parsers: parsersCases, storage: storageCases,
};
const only = process.env['CORE_NODE_CATEGORIES']?.split(',').map((c) => c.trim()).filter(Boolean);
const cases = Object.entries(categories).filter(([category]) => !only || only.includes(category)).flatMap(([, list]) => list);

const ALL_SCREENS = process.env.THINGWIRE_ALL_SCREENS === '1';
const shared = sharedEditorPage({ config: { config: { hostNodes: true } } });
/** The node each case created, by case name. */
const created = new Map<string, string>();
let deployed: Record<string, TestJson>[] = [];

/**
 * Where case `index` drops its node: a grid as wide and tall as the canvas shows (it narrows with the sidebars); when
 * the grid is full, a new flow tab starts an empty one (`CORE_NODE_ROWS=2` caps the rows, to see that happen).
 */
async function spot(index: number): Promise<{ x: number; y: number }> {
  const box = (await canvas(shared.page).boundingBox()) ?? { width: 700, height: 700 };
  const columns = Math.max(1, Math.floor((box.width - 150) / 150));
  const rows = Math.max(1, Math.min(Number(process.env['CORE_NODE_ROWS'] ?? Infinity), Math.floor((box.height - 200) / 50)));
  const slot = index % (columns * rows);
  if (index > 0 && slot === 0) await shared.page.getByRole('button', { name: 'Add flow' }).click();
  return { x: 90 + (slot % columns) * 150, y: 60 + Math.floor(slot / columns) * 50 };
}

describe('core nodes: created from the palette, filled, deployed and exported as Node-RED writes them', () => {
  it('has a case for every type it tests', () => {
    expect(cases.length, 'no core node cases: the suite would test nothing').toBeGreaterThan(0);
  });

  cases.forEach((c, index) => {
    it(`${c.name}: fill the ${c.type} form`, async () => {
      const nodes = canvas(shared.page).locator('.react-flow__node');
      const idsOf = () => nodes.evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
      const before = new Set(await idsOf());
      const { x, y } = await spot(index);
      await dropFromPalette(shared.page, c.type, x, y);
      let id: string | null | undefined;
      await eventually(async () => {
        id = (await idsOf()).find((i) => i !== null && !before.has(i));
        expect(id).toBeTruthy();
      });
      expect(id, `dropping ${c.type} made a node`).toBeTruthy();
      created.set(c.name, id!);
      // A comment is drawn as a note, not as a node box.
      await canvas(shared.page).locator(`.react-flow__node[data-id="${id}"]`).locator('[data-testid="flow-node"], [data-testid="comment-node"]').click();
      const form = properties(shared.page);
      await form.locator(`[data-node-id="${id}"]`).first().waitFor();
      await c.fill(form, shared.page);
      // The sidebar with the filled form, for a reviewer (`npm run screenshots`): sixty of them are a tenth of the file.
      if (ALL_SCREENS) await screenshot(shared.page, `core-node-${c.name}`, shared.page.getByRole('complementary', { name: 'Sidebar' }));
      expect(await form.getByRole('alert', { name: 'Node problems' }).count(), 'the filled form shows no problems').toBe(0);
    });
  });

  it('deploys them all', async () => {
    await shared.page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await shared.page.getByText('Deployed.').waitFor();
    deployed = (await flowsOf(shared.server)).flows;
  });

  cases.forEach((c) => {
    it(`${c.name}: exports what Node-RED 4.1 writes`, async () => {
      const id = created.get(c.name);
      expect(id, 'the form step created the node').toBeTruthy();
      expect(comparableExport(deployed, id!)).toEqual(expectedExport(c.name, c.vars?.()));
    });
  });
});

describe('core nodes: each runs with a message', () => {
  let collector: DebugCollector;
  const running = () => cases.filter((c) => c.run && created.has(c.name)).map((c) => ({ c, id: created.get(c.name)!, run: c.run! }));

  beforeAll(async () => {
    collector = await DebugCollector.open(shared.server);
    if (deployed.length === 0) return;
    const { rev } = await flowsOf(shared.server);
    const res = await shared.server.request('POST', '/api/v1/flows', { token: shared.server.adminToken, body: { flows: rigFlows(deployed, running()), rev } });
    if (res.status !== 200) throw new Error(`rig deploy: ${res.status} ${JSON.stringify(res.body)}`);
  });

  afterAll(() => collector?.close());

  cases.forEach((c) => {
    if (!c.run) {
      it.skip(`${c.name}: not run here (${c.why ?? 'no reason given'})`, () => undefined);
      return;
    }
    it(`${c.name}: runs`, async () => {
      const id = created.get(c.name);
      expect(id, 'the form step created the node').toBeTruthy();
      const { flows } = await flowsOf(shared.server);
      const node = flows.find((n) => n.id === id)!;
      const context = { server: shared.server, node, deployed: new Map(flows.map((n) => [n.id as string, n])) };
      await injectInputs(shared.server, id!, c.run!);
      await c.run!.trigger?.(context);
      await eventually(() => c.run!.expect(outputsOf(collector, node), context));
    });
  });
});
