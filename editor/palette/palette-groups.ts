/**
 * The palette's content: node types by category, in the order the server lists them, filtered by what the user
 * typed. Config node types are left out, as in Node-RED: they are added from the config nodes panel or a node's
 * properties, never dropped on a flow. Browser-safe, no React.
 */
import type { NodeTypeEntry } from '../../nodes/definitions.ts';

export interface PaletteGroup {
  category: string;
  entries: NodeTypeEntry[];
}

/** The label a palette entry shows. */
export function paletteLabel(entry: NodeTypeEntry): string {
  return entry.paletteLabel ?? entry.label;
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
    const haystack = `${paletteLabel(entry)} ${entry.type} ${entry.category}`.toLowerCase();
    if (!words.every((word) => haystack.includes(word))) continue;
    const list = groups.get(entry.category);
    if (list) list.push(entry);
    else groups.set(entry.category, [entry]);
  }
  return [...groups].map(([category, entries]) => ({ category, entries }));
}
