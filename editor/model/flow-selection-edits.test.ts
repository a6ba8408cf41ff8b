import { describe, expect, it } from 'vitest';
import { nodeById } from './flow-codec.ts';
import { createFlowStore } from './flow-store.ts';
import { addWiredNode, connectedNodes, groupNodes, groupRefusal, setNodesDisabled } from './flow-selection-edits.ts';
import group from './fixtures/group.json' with { type: 'json' };
import injectFunctionDebug from './fixtures/inject-function-debug.json' with { type: 'json' };

const TAB = '3f1c2a9b8e7d6c51';
const [INJECT, FUNCTION, DEBUG, WHOLE] = ['a41e0c7d92b3f865', '5bd7e3c0f1a29486', 'e9c04b17a6d35f28', '0d6a8f24c3b1e597'];
const lonely = { id: 'lonely', type: 'comment', z: TAB, name: 'alone', x: 100, y: 300, wires: [] };

describe('select connected', () => {
  it('follows wires both ways, any number of hops, and leaves unwired nodes out', () => {
    const { document } = createFlowStore({ flows: [...injectFunctionDebug, lonely] }).getState();
    expect(connectedNodes(document, [DEBUG])).toEqual(new Set([INJECT, FUNCTION, DEBUG, WHOLE]));
    expect(connectedNodes(document, ['lonely'])).toEqual(new Set(['lonely']));
    expect(connectedNodes(document, ['no-such-node'])).toEqual(new Set());
  });

  it('counts a selected group as its nodes', () => {
    const { document } = createFlowStore({ flows: group }).getState();
    // The outer group holds an inject wired to a json node (in the inner group) wired to a comment outside.
    expect(connectedNodes(document, ['ce51a7f39b204d86'])).toEqual(new Set(['2d9c4e71a0f5b368', '9a3f0b6d8c7e2514', '17b6e0d4c9a3f852']));
  });
});

describe('group selection', () => {
  it('draws a group around the selected nodes, by their measured sizes, as one undo step', () => {
    const store = createFlowStore({ flows: injectFunctionDebug });
    store.getState().setMeasured([{ id: INJECT, width: 100, height: 30 }]);
    const { document, groupId } = groupNodes(store.getState().document, [INJECT, FUNCTION], store.getState().measured, 'g1');
    expect(groupId).toBe('g1');
    // inject 100 wide at x 150 → left 100; function (typical 120) at x 330 → right 390; padding 20 on each side.
    expect(nodeById(document, 'g1')).toMatchObject({ type: 'group', z: TAB, nodes: [INJECT, FUNCTION], x: 80, y: 65, w: 330, h: 70 });
    expect(nodeById(document, INJECT)?.['g']).toBe('g1');
    expect(nodeById(document, DEBUG)?.['g']).toBeUndefined();

    store.getState().applyEdit((doc) => groupNodes(doc, [INJECT, FUNCTION], new Map(), 'g2').document, ['g2']);
    expect(store.getState().selection.nodes).toEqual(new Set(['g2']));
    store.getState().undo();
    expect(nodeById(store.getState().document, 'g2')).toBeUndefined();
    expect(nodeById(store.getState().document, INJECT)?.['g']).toBeUndefined();
  });

  it('nests a group made inside another, and refuses what cannot be grouped', () => {
    const { document } = createFlowStore({ flows: group }).getState();
    const nested = groupNodes(document, ['2d9c4e71a0f5b368'], new Map(), 'inner').document;
    expect(nodeById(nested, 'inner')?.['g']).toBe('61f8d3b07e2ac495');
    expect(nodeById(nested, '61f8d3b07e2ac495')?.['nodes']).toEqual(['9a3f0b6d8c7e2514', 'ce51a7f39b204d86', 'inner']);
    expect(groupRefusal(document, [])).toMatch(/Select/);
    expect(groupRefusal(document, ['2d9c4e71a0f5b368', '17b6e0d4c9a3f852'])).toMatch(/different groups/);
    expect(groupNodes(document, ['2d9c4e71a0f5b368', '17b6e0d4c9a3f852'], new Map(), 'x').document).toBe(document);
  });
});

describe('enable and disable', () => {
  it("sets and clears Node-RED's d flag on flow nodes only", () => {
    const { document } = createFlowStore({ flows: group }).getState();
    const off = setNodesDisabled(document, ['2d9c4e71a0f5b368', '61f8d3b07e2ac495'], true);
    expect(nodeById(off, '2d9c4e71a0f5b368')?.['d']).toBe(true);
    expect(nodeById(off, '61f8d3b07e2ac495')?.['d']).toBeUndefined();
    const on = setNodesDisabled(off, ['2d9c4e71a0f5b368'], false);
    expect(Object.hasOwn(nodeById(on, '2d9c4e71a0f5b368')!, 'd')).toBe(false);
  });

  it('changes nothing on a read-only store', () => {
    const store = createFlowStore({ flows: injectFunctionDebug, readOnly: true });
    const before = store.getState().document;
    store.getState().applyEdit((doc) => setNodesDisabled(doc, [INJECT], true));
    expect(store.getState().document).toBe(before);
  });
});

describe('quick-add', () => {
  it('adds the node where asked, wired from the selected node when it has an output', () => {
    const store = createFlowStore({ flows: injectFunctionDebug });
    const { catalog } = store.getState();
    store.getState().applyEdit((doc) => addWiredNode(doc, catalog, 'debug', TAB, { x: 700, y: 100 }, FUNCTION, 'new-debug'), ['new-debug']);
    expect(nodeById(store.getState().document, 'new-debug')).toMatchObject({ type: 'debug', z: TAB, x: 700, y: 100 });
    expect(nodeById(store.getState().document, FUNCTION)?.['wires']).toEqual([[DEBUG, WHOLE, 'new-debug']]);
    // From a node without outputs: added, not wired.
    store.getState().applyEdit((doc) => addWiredNode(doc, catalog, 'inject', TAB, { x: 50, y: 400 }, DEBUG, 'new-inject'));
    expect(nodeById(store.getState().document, DEBUG)?.['wires']).toEqual([]);
    expect(nodeById(store.getState().document, 'new-inject')).toBeDefined();
    store.getState().undo();
    store.getState().undo();
    expect(nodeById(store.getState().document, 'new-debug')).toBeUndefined();
  });
});
