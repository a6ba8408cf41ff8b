/**
 * An import of Node-RED flow JSON into the editor, from the import dialog: added or replacing all flows, with tabs
 * made for nodes whose tab is missing and a warning naming wires to nodes that exist nowhere. Browser-safe.
 */
import { documentOf, importFlows, type NodeRedNode } from '../model/flow-codec.ts';
import { newNodeId } from '../model/flow-edits.ts';
import type { FlowStore } from '../model/flow-store.ts';
import { countImport, danglingWires, importSummary, placeOrphans, type ImportWarning } from './flow-import.ts';
import { replaceFlows } from './replace-flows.ts';
import { t } from '../editor.messages.ts';

/** What the import dialog tells the user after an import. */
export interface ImportOutcome {
  message: string;
  /** Wires that could not stay as in the file, by kind; empty when there are none. */
  warnings: ImportWarning[];
}

/**
 * Imports flow JSON into the editor: added with fresh ids (`add`, as Node-RED's import) or replacing all flows as
 * given (`replace`). Nodes whose tab is missing get one; wires to ids that exist nowhere are named, not refused.
 *
 * @throws {FlowImportError} when `nodes` is not flow JSON; nothing changes then.
 */
export function importIntoEditor(store: FlowStore, nodes: readonly NodeRedNode[], mode: 'add' | 'replace', newId: () => string = newNodeId): ImportOutcome {
  const existing = mode === 'add' ? store.getState().document : documentOf([]);
  const placed = placeOrphans(importFlows(nodes).nodes, existing, newId);
  const dangling = danglingWires(placed.nodes, existing);
  if (mode === 'replace') replaceFlows(store, placed.nodes);
  else store.getState().addImported(placed.nodes);
  const { message, warnings } = importSummary(countImport(placed.nodes, existing), placed.createdTabs, dangling);
  return { message: mode === 'replace' ? t('import.replaced', { message }) : message, warnings };
}
