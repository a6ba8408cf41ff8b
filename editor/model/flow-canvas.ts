/**
 * A tab (or subflow) of a flow document as React Flow nodes and edges.
 *
 * Node-RED's `x`/`y` are node centres and the canvas uses `nodeOrigin [0.5, 0.5]`, so positions map 1:1; groups are
 * the exception (their `x`/`y` is the top-left corner) and carry `origin [0, 0]`. Edges come from `wires`, one per
 * target, in target order within each output port (`sourceHandle: 'out-<port>'`). Canvas objects are cached per
 * document node, so a node that did not change keeps its canvas object and React skips it. Browser-safe.
 */
import type { Edge, Node, XYPosition } from '@xyflow/react';
import type { AnyNodeDefinition } from '../../nodes/kit/define-node.ts';
import { isJsonObject, nodeById, type FlowDocument, type NodeRedNode } from './flow-codec.ts';
import {
  hasPosition,
  isUnknownType,
  kindOf,
  labelOf,
  portsOf,
  subflowIdOf,
  type FlowCatalog,
} from './node-catalog.ts';
import { t } from './model.messages.ts';
import { outputLabelsIn } from '../../nodes/i18n/node-text.def.ts';
import { currentLocale } from '../i18n.ts';

/** Data of a node whose type we know (a definition of ours, an installed type, or a subflow instance). */
export type FlowNodeData = {
  /** The flow-file object as stored. */
  node: NodeRedNode;
  label: string;
  inputs: number;
  outputs: number;
  /** Our definition of the type; absent for installed types we do not curate and for subflow instances. */
  definition?: AnyNodeDefinition;
  /** The subflow definition a subflow instance runs. */
  subflow?: NodeRedNode;
  color?: string;
  icon?: string;
  outputLabels?: readonly string[];
  /** Node-RED's `d: true`: the node is disabled. */
  disabled: boolean;
  /** Drawn as its icon alone (Node-RED's `l: false`, which link in and link out nodes default to). */
  labelHidden?: boolean;
};

/** Data of a node whose type is not installed: shown, kept and exported as is, but it blocks deploy. */
export type UnknownNodeData = {
  node: NodeRedNode;
  /** The missing type. */
  label: string;
  inputs: number;
  outputs: number;
  disabled: boolean;
};

export type CommentNodeData = { node: NodeRedNode; label: string; disabled: boolean };
export type JunctionNodeData = { node: NodeRedNode };
export type GroupNodeData = { node: NodeRedNode; label: string };

/** One port of a subflow definition, drawn on the subflow's canvas: its input, an output, or its status output. */
export type SubflowPortData = { subflowId: string; direction: SubflowPortDirection; index: number; label: string };
export type SubflowPortDirection = 'in' | 'out' | 'status';

export type FlowCanvasNode = Node<FlowNodeData, 'flow-node'>;
export type UnknownCanvasNode = Node<UnknownNodeData, 'unknown-node'>;
export type CommentCanvasNode = Node<CommentNodeData, 'comment'>;
export type JunctionCanvasNode = Node<JunctionNodeData, 'junction'>;
export type GroupCanvasNode = Node<GroupNodeData, 'flow-group'>;
export type SubflowPortCanvasNode = Node<SubflowPortData, 'subflow-port'>;

/** Everything drawn on a canvas; `type` names the React Flow node type to register. */
export type CanvasNode =
  | FlowCanvasNode
  | UnknownCanvasNode
  | CommentCanvasNode
  | JunctionCanvasNode
  | GroupCanvasNode
  | SubflowPortCanvasNode;

export type CanvasNodeType = NonNullable<CanvasNode['type']>;

/** A wire: one target of one output port. */
export type WireData = { port: number };
export type CanvasEdge = Edge<WireData>;

/** Node sizes React Flow measured, kept so the controlled canvas does not re-measure unchanged nodes. */
export interface Dimensions {
  width: number;
  height: number;
}

/** What the canvas shows besides the document. */
export interface CanvasView {
  selectedNodes: ReadonlySet<string>;
  selectedEdges: ReadonlySet<string>;
  measured: ReadonlyMap<string, Dimensions>;
}

/** The React Flow handle id of output `port`. */
export function outputHandle(port: number): string {
  return `out-${port}`;
}

/** The output port of a handle id (`out-2` → 2); undefined for anything else. */
export function portOfHandle(handle: string | null | undefined): number | undefined {
  const match = /^out-(\d+)$/.exec(handle ?? '');
  return match ? Number(match[1]) : undefined;
}

