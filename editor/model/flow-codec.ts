import { t } from './model.messages.ts';
/**
 * Node-RED flow JSON in and out of the editor, without loss.
 *
 * A flow file is a flat array of node objects: tabs, subflow definitions, groups, junctions, config nodes and flow
 * nodes alike. The editor keeps that array as it came: each node is the imported object itself (frozen), and an edit
 * replaces it with a copy carrying the change (existing keys keep their place, new keys go last). So exporting a
 * document nobody edited gives back the input, deep-equal and in the same key order, whatever types and properties
 * it holds; and an edit touches only what it changes. Browser-safe.
 */

/** One object of Node-RED's flow JSON: an `id`, a `type`, and whatever else its type keeps. */
export interface NodeRedNode {
  readonly id: string;
  readonly type: string;
  readonly [property: string]: unknown;
}

/**
 * The flows the editor holds: every node in file order, each the imported object with edits applied. Immutable:
 * edits build a new document that shares every unchanged node, so identity tells what changed.
 */
export interface FlowDocument {
  readonly nodes: readonly NodeRedNode[];
}

/** Why flow JSON could not be read. */
export type FlowImportErrorCode = 'invalid-json' | 'not-an-array' | 'not-a-node' | 'missing-id' | 'missing-type' | 'duplicate-id';

/** Flow JSON that is not a Node-RED flow array; `index` is the offending element's position, when there is one. */
export class FlowImportError extends Error {
  override readonly name = 'FlowImportError';
  constructor(
    readonly code: FlowImportErrorCode,
    message: string,
    readonly index?: number,
  ) {
    super(message);
  }
}

/**
 * Reads Node-RED flow JSON (the parsed array, as `GET /flows` or an export gives it) into a document. Unknown types
 * and properties are kept as they are; the input is copied, so later changes to it do not reach the document.
 *
 * @throws {FlowImportError} for anything but an array of objects with unique string `id`s and string `type`s.
 */
export function importFlows(json: unknown): FlowDocument {
  if (!Array.isArray(json)) {
    const hint =
      json !== null && typeof json === 'object' && Array.isArray((json as { flows?: unknown }).flows)
        ? t('json.adminApiHint')
        : '';
    throw new FlowImportError('not-an-array', `${t('json.notArray', { what: describeValue(json) })}${hint}`);
  }
  checkNodes(json);
  return documentOf(json.map((node) => frozenCopy(node as NodeRedNode)));
}

/** Parses flow JSON text (a file, the clipboard) and reads it with {@link importFlows}. */
export function importFlowsText(text: string): FlowDocument {
  return importFlows(parseFlowJson(text));
}

/**
 * Node-RED flow JSON text parsed as an array of nodes: a single node object is taken as a one-node array (Node-RED's
 * import accepts both).
 *
 * @throws {FlowImportError} `invalid-json` when the text is not JSON; the other codes as {@link importFlows}.
 */
export function parseFlowJson(text: string): NodeRedNode[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FlowImportError('invalid-json', t('json.invalid', { reason: err instanceof Error ? err.message : String(err) }));
  }
  const nodes = Array.isArray(json) ? json : json !== null && typeof json === 'object' && !Array.isArray(json) ? [json] : json;
  if (!Array.isArray(nodes)) throw new FlowImportError('not-an-array', t('json.notArray', { what: describeValue(json) }));
  checkNodes(nodes);
  return nodes as NodeRedNode[];
}

/**
 * The flow JSON of a document, for deploy and export: a fresh copy, in document order, each node with its properties
 * in their original order.
 */
export function exportFlows(doc: FlowDocument): NodeRedNode[] {
  return doc.nodes.map((node) => structuredClone(node) as NodeRedNode);
}

/** A document of these nodes (already frozen copies; see {@link frozenCopy}). */
export function documentOf(nodes: readonly NodeRedNode[]): FlowDocument {
  return Object.freeze({ nodes: Object.freeze([...nodes]) });
}

/** A deep, frozen copy of a node: document nodes are shared between undo steps and must never change in place. */
export function frozenCopy(node: NodeRedNode): NodeRedNode {
  return deepFreeze(structuredClone(node));
}

/**
 * A node with `changes` applied: properties keep their place, new ones go last, `undefined` removes one. Returns the
 * node itself when nothing changes, so unchanged nodes keep their identity.
 */
export function withChanges(node: NodeRedNode, changes: Readonly<Record<string, unknown>>): NodeRedNode {
  let changed = false;
  for (const key of Object.keys(changes)) {
    const value = changes[key];
    if (value === undefined ? Object.hasOwn(node, key) : !Object.hasOwn(node, key) || node[key] !== value) {
      changed = true;
      break;
    }
  }
  if (!changed) return node;
  const next: Record<string, unknown> = {};
  for (const key of Object.keys(node)) {
    if (!Object.hasOwn(changes, key)) defineValue(next, key, node[key]);
    else if (changes[key] !== undefined) defineValue(next, key, structuredClone(changes[key]));
  }
  for (const key of Object.keys(changes)) {
    if (!Object.hasOwn(node, key) && changes[key] !== undefined) defineValue(next, key, structuredClone(changes[key]));
  }
  return deepFreeze(next as unknown as NodeRedNode);
}

/** The nodes of a document by id (computed once per document). */
export function nodeIndex(doc: FlowDocument): ReadonlyMap<string, NodeRedNode> {
  let index = indexes.get(doc);
  if (!index) {
    index = new Map(doc.nodes.map((node) => [node.id, node]));
    indexes.set(doc, index);
  }
  return index;
}
const indexes = new WeakMap<FlowDocument, ReadonlyMap<string, NodeRedNode>>();

/** A node of the document, by id. */
export function nodeById(doc: FlowDocument, id: string): NodeRedNode | undefined {
  return nodeIndex(doc).get(id);
}

/**
 * Sets a property as an own data property. Plain assignment would treat a `__proto__` key (legal in JSON, and kept
 * by `JSON.parse` as an ordinary property) as the prototype setter and lose it.
 */
export function defineValue(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Whether a JSON value is an object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function checkNodes(nodes: readonly unknown[]): void {
  const seen = new Map<string, number>();
  nodes.forEach((node, index) => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) {
      throw new FlowImportError('not-a-node', t('json.notNode', { index, what: describeValue(node) }), index);
    }
    const { id, type } = node as { id?: unknown; type?: unknown };
    if (typeof id !== 'string' || id === '') {
      throw new FlowImportError('missing-id', t('json.noId', { index }), index);
    }
    if (typeof type !== 'string' || type === '') {
      throw new FlowImportError('missing-type', t('json.noType', { id, index }), index);
    }
    const first = seen.get(id);
    if (first !== undefined) {
      throw new FlowImportError('duplicate-id', t('json.duplicateId', { id, first, index }), index);
    }
    seen.set(id, index);
  });
}

function describeValue(value: unknown): string {
  if (value === null) return t('value.null');
  if (Array.isArray(value)) return t('value.array');
  return typeof value === 'object' ? t('value.object') : t('value.other', { type: typeof value });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
