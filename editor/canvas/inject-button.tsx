/**
 * The button on the left of an inject node, as in Node-RED: it fires the deployed node now. A node with undeployed
 * changes is not fired (the runtime runs the deployed version, not what is on the canvas); the user is told why.
 */
import { useState, type MouseEvent } from 'react';
import { useFlowEditor } from '../editor-context.tsx';
import { changedSinceBaseline } from '../model/flow-store.ts';
import { t } from './canvas.messages.ts';

export function InjectButton({ id, label, disabled }: { id: string; label: string; disabled: boolean }) {
  const { store, api, notify, canDeploy } = useFlowEditor();
  const [busy, setBusy] = useState(false);
  if (!canDeploy) return null;
  const fire = async (event: MouseEvent) => {
    event.stopPropagation();
    const changes = changedSinceBaseline(store.getState());
    if (changes.added.includes(id) || changes.changed.includes(id)) {
      notify({ kind: 'error', text: t('inject.undeployed', { label }) });
      return;
    }
    setBusy(true);
    try {
      await api.request('POST', `/flows/inject/${encodeURIComponent(id)}`);
      notify({ kind: 'ok', text: t('inject.done', { label }) });
    } catch (err) {
      notify({ kind: 'error', text: t('inject.failed', { reason: err instanceof Error ? err.message : String(err) }) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button" aria-label={t('inject.label', { label })} title={t('inject.title')} disabled={disabled || busy}
      // `nodrag`: React Flow must not start moving the node from its button.
      className="nodrag absolute -left-[26px] top-1/2 -mt-[11px] flex h-[22px] w-[18px] items-center justify-center rounded-l-[4px] border border-r-0 border-slate-500 bg-[#a6bbcf] hover:bg-[#8fa7be] disabled:opacity-50"
      onClick={(e) => void fire(e)}
      onMouseDown={(e) => e.stopPropagation()}
    >
      <span aria-hidden className="block h-[10px] w-[8px] rounded-[1px] bg-slate-700/70" />
    </button>
  );
}