/** A subflow port as the canvas addresses it. */
export interface SubflowPortRef {
  subflowId: string;
  direction: SubflowPortDirection;
  /** Port number; 0 for the status port. */
  index: number;
}

/** The canvas id of a subflow port (ids are percent-encoded, so the parts cannot run together). */
export function subflowPortId(ref: SubflowPortRef): string {
  return `subflow-${ref.direction}:${encodeURIComponent(ref.subflowId)}:${ref.index}`;
}

/** The subflow port a canvas id names, if it names one. */
export function parseSubflowPortId(id: string): SubflowPortRef | undefined {
  const match = /^subflow-(in|out|status):([^:]*):(\d+)$/.exec(id);
  if (!match) return undefined;
  return { direction: match[1] as SubflowPortDirection, subflowId: decodeURIComponent(match[2]!), index: Number(match[3]) };
}

/**
 * One wire as the canvas addresses it: from `source`'s output `port` to `target`, the `occurrence`-th such wire
 * (Node-RED files may repeat a target within a port). `source`/`target` are canvas ids (subflow ports included).
 */
export interface WireRef {
  source: string;
  port: number;
  target: string;
  occurrence: number;
}

/** The edge id of a wire: stable while the wire exists, whatever else changes. */
export function wireId(ref: WireRef): string {
  const base = `wire:${encodeURIComponent(ref.source)}:${ref.port}:${encodeURIComponent(ref.target)}`;
  return ref.occurrence === 0 ? base : `${base}:${ref.occurrence}`;
}

/** The wire an edge id names, if it names one. */
export function parseWireId(id: string): WireRef | undefined {
  const match = /^wire:([^:]*):(\d+):([^:]*)(?::(\d+))?$/.exec(id);
  if (!match) return undefined;
  return {
    source: decodeURIComponent(match[1]!),
    port: Number(match[2]),
    target: decodeURIComponent(match[3]!),
    occurrence: match[4] === undefined ? 0 : Number(match[4]),
  };
}

/** The document nodes drawn on the canvas of a tab or subflow, in document order (config nodes are not drawn). */
export function canvasMembers(doc: FlowDocument, containerId: string): readonly NodeRedNode[] {
  let byContainer = membersByDoc.get(doc);
  if (!byContainer) {
    byContainer = new Map();
    for (const node of doc.nodes) {
      const z = node['z'];
      const kind = kindOf(node);
      if (typeof z !== 'string' || (kind !== 'node' && kind !== 'group' && kind !== 'junction')) continue;
      const list = byContainer.get(z);
      if (list) list.push(node);
      else byContainer.set(z, [node]);
    }
    membersByDoc.set(doc, byContainer);
  }
  return byContainer.get(containerId) ?? [];
}
const membersByDoc = new WeakMap<FlowDocument, Map<string, NodeRedNode[]>>();

/**
 * The React Flow nodes of a tab or subflow: groups first (outer before inner, so they are drawn beneath), then the
 * other nodes in document order, then a subflow's ports.
 */
export function canvasNodes(doc: FlowDocument, containerId: string, view: CanvasView, catalog: FlowCatalog): CanvasNode[] {
  const members = canvasMembers(doc, containerId);
  const groups = members.filter((node) => node.type === 'group');
  const ordered = [...sortGroupsOuterFirst(groups), ...members.filter((node) => node.type !== 'group')];
  const result: CanvasNode[] = ordered.map((node) => cachedCanvasNode(node, doc, view, catalog));
  const container = nodeById(doc, containerId);
  if (container?.type === 'subflow') result.push(...subflowPortNodes(container, view));
  return result;
}

/**
 * The React Flow edges of a tab or subflow: every wire of its nodes (and of a subflow's ports) whose target is on
 * the same canvas. Wires to missing nodes stay in the document but are not drawn.
 */
export function canvasEdges(doc: FlowDocument, containerId: string, selectedEdges: ReadonlySet<string>): CanvasEdge[] {
  const members = canvasMembers(doc, containerId);
  const onCanvas = new Set(members.map((node) => node.id));
  const container = nodeById(doc, containerId);
  const edges: CanvasEdge[] = [];
  if (container?.type === 'subflow') {
    for (const port of subflowPorts(container)) onCanvas.add(subflowPortId(port));
    edges.push(...cached(subflowEdgeCache, container, () => subflowEdges(container)));
  }
  for (const node of members) edges.push(...cached(nodeEdgeCache, node, () => nodeEdges(node)));
  const drawn = edges.filter((edge) => onCanvas.has(edge.source) && onCanvas.has(edge.target));
  return selectedEdges.size === 0 ? drawn : drawn.map((edge) => (selectedEdges.has(edge.id) ? { ...edge, selected: true } : edge));
}

