/**
 * Narrow, memoised reads of the flow store for React (`useStore(store, selectCanvasNodes)`): each returns the same
 * object until what it depends on changes, as zustand 5's `useStore` requires, so a component re-renders only when
 * its slice changes. Browser-safe, no React.
 */
import { nodeById, type FlowDocument, type NodeRedNode } from './flow-codec.ts';
import { canvasEdges, canvasNodes, type CanvasEdge, type CanvasNode } from './flow-canvas.ts';
import { isUnchanged, type FlowChanges } from './flow-diff.ts';
import { flowProblems, type FlowProblems, type NodeProblem } from './flow-problems.ts';
import { changedSinceBaseline, type FlowEditorState } from './flow-store.ts';
import { isPublicEndpoint } from '../../nodes/core/core-nodes.def.ts';
import { isUnknownType, kindOf, labelOf } from './node-catalog.ts';

/** The React Flow nodes of the active tab. */
export const selectCanvasNodes = memoized(
  (s: FlowEditorState) => [s.document, s.activeTab, s.selection.nodes, s.measured, s.catalog] as const,
  (document, activeTab, selectedNodes, measured, catalog): CanvasNode[] =>
    activeTab === null ? [] : canvasNodes(document, activeTab, { selectedNodes, selectedEdges: new Set(), measured }, catalog),
);

/** The React Flow edges of the active tab. */
export const selectCanvasEdges = memoized(
  (s: FlowEditorState) => [s.document, s.activeTab, s.selection.edges] as const,
  (document, activeTab, selectedEdges): CanvasEdge[] => (activeTab === null ? [] : canvasEdges(document, activeTab, selectedEdges)),
);

/** A tab of the tab bar: a flow or a subflow. */
export interface TabEntry {
  id: string;
  kind: 'tab' | 'subflow';
  label: string;
  disabled: boolean;
}

/** Tabs, then subflows, each in document order. */
export const selectTabs = memoized(
  (s: FlowEditorState) => [s.document, s.catalog] as const,
  (document, catalog): TabEntry[] => [
    ...document.nodes
      .filter((node) => node.type === 'tab')
      .map((node) => ({ id: node.id, kind: 'tab' as const, label: labelOf(node, document, catalog), disabled: node['disabled'] === true })),
    ...document.nodes
      .filter((node) => node.type === 'subflow')
      .map((node) => ({ id: node.id, kind: 'subflow' as const, label: labelOf(node, document, catalog), disabled: false })),
  ],
);

/** A config node as the config sidebar lists it. */
export interface ConfigNodeEntry {
  id: string;
  type: string;
  label: string;
  /** The tab or subflow it is limited to; undefined when global. */
  scope?: string;
  /** Ids of the nodes that refer to it. */
  users: string[];
  unknown: boolean;
  /** A WebSocket listener anyone may connect to without signing in. */
  publicEndpoint: boolean;
}

/** Config nodes in document order, with their users. */
export const selectConfigNodes = memoized(
  (s: FlowEditorState) => [s.document, s.catalog] as const,
  (document, catalog): ConfigNodeEntry[] => {
    const configs = document.nodes.filter((node) => kindOf(node) === 'config');
    const users = usersOf(document, new Set(configs.map((node) => node.id)));
    return configs.map((node) => {
      const entry: ConfigNodeEntry = {
        id: node.id,
        type: node.type,
        label: labelOf(node, document, catalog),
        users: users.get(node.id) ?? [],
        unknown: isUnknownType(node, document, catalog),
        publicEndpoint: isPublicEndpoint(node),
      };
      if (typeof node['z'] === 'string') entry.scope = node['z'];
      return entry;
    });
  },
);

/** Every problem of the flows; `.byNode.get(id)` for one node, `.deployBlocker` for the deploy button. */
export const selectProblems = memoized(
  (s: FlowEditorState) => [s.document, s.catalog, s.baseline] as const,
  (document, catalog, baseline): FlowProblems => flowProblems(document, catalog, baseline),
);

const NO_PROBLEMS: readonly NodeProblem[] = Object.freeze([]);

/** The problems of one node (a stable empty list when it has none). */
export function selectNodeProblems(id: string): (s: FlowEditorState) => readonly NodeProblem[] {
  return (s) => selectProblems(s).byNode.get(id) ?? NO_PROBLEMS;
}

/** A document node by id (stable until that node changes). */
export function selectNode(id: string): (s: FlowEditorState) => NodeRedNode | undefined {
  return (s) => nodeById(s.document, id);
}

/** Nodes added, changed and removed since load or the last deploy. */
export const selectChanges = (s: FlowEditorState): FlowChanges => changedSinceBaseline(s);

export const selectIsDirty = (s: FlowEditorState): boolean => !isUnchanged(changedSinceBaseline(s));

export const selectCanUndo = (s: FlowEditorState): boolean => s.history.past.length > 0;
export const selectCanRedo = (s: FlowEditorState): boolean => s.history.future.length > 0;

/** Which nodes refer to each config node (by any top-level string or string-array property holding its id). */
function usersOf(document: FlowDocument, configIds: ReadonlySet<string>): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const node of document.nodes) {
    for (const key of Object.keys(node)) {
      if (key === 'id' || key === 'z' || key === 'g') continue;
      const value = node[key];
      const ids = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
      for (const id of ids) {
        if (typeof id !== 'string' || !configIds.has(id) || id === node.id) continue;
        const list = users.get(id) ?? [];
        if (!list.includes(node.id)) list.push(node.id);
        users.set(id, list);
      }
    }
  }
  return users;
}

/** A selector that recomputes only when one of its inputs changes (one cached result per selector). */
function memoized<S, const D extends readonly unknown[], R>(inputs: (state: S) => D, compute: (...deps: D) => R): (state: S) => R {
  let last: { deps: D; value: R } | undefined;
  return (state) => {
    const deps = inputs(state);
    if (last && last.deps.length === deps.length && last.deps.every((dep, i) => dep === deps[i])) return last.value;
    const value = compute(...deps);
    last = { deps, value };
    return value;
  };
}
