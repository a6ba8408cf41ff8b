import { describe, expect, it } from 'vitest';
import type { CanvasNode } from '../model/flow-canvas.ts';
import { FIT_PADDING, fitViewport, openingViewport, READABLE_ZOOM } from './fit-viewport.ts';

const node = (id: string, x: number, y: number): CanvasNode =>
  ({ id, type: 'comment', position: { x, y }, measured: { width: 100, height: 30 }, data: { node: { id, type: 'comment' }, label: id, disabled: false } }) as CanvasNode;

/** Each node's box on screen under `viewport`. */
const onScreen = (nodes: CanvasNode[], { x, y, zoom }: { x: number; y: number; zoom: number }) =>
  nodes.map((n) => ({ left: (n.position.x - 50) * zoom + x, right: (n.position.x + 50) * zoom + x, top: (n.position.y - 15) * zoom + y, bottom: (n.position.y + 15) * zoom + y }));

const MINIMAP = { width: 210, height: 135 };

describe('fitViewport', () => {
  it('puts every node wholly inside the pane, padded, and none under the minimap', () => {
    const nodes = [node('a', 100, 100), node('b', 3000, 2000), node('c', -500, 40), node('d', 3000, 40)];
    for (const pane of [{ width: 1000, height: 600, corner: MINIMAP }, { width: 600, height: 1000, corner: MINIMAP }, { width: 1000, height: 600 }]) {
      const viewport = fitViewport(nodes, pane);
      for (const box of onScreen(nodes, viewport)) {
        expect(box.left).toBeGreaterThanOrEqual(FIT_PADDING - 0.01);
        expect(box.top).toBeGreaterThanOrEqual(FIT_PADDING - 0.01);
        expect(box.right).toBeLessThanOrEqual(pane.width - FIT_PADDING + 0.01);
        expect(box.bottom).toBeLessThanOrEqual(pane.height - FIT_PADDING + 0.01);
        const underMinimap = pane.corner && box.right > pane.width - pane.corner.width && box.bottom > pane.height - pane.corner.height;
        expect(underMinimap).toBeFalsy();
      }
    }
  });

  it('never zooms a small flow in past 100 %, and centres it', () => {
    const viewport = fitViewport([node('a', 100, 100)], { width: 1000, height: 600 });
    expect(viewport).toEqual({ x: 400, y: 200, zoom: 1 });
    expect(fitViewport([], { width: 1000, height: 600 })).toEqual({ x: 0, y: 0, zoom: 1 });
  });
});

describe('openingViewport', () => {
  it('shows a flow that fits at a readable zoom whole, centred, at no more than 100 %', () => {
    const nodes = [node('a', 100, 100), node('b', 700, 300)];
    const viewport = openingViewport(nodes, { width: 1200, height: 700, corner: MINIMAP });
    expect(viewport.zoom).toBe(1);
    const boxes = onScreen(nodes, viewport);
    expect(Math.min(...boxes.map((b) => b.left))).toBeCloseTo(1200 - Math.max(...boxes.map((b) => b.right)), 5);
  });

  it('opens a flow too large for a readable zoom at that zoom on its top-left part', () => {
    const nodes = [node('a', 100, 100), node('b', 3000, 2000)];
    const viewport = openingViewport(nodes, { width: 1000, height: 600, corner: MINIMAP });
    expect(viewport.zoom).toBe(READABLE_ZOOM);
    const [first] = onScreen(nodes, viewport);
    expect(first).toMatchObject({ left: FIT_PADDING, top: FIT_PADDING });
  });

  it('opens between the readable zoom and 100 % when that shows the whole flow', () => {
    const nodes = [node('a', 0, 0), node('b', 1000, 0)];
    const viewport = openingViewport(nodes, { width: 1100, height: 600 });
    expect(viewport.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    expect(viewport.zoom).toBeLessThan(1);
  });
});