/** The edges of one node's `wires`, in port and target order. */
export function nodeEdges(node: NodeRedNode): CanvasEdge[] {
  const wires = node['wires'];
  if (!Array.isArray(wires)) return [];
  const edges: CanvasEdge[] = [];
  wires.forEach((targets: unknown, port) => {
    if (!Array.isArray(targets)) return;
    const seen = new Map<string, number>();
    for (const target of targets) {
      if (typeof target !== 'string') continue;
      const occurrence = seen.get(target) ?? 0;
      seen.set(target, occurrence + 1);
      edges.push(edgeOf({ source: node.id, port, target, occurrence }));
    }
  });
  return edges;
}

/** The ports of a subflow definition: its input (at most one), its outputs, its status output. */
export function subflowPorts(subflow: NodeRedNode): SubflowPortRef[] {
  const ports: SubflowPortRef[] = [];
  const inputs = subflow['in'];
  const outputs = subflow['out'];
  if (Array.isArray(inputs)) inputs.forEach((_, index) => ports.push({ subflowId: subflow.id, direction: 'in', index }));
  if (Array.isArray(outputs)) outputs.forEach((_, index) => ports.push({ subflowId: subflow.id, direction: 'out', index }));
  if (isJsonObject(subflow['status'])) ports.push({ subflowId: subflow.id, direction: 'status', index: 0 });
  return ports;
}

/** The stored object of a subflow port (`{x, y, wires}`), if the subflow has that port. */
export function subflowPortObject(subflow: NodeRedNode, ref: SubflowPortRef): Record<string, unknown> | undefined {
  const value = ref.direction === 'status' ? subflow['status'] : (subflow[ref.direction] as unknown[] | undefined)?.[ref.index];
  return isJsonObject(value) ? value : undefined;
}

function subflowEdges(subflow: NodeRedNode): CanvasEdge[] {
  const edges: CanvasEdge[] = [];
  const seen = new Map<string, number>();
  const add = (source: string, port: number, target: string) => {
    const key = JSON.stringify([source, port, target]);
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    edges.push(edgeOf({ source, port, target, occurrence }));
  };
  for (const ref of subflowPorts(subflow)) {
    const wires = subflowPortObject(subflow, ref)?.['wires'];
    if (!Array.isArray(wires)) continue;
    const portId = subflowPortId(ref);
    for (const wire of wires) {
      if (!isJsonObject(wire) || typeof wire['id'] !== 'string') continue;
      if (ref.direction === 'in') {
        add(portId, 0, wire['id']);
      } else {
        const port = typeof wire['port'] === 'number' ? wire['port'] : 0;
        // Node-RED writes a wire straight from the subflow's input to an output as coming from the subflow itself.
        const source = wire['id'] === subflow.id ? subflowPortId({ subflowId: subflow.id, direction: 'in', index: port }) : wire['id'];
        add(source, wire['id'] === subflow.id ? 0 : port, portId);
      }
    }
  }
  return edges;
}

function edgeOf(ref: WireRef): CanvasEdge {
  return { id: wireId(ref), source: ref.source, sourceHandle: outputHandle(ref.port), target: ref.target, data: { port: ref.port } };
}

function subflowPortNodes(subflow: NodeRedNode, view: CanvasView): SubflowPortCanvasNode[] {
  return subflowPorts(subflow).map((ref) => {
    const id = subflowPortId(ref);
    const port = subflowPortObject(subflow, ref) ?? {};
    const labels = subflow[ref.direction === 'in' ? 'inputLabels' : 'outputLabels'];
    const stored = Array.isArray(labels) && typeof labels[ref.index] === 'string' ? (labels[ref.index] as string) : '';
    const label = ref.direction === 'status' ? t('port.status') : stored || (ref.direction === 'in' ? t('port.input') : `${ref.index + 1}`);
    return withView(
      {
        id,
        type: 'subflow-port',
        position: positionOf(port),
        data: { subflowId: subflow.id, direction: ref.direction, index: ref.index, label },
      },
      view,
    );
  });
}

interface CachedCanvasNode {
  deps: readonly unknown[];
  value: CanvasNode;
}
const canvasNodeCache = new WeakMap<NodeRedNode, CachedCanvasNode>();

