/**
 * Node-RED's search (Ctrl+F): type to find nodes on every tab and subflow by label, type, id or property text; the
 * results name each node's type and flow; Enter or a click shows the node (its tab, centred, selected). Read-only
 * users search too.
 */
import { useMemo, useState, type KeyboardEvent } from 'react';
import { useFlowStore } from '../editor-context.tsx';
import { searchFlows, type SearchHit } from '../model/flow-search.ts';
import { Modal } from '../ui/modal.tsx';

export function SearchDialog({ onPick, onClose }: { onPick(hit: SearchHit): void; onClose(): void }) {
  const document = useFlowStore((s) => s.document);
  const catalog = useFlowStore((s) => s.catalog);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const hits = useMemo(() => searchFlows(document, catalog, query), [document, catalog, query]);
  const pick = (hit: SearchHit | undefined) => {
    if (!hit) return;
    onClose();
    onPick(hit);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (hits.length > 0) setActive((at) => (at + (event.key === 'ArrowDown' ? 1 : hits.length - 1)) % hits.length);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      pick(hits[Math.min(active, hits.length - 1)]);
    }
  };
  return (
    <Modal title="Search flows" onClose={onClose} wide>
      <input
        type="search" aria-label="Search flows" placeholder="label, type, id or property text" autoFocus value={query}
        aria-controls="flow-search-results" aria-activedescendant={hits.length > 0 ? `flow-search-${Math.min(active, hits.length - 1)}` : undefined}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        className="w-full rounded border border-slate-300 px-2 py-1 text-sm outline-none focus:border-sky-500"
      />
      {query.trim() !== '' && (
        <p className="mt-2 text-xs text-slate-500" aria-live="polite">
          {hits.length === 0 ? 'No node matches.' : `${hits.length}${hits.length === 100 ? '+' : ''} found`}
        </p>
      )}
      <ul id="flow-search-results" role="listbox" aria-label="Search results" className="mt-1 max-h-80 overflow-y-auto">
        {hits.map((hit, i) => (
          <li
            key={hit.id} id={`flow-search-${i}`} role="option" aria-selected={i === active}
            onMouseEnter={() => setActive(i)} onClick={() => pick(hit)}
            className={`flex cursor-pointer items-baseline justify-between gap-3 rounded px-2 py-1 text-sm ${i === active ? 'bg-sky-50' : ''}`}
          >
            <span className="min-w-0 truncate text-slate-900">{hit.label}</span>
            <span className="shrink-0 text-xs text-slate-500">
              {hit.typeLabel} · {hit.kind === 'config' ? `config node, ${hit.tabLabel}` : hit.tabLabel}
            </span>
          </li>
        ))}
      </ul>
    </Modal>
  );
}
