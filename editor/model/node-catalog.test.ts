import { describe, expect, it } from 'vitest';
import { createFlowStore } from './flow-store.ts';
import { labelOf } from './node-catalog.ts';

const TAB = { id: 'tab', type: 'tab', label: 'Flow 1' };

/** The canvas label of the one node in `node`'s flow. */
const label = (node: Record<string, unknown>) => {
  const { document, catalog } = createFlowStore({ flows: [TAB, { id: 'n', z: 'tab', x: 100, y: 100, wires: [], ...node }] }).getState();
  return labelOf(document.nodes.find((n) => n.id === 'n')!, document, catalog);
};

describe('a node\'s label on the canvas', () => {
  it('is its name when it has one, and a named inject keeps Node-RED\'s ¹ (fires once) or ↻ (repeats)', () => {
    expect(label({ type: 'function', name: 'double' })).toBe('double');
    expect(label({ type: 'inject', name: 'tick', repeat: '5' })).toBe('tick\t↻');
    expect(label({ type: 'inject', name: 'boot', once: true, repeat: '' })).toBe('boot ¹');
    expect(label({ type: 'inject', name: 'press', once: false, repeat: '' })).toBe('press');
    expect(label({ type: 'inject', payloadType: 'date', repeat: '', crontab: '' })).toBe('timestamp');
  });
});
