import { describe, expect, it } from 'vitest';
import type { InternalNode } from '@xyflow/react';
import { documentOf } from '../model/flow-codec.ts';
import { linkPairs, linkWirePath } from './link-wires.tsx';

const doc = documentOf([
  { id: 'out', type: 'link out', z: 'tab', links: ['in', 'elsewhere'] },
  { id: 'in', type: 'link in', z: 'tab', links: ['out'] },
  { id: 'call', type: 'link call', z: 'tab', links: ['in'] },
  { id: 'fn', type: 'function', z: 'tab' },
]);

/** A link node as React Flow holds it on the tab: placed at `x`, 30 × 30. */
const drawn = (id: string, x: number) => [id, { id, measured: { width: 30, height: 30 }, internals: { positionAbsolute: { x, y: 100 } } } as unknown as InternalNode] as const;

describe('virtual wires of link nodes', () => {
  it('joins a selected link node to the nodes it is linked with, from sender to receiver', () => {
    expect(linkPairs(doc, new Set())).toEqual([]);
    expect(linkPairs(doc, new Set(['fn']))).toEqual([]);
    expect(linkPairs(doc, new Set(['out']))).toEqual([['out', 'in'], ['out', 'elsewhere']]);
    expect(linkPairs(doc, new Set(['in']))).toEqual([['out', 'in']]);
    // A link call calls its link in.
    expect(linkPairs(doc, new Set(['call']))).toEqual([['call', 'in']]);
  });

  it('draws them from the sender\'s right side to the receiver\'s left, and only between nodes on the tab', () => {
    const lookup = new Map([drawn('out', 0), drawn('in', 200)]);
    // From the link out's right side (x 30, y 115) to the link in's left side (x 200).
    expect(linkWirePath(lookup, [['out', 'in']])).toBe('M30,115 C115,115 115,115 200,115');
    expect(linkWirePath(lookup, [['out', 'elsewhere']])).toBe('');
  });
});
