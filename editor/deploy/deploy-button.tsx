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


const TYPES: { type: DeploymentType; label: string; hint: string }[] = [
  { type: 'full', label: 'Full', hint: 'Restarts every flow' },
  { type: 'flows', label: 'Modified flows', hint: 'Restarts only the flows that changed' },
  { type: 'nodes', label: 'Modified nodes', hint: 'Restarts only the nodes that changed' },
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
        onNotice({ kind: 'ok', text: invalid === 0 ? 'Deployed.' : `Deployed; ${invalid} node${invalid > 1 ? 's have' : ' has'} invalid config and will not run: ${outcome.warnings.map((w) => w.message).join('; ')}` });
      } else if (outcome.status === 'unchanged') onNotice({ kind: 'ok', text: 'Nothing changed: nothing to deploy.' });
      else if (outcome.status === 'blocked') onNotice({ kind: 'error', text: `Not deployed: ${outcome.message}` });
      else if (outcome.status === 'failed') onNotice({ kind: 'error', text: `Not deployed: ${outcome.message}` });
    } catch (err) {
      onNotice({ kind: 'error', text: `Not deployed: ${err instanceof Error ? err.message : String(err)}` });
    } finally {
      setBusy(false);
    }
  };

  const label = TYPES.find((t) => t.type === type)!.label;
  return (
    <div className="relative flex">
      <button
        type="button" onClick={deploy} disabled={busy} title={TYPES.find((t) => t.type === type)!.hint}
        className={`rounded-l px-3 py-1 text-sm font-medium text-white disabled:opacity-60 ${dirty ? 'bg-red-700 hover:bg-red-800' : 'bg-slate-500 hover:bg-slate-600'}`}
      >
        {busy ? 'Deploying…' : type === 'full' ? 'Deploy' : `Deploy (${label.toLowerCase()})`}
      </button>
      <button
        type="button" aria-label="Deploy options" aria-expanded={menu} onClick={() => setMenu(!menu)}
        className={`rounded-r border-l border-white/30 px-1.5 text-sm text-white ${dirty ? 'bg-red-700 hover:bg-red-800' : 'bg-slate-500 hover:bg-slate-600'}`}
      >
        ▾
      </button>
      {menu && (
        <div ref={menuRef} role="menu" className="absolute right-0 top-full z-30 mt-1 w-56 rounded border border-slate-200 bg-white py-1 text-sm shadow-lg">
          {TYPES.map((t) => (
            <button
              key={t.type} type="button" role="menuitemradio" aria-checked={t.type === type}
              onClick={() => { setType(t.type); setMenu(false); }}
              className="block w-full px-3 py-1 text-left hover:bg-slate-100"
            >
              <span className="inline-block w-4">{t.type === type ? '✓' : ''}</span>
              {t.label}
              <span className="block pl-4 text-[11px] text-slate-500">{t.hint}</span>
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
            onNotice({ kind: 'ok', text: 'Reloaded the deployed flows; your changes were discarded.' });
          }}
          onOverwrite={() => void run(conflict.server.rev)}
        />
      )}
    </div>
  );
}
