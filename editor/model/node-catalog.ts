/**
 * What the editor knows about node types: our definitions (the palette), the types the runtime has installed beyond
 * them, and how each object of a flow file is read: a tab, a subflow, a group, a junction, a config node or a node
 * on the canvas, with its ports and label. Browser-safe.
 */
import type { AnyNodeDefinition } from '../../nodes/kit/define-node.ts';
import { nodeDefinitions } from '../../nodes/definitions.ts';
import { nodeTypeLabelIn } from '../../nodes/i18n/node-text.def.ts';
import { currentLocale } from '../i18n.ts';
import { nodeById, type FlowDocument, type NodeRedNode } from './flow-codec.ts';

/** The node types an editor knows. */
export interface FlowCatalog {
  /** Our definition of a type: palette entry, config schema, ports. */
  definition(type: string): AnyNodeDefinition | undefined;
  /** Whether the runtime can run a type (a definition of ours, or one of {@link FlowCatalogOptions.installedTypes}). */
  isInstalled(type: string): boolean;
  /** Whether this user may not add or change nodes of a type: a code node, without `flows:code`. */
  isCodeLocked(type: string): boolean;
}

export interface FlowCatalogOptions {
  /**
   * Types the runtime has without a definition of ours (Node-RED core nodes we do not curate, contrib modules), e.g.
   * from Node-RED's `GET /nodes`: not "unknown", not validated.
   */
  installedTypes?: Iterable<string>;
  /**
   * Code node types (function, exec…) this user may move, rewire and delete but not add or change: the server's
   * `codeTypes` when the user lacks `flows:code`.
   */
  lockedTypes?: Iterable<string>;
}

const definitionsByType = new Map(nodeDefinitions.map((definition) => [definition.type, definition]));

/** The catalog of `nodeDefinitions` plus the given installed types. */
export function flowCatalog(options: FlowCatalogOptions = {}): FlowCatalog {
  const installed = new Set(options.installedTypes ?? []);
  const locked = new Set(options.lockedTypes ?? []);
  return {
    definition: (type) => definitionsByType.get(type),
    isInstalled: (type) => definitionsByType.has(type) || installed.has(type),
    isCodeLocked: (type) => locked.has(type),
  };
}

/** Our definitions only. */
export const defaultFlowCatalog: FlowCatalog = flowCatalog();

/**
 * What an object of a flow file is:
 * - `tab`: a flow (a tab of the editor);
 * - `subflow`: a subflow definition, edited like a tab; its instances are `node`s of type `subflow:<id>`;
 * - `group`: a box around nodes (`nodes`, `x`/`y` top-left, `w`/`h`);
 * - `junction`: a wire junction (one input, one output);
 * - `config`: a config node (broker, listener…): not on the canvas, listed apart;
 * - `node`: a node on the canvas of its `z`, known or not (comments, link nodes, subflow instances included).
 *
 * A type we have no definition for is a config node when it has no `x`/`y` (Node-RED's own rule: config nodes have
 * no position), else a node.
 */
export type NodeKind = 'tab' | 'subflow' | 'group' | 'junction' | 'config' | 'node';

/** The kind of a flow-file object; see {@link NodeKind}. */
export function kindOf(node: NodeRedNode): NodeKind {
  switch (node.type) {
    case 'tab':
    case 'subflow':
    case 'group':
    case 'junction':
      return node.type;
  }
  const definition = definitionsByType.get(node.type);
  if (definition) return definition.isConfigNode ? 'config' : 'node';
  if (node.type.startsWith(SUBFLOW_INSTANCE_PREFIX)) return 'node';
  return hasPosition(node) ? 'node' : 'config';
}

/** The prefix of a subflow instance's type: `subflow:<subflow id>`. */
export const SUBFLOW_INSTANCE_PREFIX = 'subflow:';

/** The subflow definition an instance runs, if the node is a subflow instance. */
export function subflowIdOf(node: NodeRedNode): string | undefined {
  return node.type.startsWith(SUBFLOW_INSTANCE_PREFIX) ? node.type.slice(SUBFLOW_INSTANCE_PREFIX.length) : undefined;
}

