/**
 * The Flows page: Node-RED's editor layout (palette, flow tabs over the canvas, sidebar with properties, config nodes
 * and debug) around one flow store. It loads the node types and the deployed flows, offers back unsaved changes a
 * previous page left, keeps new ones in a local draft and asks before the page is left with undeployed changes.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import './node-config-validators.ts';
import type { NodeTypeEntry } from '../nodes/definitions.ts';
import { FlowCanvasView } from './canvas/flow-canvas-view.tsx';
import { DeployButton } from './deploy/deploy-button.tsx';
import { DraftBanner } from './deploy/draft-banner.tsx';
import { discardDraft, pendingDraft, watchDraft, type PendingDraft } from './deploy/flow-draft-storage.ts';
import { useLeaveGuard } from './deploy/use-leave-guard.ts';
import type { EditorApi } from './editor-api.ts';
import { FlowEditorContext, useFlowStore, type FlowEditorContextValue, type Notice } from './editor-context.tsx';
import { ExportDialog } from './import-export/export-dialog.tsx';
import { ImportDialog } from './import-export/import-dialog.tsx';
import { FocusCanvasButton } from './layout/panel-toggles.tsx';
import { createLiveClient } from './live/live-client.ts';
import { nodeById, type NodeRedNode } from './model/flow-codec.ts';
import { selectCanRedo, selectCanUndo } from './model/flow-selectors.ts';
import { revealNode } from './canvas/reveal-node.ts';
import { createFlowStore, type FlowStore } from './model/flow-store.ts';
import { Palette } from './palette/palette.tsx';
import { EditorSidebar } from './sidebar/editor-sidebar.tsx';
import { TabBar } from './tabs/tab-bar.tsx';
import { t } from './editor.messages.ts';
import { tc } from './i18n.ts';

interface Loaded {
  types: NodeTypeEntry[];
  /** Code node types this user may not add or change. */
  lockedTypes: ReadonlySet<string>;
  store: FlowStore;
  draft: PendingDraft | null;
}

type LoadState = { status: 'loading' } | { status: 'failed'; message: string } | ({ status: 'ready' } & Loaded);

/**
 * The flow editor, talking to the server through `api`. `canDeploy` false (a user without `flows:write`, an operator)
 * shows the flows, their live status and debug read-only: the store refuses every change, and no deploy, inject,
 * import, undo or editing control is offered (the API would refuse a deploy anyway); export still works. `canDeployCode` false (an engineer
 * without `flows:code`) locks code nodes: they can be moved, rewired and deleted, not added or changed.
 */
