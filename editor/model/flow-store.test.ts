import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowImportError, type NodeRedNode } from './flow-codec.ts';
import { canvasEdges, subflowPortId, wireId } from './flow-canvas.ts';
import { FlowDraftError } from './flow-draft.ts';
import { createFlowStore, FlowDeployBlockedError, type FlowStore } from './flow-store.ts';
import { nodeRedFlows } from './fixtures/arbitrary-flows.ts';
import injectFunctionDebug from './fixtures/inject-function-debug.json' with { type: 'json' };
import subflowWithInstance from './fixtures/subflow-with-instance.json' with { type: 'json' };
import group from './fixtures/group.json' with { type: 'json' };
import linkNodes from './fixtures/link-nodes.json' with { type: 'json' };
import mqttBrokerConfig from './fixtures/mqtt-broker-config.json' with { type: 'json' };
import unknownContrib from './fixtures/unknown-contrib.json' with { type: 'json' };

const TAB = '3f1c2a9b8e7d6c51';
const INJECT = 'a41e0c7d92b3f865';
const FUNCTION = '5bd7e3c0f1a29486';
const DEBUG_1 = 'e9c04b17a6d35f28';
const DEBUG_2 = '0d6a8f24c3b1e597';

/** A store with deterministic ids (`n1`, `n2`…). */
function storeWith(flows: unknown, options: Parameters<typeof createFlowStore>[0] = {}): FlowStore {
  let next = 0;
  return createFlowStore({ flows, rev: 'rev-1', newId: () => `n${++next}`, ...options });
}

const node = (store: FlowStore, id: string) => store.getState().document.nodes.find((n) => n.id === id);
const ids = (store: FlowStore) => store.getState().document.nodes.map((n) => n.id);
const wiresOf = (store: FlowStore, id: string) => node(store, id)?.['wires'];

describe('flow store: loading and tabs', () => {
  it('loads flows with their rev and shows the first tab', () => {
    const store = storeWith([]);
    store.getState().load(subflowWithInstance, 'rev-7');
    const state = store.getState();
    expect(state.loadedRev).toBe('rev-7');
    expect(state.activeTab).toBe('4aa3d6e1f0b27c98');
    expect(state.isDirty()).toBe(false);
    expect(state.history.past).toEqual([]);
  });

  it('adds, renames, disables and deletes tabs, each undoable', () => {
    const store = storeWith(linkNodes);
    const s = () => store.getState();
    const added = s().addTab();
    expect(s().activeTab).toBe(added);
    expect(node(store, added)).toEqual({ id: added, type: 'tab', label: 'Flow 1', disabled: false, info: '', env: [] });
    // New tabs go after the existing tabs, before the nodes.
    expect(ids(store).slice(0, 3)).toEqual(['86b3e0f1d29a4c57', 'd0c74a2b9e15f386', added]);

    s().renameTab(added, 'Alarms');
    s().disableTab(added);
    expect(node(store, added)).toMatchObject({ label: 'Alarms', disabled: true });

    s().deleteTab('d0c74a2b9e15f386');
    expect(ids(store)).not.toContain('4c0e8b27f1d9a365');
    // The link out on the other tab no longer links to the deleted link in.
    expect(node(store, 'b7a50d3c2e81f694')?.['links']).toEqual([]);
    expect(node(store, 'a2f6c18e0d3b5947')?.['links']).toEqual([]);

    s().undo();
    expect(node(store, '4c0e8b27f1d9a365')).toBeDefined();
    expect(node(store, 'b7a50d3c2e81f694')?.['links']).toEqual(['4c0e8b27f1d9a365']);
    s().undo();
    s().undo();
    s().undo();
    expect(s().toFlows()).toEqual(linkNodes);
    expect(s().activeTab).toBe('86b3e0f1d29a4c57');
  });

  it('shows the neighbouring tab when the active one is deleted', () => {
    const store = storeWith(linkNodes);
    store.getState().setActiveTab('d0c74a2b9e15f386');
    store.getState().deleteTab('d0c74a2b9e15f386');
    expect(store.getState().activeTab).toBe('86b3e0f1d29a4c57');
  });

  it('deletes a subflow with its contents and its instances', () => {
    const store = storeWith(subflowWithInstance);
    store.getState().deleteTab('7c2e9f04b1a6d835');
    expect(ids(store)).toEqual(['4aa3d6e1f0b27c98', 'd25c0e8b7f31a946', '8e0a4c7b5d12f963']);
    expect(wiresOf(store, 'd25c0e8b7f31a946')).toEqual([[]]);
  });
});

