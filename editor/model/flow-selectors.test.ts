import { describe, expect, it } from 'vitest';
import { createFlowStore } from './flow-store.ts';
import {
  selectCanRedo,
  selectCanUndo,
  selectCanvasEdges,
  selectCanvasNodes,
  selectConfigNodes,
  selectIsDirty,
  selectNodeProblems,
  selectTabs,
} from './flow-selectors.ts';
import injectFunctionDebug from './fixtures/inject-function-debug.json' with { type: 'json' };
import mqttBrokerConfig from './fixtures/mqtt-broker-config.json' with { type: 'json' };
import subflowWithInstance from './fixtures/subflow-with-instance.json' with { type: 'json' };

const INJECT = 'a41e0c7d92b3f865';
const FUNCTION = '5bd7e3c0f1a29486';

describe('flow selectors', () => {
  it('give the same canvas until it changes, and keep unchanged nodes identical when one moves', () => {
    const store = createFlowStore({ flows: injectFunctionDebug });
    const first = selectCanvasNodes(store.getState());
    expect(selectCanvasNodes(store.getState())).toBe(first);
    store.getState().setMeasured([]);
    expect(selectCanvasNodes(store.getState())).toBe(first);

    store.getState().moveNodes([{ id: INJECT, position: { x: 10, y: 20 } }]);
    const moved = selectCanvasNodes(store.getState());
    expect(moved).not.toBe(first);
    expect(moved[0]).toMatchObject({ id: INJECT, position: { x: 10, y: 20 } });
    expect(moved.slice(1)).toEqual(first.slice(1));
    moved.slice(1).forEach((node, i) => expect(node).toBe(first[i + 1]));

    const edges = selectCanvasEdges(store.getState());
    store.getState().select({ nodes: [FUNCTION] });
    expect(selectCanvasEdges(store.getState())).toBe(edges);
    const selected = selectCanvasNodes(store.getState());
    expect(selected.find((n) => n.id === FUNCTION)?.selected).toBe(true);
    expect(selected[0]).toBe(moved[0]);

    store.getState().setMeasured([{ id: INJECT, width: 120, height: 30 }]);
    expect(selectCanvasNodes(store.getState())[0]?.measured).toEqual({ width: 120, height: 30 });
  });

  it('list tabs and subflows, and config nodes with their users', () => {
    const subflows = createFlowStore({ flows: subflowWithInstance });
    expect(selectTabs(subflows.getState())).toEqual([
      { id: '4aa3d6e1f0b27c98', kind: 'tab', label: 'Sensors', disabled: false },
      { id: '7c2e9f04b1a6d835', kind: 'subflow', label: 'Scale and clamp', disabled: false },
    ]);
    const mqtt = createFlowStore({ flows: mqttBrokerConfig });
    expect(selectConfigNodes(mqtt.getState())).toEqual([
      { id: '2b8e04c9d7f15a63', type: 'mqtt-broker', label: 'plant broker', users: ['90f2d7b4a16ce835', 'e3a6c1d58b0f7249'], unknown: false, publicEndpoint: false },
      { id: '7d4f0a9e3c62b815', type: 'mqtt-broker', label: 'flow-scoped test broker', scope: 'c5e1a8f02b7d3946', users: [], unknown: false, publicEndpoint: false },
    ]);
  });

  it('give one node its problems, a stable empty list when it has none, and undo/dirty flags', () => {
    const store = createFlowStore({ flows: mqttBrokerConfig });
    const select = selectNodeProblems('90f2d7b4a16ce835');
    expect(select(store.getState())).toBe(select(store.getState()));
    expect(select(store.getState())).toEqual([]);
    expect(selectCanUndo(store.getState())).toBe(false);
    store.getState().updateNodeConfig('90f2d7b4a16ce835', { broker: '' });
    expect(select(store.getState()).map((p) => p.message)).toEqual(['Server is required']);
    expect(selectIsDirty(store.getState())).toBe(true);
    expect(selectCanUndo(store.getState())).toBe(true);
    store.getState().undo();
    expect(selectCanRedo(store.getState())).toBe(true);
    expect(selectIsDirty(store.getState())).toBe(false);
  });
});
