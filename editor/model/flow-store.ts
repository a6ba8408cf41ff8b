/**
 * The flow editor's state: the flows being edited, what is selected, undo history, what changed since load, and the
 * actions a user takes on them. A zustand vanilla store built by a factory, so every editor (and every test) has its
 * own; React reads it through a context with narrow selectors (see `flow-selectors.ts`). Browser-safe, no React.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { XYPosition } from '@xyflow/react';
import { exportFlows, importFlows, nodeById, nodeIndex, parseFlowJson, type FlowDocument, type NodeRedNode } from './flow-codec.ts';
import {
  canvasMembers,
  parseSubflowPortId,
  parseWireId,
  portOfHandle,
  subflowPortId,
  subflowPorts,
  type Dimensions,
} from './flow-canvas.ts';
import { copyNodes, pasteNodes, type PasteResult } from './flow-clipboard.ts';
import { changedNodes, conflictSummary, isUnchanged, type FlowChanges, type FlowConflictSummary } from './flow-diff.ts';
import { readDraft, serializeDraft, type FlowDraft } from './flow-draft.ts';
import {
  addNodes,
  addWire,
  createNode,
  createTab,
  deleteNodes,
  deleteWires,
  FlowEditError,
  moveNodes,
  newNodeId,
  updateNode,
  type NodeMove,
} from './flow-edits.ts';
import { flowProblems, type FlowProblems } from './flow-problems.ts';
import { flowCatalog, hasPosition, kindOf, type FlowCatalog } from './node-catalog.ts';
import { t } from './model.messages.ts';

/** Selected canvas nodes (document ids, or subflow port ids) and edges (wire ids). */
export interface FlowSelection {
  nodes: ReadonlySet<string>;
  edges: ReadonlySet<string>;
}

/** The editor as one undo step restores it. */
export interface HistoryEntry {
  document: FlowDocument;
  activeTab: string | null;
  selection: FlowSelection;
}

export interface FlowHistory {
  /** Older states, oldest first; at most the store's history limit. */
  past: readonly HistoryEntry[];
  /** States undone, most recently undone last. */
  future: readonly HistoryEntry[];
  /** The gesture (a drag, typing in a field) whose calls still join the last undo step; null when none is open. */
  gesture: string | null;
}

export interface FlowStoreState {
  /** The flows being edited. */
  document: FlowDocument;
  /** The flows as loaded or last deployed: what "changed" is measured against. */
  baseline: FlowDocument;
  /** The `rev` the flows were loaded or last deployed at; deploys send it so a stale editor gets a conflict. */
  loadedRev: string | null;
  /** The tab or subflow on the canvas; null when there is none. */
  activeTab: string | null;
  selection: FlowSelection;
  /** The text of the last copy (Node-RED flow JSON). */
  clipboard: string | null;
  history: FlowHistory;
  /** Node sizes React Flow measured (view state: not in history, drafts or exports). */
  measured: ReadonlyMap<string, Dimensions>;
  /** The node types this editor knows. */
  catalog: FlowCatalog;
  /**
   * The user may look at the flows but not change them (no `flows:write`): every action that would change the
   * document refuses. Those that return nothing (moves, edits, deletes, undo) do nothing; `connect` is false, `cut`
   * null; those that would create something (`addNode`, `addTab`, `paste`, `addImported`, `restoreDraft`) throw a
   * `FlowEditError` with code `read-only`. Selecting, copying, switching tabs and exporting still work.
   */
  readOnly: boolean;
}

/** Options of a call that is one of many in a gesture. */
export interface GestureOptions {
  /**
   * The gesture goes on (a drag in progress, a field being typed in): calls with `ongoing` join one undo step, which
   * the next call for the same nodes without it completes.
   */
  ongoing?: boolean;
}

export type SelectionMode = 'replace' | 'add' | 'remove' | 'toggle';

/** A rectangle in canvas (flow) coordinates. */
export interface CanvasRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A wire drawn by the user: React Flow's `Connection`. */
export interface WireConnection {
  source: string;
  sourceHandle?: string | null;
  target: string;
}

