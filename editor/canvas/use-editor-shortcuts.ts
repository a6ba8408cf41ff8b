/**
 * The editor's keyboard: Delete/Backspace delete the selection (one undo step), Ctrl/Cmd+Z undo, Shift+Ctrl/Cmd+Z
 * and Ctrl+Y redo, Ctrl/Cmd+A select all; copy, cut and paste go through the browser's clipboard events, so the
 * system clipboard works without a permission prompt and flow JSON copied anywhere (stock Node-RED included) pastes
 * in. Keys typed into a field are the field's. A read-only store (no `flows:write`) keeps selecting and copying only:
 * its changing shortcuts do nothing, and would be refused by the store anyway.
 */
import { useEffect } from 'react';
import type { XYPosition } from '@xyflow/react';
import type { FlowStore } from '../model/flow-store.ts';
import { pastePlace } from '../model/paste-place.ts';
import { t } from './canvas.messages.ts';

export interface EditorShortcutOptions {
  store: FlowStore;
  /** Where a paste lands: the pointer's position on the canvas, in flow coordinates; null off the canvas (see `pastePlace`). */
  pastePosition(): XYPosition | null;
  /** Tells the user why a paste did nothing. */
  onError(message: string): void;
}

/** Installs the shortcuts on the window while the editor is mounted. */
export function useEditorShortcuts({ store, pastePosition, onError }: EditorShortcutOptions): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (isTyping(event.target)) return;
      const state = store.getState();
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (state.readOnly && !(mod && key === 'a')) return;
      if (!mod && (event.key === 'Delete' || event.key === 'Backspace')) {
        if (state.selection.nodes.size === 0 && state.selection.edges.size === 0) return;
        event.preventDefault();
        state.deleteSelection();
      } else if (mod && key === 'z') {
        event.preventDefault();
        if (event.shiftKey) state.redo();
        else state.undo();
      } else if (mod && key === 'y') {
        event.preventDefault();
        state.redo();
      } else if (mod && key === 'a') {
        event.preventDefault();
        state.selectAll();
      }
    };
    const onCopy = (event: ClipboardEvent, cut: boolean) => {
      if (isTyping(event.target) || (cut && store.getState().readOnly)) return;
      const text = cut ? store.getState().cut() : store.getState().copy();
      if (text === null) return;
      event.clipboardData?.setData('text/plain', text);
      event.preventDefault();
    };
    const onPaste = (event: ClipboardEvent) => {
      if (isTyping(event.target) || store.getState().readOnly) return;
      const text = event.clipboardData?.getData('text/plain') || store.getState().clipboard;
      if (!text) return;
      event.preventDefault();
      try {
        const { document, activeTab } = store.getState();
        store.getState().paste(text, undefined, pastePlace(document, text, activeTab, pastePosition()));
      } catch (err) {
        onError(t('error.notPasted', { reason: err instanceof Error ? err.message : String(err) }));
      }
    };
    const copy = (event: ClipboardEvent) => onCopy(event, false);
    const cut = (event: ClipboardEvent) => onCopy(event, true);
    window.addEventListener('keydown', onKeyDown);
    window.addEventListener('copy', copy);
    window.addEventListener('cut', cut);
    window.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      window.removeEventListener('copy', copy);
      window.removeEventListener('cut', cut);
      window.removeEventListener('paste', onPaste);
    };
  }, [store, pastePosition, onError]);
}

/** Whether keys go to a text field or a dialog rather than the canvas. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.closest('[role="dialog"]')) return true;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}
