/**
 * The `?` dialog: every shortcut and mouse gesture the editor has, as Node-RED's keyboard shortcut list. A new
 * shortcut is one line in {@link EDITOR_SHORTCUTS}.
 */
import { BUTTON, Modal, ModalActions } from '../ui/modal.tsx';

export const EDITOR_SHORTCUTS: readonly { keys: string; does: string }[] = [
  { keys: 'Ctrl+F', does: 'Search the flows (all tabs and subflows)' },
  { keys: 'Ctrl+click on the canvas', does: 'Add a node there (quick-add), wired from the selected node' },
  { keys: 'Right-click', does: 'Menu: cut, copy, paste, delete, group, enable/disable, select connected' },
  { keys: 'Delete, Backspace', does: 'Delete the selection' },
  { keys: 'Ctrl+C', does: 'Copy the selection' },
  { keys: 'Ctrl+X', does: 'Cut the selection' },
  { keys: 'Ctrl+V', does: 'Paste (at the mouse when it is on the canvas)' },
  { keys: 'Ctrl+A', does: 'Select all nodes of the flow' },
  { keys: 'Ctrl+Z', does: 'Undo' },
  { keys: 'Shift+Ctrl+Z, Ctrl+Y', does: 'Redo' },
  { keys: 'Shift+drag', does: 'Select the nodes in a box' },
  { keys: 'Ctrl+click, Shift+click', does: 'Add a node to the selection, or take it out' },
  { keys: 'Drag from the palette', does: 'Add a node where it is dropped' },
  { keys: 'Escape', does: 'Close a menu or dialog' },
  { keys: '?', does: 'Show this list' },
];

export function ShortcutList({ onClose }: { onClose(): void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} wide>
      <table className="w-full text-sm">
        <tbody>
          {EDITOR_SHORTCUTS.map((shortcut) => (
            <tr key={shortcut.keys} className="border-b border-slate-100 last:border-0">
              <td className="whitespace-nowrap py-1 pr-4 align-top">
                <kbd className="rounded border border-slate-300 bg-slate-50 px-1.5 py-0.5 font-mono text-xs text-slate-800">{shortcut.keys}</kbd>
              </td>
              <td className="py-1 text-slate-700">{shortcut.does}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ModalActions>
        <button type="button" className={BUTTON} onClick={onClose} autoFocus>
          Close
        </button>
      </ModalActions>
    </Modal>
  );
}
