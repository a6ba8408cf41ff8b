/**
 * Node-RED's deploy button: red while there is something to deploy, with a menu for what to restart (everything,
 * modified flows, modified nodes), which Escape or a click elsewhere closes. Nodes that are not properly configured
 * are listed for the user to confirm first, as Node-RED does. The outcome is told in `onNotice`; a conflict opens the
 * conflict dialog.
 */
import { useCallback, useRef, useState } from 'react';
import { useFlowEditor, useFlowStore, type Notice } from '../editor-context.tsx';
import { selectIsDirty } from '../model/flow-selectors.ts';
import { problemList, type ProblemEntry } from '../model/problem-list.ts';
import { useDismiss } from '../ui/use-dismiss.ts';
import { ConflictDialog } from './conflict-dialog.tsx';
import { deployFlows, type DeployOutcome, type DeploymentType } from './deploy-flows.ts';
import { DeployWarningDialog } from './deploy-warning-dialog.tsx';
import { t } from '../editor.messages.ts';
import { currentLocale } from '../i18n.ts';
import { problemTextIn } from '../../nodes/i18n/problem-zh.def.ts';


type Key = Parameters<typeof t>[0];

/** The deployment types, by catalog key (translated where shown). */
const TYPES: { type: DeploymentType; label: Key; hint: Key }[] = [
  { type: 'full', label: 'deploy.full', hint: 'deploy.fullHint' },
  { type: 'flows', label: 'deploy.flows', hint: 'deploy.flowsHint' },
  { type: 'nodes', label: 'deploy.nodes', hint: 'deploy.nodesHint' },
];

export function DeployButton({ onNotice, onDeployed }: { onNotice(notice: Notice): void; onDeployed(): void }) {
  const { store, api } = useFlowEditor();
  const dirty = useFlowStore(selectIsDirty);
  const [type, setType] = useState<DeploymentType>('full');
  const [menu, setMenu] = useState(false);
  const [busy, setBusy] = useState(false);
  const [conflict, setConflict] = useState<Extract<DeployOutcome, { status: 'conflict' }> | null>(null);
  const [warning, setWarning] = useState<readonly ProblemEntry[] | null>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  useDismiss(menuRef, menu, useCallback(() => setMenu(false), []));

  /** Deploys, after the user confirmed Node-RED's warning when nodes are not properly configured. */
  const deploy = () => {
    const state = store.getState();
    const problems = state.problems();
    // A blocked deploy says why itself; the warning is for what the runtime would take but not run.
    const invalid = problems.deployBlocker === null ? problemList(problems, state.document, state.catalog) : [];
    if (invalid.length > 0) setWarning(invalid);
    else void run();
  };

  const run = async (overwriteRev?: string) => {
    setBusy(true);
    try {
      const outcome = await deployFlows(store, api, overwriteRev === undefined ? { type } : { type, overwriteRev });
      setConflict(outcome.status === 'conflict' ? outcome : null);
      if (outcome.status === 'deployed') {
        onDeployed();
        const invalid = outcome.warnings.length;
        onNotice({ kind: 'ok', text: invalid === 0 ? t('deploy.done') : t('deploy.doneInvalid', { count: invalid, messages: outcome.warnings.map((w) => problemTextIn(w, currentLocale(), w.type)).join(t('deploy.warningSeparator')) }) });
      } else if (outcome.status === 'unchanged') onNotice({ kind: 'ok', text: t('deploy.unchanged') });
      else if (outcome.status === 'blocked') onNotice({ kind: 'error', text: t('deploy.failed', { reason: outcome.message }) });
      else if (outcome.status === 'failed') onNotice({ kind: 'error', text: t('deploy.failed', { reason: outcome.message }) });
    } catch (err) {
      onNotice({ kind: 'error', text: t('deploy.failed', { reason: err instanceof Error ? err.message : String(err) }) });
    } finally {
      setBusy(false);
    }
  };

  const label = t(TYPES.find((entry) => entry.type === type)!.label);
  return (
    <div className="relative flex">
      <button
        type="button" onClick={deploy} disabled={busy} title={t(TYPES.find((entry) => entry.type === type)!.hint)}
        className={`rounded-l px-3 py-1 text-sm font-medium text-white disabled:opacity-60 ${dirty ? 'bg-red-700 hover:bg-red-800' : 'bg-slate-500 hover:bg-slate-600'}`}
      >
        {busy ? t('deploy.deploying') : type === 'full' ? t('deploy.button') : t('deploy.buttonTyped', { type: label.toLowerCase() })}
      </button>
      <button
        type="button" aria-label={t('deploy.options')} aria-expanded={menu} onClick={() => setMenu(!menu)}
        className={`rounded-r border-l border-white/30 px-1.5 text-sm text-white ${dirty ? 'bg-red-700 hover:bg-red-800' : 'bg-slate-500 hover:bg-slate-600'}`}
      >
        ▾
      </button>
      {menu && (
        <div ref={menuRef} role="menu" className="absolute right-0 top-full z-30 mt-1 w-56 rounded border border-slate-200 bg-white py-1 text-sm shadow-lg">
          {TYPES.map((entry) => (
            <button
              key={entry.type} type="button" role="menuitemradio" aria-checked={entry.type === type}
              onClick={() => { setType(entry.type); setMenu(false); }}
              className="block w-full px-3 py-1 text-left hover:bg-slate-100"
            >
              <span className="inline-block w-4">{entry.type === type ? '✓' : ''}</span>
              {t(entry.label)}
              <span className="block pl-4 text-[11px] text-slate-500">{t(entry.hint)}</span>
            </button>
          ))}
        </div>
      )}
      {warning && (
        <DeployWarningDialog
          entries={warning} onCancel={() => setWarning(null)}
          onConfirm={() => {
            setWarning(null);
            void run();
          }}
        />
      )}
      {conflict && (
        <ConflictDialog
          conflict={conflict} busy={busy}
          onCancel={() => setConflict(null)}
          onReload={() => {
            store.getState().load(conflict.server.flows, conflict.server.rev);
            setConflict(null);
            onDeployed();
            onNotice({ kind: 'ok', text: t('deploy.reloaded') });
          }}
          onOverwrite={() => void run(conflict.server.rev)}
        />
      )}
    </div>
  );
}
