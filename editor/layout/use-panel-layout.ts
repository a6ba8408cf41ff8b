/**
 * The page's one remembered panel layout ({@link createLayoutStore} over localStorage), shared by the app's navigation
 * and the editor, and read in React with `useSyncExternalStore`.
 */
import { useSyncExternalStore } from 'react';
import { createLayoutStore, type LayoutStore, type PanelLayout } from './panel-layout.ts';

let store: LayoutStore | null = null;

/** The page's layout store, made on first use from the window's width then. */
export function layoutStore(): LayoutStore {
  store ??= createLayoutStore(window.localStorage, window.innerWidth);
  return store;
}

/** The current layout; re-renders when a panel opens or closes. */
export function usePanelLayout(): PanelLayout {
  const s = layoutStore();
  return useSyncExternalStore(s.subscribe, s.get);
}
