import { describe, expect, it } from 'vitest';
import { nodeTypeCatalog } from '../../nodes/definitions.ts';
import { paletteGroups } from './palette-groups.ts';

const catalog = nodeTypeCatalog();

describe('palette groups', () => {
  it('lists every non-config type once, by category in order of first appearance', () => {
    const groups = paletteGroups(catalog);
    const listed = groups.flatMap((g) => g.entries.map((e) => e.type));
    expect([...listed].sort()).toEqual(catalog.filter((e) => !e.isConfigNode).map((e) => e.type).sort());
    expect(groups[0]!.category).toBe(catalog.find((e) => !e.isConfigNode)!.category);
    expect(new Set(groups.map((g) => g.category)).size).toBe(groups.length);
    expect(listed).not.toContain('thing-mqtt-listener');
    expect(listed).not.toContain('thing-http-listener');
  });

  it('keeps only the types whose label, type or category match every word typed', () => {
    expect(paletteGroups(catalog, 'DEVICE in').flatMap((g) => g.entries.map((e) => e.type))).toEqual(['device-in']);
    expect(paletteGroups(catalog, 'common').map((g) => g.category)).toEqual(['common']);
    expect(paletteGroups(catalog, 'no such node')).toEqual([]);
  });
});
