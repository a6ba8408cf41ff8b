/**
 * Node-RED's search (Ctrl+F): type to find nodes on every tab and subflow by label, type, id or property text; the
 * results name each node's type and flow; Enter or a click shows the node (its tab, centred, selected). Read-only
 * users search too.
 */
import { useMemo, useState } from 'react';
import { useFlowStore } from '../editor-context.tsx';
import { searchFlows, type SearchHit } from '../model/flow-search.ts';
import { Modal } from '../ui/modal.tsx';
import { useListChoice } from '../ui/use-list-choice.ts';
import { t } from './canvas.messages.ts';

export function SearchDialog({ onPick, onClose }: { onPick(hit: SearchHit): void; onClose(): void }) {
  const document = useFlowStore((s) => s.document);
  const catalog = useFlowStore((s) => s.catalog);
  const [query, setQuery] = useState('');
  const hits = useMemo(() => searchFlows(document, catalog, query), [document, catalog, query]);
  const { active, setActive, onKeyDown, choose } = useListChoice(hits, (hit) => {
    onClose();
    onPick(hit);
  });
  return (
    <Modal title={t('search.title')} onClose={onClose} wide>
      <input
        type="search" aria-label={t('search.title')} placeholder={t('search.placeholder')} autoFocus value={query}
        aria-controls="flow-search-results" aria-activedescendant={hits.length > 0 ? `flow-search-${active}` : undefined}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        className="w-full rounded border border-slate-300 px-2 py-1 text-sm outline-none focus:border-sky-500"
      />
      {query.trim() !== '' && (
        <p className="mt-2 text-xs text-slate-500" aria-live="polite">
          {hits.length === 0 ? t('search.none') : t(hits.length === 100 ? 'search.foundMore' : 'search.found', { count: hits.length })}
        </p>
      )}
      <ul id="flow-search-results" role="listbox" aria-label={t('search.results')} className="mt-1 max-h-80 overflow-y-auto">
        {hits.map((hit, i) => (
          <li
            key={hit.id} id={`flow-search-${i}`} role="option" aria-selected={i === active}
            onMouseEnter={() => setActive(i)} onClick={() => choose(hit)}
            className={`flex cursor-pointer items-baseline justify-between gap-3 rounded px-2 py-1 text-sm ${i === active ? 'bg-sky-50' : ''}`}
          >
            <span className="min-w-0 truncate text-slate-900">{hit.label}</span>
            <span className="shrink-0 text-xs text-slate-500">
              {hit.typeLabel} · {hit.kind === 'config' ? t('search.configNode', { tab: hit.tabLabel }) : hit.tabLabel}
            </span>
          </li>
        ))}
      </ul>
    </Modal>
  );
}
