/**
 * What the canvas's context menu does to a selection, as Node-RED does it: select the nodes wired to it (both
 * directions, transitively), put it in a new group, enable or disable its nodes (`d: true`).
 * Pure edits on a document (the store applies them as one undo step). Browser-safe, no React.
 */
import type { XYPosition } from '@xyflow/react';
import { addNodes, addWire, createNode, mapNodes, stringArray } from './flow-edits.ts';
import { frozenCopy, nodeIndex, withChanges, type FlowDocument, type NodeRedNode } from './flow-codec.ts';
import type { Dimensions } from './flow-canvas.ts';
import { hasPosition, kindOf, type FlowCatalog } from './node-catalog.ts';
import { t } from './model.messages.ts';

/**
 * Every node connected to `ids` by wires, in either direction and any number of hops (the selection's own nodes
 * too; link nodes' virtual wires are not followed, as Node-RED's "select connected" does not). A group in `ids`
 * counts as its nodes.
 */
export function connectedNodes(doc: FlowDocument, ids: Iterable<string>): Set<string> {
  const index = nodeIndex(doc);
  const neighbours = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    if (!index.has(a) || !index.has(b) || a === b) return;
    for (const [from, to] of [[a, b], [b, a]] as const) {
      const list = neighbours.get(from);
      if (list) list.add(to);
      else neighbours.set(from, new Set([to]));
    }
  };
  for (const node of doc.nodes) {
    const wires = node['wires'];
    if (Array.isArray(wires)) for (const port of wires) for (const target of stringArray(port)) link(node.id, target);
  }
  const start: string[] = [];
  for (const id of ids) {
    const node = index.get(id);
    if (!node) continue;
    if (node.type === 'group') start.push(...groupMembers(index, node));
    else start.push(id);
  }
  const found = new Set<string>();
  const queue = [...start];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (found.has(id)) continue;
    found.add(id);
    for (const next of neighbours.get(id) ?? []) if (!found.has(next)) queue.push(next);
  }
  return found;
}

/** The non-group nodes inside a group, nested groups included. */
function groupMembers(index: ReadonlyMap<string, NodeRedNode>, group: NodeRedNode, seen = new Set<string>()): string[] {
  const members: string[] = [];
  seen.add(group.id);
  for (const id of stringArray(group['nodes'])) {
    const member = index.get(id);
    if (!member || seen.has(id)) continue;
    if (member.type === 'group') members.push(...groupMembers(index, member, seen));
    else members.push(id);
  }
  return members;
}

/** Size assumed for a node the canvas has not measured. */
const TYPICAL = { width: 120, height: 30 };
/** Space between a group's border and its nodes, as Node-RED leaves. */
const GROUP_PADDING = 20;

/** Why a selection cannot be grouped; null when it can. */
export function groupRefusal(doc: FlowDocument, ids: Iterable<string>): string | null {
  const members = groupable(doc, ids);
  if (members.length === 0) return t('group.nothing');
  const zs = new Set(members.map((node) => node['z']));
  if (zs.size > 1) return t('group.flows');
  const gs = new Set(members.map((node) => node['g']));
  if (gs.size > 1) return t('group.groups');
  return null;
}

/** The selected nodes a group would hold: canvas nodes, junctions and groups, not those inside a selected group. */
function groupable(doc: FlowDocument, ids: Iterable<string>): NodeRedNode[] {
  const index = nodeIndex(doc);
  const chosen = new Set<string>();
  for (const id of ids) {
    const node = index.get(id);
    if (node && ['node', 'junction', 'group'].includes(kindOf(node)) && hasPosition(node) && typeof node['z'] === 'string') chosen.add(id);
  }
  const inside = new Set<string>();
  for (const id of chosen) {
    const node = index.get(id)!;
    if (node.type === 'group') for (const member of groupMembersDeep(index, node)) inside.add(member);
  }
  return [...chosen].filter((id) => !inside.has(id)).map((id) => index.get(id)!);
}

