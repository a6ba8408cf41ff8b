/**
 * "Replace all flows" import: the editor shows the imported flows exactly as given (ids, positions, unknown
 * properties) while the baseline and the loaded rev stay, so the change is dirty, deploys against the right rev and
 * exports unchanged. It goes through the store's draft restore, which keeps a baseline apart from the document;
 * undo history starts afresh there, as after a reload. Browser-safe.
 */
import { importFlows } from '../model/flow-codec.ts';
import { serializeDraft } from '../model/flow-draft.ts';
import type { FlowStore } from '../model/flow-store.ts';

/** Replaces the edited flows with `flows` (Node-RED flow JSON); throws `FlowImportError` when it is not flow JSON. */
export function replaceFlows(store: FlowStore, flows: unknown): void {
  const state = store.getState();
  const document = importFlows(flows);
  state.restoreDraft(serializeDraft({ rev: state.loadedRev, savedAt: new Date().toISOString(), activeTab: null, baseline: state.baseline, document }));
}
