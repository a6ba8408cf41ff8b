/**
 * A large flow as it moves: its wires as a few SVG paths (one per square of the flow, one more for the selected ones)
 * in place of React Flow's element per wire, and, zoomed far out (where nodes are bare boxes anyway) or while the wheel
 * zooms, its nodes as a few paths of boxes, one per colour and square. Chromium re-layerizes every paint chunk of the
 * page on each frame of a pan or zoom, and every wire and node costs chunks: 2,000 wires alone held a pan at about 12
 * frames/s on a 2-core machine, the same curves as one path at over 45. At rest React Flow's wires and nodes are back (they are the ones that take clicks), so the sketch
 * only has to look the same: the same bezier curves from the same measured ports, the same boxes.
 */
import { getBezierPath, Position, ViewportPortal, type InternalNode, type ReactFlowState } from '@xyflow/react';
import type { CanvasEdge, CanvasNode } from '../model/flow-canvas.ts';
import { groupLook } from './structural-node-views.tsx';

/** From this many wires on the tab, moving draws the sketch: below it, React Flow's wires move as cheaply. */
export const SKETCH_MIN_WIRES = 150;

const SVG = 'http://www.w3.org/2000/svg';
const SELECTED = '#ff7f0e';

type SketchState = Pick<ReactFlowState<CanvasNode, CanvasEdge>, 'edges' | 'nodeLookup'>;

/** A measured port: its box within the node and its side. */
type PortBounds = NonNullable<NonNullable<InternalNode['internals']['handleBounds']>['source']>[number];

/**
 * The sketch is cut into squares of the flow this wide, a path per square (and look): the browser rasterizes the view in
 * tiles and replays only the paths whose bounds meet a tile, where one path of every wire would be replayed, all of it,
 * for each tile, on each zoom step (the raster threads were what held a zoom at 30 frames/s on 2,000 nodes).
 */
export const SKETCH_CELL = 800;

function cellOf(x: number, y: number): string {
  return `${Math.floor(x / SKETCH_CELL)} ${Math.floor(y / SKETCH_CELL)}`;
}

/**
 * The `d`s of every wire of the canvas, one per square of the flow its source port is in, and of the selected ones; a
 * wire whose ports are not measured yet is left out (React Flow does not draw it either).
 */
export function wireSketchPaths(state: SketchState): { plain: string[]; selected: string } {
  const plain = new Map<string, string>();
  let selected = '';
  for (const edge of state.edges) {
    if (edge.hidden) continue;
    const from = port(state.nodeLookup.get(edge.source), 'source', edge.sourceHandle, Position.Right);
    const to = port(state.nodeLookup.get(edge.target), 'target', edge.targetHandle, Position.Left);
    if (!from || !to) continue;
    const [d] = getBezierPath({ sourceX: from.x, sourceY: from.y, sourcePosition: Position.Right, targetX: to.x, targetY: to.y, targetPosition: Position.Left });
    if (edge.selected) selected += d;
    else {
      const cell = cellOf(from.x, from.y);
      plain.set(cell, (plain.get(cell) ?? '') + d);
    }
  }
  return { plain: [...plain.values()], selected };
}

/** Where a wire meets port `id` of `node` (the first port of its kind without an id), as React Flow computes it. */
function port(node: InternalNode<CanvasNode> | undefined, kind: 'source' | 'target', id: string | null | undefined, side: Position.Left | Position.Right): { x: number; y: number } | null {
  const handles: PortBounds[] | null | undefined = node?.internals.handleBounds?.[kind];
  const handle = handles && (id ? handles.find((h) => h.id === id) : handles[0]);
  if (!node || !handle) return null;
  const x = node.internals.positionAbsolute.x + handle.x + (side === Position.Right ? handle.width : 0);
  return { x, y: node.internals.positionAbsolute.y + handle.y + handle.height / 2 };
}

