import { describe, expect, it } from 'vitest';
import { linkWirePath } from './link-wires.tsx';

/** A link node as React Flow holds it: placed at `x`, 30 × 30, selected or not. */
const node = (id: string, type: string, x: number, links: string[], selected = false) => ({
  id, type: 'flow-node', selected, data: { node: { id, type, links } },
  measured: { width: 30, height: 30 }, internals: { positionAbsolute: { x, y: 100 } },
});

const state = (...nodes: ReturnType<typeof node>[]) =>
  ({ nodes, nodeLookup: new Map(nodes.map((n) => [n.id, n])) }) as unknown as Parameters<typeof linkWirePath>[0];

describe('virtual wires of link nodes', () => {
  it('joins a selected link node to the nodes it is linked with on the tab, from sender to receiver', () => {
    const out = node('out', 'link out', 0, ['in', 'elsewhere']);
    const inNode = node('in', 'link in', 200, ['out']);
    expect(linkWirePath(state(out, inNode))).toBe('');
    // From the link out's right side (x 30, y 115) to the link in's left side (x 200): the same curve whichever is selected.
    const curve = 'M30 115C115 115 115 115 200 115';
    expect(linkWirePath(state({ ...out, selected: true }, inNode))).toBe(curve);
    expect(linkWirePath(state(out, { ...inNode, selected: true }))).toBe(curve);
    // A link call calls its link in; a link to a node on another tab draws nothing here.
    expect(linkWirePath(state(node('call', 'link call', 0, ['in'], true), inNode))).toBe(curve);
    expect(linkWirePath(state(node('lonely', 'link out', 0, ['other-tab'], true)))).toBe('');
  });
});