/** Whether a node has a numeric `x` and `y`. */
export function hasPosition(node: NodeRedNode): node is NodeRedNode & { x: number; y: number } {
  return typeof node['x'] === 'number' && typeof node['y'] === 'number';
}

/**
 * Whether the type of a node is one nobody can run here: neither structural (tab, subflow, group, junction), nor an
 * instance of a subflow of this document, nor installed.
 */
export function isUnknownType(node: NodeRedNode, doc: FlowDocument, catalog: FlowCatalog): boolean {
  const kind = kindOf(node);
  if (kind !== 'node' && kind !== 'config') return false;
  const subflowId = subflowIdOf(node);
  if (subflowId !== undefined) return nodeById(doc, subflowId)?.type !== 'subflow';
  return !catalog.isInstalled(node.type);
}

/** Port counts of a node on the canvas. */
export interface NodePorts {
  inputs: number;
  outputs: number;
}

/**
 * The ports a node shows. A definition's counts, unless its config has `inputs`/`outputs` (function, switch…); a
 * subflow instance has its subflow's; a type we do not know has one input and as many outputs as it says or has
 * wires. Never fewer outputs than the node has wire arrays, so every stored wire can be drawn.
 */
export function portsOf(node: NodeRedNode, doc: FlowDocument, catalog: FlowCatalog): NodePorts {
  const wired = Array.isArray(node['wires']) ? node['wires'].length : 0;
  if (node.type === 'junction') return { inputs: 1, outputs: Math.max(1, wired) };
  const subflowId = subflowIdOf(node);
  const subflow = subflowId === undefined ? undefined : nodeById(doc, subflowId);
  if (subflow?.type === 'subflow') {
    return { inputs: Math.min(1, arrayLength(subflow['in'])), outputs: Math.max(arrayLength(subflow['out']), wired) };
  }
  const definition = catalog.definition(node.type);
  if (definition) {
    const properties = definition.config.properties as Record<string, unknown>;
    const inputs = 'inputs' in properties ? countOf(node['inputs']) ?? definition.inputs : definition.inputs;
    const outputs = 'outputs' in properties ? countOf(node['outputs']) ?? definition.outputs : definition.outputs;
    return { inputs: Math.min(1, inputs), outputs: Math.max(outputs, wired) };
  }
  return { inputs: Math.min(1, countOf(node['inputs']) ?? 1), outputs: Math.max(countOf(node['outputs']) ?? 0, wired) };
}

/**
 * The text a node is shown by: its name, else its type's label. Tabs show their `label`, subflows their `name`,
 * subflow instances their subflow's name when unnamed, unknown types their type.
 */
export function labelOf(node: NodeRedNode, doc: FlowDocument, catalog: FlowCatalog): string {
  if (node.type === 'tab') return textOf(node['label']) ?? node.id;
  const name = textOf(node['name']);
  const definition = catalog.definition(node.type);
  if (name !== undefined && name !== '_DEFAULT_') return name + (definition?.nameSuffixOf?.(node) ?? '');
  if (node.type === 'subflow') return 'Subflow';
  if (node.type === 'group' || node.type === 'junction') return '';
  const subflowId = subflowIdOf(node);
  if (subflowId !== undefined) return textOf(nodeById(doc, subflowId)?.['name']) ?? node.type;
  return definition ? (definition.labelOf?.(node, (id) => nodeById(doc, id)) ?? nodeTypeLabel(definition)) : node.type;
}

/** The label of a node type (its palette label, else its label), in the UI's language. */
export function nodeTypeLabel(definition: AnyNodeDefinition): string {
  return nodeTypeLabelIn(definition.type, definition, currentLocale());
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** The length of a value that should be an array; 0 when it is not one. */
export function arrayLength(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

/** A port count as Node-RED stores it: a number or a numeric string (`"2"`). */
export function countOf(value: unknown): number | undefined {
  const count = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count : undefined;
}