describe('flow store: editing', () => {
  it('adds a node with its defaults, Node-RED style name and key order, and selects it', () => {
    const store = storeWith(injectFunctionDebug);
    const id = store.getState().addNode('debug', { x: 700, y: 200 });
    expect(JSON.stringify(node(store, id))).toBe(
      JSON.stringify({
        id,
        type: 'debug',
        z: TAB,
        name: 'debug 2',
        active: true,
        tosidebar: true,
        console: false,
        tostatus: false,
        complete: 'false',
        statusType: 'auto',
        statusVal: '',
        x: 700,
        y: 200,
        wires: [],
      }).replace('"statusType":"auto","statusVal":""', '"statusVal":"","statusType":"auto"'),
    );
    expect([...store.getState().selection.nodes]).toEqual([id]);
    const own = store.getState().addNode('device-in', { x: 10, y: 20 });
    expect(node(store, own)).toMatchObject({ z: TAB, product: '', kinds: [], name: '', v: 1, wires: [[]] });
    const broker = store.getState().addNode('mqtt-broker');
    expect(node(store, broker)).not.toHaveProperty('x');
    expect(node(store, broker)).not.toHaveProperty('z');
    store.getState().undo();
    store.getState().undo();
    store.getState().undo();
    expect(store.getState().toFlows()).toEqual(injectFunctionDebug);
  });

  it('creates a first tab when a node is added to empty flows', () => {
    const store = storeWith([]);
    const id = store.getState().addNode('inject', { x: 100, y: 100 });
    const tab = store.getState().activeTab!;
    expect(node(store, tab)).toMatchObject({ type: 'tab', label: 'Flow 1' });
    expect(node(store, id)).toMatchObject({ z: tab });
    store.getState().undo();
    expect(store.getState().document.nodes).toEqual([]);
  });

  it('moves nodes; a drag is one undo step', () => {
    const store = storeWith(injectFunctionDebug);
    const s = () => store.getState();
    for (let x = 151; x <= 160; x++) s().moveNodes([{ id: INJECT, position: { x, y: 100 } }], { ongoing: true });
    s().moveNodes([{ id: INJECT, position: { x: 200, y: 110 } }]);
    expect(node(store, INJECT)).toMatchObject({ x: 200, y: 110 });
    expect(s().history.past).toHaveLength(1);
    // Key order is kept: x and y stay where they were.
    expect(Object.keys(node(store, INJECT)!)).toEqual(Object.keys(injectFunctionDebug[1]!));
    s().moveNodes([{ id: INJECT, position: { x: 300, y: 110 } }]);
    expect(s().history.past).toHaveLength(2);
    s().undo();
    s().undo();
    expect(node(store, INJECT)).toMatchObject({ x: 150, y: 100 });
  });

  it('moves a group with its nodes, nested groups included', () => {
    const store = storeWith(group);
    store.getState().moveNodes([{ id: '61f8d3b07e2ac495', position: { x: 134, y: 49 } }]);
    expect(node(store, '61f8d3b07e2ac495')).toMatchObject({ x: 134, y: 49 });
    expect(node(store, 'ce51a7f39b204d86')).toMatchObject({ x: 344, y: 89 });
    expect(node(store, '2d9c4e71a0f5b368')).toMatchObject({ x: 230, y: 130 });
    expect(node(store, '9a3f0b6d8c7e2514')).toMatchObject({ x: 410, y: 130 });
    expect(node(store, '17b6e0d4c9a3f852')).toMatchObject({ x: 640, y: 120 });
  });

  it('moves subflow ports', () => {
    const store = storeWith(subflowWithInstance);
    const port = subflowPortId({ subflowId: '7c2e9f04b1a6d835', direction: 'out', index: 1 });
    store.getState().moveNodes([{ id: port, position: { x: 500, y: 130 } }]);
    expect((node(store, '7c2e9f04b1a6d835')?.['out'] as unknown[])[1]).toMatchObject({ x: 500, y: 130 });
  });

  it('edits config in place, removes properties given undefined, resizes wires with outputs', () => {
    const store = storeWith(injectFunctionDebug);
    const s = () => store.getState();
    s().updateNodeConfig(FUNCTION, { name: 'triple', func: 'return msg;', d: true });
    expect(Object.keys(node(store, FUNCTION)!)).toEqual([...Object.keys(injectFunctionDebug[2]!), 'd']);
    s().updateNodeConfig(FUNCTION, { d: undefined, outputs: 3 });
    expect(node(store, FUNCTION)).not.toHaveProperty('d');
    expect(wiresOf(store, FUNCTION)).toEqual([[DEBUG_1, DEBUG_2], [], []]);
    s().updateNodeConfig(FUNCTION, { outputs: 1 });
    expect(wiresOf(store, FUNCTION)).toEqual([[DEBUG_1, DEBUG_2]]);
    expect(() => s().updateNodeConfig(FUNCTION, { id: 'other' })).toThrow(/id cannot change/);
    expect(() => s().updateNodeConfig('nope', { name: 'x' })).toThrow(expect.objectContaining({ code: 'missing-node' }));
  });

  it('coalesces typing into one undo step', () => {
    const store = storeWith(injectFunctionDebug);
    const s = () => store.getState();
    for (const name of ['t', 'tr', 'tri', 'trip']) s().updateNodeConfig(FUNCTION, { name }, { ongoing: true });
    s().updateNodeConfig(FUNCTION, { name: 'triple' });
    expect(s().history.past).toHaveLength(1);
    s().undo();
    expect(node(store, FUNCTION)?.['name']).toBe('double');
  });

  it('connects and disconnects wires, refusing what Node-RED refuses', () => {
    const store = storeWith(linkNodes);
    const s = () => store.getState();
    const inject = '3e9f1b07c5a2d684';
    const debug = '6d1b9f4e8c07a235';
    expect(s().connect({ source: inject, sourceHandle: 'out-0', target: debug })).toBe(true);
    expect(wiresOf(store, inject)).toEqual([['b7a50d3c2e81f694', 'a2f6c18e0d3b5947', debug]]);
    expect(s().connect({ source: inject, sourceHandle: 'out-0', target: debug })).toBe(false);
    expect(s().connect({ source: debug, sourceHandle: 'out-0', target: inject })).toBe(false);
    expect(s().connect({ source: inject, sourceHandle: 'out-0', target: '4c0e8b27f1d9a365' })).toBe(false);
    expect(s().connect({ source: inject, sourceHandle: 'out-1', target: debug })).toBe(false);
    expect(s().history.past).toHaveLength(1);

    s().disconnect([wireId({ source: inject, port: 0, target: 'b7a50d3c2e81f694', occurrence: 0 })]);
    expect(wiresOf(store, inject)).toEqual([['a2f6c18e0d3b5947', debug]]);
    s().undo();
    s().undo();
    expect(s().toFlows()).toEqual(linkNodes);
  });

  it('wires subflow ports', () => {
    const store = storeWith(subflowWithInstance);
    const sf = '7c2e9f04b1a6d835';
    const s = () => store.getState();
    s().setActiveTab(sf);
    const status = '19e4b7d20c5f8a63';
    const out0 = subflowPortId({ subflowId: sf, direction: 'out', index: 0 });
    expect(s().connect({ source: status, sourceHandle: 'out-0', target: out0 })).toBe(true);
    expect((node(store, sf)?.['out'] as { wires: unknown }[])[0]?.wires).toEqual([
      { id: 'c81f5a3e0d92b746', port: 0 },
      { id: status, port: 0 },
    ]);
    const edges = canvasEdges(s().document, sf, new Set());
    const direct = edges.find((e) => e.source === subflowPortId({ subflowId: sf, direction: 'in', index: 0 }) && e.target !== 'c81f5a3e0d92b746')!;
    s().disconnect([direct.id]);
    expect((node(store, sf)?.['out'] as { wires: unknown }[])[1]?.wires).toEqual([{ id: 'c81f5a3e0d92b746', port: 1 }]);
  });

  it('deletes the selection: nodes with the wires to them, a group with its nodes, selected wires', () => {
    const store = storeWith(injectFunctionDebug);
    const s = () => store.getState();
    s().select({ nodes: [FUNCTION] });
    s().deleteSelection();
    expect(ids(store)).toEqual([TAB, INJECT, DEBUG_1, DEBUG_2]);
    expect(wiresOf(store, INJECT)).toEqual([[]]);
    expect(s().selection.nodes.size).toBe(0);
    s().undo();
    expect([...s().selection.nodes]).toEqual([FUNCTION]);
    s().select({ edges: [wireId({ source: FUNCTION, port: 0, target: DEBUG_2, occurrence: 0 })] });
    s().deleteSelection();
    expect(wiresOf(store, FUNCTION)).toEqual([[DEBUG_1]]);

    const grouped = storeWith(group);
    grouped.getState().select({ nodes: ['61f8d3b07e2ac495'] });
    grouped.getState().deleteSelection();
    expect(ids(grouped)).toEqual(['b0e7a2c95d4f1863', '17b6e0d4c9a3f852']);
  });

  it('selects by click, all, toggle and lasso', () => {
    const store = storeWith(injectFunctionDebug);
    const s = () => store.getState();
    s().select({ nodes: [INJECT] });
    s().select({ nodes: [FUNCTION] }, 'add');
    s().select({ nodes: [INJECT] }, 'toggle');
    expect([...s().selection.nodes]).toEqual([FUNCTION]);
    s().selectAll();
    expect(s().selection.nodes.size).toBe(4);
    // The lasso takes nodes whose centre it covers.
    s().selectBox({ x: 500, y: 50, width: 60, height: 100 });
    expect([...s().selection.nodes].sort()).toEqual([DEBUG_2, DEBUG_1].sort());
    s().selectBox({ x: 100, y: 90, width: -50, height: 20 }, 'add');
    expect(s().selection.nodes.has(INJECT)).toBe(false);
    s().clearSelection();
    expect(s().selection.nodes.size).toBe(0);
  });
});

