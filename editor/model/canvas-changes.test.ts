import { describe, expect, it } from 'vitest';
import { applyEdgeChanges, applyNodeChanges } from './canvas-changes.ts';
import { wireId } from './flow-canvas.ts';
import { createFlowStore } from './flow-store.ts';
import injectFunctionDebug from './fixtures/inject-function-debug.json' with { type: 'json' };

const INJECT = 'a41e0c7d92b3f865';
const FUNCTION = '5bd7e3c0f1a29486';
const DEBUG_1 = 'e9c04b17a6d35f28';

describe('React Flow changes applied to the store', () => {
  it('makes a drag of two nodes one undo step', () => {
    const store = createFlowStore({ flows: injectFunctionDebug });
    for (let step = 1; step <= 5; step++) {
      applyNodeChanges(store, [
        { id: INJECT, type: 'position', position: { x: 150 + step, y: 100 }, dragging: true },
        { id: FUNCTION, type: 'position', position: { x: 330 + step, y: 100 }, dragging: true },
      ]);
    }
    applyNodeChanges(store, [
      { id: INJECT, type: 'position', position: { x: 160, y: 100 }, dragging: false },
      { id: FUNCTION, type: 'position', position: { x: 340, y: 100 }, dragging: false },
    ]);
    expect(store.getState().history.past).toHaveLength(1);
    store.getState().undo();
    expect(store.getState().toFlows()).toEqual(injectFunctionDebug);
  });

  it('follows selection clicks on nodes and edges, and records measured sizes', () => {
    const store = createFlowStore({ flows: injectFunctionDebug });
    applyNodeChanges(store, [{ id: INJECT, type: 'select', selected: true }]);
    const edge = wireId({ source: INJECT, port: 0, target: FUNCTION, occurrence: 0 });
    applyEdgeChanges(store, [{ id: edge, type: 'select', selected: true }]);
    applyNodeChanges(store, [
      { id: INJECT, type: 'select', selected: false },
      { id: FUNCTION, type: 'select', selected: true },
      { id: FUNCTION, type: 'dimensions', dimensions: { width: 100, height: 30 } },
    ]);
    expect([...store.getState().selection.nodes]).toEqual([FUNCTION]);
    expect([...store.getState().selection.edges]).toEqual([edge]);
    expect(store.getState().measured.get(FUNCTION)).toEqual({ width: 100, height: 30 });
    expect(store.getState().history.past).toHaveLength(0);
  });

  it('deletes removed nodes in one step; the removal of their edges that follows changes nothing more', () => {
    const store = createFlowStore({ flows: injectFunctionDebug });
    applyNodeChanges(store, [{ id: FUNCTION, type: 'remove' }]);
    applyEdgeChanges(store, [
      { id: wireId({ source: INJECT, port: 0, target: FUNCTION, occurrence: 0 }), type: 'remove' },
      { id: wireId({ source: FUNCTION, port: 0, target: DEBUG_1, occurrence: 0 }), type: 'remove' },
    ]);
    expect(store.getState().document.nodes.map((n) => n.id)).not.toContain(FUNCTION);
    expect(store.getState().history.past).toHaveLength(1);
  });
});
