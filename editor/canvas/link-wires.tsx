/**
 * Node-RED's virtual wires: while a link node (link in, link out, link call) is selected, dashed curves join it to the
 * link nodes it is linked with on the same tab, so a reader sees where messages go without wires; a linked node on
 * another tab gets a short dashed stub ending in a box that names its tab, and a click on the box goes there. They are
 * drawn, not edges: nothing can select, move or delete them, and the flow file does not change.
 */
import { useCallback, useMemo } from 'react';
import { getBezierPath, Position, useStore, ViewportPortal, type InternalNode, type ReactFlowState } from '@xyflow/react';
import { useFlowEditor, useFlowStore } from '../editor-context.tsx';
import { nodeById, type FlowDocument } from '../model/flow-codec.ts';
import { revealNode } from './reveal-node.ts';
import { t } from './canvas.messages.ts';

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

/** A link to a node on another tab, drawn from the side of the node on this tab that messages leave or enter by. */
export interface LinkStub {
  /** Where the stub meets the node on this tab. */
  x: number;
  y: number;
  side: 'right' | 'left';
  /** The linked node, and its tab's name. */
  target: string;
  tab: string;
}

/** What the selected link nodes draw: the curves between nodes on this tab, and the stubs to nodes on other tabs. */
export interface LinkDrawing {
  d: string;
  stubs: LinkStub[];
}

/** How far apart the stubs of one node are, one under another. */
const STUB_SPACING = 24;

/**
 * The virtual wires of `pairs` (a node on another tab is not in `nodeLookup`): a curve, as wires are curved, from the
 * middle of the sender's right side to the middle of the receiver's left when both are on this tab; a stub on the
 * drawn one's side when the other is on another tab of `doc` (a node the file does not have draws nothing).
 */
export function linkDrawing(doc: FlowDocument, nodeLookup: ReadonlyMap<string, InternalNode>, pairs: readonly LinkPair[]): LinkDrawing {
  let d = '';
  const stubsOf = new Map<string, Omit<LinkStub, 'y'>[]>();
  for (const [fromId, toId] of pairs) {
    const [from, to] = [nodeLookup.get(fromId), nodeLookup.get(toId)];
    if (from && to) {
      const [source, target] = [middleOf(from, 'right'), middleOf(to, 'left')];
      d += getBezierPath({ sourceX: source.x, sourceY: source.y, sourcePosition: Position.Right, targetX: target.x, targetY: target.y, targetPosition: Position.Left })[0];
      continue;
    }
    const [drawn, otherId, side] = from ? [from, toId, 'right' as const] : to ? [to, fromId, 'left' as const] : [];
    const tab = drawn && tabNameOf(doc, otherId!);
    if (!drawn || tab === undefined) continue;
    const key = `${drawn.id} ${side}`;
    stubsOf.set(key, [...(stubsOf.get(key) ?? []), { x: middleOf(drawn, side!).x, side: side!, target: otherId!, tab }]);
  }
  const stubs: LinkStub[] = [];
  for (const [key, list] of stubsOf) {
    const node = nodeLookup.get(key.slice(0, key.lastIndexOf(' ')))!;
    const y = middleOf(node, list[0]!.side).y;
    list.forEach((stub, i) => stubs.push({ ...stub, y: y + (i - (list.length - 1) / 2) * STUB_SPACING }));
  }
  return { d, stubs };
}

function middleOf(node: InternalNode, side: 'right' | 'left'): { x: number; y: number } {
  const { x, y } = node.internals.positionAbsolute;
  return { x: side === 'right' ? x + (node.measured.width ?? 0) : x, y: y + (node.measured.height ?? 0) / 2 };
}

/** The name of the tab (or subflow) node `id` is on; undefined when the file has no such node. */
function tabNameOf(doc: FlowDocument, id: string): string | undefined {
  const node = nodeById(doc, id);
  const z = node?.['z'];
  if (!node || typeof z !== 'string') return undefined;
  const tab = nodeById(doc, z);
  const label = tab?.['label'] ?? tab?.['name'];
  return typeof label === 'string' && label !== '' ? label : z;
}

const sameDrawing = (a: LinkDrawing, b: LinkDrawing) => a.d === b.d && JSON.stringify(a.stubs) === JSON.stringify(b.stubs);
const NOTHING: LinkDrawing = { d: '', stubs: [] };

/** Stub length, and the box's height and padding. */
const STUB = 30;
const BOX_HEIGHT = 20;
const BOX_PADDING = 6;

/**
 * The dashed curves and stubs of the selected link nodes; nothing while none is selected. Which wires to draw follows
 * the selection; only where they run is read on each change of the canvas (a pan, a drag), and only for those wires.
 */
export function LinkWires() {
  const { store } = useFlowEditor();
  const doc = useFlowStore((s) => s.document);
  const selected = useFlowStore((s) => s.selection.nodes);
  const pairs = useMemo(() => linkPairs(doc, selected), [doc, selected]);
  const { d, stubs } = useStore(
    useCallback((state: ReactFlowState) => (pairs.length === 0 ? NOTHING : linkDrawing(doc, state.nodeLookup, pairs)), [doc, pairs]),
    sameDrawing,
  );
  if (d === '' && stubs.length === 0) return null;
  return (
    <ViewportPortal>
      <svg className="flow-link-wires">
        <path d={d} aria-hidden />
        {stubs.map((stub) => {
          // The box's width from its text: 6.5 px a character at 11 px.
          const width = Math.round(stub.tab.length * 6.5) + 2 * BOX_PADDING;
          const end = stub.side === 'right' ? stub.x + STUB : stub.x - STUB;
          const left = stub.side === 'right' ? end : end - width;
          return (
            <g
              key={`${stub.side} ${stub.target}`} className="flow-link-stub nopan" role="button" aria-label={t('link.goTo', { tab: stub.tab })}
              onPointerDown={(event) => event.stopPropagation()}
              onClick={(event) => {
                event.stopPropagation();
                revealNode(store, stub.target);
              }}
            >
              <path d={`M${stub.x} ${stub.y}H${end}`} />
              <rect x={left} y={stub.y - BOX_HEIGHT / 2} width={width} height={BOX_HEIGHT} rx={4} />
              <text x={left + BOX_PADDING} y={stub.y + 4}>{stub.tab}</text>
            </g>
          );
        })}
      </svg>
    </ViewportPortal>
  );
}