describe('flow store: copy and paste', () => {
  it('pastes into another tab with fresh ids, wires among the pasted nodes kept and others dropped', () => {
    const store = storeWith(injectFunctionDebug);
    const s = () => store.getState();
    s().select({ nodes: [INJECT, FUNCTION, DEBUG_1] });
    const text = s().copy()!;
    expect(s().clipboard).toBe(text);
    const copied = JSON.parse(text) as NodeRedNode[];
    expect(copied.map((n) => n.id)).toEqual([INJECT, FUNCTION, DEBUG_1]);
    expect(copied[1]?.['wires']).toEqual([[DEBUG_1]]);

    const other = s().addTab('Copy');
    const pasted = s().paste(text, other, { x: 400, y: 300 });
    expect(pasted).toEqual(['n2', 'n3', 'n4']);
    expect([...s().selection.nodes]).toEqual(pasted);
    expect(pasted.map((id) => node(store, id))).toMatchObject([
      { type: 'inject', z: other, x: 215, y: 310, wires: [['n3']] },
      { type: 'function', z: other, x: 395, y: 310, wires: [['n4']] },
      { type: 'debug', z: other, x: 585, y: 290, wires: [] },
    ]);
    // The originals are untouched.
    expect(wiresOf(store, FUNCTION)).toEqual([[DEBUG_1, DEBUG_2]]);
    s().undo();
    expect(ids(store)).not.toContain('n2');
  });

  it('brings the config nodes a copy uses and reuses them when pasted into the same flows', () => {
    const store = storeWith(mqttBrokerConfig);
    const s = () => store.getState();
    s().select({ nodes: ['90f2d7b4a16ce835'] });
    const text = s().copy()!;
    expect((JSON.parse(text) as NodeRedNode[]).map((n) => n.type)).toEqual(['mqtt in', 'mqtt-broker']);
    const [pasted] = s().paste(text, 'c5e1a8f02b7d3946');
    expect(node(store, pasted!)?.['broker']).toBe('2b8e04c9d7f15a63');
    expect(s().document.nodes.filter((n) => n.type === 'mqtt-broker')).toHaveLength(2);

    // Into other flows the broker comes along with a fresh id, and the node follows it.
    const elsewhere = storeWith(injectFunctionDebug);
    const [inOther] = elsewhere.getState().paste(text);
    const broker = elsewhere.getState().document.nodes.find((n) => n.type === 'mqtt-broker')!;
    expect(broker.id).not.toBe('2b8e04c9d7f15a63');
    expect(node(elsewhere, inOther!)).toMatchObject({ broker: broker.id, z: TAB });
    expect(broker).not.toHaveProperty('z');
  });

  it('pastes Node-RED JSON from the clipboard: a subflow with its instance, groups, tabs', () => {
    const store = storeWith(injectFunctionDebug);
    const s = () => store.getState();
    const pasted = s().paste(JSON.stringify(subflowWithInstance));
    const subflow = s().document.nodes.find((n) => n.type === 'subflow')!;
    expect(subflow.id).not.toBe('7c2e9f04b1a6d835');
    const instance = s().document.nodes.find((n) => n.type.startsWith('subflow:'))!;
    expect(instance.type).toBe(`subflow:${subflow.id}`);
    const inner = s().document.nodes.filter((n) => n['z'] === subflow.id);
    expect(inner.map((n) => n.type)).toEqual(['function', 'status']);
    const [fn, status] = inner;
    expect(subflow['in']).toEqual([{ x: 60, y: 80, wires: [{ id: fn!.id }] }]);
    expect((subflow['out'] as { wires: unknown }[])[1]?.wires).toEqual([
      { id: subflow.id, port: 0 },
      { id: fn!.id, port: 1 },
    ]);
    expect(status?.['scope']).toEqual([fn!.id]);
    // The pasted tab came too, with its nodes; nothing was placed on the active tab, so the new tab shows.
    const tab = s().document.nodes.filter((n) => n.type === 'tab')[1]!;
    expect(s().activeTab).toBe(tab.id);
    expect(pasted).toEqual([]);
    expect(s().document.nodes.filter((n) => n['z'] === tab.id)).toHaveLength(3);

    const grouped = storeWith(injectFunctionDebug);
    const groupedPaste = grouped.getState().paste(JSON.stringify(group.slice(1)));
    const groups = groupedPaste.map((id) => node(grouped, id)!).filter((n) => n.type === 'group');
    expect(groups[1]?.['g']).toBe(groups[0]?.id);
    expect(groups[0]?.['nodes']).toHaveLength(3);
  });

  it('refuses clipboard text that is not flow JSON', () => {
    const store = storeWith(injectFunctionDebug);
    expect(() => store.getState().paste('hello')).toThrow(FlowImportError);
    expect(() => store.getState().paste('[{"id":"a"}]')).toThrow(expect.objectContaining({ code: 'missing-type' }));
    expect(store.getState().history.past).toHaveLength(0);
  });

  it('cuts: copies, then deletes', () => {
    const store = storeWith(injectFunctionDebug);
    store.getState().select({ nodes: [DEBUG_2] });
    const text = store.getState().cut();
    expect((JSON.parse(text!) as NodeRedNode[])[0]?.id).toBe(DEBUG_2);
    expect(ids(store)).not.toContain(DEBUG_2);
    expect(store.getState().copy()).toBeNull();
  });
});

