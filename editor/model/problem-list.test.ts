import { describe, expect, it } from 'vitest';
import { createFlowStore } from './flow-store.ts';
import { problemList } from './problem-list.ts';
import injectFunctionDebug from './fixtures/inject-function-debug.json' with { type: 'json' };

const FUNCTION = '5bd7e3c0f1a29486';

describe('the problems list', () => {
  it('lists every node with a problem on any tab, with its flow, and none when all is well', () => {
    const store = createFlowStore({ flows: injectFunctionDebug });
    const list = () => problemList(store.getState().problems(), store.getState().document, store.getState().catalog);
    expect(list()).toEqual([]);
    // What a user typed into a number field, kept as typed: the validator reports it, the node is listed.
    store.getState().updateNodeConfig(FUNCTION, { timeout: '12a' });
    const other = store.getState().addTab('Second');
    const unknown = store.getState().paste(JSON.stringify([{ id: 'u', type: 'contrib-thing', x: 10, y: 10, wires: [] }]), other);
    expect(list()).toEqual([
      expect.objectContaining({ nodeId: FUNCTION, label: 'double', type: 'function', tabLabel: 'Flow 1', blocksDeploy: false, messages: [expect.stringMatching(/Timeout/)] }),
      expect.objectContaining({ nodeId: unknown[0], tabId: other, tabLabel: 'Second', blocksDeploy: true }),
    ]);
    expect(list()).toBe(list());
  });
});
