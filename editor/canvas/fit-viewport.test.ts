import { describe, expect, it } from 'vitest';
import type { CanvasNode } from '../model/flow-canvas.ts';
import { viewportFor } from './fit-viewport.ts';

const node = (id: string, x: number, y: number): CanvasNode =>
  ({ id, type: 'comment', position: { x, y }, data: { node: { id, type: 'comment' }, label: id, disabled: false } }) as CanvasNode;

describe('viewportFor', () => {
  it('puts every node centre inside the pane', () => {
    const nodes = [node('a', 100, 100), node('b', 3000, 2000), node('c', -500, 40)];
    const { x, y, zoom } = viewportFor(nodes, 1000, 600);
    for (const n of nodes) {
      const sx = n.position.x * zoom + x;
      const sy = n.position.y * zoom + y;
      expect(sx).toBeGreaterThan(0);
      expect(sx).toBeLessThan(1000);
      expect(sy).toBeGreaterThan(0);
      expect(sy).toBeLessThan(600);
    }
  });

  it('does not zoom a small flow in beyond the limit', () => {
    expect(viewportFor([node('a', 100, 100)], 1000, 600).zoom).toBe(1.25);
    expect(viewportFor([], 1000, 600)).toEqual({ x: 0, y: 0, zoom: 1 });
  });
});