function cachedCanvasNode(node: NodeRedNode, doc: FlowDocument, view: CanvasView, catalog: FlowCatalog): CanvasNode {
  const subflowId = subflowIdOf(node);
  const deps = [
    view.selectedNodes.has(node.id),
    view.measured.get(node.id),
    catalog,
    subflowId === undefined ? undefined : nodeById(doc, subflowId),
    // Labels and port labels are in the UI's language.
    currentLocale(),
  ];
  const hit = canvasNodeCache.get(node);
  if (hit && hit.deps.every((dep, i) => dep === deps[i])) return hit.value;
  const value = withView(toCanvasNode(node, doc, catalog), view);
  canvasNodeCache.set(node, { deps, value });
  return value;
}

function toCanvasNode(node: NodeRedNode, doc: FlowDocument, catalog: FlowCatalog): CanvasNode {
  const position = positionOf(node);
  const disabled = node['d'] === true;
  const label = labelOf(node, doc, catalog);
  if (node.type === 'group') {
    const group: GroupCanvasNode = { id: node.id, type: 'flow-group', position, origin: [0, 0], data: { node, label } };
    if (typeof node['w'] === 'number') group.width = node['w'];
    if (typeof node['h'] === 'number') group.height = node['h'];
    return group;
  }
  if (node.type === 'junction') return { id: node.id, type: 'junction', position, data: { node } };
  const ports = portsOf(node, doc, catalog);
  if (isUnknownType(node, doc, catalog)) {
    return { id: node.id, type: 'unknown-node', position, data: { node, label: node.type, ...ports, disabled } };
  }
  if (node.type === 'comment') return { id: node.id, type: 'comment', position, data: { node, label, disabled } };
  const definition = catalog.definition(node.type);
  const subflowId = subflowIdOf(node);
  const subflow = subflowId === undefined ? undefined : nodeById(doc, subflowId);
  const data: FlowNodeData = { node, label, ...ports, disabled };
  if (!labelShown(node)) data.labelHidden = true;
  if (definition) {
    data.definition = definition;
    data.color = definition.color;
    data.icon = definition.iconOf?.(node) ?? definition.icon;
    const outputLabels = definition.outputLabelsOf?.(node) ?? definition.outputLabels;
    if (outputLabels) data.outputLabels = outputLabelsIn(definition, outputLabels, currentLocale());
  }
  if (subflow) {
    data.subflow = subflow;
    if (typeof subflow['color'] === 'string') data.color = subflow['color'];
    if (typeof subflow['icon'] === 'string') data.icon = subflow['icon'];
  }
  const outputLabels = node['outputLabels'] ?? subflow?.['outputLabels'];
  if (Array.isArray(outputLabels) && outputLabels.every((l) => typeof l === 'string')) data.outputLabels = outputLabels;
  return { id: node.id, type: 'flow-node', position, data };
}

/** Whether a node draws its label: Node-RED's `l`, which defaults to shown except for link in and link out nodes. */
export function labelShown(node: NodeRedNode): boolean {
  return node['l'] === undefined ? node.type !== 'link in' && node.type !== 'link out' : node['l'] !== false;
}

function withView<N extends CanvasNode>(node: N, view: CanvasView): N {
  const measured = view.measured.get(node.id);
  const selected = view.selectedNodes.has(node.id);
  if (!measured && !selected) return node;
  return { ...node, ...(selected ? { selected: true } : {}), ...(measured ? { measured } : {}) };
}

function positionOf(node: Readonly<Record<string, unknown>>): XYPosition {
  return hasPosition(node as NodeRedNode) ? { x: node['x'] as number, y: node['y'] as number } : { x: 0, y: 0 };
}

/** Groups ordered so that a group comes after the group it sits in (`g`). */
function sortGroupsOuterFirst(groups: readonly NodeRedNode[]): NodeRedNode[] {
  const byId = new Map(groups.map((group) => [group.id, group]));
  const depth = (group: NodeRedNode, seen = new Set<string>()): number => {
    const parent = typeof group['g'] === 'string' ? byId.get(group['g']) : undefined;
    if (!parent || seen.has(parent.id)) return 0;
    seen.add(group.id);
    return 1 + depth(parent, seen);
  };
  return groups
    .map((group, index) => ({ group, index, depth: depth(group) }))
    .sort((a, b) => a.depth - b.depth || a.index - b.index)
    .map((entry) => entry.group);
}

const nodeEdgeCache = new WeakMap<NodeRedNode, CanvasEdge[]>();
const subflowEdgeCache = new WeakMap<NodeRedNode, CanvasEdge[]>();

function cached<V>(cache: WeakMap<NodeRedNode, V>, key: NodeRedNode, compute: () => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = compute();
    cache.set(key, value);
  }
  return value;
}
