import { describe, expect, it } from 'vitest';
import type { InternalNode } from '@xyflow/react';
import type { CanvasEdge, CanvasNode } from '../model/flow-canvas.ts';
import { nodeSketchPaths, SKETCH_CELL, wireSketchPaths } from './motion-sketch.tsx';

/** A function node as React Flow holds it: placed at `x`, `y`, 100 × 30, a port on each side. */
const drawn = (id: string, x: number, y: number) => [id, {
  id, type: 'flow-node', measured: { width: 100, height: 30 },
  internals: {
    positionAbsolute: { x, y },
    userNode: { id, type: 'flow-node', data: { color: '#fdd0a2' } },
    handleBounds: { source: [{ id: null, x: 95, y: 10, width: 10, height: 10 }], target: [{ id: null, x: -5, y: 10, width: 10, height: 10 }] },
  },
} as unknown as InternalNode<CanvasNode>] as const;

const wire = (source: string, target: string, selected = false) => ({ id: `${source}-${target}`, source, target, selected }) as CanvasEdge;

describe('the motion sketch of a large flow', () => {
  // Far apart, two chains: their wires and boxes are paths of their own, so a tile of the view draws only its own.
  const nodeLookup = new Map([drawn('a', 0, 0), drawn('b', 200, 0), drawn('c', 3 * SKETCH_CELL, 0), drawn('d', 3 * SKETCH_CELL + 200, 0)]);

  it('draws every wire once, from port to port, a path per part of the flow, the selected ones apart', () => {
    const { plain, selected } = wireSketchPaths({ nodeLookup, edges: [wire('a', 'b'), wire('c', 'd'), wire('b', 'c', true)] });
    expect(plain).toHaveLength(2);
    // From a's output port (x 105, y 15) to b's input (x 195).
    expect(plain[0]).toMatch(/^M105,15 C.* 195,15$/);
    expect(plain.join('').split('M')).toHaveLength(3);
    expect(selected).toMatch(/^M305,15 C/);
  });

  it('leaves out a wire whose node is not measured yet', () => {
    expect(wireSketchPaths({ nodeLookup, edges: [wire('a', 'nowhere')] })).toEqual({ plain: [], selected: '' });
  });

  it('draws every node as a box in its colour, a path per colour and part of the flow', () => {
    const paths = nodeSketchPaths({ nodeLookup, edges: [] });
    expect(paths.map(({ fill, d }) => [fill, d])).toEqual([
      ['#fdd0a2', 'M0 0h100v30h-100ZM200 0h100v30h-100Z'],
      ['#fdd0a2', `M${3 * SKETCH_CELL} 0h100v30h-100ZM${3 * SKETCH_CELL + 200} 0h100v30h-100Z`],
    ]);
  });
});
