/**
 * The palette's content: node types by category, in the order the server lists them, filtered by what the user
 * typed. Config node types are left out, as in Node-RED: they are added from the config nodes panel or a node's
 * properties, never dropped on a flow. Browser-safe, no React.
 */
import type { NodeTypeEntry } from '../../nodes/definitions.ts';
import { categoryIn, nodeTypeLabelIn } from '../../nodes/i18n/node-text.def.ts';
import { currentLocale } from '../i18n.ts';

export interface PaletteGroup {
  /** The category's heading, in the UI's language. */
  category: string;
  entries: NodeTypeEntry[];
}

/** The label a palette entry shows, in the UI's language. */
export function paletteLabel(entry: NodeTypeEntry): string {
  return nodeTypeLabelIn(entry.type, entry, currentLocale());
}

/**
 * Palette groups matching `search` (case-insensitive, on label, type or category; every word must match), each
 * category once, in first-seen order; empty categories are left out.
 */
export function paletteGroups(types: readonly NodeTypeEntry[], search = ''): PaletteGroup[] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const groups = new Map<string, NodeTypeEntry[]>();
  for (const entry of types) {
    if (entry.isConfigNode) continue;
    // Both languages match, so a type is found by the words of its English help too.
    const haystack = `${paletteLabel(entry)} ${entry.paletteLabel ?? entry.label} ${entry.type} ${entry.category} ${categoryIn(entry.category, currentLocale())}`.toLowerCase();
    if (!words.every((word) => haystack.includes(word))) continue;
    const list = groups.get(entry.category);
    if (list) list.push(entry);
    else groups.set(entry.category, [entry]);
  }
  return [...groups].map(([category, entries]) => ({ category: categoryIn(category, currentLocale()), entries }));
}
