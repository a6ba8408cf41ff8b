/**
 * An import of Node-RED flow JSON into the editor, from the import dialog: added or replacing all flows, with tabs
 * made for nodes whose tab is missing and a warning naming wires to nodes that exist nowhere. Browser-safe.
 */
import { documentOf, importFlows, type NodeRedNode } from '../model/flow-codec.ts';
import { newNodeId } from '../model/flow-edits.ts';
import type { FlowStore } from '../model/flow-store.ts';
import { countImport, danglingHeading, danglingWires, importSummary, placeOrphans, type PlacedImport } from './flow-import.ts';
import { replaceFlows } from './replace-flows.ts';

/** What the import dialog tells the user after an import. */
export interface ImportOutcome {
  message: string;
  /** The heading of the dangling-wire warning; null when there are none. */
  warningHeading: string | null;
  /** One line per dangling wire ("name (id) → missing id"), the first few and how many more. */
  warnings: string[];
}

/**
 * Imports flow JSON into the editor: added with fresh ids (`add`, as Node-RED's import) or replacing all flows as
 * given (`replace`). Nodes whose tab is missing get one; wires to ids that exist nowhere are named, not refused.
 *
 * @throws {FlowImportError} when `nodes` is not flow JSON; nothing changes then.
 */
export function importIntoEditor(store: FlowStore, nodes: readonly NodeRedNode[], mode: 'add' | 'replace', newId: () => string = newNodeId): ImportOutcome {
  const existing = mode === 'add' ? store.getState().document : documentOf([]);
  const dangling = danglingWires(nodes, existing);
  let placed: PlacedImport;
  if (mode === 'replace') {
    placed = replaceFlows(store, nodes, newId);
  } else {
    placed = placeOrphans(importFlows(nodes).nodes, existing, newId);
    store.getState().addImported(placed.nodes);
  }
  const { message, warnings } = importSummary(countImport(placed.nodes, existing), placed.createdTabs, dangling);
  return {
    message: mode === 'replace' ? `${message} They replace the flows: deploy to run them.` : message,
    warningHeading: dangling.length > 0 ? danglingHeading(dangling.length) : null,
    warnings,
  };
}
