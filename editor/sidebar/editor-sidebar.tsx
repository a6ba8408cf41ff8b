/**
 * The editor's right-hand sidebar, as Node-RED's: the selected node's properties, the configuration nodes, the nodes
 * with problems, and the debug messages of the running flows. Opening a config node switches to the properties. It
 * is resized by its left edge and closed by its button, Ctrl+Space or focus canvas, leaving a strip that opens it
 * again; closed, it stays mounted, so debug messages that arrive meanwhile are there when it opens.
 */
import { useCallback, useState, type ReactNode } from 'react';
import type { NodeTypeEntry } from '../../nodes/definitions.ts';
import { useFlowEditor, useFlowStore } from '../editor-context.tsx';
import { PanelCloseButton, PanelStrip } from '../layout/panel-toggles.tsx';
import { SidebarResizeHandle } from '../layout/sidebar-resize-handle.tsx';
import { usePanelLayout } from '../layout/use-panel-layout.ts';
import { DebugSidebar } from '../live/debug-sidebar.tsx';
import type { FlowEditorState } from '../model/flow-store.ts';
import { PropertiesPanel } from '../properties/properties-panel.tsx';
import { ConfigNodesPanel } from './config-nodes-panel.tsx';
import { ProblemCount, ProblemsPanel } from './problems-panel.tsx';
import { t } from '../editor.messages.ts';

type SidebarTab = 'properties' | 'config' | 'problems' | 'debug';

/** The one node the properties show: the selection when it is exactly one node. */
const selectInspected = (s: FlowEditorState): string | null => (s.selection.nodes.size === 1 ? [...s.selection.nodes][0]! : null);

export function EditorSidebar({ types }: { types: readonly NodeTypeEntry[] }) {
  const { store, live, api } = useFlowEditor();
  const [tab, setTab] = useState<SidebarTab>('properties');
  const nodeId = useFlowStore(selectInspected);
  const { sidebar: open, sidebarWidth } = usePanelLayout();
  const openConfig = useCallback(
    (id: string) => {
      store.getState().select({ nodes: [id], edges: [] });
      setTab('properties');
    },
    [store],
  );
  const tabButton = (id: SidebarTab, label: string, badge?: ReactNode, short?: string) => (
    <button
      type="button" role="tab" aria-selected={tab === id} onClick={() => setTab(id)} aria-label={short ? label : undefined} title={short ? label : undefined}
      className={`flex-1 whitespace-nowrap border-b-2 px-1.5 py-1.5 text-xs font-medium ${tab === id ? 'border-sky-600 text-slate-900' : 'border-transparent text-slate-500 hover:text-slate-800'}`}
    >
      {short ?? label}
      {badge}
    </button>
  );
  return (
    <>
    {!open && <PanelStrip panel="sidebar" side="right" />}
    <aside aria-label={t('sidebar.label')} className={`${open ? 'flex' : 'hidden'} relative shrink-0 flex-col border-l border-slate-200 bg-white`} style={{ width: sidebarWidth, maxWidth: '45vw' }}>
      <SidebarResizeHandle />
      <div className="flex shrink-0 items-stretch border-b border-slate-200">
        <div role="tablist" aria-label={t('sidebar.label')} className="flex min-w-0 flex-1">
          {tabButton('properties', t('sidebar.properties'))}
          {tabButton('config', t('sidebar.config'), undefined, t('sidebar.configShort'))}
          {tabButton('problems', t('sidebar.problems'), <ProblemCount />)}
          {tabButton('debug', t('sidebar.debug'))}
        </div>
        <PanelCloseButton panel="sidebar" side="right" />
      </div>
      <div className="flex min-h-0 flex-1 flex-col overflow-y-auto">
        {tab === 'properties' && <PropertiesPanel store={store} nodeId={nodeId} api={api} />}
        {tab === 'config' && <ConfigNodesPanel types={types} onOpen={openConfig} />}
        {tab === 'problems' && <ProblemsPanel onOpen={() => setTab('properties')} />}
        {/* Kept mounted while hidden, so messages that arrive meanwhile are there when the user looks. */}
        <div className={tab === 'debug' ? 'flex min-h-0 flex-1 flex-col' : 'hidden'}>
          {live ? <DebugSidebar live={live} store={store} /> : <p className="p-2 text-xs text-slate-500">{t('sidebar.connecting')}</p>}
        </div>
      </div>
    </aside>
    </>
  );
}
