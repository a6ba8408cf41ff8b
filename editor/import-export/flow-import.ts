/**
 * What an import of Node-RED flow JSON does beyond reading it, as Node-RED's own import does: nodes whose tab is
 * neither in the file nor in the editor get a tab of their own (so nothing imported is invisible), wires to nodes
 * that exist nowhere are named, and the outcome is counted the way a user counts it. Browser-safe, no React.
 */
import { documentOf, frozenCopy, nodeIndex, withChanges, type FlowDocument, type NodeRedNode } from '../model/flow-codec.ts';
import { addNodes, createTab } from '../model/flow-edits.ts';
import { kindOf } from '../model/node-catalog.ts';
import { t } from '../editor.messages.ts';
import { t as tm } from '../model/model.messages.ts';

/**
 * A wire of an imported node that cannot stay as it is: to an id that is neither in the file nor in the editor, or
 * (when adding) to a node of the editor on another canvas than the one the imported node lands on, which no canvas
 * could draw.
 */
export interface DanglingWire {
  /** The id of the wired node, as in the file. */
  nodeId: string;
  /** Its name, else its type. */
  nodeLabel: string;
  /** The id the wire points at. */
  missingId: string;
  /** For a wire to an editor node on another canvas: that canvas's label. */
  otherCanvas?: string;
}

/** The imported flow JSON with tabs made for nodes that had none, and the tabs made. */
export interface PlacedImport {
  /** The file's nodes, each on a tab or subflow of the file or the editor; made tabs after the file's tabs. */
  nodes: readonly NodeRedNode[];
  /** The tabs made for nodes whose tab was missing, in the order first needed. */
  createdTabs: readonly NodeRedNode[];
}

/**
 * Puts every node of an import on a canvas: a node whose `z` names neither a tab or subflow of the file nor one of
 * `existing` (the editor's flows) gets a tab made for it, one per missing `z` (nodes of one missing flow stay
 * together, nodes of two stay apart), named "Flow <n>" as Node-RED names new tabs. The made tab takes the missing id
 * when nothing else uses it, so the nodes keep their `z`; nodes with no `z` at all share one tab with a fresh id.
 * Config nodes without `z` stay global.
 */
export function placeOrphans(nodes: readonly NodeRedNode[], existing: FlowDocument, newId: () => string): PlacedImport {
  const fileIndex = new Map(nodes.map((node) => [node.id, node]));
  const existingIndex = nodeIndex(existing);
  const isCanvas = (id: string) => isContainer(fileIndex.get(id)) || isContainer(existingIndex.get(id));
  // Named as `createTab` names them ("Flow <n>", the lowest number not taken), counting up once for all made tabs.
  const labels = new Set([...existing.nodes, ...nodes].filter((node) => node.type === 'tab').map((node) => node['label']));
  let number = 1;
  const made = new Map<string, NodeRedNode>();
  const tabFor = (z: string): NodeRedNode => {
    let tab = made.get(z);
    if (!tab) {
      while (labels.has(tm('tab.newName', { n: String(number) }))) number++;
      const free = z !== '' && !fileIndex.has(z) && !existingIndex.has(z);
      tab = createTab(existing, tm('tab.newName', { n: String(number) }), free ? z : newId());
      labels.add(tab['label']);
      made.set(z, tab);
    }
    return tab;
  };
  const placed = nodes.map((node) => {
    const z = node['z'];
    const kind = kindOf(node);
    const onCanvas = kind === 'node' || kind === 'group' || kind === 'junction';
    const scopedConfig = kind === 'config' && typeof z === 'string' && z !== '';
    if (!onCanvas && !scopedConfig) return node;
    if (typeof z === 'string' && isCanvas(z)) return node;
    const tab = tabFor(typeof z === 'string' ? z : '');
    return tab.id === z ? node : withChanges(node, { z: tab.id });
  });
  const createdTabs = [...made.values()].map((tab) => frozenCopy(tab));
  return { nodes: addNodes(documentOf(placed), createdTabs).nodes, createdTabs };
}

/**
 * The wires of imported nodes (as placed by {@link placeOrphans}) that cannot stay: Node-RED would drop them without a
 * word; the import names them instead.
 */
export function danglingWires(nodes: readonly NodeRedNode[], existing: FlowDocument): DanglingWire[] {
  const inFile = new Set(nodes.map((node) => node.id));
  const existingIndex = nodeIndex(existing);
  const found: DanglingWire[] = [];
  for (const node of nodes) {
    const wires = node['wires'];
    if (!Array.isArray(wires)) continue;
    for (const port of wires) {
      if (!Array.isArray(port)) continue;
      for (const target of port) {
        if (typeof target !== 'string' || inFile.has(target)) continue;
        const wired = existingIndex.get(target);
        if (wired === undefined) {
          found.push({ nodeId: node.id, nodeLabel: labelOf(node), missingId: target });
        } else if (wired['z'] !== node['z']) {
          const canvas = typeof wired['z'] === 'string' ? existingIndex.get(wired['z']) : undefined;
          const otherCanvas = String(canvas?.['label'] ?? canvas?.['name'] ?? wired['z'] ?? 'none');
          found.push({ nodeId: node.id, nodeLabel: labelOf(node), missingId: target, otherCanvas });
        }
      }
    }
  }
  return found;
}

