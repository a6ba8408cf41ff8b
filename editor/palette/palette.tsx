/**
 * The palette: every node type by category, searchable; an entry is dragged onto the canvas (HTML5 drag and drop)
 * to add a node there. Looks like Node-RED's: a small node in the type's colour with its label.
 */
import { useMemo, useState, type DragEvent } from 'react';
import type { NodeTypeEntry } from '../../nodes/definitions.ts';
import { NodeIcon } from '../canvas/node-icon.tsx';
import { PanelCloseButton, PanelStrip } from '../layout/panel-toggles.tsx';
import { usePanelLayout } from '../layout/use-panel-layout.ts';
import { NODE_TYPE_MEDIA_TYPE } from './palette-drag.ts';
import { paletteGroups, paletteLabel } from './palette-groups.ts';
import { t } from '../editor.messages.ts';

/**
 * The palette of `types` (from `GET /api/v1/node-types`); `lockedTypes` are shown but cannot be dragged out. A
 * `readOnly` palette (a user who cannot change flows) lists every type to read about, none draggable. Closed (its
 * button, Ctrl+P, focus canvas), it leaves a strip that opens it again, and keeps its search meanwhile.
 */
export function Palette({ types, lockedTypes = new Set(), readOnly = false }: { types: readonly NodeTypeEntry[]; lockedTypes?: ReadonlySet<string>; readOnly?: boolean }) {
  const [search, setSearch] = useState('');
  const groups = useMemo(() => paletteGroups(types, search), [types, search]);
  const { palette: open } = usePanelLayout();
  return (
    <>
    {!open && <PanelStrip panel="palette" side="left" />}
    <aside aria-label={t('palette.label')} className={`${open ? 'flex' : 'hidden'} w-40 shrink-0 flex-col border-r border-slate-200 bg-slate-50 text-sm`}>
      <div className="m-2 flex items-center gap-1">
        <input
          type="search" aria-label={t('palette.search')} placeholder={t('palette.filter')} value={search}
          onChange={(e) => setSearch(e.target.value)}
          className="min-w-0 flex-1 rounded border border-slate-300 bg-white px-2 py-1 text-sm outline-none focus:border-sky-500"
        />
        <PanelCloseButton panel="palette" side="left" />
      </div>
      {readOnly && (
        <p role="note" className="mx-2 mb-2 rounded border border-slate-300 bg-white px-2 py-1 text-xs text-slate-600">
          {t('palette.readOnly')}
        </p>
      )}
      <div className="min-h-0 flex-1 overflow-y-auto px-2 pb-2">
        {groups.length === 0 && <p className="px-1 text-xs text-slate-500">{t('palette.none', { search })}</p>}
        {groups.map(({ category, entries }) => (
          <section key={category} className="mb-3">
            <h2 className="px-1 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">{category}</h2>
            <ul className="space-y-1.5">
              {entries.map((entry) => <PaletteEntry key={entry.type} entry={entry} locked={lockedTypes.has(entry.type)} readOnly={readOnly} />)}
            </ul>
          </section>
        ))}
      </div>
    </aside>
    </>
  );
}

function PaletteEntry({ entry, locked, readOnly }: { entry: NodeTypeEntry; locked: boolean; readOnly: boolean }) {
  const draggable = !locked && !readOnly;
  const onDragStart = (event: DragEvent) => {
    event.dataTransfer.setData(NODE_TYPE_MEDIA_TYPE, entry.type);
    event.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <li
      draggable={draggable} onDragStart={draggable ? onDragStart : undefined} data-node-type={entry.type} aria-disabled={!draggable || undefined}
      title={t(readOnly ? 'palette.readOnlyTitle' : locked ? 'palette.lockedTitle' : 'palette.dragTitle', { type: entry.type })}
      className={`relative flex h-7 items-stretch rounded-[5px] border border-slate-400 text-[13px] text-[#1e293b] shadow-sm ${draggable ? 'cursor-grab active:cursor-grabbing' : readOnly ? 'cursor-default opacity-70' : 'cursor-not-allowed opacity-45'}`}
      style={{ background: entry.color }}
    >
      {entry.inputs > 0 && <span aria-hidden className="absolute -left-[5px] top-1/2 h-2.5 w-2.5 -translate-y-1/2 rounded-[3px] border border-slate-400 bg-slate-200" />}
      {/* Node-RED puts the icon on the right of nodes that only take messages in (debug…). */}
      {!(entry.inputs > 0 && entry.outputs === 0) && <PaletteIcon icon={entry.icon} side="left" />}
      <span className={`flex min-w-0 flex-1 items-center truncate ${entry.inputs > 0 && entry.outputs === 0 ? 'pl-3 pr-2' : 'px-2'}`}>{paletteLabel(entry)}</span>
      {entry.inputs > 0 && entry.outputs === 0 && <PaletteIcon icon={entry.icon} side="right" />}
      {entry.outputs > 0 && <span aria-hidden className="absolute -right-[5px] top-1/2 h-2.5 w-2.5 -translate-y-1/2 rounded-[3px] border border-slate-400 bg-slate-200" />}
      {locked && (
        <span role="img" aria-label={t('palette.locked')} className="absolute -right-1.5 -top-1.5 flex h-4 w-4 items-center justify-center rounded-full border border-amber-500 bg-amber-100 text-[9px] text-amber-900">
          <i aria-hidden className="fa fa-lock" />
        </span>
      )}
    </li>
  );
}

function PaletteIcon({ icon, side }: { icon: string; side: 'left' | 'right' }) {
  return (
    <span aria-hidden className={`flex w-6 shrink-0 items-center justify-center bg-black/10 ${side === 'left' ? 'rounded-l-[4px]' : 'rounded-r-[4px]'}`}>
      <NodeIcon icon={icon} size={14} />
    </span>
  );
}
