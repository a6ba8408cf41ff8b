import { describe, expect, it } from 'vitest';
import { createFlowStore } from './flow-store.ts';
import { MAX_SEARCH_HITS, searchFlows } from './flow-search.ts';
import injectFunctionDebug from './fixtures/inject-function-debug.json' with { type: 'json' };
import mqttBrokerConfig from './fixtures/mqtt-broker-config.json' with { type: 'json' };
import subflowWithInstance from './fixtures/subflow-with-instance.json' with { type: 'json' };

const search = (flows: unknown, query: string) => {
  const { document, catalog } = createFlowStore({ flows }).getState();
  return searchFlows(document, catalog, query);
};

describe('search across the flows', () => {
  it('finds nodes by label, type, id and property text, naming their type and tab', () => {
    expect(search(injectFunctionDebug, 'double')).toEqual([
      expect.objectContaining({ id: '5bd7e3c0f1a29486', label: 'double', type: 'function', tabLabel: 'Flow 1', tabId: '3f1c2a9b8e7d6c51', matched: 'label' }),
    ]);
    expect(search(injectFunctionDebug, 'DEBUG').map((hit) => hit.label)).toEqual(['debug 1', 'whole message']);
    expect(search(injectFunctionDebug, '0d6a8f24c3b1e597').map((hit) => hit.label)).toEqual(['whole message']);
    // Text inside the function's code.
    expect(search(injectFunctionDebug, 'payload * 2')).toEqual([expect.objectContaining({ label: 'double', matched: 'property' })]);
    expect(search(injectFunctionDebug, 'nothing like this')).toEqual([]);
    expect(search(injectFunctionDebug, '   ')).toEqual([]);
  });

  it('ranks an exact id first and label matches before property matches', () => {
    const flows = [
      ...injectFunctionDebug,
      { id: 'temp', type: 'comment', z: '3f1c2a9b8e7d6c51', name: 'notes', info: 'about the double node', x: 1, y: 1, wires: [] },
      { id: 'double', type: 'comment', z: '3f1c2a9b8e7d6c51', name: 'other', x: 2, y: 2, wires: [] },
    ];
    expect(search(flows, 'double').map((hit) => hit.id)).toEqual(['double', '5bd7e3c0f1a29486', 'temp']);
  });

  it('covers config nodes (global) and subflows', () => {
    const config = search(mqttBrokerConfig, 'mqtt-broker');
    expect(config[0]).toMatchObject({ kind: 'config', tabLabel: 'global' });
    expect(config[0]!.tabId).toBeUndefined();
    const { document } = createFlowStore({ flows: subflowWithInstance }).getState();
    const inside = document.nodes.find((node) => typeof node['z'] === 'string' && document.nodes.find((c) => c.id === node['z'])?.type === 'subflow')!;
    expect(search(subflowWithInstance, inside.id)[0]).toMatchObject({ id: inside.id, tabId: inside['z'] });
  });

  it('answers a bounded list for a huge flow and a huge query', () => {
    const flows = [{ id: 't', type: 'tab', label: 'Big' }, ...Array.from({ length: 500 }, (_, i) => ({ id: `n${i}`, type: 'comment', z: 't', name: `note ${i}`, info: 'x'.repeat(30_000), x: i, y: 0, wires: [] }))];
    expect(search(flows, 'note')).toHaveLength(MAX_SEARCH_HITS);
    expect(search(flows, 'note '.repeat(10_000))).toHaveLength(MAX_SEARCH_HITS);
  });
});