export function FlowEditor({ api, canDeploy = true, canDeployCode = true, revealNodeId }: {
  api: EditorApi;
  canDeploy?: boolean;
  canDeployCode?: boolean;
  /** A node to show once the flows are loaded (a link from the alert rules, say): its tab opens, it is selected and centred. */
  revealNodeId?: string;
}) {
  const [state, setState] = useState<LoadState>({ status: 'loading' });

  useEffect(() => {
    let current = true;
    Promise.all([
      api.get<{ items: NodeTypeEntry[]; installedTypes?: string[]; codeTypes?: string[] }>('/node-types'),
      api.get<{ flows: NodeRedNode[]; rev: string }>('/flows'),
    ]).then(
      ([types, flows]) => {
        if (!current) return;
        const lockedTypes = new Set(canDeployCode ? [] : (types.codeTypes ?? []));
        const store = createFlowStore({ flows: flows.flows, rev: flows.rev, installedTypes: types.installedTypes ?? [], lockedTypes, readOnly: !canDeploy });
        // A draft left in this browser by a user who could edit is not offered to one who cannot.
        setState({ status: 'ready', types: types.items, lockedTypes, store, draft: canDeploy ? pendingDraft(localStorage, flows.rev) : null });
      },
      (err: unknown) => current && setState({ status: 'failed', message: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      current = false;
    };
  }, [api, canDeploy, canDeployCode]);

  if (state.status === 'loading') return <p className="p-4 text-sm text-slate-500">{t('editor.loading')}</p>;
  if (state.status === 'failed') return <p role="alert" className="p-4 text-sm text-red-700">{t('editor.loadFailed', { reason: state.message })}</p>;
  return <LoadedEditor api={api} canDeploy={canDeploy} types={state.types} lockedTypes={state.lockedTypes} store={state.store} draft={state.draft} revealNodeId={revealNodeId} />;
}

function LoadedEditor({ api, canDeploy, types, lockedTypes, store, draft: initialDraft, revealNodeId }: { api: EditorApi; canDeploy: boolean; revealNodeId?: string | undefined } & Loaded) {
  const [live, setLive] = useState<FlowEditorContextValue['live']>(null);
  const [draft, setDraft] = useState(initialDraft);
  const [notice, setNotice] = useState<Notice | null>(() => (revealNodeId && !nodeById(store.getState().document, revealNodeId)
    ? { kind: 'error', text: t('editor.noSuchNode', { id: revealNodeId }) }
    : null));
  const [dialog, setDialog] = useState<'import' | 'export' | null>(null);

  useEffect(() => {
    const client = createLiveClient();
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the socket is the mount's: opened here, closed by the cleanup (StrictMode's remount opens another); state hands the open one to the panels
    setLive(client);
    return () => client.close();
  }, []);
  // A read-only editor has no draft of its own, and must not clear one a user who could edit left in this browser.
  useEffect(() => (canDeploy ? watchDraft(store, localStorage) : undefined), [store, canDeploy]);
  useLeaveGuard(store);
  // After the canvas has mounted (its effects run first), so it hears the reveal and centres the node.
  useEffect(() => {
    if (revealNodeId) revealNode(store, revealNodeId);
  }, [store, revealNodeId]);

  const context = useMemo(() => ({ store, live, api, canDeploy, notify: setNotice }), [store, live, api, canDeploy]);
  const onError = useCallback((text: string) => setNotice({ kind: 'error', text }), []);
  const onDone = useCallback((text: string) => setNotice({ kind: 'ok', text }), []);
  const onDeployed = useCallback(() => setDraft(null), []);

  return (
    <FlowEditorContext.Provider value={context}>
      <div className="absolute inset-0 flex flex-col">
        <div className="flex h-10 shrink-0 items-center gap-2 border-b border-slate-200 bg-white px-3">
          {canDeploy && <HistoryButtons />}
          {canDeploy && <button type="button" onClick={() => setDialog('import')} className="rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100">{tc('import')}</button>}
          <button type="button" onClick={() => setDialog('export')} className="rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100">{tc('export')}</button>
          <div className="min-w-0 flex-1 truncate text-sm" aria-live="polite">
            {notice && (
              <span role={notice.kind === 'error' ? 'alert' : 'status'} className={notice.kind === 'error' ? 'text-red-700' : 'text-emerald-700'}>
                {notice.text}
              </span>
            )}
          </div>
          <FocusCanvasButton />
          {canDeploy ? (
            <DeployButton onNotice={setNotice} onDeployed={onDeployed} />
          ) : (
            <span role="status" className="rounded border border-amber-300 bg-amber-50 px-2 py-1 text-xs font-medium text-amber-900" title={t('editor.readOnlyTitle')}>
              <i aria-hidden className="fa fa-lock mr-1" />
              {t('editor.readOnly')}
            </span>
          )}
        </div>
        {draft && (
          <DraftBanner
            pending={draft}
            onRestore={() => {
              store.getState().restoreDraft(draft.text);
              setDraft(null);
            }}
            onDiscard={() => {
              discardDraft(localStorage);
              setDraft(null);
            }}
          />
        )}
        <div className="flex min-h-0 flex-1">
          <Palette types={types} lockedTypes={lockedTypes} readOnly={!canDeploy} />
          <div className="flex min-w-0 flex-1 flex-col">
            <TabBar />
            <div className="relative min-h-0 flex-1">
              <FlowCanvasView types={types} onError={onError} />
            </div>
          </div>
          <EditorSidebar types={types} />
        </div>
        {dialog === 'import' && canDeploy && <ImportDialog onClose={() => setDialog(null)} onImported={onDone} />}
        {dialog === 'export' && <ExportDialog onClose={() => setDialog(null)} onExported={onDone} />}
      </div>
    </FlowEditorContext.Provider>
  );
}

function HistoryButtons() {
  const canUndo = useFlowStore(selectCanUndo);
  const canRedo = useFlowStore(selectCanRedo);
  const undo = useFlowStore((s) => s.undo);
  const redo = useFlowStore((s) => s.redo);
  const button = 'rounded px-2 py-1 text-sm text-slate-700 hover:bg-slate-100 disabled:opacity-40';
  return (
    <>
      <button type="button" onClick={undo} disabled={!canUndo} title={t('editor.undoTitle')} aria-label={t('editor.undo')} className={button}>↶</button>
      <button type="button" onClick={redo} disabled={!canRedo} title={t('editor.redoTitle')} aria-label={t('editor.redo')} className={button}>↷</button>
    </>
  );
}
