/**
 * The canvas's everyday interactions beyond drawing, as Node-RED has them: Ctrl+F search, Ctrl+click quick-add, the
 * right-click menu, the `?` shortcut list, and centring a node another part of the editor reveals (search, problems
 * list). `useCanvasInteractions` gives the canvas the React Flow handlers to pass on and the popups to draw.
 */
import { useCallback, useEffect, useState, type MouseEvent as ReactMouseEvent, type ReactNode } from 'react';
import { useReactFlow, type XYPosition } from '@xyflow/react';
import type { NodeTypeEntry } from '../../nodes/definitions.ts';
import { nodeById } from '../model/flow-codec.ts';
import type { CanvasNode } from '../model/flow-canvas.ts';
import { newNodeId } from '../model/flow-edits.ts';
import { addWiredNode } from '../model/flow-selection-edits.ts';
import type { FlowStore } from '../model/flow-store.ts';
import { PopupMenu } from '../ui/popup-menu.tsx';
import { canvasMenuItems } from './canvas-menu-items.ts';
import { QuickAdd } from './quick-add.tsx';
import { onReveal, revealNode } from './reveal-node.ts';
import { SearchDialog } from './search-dialog.tsx';
import { ShortcutList } from './shortcut-list.tsx';
import { isTyping } from './use-editor-shortcuts.ts';
import { t } from './canvas.messages.ts';

type Popup =
  | { kind: 'menu'; x: number; y: number; at: XYPosition }
  | { kind: 'quick-add'; x: number; y: number; at: XYPosition; from: string | undefined }
  | { kind: 'search' }
  | { kind: 'shortcuts' };

export interface CanvasInteractionOptions {
  store: FlowStore;
  readOnly: boolean;
  /** The palette's node types (quick-add offers them). */
  types: readonly NodeTypeEntry[];
  onError(message: string): void;
}

export interface CanvasInteractions {
  /** Handlers for `<ReactFlow>`. */
  flowProps: {
    onPaneClick(event: ReactMouseEvent): void;
    onPaneContextMenu(event: ReactMouseEvent | MouseEvent): void;
    onNodeContextMenu(event: ReactMouseEvent, node: CanvasNode): void;
    onSelectionContextMenu(event: ReactMouseEvent, nodes: CanvasNode[]): void;
  };
  /** The open popup, if any. */
  overlay: ReactNode;
}

/** Wires the interactions to the canvas of `store`; call it inside `<ReactFlowProvider>`, after the canvas's own effects. */
export function useCanvasInteractions({ store, readOnly, types, onError }: CanvasInteractionOptions): CanvasInteractions {
  const { screenToFlowPosition, setCenter, getZoom } = useReactFlow();
  const [popup, setPopup] = useState<Popup | null>(null);
  const close = useCallback(() => setPopup(null), []);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      // A code editor's own find (Ctrl+F in CodeMirror) comes first.
      if (event.defaultPrevented) return;
      if (mod && !event.shiftKey && !event.altKey && event.key.toLowerCase() === 'f') {
        // The browser's find cannot see nodes off screen; the flows' search can.
        event.preventDefault();
        setPopup({ kind: 'search' });
      } else if (event.key === '?' && !mod && !isTyping(event.target)) {
        event.preventDefault();
        setPopup({ kind: 'shortcuts' });
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  // A revealed node is centred once its tab is drawn: after the canvas's own fit of a newly shown tab (two frames).
  const [revealed, setRevealed] = useState<{ id: string } | null>(null);
  useEffect(() => onReveal(store, (id) => setRevealed({ id })), [store]);
  useEffect(() => {
    if (!revealed) return;
    const centre = () => {
      const node = nodeById(store.getState().document, revealed.id);
      if (typeof node?.['x'] !== 'number' || typeof node['y'] !== 'number') return;
      const group = node.type === 'group';
      const w = group && typeof node['w'] === 'number' ? node['w'] : 0;
      const h = group && typeof node['h'] === 'number' ? node['h'] : 0;
      void setCenter(node['x'] + w / 2, node['y'] + h / 2, { zoom: Math.max(getZoom(), 1) });
    };
    let frame = requestAnimationFrame(() => {
      frame = requestAnimationFrame(() => {
        frame = requestAnimationFrame(centre);
      });
    });
    return () => cancelAnimationFrame(frame);
  }, [revealed, store, setCenter, getZoom]);

  const openMenu = useCallback(
    (event: ReactMouseEvent | MouseEvent) => {
      event.preventDefault();
      setPopup({ kind: 'menu', x: event.clientX, y: event.clientY, at: screenToFlowPosition({ x: event.clientX, y: event.clientY }) });
    },
    [screenToFlowPosition],
  );

  const flowProps: CanvasInteractions['flowProps'] = {
    onPaneClick: (event) => {
      if (readOnly || !(event.ctrlKey || event.metaKey)) return;
      // The node to wire from is the one selected now: React Flow clears the selection after this click.
      const { selection } = store.getState();
      const from = selection.nodes.size === 1 ? [...selection.nodes][0] : undefined;
      setPopup({ kind: 'quick-add', x: event.clientX, y: event.clientY, at: screenToFlowPosition({ x: event.clientX, y: event.clientY }), from });
    },
    onPaneContextMenu: openMenu,
    onNodeContextMenu: (event, node) => {
      // As in Node-RED: a right-click on a node outside the selection selects that node alone.
      if (!store.getState().selection.nodes.has(node.id)) store.getState().select({ nodes: [node.id], edges: [] });
      openMenu(event);
    },
    onSelectionContextMenu: (event) => openMenu(event),
  };

  const quickAdd = (type: string, at: XYPosition, from: string | undefined) => {
    const state = store.getState();
    const position = { x: Math.round(at.x), y: Math.round(at.y) };
    try {
      if (state.activeTab === null) {
        state.addNode(type, position);
        return;
      }
      const id = newNodeId();
      state.applyEdit((doc) => addWiredNode(doc, state.catalog, type, state.activeTab!, position, from, id), [id]);
    } catch (err) {
      onError(t('error.notAdded', { reason: err instanceof Error ? err.message : String(err) }));
    }
  };

  let overlay: ReactNode = null;
  if (popup?.kind === 'search') {
    overlay = <SearchDialog onClose={close} onPick={(hit) => revealNode(store, hit.id)} />;
  } else if (popup?.kind === 'shortcuts') {
    overlay = <ShortcutList onClose={close} />;
  } else if (popup?.kind === 'quick-add') {
    const { at, from } = popup;
    overlay = (
      <QuickAdd x={popup.x} y={popup.y} types={types} lockedTypes={store.getState().catalog.isCodeLocked} onClose={close} onPick={(type) => quickAdd(type, at, from)} />
    );
  } else if (popup?.kind === 'menu') {
    const { selection } = store.getState();
    const from = selection.nodes.size === 1 ? [...selection.nodes][0] : undefined;
    const items = canvasMenuItems(store, {
      readOnly, at: popup.at, onError,
      openQuickAdd: () => setPopup({ ...popup, kind: 'quick-add', from }),
      // The system clipboard too, when the browser lets the page write it; the editor's own clipboard always has it.
      writeClipboard: (text) => void navigator.clipboard?.writeText(text).catch(() => undefined),
    });
    overlay = <PopupMenu label={t('menu.label')} x={popup.x} y={popup.y} items={items} onClose={close} />;
  }
  return { flowProps, overlay };
}
