import type { RouteTable } from '../http/route-table.ts';

/**
 * `GET /api/v1/node-types`: every palette entry (our nodes and the curated core nodes the runtime has) with its config schema;
 * `installedTypes`: every type the runtime has registered, so a core node we do not curate (split, join, link call…)
 * is not shown as unknown and does not block a deploy the runtime accepts; and `codeTypes`: the types whose nodes
 * take `flows:code` to add or change, which the editor locks for everyone else.
 */
export function registerPaletteRoutes(
  table: RouteTable,
  catalog: () => unknown[],
  runtime: { installedTypes(): string[]; codeTypes(): string[] },
): void {
  table.add({
    method: 'get', path: '/node-types', access: 'palette:read', tag: 'flows',
    summary: 'Every node type of the palette with the JSON Schema of its config, every type the runtime has installed, and the code node types',
    handler: () => {
      const installedTypes = runtime.installedTypes();
      const installed = new Set(installedTypes);
      // A core node the runtime does not have (a host node such as exec without --host-nodes) is not offered.
      const offered = (item: unknown) => {
        const entry = item as { type?: unknown; core?: unknown };
        return entry.core !== true || installed.size === 0 || installed.has(String(entry.type));
      };
      return { items: catalog().filter(offered), installedTypes, codeTypes: runtime.codeTypes() };
    },
  });
}