/** What an import brought, counted as a user counts it. */
export interface ImportCount {
  /** Flow nodes (not tabs, groups, junctions or config nodes), subflow contents included. */
  nodes: number;
  /** Distinct tabs those nodes are on. */
  tabs: number;
  configNodes: number;
  subflows: number;
}

/** Counts placed import nodes (see {@link placeOrphans}); `existing` holds the editor tabs some of them stay on. */
export function countImport(nodes: readonly NodeRedNode[], existing: FlowDocument): ImportCount {
  const tabIds = new Set([...existing.nodes, ...nodes].filter((node) => node.type === 'tab').map((node) => node.id));
  const onTabs = new Set<string>();
  const count: ImportCount = { nodes: 0, tabs: 0, configNodes: 0, subflows: 0 };
  for (const node of nodes) {
    const kind = kindOf(node);
    if (kind === 'subflow') count.subflows++;
    else if (kind === 'config') count.configNodes++;
    else if (kind === 'node') count.nodes++;
    const z = node['z'];
    if ((kind === 'node' || kind === 'group' || kind === 'junction') && typeof z === 'string' && tabIds.has(z)) onTabs.add(z);
  }
  count.tabs = onTabs.size;
  return count;
}

/** How many wires (or made tabs) the summary lists by name before it says how many more there are. */
export const LISTED_DANGLING_WIRES = 5;

/** A warning after an import: a heading and one line per wire. */
export interface ImportWarning {
  heading: string;
  lines: string[];
}

/**
 * The sentence after an import: what came in ("Imported 10 nodes on 2 tabs"), the tabs made for nodes whose tab was
 * missing, and warnings naming wires to ids that exist nowhere or to nodes on another tab (the import happened all
 * the same).
 */
export function importSummary(count: ImportCount, createdTabs: readonly NodeRedNode[], dangling: readonly DanglingWire[]): {
  message: string;
  warnings: ImportWarning[];
} {
  const parts = count.nodes > 0 || (count.configNodes === 0 && count.subflows === 0) ? [t('import.nodesOnTabs', { nodes: count.nodes, tabs: count.tabs })] : [];
  if (count.configNodes > 0) parts.push(t('import.configNodes', { count: count.configNodes }));
  if (count.subflows > 0) parts.push(t('import.subflows', { count: count.subflows }));
  let message = t('import.imported', { what: joinAnd(parts) });
  if (createdTabs.length > 0) {
    const names = createdTabs.slice(0, LISTED_DANGLING_WIRES).map((tab) => t('import.quoted', { name: String(tab['label']) }));
    if (createdTabs.length > LISTED_DANGLING_WIRES) names.push(t('import.more', { count: createdTabs.length - LISTED_DANGLING_WIRES }));
    message += t('import.sentenceGap') + t('import.madeTabs', { count: createdTabs.length, names: joinAnd(names) });
  }
  const missing = dangling.filter((wire) => wire.otherCanvas === undefined);
  const crossing = dangling.filter((wire) => wire.otherCanvas !== undefined);
  const warnings: ImportWarning[] = [];
  if (missing.length > 0) {
    warnings.push({
      heading: t('import.missingWires', { count: missing.length }),
      lines: listed(missing, (wire) => `${short(wire.nodeLabel)} (${short(wire.nodeId)}) → ${short(wire.missingId)}`),
    });
  }
  if (crossing.length > 0) {
    warnings.push({
      heading: t('import.crossingWires', { count: crossing.length }),
      lines: listed(crossing, (wire) => t('import.wireOn', { wire: `${short(wire.nodeLabel)} (${short(wire.nodeId)}) → ${short(wire.missingId)}`, tab: short(wire.otherCanvas!) })),
    });
  }
  return { message, warnings };
}

/** Names and ids as long as a file makes them are cut, so one cannot fill the dialog. */
function short(text: string): string {
  return text.length > SHOWN_CHARACTERS ? `${text.slice(0, SHOWN_CHARACTERS - 1)}…` : text;
}
const SHOWN_CHARACTERS = 80;

function listed(wires: readonly DanglingWire[], line: (wire: DanglingWire) => string): string[] {
  const lines = wires.slice(0, LISTED_DANGLING_WIRES).map(line);
  if (wires.length > LISTED_DANGLING_WIRES) lines.push(t('import.andMore', { count: wires.length - LISTED_DANGLING_WIRES }));
  return lines;
}

function labelOf(node: NodeRedNode): string {
  const name = node['name'];
  return typeof name === 'string' && name.trim() !== '' ? name : node.type;
}

function isContainer(node: NodeRedNode | undefined): boolean {
  return node?.type === 'tab' || node?.type === 'subflow';
}

function joinAnd(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : t('list.and', { items: items.slice(0, -1).join(t('list.comma')), last: items.at(-1)! });
}

