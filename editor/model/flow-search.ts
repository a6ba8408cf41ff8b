/**
 * Node-RED's search (Ctrl+F): every node of every tab and subflow (config nodes and groups too) found by its label,
 * type, id or the text of its properties. The index is built once per document and catalog. Browser-safe, no React.
 */
import type { FlowDocument, NodeRedNode } from './flow-codec.ts';
import { kindOf, labelOf, nodeTypeLabel, type FlowCatalog } from './node-catalog.ts';
import { t } from './model.messages.ts';
import { currentLocale } from '../i18n.ts';

/** One node found. */
export interface SearchHit {
  id: string;
  /** What the canvas shows it as (its name, else its type's label). */
  label: string;
  type: string;
  /** The type as the palette names it. */
  typeLabel: string;
  /** The tab or subflow it is on; undefined for a global config node. */
  tabId?: string;
  /** That tab's (or subflow's) label, `global` for a global config node. */
  tabLabel: string;
  kind: 'node' | 'group' | 'config';
  /** Where the query matched first: label, type, id, else a property. */
  matched: 'label' | 'type' | 'id' | 'property';
}

interface Entry extends Omit<SearchHit, 'matched'> {
  labelText: string;
  typeText: string;
  propertyText: string;
}

/** Properties that are layout or wiring, not what a user searches for. */
const SKIPPED = new Set(['id', 'type', 'z', 'x', 'y', 'w', 'h', 'g', 'wires', 'credentials', 'nodes']);
/** How much of a node's property text is searched: enough for any real config, bounded for a pasted megabyte. */
const MAX_PROPERTY_TEXT = 20_000;
/** Results shown at most. */
export const MAX_SEARCH_HITS = 100;

/**
 * The nodes matching `query`: every word of it must appear (case-insensitive) in the node's label, type, id or
 * property text. Best first: an exact id, then label, type and property matches, each in document order.
 */
export function searchFlows(doc: FlowDocument, catalog: FlowCatalog, query: string, limit = MAX_SEARCH_HITS): SearchHit[] {
  const words = query.toLowerCase().split(/\s+/).filter((word) => word !== '').slice(0, 20);
  if (words.length === 0) return [];
  const ranked: { hit: SearchHit; rank: number; order: number }[] = [];
  searchIndex(doc, catalog).forEach((entry, order) => {
    const haystack = [entry.labelText, entry.typeText, entry.id.toLowerCase(), entry.propertyText];
    if (!words.every((word) => haystack.some((text) => text.includes(word)))) return;
    const whole = words.join(' ');
    const matched: SearchHit['matched'] = entry.labelText.includes(whole)
      ? 'label'
      : entry.typeText.includes(whole)
        ? 'type'
        : entry.id.toLowerCase().includes(whole)
          ? 'id'
          : 'property';
    const rank = entry.id.toLowerCase() === whole ? 0 : { label: 1, type: 2, id: 3, property: 4 }[matched];
    const { labelText: _l, typeText: _t, propertyText: _p, ...hit } = entry;
    ranked.push({ hit: { ...hit, matched }, rank, order });
  });
  return ranked
    .sort((a, b) => a.rank - b.rank || a.order - b.order)
    .slice(0, limit)
    .map((entry) => entry.hit);
}

/** The searchable nodes of a document with their texts (cached per document and catalog). */
function searchIndex(doc: FlowDocument, catalog: FlowCatalog): readonly Entry[] {
  const hit = indexes.get(doc);
  // Type labels are in the UI's language.
  const locale = currentLocale();
  if (hit?.catalog === catalog && hit.locale === locale) return hit.entries;
  const containers = new Map(doc.nodes.filter((node) => node.type === 'tab' || node.type === 'subflow').map((node) => [node.id, node]));
  const entries: Entry[] = [];
  for (const node of doc.nodes) {
    const kind = kindOf(node);
    if (kind !== 'node' && kind !== 'group' && kind !== 'config') continue;
    const definition = catalog.definition(node.type);
    const typeLabel = node.type === 'group' ? t('search.group') : definition ? nodeTypeLabel(definition) : node.type;
    const label = labelOf(node, doc, catalog) || (typeof node['name'] === 'string' && node['name'] !== '' ? node['name'] : typeLabel);
    const z = typeof node['z'] === 'string' ? node['z'] : undefined;
    const container = z === undefined ? undefined : containers.get(z);
    const entry: Entry = {
      id: node.id, label, type: node.type, typeLabel, kind,
      tabLabel: container ? labelOf(container, doc, catalog) : z === undefined ? t('list.global') : z,
      labelText: label.toLowerCase(),
      typeText: `${node.type} ${typeLabel}`.toLowerCase(),
      propertyText: propertyText(node).toLowerCase(),
    };
    if (container) entry.tabId = container.id;
    entries.push(entry);
  }
  indexes.set(doc, { catalog, locale, entries });
  return entries;
}
const indexes = new WeakMap<FlowDocument, { catalog: FlowCatalog; locale: string; entries: Entry[] }>();

/** The strings and numbers of a node's own properties (nested ones too), newline-separated and bounded. */
function propertyText(node: NodeRedNode): string {
  const parts: string[] = [];
  let length = 0;
  const visit = (value: unknown, depth: number) => {
    if (length > MAX_PROPERTY_TEXT || depth > 6) return;
    if (typeof value === 'string' || typeof value === 'number') {
      const text = String(value);
      parts.push(text);
      length += text.length + 1;
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
    } else if (typeof value === 'object' && value !== null) {
      for (const item of Object.values(value)) visit(item, depth + 1);
    }
  };
  for (const [key, value] of Object.entries(node)) if (!SKIPPED.has(key)) visit(value, 0);
  return parts.join('\n').slice(0, MAX_PROPERTY_TEXT);
}