/** What a deploy sends: Node-RED Admin API v2 `POST /flows` body. */
export interface DeployRequest {
  rev: string | null;
  flows: NodeRedNode[];
}

/** A deploy that must not go ahead: the flows use types the runtime does not have. */
export class FlowDeployBlockedError extends Error {
  override readonly name = 'FlowDeployBlockedError';
  readonly code = 'unknown-types';
  constructor(
    message: string,
    readonly types: readonly string[],
  ) {
    super(message);
  }
}

export interface FlowStoreActions {
  /** Replaces everything with flows from the server (clears history; they become the baseline). */
  load(flows: unknown, rev: string | null): void;
  /** Shows a tab or subflow. */
  setActiveTab(id: string): void;
  /**
   * Adds a node of a type at a canvas position on a tab (default: the active one; a first tab is created when there
   * is none) and selects it. A config node type gets no position and is global unless `tab` is given. Returns its id.
   */
  addNode(type: string, position?: XYPosition, tab?: string): string;
  /** Moves nodes (a group takes its nodes along); see {@link GestureOptions} for drags. */
  moveNodes(moves: readonly NodeMove[], options?: GestureOptions): void;
  /** Changes a node's properties (`undefined` removes one); see {@link GestureOptions} for typing. */
  updateNodeConfig(id: string, changes: Readonly<Record<string, unknown>>, options?: GestureOptions): void;
  /** Changes several nodes' properties as one undo step (both ends of a link). */
  updateNodesConfig(updates: readonly { id: string; changes: Readonly<Record<string, unknown>> }[]): void;
  /** Deletes the selected nodes (with a group's nodes) and wires. */
  deleteSelection(): void;
  /** Deletes nodes by id (with a group's nodes, a tab's contents). */
  deleteNodes(ids: Iterable<string>): void;
  /** Adds a wire; false when Node-RED would refuse it (other tab, no input, no such output) or it exists. */
  connect(connection: WireConnection): boolean;
  /** Removes wires by edge id. */
  disconnect(edgeIds: Iterable<string>): void;
  select(selection: { nodes?: Iterable<string>; edges?: Iterable<string> }, mode?: SelectionMode): void;
  /** Selects every node on the active canvas. */
  selectAll(): void;
  /** Selects the nodes whose centre (a group: whole box) lies in a canvas rectangle, as Node-RED's lasso does. */
  selectBox(rect: CanvasRect, mode?: SelectionMode): void;
  clearSelection(): void;
  /** Copies the selection as Node-RED flow JSON (also kept in `clipboard`); null when nothing is selected. */
  copy(): string | null;
  /** Copies, then deletes, the selection. */
  cut(): string | null;
  /**
   * Pastes Node-RED flow JSON onto a tab (default: the active one), centred on `position` (default: where the nodes
   * were). Fresh ids; wires among pasted nodes follow, wires to anything else are dropped. Selects and returns the
   * pasted nodes. Throws `FlowImportError` for text that is not flow JSON.
   */
  paste(text: string, tab?: string, position?: XYPosition): string[];
  /**
   * Adds imported flow JSON with fresh ids, as Node-RED's import does: nodes on a tab or subflow of the import or of
   * the flows stay on it (the rest go to the active tab), and links to nodes the flows have are kept, as are wires
   * to those on the same canvas (see `PasteTarget.keepPlaces`).
   * Shows the first tab with imported nodes and selects them there.
   */
  addImported(nodes: readonly NodeRedNode[]): PasteResult;
  /** Adds a tab after the others ("Flow <n>" unless labelled) and shows it. Returns its id. */
  addTab(label?: string): string;
  /** Renames a tab (a subflow: its name). */
  renameTab(id: string, label: string): void;
  disableTab(id: string, disabled?: boolean): void;
  /** Deletes a tab (or subflow, with its instances) and everything on it. */
  deleteTab(id: string): void;
  undo(): void;
  redo(): void;
  /** Records node sizes React Flow measured. */
  setMeasured(sizes: readonly ({ id: string } & Dimensions)[]): void;
  /** The flows as Node-RED flow JSON, for export. */
  toFlows(): NodeRedNode[];
  /** The deploy body; throws {@link FlowDeployBlockedError} naming the missing types when the flows use any. */
  deployRequest(): DeployRequest;
  /** After a successful deploy: the flows as they are become the baseline, at the server's new `rev`. */
  markDeployed(rev: string): void;
  /** Nodes added, changed and removed since load or the last deploy. */
  changedNodeIds(): FlowChanges;
  isDirty(): boolean;
  /** For a deploy conflict: what the server's flows (`otherFlows`) and this editor each changed since load. */
  diffSummary(otherFlows: unknown): FlowConflictSummary;
  /** The draft to keep across a page reload. */
  serializeDraft(): string;
  /** Restores a draft (throws `FlowDraftError` if the text is not one); history starts afresh. */
  restoreDraft(text: string): FlowDraft;
  /** Per-node config problems, unknown types and whether they block deploy. */
  problems(): FlowProblems;
  /**
   * Applies a pure edit of the document (`flow-selection-edits.ts`: group, disable, quick-add…) as one undo step and
   * selects `select` when given. Does nothing on a read-only store.
   */
  applyEdit(edit: (document: FlowDocument) => FlowDocument, select?: Iterable<string>): void;
}

