import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportFlows, FlowImportError, importFlows, importFlowsText, type NodeRedNode } from './flow-codec.ts';
import { canvasEdges, canvasNodes, subflowPortId, type CanvasView } from './flow-canvas.ts';
import { createFlowStore } from './flow-store.ts';
import { defaultFlowCatalog, kindOf } from './node-catalog.ts';
import { nodeRedFlows } from './fixtures/arbitrary-flows.ts';
import injectFunctionDebug from './fixtures/inject-function-debug.json' with { type: 'json' };
import subflowWithInstance from './fixtures/subflow-with-instance.json' with { type: 'json' };
import group from './fixtures/group.json' with { type: 'json' };
import junction from './fixtures/junction.json' with { type: 'json' };
import linkNodes from './fixtures/link-nodes.json' with { type: 'json' };
import mqttBrokerConfig from './fixtures/mqtt-broker-config.json' with { type: 'json' };
import unknownContrib from './fixtures/unknown-contrib.json' with { type: 'json' };
import devicePipeline from '../../flows/device-pipeline.json' with { type: 'json' };

const fixtures: Record<string, unknown> = {
  'inject → function → debug': injectFunctionDebug,
  'subflow with an instance': subflowWithInstance,
  'nested groups and a comment': group,
  junction,
  'link out / link in / link call': linkNodes,
  'mqtt-broker config nodes': mqttBrokerConfig,
  'unknown contrib nodes with odd properties': unknownContrib,
  'flows/device-pipeline.json': devicePipeline,
};

const view: CanvasView = { selectedNodes: new Set(), selectedEdges: new Set(), measured: new Map() };

/** Deep-equal and the same key order at every level. */
function expectExactly(actual: unknown, expected: unknown) {
  expect(actual).toStrictEqual(expected);
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
}

