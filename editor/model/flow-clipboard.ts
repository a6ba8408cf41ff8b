/**
 * Copy and paste in Node-RED's clipboard format: the copied nodes as flow JSON, so a selection pastes into another
 * tab, another Thingwire editor or stock Node-RED, and flow JSON from anywhere pastes in here. Browser-safe.
 */
import type { XYPosition } from '@xyflow/react';
import { defineValue, frozenCopy, isJsonObject, nodeIndex, withChanges, type FlowDocument, type NodeRedNode } from './flow-codec.ts';
import { addNodes, newNodeId, stringArray } from './flow-edits.ts';
import { kindOf, subflowIdOf, SUBFLOW_INSTANCE_PREFIX } from './node-catalog.ts';

/**
 * The flow JSON of copied nodes, as Node-RED's copy makes it: the nodes (a group with all its nodes), the config nodes
 * they use and the definitions of the subflows they instantiate (with their contents) first. Wires, group members
 * and link references to nodes outside the copy are left out, so the text stands on its own.
 */
export function copyNodes(doc: FlowDocument, ids: Iterable<string>): NodeRedNode[] {
  const index = nodeIndex(doc);
  const copied = new Set<string>();
  const pending = [...ids];
  while (pending.length > 0) {
    const node = index.get(pending.pop()!);
    if (!node || copied.has(node.id) || node.type === 'tab' || node.type === 'subflow') continue;
    copied.add(node.id);
    if (node.type === 'group') pending.push(...stringArray(node['nodes']));
  }
  // Subflow definitions the copy instantiates, with everything inside them (nested subflows too).
  const subflows = new Set<string>();
  const inside = new Set<string>();
  const addSubflow = (subflowId: string) => {
    if (subflows.has(subflowId) || index.get(subflowId)?.type !== 'subflow') return;
    subflows.add(subflowId);
    for (const node of doc.nodes) {
      if (node['z'] !== subflowId) continue;
      inside.add(node.id);
      const nested = subflowIdOf(node);
      if (nested !== undefined) addSubflow(nested);
    }
  };
  for (const id of copied) {
    const subflowId = subflowIdOf(index.get(id)!);
    if (subflowId !== undefined) addSubflow(subflowId);
  }
  // Config nodes any copied node refers to, and the config nodes those refer to (a broker's TLS config).
  const configs = new Set<string>();
  const scan = [...copied, ...inside];
  while (scan.length > 0) {
    for (const ref of referencedIds(index.get(scan.pop()!)!)) {
      const target = index.get(ref);
      if (target && kindOf(target) === 'config' && !configs.has(ref) && !copied.has(ref) && !inside.has(ref)) {
        configs.add(ref);
        scan.push(ref);
      }
    }
  }
  const result: NodeRedNode[] = [];
  for (const node of doc.nodes) if (subflows.has(node.id) || inside.has(node.id)) result.push(node);
  for (const node of doc.nodes) if (copied.has(node.id) || configs.has(node.id)) result.push(standalone(node, copied));
  return result.map((node) => structuredClone(node) as NodeRedNode);
}

/** Where pasted nodes go: the tab or subflow to paste into, and the canvas point to centre them on (else as they were). */
export interface PasteTarget {
  z: string | undefined;
  position?: XYPosition;
  /**
   * An import rather than a paste: nodes whose `z` is a tab or subflow of the document stay on it, and link
   * references to nodes of the document that are not in the paste are kept (as Node-RED's import keeps them), and
   * so are wires to those on the same canvas.
   */
  keepPlaces?: boolean;
}

export interface PasteResult {
  document: FlowDocument;
  /** Ids of the pasted nodes drawn on the target canvas (to select them). */
  nodeIds: string[];
  /** Ids of pasted tabs. */
  tabIds: string[];
  /** Pasted id → id in the document, for every pasted node (reused config nodes and subflows map to themselves). */
  idMap: ReadonlyMap<string, string>;
}

/**
 * Pastes flow JSON: every node gets a fresh id and every reference among pasted nodes follows (wires, group members,
 * links, `z`, subflow instance types, config node references); references to nodes outside the paste are dropped
 * (an import keeps those to nodes the document has: see {@link PasteTarget.keepPlaces}).
 * Nodes land on the target canvas, centred on its position; pasted tabs and subflows come with their contents. A
 * config node or subflow that the document already has under the same id is reused instead of duplicated, as in
 * Node-RED.
 */
