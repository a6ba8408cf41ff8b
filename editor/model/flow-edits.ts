/**
 * Edits of a flow document, as pure functions: each returns a new document sharing every node it did not change, or
 * the same document when nothing changed (so a no-op never becomes an undo step). Node-RED's own rules apply: moving
 * a group moves its nodes, deleting a group deletes its nodes, deleting a node removes the wires and link references
 * to it, a flow's nodes go with it. Browser-safe.
 */
import type { XYPosition } from '@xyflow/react';
import { CONFIG_VERSION_PROPERTY, type AnyNodeDefinition } from '../../nodes/kit/define-node.ts';
import {
  documentOf,
  frozenCopy,
  isJsonObject,
  nodeById,
  nodeIndex,
  withChanges,
  type FlowDocument,
  type NodeRedNode,
} from './flow-codec.ts';
import {
  parseSubflowPortId,
  parseWireId,
  subflowPortObject,
  type SubflowPortRef,
  type WireRef,
} from './flow-canvas.ts';
import { arrayLength, countOf, kindOf, portsOf, subflowIdOf, SUBFLOW_INSTANCE_PREFIX, type FlowCatalog } from './node-catalog.ts';
import { t } from './model.messages.ts';

/** A node (or subflow port, by its canvas id) and where it goes: Node-RED's `x`/`y`, the canvas position. */
export interface NodeMove {
  id: string;
  position: XYPosition;
}

/** Why an edit was refused. */
export type FlowEditErrorCode = 'unknown-type' | 'missing-node' | 'immutable-property' | 'not-a-container' | 'read-only';

