/**
 * Node-RED's virtual wires: while a link node (link in, link out, link call) is selected, dashed curves join it to the
 * link nodes it is linked with on the same tab, so a reader sees where messages go without wires. They are drawn,
 * not edges: nothing can select, move or delete them, and the flow file does not change.
 */
import { useCallback, useMemo } from 'react';
import { getBezierPath, Position, useStore, ViewportPortal, type InternalNode, type ReactFlowState } from '@xyflow/react';
import { useFlowStore } from '../editor-context.tsx';
import { nodeById, type FlowDocument } from '../model/flow-codec.ts';

const LINK_TYPES = new Set(['link in', 'link out', 'link call']);

/** A virtual wire: the sending link node's id and the receiving one's. */
export type LinkPair = readonly [from: string, to: string];

/** The ids a link node names in its `links` (an array, or one id as a dynamic link call may store it). */
function linkIds(node: Readonly<Record<string, unknown>>): string[] {
  const links = node['links'];
  if (typeof links === 'string') return links === '' ? [] : [links];
  return Array.isArray(links) ? links.filter((id): id is string => typeof id === 'string') : [];
}

/** The virtual wires of the selected link nodes, each from the sending node (link out, link call) to the link in. */
export function linkPairs(doc: FlowDocument, selected: ReadonlySet<string>): LinkPair[] {
  const pairs: LinkPair[] = [];
  for (const id of selected) {
    const node = nodeById(doc, id);
    if (!node || !LINK_TYPES.has(node.type)) continue;
    for (const other of linkIds(node)) pairs.push(node.type === 'link in' ? [other, id] : [id, other]);
  }
  return pairs;
}

/**
 * The `d` of the dashed curves of `pairs` whose nodes are both drawn on this tab (a node on another tab is not in
 * `nodeLookup`): from the middle of the sender's right side to the middle of the receiver's left, curved as wires are.
 */
export function linkWirePath(nodeLookup: ReadonlyMap<string, InternalNode>, pairs: readonly LinkPair[]): string {
  let d = '';
  for (const [fromId, toId] of pairs) {
    const [from, to] = [nodeLookup.get(fromId), nodeLookup.get(toId)];
    if (!from || !to) continue;
    const source = from.internals.positionAbsolute;
    const target = to.internals.positionAbsolute;
    d += getBezierPath({
      sourceX: source.x + (from.measured.width ?? 0), sourceY: source.y + (from.measured.height ?? 0) / 2, sourcePosition: Position.Right,
      targetX: target.x, targetY: target.y + (to.measured.height ?? 0) / 2, targetPosition: Position.Left,
    })[0];
  }
  return d;
}

/**
 * The dashed curves of the selected link nodes; nothing while none is selected. Which wires to draw follows the
 * selection; only where they run is read on each change of the canvas (a pan, a drag), and only for those wires.
 */
export function LinkWires() {
  const doc = useFlowStore((s) => s.document);
  const selected = useFlowStore((s) => s.selection.nodes);
  const pairs = useMemo(() => linkPairs(doc, selected), [doc, selected]);
  const d = useStore(useCallback((state: ReactFlowState) => (pairs.length === 0 ? '' : linkWirePath(state.nodeLookup, pairs)), [pairs]));
  if (d === '') return null;
  return (
    <ViewportPortal>
      <svg className="flow-link-wires" aria-hidden>
        <path d={d} />
      </svg>
    </ViewportPortal>
  );
}