export type FlowEditorState = FlowStoreState & FlowStoreActions;
export type FlowStore = StoreApi<FlowEditorState>;

export interface FlowStoreOptions {
  /** Flows to start with (Node-RED flow JSON). */
  flows?: unknown;
  rev?: string | null;
  /** Types the runtime has beyond our definitions (see `FlowCatalogOptions`). */
  installedTypes?: Iterable<string>;
  /** Code node types this user may not add or change (see `FlowCatalogOptions`). */
  lockedTypes?: Iterable<string>;
  /** Undo steps kept; 100 by default. */
  historyLimit?: number;
  /** Makes node ids; Node-RED-style random ids by default. */
  newId?: () => string;
  /** The clock drafts are stamped with. */
  now?: () => Date;
  /** Refuse every change of the flows (see {@link FlowStoreState.readOnly}); false by default. */
  readOnly?: boolean;
}

const EMPTY_SELECTION: FlowSelection = Object.freeze({ nodes: new Set<string>(), edges: new Set<string>() });

/** Creates a flow editor store. */
export function createFlowStore(options: FlowStoreOptions = {}): FlowStore {
  const catalog = flowCatalog({ installedTypes: options.installedTypes ?? [], lockedTypes: options.lockedTypes ?? [] });
  const limit = options.historyLimit ?? 100;
  const newId = options.newId ?? newNodeId;
  const now = options.now ?? (() => new Date());
  const initial = importFlows(options.flows ?? []);
  const readOnly = options.readOnly === true;
  /** Throws for an action that would create something while the flows are read-only. */
  const refuseCreating = (what: string) => {
    if (readOnly) throw new FlowEditError('read-only', t('edit.readOnly', { what }));
  };

  return createStore<FlowEditorState>()((set, get) => {
    /** Applies an edit: one undo step, unless it continues the open gesture or changes nothing. */
    const commit = (
      document: FlowDocument,
      next: { activeTab?: string | null; selection?: FlowSelection } = {},
      gesture?: { key: string; ongoing: boolean },
    ) => {
      // Every edit passes here: a read-only store keeps its document whatever action got this far.
      if (readOnly) return;
      const state = get();
      if (document === state.document) {
        const open = gesture?.ongoing && state.history.gesture === gesture.key ? gesture.key : null;
        const history = open === state.history.gesture ? state.history : { ...state.history, gesture: open };
        set({ ...next, history });
        return;
      }
      const joins = gesture !== undefined && state.history.gesture === gesture.key;
      const past = joins ? state.history.past : [...state.history.past, snapshot(state)].slice(-limit);
      const activeTab = validTab(document, next.activeTab !== undefined ? next.activeTab : state.activeTab);
      set({
        document,
        activeTab,
        selection: validSelection(document, next.selection ?? state.selection),
        history: { past, future: [], gesture: gesture?.ongoing ? gesture.key : null },
      });
    };

    /** The tab to put new nodes on: the given one, the active one, or a new first tab (part of the same edit). */
    const targetTab = (doc: FlowDocument, tab: string | undefined): { doc: FlowDocument; z: string } => {
      const z = tab ?? get().activeTab;
      if (z !== null && z !== undefined) {
        const container = nodeById(doc, z);
        if (container?.type !== 'tab' && container?.type !== 'subflow') {
          throw new FlowEditError('not-a-container', t('edit.notContainer', { id: z }));
        }
        return { doc, z };
      }
      const created = createTab(doc, undefined, newId());
      return { doc: addNodes(doc, [created]), z: created.id };
    };

    /** Undo (`back`) or redo: the editor as the step left it, the current state kept on the other side. */
    const travel = (direction: 'back' | 'forward') => {
      const state = get();
      const { past, future } = state.history;
      const [from, to] = direction === 'back' ? [past, future] : [future, past];
      const entry = from.at(-1);
      if (!entry) return;
      const rest = from.slice(0, -1);
      const other = [...to, snapshot(state)].slice(-limit);
      set({
        document: entry.document,
        activeTab: validTab(entry.document, entry.activeTab),
        selection: validSelection(entry.document, entry.selection),
        history: direction === 'back' ? { past: rest, future: other, gesture: null } : { past: other, future: rest, gesture: null },
      });
    };

    return {
      document: initial,
      baseline: initial,
      loadedRev: options.rev ?? null,
      activeTab: validTab(initial, null),
      selection: EMPTY_SELECTION,
      clipboard: null,
      history: { past: [], future: [], gesture: null },
      measured: new Map(),
      catalog,
      readOnly,

      load(flows, rev) {
        const document = importFlows(flows);
        set({
          document,
          baseline: document,
          loadedRev: rev,
          activeTab: validTab(document, get().activeTab),
          selection: EMPTY_SELECTION,
          history: { past: [], future: [], gesture: null },
        });
      },

      setActiveTab(id) {
        const container = nodeById(get().document, id);
        if (container?.type !== 'tab' && container?.type !== 'subflow') {
          throw new FlowEditError('not-a-container', t('edit.notContainer', { id }));
        }
        if (get().activeTab !== id) set({ activeTab: id, selection: EMPTY_SELECTION });
      },

      addNode(type, position, tab) {
        refuseCreating(t('edit.adding', { type }));
        const definition = catalog.definition(type);
        const id = newId();
        let doc = get().document;
        if (definition?.isConfigNode) {
          const node = createNode(doc, type, { z: tab, position: undefined }, catalog, id);
          commit(addNodes(doc, [node]));
          return id;
        }
        const target = targetTab(doc, tab);
        doc = target.doc;
        const node = createNode(doc, type, { z: target.z, position: position ?? { x: 0, y: 0 } }, catalog, id);
        commit(addNodes(doc, [node]), { activeTab: target.z, selection: { nodes: new Set([id]), edges: new Set() } });
        return id;
      },

      moveNodes(moves, moveOptions = {}) {
        if (readOnly) return;
        const key = `move:${[...new Set(moves.map((m) => m.id))].sort().join('\n')}`;
        commit(moveNodes(get().document, moves), {}, { key, ongoing: moveOptions.ongoing === true });
      },

      updateNodeConfig(id, changes, updateOptions = {}) {
        if (readOnly) return;
        const key = `update:${id}:${Object.keys(changes).sort().join('\n')}`;
        commit(updateNode(get().document, id, changes), {}, { key, ongoing: updateOptions.ongoing === true });
      },

      updateNodesConfig(updates) {
        if (readOnly) return;
        commit(updates.reduce((doc, { id, changes }) => updateNode(doc, id, changes), get().document));
      },

      deleteSelection() {
        if (readOnly) return;
        const { document, selection } = get();
        commit(deleteWires(deleteNodes(document, selection.nodes), selection.edges), { selection: EMPTY_SELECTION });
      },

      deleteNodes(ids) {
        if (readOnly) return;
        commit(deleteNodes(get().document, ids));
      },

      connect(connection) {
        if (readOnly) return false;
        const port = connection.sourceHandle == null ? 0 : portOfHandle(connection.sourceHandle);
        if (port === undefined) return false;
        const before = get().document;
        const after = addWire(before, { source: connection.source, port, target: connection.target }, catalog);
        commit(after);
        return after !== before;
      },

      disconnect(edgeIds) {
        if (readOnly) return;
        commit(deleteWires(get().document, edgeIds));
      },

      select(selection, mode = 'replace') {
        const current = get().selection;
        const nodes = combine(current.nodes, selection.nodes, mode, selection.nodes === undefined && mode === 'replace');
        const edges = combine(current.edges, selection.edges, mode, selection.edges === undefined && mode === 'replace');
        if (nodes === current.nodes && edges === current.edges) return;
        set({ selection: validSelection(get().document, { nodes, edges }) });
      },

      selectAll() {
        const { document, activeTab } = get();
        if (activeTab === null) return;
        set({ selection: { nodes: new Set(canvasIds(document, activeTab)), edges: new Set() } });
      },

      selectBox(rect, mode = 'replace') {
        const { document, activeTab } = get();
        if (activeTab === null) return;
        const left = Math.min(rect.x, rect.x + rect.width);
        const right = Math.max(rect.x, rect.x + rect.width);
        const top = Math.min(rect.y, rect.y + rect.height);
        const bottom = Math.max(rect.y, rect.y + rect.height);
        const inside = (x: number, y: number) => x >= left && x <= right && y >= top && y <= bottom;
        const hits: string[] = [];
        for (const node of canvasMembers(document, activeTab)) {
          if (!hasPosition(node)) continue;
          const { x, y } = node;
          if (node.type === 'group') {
            const w = typeof node['w'] === 'number' ? node['w'] : 0;
            const h = typeof node['h'] === 'number' ? node['h'] : 0;
            if (inside(x, y) && inside(x + w, y + h)) hits.push(node.id);
          } else if (inside(x, y)) hits.push(node.id);
        }
        const container = nodeById(document, activeTab);
        if (container?.type === 'subflow') {
          for (const ref of subflowPorts(container)) {
            const port = ref.direction === 'status' ? container['status'] : (container[ref.direction] as unknown[])[ref.index];
            const { x, y } = (port ?? {}) as { x?: unknown; y?: unknown };
            if (typeof x === 'number' && typeof y === 'number' && inside(x, y)) hits.push(subflowPortId(ref));
          }
        }
        get().select({ nodes: hits, edges: mode === 'replace' ? [] : undefined }, mode);
      },

      clearSelection() {
        set({ selection: EMPTY_SELECTION });
      },

      copy() {
        const { document, selection } = get();
        const nodes = copyNodes(document, selection.nodes);
        if (nodes.length === 0) return null;
        const text = JSON.stringify(nodes);
        set({ clipboard: text });
        return text;
      },

      cut() {
        if (readOnly) return null;
        const text = get().copy();
        if (text !== null) get().deleteSelection();
        return text;
      },

      paste(text, tab, position) {
        refuseCreating(t('edit.pasting'));
        const pasted = parseFlowJson(text);
        if (pasted.length === 0) return [];
        const needsTab = pasted.some((node) => isCanvasKind(node) && !isInPastedContainer(node, pasted));
        let doc = get().document;
        let z: string | undefined = tab ?? get().activeTab ?? undefined;
        if (needsTab) ({ doc, z } = targetTab(doc, tab));
        const result = pasteNodes(doc, pasted, position ? { z, position } : { z }, newId);
        const firstTab = result.tabIds[0];
        commit(result.document, {
          activeTab: result.nodeIds.length === 0 && firstTab !== undefined ? firstTab : needsTab ? (z ?? null) : get().activeTab,
          selection: { nodes: new Set(result.nodeIds), edges: new Set() },
        });
        return result.nodeIds;
      },

      addImported(nodes) {
        refuseCreating(t('edit.importing'));
        let doc = get().document;
        const onDocumentCanvas = (node: NodeRedNode) => typeof node['z'] === 'string' && isContainer(nodeById(doc, node['z']));
        const needsTab = nodes.some((node) => isCanvasKind(node) && !isInPastedContainer(node, nodes) && !onDocumentCanvas(node));
        let z: string | undefined = get().activeTab ?? undefined;
        if (needsTab) ({ doc, z } = targetTab(doc, undefined));
        const result = pasteNodes(doc, nodes, { z, keepPlaces: true }, newId);
        const added = nodes.filter(isCanvasKind).map((node) => nodeById(result.document, result.idMap.get(node.id) ?? ''));
        const shown = added.find((node) => node !== undefined && node.type !== 'group')?.['z'] ?? added[0]?.['z'];
        const activeTab = typeof shown === 'string' ? shown : (result.tabIds[0] ?? get().activeTab);
        const selected = added.filter((node) => node !== undefined && node['z'] === activeTab).map((node) => node!.id);
        commit(result.document, { activeTab, selection: { nodes: new Set(selected), edges: new Set() } });
        return result;
      },

      addTab(label) {
        refuseCreating(t('edit.addingFlow'));
        const tab = createTab(get().document, label, newId());
        commit(addNodes(get().document, [tab]), { activeTab: tab.id, selection: EMPTY_SELECTION });
        return tab.id;
      },

      renameTab(id, label) {
        if (readOnly) return;
        const node = nodeById(get().document, id);
        if (node?.type !== 'tab' && node?.type !== 'subflow') throw new FlowEditError('not-a-container', t('edit.notContainer', { id }));
        commit(updateNode(get().document, id, node.type === 'tab' ? { label } : { name: label }));
      },

      disableTab(id, disabled = true) {
        if (readOnly) return;
        const node = nodeById(get().document, id);
        if (node?.type !== 'tab') throw new FlowEditError('not-a-container', t('edit.notTab', { id }));
        commit(updateNode(get().document, id, { disabled }));
      },

      deleteTab(id) {
        if (readOnly) return;
        const { document, activeTab } = get();
        const containers = document.nodes.filter((node) => node.type === 'tab' || node.type === 'subflow');
        const at = containers.findIndex((node) => node.id === id);
        if (at < 0) return;
        const neighbour = containers[at - 1] ?? containers[at + 1];
        commit(deleteNodes(document, [id]), {
          activeTab: activeTab === id ? (neighbour?.id ?? null) : activeTab,
          selection: activeTab === id ? EMPTY_SELECTION : get().selection,
        });
      },

      undo() {
        if (!readOnly) travel('back');
      },

      redo() {
        if (!readOnly) travel('forward');
      },

      setMeasured(sizes) {
        const current = get().measured;
        const changed = sizes.filter((s) => current.get(s.id)?.width !== s.width || current.get(s.id)?.height !== s.height);
        if (changed.length === 0) return;
        const measured = new Map(current);
        for (const { id, width, height } of changed) measured.set(id, { width, height });
        set({ measured });
      },

      toFlows() {
        return exportFlows(get().document);
      },

      deployRequest() {
        const { document, baseline, loadedRev } = get();
        const problems = flowProblems(document, catalog, baseline);
        if (problems.deployBlocker !== null) throw new FlowDeployBlockedError(problems.deployBlocker, problems.unknownTypes);
        return { rev: loadedRev, flows: exportFlows(document) };
      },

      markDeployed(rev) {
        set({ baseline: get().document, loadedRev: rev });
      },

      changedNodeIds() {
        return changedSinceBaseline(get());
      },

      isDirty() {
        return !isUnchanged(changedSinceBaseline(get()));
      },

      diffSummary(otherFlows) {
        const { baseline, document } = get();
        return conflictSummary(baseline, document, importFlows(otherFlows), catalog);
      },

      serializeDraft() {
        const { loadedRev, activeTab, baseline, document } = get();
        return serializeDraft({ rev: loadedRev, savedAt: now().toISOString(), activeTab, baseline, document });
      },

      restoreDraft(text) {
        refuseCreating(t('edit.restoringDraft'));
        const draft = readDraft(text);
        set({
          document: draft.document,
          baseline: draft.baseline,
          loadedRev: draft.rev,
          activeTab: validTab(draft.document, draft.activeTab),
          selection: EMPTY_SELECTION,
          history: { past: [], future: [], gesture: null },
        });
        return draft;
      },

      problems() {
        return flowProblems(get().document, catalog, get().baseline);
      },

      applyEdit(edit, select) {
        if (readOnly) return;
        commit(edit(get().document), select === undefined ? {} : { selection: { nodes: new Set(select), edges: new Set() } });
      },
    };
  });
}

