/**
 * React Flow's change events as flow store actions, so the canvas runs controlled by the store:
 * `onNodesChange={(c) => applyNodeChanges(store, c)}`, `onEdgesChange={(c) => applyEdgeChanges(store, c)}`,
 * `onConnect={(c) => store.getState().connect(c)}`. A drag is one undo step (its frames carry `dragging: true`);
 * removals of one event are one step. Browser-safe, no React (React Flow's types only).
 */
import type { EdgeChange, NodeChange } from '@xyflow/react';
import type { CanvasEdge, CanvasNode } from './flow-canvas.ts';
import type { FlowStore } from './flow-store.ts';
import type { NodeMove } from './flow-edits.ts';

/** Applies React Flow node changes: moves, measured sizes, selection and deletion. */
export function applyNodeChanges(store: FlowStore, changes: readonly NodeChange<CanvasNode>[]): void {
  const moves: NodeMove[] = [];
  let dragging = false;
  const sizes: { id: string; width: number; height: number }[] = [];
  const selected: string[] = [];
  const deselected: string[] = [];
  const removed: string[] = [];
  for (const change of changes) {
    switch (change.type) {
      case 'position':
        if (change.position) moves.push({ id: change.id, position: change.position });
        if (change.dragging) dragging = true;
        break;
      case 'dimensions':
        if (change.dimensions) sizes.push({ id: change.id, ...change.dimensions });
        break;
      case 'select':
        (change.selected ? selected : deselected).push(change.id);
        break;
      case 'remove':
        removed.push(change.id);
        break;
      // `add` and `replace` come only from code that sets nodes directly; the store owns the nodes.
    }
  }
  const state = store.getState();
  if (sizes.length > 0) state.setMeasured(sizes);
  if (moves.length > 0) state.moveNodes(moves, { ongoing: dragging });
  if (selected.length > 0 || deselected.length > 0) {
    const current = store.getState().selection;
    const nodes = new Set(current.nodes);
    for (const id of deselected) nodes.delete(id);
    for (const id of selected) nodes.add(id);
    store.getState().select({ nodes, edges: current.edges }, 'replace');
  }
  if (removed.length > 0) store.getState().deleteNodes(removed);
}

/** Applies React Flow edge changes: selection and deletion. */
export function applyEdgeChanges(store: FlowStore, changes: readonly EdgeChange<CanvasEdge>[]): void {
  const selected: string[] = [];
  const deselected: string[] = [];
  const removed: string[] = [];
  for (const change of changes) {
    if (change.type === 'select') (change.selected ? selected : deselected).push(change.id);
    else if (change.type === 'remove') removed.push(change.id);
  }
  if (selected.length > 0 || deselected.length > 0) {
    const state = store.getState();
    const edges = new Set(state.selection.edges);
    for (const id of deselected) edges.delete(id);
    for (const id of selected) edges.add(id);
    state.select({ nodes: state.selection.nodes, edges }, 'replace');
  }
  if (removed.length > 0) store.getState().disconnect(removed);
}
