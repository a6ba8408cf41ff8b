/**
 * What changed between two versions of the flows: for dirty tracking ("modified" deploys, the changed-node marks)
 * and for the dialog shown when a deploy meets a newer `rev` on the server. Nodes are compared by id and by value, so
 * a node moved and moved back is unchanged. Browser-safe.
 */
import { nodeIndex, type FlowDocument, type NodeRedNode } from './flow-codec.ts';
import { labelOf, type FlowCatalog } from './node-catalog.ts';

/** Ids of nodes added, changed and removed between two documents, each in document order. */
export interface FlowChanges {
  added: string[];
  changed: string[];
  removed: string[];
}

/** The nodes that differ between `from` and `to`. */
export function changedNodes(from: FlowDocument, to: FlowDocument): FlowChanges {
  const before = nodeIndex(from);
  const after = nodeIndex(to);
  const changes: FlowChanges = { added: [], changed: [], removed: [] };
  if (from === to) return changes;
  for (const node of to.nodes) {
    const old = before.get(node.id);
    if (!old) changes.added.push(node.id);
    else if (old !== node && !sameValue(old, node)) changes.changed.push(node.id);
  }
  for (const node of from.nodes) if (!after.has(node.id)) changes.removed.push(node.id);
  return changes;
}

/** Whether there are no changes. */
export function isUnchanged(changes: FlowChanges): boolean {
  return changes.added.length === 0 && changes.changed.length === 0 && changes.removed.length === 0;
}

/** A node named for people: its label (name or type label), its type, and the tab or subflow it is on. */
export interface FlowDiffEntry {
  id: string;
  type: string;
  label: string;
  /** Label of the node's tab or subflow, if it is on one. */
  flow?: string;
}

/** Added, removed and changed nodes, named. */
export interface FlowDiff {
  added: FlowDiffEntry[];
  removed: FlowDiffEntry[];
  changed: FlowDiffEntry[];
}

/** The difference between two documents, with each node named as the document that has it names it. */
export function diffFlows(from: FlowDocument, to: FlowDocument, catalog: FlowCatalog): FlowDiff {
  const changes = changedNodes(from, to);
  const entry = (doc: FlowDocument) => (id: string) => describeNode(doc, nodeIndex(doc).get(id)!, catalog);
  return {
    added: changes.added.map(entry(to)),
    removed: changes.removed.map(entry(from)),
    changed: changes.changed.map(entry(to)),
  };
}

/**
 * A stale deploy explained: what the server's flows changed since this editor loaded them (`theirs`), what this
 * editor changed (`ours`), and the nodes both changed differently (`conflicting`), which a merge cannot take from
 * one side without losing the other's edit.
 */
export interface FlowConflictSummary {
  theirs: FlowDiff;
  ours: FlowDiff;
  conflicting: FlowDiffEntry[];
}

export function conflictSummary(
  baseline: FlowDocument,
  ours: FlowDocument,
  theirs: FlowDocument,
  catalog: FlowCatalog,
): FlowConflictSummary {
  const theirDiff = diffFlows(baseline, theirs, catalog);
  const ourDiff = diffFlows(baseline, ours, catalog);
  const touched = (diff: FlowDiff) => new Set([...diff.added, ...diff.removed, ...diff.changed].map((entry) => entry.id));
  const theirIds = touched(theirDiff);
  const ourIndex = nodeIndex(ours);
  const theirIndex = nodeIndex(theirs);
  const conflicting = [...touched(ourDiff)]
    .filter((id) => theirIds.has(id))
    .filter((id) => {
      const mine = ourIndex.get(id);
      const other = theirIndex.get(id);
      return !(mine === undefined && other === undefined) && !(mine && other && sameValue(mine, other));
    })
    .map((id) => (ourIndex.has(id) ? describeNode(ours, ourIndex.get(id)!, catalog) : describeNode(theirs, theirIndex.get(id)!, catalog)));
  return { theirs: theirDiff, ours: ourDiff, conflicting };
}

function describeNode(doc: FlowDocument, node: NodeRedNode, catalog: FlowCatalog): FlowDiffEntry {
  const entry: FlowDiffEntry = { id: node.id, type: node.type, label: labelOf(node, doc, catalog) };
  const z = node['z'];
  const container = typeof z === 'string' ? nodeIndex(doc).get(z) : undefined;
  if (container) entry.flow = labelOf(container, doc, catalog);
  return entry;
}

/** Deep equality of JSON values; object key order does not matter (it is not a change a user made). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => sameValue(item, other[i]));
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => Object.hasOwn(b, key) && sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