/** Boxes drawn alike: their fill, its opacity, their border, and the `d` of all of them. */
export interface BoxPath {
  fill: string;
  opacity: number;
  stroke: string;
  d: string;
}

/**
 * The nodes' boxes as far out a node draws itself (its body in its colour, bordered; a group's frame and fill), one
 * path per look and square of the flow, groups first as they lie beneath; a node not measured yet is left out.
 */
export function nodeSketchPaths(state: SketchState): BoxPath[] {
  const groups = new Map<string, BoxPath>();
  const bodies = new Map<string, BoxPath>();
  for (const node of state.nodeLookup.values()) {
    const { width, height } = node.measured;
    if (node.hidden || !width || !height) continue;
    const look = lookOf(node.internals.userNode);
    const into = node.type === 'flow-group' ? groups : bodies;
    const { x, y } = node.internals.positionAbsolute;
    const key = `${look.fill} ${look.opacity} ${look.stroke} ${node.type === 'flow-group' ? '' : cellOf(x, y)}`;
    const box = `M${x} ${y}h${width}v${height}h${-width}Z`;
    const path = into.get(key);
    if (path) path.d += box;
    else into.set(key, { ...look, d: box });
  }
  return [...groups.values(), ...bodies.values()];
}

function lookOf(node: CanvasNode): Omit<BoxPath, 'd'> {
  const stroke = node.selected ? SELECTED : undefined;
  switch (node.type) {
    case 'flow-node':
      return { fill: node.data.color ?? '#ddd', opacity: 1, stroke: stroke ?? '#64748b' };
    case 'unknown-node':
      return { fill: '#fff0f0', opacity: 1, stroke: stroke ?? '#dc2626' };
    case 'flow-group': {
      const look = groupLook(node.data.node);
      return { fill: look.fill, opacity: look.fillOpacity, stroke: stroke ?? look.stroke };
    }
    case 'comment':
      return { fill: '#fff', opacity: 1, stroke: stroke ?? '#94a3b8' };
    default:
      return { fill: '#cbd5e1', opacity: 1, stroke: stroke ?? '#64748b' };
  }
}

/**
 * Draws the sketch into the canvas's sketch element and shows it in place of the wires (and, far out, the nodes);
 * false when the tab has too few wires to need it.
 */
export function showMotionSketch(state: ReactFlowState<CanvasNode, CanvasEdge>): boolean {
  const sketch = state.domNode?.querySelector('.flow-motion-sketch');
  if (!sketch || state.edges.length < SKETCH_MIN_WIRES) return false;
  const { plain, selected } = wireSketchPaths(state);
  const [wires, nodes] = [sketch.querySelector('[data-sketch="wires"]')!, sketch.querySelector('[data-sketch="nodes"]')!];
  wires.replaceChildren(...plain.map((d) => pathOf({ d })), pathOf({ d: selected, class: 'selected' }));
  nodes.replaceChildren(...nodeSketchPaths(state).map(({ fill, opacity, stroke, d }) => pathOf({ d, fill, 'fill-opacity': String(opacity), stroke })));
  state.domNode!.classList.add('flow-canvas-sketch');
  return true;
}

function pathOf(attributes: Record<string, string>): SVGPathElement {
  const path = document.createElementNS(SVG, 'path');
  for (const [name, value] of Object.entries(attributes)) path.setAttribute(name, value);
  return path;
}

/** Back to React Flow's wires and nodes. */
export function hideMotionSketch(state: ReactFlowState<CanvasNode, CanvasEdge>): void {
  state.domNode?.classList.remove('flow-canvas-sketch');
}

/** The sketch's element, inside the moving viewport, beneath the nodes; empty and not displayed until a move draws it. */
export function MotionSketch() {
  return (
    <ViewportPortal>
      <svg className="flow-motion-sketch" aria-hidden>
        <g data-sketch="wires" />
        <g data-sketch="nodes" />
      </svg>
    </ViewportPortal>
  );
}
