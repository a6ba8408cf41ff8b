import { describe, expect, it } from 'vitest';
import { applyEdgeChanges, applyNodeChanges } from './canvas-changes.ts';
import { wireId } from './flow-canvas.ts';
import { FlowEditError } from './flow-edits.ts';
import { createFlowStore, type FlowStore } from './flow-store.ts';
import { replaceFlows } from '../import-export/replace-flows.ts';
import injectFunctionDebug from './fixtures/inject-function-debug.json' with { type: 'json' };

const TAB = '3f1c2a9b8e7d6c51';
const INJECT = 'a41e0c7d92b3f865';
const FUNCTION = '5bd7e3c0f1a29486';

/** What an operator's editor gets: the deployed flows, read-only. */
function operatorStore(): FlowStore {
  let next = 0;
  return createFlowStore({ flows: injectFunctionDebug, rev: 'rev-1', newId: () => `n${++next}`, readOnly: true });
}

/** Runs `act` and checks the flows, their history and the dirty flag are as they were. */
function expectUnchanged(store: FlowStore, act: () => unknown) {
  const { document, history } = store.getState();
  act();
  const after = store.getState();
  expect(after.document).toBe(document);
  expect(after.history.past).toEqual(history.past);
  expect(after.isDirty()).toBe(false);
}

const refused = (act: () => unknown) => {
  try {
    act();
  } catch (err) {
    return err instanceof FlowEditError ? err.code : err;
  }
  return 'not refused';
};

describe('a read-only flow store (a user without flows:write)', () => {
  it('refuses to add nodes, tabs, pasted or imported flows and drafts, saying why', () => {
    const store = operatorStore();
    const text = JSON.stringify(injectFunctionDebug);
    const draft = createFlowStore({ flows: injectFunctionDebug, rev: 'rev-1' });
    draft.getState().deleteNodes([INJECT]);
    for (const act of [
      () => store.getState().addNode('debug', { x: 100, y: 100 }),
      () => store.getState().addNode('mqtt-broker'),
      () => store.getState().addTab('Mine'),
      () => store.getState().paste(text),
      () => store.getState().addImported(injectFunctionDebug),
      () => store.getState().restoreDraft(draft.getState().serializeDraft()),
      () => replaceFlows(store, injectFunctionDebug),
    ]) {
      expectUnchanged(store, () => expect(refused(act)).toBe('read-only'));
    }
    expect(() => store.getState().addTab()).toThrow(/Read only: your role cannot change flows/);
  });

  it('leaves the flows as they are for moves, field edits, deletes, wiring, tab changes, cut, undo and redo', () => {
    const store = operatorStore();
    const wire = wireId({ source: INJECT, port: 0, target: FUNCTION, occurrence: 0 });
    store.getState().select({ nodes: [INJECT], edges: [wire] });
    const acts = [
      () => store.getState().moveNodes([{ id: INJECT, position: { x: 500, y: 500 } }]),
      () => store.getState().moveNodes([{ id: INJECT, position: { x: 510, y: 500 } }], { ongoing: true }),
      () => store.getState().updateNodeConfig(INJECT, { name: 'changed' }),
      () => store.getState().updateNodeConfig(INJECT, { name: 'typing' }, { ongoing: true }),
      () => store.getState().deleteSelection(),
      () => store.getState().deleteNodes([INJECT, FUNCTION]),
      () => expect(store.getState().connect({ source: FUNCTION, target: INJECT })).toBe(false),
      () => store.getState().disconnect([wire]),
      () => store.getState().renameTab(TAB, 'Renamed'),
      () => store.getState().disableTab(TAB, true),
      () => store.getState().deleteTab(TAB),
      () => expect(store.getState().cut()).toBeNull(),
      () => store.getState().undo(),
      () => store.getState().redo(),
      // The canvas's own change events: a drag, a remove (React Flow's delete key) and a removed wire.
      () => applyNodeChanges(store, [{ type: 'position', id: INJECT, position: { x: 9, y: 9 }, dragging: true }]),
      () => applyNodeChanges(store, [{ type: 'remove', id: FUNCTION }]),
      () => applyEdgeChanges(store, [{ type: 'remove', id: wire }]),
    ];
    for (const act of acts) expectUnchanged(store, act);
    expect(store.getState().history).toEqual({ past: [], future: [], gesture: null });
    expect(store.getState().document.nodes.find((n) => n.id === INJECT)).toMatchObject({ name: 'every 5 s', x: expect.any(Number) });
    expect(store.getState().activeTab).toBe(TAB);
  });

  it('still lets the user look: select, select all, copy, switch tabs, export, check problems', () => {
    const store = operatorStore();
    expectUnchanged(store, () => {
      store.getState().select({ nodes: [INJECT] });
      expect([...store.getState().selection.nodes]).toEqual([INJECT]);
      store.getState().selectAll();
      expect(store.getState().selection.nodes.size).toBeGreaterThan(1);
      expect(JSON.parse(store.getState().copy()!)).toHaveLength(store.getState().selection.nodes.size);
      store.getState().setActiveTab(TAB);
      expect(store.getState().toFlows()).toEqual(injectFunctionDebug);
      expect(store.getState().problems().deployBlocker).toBeNull();
    });
    expect(store.getState().readOnly).toBe(true);
  });

  it('takes flows the server sends (a reload) and stays read-only', () => {
    const store = operatorStore();
    store.getState().load([{ id: 't2', type: 'tab', label: 'Other' }], 'rev-2');
    expect(store.getState().activeTab).toBe('t2');
    expectUnchanged(store, () => store.getState().renameTab('t2', 'Mine'));
    expect(refused(() => store.getState().addNode('debug'))).toBe('read-only');
  });

  it('is writable unless asked: an engineer’s store edits as before', () => {
    const store = createFlowStore({ flows: injectFunctionDebug });
    expect(store.getState().readOnly).toBe(false);
    store.getState().renameTab(TAB, 'Renamed');
    expect(store.getState().isDirty()).toBe(true);
  });
});