describe('flow codec on real Node-RED exports', () => {
  for (const [name, flows] of Object.entries(fixtures)) {
    it(`exports ${name} exactly as imported (values, node order, key order)`, () => {
      expectExactly(exportFlows(importFlows(flows)), flows);
      expectExactly(exportFlows(importFlowsText(JSON.stringify(flows, null, 4))), flows);
    });
  }

  it('does not share objects with the input or with what it exports', () => {
    const input = structuredClone(injectFunctionDebug) as Record<string, unknown>[];
    const doc = importFlows(input);
    input[1]!['x'] = 9999;
    const exported = exportFlows(doc) as Record<string, unknown>[];
    exported[1]!['name'] = 'changed';
    expectExactly(exportFlows(doc), injectFunctionDebug);
  });

  it('draws a flow with node centres as positions and wires as edges in target order', () => {
    const doc = importFlows(injectFunctionDebug);
    const nodes = canvasNodes(doc, '3f1c2a9b8e7d6c51', view, defaultFlowCatalog);
    expect(nodes.map((n) => [n.id, n.type, n.position])).toEqual([
      ['a41e0c7d92b3f865', 'flow-node', { x: 150, y: 100 }],
      ['5bd7e3c0f1a29486', 'flow-node', { x: 330, y: 100 }],
      ['e9c04b17a6d35f28', 'flow-node', { x: 520, y: 80 }],
      ['0d6a8f24c3b1e597', 'flow-node', { x: 540, y: 140 }],
    ]);
    const inject = nodes[0]!;
    expect(inject.type === 'flow-node' && inject.data).toMatchObject({ label: 'every 5 s\t↻', inputs: 0, outputs: 1, disabled: false });
    const edges = canvasEdges(doc, '3f1c2a9b8e7d6c51', new Set());
    expect(edges.map((e) => [e.source, e.sourceHandle, e.target])).toEqual([
      ['a41e0c7d92b3f865', 'out-0', '5bd7e3c0f1a29486'],
      ['5bd7e3c0f1a29486', 'out-0', 'e9c04b17a6d35f28'],
      ['5bd7e3c0f1a29486', 'out-0', '0d6a8f24c3b1e597'],
    ]);
    expect(new Set(edges.map((e) => e.id)).size).toBe(3);
  });

  it('draws a subflow instance with its subflow ports and the subflow with its port nodes and wires', () => {
    const doc = importFlows(subflowWithInstance);
    const [, instance] = canvasNodes(doc, '4aa3d6e1f0b27c98', view, defaultFlowCatalog);
    expect(instance).toMatchObject({
      id: 'f6b81c29e4d07a35',
      type: 'flow-node',
      data: { label: 'Scale and clamp', inputs: 1, outputs: 2, color: '#C7E9C0', outputLabels: ['clamped', 'raw'] },
    });
    const sf = '7c2e9f04b1a6d835';
    const inner = canvasNodes(doc, sf, view, defaultFlowCatalog);
    expect(inner.map((n) => [n.id, n.type, n.position])).toEqual([
      ['c81f5a3e0d92b746', 'flow-node', { x: 230, y: 80 }],
      ['19e4b7d20c5f8a63', 'flow-node', { x: 240, y: 180 }],
      [subflowPortId({ subflowId: sf, direction: 'in', index: 0 }), 'subflow-port', { x: 60, y: 80 }],
      [subflowPortId({ subflowId: sf, direction: 'out', index: 0 }), 'subflow-port', { x: 420, y: 60 }],
      [subflowPortId({ subflowId: sf, direction: 'out', index: 1 }), 'subflow-port', { x: 420, y: 120 }],
      [subflowPortId({ subflowId: sf, direction: 'status', index: 0 }), 'subflow-port', { x: 420, y: 180 }],
    ]);
    const port = (direction: 'in' | 'out' | 'status', index = 0) => subflowPortId({ subflowId: sf, direction, index });
    expect(canvasEdges(doc, sf, new Set()).map((e) => [e.source, e.sourceHandle, e.target])).toEqual([
      [port('in'), 'out-0', 'c81f5a3e0d92b746'],
      ['c81f5a3e0d92b746', 'out-0', port('out', 0)],
      [port('in'), 'out-0', port('out', 1)],
      ['c81f5a3e0d92b746', 'out-1', port('out', 1)],
      ['19e4b7d20c5f8a63', 'out-0', port('status')],
    ]);
  });

  it('draws groups first, outer before inner, with their box as position and size', () => {
    const doc = importFlows(group);
    const nodes = canvasNodes(doc, 'b0e7a2c95d4f1863', view, defaultFlowCatalog);
    expect(nodes.map((n) => n.type)).toEqual(['flow-group', 'flow-group', 'flow-node', 'flow-node', 'comment']);
    expect(nodes[0]).toMatchObject({ id: '61f8d3b07e2ac495', position: { x: 34, y: 39 }, origin: [0, 0], width: 452, height: 162 });
    expect(nodes[1]).toMatchObject({ id: 'ce51a7f39b204d86', data: { label: 'Parse' } });
  });

  it('draws junctions and link nodes; link wires between tabs stay in the data', () => {
    const j = importFlows(junction);
    expect(canvasNodes(j, 'e4d19b3a70c28f56', view, defaultFlowCatalog).find((n) => n.id === '5f3c8a06d1e2b749')?.type).toBe('junction');
    expect(canvasEdges(j, 'e4d19b3a70c28f56', new Set()).filter((e) => e.source === '5f3c8a06d1e2b749')).toHaveLength(2);
    const links = importFlows(linkNodes);
    const producer = canvasNodes(links, '86b3e0f1d29a4c57', view, defaultFlowCatalog);
    expect(producer.find((n) => n.id === 'b7a50d3c2e81f694')).toMatchObject({ type: 'flow-node', data: { inputs: 1, outputs: 0 } });
  });

  it('keeps config nodes off the canvas, global and flow-scoped alike', () => {
    const doc = importFlows(mqttBrokerConfig);
    expect(doc.nodes.filter((n) => kindOf(n) === 'config').map((n) => n.id)).toEqual(['2b8e04c9d7f15a63', '7d4f0a9e3c62b815']);
    expect(canvasNodes(doc, 'c5e1a8f02b7d3946', view, defaultFlowCatalog).map((n) => n.id)).toEqual(['90f2d7b4a16ce835', 'e3a6c1d58b0f7249']);
  });

  it('shows nodes of uninstalled types as unknown nodes and their config nodes as config nodes', () => {
    const doc = importFlows(unknownContrib);
    const nodes = canvasNodes(doc, '1a7c5e93d0b24f68', view, defaultFlowCatalog);
    expect(nodes.map((n) => [n.id, n.type])).toEqual([
      ['5e2b8d1f7a9c0364', 'unknown-node'],
      ['0f4d9c2b8e1a7356', 'unknown-node'],
    ]);
    expect(nodes[0]).toMatchObject({ data: { label: 'modbus-read', inputs: 1, outputs: 3, disabled: true } });
    expect(doc.nodes.filter((n) => kindOf(n) === 'config').map((n) => n.type)).toEqual(['ui_group', 'ui_tab', 'modbus-client']);
  });

  it('refuses what is not a flow array, with a reason', () => {
    const code = (json: unknown) => {
      try {
        importFlows(json);
      } catch (err) {
        expect(err).toBeInstanceOf(FlowImportError);
        return { code: (err as FlowImportError).code, message: (err as Error).message };
      }
      return undefined;
    };
    expect(code({ id: 'a', type: 'tab' })?.code).toBe('not-an-array');
    expect(code({ rev: 'abc', flows: [] })?.message).toMatch(/Admin API v2.*"flows"/);
    expect(code([{ id: 'a', type: 'tab' }, 'text'])).toEqual({ code: 'not-a-node', message: expect.stringMatching(/element 1/) });
    expect(code([{ type: 'inject' }])?.code).toBe('missing-id');
    expect(code([{ id: 'a' }])?.code).toBe('missing-type');
    expect(code([{ id: 'a', type: 'tab' }, { id: 'b', type: 'inject' }, { id: 'a', type: 'debug' }])).toEqual({
      code: 'duplicate-id',
      message: 'Node id a is used twice (elements 0 and 2)',
    });
    expect(() => importFlowsText('[{"id": "a",')).toThrow(expect.objectContaining({ code: 'invalid-json' }));
  });
});