export function pasteNodes(
  doc: FlowDocument,
  pasted: readonly NodeRedNode[],
  target: PasteTarget,
  newId: () => string = newNodeId,
): PasteResult {
  const index = nodeIndex(doc);
  const idMap = new Map<string, string>();
  const dropped = new Set<string>();
  for (const node of pasted) {
    const existing = index.get(node.id);
    if (node.type === 'subflow' && existing?.type === 'subflow') {
      idMap.set(node.id, node.id);
      dropped.add(node.id);
    }
  }
  for (const node of pasted) {
    if (dropped.has(node.id)) continue;
    if (typeof node['z'] === 'string' && dropped.has(node['z'])) {
      dropped.add(node.id);
      continue;
    }
    const existing = index.get(node.id);
    if (kindOf(node) === 'config' && existing && existing.type === node.type && kindOf(existing) === 'config') {
      idMap.set(node.id, node.id);
      dropped.add(node.id);
      continue;
    }
    idMap.set(node.id, newId());
  }
  const kept = pasted.filter((node) => !dropped.has(node.id));
  const containers = new Set(kept.filter((node) => node.type === 'tab' || node.type === 'subflow').map((node) => node.id));
  const staysOnDocumentCanvas = (node: NodeRedNode) =>
    target.keepPlaces === true && typeof node['z'] === 'string' && ['tab', 'subflow'].includes(index.get(node['z'])?.type ?? '');
  const placed = new Set(
    kept
      .filter((node) => ['node', 'group', 'junction'].includes(kindOf(node)))
      .filter((node) => !(typeof node['z'] === 'string' && containers.has(node['z'])))
      .filter((node) => !staysOnDocumentCanvas(node))
      .map((node) => node.id),
  );
  const offset = target.position ? offsetToCentre(kept.filter((node) => placed.has(node.id)), target.position) : { x: 0, y: 0 };

  const remapped = kept.map((node) => {
    let z: string | undefined;
    if (typeof node['z'] === 'string' && containers.has(node['z'])) z = idMap.get(node['z']);
    else if (staysOnDocumentCanvas(node)) z = node['z'] as string;
    else if (placed.has(node.id) || (kindOf(node) === 'config' && node['z'] !== undefined)) z = target.z;
    return remapNode(node, idMap, z, placed.has(node.id) ? offset : undefined, target.keepPlaces === true ? index : undefined);
  });
  return {
    document: addNodes(doc, remapped),
    nodeIds: kept.filter((node) => placed.has(node.id)).map((node) => idMap.get(node.id)!),
    tabIds: kept.filter((node) => node.type === 'tab').map((node) => idMap.get(node.id)!),
    idMap,
  };
}

/** A copied node without references to nodes outside the copy. */
function standalone(node: NodeRedNode, copied: ReadonlySet<string>): NodeRedNode {
  const changes: Record<string, unknown> = {};
  const wires = node['wires'];
  if (Array.isArray(wires)) {
    changes['wires'] = wires.map((list: unknown) => (Array.isArray(list) ? list.filter((t) => copied.has(t as string)) : list));
  }
  if (Array.isArray(node['nodes'])) changes['nodes'] = (node['nodes'] as unknown[]).filter((id) => copied.has(id as string));
  if (Array.isArray(node['links'])) changes['links'] = (node['links'] as unknown[]).filter((id) => copied.has(id as string));
  if (typeof node['g'] === 'string' && !copied.has(node['g'])) changes['g'] = undefined;
  return withChanges(node, changes);
}

/**
 * The ids a node may refer to in its own properties: any string, or string in an array, that is a top-level property
 * other than Node-RED's structural ones. Config node references (`broker`, `tls`) are plain string properties in
 * every node type, known or not, which is how Node-RED itself writes them.
 */
function referencedIds(node: NodeRedNode): string[] {
  const ids: string[] = [];
  for (const key of Object.keys(node)) {
    if (STRUCTURAL.has(key)) continue;
    const value = node[key];
    if (typeof value === 'string') ids.push(value);
    else if (Array.isArray(value)) for (const item of value) if (typeof item === 'string') ids.push(item);
  }
  return ids;
}

const STRUCTURAL = new Set(['id', 'type', 'z', 'g', 'wires', 'nodes', 'links', 'x', 'y', 'w', 'h', 'name', 'label', 'info']);