describe('flow store: undo, dirty tracking, deploy', () => {
  it('keeps a bounded history and redoes what was undone until a new edit', () => {
    const store = storeWith(injectFunctionDebug, { historyLimit: 3 });
    const s = () => store.getState();
    for (let x = 1; x <= 5; x++) s().moveNodes([{ id: INJECT, position: { x, y: 0 } }]);
    expect(s().history.past).toHaveLength(3);
    for (let i = 0; i < 5; i++) s().undo();
    expect(node(store, INJECT)).toMatchObject({ x: 2 });
    s().redo();
    s().redo();
    expect(node(store, INJECT)).toMatchObject({ x: 4 });
    s().moveNodes([{ id: INJECT, position: { x: 9, y: 0 } }]);
    s().redo();
    expect(node(store, INJECT)).toMatchObject({ x: 9 });
  });

  it('tracks what changed since load and since the last deploy', () => {
    const store = storeWith(injectFunctionDebug);
    const s = () => store.getState();
    s().moveNodes([{ id: INJECT, position: { x: 1, y: 1 } }]);
    s().moveNodes([{ id: INJECT, position: { x: 150, y: 100 } }]);
    expect(s().isDirty()).toBe(false);
    s().updateNodeConfig(FUNCTION, { name: 'triple' });
    s().select({ nodes: [DEBUG_2] });
    s().deleteSelection();
    const added = s().addNode('debug', { x: 1, y: 2 });
    expect(s().changedNodeIds()).toEqual({ added: [added], changed: [FUNCTION], removed: [DEBUG_2] });
    expect(s().isDirty()).toBe(true);

    const request = s().deployRequest();
    expect(request.rev).toBe('rev-1');
    expect(request.flows).toHaveLength(5);
    s().markDeployed('rev-2');
    expect(s().loadedRev).toBe('rev-2');
    expect(s().isDirty()).toBe(false);
    s().undo();
    expect(s().changedNodeIds()).toEqual({ added: [], changed: [], removed: [added] });
  });

  it('summarises a deploy conflict: their changes, ours, and nodes both changed', () => {
    const store = storeWith(injectFunctionDebug);
    const s = () => store.getState();
    s().updateNodeConfig(FUNCTION, { name: 'mine' });
    s().updateNodeConfig(DEBUG_1, { active: false });
    const theirs = structuredClone(injectFunctionDebug) as Record<string, unknown>[];
    theirs[2]!['name'] = 'theirs';
    theirs.splice(4, 1);
    theirs.push({ id: 'ffff', type: 'comment', z: TAB, name: 'note', info: '', x: 1, y: 1, wires: [] });
    const summary = s().diffSummary(theirs);
    expect(summary.theirs).toEqual({
      added: [{ id: 'ffff', type: 'comment', label: 'note', flow: 'Flow 1' }],
      removed: [{ id: DEBUG_2, type: 'debug', label: 'whole message', flow: 'Flow 1' }],
      changed: [{ id: FUNCTION, type: 'function', label: 'theirs', flow: 'Flow 1' }],
    });
    expect(summary.ours.changed.map((e) => e.label)).toEqual(['mine', 'debug 1']);
    expect(summary.conflicting).toEqual([{ id: FUNCTION, type: 'function', label: 'mine', flow: 'Flow 1' }]);
  });

  it('keeps a draft across a reload: edits, dirty state, rev and tab', () => {
    const store = storeWith(linkNodes, { now: () => new Date('2026-01-02T03:04:05Z') });
    store.getState().setActiveTab('d0c74a2b9e15f386');
    store.getState().updateNodeConfig('4c0e8b27f1d9a365', { name: 'renamed' });
    const text = store.getState().serializeDraft();

    const reloaded = createFlowStore();
    const draft = reloaded.getState().restoreDraft(text);
    expect(draft).toMatchObject({ rev: 'rev-1', savedAt: '2026-01-02T03:04:05.000Z' });
    const state = reloaded.getState();
    expect(state.toFlows()).toEqual(store.getState().toFlows());
    expect(state.loadedRev).toBe('rev-1');
    expect(state.activeTab).toBe('d0c74a2b9e15f386');
    expect(state.changedNodeIds()).toEqual({ added: [], changed: ['4c0e8b27f1d9a365'], removed: [] });
    expect(() => reloaded.getState().restoreDraft('{"format":"other"}')).toThrow(FlowDraftError);
    expect(() => reloaded.getState().restoreDraft('not json')).toThrow(expect.objectContaining({ code: 'invalid-draft' }));
  });

  it('blocks deploy while unknown types are used, naming them', () => {
    const store = storeWith(unknownContrib);
    const s = () => store.getState();
    const problems = s().problems();
    expect(problems.unknownTypes).toEqual(['modbus-read', 'ui_gauge', 'ui_group', 'ui_tab', 'modbus-client']);
    expect(problems.deployBlocker).toBe(
      'Cannot deploy: 5 nodes use types not installed here: "modbus-read", "ui_gauge", "ui_group", "ui_tab", "modbus-client". Install them or delete those nodes.',
    );
    expect(problems.byNode.get('0f4d9c2b8e1a7356')).toEqual([
      { nodeId: '0f4d9c2b8e1a7356', type: 'ui_gauge', kind: 'unknown-type', path: '/type', message: 'Node type "ui_gauge" is not installed' },
    ]);
    expect(() => s().deployRequest()).toThrow(FlowDeployBlockedError);
    try {
      s().deployRequest();
    } catch (err) {
      expect((err as FlowDeployBlockedError).types).toContain('ui_gauge');
      expect((err as Error).message).toContain('"modbus-read"');
    }
    // Once the runtime has the types (or the nodes are gone), deploy goes ahead.
    const installed = storeWith(unknownContrib, { installedTypes: ['modbus-read', 'ui_gauge', 'ui_group', 'ui_tab', 'modbus-client'] });
    expect(installed.getState().deployRequest().flows).toEqual(unknownContrib);
    s().deleteNodes(['5e2b8d1f7a9c0364', '0f4d9c2b8e1a7356', '8c1f3a7e5d0b9246', 'd4a09e6b3f7c2185', 'b93e6f0a2c7d1458']);
    expect(s().problems().deployBlocker).toBeNull();
  });

  it('blocks deploy of flows using Node-RED core types our palette does not curate, unless the runtime lists them', () => {
    // Node-RED's global environment node: core, but no palette offers it.
    const flows = [...linkNodes, { id: 'g1', type: 'global-config', env: [], modules: {} }];
    expect(storeWith(flows).getState().problems().unknownTypes).toEqual(['global-config']);
    expect(storeWith(flows, { installedTypes: ['global-config'] }).getState().problems().deployBlocker).toBeNull();
  });

  it('changes several nodes as one undo step (both ends of a link)', () => {
    const store = storeWith(linkNodes);
    const s = () => store.getState();
    const [a, b] = s().document.nodes.filter((n) => n.type !== 'tab').map((n) => n.id);
    s().updateNodesConfig([{ id: a!, changes: { name: 'one' } }, { id: b!, changes: { name: 'two' } }]);
    expect([node(store, a!)?.['name'], node(store, b!)?.['name']]).toEqual(['one', 'two']);
    s().undo();
    expect([node(store, a!)?.['name'], node(store, b!)?.['name']]).not.toContain('one');
    expect(node(store, b!)?.['name']).not.toBe('two');
  });

  it('marks invalid config on the node before deploy, without blocking it', () => {
    const store = storeWith(mqttBrokerConfig);
    const s = () => store.getState();
    expect(s().problems().all).toEqual([]);
    s().updateNodeConfig('90f2d7b4a16ce835', { qos: '7', broker: 'gone' });
    s().updateNodeConfig('2b8e04c9d7f15a63', { broker: '' });
    const problems = s().problems();
    expect(problems.byNode.get('90f2d7b4a16ce835')?.map((p) => [p.kind, p.path, p.message])).toEqual([
      ['config', '/qos', 'QoS must be one of "0", "1", "2" (got "7")'],
      ['missing-reference', '/broker', 'Server refers to mqtt-broker node gone, which is not in the flows'],
    ]);
    expect(problems.byNode.get('2b8e04c9d7f15a63')?.map((p) => p.message)).toEqual(['Server is required']);
    expect(problems.deployBlocker).toBeNull();
  });
});