/** Nodes added, changed and removed since the baseline (computed once per document and baseline). */
export function changedSinceBaseline(state: Pick<FlowStoreState, 'baseline' | 'document'>): FlowChanges {
  const hit = changesMemo.get(state.document);
  if (hit?.baseline === state.baseline) return hit.value;
  const value = changedNodes(state.baseline, state.document);
  changesMemo.set(state.document, { baseline: state.baseline, value });
  return value;
}
const changesMemo = new WeakMap<FlowDocument, { baseline: FlowDocument; value: FlowChanges }>();

function snapshot(state: FlowStoreState): HistoryEntry {
  return { document: state.document, activeTab: state.activeTab, selection: state.selection };
}

/** The tab to show: the wanted one if it exists, else the first tab, else the first subflow. */
function validTab(doc: FlowDocument, wanted: string | null): string | null {
  const container = wanted === null ? undefined : nodeById(doc, wanted);
  if (container?.type === 'tab' || container?.type === 'subflow') return container.id;
  return (doc.nodes.find((node) => node.type === 'tab') ?? doc.nodes.find((node) => node.type === 'subflow'))?.id ?? null;
}

/** A selection without what the document no longer has (the same object when nothing is gone). */
function validSelection(doc: FlowDocument, selection: FlowSelection): FlowSelection {
  const index = nodeIndex(doc);
  const exists = (id: string) => {
    if (index.has(id)) return true;
    const port = parseSubflowPortId(id);
    const subflow = port && index.get(port.subflowId);
    return subflow?.type === 'subflow' && subflowPorts(subflow).some((ref) => subflowPortId(ref) === id);
  };
  const edgeExists = (id: string) => {
    const ref = parseWireId(id);
    return ref !== undefined && exists(ref.source) && exists(ref.target);
  };
  const nodes = [...selection.nodes].filter(exists);
  const edges = [...selection.edges].filter(edgeExists);
  if (nodes.length === selection.nodes.size && edges.length === selection.edges.size) return selection;
  return { nodes: new Set(nodes), edges: new Set(edges) };
}

