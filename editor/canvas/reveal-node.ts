/**
 * "Show me that node", from anywhere in the editor (search, the problems list): its tab comes up, it is selected,
 * and the canvas centres it. The canvas listens per store (`onReveal`), since the sidebar and dialogs that ask live
 * outside React Flow. Browser-safe, no React.
 */
import { nodeById } from '../model/flow-codec.ts';
import type { FlowStore } from '../model/flow-store.ts';

const listeners = new WeakMap<FlowStore, Set<(id: string) => void>>();

/** Switches to the node's tab or subflow, selects it and asks the canvas to centre it; false when it is gone. */
export function revealNode(store: FlowStore, id: string): boolean {
  const state = store.getState();
  const node = nodeById(state.document, id);
  if (!node) return false;
  const z = node['z'];
  const container = typeof z === 'string' ? nodeById(state.document, z) : undefined;
  if (container?.type === 'tab' || container?.type === 'subflow') state.setActiveTab(container.id);
  store.getState().select({ nodes: [id], edges: [] });
  for (const listener of listeners.get(store) ?? []) listener(id);
  return true;
}

/** Calls `listener` with each node revealed in `store`; returns the unsubscribe. */
export function onReveal(store: FlowStore, listener: (id: string) => void): () => void {
  let set = listeners.get(store);
  if (!set) listeners.set(store, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}