/** An edit the document cannot take (a programming error of the caller, not a user mistake). */
export class FlowEditError extends Error {
  override readonly name = 'FlowEditError';
  constructor(
    readonly code: FlowEditErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A node id as Node-RED makes them: 16 hex digits. */
export function newNodeId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Moves nodes. A group that moves takes its nodes (and inner groups) along by the same distance, unless they are
 * moved themselves; a subflow port moves by its canvas id.
 */
export function moveNodes(doc: FlowDocument, moves: readonly NodeMove[]): FlowDocument {
  const index = nodeIndex(doc);
  const targets = new Map<string, XYPosition>();
  const portMoves: { ref: SubflowPortRef; position: XYPosition }[] = [];
  for (const move of moves) {
    const port = parseSubflowPortId(move.id);
    if (port && !index.has(move.id)) portMoves.push({ ref: port, position: move.position });
    else if (index.has(move.id)) targets.set(move.id, move.position);
  }
  // Group members follow their group, outermost group first, so a nested group carries its own members too.
  const explicit = new Set(targets.keys());
  const follow = (group: NodeRedNode, dx: number, dy: number, seen: Set<string>) => {
    for (const memberId of stringArray(group['nodes'])) {
      const member = index.get(memberId);
      if (!member || explicit.has(memberId) || seen.has(memberId)) continue;
      seen.add(memberId);
      if (typeof member['x'] !== 'number' || typeof member['y'] !== 'number') continue;
      targets.set(memberId, { x: member['x'] + dx, y: member['y'] + dy });
      if (member.type === 'group') follow(member, dx, dy, seen);
    }
  };
  for (const id of explicit) {
    const node = index.get(id)!;
    const to = targets.get(id)!;
    if (node.type === 'group' && typeof node['x'] === 'number' && typeof node['y'] === 'number') {
      follow(node, to.x - node['x'], to.y - node['y'], new Set([id]));
    }
  }
  let next = mapNodes(doc, (node) => {
    const to = targets.get(node.id);
    return to ? withChanges(node, { x: to.x, y: to.y }) : node;
  });
  for (const { ref, position } of portMoves) {
    next = updateSubflowPort(next, ref, (port) => ({ ...port, x: position.x, y: position.y }));
  }
  return next;
}

/**
 * Changes properties of a node: keys keep their place, new keys go last, `undefined` removes a key. A new `outputs`
 * count resizes `wires` (extra outputs' wires are dropped), as Node-RED's editor does.
 *
 * @throws {FlowEditError} `missing-node` for an id not in the document, `immutable-property` for `id`.
 */
export function updateNode(doc: FlowDocument, id: string, changes: Readonly<Record<string, unknown>>): FlowDocument {
  const node = nodeById(doc, id);
  if (!node) throw new FlowEditError('missing-node', t('edit.noNode', { id }));
  if (Object.hasOwn(changes, 'id') && changes['id'] !== id) {
    throw new FlowEditError('immutable-property', t('edit.idImmutable', { id }));
  }
  const all = { ...changes };
  const outputs = Object.hasOwn(changes, 'outputs') ? countOf(changes['outputs']) : undefined;
  const wires = node['wires'];
  if (outputs !== undefined && Array.isArray(wires) && !Object.hasOwn(changes, 'wires') && wires.length !== outputs) {
    all['wires'] = Array.from({ length: outputs }, (_, port) => (Array.isArray(wires[port]) ? wires[port] : []));
  }
  const updated = withChanges(node, all);
  return updated === node ? doc : mapNodes(doc, (n) => (n.id === id ? updated : n));
}

/**
 * Deletes nodes and everything that cannot live without them: a group's nodes, a tab's or subflow's contents, a
 * subflow's instances. Wires, group memberships and link references to deleted nodes are removed from the rest.
 * Subflow ports (by canvas id) are not deleted: a subflow's ports are part of its definition.
 */
export function deleteNodes(doc: FlowDocument, ids: Iterable<string>): FlowDocument {
  const index = nodeIndex(doc);
  const removed = new Set<string>();
  const pending = [...ids].filter((id) => index.has(id));
  const contents = new Map<string, string[]>();
  const instances = new Map<string, string[]>();
  for (const node of doc.nodes) {
    const z = node['z'];
    if (typeof z === 'string') pushTo(contents, z, node.id);
    const subflowId = subflowIdOf(node);
    if (subflowId !== undefined) pushTo(instances, subflowId, node.id);
  }
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (removed.has(id)) continue;
    const node = index.get(id);
    if (!node) continue;
    removed.add(id);
    if (node.type === 'group') pending.push(...stringArray(node['nodes']));
    if (node.type === 'tab' || node.type === 'subflow') pending.push(...(contents.get(id) ?? []));
    if (node.type === 'subflow') pending.push(...(instances.get(id) ?? []));
  }
  if (removed.size === 0) return doc;
  return documentOf(doc.nodes.filter((node) => !removed.has(node.id)).map((node) => withoutReferences(node, removed)));
}

/** Removes wires, by their canvas edge ids ({@link wireId}); ids that name no wire are ignored. */
export function deleteWires(doc: FlowDocument, edgeIds: Iterable<string>): FlowDocument {
  let next = doc;
  // Later occurrences first, so removing one does not renumber another still to be removed.
  const refs = [...edgeIds]
    .map(parseWireId)
    .filter((ref): ref is WireRef => ref !== undefined)
    .sort((a, b) => b.occurrence - a.occurrence);
  for (const ref of refs) next = deleteWire(next, ref);
  return next;
}

function deleteWire(doc: FlowDocument, ref: WireRef): FlowDocument {
  const sourcePort = parseSubflowPortId(ref.source);
  const targetPort = parseSubflowPortId(ref.target);
  if (sourcePort?.direction === 'in' && !nodeById(doc, ref.source)) {
    if (targetPort && targetPort.direction !== 'in' && !nodeById(doc, ref.target)) {
      return removeSubflowPortWire(doc, targetPort, (w) => w['id'] === targetPort.subflowId, ref.occurrence);
    }
    return removeSubflowPortWire(doc, sourcePort, (w) => w['id'] === ref.target, ref.occurrence);
  }
  if (targetPort && targetPort.direction !== 'in' && !nodeById(doc, ref.target)) {
    return removeSubflowPortWire(
      doc,
      targetPort,
      (w) => w['id'] === ref.source && (typeof w['port'] === 'number' ? w['port'] : 0) === ref.port,
      ref.occurrence,
    );
  }
  const node = nodeById(doc, ref.source);
  const wires = node?.['wires'];
  if (!node || !Array.isArray(wires) || !Array.isArray(wires[ref.port])) return doc;
  const targets = wires[ref.port] as unknown[];
  let seen = -1;
  const at = targets.findIndex((target) => target === ref.target && ++seen === ref.occurrence);
  if (at < 0) return doc;
  const nextWires = wires.map((list: unknown, port) => (port === ref.port ? targets.filter((_, i) => i !== at) : list));
  return updateNode(doc, node.id, { wires: nextWires });
}

function removeSubflowPortWire(
  doc: FlowDocument,
  ref: SubflowPortRef,
  matches: (wire: Record<string, unknown>) => boolean,
  occurrence: number,
): FlowDocument {
  return updateSubflowPort(doc, ref, (port) => {
    const wires = Array.isArray(port['wires']) ? (port['wires'] as unknown[]) : [];
    let seen = -1;
    const at = wires.findIndex((wire) => isJsonObject(wire) && matches(wire) && ++seen === occurrence);
    return at < 0 ? port : { ...port, wires: wires.filter((_, i) => i !== at) };
  });
}

/** A wire to add: from `source`'s output `port` to `target`, by canvas ids (subflow ports included). */
export interface WireEnds {
  source: string;
  port: number;
  target: string;
}

/**
 * Adds a wire, as Node-RED allows it: both ends on the same canvas, the target has an input, the source has that
 * output, and the wire is not there yet. Returns the same document when the wire is refused or already exists.
 */
export function addWire(doc: FlowDocument, ends: WireEnds, catalog: FlowCatalog): FlowDocument {
  const index = nodeIndex(doc);
  const source = index.get(ends.source);
  const target = index.get(ends.target);
  const sourcePort = source ? undefined : parseSubflowPortId(ends.source);
  const targetPort = target ? undefined : parseSubflowPortId(ends.target);
  if (sourcePort && sourcePort.direction !== 'in') return doc;
  if (targetPort && targetPort.direction === 'in') return doc;
  const canvasOf = (node: NodeRedNode | undefined, port: SubflowPortRef | undefined) => node?.['z'] ?? port?.subflowId;
  if (canvasOf(source, sourcePort) === undefined || canvasOf(source, sourcePort) !== canvasOf(target, targetPort)) return doc;
  if (target && (kindOf(target) === 'config' || kindOf(target) === 'group' || portsOf(target, doc, catalog).inputs < 1)) return doc;
  if (sourcePort) {
    if (!subflowPortObject(index.get(sourcePort.subflowId)!, sourcePort)) return doc;
    if (targetPort) {
      const wire = { id: sourcePort.subflowId, port: 0 };
      return addSubflowPortWire(doc, targetPort, wire);
    }
    return addSubflowPortWire(doc, sourcePort, { id: ends.target });
  }
  if (!source || (kindOf(source) !== 'node' && kindOf(source) !== 'junction')) return doc;
  if (ends.port < 0 || ends.port >= portsOf(source, doc, catalog).outputs) return doc;
  if (targetPort) return addSubflowPortWire(doc, targetPort, { id: source.id, port: ends.port });
  const wires = Array.isArray(source['wires']) ? (source['wires'] as unknown[]) : [];
  const current = Array.isArray(wires[ends.port]) ? (wires[ends.port] as unknown[]) : [];
  if (current.includes(ends.target)) return doc;
  const length = Math.max(wires.length, ends.port + 1);
  const nextWires = Array.from({ length }, (_, port) =>
    port === ends.port ? [...current, ends.target] : Array.isArray(wires[port]) ? wires[port] : [],
  );
  return updateNode(doc, source.id, { wires: nextWires });
}

function addSubflowPortWire(doc: FlowDocument, ref: SubflowPortRef, wire: Record<string, unknown>): FlowDocument {
  return updateSubflowPort(doc, ref, (port) => {
    const wires = Array.isArray(port['wires']) ? (port['wires'] as unknown[]) : [];
    const exists = wires.some((w) => isJsonObject(w) && w['id'] === wire['id'] && (w['port'] ?? 0) === (wire['port'] ?? 0));
    return exists ? port : { ...port, wires: [...wires, wire] };
  });
}

/** Where a new node goes: a tab or subflow (`z`) and, for nodes drawn on the canvas, a position. */
export interface NewNodePlace {
  z: string | undefined;
  position: XYPosition | undefined;
}

/**
 * A new node of a type, as Node-RED's editor would create it: `id`, `type`, `z`, then the definition's config
 * defaults in schema order (a `_DEFAULT_` name becomes "<label> <n>"), `name` and the config version when the
 * schema lacks them, then `x`, `y` and one empty `wires` list per output. Config nodes get no position or wires.
 *
 * @throws {FlowEditError} `unknown-type` for a type that is neither defined, nor a junction, nor a subflow instance.
 */
export function createNode(doc: FlowDocument, type: string, place: NewNodePlace, catalog: FlowCatalog, id = newNodeId()): NodeRedNode {
  const node: Record<string, unknown> = { id, type };
  const definition = catalog.definition(type);
  const subflowId = type.startsWith(SUBFLOW_INSTANCE_PREFIX) ? type.slice(SUBFLOW_INSTANCE_PREFIX.length) : undefined;
  const subflow = subflowId === undefined ? undefined : nodeById(doc, subflowId);
  if (!definition && type !== 'junction' && subflow?.type !== 'subflow') {
    throw new FlowEditError('unknown-type', t('edit.unknownType', { type }));
  }
  const isConfig = definition?.isConfigNode === true;
  if (place.z !== undefined) node['z'] = place.z;
  if (definition) Object.assign(node, configDefaults(definition, doc));
  if (subflow) Object.assign(node, { name: '', env: [] });
  if (isConfig) return frozenCopy(node as unknown as NodeRedNode);
  node['x'] = place.position?.x ?? 0;
  node['y'] = place.position?.y ?? 0;
  const outputs = type === 'junction' ? 1 : subflow ? arrayLength(subflow['out']) : definition!.outputs;
  node['wires'] = Array.from({ length: outputs }, () => []);
  return frozenCopy(node as unknown as NodeRedNode);
}

function configDefaults(definition: AnyNodeDefinition, doc: FlowDocument): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  const properties = definition.config.properties as Record<string, { default?: unknown }>;
  for (const [name, schema] of Object.entries(properties)) {
    if (!('default' in schema)) continue;
    config[name] = name === 'name' && schema.default === '_DEFAULT_' ? generatedName(definition, doc) : structuredClone(schema.default);
  }
  // Core types carry exactly Node-RED's defaults: a config node without a name (websocket-listener) gets none.
  if (!('name' in properties) && !definition.core) config['name'] = '';
  if (!definition.core) config[CONFIG_VERSION_PROPERTY] = definition.version;
  return config;
}

