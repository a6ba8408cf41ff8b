import { describe, expect, it } from 'vitest';
import type { InternalNode } from '@xyflow/react';
import { documentOf } from '../model/flow-codec.ts';
import { linkDrawing, linkPairs } from './link-wires.tsx';

const doc = documentOf([
  { id: 'tab', type: 'tab', label: 'Main' },
  { id: 'other', type: 'tab', label: 'Other' },
  { id: 'out', type: 'link out', z: 'tab', links: ['in', 'elsewhere', 'far-in', 'far-in-2'] },
  { id: 'far-in', type: 'link in', z: 'other', links: ['out'] },
  { id: 'far-in-2', type: 'link in', z: 'other', links: ['out'] },
  { id: 'far-out', type: 'link out', z: 'other', links: ['in'] },
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
    expect(linkPairs(doc, new Set(['out']))).toEqual([['out', 'in'], ['out', 'elsewhere'], ['out', 'far-in'], ['out', 'far-in-2']]);
    expect(linkPairs(doc, new Set(['in']))).toEqual([['out', 'in']]);
    // A link call calls its link in.
    expect(linkPairs(doc, new Set(['call']))).toEqual([['call', 'in']]);
  });

  it('draws them from the sender\'s right side to the receiver\'s left between nodes on the tab', () => {
    const lookup = new Map([drawn('out', 0), drawn('in', 200)]);
    // From the link out's right side (x 30, y 115) to the link in's left side (x 200).
    expect(linkDrawing(doc, lookup, [['out', 'in']])).toEqual({ d: 'M30,115 C115,115 115,115 200,115', stubs: [] });
    // A node the file does not have: nothing.
    expect(linkDrawing(doc, lookup, [['out', 'elsewhere']])).toEqual({ d: '', stubs: [] });
  });

  it('draws a stub naming the tab of each linked node on another tab, one under another, on the side messages take', () => {
    const lookup = new Map([drawn('out', 0), drawn('in', 200)]);
    expect(linkDrawing(doc, lookup, [['out', 'far-in'], ['out', 'far-in-2']]).stubs).toEqual([
      { x: 30, y: 103, side: 'right', target: 'far-in', tab: 'Other' },
      { x: 30, y: 127, side: 'right', target: 'far-in-2', tab: 'Other' },
    ]);
    // A link in's sender on another tab: a stub into its left side.
    expect(linkDrawing(doc, lookup, [['far-out', 'in']]).stubs).toEqual([{ x: 200, y: 115, side: 'left', target: 'far-out', tab: 'Other' }]);
  });
});
