/**
 * The debug sidebar: what debug nodes print and what failing nodes report, newest at the bottom, from the live feed.
 * Clicking a message's node shows it on its tab, selected.
 */
import { useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { useStore, type StoreApi } from 'zustand';
import { nodeById } from '../model/flow-codec.ts';
import type { FlowEditorState } from '../model/flow-store.ts';
import { labelOf } from '../model/node-catalog.ts';
import type { DebugEntry, RuntimeEntry } from './debug-message.ts';
import { JsonTree } from './json-tree.tsx';
import type { LiveClient } from './live-client.ts';
import { t } from '../editor.messages.ts';

export type DebugFilter = 'all' | 'selected' | 'tab';

export interface DebugSidebarProps {
  live: LiveClient;
  store: StoreApi<FlowEditorState>;
}

/** The debug messages of the live feed, filtered to all nodes, the selected ones or the current tab. */
export function DebugSidebar({ live, store }: DebugSidebarProps) {
  const log = useSyncExternalStore(live.subscribeLog, live.log, live.log);
  const dropped = useSyncExternalStore(live.subscribeLog, live.droppedCount, live.droppedCount);
  const connection = useSyncExternalStore(live.subscribeConnection, live.connectionState, live.connectionState);
  const document = useStore(store, (s) => s.document);
  const catalog = useStore(store, (s) => s.catalog);
  const selected = useStore(store, (s) => s.selection.nodes);
  const activeTab = useStore(store, (s) => s.activeTab);
  const [filter, setFilter] = useState<DebugFilter>('all');

  const shown = useMemo(
    () =>
      log.filter((entry) => {
        if (entry.kind === 'runtime') return filter !== 'selected';
        if (filter === 'all') return true;
        if (entry.kind !== 'debug' || entry.nodeId === undefined) return false;
        if (filter === 'selected') return selected.has(entry.nodeId);
        const node = nodeById(document, entry.nodeId);
        return (typeof node?.['z'] === 'string' ? node['z'] : entry.z) === activeTab;
      }),
    [log, filter, selected, activeTab, document],
  );

  // Stay at the bottom as messages arrive, unless the reader scrolled up to look at something.
  const list = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);
  useLayoutEffect(() => {
    const el = list.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [shown]);

  const reveal = (nodeId: string) => {
    const state = store.getState();
    const node = nodeById(state.document, nodeId);
    if (!node) return;
    const z = node['z'];
    if (typeof z === 'string' && z !== state.activeTab && nodeById(state.document, z)) state.setActiveTab(z);
    store.getState().select({ nodes: [nodeId] }, 'replace');
  };

  const nameOf = (entry: DebugEntry): { label: string; exists: boolean } => {
    const node = entry.nodeId === undefined ? undefined : nodeById(document, entry.nodeId);
    if (node) return { label: labelOf(node, document, catalog), exists: true };
    return { label: entry.name ?? entry.nodeId ?? t('debug.runtime'), exists: false };
  };

  return (
    <aside aria-label={t('debug.label')} className="flex h-full min-h-0 flex-col bg-white text-sm">
      <div className="flex items-center gap-2 border-b border-slate-200 px-2 py-1.5">
        <h2 className="text-xs font-semibold tracking-wide text-slate-600 uppercase">{t('debug.label')}</h2>
        <span className={`text-xs ${connection === 'open' ? 'text-emerald-700' : 'text-amber-700'}`} data-testid="live-connection">
          {connection === 'open' ? t('debug.live') : connection === 'connecting' ? t('debug.connecting') : t('debug.reconnecting')}
        </span>
        <label className="ml-auto flex items-center gap-1 text-xs text-slate-600">
          <span className="sr-only">{t('debug.filter')}</span>
          <select aria-label={t('debug.filter')} className="rounded border border-slate-300 px-1 py-0.5" value={filter} onChange={(e) => setFilter(e.target.value as DebugFilter)}>
            <option value="all">{t('debug.all')}</option>
            <option value="selected">{t('debug.selected')}</option>
            <option value="tab">{t('debug.tab')}</option>
          </select>
        </label>
        <button type="button" className="rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100" onClick={() => live.clearLog()}>
          {t('debug.clear')}
        </button>
      </div>
      {dropped > 0 && (
        <p role="status" className="border-b border-amber-200 bg-amber-50 px-2 py-1 text-xs text-amber-900">
          {t('debug.dropped', { count: dropped })}
        </p>
      )}
      <ol
        ref={list}
        aria-label={t('debug.messages')}
        className="min-h-0 flex-1 overflow-y-auto"
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {shown.length === 0 && <li className="p-3 text-xs text-slate-500">{filter === 'all' ? t('debug.none') : t('debug.noneFiltered')}</li>}
        {shown.map((entry) =>
          entry.kind === 'debug' ? (
            <DebugItem key={entry.seq} entry={entry} name={nameOf(entry)} onReveal={reveal} />
          ) : (
            <RuntimeItem key={entry.seq} entry={entry} />
          ),
        )}
      </ol>
    </aside>
  );
}

function DebugItem({ entry, name, onReveal }: { entry: DebugEntry; name: { label: string; exists: boolean }; onReveal(id: string): void }) {
  const tone = entry.level === 'error' ? 'border-l-red-500 bg-red-50' : entry.level === 'warn' ? 'border-l-amber-500 bg-amber-50' : 'border-l-transparent';
  return (
    <li className={`border-b border-l-4 border-b-slate-100 px-2 py-1.5 ${tone}`} data-level={entry.level ?? 'info'} data-seq={entry.seq}>
      <div className="flex flex-wrap items-baseline gap-x-2 text-xs text-slate-500">
        <time dateTime={new Date(entry.receivedAt).toISOString()}>{timeOf(entry.receivedAt)}</time>
        {name.exists && entry.nodeId !== undefined ? (
          <button type="button" className="font-medium text-blue-700 hover:underline" title={t('debug.showNode')} onClick={() => onReveal(entry.nodeId!)}>
            {name.label}
          </button>
        ) : (
          <span className="font-medium text-slate-700">{name.label}</span>
        )}
        {entry.clusterNode !== undefined && (
          <span className="rounded bg-slate-100 px-1 text-slate-600" title={t('debug.clusterNode')}>{entry.clusterNode}</span>
        )}
        {entry.topic !== undefined && <span>{t('debug.topic')} <span className="text-slate-700">{entry.topic}</span></span>}
        {entry.property !== undefined && entry.property !== 'payload' && <span>{`msg.${entry.property}`}</span>}
        {entry.format !== undefined && <span className="text-slate-400">{entry.format}</span>}
      </div>
      {entry.level === 'error' ? (
        <div className="mt-0.5 text-red-700" role="alert">
          {typeof entry.value === 'string' ? entry.value : <JsonTree value={entry.value} />}
        </div>
      ) : (
        <div className={`mt-0.5 ${entry.level === 'warn' ? 'text-amber-900' : ''}`}>
          <JsonTree value={entry.value} />
        </div>
      )}
    </li>
  );
}

function RuntimeItem({ entry }: { entry: RuntimeEntry }) {
  const red = entry.level === 'error';
  return (
    <li className={`border-b border-l-4 border-b-slate-100 px-2 py-1.5 text-xs ${red ? 'border-l-red-500 bg-red-50 text-red-700' : 'border-l-slate-300 text-slate-600'}`} data-level={entry.level ?? 'info'} data-seq={entry.seq}>
      <div className="flex gap-2 text-slate-500">
        <time dateTime={new Date(entry.receivedAt).toISOString()}>{timeOf(entry.receivedAt)}</time>
        <span className="font-medium">{t('debug.runtimeEvent', { id: entry.id })}</span>
      </div>
      <div className="mt-0.5">{entry.text ?? <JsonTree value={entry.payload} />}</div>
    </li>
  );
}

function timeOf(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

