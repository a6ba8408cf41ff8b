/**
 * Where a paste lands: under the mouse when it is on the canvas (Node-RED attaches the pasted nodes to the mouse);
 * otherwise where the originals were, shifted down and right until no node of the tab already sits where a pasted
 * one would, so a copy on the originals' tab is visibly a new one. Browser-safe, no React.
 */
import type { XYPosition } from '@xyflow/react';
import { placedCentre } from './flow-clipboard.ts';
import { parseFlowJson, type FlowDocument } from './flow-codec.ts';
import { canvasMembers } from './flow-canvas.ts';
import { hasPosition } from './node-catalog.ts';

/** How far each paste without a mouse position moves from the last, as Node-RED's grid step. */
export const PASTE_STEP = 20;

/**
 * The point the pasted nodes are centred on (the `position` of `paste`); undefined when the text has no placed
 * nodes or is not flow JSON (the paste itself then says why).
 */
export function pastePlace(doc: FlowDocument, text: string, tab: string | null, pointer: XYPosition | null): XYPosition | undefined {
  if (pointer) return { x: Math.round(pointer.x), y: Math.round(pointer.y) };
  let pasted;
  try {
    pasted = parseFlowJson(text);
  } catch {
    return undefined;
  }
  const containers = new Set(pasted.filter((node) => node.type === 'tab' || node.type === 'subflow').map((node) => node.id));
  const placed = pasted.filter((node) => hasPosition(node) && !(typeof node['z'] === 'string' && containers.has(node['z'])));
  const centre = placedCentre(placed);
  if (!centre) return undefined;
  const taken = new Set(tab === null ? [] : canvasMembers(doc, tab).filter(hasPosition).map((node) => `${node.x},${node.y}`));
  let step = 0;
  // Bounded: a thousand pastes in one place still end, a little further along.
  while (step < 200 && placed.some((node) => taken.has(`${(node['x'] as number) + step * PASTE_STEP},${(node['y'] as number) + step * PASTE_STEP}`))) step++;
  return { x: centre.x + step * PASTE_STEP, y: centre.y + step * PASTE_STEP };
}
