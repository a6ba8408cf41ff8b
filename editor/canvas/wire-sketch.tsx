/**
 * The wires of a large flow while the view moves: one SVG path for all of them (one more for the selected ones) in
 * place of React Flow's element per wire. Chromium re-layerizes every paint chunk of the page on each frame of a pan
 * or zoom, and a wire per element costs a chunk each: 2,000 wires alone held a pan at about 12 frames/s on a 2-core
 * machine, the same curves as one path at over 45. At rest React Flow's wires are back (they are the ones that take
 * clicks), so the sketch only has to look the same: the same bezier curves, from the same measured ports.
 */
import { getBezierPath, Position, ViewportPortal, type InternalNode, type ReactFlowState } from '@xyflow/react';
import type { CanvasEdge, CanvasNode } from '../model/flow-canvas.ts';

/** From this many wires on the tab, moving draws the sketch: below it, React Flow's wires move as cheaply. */
export const WIRE_SKETCH_MIN = 150;

/** A measured port: its box within the node and its side. */
type PortBounds = NonNullable<NonNullable<InternalNode['internals']['handleBounds']>['source']>[number];

/** The `d` of every wire of the canvas, and of the selected ones; a wire whose ports are not measured yet is left out (React Flow does not draw it either). */
export function wireSketchPaths(state: Pick<ReactFlowState<CanvasNode, CanvasEdge>, 'edges' | 'nodeLookup'>): { plain: string; selected: string } {
  let plain = '';
  let selected = '';
  for (const edge of state.edges) {
    if (edge.hidden) continue;
    const from = port(state.nodeLookup.get(edge.source), 'source', edge.sourceHandle, Position.Right);
    const to = port(state.nodeLookup.get(edge.target), 'target', edge.targetHandle, Position.Left);
    if (!from || !to) continue;
    const [d] = getBezierPath({ sourceX: from.x, sourceY: from.y, sourcePosition: Position.Right, targetX: to.x, targetY: to.y, targetPosition: Position.Left });
    if (edge.selected) selected += d;
    else plain += d;
  }
  return { plain, selected };
}

/** Where a wire meets port `id` of `node` (the first port of its kind without an id), as React Flow computes it. */
function port(node: InternalNode<CanvasNode> | undefined, kind: 'source' | 'target', id: string | null | undefined, side: Position.Left | Position.Right): { x: number; y: number } | null {
  const handles: PortBounds[] | null | undefined = node?.internals.handleBounds?.[kind];
  const handle = handles && (id ? handles.find((h) => h.id === id) : handles[0]);
  if (!node || !handle) return null;
  const x = node.internals.positionAbsolute.x + handle.x + (side === Position.Right ? handle.width : 0);
  return { x, y: node.internals.positionAbsolute.y + handle.y + handle.height / 2 };
}

/** Draws the sketch into the canvas's sketch element and shows it instead of the wires; false when the tab has too few wires to need it. */
export function showWireSketch(state: ReactFlowState<CanvasNode, CanvasEdge>): boolean {
  const sketch = state.domNode?.querySelector('.flow-wire-sketch');
  if (!sketch || state.edges.length < WIRE_SKETCH_MIN) return false;
  const { plain, selected } = wireSketchPaths(state);
  sketch.firstElementChild!.setAttribute('d', plain);
  sketch.lastElementChild!.setAttribute('d', selected);
  state.domNode!.classList.add('flow-canvas-sketch');
  return true;
}

/** Back to React Flow's wires. */
export function hideWireSketch(state: ReactFlowState<CanvasNode, CanvasEdge>): void {
  state.domNode?.classList.remove('flow-canvas-sketch');
}

/** The sketch's element, inside the moving viewport, beneath the nodes; empty and not displayed until a move draws it. */
export function WireSketch() {
  return (
    <ViewportPortal>
      <svg className="flow-wire-sketch" aria-hidden>
        <path />
        <path className="selected" />
      </svg>
    </ViewportPortal>
  );
}
