/**
 * What every part of one flow editor shares: its store, the live client and the API. Node components read the store
 * through {@link useFlowStore} with a narrow selector, so a node re-renders only when its own slice changes.
 */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { EditorApi } from './editor-api.ts';
import type { LiveClient } from './live/live-client.ts';
import type { FlowEditorState, FlowStore } from './model/flow-store.ts';

/** A line for the toolbar: how something the user did turned out. */
export interface Notice {
  kind: 'ok' | 'error';
  text: string;
}

export interface FlowEditorContextValue {
  store: FlowStore;
  live: LiveClient | null;
  api: EditorApi;
  /** Whether the user may deploy and fire inject nodes (not an operator). */
  canDeploy: boolean;
  /** Tells the user in the toolbar how an action came out. */
  notify(notice: Notice): void;
}

export const FlowEditorContext = createContext<FlowEditorContextValue | null>(null);

/** The editor this component is part of. */
export function useFlowEditor(): FlowEditorContextValue {
  const value = useContext(FlowEditorContext);
  if (!value) throw new Error('useFlowEditor outside a FlowEditor');
  return value;
}

/** A slice of the editor's store; the selector must return a stable value while its slice is unchanged. */
export function useFlowStore<T>(selector: (state: FlowEditorState) => T): T {
  return useStore(useFlowEditor().store, selector);
}