/** Node-RED names new debug, function and link nodes "<label> <n>", with the lowest number not yet taken. */
function generatedName(definition: AnyNodeDefinition, doc: FlowDocument): string {
  const label = definition.paletteLabel ?? definition.label;
  const pattern = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (\\d+)$`);
  const taken = new Set<number>();
  for (const node of doc.nodes) {
    const match = node.type === definition.type && typeof node['name'] === 'string' ? pattern.exec(node['name']) : null;
    if (match) taken.add(Number(match[1]));
  }
  let n = 1;
  while (taken.has(n)) n++;
  return `${label} ${n}`;
}

/** Adds nodes: tabs after the last tab (so the tab bar keeps its order), everything else at the end. */
export function addNodes(doc: FlowDocument, nodes: readonly NodeRedNode[]): FlowDocument {
  if (nodes.length === 0) return doc;
  const tabs = nodes.filter((node) => node.type === 'tab');
  const rest = nodes.filter((node) => node.type !== 'tab');
  let lastTab = -1;
  doc.nodes.forEach((node, i) => {
    if (node.type === 'tab') lastTab = i;
  });
  return documentOf([...doc.nodes.slice(0, lastTab + 1), ...tabs, ...doc.nodes.slice(lastTab + 1), ...rest]);
}

/** A new tab as Node-RED 4 writes them; unnamed tabs are called "Flow <n>", the lowest number not taken. */
export function createTab(doc: FlowDocument, label?: string, id = newNodeId()): NodeRedNode {
  let name = label;
  if (name === undefined) {
    const taken = new Set(doc.nodes.filter((node) => node.type === 'tab').map((node) => node['label']));
    let n = 1;
    while (taken.has(t('tab.newName', { n: String(n) }))) n++;
    name = t('tab.newName', { n: String(n) });
  }
  return frozenCopy({ id, type: 'tab', label: name, disabled: false, info: '', env: [] });
}

/** Every node of a document passed through `edit`; the same document when `edit` changed none. */
export function mapNodes(doc: FlowDocument, edit: (node: NodeRedNode) => NodeRedNode): FlowDocument {
  let changed = false;
  const nodes = doc.nodes.map((node) => {
    const next = edit(node);
    if (next !== node) changed = true;
    return next;
  });
  return changed ? documentOf(nodes) : doc;
}

/** A node without its wires, group membership and link references to removed nodes. */
export function withoutReferences(node: NodeRedNode, removed: ReadonlySet<string>): NodeRedNode {
  const changes: Record<string, unknown> = {};
  const wires = node['wires'];
  if (Array.isArray(wires) && wires.some((list) => Array.isArray(list) && list.some((t) => removed.has(t as string)))) {
    changes['wires'] = wires.map((list: unknown) => (Array.isArray(list) ? list.filter((t) => !removed.has(t as string)) : list));
  }
  for (const key of ['nodes', 'links'] as const) {
    const list = node[key];
    if (Array.isArray(list) && list.some((id) => removed.has(id as string))) {
      changes[key] = list.filter((id) => !removed.has(id as string));
    }
  }
  if (typeof node['g'] === 'string' && removed.has(node['g'])) changes['g'] = undefined;
  if (node.type === 'subflow') {
    for (const direction of ['in', 'out'] as const) {
      const ports = node[direction];
      if (!Array.isArray(ports)) continue;
      const cleaned = ports.map((port: unknown) => withoutPortWires(port, removed));
      if (cleaned.some((port, i) => port !== ports[i])) changes[direction] = cleaned;
    }
    const status = withoutPortWires(node['status'], removed);
    if (status !== node['status']) changes['status'] = status;
  }
  return withChanges(node, changes);
}

function withoutPortWires(port: unknown, removed: ReadonlySet<string>): unknown {
  if (!isJsonObject(port) || !Array.isArray(port['wires'])) return port;
  const wires = port['wires'] as unknown[];
  if (!wires.some((w) => isJsonObject(w) && removed.has(w['id'] as string))) return port;
  return { ...port, wires: wires.filter((w) => !(isJsonObject(w) && removed.has(w['id'] as string))) };
}

function updateSubflowPort(
  doc: FlowDocument,
  ref: SubflowPortRef,
  edit: (port: Record<string, unknown>) => Record<string, unknown>,
): FlowDocument {
  const subflow = nodeById(doc, ref.subflowId);
  if (subflow?.type !== 'subflow') return doc;
  const port = subflowPortObject(subflow, ref);
  if (!port) return doc;
  const next = edit(port);
  if (next === port) return doc;
  if (ref.direction === 'status') return updateNode(doc, subflow.id, { status: next });
  const ports = subflow[ref.direction] as unknown[];
  return updateNode(doc, subflow.id, { [ref.direction]: ports.map((p, i) => (i === ref.index ? next : p)) });
}

/** The string items of a value that should be a string array (group `nodes`, link `links`). */
export function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function pushTo(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

