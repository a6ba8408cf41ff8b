/**
 * The `?` dialog: every shortcut and mouse gesture the editor has, as Node-RED's keyboard shortcut list. A new
 * shortcut is one line in {@link EDITOR_SHORTCUTS}.
 */
import { BUTTON, Modal, ModalActions } from '../ui/modal.tsx';
import { t } from './canvas.messages.ts';
import { tc } from '../i18n.ts';

type Key = Parameters<typeof t>[0];

/** Each shortcut: its keys (a key combination as written, or a catalog key where words describe the gesture) and
 * what it does (a catalog key); the list translates them when it is shown. */
export const EDITOR_SHORTCUTS: readonly { keys: string | { key: Key }; does: Key }[] = [
  { keys: 'Ctrl+F', does: 'shortcut.search' },
  { keys: { key: 'keys.ctrlClickCanvas' }, does: 'shortcut.quickAdd' },
  { keys: { key: 'keys.rightClick' }, does: 'shortcut.menu' },
  { keys: 'Delete, Backspace', does: 'shortcut.delete' },
  { keys: 'Ctrl+C', does: 'shortcut.copy' },
  { keys: 'Ctrl+X', does: 'shortcut.cut' },
  { keys: 'Ctrl+V', does: 'shortcut.paste' },
  { keys: 'Ctrl+A', does: 'shortcut.selectAll' },
  { keys: 'Ctrl+Z', does: 'shortcut.undo' },
  { keys: 'Shift+Ctrl+Z, Ctrl+Y', does: 'shortcut.redo' },
  { keys: { key: 'keys.shiftDrag' }, does: 'shortcut.boxSelect' },
  { keys: { key: 'keys.ctrlShiftClick' }, does: 'shortcut.toggleSelect' },
  { keys: { key: 'keys.dragPalette' }, does: 'shortcut.drop' },
  { keys: 'Escape', does: 'shortcut.close' },
  { keys: '?', does: 'shortcut.help' },
];

export function ShortcutList({ onClose }: { onClose(): void }) {
  return (
    <Modal title={t('shortcuts.title')} onClose={onClose} wide>
      <table className="w-full text-sm">
        <tbody>
          {EDITOR_SHORTCUTS.map((shortcut) => (
            <tr key={shortcut.does} className="border-b border-slate-100 last:border-0">
              <td className="whitespace-nowrap py-1 pr-4 align-top">
                <kbd className="rounded border border-slate-300 bg-slate-50 px-1.5 py-0.5 font-mono text-xs text-slate-800">{typeof shortcut.keys === 'string' ? shortcut.keys : t(shortcut.keys.key)}</kbd>
              </td>
              <td className="py-1 text-slate-700">{t(shortcut.does)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ModalActions>
        <button type="button" className={BUTTON} onClick={onClose} autoFocus>
          {tc('close')}
        </button>
      </ModalActions>
    </Modal>
  );
}
