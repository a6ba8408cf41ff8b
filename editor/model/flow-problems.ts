/**
 * What is wrong with the flows before they are deployed, node by node: configs the runtime would reject (the same
 * validation it applies), types nobody installed, references to config nodes that are gone, nodes on a flow that is
 * gone. Only missing types block a deploy (Node-RED would not start the flows at all); the rest mark the nodes.
 * Browser-safe.
 */
import { checkFlowNodeConfig } from '../../nodes/definitions.ts';
import { problemTextIn } from '../../nodes/i18n/problem-zh.def.ts';
import { codeNodeChanges } from '../../domain/flows/code-nodes.ts';
import { nodeIndex, type FlowDocument, type NodeRedNode } from './flow-codec.ts';
import { isUnknownType, kindOf, subflowIdOf, type FlowCatalog } from './node-catalog.ts';
import { t } from './model.messages.ts';
import { currentLocale } from '../i18n.ts';

/**
 * - `config`: a config value the node's definition rejects;
 * - `unknown-type`: the node's type is not installed (or its subflow is missing): blocks deploy;
 * - `missing-reference`: a config node (or linked node) it refers to is not in the flows;
 * - `missing-flow`: its `z` names no tab or subflow, so no canvas shows it;
 * - `code`: a code node (function…) this user added or changed without `flows:code`: blocks deploy.
 */
export type NodeProblemKind = 'config' | 'unknown-type' | 'missing-reference' | 'missing-flow' | 'code';

export interface NodeProblem {
  nodeId: string;
  type: string;
  kind: NodeProblemKind;
  /** JSON pointer to the property at fault; `''` for the node as a whole. */
  path: string;
  message: string;
}

export interface FlowProblems {
  /** Every problem, in document order. */
  all: readonly NodeProblem[];
  /** Problems by node id, for marking nodes; a node without problems has no entry. */
  byNode: ReadonlyMap<string, readonly NodeProblem[]>;
  /** The missing types, each once, in order of first use. */
  unknownTypes: readonly string[];
  /** Why a deploy must wait, naming the missing types; null when nothing blocks it. */
  deployBlocker: string | null;
}

/**
 * The problems of a document (computed once per document, catalog and baseline; config checks once per node
 * version). `baseline` is what is deployed: code nodes that differ from it are this user's changes.
 */
export function flowProblems(doc: FlowDocument, catalog: FlowCatalog, baseline?: FlowDocument): FlowProblems {
  const hit = memo.get(doc);
  const locale = currentLocale();
  // Per locale too: the messages are in the UI's language.
  if (hit?.catalog === catalog && hit.baseline === baseline && hit.locale === locale) return hit.value;
  const value = computeProblems(doc, catalog, baseline, locale);
  memo.set(doc, { catalog, baseline, locale, value });
  return value;
}
const memo = new WeakMap<FlowDocument, { catalog: FlowCatalog; baseline: FlowDocument | undefined; locale: string; value: FlowProblems }>();

function computeProblems(doc: FlowDocument, catalog: FlowCatalog, baseline: FlowDocument | undefined, locale: string): FlowProblems {
  const index = nodeIndex(doc);
  const deployed = baseline ? nodeIndex(baseline) : new Map<string, NodeRedNode>();
  let codeNodes = 0;
  const all: NodeProblem[] = [];
  const unknownTypes: string[] = [];
  let unknownNodes = 0;
  for (const node of doc.nodes) {
    const kind = kindOf(node);
    if (kind === 'tab' || kind === 'subflow') continue;
    const z = node['z'];
    if (typeof z === 'string' && z !== '' && !isContainer(index.get(z))) {
      all.push(problem(node, 'missing-flow', '/z', t('problem.missingFlow', { z })));
    }
    if (isUnknownType(node, doc, catalog)) {
      unknownNodes++;
      if (!unknownTypes.includes(node.type)) unknownTypes.push(node.type);
      const subflowId = subflowIdOf(node);
      const message = subflowId === undefined ? t('problem.notInstalled', { type: node.type }) : t('problem.missingSubflow', { id: subflowId });
      all.push(problem(node, 'unknown-type', '/type', message));
      continue;
    }
    if (catalog.isCodeLocked(node.type)) {
      const before = deployed.get(node.id);
      const [change] = codeNodeChanges([node], before ? [before] : [], new Set([node.type]));
      if (change) {
        codeNodes++;
        all.push(problem(node, 'code', '', change.change === 'added'
          ? t('problem.codeAdded', { type: node.type })
          : t('problem.codeChanged', { type: node.type })));
      }
    }
    const definition = catalog.definition(node.type);
    if (!definition) continue;
    // The checks speak English (the runtime's words); their codes say them in the UI's language.
    for (const { code, params, ...found } of cachedConfigProblems(node)) {
      all.push({ ...found, kind: 'config', message: problemTextIn({ message: found.message, code, params }, locale, node.type) });
    }
    const properties = definition.config.properties as Record<string, Record<string, unknown>>;
    for (const [name, schema] of Object.entries(properties)) {
      const refType = schema['x-node-ref'];
      if (typeof refType !== 'string') continue;
      const value = node[name];
      const ids = typeof value === 'string' && schema['type'] === 'string' ? [value] : Array.isArray(value) ? value : [];
      const title = typeof schema['title'] === 'string' ? schema['title'] : name;
      for (const id of ids) {
        if (typeof id !== 'string' || id === '' || /^\$\{[^}]+\}$/.test(id)) continue;
        const target = index.get(id);
        if (!target || (refType !== '*' && target.type !== refType)) {
          const what = refType === '*' ? t('problem.refNode') : t('problem.refTypedNode', { type: refType });
          all.push(problem(node, 'missing-reference', `/${name}`, t('problem.missingReference', { title, what, id })));
        }
      }
    }
  }
  const byNode = new Map<string, NodeProblem[]>();
  for (const found of all) {
    const list = byNode.get(found.nodeId);
    if (list) list.push(found);
    else byNode.set(found.nodeId, [found]);
  }
  const deployBlocker =
    unknownTypes.length > 0
      ? t('blocker.unknownTypes', {
          count: unknownNodes,
          types: unknownTypes.map((type) => t('type.quoted', { type })).join(t('list.comma')),
          installs: unknownTypes.length,
        })
      : codeNodes > 0
        ? t('blocker.codeNodes', { count: codeNodes })
        : null;
  return { all, byNode, unknownTypes, deployBlocker };
}

type ConfigProblem = ReturnType<typeof checkFlowNodeConfig>[number];
const configCache = new WeakMap<NodeRedNode, readonly ConfigProblem[]>();

function cachedConfigProblems(node: NodeRedNode): readonly ConfigProblem[] {
  let found = configCache.get(node);
  if (!found) {
    found = checkFlowNodeConfig(node).map(({ nodeId, type, path, message, code, params }) => ({ nodeId, type, path, message, code, params }));
    configCache.set(node, found);
  }
  return found;
}

function isContainer(node: NodeRedNode | undefined): boolean {
  return node?.type === 'tab' || node?.type === 'subflow';
}

function problem(node: NodeRedNode, kind: NodeProblemKind, path: string, message: string): NodeProblem {
  return { nodeId: node.id, type: node.type, kind, path, message };
}
