import type { RouteTable } from '../http/route-table.ts';

/** `GET /api/v1/node-types`: every palette entry (our nodes and the curated core nodes) with its config schema. */
export function registerPaletteRoutes(table: RouteTable, catalog: () => unknown[]): void {
  table.add({
    method: 'get', path: '/node-types', access: 'palette:read', tag: 'flows',
    summary: 'Every node type of the palette with the JSON Schema of its config',
    handler: () => ({ items: catalog() }),
  });
}
