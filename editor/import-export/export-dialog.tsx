/**
 * Export as Node-RED flow JSON: all flows, or the selected nodes (with the config nodes they use, as a copy takes
 * them), to a file or the clipboard. The JSON is shown too, so it can be read or copied by hand.
 */
import { useMemo, useState } from 'react';
import { useFlowEditor } from '../editor-context.tsx';
import { copyNodes } from '../model/flow-clipboard.ts';
import { BUTTON, Modal, ModalActions, PRIMARY_BUTTON } from '../ui/modal.tsx';
import { downloadText, flowJsonText } from './flow-files.ts';
import { t } from '../editor.messages.ts';
import { tc } from '../i18n.ts';

type ExportScope = 'all' | 'selected';

export function ExportDialog({ onClose, onExported }: { onClose(): void; onExported(message: string): void }) {
  const { store } = useFlowEditor();
  const hasSelection = store.getState().selection.nodes.size > 0;
  const [scope, setScope] = useState<ExportScope>(hasSelection ? 'selected' : 'all');
  const text = useMemo(() => {
    const state = store.getState();
    return flowJsonText(scope === 'selected' ? copyNodes(state.document, state.selection.nodes) : state.toFlows());
  }, [store, scope]);

  return (
    <Modal title={t('export.title')} onClose={onClose} wide>
      <fieldset className="mb-2 flex gap-4 text-sm text-slate-700">
        <legend className="sr-only">{tc('export')}</legend>
        <label className="flex items-center gap-1">
          <input type="radio" name="export-scope" checked={scope === 'all'} onChange={() => setScope('all')} /> {t('export.all')}
        </label>
        <label className="flex items-center gap-1">
          <input type="radio" name="export-scope" checked={scope === 'selected'} disabled={!hasSelection} onChange={() => setScope('selected')} /> {t('export.selected')}
        </label>
      </fieldset>
      <textarea aria-label={t('export.json')} readOnly value={text} className="h-56 w-full rounded border border-slate-300 p-2 font-mono text-xs" />
      <ModalActions>
        <button type="button" className={BUTTON} onClick={onClose}>{tc('close')}</button>
        <button
          type="button" className={BUTTON}
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(text);
              onExported(t('export.copied'));
              onClose();
            } catch (err) {
              onExported(t('export.noClipboard', { reason: err instanceof Error ? err.message : String(err) }));
            }
          }}
        >
          {t('export.copy')}
        </button>
        <button type="button" className={PRIMARY_BUTTON} onClick={() => { downloadText(text, 'flows.json'); onExported(t('export.downloaded', { file: 'flows.json' })); onClose(); }}>
          {tc('download')}
        </button>
      </ModalActions>
    </Modal>
  );
}
