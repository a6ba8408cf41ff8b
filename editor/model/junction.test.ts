/**
 * Junctions, Node-RED's wire joints (no form, no palette entry): drawn with one input and one output, wired like any
 * node, and exported exactly as Node-RED 4.1 writes them (`id`, `type`, `z`, `x`, `y`, `wires`, nothing else).
 */
import { describe, expect, it } from 'vitest';
import { createFlowStore } from './flow-store.ts';
import { defaultFlowCatalog, portsOf } from './node-catalog.ts';

describe('junctions', () => {
  it('are drawn with one input and one output, wired through and exported as Node-RED writes them', () => {
    let next = 0;
    const store = createFlowStore({
      flows: [{ id: 'tab', type: 'tab', label: 'Flow 1', disabled: false, info: '', env: [] }], rev: 'r1', newId: () => `n${++next}`,
    });
    const s = () => store.getState();
    const inject = s().addNode('inject', { x: 100, y: 60 }, 'tab');
    const junction = s().addNode('junction', { x: 220, y: 60 }, 'tab');
    const first = s().addNode('debug', { x: 340, y: 40 }, 'tab');
    const second = s().addNode('debug', { x: 340, y: 80 }, 'tab');
    const node = s().document.nodes.find((n) => n.id === junction)!;
    expect(portsOf(node, s().document, defaultFlowCatalog)).toEqual({ inputs: 1, outputs: 1 });
    expect(s().connect({ source: inject, sourceHandle: 'out-0', target: junction })).toBe(true);
    expect(s().connect({ source: junction, sourceHandle: 'out-0', target: first })).toBe(true);
    expect(s().connect({ source: junction, sourceHandle: 'out-0', target: second })).toBe(true);
    const flows = s().toFlows();
    expect(flows.find((n) => n.id === junction)).toEqual({ id: junction, type: 'junction', z: 'tab', x: 220, y: 60, wires: [[first, second]] });
    expect(flows.find((n) => n.id === inject)?.['wires']).toEqual([[junction]]);
  });
});
