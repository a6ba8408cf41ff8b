/**
 * The viewport that shows every node of a canvas, from the document's positions. React Flow's own `fitView` only
 * counts nodes it has measured, and with off-screen nodes not rendered (large flows) most never are; positions are
 * known up front, so the first frame already shows the whole flow. Browser-safe, no React.
 */
import { getViewportForBounds, type Viewport } from '@xyflow/react';
import type { CanvasNode } from '../model/flow-canvas.ts';

/** Size assumed for a node React Flow has not measured yet: a typical Node-RED node. */
const TYPICAL = { width: 120, height: 30 };

/** The viewport fitting `nodes` into a `width` × `height` pane (zoom 1 at the origin when there are none). */
export function viewportFor(nodes: readonly CanvasNode[], width: number, height: number, options: { padding?: number; minZoom?: number; maxZoom?: number } = {}): Viewport {
  if (nodes.length === 0 || width <= 0 || height <= 0) return { x: 0, y: 0, zoom: 1 };
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (const node of nodes) {
    const w = node.measured?.width ?? node.width ?? TYPICAL.width;
    const h = node.measured?.height ?? node.height ?? TYPICAL.height;
    // Groups are placed by their corner, everything else by its centre (nodeOrigin [0.5, 0.5]).
    const [ox, oy] = node.origin ?? [0.5, 0.5];
    const x = node.position.x - w * ox;
    const y = node.position.y - h * oy;
    left = Math.min(left, x);
    top = Math.min(top, y);
    right = Math.max(right, x + w);
    bottom = Math.max(bottom, y + h);
  }
  return getViewportForBounds(
    { x: left, y: top, width: right - left, height: bottom - top },
    width, height, options.minZoom ?? 0.1, options.maxZoom ?? 1.25, options.padding ?? 0.1,
  );
}
