import type { RouteTable } from '../http/route-table.ts';

/**
 * `GET /api/v1/node-types`: every palette entry (our nodes and the curated core nodes) with its config schema, and
 * `installedTypes`: every type the runtime has registered. The editor needs the second list so a core node we do not
 * curate (split, join, http in, link call…) is not shown as unknown and does not block a deploy the runtime accepts.
 */
export function registerPaletteRoutes(table: RouteTable, catalog: () => unknown[], installedTypes: () => string[]): void {
  table.add({
    method: 'get', path: '/node-types', access: 'palette:read', tag: 'flows',
    summary: 'Every node type of the palette with the JSON Schema of its config, and every type the runtime has installed',
    handler: () => ({ items: catalog(), installedTypes: installedTypes() }),
  });
}
