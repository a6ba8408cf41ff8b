import { describe, expect, it } from 'vitest';
import { createFlowStore, FlowDeployBlockedError, type FlowStore } from './flow-store.ts';
import injectFunctionDebug from './fixtures/inject-function-debug.json' with { type: 'json' };

const FUNCTION = '5bd7e3c0f1a29486';

/** The fixture as deployed, edited by a user without `flows:code` (function nodes locked). */
function engineerStore(): FlowStore {
  let next = 0;
  return createFlowStore({ flows: injectFunctionDebug, rev: 'rev-1', newId: () => `n${++next}`, lockedTypes: ['function'] });
}
const codeProblems = (store: FlowStore) => store.getState().problems().all.filter((p) => p.kind === 'code');

describe('code nodes locked for a user without flows:code', () => {
  it('knows which types are locked, and lets the deployed function node be moved without complaint', () => {
    const store = engineerStore();
    expect(store.getState().catalog.isCodeLocked('function')).toBe(true);
    expect(store.getState().catalog.isCodeLocked('debug')).toBe(false);
    store.getState().moveNodes([{ id: FUNCTION, position: { x: 600, y: 400 } }]);
    expect(codeProblems(store)).toEqual([]);
    expect(() => store.getState().deployRequest()).not.toThrow();
  });

  it('marks a changed function node at its place and keeps the deploy back, saying why', () => {
    const store = engineerStore();
    store.getState().updateNodeConfig(FUNCTION, { func: 'return null;' });
    expect(codeProblems(store)).toEqual([expect.objectContaining({ nodeId: FUNCTION, message: expect.stringContaining('Only admins change function nodes') })]);
    expect(() => store.getState().deployRequest()).toThrow(FlowDeployBlockedError);
    expect(() => store.getState().deployRequest()).toThrow(/1 code node was added or changed/);
    store.getState().undo();
    expect(codeProblems(store)).toEqual([]);
  });

  it('marks a new function node, and clears the mark when it is deleted', () => {
    const store = engineerStore();
    const id = store.getState().addNode('function', { x: 10, y: 10 });
    expect(codeProblems(store)).toEqual([expect.objectContaining({ nodeId: id, message: expect.stringContaining('Only admins add function nodes') })]);
    store.getState().deleteNodes([id, FUNCTION]);
    expect(codeProblems(store)).toEqual([]);
  });

  it('locks nothing for a user who may deploy code', () => {
    const store = createFlowStore({ flows: injectFunctionDebug, rev: 'rev-1' });
    store.getState().updateNodeConfig(FUNCTION, { func: 'return null;' });
    expect(codeProblems(store)).toEqual([]);
  });
});
