/**
 * Node-RED's quick-add: Ctrl+click on the canvas opens a type-ahead of the palette's node types there; Enter (or a
 * click) adds the chosen one at that point. Types this user may not add (code nodes without `flows:code`) are left
 * out.
 */
import { useMemo, useRef, useState } from 'react';
import type { NodeTypeEntry } from '../../nodes/definitions.ts';
import { paletteGroups, paletteLabel } from '../palette/palette-groups.ts';
import { useDismiss } from '../ui/use-dismiss.ts';
import { useListChoice } from '../ui/use-list-choice.ts';
import { NodeIcon } from './node-icon.tsx';
import { t } from './canvas.messages.ts';

/** Entries shown at most: enough to scroll through a category, few enough to read. */
const SHOWN = 12;

export function QuickAdd({ x, y, types, lockedTypes, onPick, onClose }: {
  x: number; y: number; types: readonly NodeTypeEntry[]; lockedTypes: (type: string) => boolean; onPick(type: string): void; onClose(): void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [query, setQuery] = useState('');
  useDismiss(ref, true, onClose);
  const entries = useMemo(
    () => paletteGroups(types.filter((entry) => !lockedTypes(entry.type)), query).flatMap((group) => group.entries).slice(0, SHOWN),
    [types, lockedTypes, query],
  );
  const { active, setActive, onKeyDown, choose } = useListChoice(entries, (entry) => {
    onClose();
    onPick(entry.type);
  });
  return (
    <div
      ref={ref} role="dialog" aria-label={t('quickAdd.label')}
      className="fixed z-40 w-60 rounded border border-slate-300 bg-white p-1 text-sm shadow-lg"
      style={{ left: Math.min(x, window.innerWidth - 248), top: Math.min(y, window.innerHeight - 360) }}
    >
      <input
        type="search" aria-label={t('quickAdd.input')} placeholder={t('quickAdd.placeholder')} autoFocus value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        className="w-full rounded border border-slate-300 px-2 py-1 text-sm outline-none focus:border-sky-500"
      />
      <ul role="listbox" aria-label={t('quickAdd.list')} className="mt-1 max-h-80 overflow-y-auto">
        {entries.length === 0 && <li className="px-2 py-1 text-xs text-slate-500">{t('quickAdd.none')}</li>}
        {entries.map((entry, i) => (
          <li
            key={entry.type} role="option" aria-selected={i === active} data-node-type={entry.type}
            onMouseEnter={() => setActive(i)} onClick={() => choose(entry)}
            className={`flex cursor-pointer items-center gap-2 rounded px-1 py-0.5 ${i === active ? 'bg-sky-50' : ''}`}
          >
            <span aria-hidden className="flex h-5 w-6 shrink-0 items-center justify-center rounded-[3px] border border-slate-400" style={{ background: entry.color }}>
              <NodeIcon icon={entry.icon} size={12} />
            </span>
            <span className="min-w-0 flex-1 truncate text-slate-900">{paletteLabel(entry)}</span>
            <span className="shrink-0 text-[11px] text-slate-400">{entry.category}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
