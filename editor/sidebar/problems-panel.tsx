/**
 * The problems list: every node with a problem on any tab or subflow (invalid config, a missing config node or
 * type, a code change this user may not make), with its flow and what is wrong; a click shows the node and its
 * properties, where the field at fault says why.
 */
import { useMemo } from 'react';
import { useFlowEditor, useFlowStore } from '../editor-context.tsx';
import { revealNode } from '../canvas/reveal-node.ts';
import { selectProblems } from '../model/flow-selectors.ts';
import { problemList, type ProblemEntry } from '../model/problem-list.ts';
import { t } from '../editor.messages.ts';

/** The entries of the problems list (stable while the problems are). */
export function useProblemList(): readonly ProblemEntry[] {
  const problems = useFlowStore(selectProblems);
  const document = useFlowStore((s) => s.document);
  const catalog = useFlowStore((s) => s.catalog);
  return useMemo(() => problemList(problems, document, catalog), [problems, document, catalog]);
}

export function ProblemsPanel({ onOpen }: { onOpen(id: string): void }) {
  const { store } = useFlowEditor();
  const entries = useProblemList();
  if (entries.length === 0) return <p className="p-3 text-xs text-slate-500">{t('problems.none')}</p>;
  return (
    <ul aria-label={t('problems.label')} className="divide-y divide-slate-100 text-sm">
      {entries.map((entry) => (
        <li key={entry.nodeId}>
          <button
            type="button" data-node-id={entry.nodeId}
            onClick={() => {
              revealNode(store, entry.nodeId);
              onOpen(entry.nodeId);
            }}
            className="block w-full px-3 py-2 text-left hover:bg-slate-50"
          >
            <span className="flex items-center gap-2">
              <span aria-hidden className={`h-2.5 w-2.5 shrink-0 rounded-full ${entry.blocksDeploy ? 'bg-red-700' : 'bg-red-500'}`} />
              <span className="min-w-0 flex-1 truncate font-medium text-slate-900">{entry.label}</span>
              <span className="shrink-0 text-xs text-slate-500">{entry.config ? t('problems.config', { tab: entry.tabLabel }) : entry.tabLabel}</span>
            </span>
            <span className="mt-0.5 block pl-[18px] text-xs text-red-700">{entry.messages.join(' · ')}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

/** The count on the sidebar's Problems tab; nothing when there are none. */
export function ProblemCount() {
  const count = useProblemList().length;
  if (count === 0) return null;
  return <span className="ml-1 rounded-full bg-red-600 px-1.5 text-[10px] font-semibold leading-4 text-white">{count}</span>;
}
