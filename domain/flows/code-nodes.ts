import type { FlowNode } from './flow-json.ts';

/**
 * Node types that run code or touch the host's files and processes. Node-RED's `function` node is no sandbox (its
 * `vm` context is escaped through `msg.constructor.constructor`), so deploying one is running code as the server.
 * Adding or changing one takes `flows:code`; `--code-node-types` adds more (contrib nodes of the same kind).
 */
export const BUILT_IN_CODE_NODE_TYPES = ['function', 'exec', 'file', 'file in', 'watch'] as const;

/**
 * Node-RED's host nodes, by the file that registers them: off unless `--host-nodes`, and off means not installed
 * (Node-RED's `nodesExcludes`), so a flow using one is refused as using an uninstalled type.
 */
export const HOST_NODE_FILES: Readonly<Record<string, string>> = {
  exec: '90-exec.js',
  file: '10-file.js',
  'file in': '10-file.js',
  watch: '23-watch.js',
};

/** What an author may change on a code node without `flows:code`: where it is drawn and where its output goes. */
const LAYOUT_PROPERTIES = new Set(['x', 'y', 'z', 'g', 'wires', 'l']);

/** A code node a deploy would add or change. */
export interface CodeNodeChange {
  id: string;
  type: string;
  change: 'added' | 'changed';
}

/**
 * The code nodes `next` adds or changes against `deployed`. Moving, rewiring and deleting a deployed code node is
 * neither: everything else on it (its code, settings, name, type, disabled flag) must stay byte for byte as deployed.
 * A node id that was deployed as another type and is now a code node counts as added.
 */
export function codeNodeChanges(next: readonly FlowNode[], deployed: readonly FlowNode[], codeTypes: ReadonlySet<string>): CodeNodeChange[] {
  const before = new Map(deployed.map((node) => [node.id, node]));
  const changes: CodeNodeChange[] = [];
  for (const node of next) {
    if (!codeTypes.has(node.type)) continue;
    const old = before.get(node.id);
    if (!old || old.type !== node.type) changes.push({ id: node.id, type: node.type, change: 'added' });
    else if (canonicalJson(withoutLayout(old)) !== canonicalJson(withoutLayout(node))) changes.push({ id: node.id, type: node.type, change: 'changed' });
  }
  return changes;
}

function withoutLayout(node: FlowNode): Record<string, unknown> {
  return Object.fromEntries(Object.entries(node).filter(([key]) => !LAYOUT_PROPERTIES.has(key)));
}

/** JSON with object keys sorted, so the same content compares equal whatever order a client wrote it in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
