import { HOST_NODE_FILES } from '../../domain/flows/code-nodes.ts';
import type { RouteTable } from '../http/route-table.ts';

/**
 * `GET /api/v1/node-types`: every palette entry (our nodes and the curated core nodes the runtime has) with its config schema;
 * `installedTypes`: every type the runtime has registered, so a core node we do not curate (split, join, link call…)
 * is not shown as unknown and does not block a deploy the runtime accepts; and `codeTypes`: the types whose nodes
 * take `flows:code` to add or change, which the editor locks for everyone else. The host nodes (file, watch, exec)
 * are offered only where they are installed (`--host-nodes`): elsewhere a deploy refuses them.
 */
export function registerPaletteRoutes(
  table: RouteTable,
  catalog: () => readonly { type: string }[],
  runtime: { installedTypes(): string[]; codeTypes(): string[] },
): void {
  table.add({
    method: 'get', path: '/node-types', access: 'palette:read', tag: 'flows',
    summary: 'Every node type of the palette with the JSON Schema of its config, every type the runtime has installed, and the code node types',
    handler: () => {
      const installedTypes = runtime.installedTypes();
      const installed = new Set(installedTypes);
      const items = catalog().filter((entry) => !HOST_NODE_FILES[entry.type] || installed.has(entry.type));
      return { items, installedTypes, codeTypes: runtime.codeTypes() };
    },
  });
}
