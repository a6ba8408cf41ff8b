/**
 * "Replace all flows" import: the editor shows the imported flows as given (ids, positions, unknown properties),
 * plus a tab for nodes whose tab the file lacks, while the baseline and the loaded rev stay, so the change is dirty,
 * deploys against the right rev and exports unchanged. It goes through the store's draft restore, which keeps a
 * baseline apart from the document; undo history starts afresh there, as after a reload. Browser-safe.
 */
import { documentOf, importFlows, type FlowDocument } from '../model/flow-codec.ts';
import { serializeDraft } from '../model/flow-draft.ts';
import { newNodeId } from '../model/flow-edits.ts';
import type { FlowStore } from '../model/flow-store.ts';
import { placeOrphans, type PlacedImport } from './flow-import.ts';

/**
 * Replaces the edited flows with `flows` (Node-RED flow JSON); throws `FlowImportError` when it is not flow JSON.
 * Returns the flows as placed (see {@link placeOrphans}).
 */
export function replaceFlows(store: FlowStore, flows: unknown, newId: () => string = newNodeId): PlacedImport {
  const state = store.getState();
  // Nothing of the editor's flows stays, so only the file's tabs count.
  const placed = placeOrphans(importFlows(flows).nodes, EMPTY, newId);
  const document = documentOf(placed.nodes);
  state.restoreDraft(serializeDraft({ rev: state.loadedRev, savedAt: new Date().toISOString(), activeTab: firstTabWithNodes(document), baseline: state.baseline, document }));
  return placed;
}

const EMPTY: FlowDocument = documentOf([]);

function firstTabWithNodes(doc: FlowDocument): string | null {
  const tabs = new Set(doc.nodes.filter((node) => node.type === 'tab').map((node) => node.id));
  const z = doc.nodes.find((node) => typeof node['z'] === 'string' && tabs.has(node['z']))?.['z'];
  return typeof z === 'string' ? z : null;
}