function remapNode(
  node: NodeRedNode,
  idMap: ReadonlyMap<string, string>,
  z: string | undefined,
  offset: XYPosition | undefined,
  keepReferencesTo?: ReadonlyMap<string, NodeRedNode>,
): NodeRedNode {
  const map = (id: unknown) => (typeof id === 'string' ? idMap.get(id) : undefined);
  /**
   * Link targets: pasted nodes by their new ids; on import, nodes the document has by their own. Wire targets too,
   * when on the same canvas (Node-RED draws no wire across tabs).
   */
  const linkTarget = (id: unknown) => map(id) ?? (typeof id === 'string' && keepReferencesTo?.has(id) ? id : undefined);
  const wireTarget = (id: unknown) => map(id) ?? (typeof id === 'string' && z !== undefined && keepReferencesTo?.get(id)?.['z'] === z ? id : undefined);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(node)) {
    const value = node[key];
    switch (key) {
      case 'id':
        defineValue(out, key, idMap.get(node.id));
        break;
      case 'type': {
        const subflowId = subflowIdOf(node);
        defineValue(out, key, subflowId !== undefined && idMap.has(subflowId) ? `${SUBFLOW_INSTANCE_PREFIX}${idMap.get(subflowId)}` : value);
        if (z !== undefined && !Object.hasOwn(node, 'z')) defineValue(out, 'z', z);
        break;
      }
      case 'z':
        if (z !== undefined) defineValue(out, key, z);
        break;
      case 'g':
        if (map(value) !== undefined) defineValue(out, key, map(value));
        break;
      case 'wires':
        defineValue(
          out,
          key,
          Array.isArray(value) ? value.map((list: unknown) => (Array.isArray(list) ? list.map(wireTarget).filter((id) => id !== undefined) : list)) : value,
        );
        break;
      case 'nodes':
      case 'links':
        defineValue(out, key, Array.isArray(value) ? value.map(key === 'links' ? linkTarget : map).filter((id) => id !== undefined) : value);
        break;
      case 'in':
      case 'out':
        defineValue(out, key, node.type === 'subflow' && Array.isArray(value) ? value.map((port: unknown) => remapPort(port, idMap)) : value);
        break;
      case 'status':
        defineValue(out, key, node.type === 'subflow' ? remapPort(value, idMap) : value);
        break;
      case 'x':
      case 'y':
        defineValue(out, key, offset && typeof value === 'number' ? value + offset[key] : value);
        break;
      default:
        if (STRUCTURAL.has(key)) defineValue(out, key, value);
        else if (typeof value === 'string') defineValue(out, key, map(value) ?? value);
        else if (Array.isArray(value) && value.some((item) => map(item) !== undefined)) {
          defineValue(out, key, value.map((item: unknown) => map(item) ?? item));
        } else defineValue(out, key, value);
    }
  }
  return frozenCopy(out as unknown as NodeRedNode);
}

function remapPort(port: unknown, idMap: ReadonlyMap<string, string>): unknown {
  if (!isJsonObject(port) || !Array.isArray(port['wires'])) return port;
  return {
    ...port,
    wires: (port['wires'] as unknown[])
      .filter((wire): wire is Record<string, unknown> => isJsonObject(wire) && typeof wire['id'] === 'string' && idMap.has(wire['id']))
      .map((wire) => ({ ...wire, id: idMap.get(wire['id'] as string) })),
  };
}

/** The whole-number shift that centres the nodes' bounding box on a point (nodes are centres, groups boxes). */
function offsetToCentre(nodes: readonly NodeRedNode[], point: XYPosition): XYPosition {
  const centre = placedCentre(nodes);
  if (!centre) return { x: 0, y: 0 };
  return { x: Math.round(point.x - centre.x), y: Math.round(point.y - centre.y) };
}

/** The centre of the box around nodes' positions (groups: their whole box); undefined when none has a position. */
export function placedCentre(nodes: readonly NodeRedNode[]): XYPosition | undefined {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const node of nodes) {
    const { x, y } = node as { x?: unknown; y?: unknown };
    if (typeof x !== 'number' || typeof y !== 'number') continue;
    const w = node.type === 'group' && typeof node['w'] === 'number' ? node['w'] : 0;
    const h = node.type === 'group' && typeof node['h'] === 'number' ? node['h'] : 0;
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x + w);
    maxY = Math.max(maxY, y + h);
  }
  if (minX === Infinity) return undefined;
  return { x: (minX + maxX) / 2, y: (minY + maxY) / 2 };
}
