/**
 * The config nodes of the flows (listeners, brokers…), as Node-RED's "Configuration nodes" sidebar lists them: by
 * type, with how many nodes use each; selecting one opens it in the properties panel. New ones are added here.
 */
import { useState } from 'react';
import type { NodeTypeEntry } from '../../nodes/definitions.ts';
import { useFlowEditor, useFlowStore } from '../editor-context.tsx';
import { selectConfigNodes, selectTabs } from '../model/flow-selectors.ts';
import { t } from '../editor.messages.ts';
import { tc } from '../i18n.ts';

export function ConfigNodesPanel({ types, onOpen }: { types: readonly NodeTypeEntry[]; onOpen(id: string): void }) {
  const { store } = useFlowEditor();
  const configs = useFlowStore(selectConfigNodes);
  const tabs = useFlowStore(selectTabs);
  const selected = useFlowStore((s) => s.selection.nodes);
  const readOnly = useFlowStore((s) => s.readOnly);
  const configTypes = types.filter((t) => t.isConfigNode);
  const [adding, setAdding] = useState(configTypes[0]?.type ?? '');
  const scopeLabel = (scope: string | undefined) => (scope === undefined ? t('config.global') : (tabs.find((t) => t.id === scope)?.label ?? scope));

  return (
    <section aria-label={t('config.label')} className="flex flex-col gap-2 p-2 text-sm">
      {configs.length === 0 && <p className="text-xs text-slate-500">{t('config.none')}</p>}
      <ul className="space-y-1">
        {configs.map((config) => (
          <li key={config.id}>
            <button
              type="button" onClick={() => onOpen(config.id)} aria-pressed={selected.has(config.id)}
              className={`flex w-full items-center justify-between gap-2 rounded border px-2 py-1 text-left ${selected.has(config.id) ? 'border-orange-500 bg-orange-50' : 'border-slate-300 bg-white hover:bg-slate-50'} ${config.unknown ? 'border-dashed border-red-600' : ''}`}
            >
              <span className="min-w-0">
                <span className="block truncate text-slate-900">{config.label}</span>
                <span className="block truncate text-[11px] text-slate-500">
                  {config.type} · {scopeLabel(config.scope)}
                  {config.publicEndpoint && (
                    <span title={t('config.publicTitle')} className="ml-1 rounded border border-amber-500 bg-amber-100 px-1 text-[9px] font-semibold uppercase text-amber-900">{t('config.public')}</span>
                  )}
                </span>
              </span>
              <span title={t('config.users')} className={`shrink-0 rounded-full px-1.5 text-[11px] ${config.users.length === 0 ? 'bg-slate-100 text-slate-400' : 'bg-sky-100 text-sky-800'}`}>
                {config.users.length}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {configTypes.length > 0 && !readOnly && (
        <div className="flex gap-1 border-t border-slate-200 pt-2">
          <select aria-label={t('config.type')} value={adding} onChange={(e) => setAdding(e.target.value)} className="min-w-0 flex-1 rounded border border-slate-300 bg-white px-1 py-1 text-xs">
            {configTypes.map((t) => <option key={t.type} value={t.type}>{t.paletteLabel ?? t.label}</option>)}
          </select>
          <button type="button" onClick={() => onOpen(store.getState().addNode(adding))} className="rounded border border-slate-300 bg-white px-2 text-xs hover:bg-slate-100">
            {tc('add')}
          </button>
        </div>
      )}
    </section>
  );
}
