/**
 * Import of Node-RED flow JSON, pasted or from a file: added to the flows with fresh ids (as Node-RED's import does,
 * so nothing existing is replaced), or replacing all flows as they are in the file. Nodes whose tab is missing get a
 * tab made for them. A text that is not flow JSON is refused with the reason, and nothing changes; wires to nodes
 * that exist nowhere are imported all the same, and the dialog stays open to name them.
 */
import { useState } from 'react';
import { useFlowEditor } from '../editor-context.tsx';
import { parseFlowJson } from '../model/flow-codec.ts';
import { BUTTON, Modal, ModalActions, PRIMARY_BUTTON } from '../ui/modal.tsx';
import { readFileText } from './flow-files.ts';
import { importIntoEditor, type ImportOutcome } from './import-flows.ts';
import { t } from '../editor.messages.ts';
import { tc } from '../i18n.ts';

type ImportMode = 'add' | 'replace';

export function ImportDialog({ onClose, onImported }: { onClose(): void; onImported(message: string): void }) {
  const { store } = useFlowEditor();
  const [text, setText] = useState('');
  const [mode, setMode] = useState<ImportMode>('add');
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<ImportOutcome | null>(null);

  const importText = () => {
    try {
      const result = importIntoEditor(store, parseFlowJson(text), mode);
      onImported(result.message);
      if (result.warnings.length === 0) onClose();
      else setOutcome(result);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  if (outcome) {
    return (
      <Modal title={t('import.title')} onClose={onClose} wide>
        <div className="space-y-2 text-sm">
          <p role="status" className="text-emerald-700">{outcome.message}</p>
          {outcome.warnings.map((warning) => (
            <div key={warning.heading} role="alert" aria-label={t('import.warning')} className="rounded border border-amber-300 bg-amber-50 p-2 text-amber-900">
              <p>{warning.heading}</p>
              <ul className="mt-1 list-disc pl-5 font-mono text-xs">
                {warning.lines.map((line, i) => <li key={i} className="break-all">{line}</li>)}
              </ul>
            </div>
          ))}
        </div>
        <ModalActions>
          <button type="button" className={PRIMARY_BUTTON} onClick={onClose}>{tc('close')}</button>
        </ModalActions>
      </Modal>
    );
  }

  return (
    <Modal title={t('import.title')} onClose={onClose} wide>
      <div className="space-y-2 text-sm">
        <label className="block">
          <span className="mb-1 block text-slate-700">{t('import.json')}</span>
          <textarea
            aria-label={t('import.json')} spellCheck={false} value={text} placeholder={t('import.placeholder')}
            onChange={(e) => { setText(e.target.value); setError(null); }}
            className="h-56 w-full rounded border border-slate-300 p-2 font-mono text-xs outline-none focus:border-sky-500"
          />
        </label>
        <label className="flex items-center gap-2 text-slate-700">
          <span>{t('import.fromFile')}</span>
          <input
            type="file" aria-label={t('import.file')} accept=".json,application/json"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (file) setText(await readFileText(file));
              setError(null);
            }}
            className="text-xs"
          />
        </label>
        <fieldset className="flex gap-4 text-slate-700">
          <legend className="sr-only">{t('import.as')}</legend>
          <label className="flex items-center gap-1">
            <input type="radio" name="import-mode" checked={mode === 'add'} onChange={() => setMode('add')} /> {t('import.add')}
          </label>
          <label className="flex items-center gap-1">
            <input type="radio" name="import-mode" checked={mode === 'replace'} onChange={() => setMode('replace')} /> {t('import.replace')}
          </label>
        </fieldset>
        {error && <p role="alert" className="text-red-700">{error}</p>}
      </div>
      <ModalActions>
        <button type="button" className={BUTTON} onClick={onClose}>{tc('cancel')}</button>
        <button type="button" className={PRIMARY_BUTTON} onClick={importText} disabled={text.trim() === ''}>{tc('import')}</button>
      </ModalActions>
    </Modal>
  );
}
