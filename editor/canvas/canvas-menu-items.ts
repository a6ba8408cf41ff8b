/**
 * The canvas's right-click menu, as Node-RED's: what it offers for the current selection, each item disabled where
 * it does not apply, and everything but copy and select connected disabled for a user who cannot change flows.
 * Browser-safe, no React (the menu component draws the items).
 */
import type { XYPosition } from '@xyflow/react';
import { newNodeId } from '../model/flow-edits.ts';
import { connectedNodes, disableable, groupNodes, groupRefusal, setNodesDisabled } from '../model/flow-selection-edits.ts';
import type { FlowStore } from '../model/flow-store.ts';
import type { MenuItem } from '../ui/popup-menu.tsx';
import { t } from './canvas.messages.ts';

export interface CanvasMenuContext {
  readOnly: boolean;
  /** Where the menu was opened, in flow coordinates: where Paste puts the nodes. */
  at: XYPosition;
  onError(message: string): void;
  /** Opens quick-add where the menu was. */
  openQuickAdd(): void;
  /** Also puts copied flow JSON on the system clipboard. */
  writeClipboard(text: string): void;
}

/** The items of the menu for the store's current selection. */
export function canvasMenuItems(store: FlowStore, { readOnly, at, onError, openQuickAdd, writeClipboard }: CanvasMenuContext): MenuItem[] {
  const state = store.getState();
  const selected = [...state.selection.nodes];
  const nothing = selected.length === 0;
  const toggleable = disableable(state.document, selected);
  const allDisabled = toggleable.length > 0 && toggleable.every((node) => node['d'] === true);
  const copy = () => {
    const text = store.getState().copy();
    if (text !== null) writeClipboard(text);
  };
  return [
    { label: t('menu.addHere'), keys: 'Ctrl+click', disabled: readOnly, onSelect: openQuickAdd },
    {
      label: t('menu.cut'), keys: 'Ctrl+X', disabled: readOnly || nothing, separated: true,
      onSelect: () => {
        copy();
        store.getState().deleteSelection();
      },
    },
    { label: t('menu.copy'), keys: 'Ctrl+C', disabled: nothing, onSelect: copy },
    {
      label: t('menu.paste'), keys: 'Ctrl+V', disabled: readOnly || state.clipboard === null,
      onSelect: () => {
        try {
          store.getState().paste(store.getState().clipboard!, undefined, { x: Math.round(at.x), y: Math.round(at.y) });
        } catch (err) {
          onError(t('error.notPasted', { reason: err instanceof Error ? err.message : String(err) }));
        }
      },
    },
    { label: t('menu.delete'), keys: 'Delete', disabled: readOnly || (nothing && state.selection.edges.size === 0), onSelect: () => store.getState().deleteSelection() },
    {
      label: t('menu.group'), separated: true, disabled: readOnly || groupRefusal(state.document, selected) !== null,
      onSelect: () => {
        const id = newNodeId();
        store.getState().applyEdit((doc) => groupNodes(doc, selected, store.getState().measured, id).document, [id]);
      },
    },
    {
      label: allDisabled ? t('menu.enable') : t('menu.disable'), disabled: readOnly || toggleable.length === 0,
      onSelect: () => store.getState().applyEdit((doc) => setNodesDisabled(doc, selected, !allDisabled), selected),
    },
    {
      label: t('menu.selectConnected'), separated: true, disabled: nothing,
      onSelect: () => store.getState().select({ nodes: connectedNodes(store.getState().document, selected), edges: [] }),
    },
  ];
}