const isMovable = (n: NodeRedNode) => typeof n['x'] === 'number' && typeof n['y'] === 'number' && typeof n['z'] === 'string';

describe('flow codec properties', () => {
  it('round-trips any Node-RED flow exactly through import and export', () => {
    fc.assert(
      fc.property(nodeRedFlows, (flows) => {
        expectExactly(exportFlows(importFlows(flows)), flows);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips exactly after moving a node and moving it back, and after undoing a move', () => {
    // A node to move in every flow, added where there is none. Not `.filter()`: on flows without one, fast-check's
    // retries kept drawing the same smallest flow, thousands of times, until the test process ran out of memory.
    const withMovable = nodeRedFlows.map((flows) =>
      flows.some(isMovable) ? flows : [...flows, { id: 'movable-extra', type: 'inject', z: flows.find((n) => n.type === 'tab')!.id, x: 100, y: 100, wires: [] }]);
    fc.assert(
      fc.property(withMovable, fc.nat(), fc.integer({ min: -500, max: 500 }), fc.integer({ min: -500, max: 500 }), (flows, which, dx, dy) => {
        const movable = flows.filter(isMovable);
        const node = movable[which % movable.length]!;
        const from = { x: node['x'] as number, y: node['y'] as number };
        const store = createFlowStore({ flows, rev: '1' });
        const { moveNodes } = store.getState();
        moveNodes([{ id: node.id, position: { x: from.x + dx, y: from.y + dy } }], { ongoing: true });
        moveNodes([{ id: node.id, position: { x: from.x + dx, y: from.y + dy } }]);
        moveNodes([{ id: node.id, position: from }]);
        expectExactly(store.getState().toFlows(), flows);
        expect(store.getState().changedNodeIds().changed).toEqual([]);

        moveNodes([{ id: node.id, position: { x: from.x + dx, y: from.y + 1000 + Math.abs(dy) } }]);
        store.getState().undo();
        expectExactly(store.getState().toFlows(), flows);
      }),
      { numRuns: 200 },
    );
  });
});