function groupMembersDeep(index: ReadonlyMap<string, NodeRedNode>, group: NodeRedNode, seen = new Set<string>([group.id])): string[] {
  const all: string[] = [];
  for (const id of stringArray(group['nodes'])) {
    if (seen.has(id)) continue;
    seen.add(id);
    all.push(id);
    const member = index.get(id);
    if (member?.type === 'group') all.push(...groupMembersDeep(index, member, seen));
  }
  return all;
}

/**
 * Puts the selected nodes in a new group drawn around them (inside the group they shared, if any); `measured` gives
 * the sizes the canvas drew them at. Returns the document unchanged and no id when the selection cannot be grouped
 * (see {@link groupRefusal}).
 */
export function groupNodes(
  doc: FlowDocument, ids: Iterable<string>, measured: ReadonlyMap<string, Dimensions>, groupId: string,
): { document: FlowDocument; groupId?: string } {
  const list = [...ids];
  if (groupRefusal(doc, list) !== null) return { document: doc };
  const members = groupable(doc, list);
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (const node of members) {
    const { x, y } = node as NodeRedNode & XYPosition;
    let box: { x: number; y: number; w: number; h: number };
    if (node.type === 'group') {
      box = { x, y, w: typeof node['w'] === 'number' ? node['w'] : 0, h: typeof node['h'] === 'number' ? node['h'] : 0 };
    } else {
      const size = measured.get(node.id) ?? (node.type === 'junction' ? { width: 10, height: 10 } : TYPICAL);
      box = { x: x - size.width / 2, y: y - size.height / 2, w: size.width, h: size.height };
    }
    left = Math.min(left, box.x);
    top = Math.min(top, box.y);
    right = Math.max(right, box.x + box.w);
    bottom = Math.max(bottom, box.y + box.h);
  }
  const z = members[0]!['z'] as string;
  const parent = typeof members[0]!['g'] === 'string' ? (members[0]!['g'] as string) : undefined;
  const memberIds = new Set(members.map((node) => node.id));
  const group: Record<string, unknown> = {
    id: groupId, type: 'group', z, style: { label: true }, nodes: [...memberIds],
    x: Math.round(left - GROUP_PADDING), y: Math.round(top - GROUP_PADDING),
    w: Math.round(right - left + 2 * GROUP_PADDING), h: Math.round(bottom - top + 2 * GROUP_PADDING),
  };
  if (parent !== undefined) group['g'] = parent;
  let next = mapNodes(doc, (node) => {
    if (memberIds.has(node.id)) return withChanges(node, { g: groupId });
    if (parent !== undefined && node.id === parent) {
      return withChanges(node, { nodes: [...stringArray(node['nodes']).filter((id) => !memberIds.has(id)), groupId] });
    }
    return node;
  });
  next = addNodes(next, [frozenCopy(group as unknown as NodeRedNode)]);
  return { document: next, groupId };
}

/** The selected nodes that can be disabled (flow nodes; not groups, junctions, config nodes or tabs). */
export function disableable(doc: FlowDocument, ids: Iterable<string>): NodeRedNode[] {
  const index = nodeIndex(doc);
  return [...ids].map((id) => index.get(id)).filter((node): node is NodeRedNode => node !== undefined && kindOf(node) === 'node');
}

/** Disables (Node-RED's `d: true`) or enables the selected flow nodes. */
export function setNodesDisabled(doc: FlowDocument, ids: Iterable<string>, disabled: boolean): FlowDocument {
  const targets = new Set(disableable(doc, ids).map((node) => node.id));
  return mapNodes(doc, (node) => (targets.has(node.id) ? withChanges(node, { d: disabled ? true : undefined }) : node));
}

/**
 * Quick-add: a new node of `type` at `position` on canvas `z`, wired from output 0 of `from` when that node has an
 * output and the new one an input (as Node-RED's quick-add wires from the one selected node).
 */
export function addWiredNode(
  doc: FlowDocument, catalog: FlowCatalog, type: string, z: string, position: XYPosition, from: string | undefined, id: string,
): FlowDocument {
  const node = createNode(doc, type, { z, position }, catalog, id);
  const added = addNodes(doc, [node]);
  if (from === undefined) return added;
  // addWire leaves the document as it was when Node-RED would refuse the wire (no output, other tab…).
  return addWire(added, { source: from, port: 0, target: id }, catalog);
}