describe('flow store properties', () => {
  type Action = { kind: 'move' | 'update' | 'delete' | 'connect' | 'paste' | 'addTab' | 'rename'; a: number; b: number };
  const action: fc.Arbitrary<Action> = fc.record({
    kind: fc.constantFrom('move', 'update', 'delete', 'connect', 'paste', 'addTab', 'rename'),
    a: fc.nat(),
    b: fc.integer({ min: -300, max: 300 }),
  });

  function apply(store: FlowStore, { kind, a, b }: Action) {
    const s = store.getState();
    const nodes = s.document.nodes;
    if (nodes.length === 0) return;
    const target = nodes[a % nodes.length]!;
    switch (kind) {
      case 'move':
        s.moveNodes([{ id: target.id, position: { x: b, y: -b } }]);
        break;
      case 'update':
        s.updateNodeConfig(target.id, { name: `n${b}`, extra: { b } });
        break;
      case 'delete':
        s.select({ nodes: [target.id] });
        s.deleteSelection();
        break;
      case 'connect': {
        const other = nodes[(a + Math.abs(b)) % nodes.length]!;
        s.connect({ source: target.id, sourceHandle: 'out-0', target: other.id });
        break;
      }
      case 'paste':
        s.select({ nodes: [target.id] });
        if (s.activeTab !== null) {
          const text = store.getState().copy();
          if (text) store.getState().paste(text, undefined, { x: b, y: b });
        }
        break;
      case 'addTab':
        s.addTab();
        break;
      case 'rename':
        if (target.type === 'tab') s.renameTab(target.id, `t${b}`);
        break;
    }
  }

  it('undoing every edit gives back the loaded flows exactly; redoing gives back the edits', () => {
    fc.assert(
      fc.property(nodeRedFlows, fc.array(action, { maxLength: 12 }), (flows, actions) => {
        let next = 0;
        const store = createFlowStore({ flows, rev: 'r', newId: () => `new-${++next}` });
        for (const step of actions) apply(store, step);
        const edited = JSON.stringify(store.getState().toFlows());
        const steps = store.getState().history.past.length;
        for (let i = 0; i < steps; i++) store.getState().undo();
        expect(JSON.stringify(store.getState().toFlows())).toBe(JSON.stringify(flows));
        expect(store.getState().isDirty()).toBe(false);
        for (let i = 0; i < steps; i++) store.getState().redo();
        expect(JSON.stringify(store.getState().toFlows())).toBe(edited);
      }),
      { numRuns: 150 },
    );
  });

  it('never leaves a wire, group member or link pointing at a deleted node', () => {
    fc.assert(
      fc.property(nodeRedFlows, fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), (flows, picks) => {
        const store = createFlowStore({ flows });
        const before = new Set(flows.map((n) => n.id));
        store.getState().deleteNodes(picks.map((p) => flows[p % flows.length]!.id));
        const after = new Set(store.getState().document.nodes.map((n) => n.id));
        const gone = [...before].filter((id) => !after.has(id));
        for (const n of store.getState().document.nodes) {
          const refs = [
            ...(Array.isArray(n['wires']) ? (n['wires'] as unknown[]).flat() : []),
            ...(Array.isArray(n['nodes']) ? (n['nodes'] as unknown[]) : []),
            ...(Array.isArray(n['links']) ? (n['links'] as unknown[]) : []),
            n['g'],
          ];
          for (const id of gone) expect(refs).not.toContain(id);
        }
      }),
      { numRuns: 150 },
    );
  });
});