/** The selection after a change; the current set itself when the change leaves it as it was (so selectors keep). */
function combine(current: ReadonlySet<string>, ids: Iterable<string> | undefined, mode: SelectionMode, clear: boolean): ReadonlySet<string> {
  const next = combined(current, ids, mode, clear);
  return next.size === current.size && [...next].every((id) => current.has(id)) ? current : next;
}

function combined(current: ReadonlySet<string>, ids: Iterable<string> | undefined, mode: SelectionMode, clear: boolean): ReadonlySet<string> {
  if (clear) return new Set();
  if (ids === undefined) return current;
  const list = new Set(ids);
  switch (mode) {
    case 'replace':
      return list;
    case 'add':
      return new Set([...current, ...list]);
    case 'remove':
      return new Set([...current].filter((id) => !list.has(id)));
    case 'toggle': {
      const next = new Set(current);
      for (const id of list) if (!next.delete(id)) next.add(id);
      return next;
    }
  }
}

/** Ids of everything on a canvas: its nodes and, for a subflow, its ports. */
function canvasIds(doc: FlowDocument, containerId: string): string[] {
  const ids = canvasMembers(doc, containerId).map((node) => node.id);
  const container = nodeById(doc, containerId);
  if (container?.type === 'subflow') ids.push(...subflowPorts(container).map(subflowPortId));
  return ids;
}

function isCanvasKind(node: NodeRedNode): boolean {
  const kind = kindOf(node);
  return kind === 'node' || kind === 'group' || kind === 'junction';
}

function isContainer(node: NodeRedNode | undefined): boolean {
  return node?.type === 'tab' || node?.type === 'subflow';
}

function isInPastedContainer(node: NodeRedNode, pasted: readonly NodeRedNode[]): boolean {
  const z = node['z'];
  return typeof z === 'string' && pasted.some((other) => other.id === z && (other.type === 'tab' || other.type === 'subflow'));
}
