/**
 * Viewports computed from the document's node positions: the one a tab opens at and the one "fit to view" shows. React
 * Flow's own `fitView` only counts nodes it has measured, and with off-screen nodes not rendered (large flows) most
 * never are; positions are known up front, so the first frame is already right. Both keep nodes out from under the
 * minimap's corner and never zoom a small flow in past 100 %. Browser-safe, no React.
 */
import type { Viewport } from '@xyflow/react';
import type { CanvasNode } from '../model/flow-canvas.ts';

/** Size assumed for a node React Flow has not measured yet: a typical Node-RED node. */
const TYPICAL = { width: 120, height: 30 };

/** The lowest zoom a tab opens at: labels stay readable (Node-RED's 14 px text at 11 px) and ports apart. */
export const READABLE_ZOOM = 0.8;

/** Screen pixels kept clear around the flow. */
export const FIT_PADDING = 40;

/** A pane's size, and the box in its bottom-right corner (the minimap with its margin) nodes must not end up under. */
export interface Pane {
  width: number;
  height: number;
  corner?: { width: number; height: number } | null;
}

interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The box around `nodes` in flow coordinates; null when there are none. */
export function flowBounds(nodes: readonly CanvasNode[]): Bounds | null {
  if (nodes.length === 0) return null;
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
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/**
 * The viewport showing every node of `nodes` in `pane`, `padding` px clear, at no more than `maxZoom`, centred in the
 * pane or, with a corner box, in the larger of the strips beside it or above it (zoom 1 at the origin when there are
 * no nodes).
 */
export function fitViewport(nodes: readonly CanvasNode[], pane: Pane, options: { padding?: number; minZoom?: number; maxZoom?: number } = {}): Viewport {
  const bounds = flowBounds(nodes);
  if (!bounds || pane.width <= 0 || pane.height <= 0) return { x: 0, y: 0, zoom: 1 };
  const { padding = FIT_PADDING, minZoom = 0.1, maxZoom = 1 } = options;
  const regions = pane.corner
    ? [{ width: pane.width - pane.corner.width, height: pane.height }, { width: pane.width, height: pane.height - pane.corner.height }]
    : [{ width: pane.width, height: pane.height }];
  let best: { width: number; height: number; zoom: number } | null = null;
  for (const region of regions) {
    const fits = Math.min((region.width - 2 * padding) / Math.max(bounds.width, 1), (region.height - 2 * padding) / Math.max(bounds.height, 1));
    const zoom = Math.min(maxZoom, Math.max(minZoom, fits));
    if (!best || zoom > best.zoom) best = { ...region, zoom };
  }
  const { zoom } = best!;
  const centredIn = ({ width, height }: { width: number; height: number }) =>
    ({ x: (width - bounds.width * zoom) / 2 - bounds.x * zoom, y: (height - bounds.height * zoom) / 2 - bounds.y * zoom, zoom });
  // Centred in the whole pane when that keeps clear of the corner (a small flow), else in the strip the zoom came from.
  const whole = centredIn(pane);
  const clear = !pane.corner
    || (bounds.x + bounds.width) * zoom + whole.x <= pane.width - pane.corner.width
    || (bounds.y + bounds.height) * zoom + whole.y <= pane.height - pane.corner.height;
  return clear ? whole : centredIn(best!);
}

/**
 * The viewport a tab opens at: the whole flow centred at up to 100 % when it fits at {@link READABLE_ZOOM} or more;
 * otherwise its top-left part at that zoom, readable, rather than all of it too small to read.
 */
export function openingViewport(nodes: readonly CanvasNode[], pane: Pane): Viewport {
  const fit = fitViewport(nodes, pane, { minZoom: 0 });
  const bounds = flowBounds(nodes);
  if (!bounds || fit.zoom >= READABLE_ZOOM) return fit;
  return { x: FIT_PADDING - bounds.x * READABLE_ZOOM, y: FIT_PADDING - bounds.y * READABLE_ZOOM, zoom: READABLE_ZOOM };
}
