/**
 * Node-RED's virtual wires: while a link node (link in, link out, link call) is selected, dashed curves join it to the
 * link nodes it is linked with on the same tab, so a reader sees where messages go without wires. They are drawn,
 * not edges: nothing can select, move or delete them, and the flow file does not change.
 */
import { useStore, ViewportPortal, type InternalNode, type ReactFlowState } from '@xyflow/react';
import type { CanvasEdge, CanvasNode } from '../model/flow-canvas.ts';

const LINK_TYPES = new Set(['link in', 'link out', 'link call']);

type LinkState = Pick<ReactFlowState<CanvasNode, CanvasEdge>, 'nodes' | 'nodeLookup'>;

/** The ids a link node names in its `links` (an array, or one id as a dynamic link call may store it). */
function linkIds(node: Readonly<Record<string, unknown>>): string[] {
  const links = node['links'];
  if (typeof links === 'string') return links === '' ? [] : [links];
  return Array.isArray(links) ? links.filter((id): id is string => typeof id === 'string') : [];
}

/** The `d` of the dashed curves of every selected link node, from the sending node's right side to the receiving node's left. */
export function linkWirePath(state: LinkState): string {
  let d = '';
  for (const selected of state.nodes) {
    if (!selected.selected || selected.type !== 'flow-node' || !LINK_TYPES.has(selected.data.node.type)) continue;
    const node = state.nodeLookup.get(selected.id);
    if (!node) continue;
    for (const id of linkIds(selected.data.node)) {
      const other = state.nodeLookup.get(id);
      if (!other || other.type !== 'flow-node') continue;
      const [from, to] = selected.data.node.type === 'link in' ? [other, node] : [node, other];
      d += curve(from, to);
    }
  }
  return d;
}

/** A curve from the middle of `from`'s right side to the middle of `to`'s left, bending as wires do. */
function curve(from: InternalNode<CanvasNode>, to: InternalNode<CanvasNode>): string {
  const width = from.measured.width ?? 0;
  const [x1, y1] = [from.internals.positionAbsolute.x + width, from.internals.positionAbsolute.y + (from.measured.height ?? 0) / 2];
  const [x2, y2] = [to.internals.positionAbsolute.x, to.internals.positionAbsolute.y + (to.measured.height ?? 0) / 2];
  const bend = Math.max(40, Math.abs(x2 - x1) / 2);
  return `M${x1} ${y1}C${x1 + bend} ${y1} ${x2 - bend} ${y2} ${x2} ${y2}`;
}

/** {@link linkWirePath} as a store selector: React Flow types its store hooks for its generic nodes, not the canvas's. */
const selectLinkWires = (state: ReactFlowState) => linkWirePath(state as unknown as LinkState);

/** The dashed curves of the selected link nodes; nothing while none is selected. */
export function LinkWires() {
  const d = useStore(selectLinkWires);
  if (d === '') return null;
  return (
    <ViewportPortal>
      <svg className="flow-link-wires" aria-hidden>
        <path d={d} />
      </svg>
    </ViewportPortal>
  );
}
