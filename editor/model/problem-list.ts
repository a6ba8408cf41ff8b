/**
 * The problems list: every node with a problem, on every tab and subflow, with where it is, for the sidebar's
 * Problems tab and the deploy warning. Node-RED's "The workspace contains some nodes that are not properly
 * configured" lists the same nodes. Browser-safe, no React.
 */
import { nodeIndex, type FlowDocument } from './flow-codec.ts';
import type { FlowProblems, NodeProblemKind } from './flow-problems.ts';
import { kindOf, labelOf, type FlowCatalog } from './node-catalog.ts';
import { t } from './model.messages.ts';

/** One node with problems. */
export interface ProblemEntry {
  nodeId: string;
  label: string;
  type: string;
  /** The tab or subflow it is on; undefined for a global config node (or one whose flow is gone). */
  tabId?: string;
  /** That tab's label; `global` for a global config node. */
  tabLabel: string;
  config: boolean;
  messages: readonly string[];
  /** Whether one of its problems stops a deploy (a missing type, a code change this user may not make). */
  blocksDeploy: boolean;
}

const BLOCKING: ReadonlySet<NodeProblemKind> = new Set(['unknown-type', 'code']);

/** The nodes with problems, in document order (computed once per problems object). */
export function problemList(problems: FlowProblems, doc: FlowDocument, catalog: FlowCatalog): readonly ProblemEntry[] {
  const hit = memo.get(problems);
  if (hit?.doc === doc) return hit.list;
  const index = nodeIndex(doc);
  const list: ProblemEntry[] = [];
  for (const [nodeId, found] of problems.byNode) {
    const node = index.get(nodeId);
    if (!node) continue;
    const z = typeof node['z'] === 'string' ? node['z'] : undefined;
    const container = z === undefined ? undefined : index.get(z);
    const onCanvas = container?.type === 'tab' || container?.type === 'subflow';
    const entry: ProblemEntry = {
      nodeId, label: labelOf(node, doc, catalog) || node.type, type: node.type,
      tabLabel: onCanvas ? labelOf(container, doc, catalog) : z === undefined ? t('list.global') : t('list.missingFlow', { z }),
      config: kindOf(node) === 'config',
      messages: [...new Set(found.map((problem) => problem.message))],
      blocksDeploy: found.some((problem) => BLOCKING.has(problem.kind)),
    };
    if (onCanvas) entry.tabId = container.id;
    list.push(entry);
  }
  memo.set(problems, { doc, list });
  return list;
}
const memo = new WeakMap<FlowProblems, { doc: FlowDocument; list: ProblemEntry[] }>();
