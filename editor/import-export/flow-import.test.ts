import { describe, expect, it } from 'vitest';
import { canvasMembers } from '../model/flow-canvas.ts';
import { nodeById, type NodeRedNode } from '../model/flow-codec.ts';
import { createFlowStore, type FlowStore } from '../model/flow-store.ts';
import { importIntoEditor } from './import-flows.ts';

/** A store with one tab ("Flow 1") holding a debug node, and ids n1, n2… for what it makes. */
function editorWithOneTab(): FlowStore {
  let next = 0;
  return createFlowStore({
    flows: [
      { id: 'tab1', type: 'tab', label: 'Flow 1' },
      { id: 'sink', type: 'debug', z: 'tab1', name: 'existing sink', x: 300, y: 80, wires: [] },
      { id: 'linkIn', type: 'link in', z: 'tab1', name: 'existing link in', links: [], x: 100, y: 200, wires: [[]] },
    ],
    rev: 'rev-1',
    newId: () => `n${++next}`,
  });
}

const inject = (id: string, z: string | undefined, wires: string[][] = [[]], name = ''): NodeRedNode => ({
  id, type: 'inject', ...(z === undefined ? {} : { z }), name, x: 100, y: 60, wires,
});

/** The tab the user sees, and the labels of the nodes on it. */
function visibleTab(store: FlowStore): { label: unknown; nodes: NodeRedNode[] } {
  const { document, activeTab } = store.getState();
  expect(activeTab).not.toBeNull();
  return { label: nodeById(document, activeTab!)?.['label'], nodes: [...canvasMembers(document, activeTab!)] };
}

describe('importing flow JSON as Node-RED does', () => {
  it('makes a tab named like Node-RED for nodes whose tab is not in the file, shows it and says so', () => {
    const store = editorWithOneTab();
    const outcome = importIntoEditor(store, [inject('a', 'gone'), inject('b', 'gone', [['a']])], 'add');
    const shown = visibleTab(store);
    expect(shown.label).toBe('Flow 2');
    expect(shown.nodes.map((node) => node.type)).toEqual(['inject', 'inject']);
    expect(store.getState().selection.nodes.size).toBe(2);
    expect(outcome.message).toBe('Imported 2 nodes on 1 tab. Tab "Flow 2" made for nodes whose tab was not in the file.');
    expect(outcome.warnings).toEqual([]);
    // The wire between them followed the fresh ids.
    const [first, second] = shown.nodes;
    expect(second!['wires']).toEqual([[first!.id]]);
  });

  it('takes an added import back in one undo, made tab and all', () => {
    const store = editorWithOneTab();
    const before = store.getState().toFlows();
    importIntoEditor(store, [inject('a', 'gone'), inject('b', undefined)], 'add');
    store.getState().undo();
    expect(store.getState().toFlows()).toEqual(before);
  });

  it('keeps nodes of two missing tabs apart, one made tab each', () => {
    const store = editorWithOneTab();
    const outcome = importIntoEditor(store, [inject('a', 'gone-1'), inject('b', 'gone-2')], 'add');
    expect(outcome.message).toContain('on 2 tabs');
    expect(outcome.message).toContain('Tabs "Flow 2" and "Flow 3" made');
    const tabs = store.getState().document.nodes.filter((node) => node.type === 'tab').map((node) => node['label']);
    expect(tabs).toEqual(['Flow 1', 'Flow 2', 'Flow 3']);
  });

  it('counts the nodes of a file with 2 tabs and 10 nodes, not 0', () => {
    const store = editorWithOneTab();
    const file: NodeRedNode[] = [{ id: 't1', type: 'tab', label: 'One' }, { id: 't2', type: 'tab', label: 'Two' }];
    for (let i = 0; i < 10; i++) file.push(inject(`i${i}`, i < 6 ? 't1' : 't2'));
    file.push({ id: 'broker', type: 'mqtt-broker', name: 'global broker', broker: 'localhost' });
    const outcome = importIntoEditor(store, file, 'add');
    expect(outcome.message).toBe('Imported 10 nodes on 2 tabs and 1 config node.');
    expect(visibleTab(store).label).toBe('One');
    expect(visibleTab(store).nodes).toHaveLength(6);
    // The config node stays global (no z).
    const broker = store.getState().document.nodes.find((node) => node.type === 'mqtt-broker');
    expect(broker && Object.hasOwn(broker, 'z')).toBe(false);
  });

  it('leaves nodes on a tab the editor has where they were, and keeps their wires and links to its nodes', () => {
    const store = editorWithOneTab();
    const file: NodeRedNode[] = [
      inject('a', 'tab1', [['sink']]),
      { id: 'out', type: 'link out', z: 'tab1', name: 'to existing', mode: 'link', links: ['linkIn'], x: 200, y: 200, wires: [] },
    ];
    const outcome = importIntoEditor(store, file, 'add');
    expect(outcome.message).toBe('Imported 2 nodes on 1 tab.');
    const shown = visibleTab(store);
    expect(shown.label).toBe('Flow 1');
    const added = shown.nodes.filter((node) => !['sink', 'linkIn'].includes(node.id));
    expect(added.find((node) => node.type === 'inject')!['wires']).toEqual([['sink']]);
    expect(added.find((node) => node.type === 'link out')!['links']).toEqual(['linkIn']);
  });

  it('warns about wires to ids that exist nowhere, naming node and id, and imports all the same', () => {
    const store = editorWithOneTab();
    const outcome = importIntoEditor(store, [inject('a', 'gone', [['nowhere', 'sink']], 'tick')], 'add');
    expect(outcome.message).toContain('Imported 1 node on 1 tab');
    expect(outcome.warnings).toEqual([
      { heading: '1 wire points to a node that is neither in the file nor in the flows:', lines: ['tick (a) → nowhere'] },
      {
        heading: '1 wire was left out: it leads to a node on another tab, which Node-RED does not draw:',
        lines: ['tick (a) → sink on "Flow 1"'],
      },
    ]);
    // The node is there, on a tab of its own, without wires no canvas could draw.
    expect(visibleTab(store).nodes[0]!['wires']).toEqual([[]]);
    expect(visibleTab(store).label).toBe('Flow 2');
  });

  it('lists a flood of dangling wires by the first few and a count, whatever the names', () => {
    const store = editorWithOneTab();
    const targets = Array.from({ length: 500 }, (_, i) => `missing-${i}`);
    const outcome = importIntoEditor(store, [inject('a', 'tab1', [targets], '<b>x</b>')], 'add');
    const [warning] = outcome.warnings;
    expect(warning!.heading).toMatch(/^500 wires point/);
    expect(warning!.lines).toHaveLength(6);
    expect(warning!.lines[0]).toBe('<b>x</b> (a) → missing-0');
    expect(warning!.lines.at(-1)).toBe('and 495 more');
  });

  it('keeps a wire that crossed to the editor\'s node out of a replace, where that node goes too, and says so', () => {
    const store = editorWithOneTab();
    const outcome = importIntoEditor(store, [{ id: 't', type: 'tab', label: 'Mine' }, inject('a', 't', [['sink']])], 'replace');
    expect(outcome.warnings.map((warning) => warning.lines)).toEqual([['inject (a) → sink']]);
    // Replacing keeps the file as it is.
    expect(store.getState().toFlows()[1]!['wires']).toEqual([['sink']]);
  });

  it('replacing all flows never leaves nodes invisible: the made tab takes the missing id, so the nodes are as given', () => {
    const store = editorWithOneTab();
    const file = [{ id: 'cfg', type: 'mqtt-broker', broker: 'localhost' }, inject('a', 'gone', [['b']]), inject('b', 'gone'), inject('c', undefined)];
    const outcome = importIntoEditor(store, file, 'replace');
    expect(outcome.message).toBe('Imported 3 nodes on 2 tabs and 1 config node. Tabs "Flow 1" and "Flow 2" made for nodes whose tab was not in the file. They replace the flows: deploy to run them.');
    const flows = store.getState().toFlows();
    // Nodes without any z share a tab with a fresh id.
    const fresh = flows[1]!.id;
    expect(fresh).toMatch(/^[0-9a-f]{16}$/);
    expect(flows.slice(0, 2)).toEqual([
      { id: 'gone', type: 'tab', label: 'Flow 1', disabled: false, info: '', env: [] },
      { id: fresh, type: 'tab', label: 'Flow 2', disabled: false, info: '', env: [] },
    ]);
    expect(flows.slice(2)).toEqual([file[0], file[1], file[2], { ...file[3], z: fresh }]);
    expect(visibleTab(store).nodes.map((node) => node.id)).toEqual(['a', 'b']);
    expect(store.getState().isDirty()).toBe(true);
  });

  it('puts a node whose z is no string on a made tab, and counts a file of config nodes alone as such', () => {
    const store = editorWithOneTab();
    importIntoEditor(store, [{ ...inject('a', undefined), z: 42 }], 'add');
    expect(visibleTab(store).label).toBe('Flow 2');
    expect(visibleTab(store).nodes).toHaveLength(1);
    expect(importIntoEditor(store, [{ id: 'b', type: 'mqtt-broker', broker: 'localhost' }], 'add').message).toBe('Imported 1 config node.');
  });

  it('imports a file of 2000 nodes, each on its own missing tab, naming a few made tabs and counting the rest', () => {
    const store = editorWithOneTab();
    const file = Array.from({ length: 2000 }, (_, i) => inject(`a${i}`, `gone-${i}`));
    const outcome = importIntoEditor(store, file, 'add');
    expect(outcome.message).toBe('Imported 2,000 nodes on 2,000 tabs. Tabs "Flow 2", "Flow 3", "Flow 4", "Flow 5", "Flow 6" and 1,995 more made for nodes whose tab was not in the file.');
    expect(store.getState().document.nodes.filter((node) => node.type === 'tab')).toHaveLength(2001);
  });

  it('cuts names and ids that would fill the dialog', () => {
    const store = editorWithOneTab();
    const [warning] = importIntoEditor(store, [inject('a', 'tab1', [['x'.repeat(10_000)]], 'n'.repeat(10_000))], 'add').warnings;
    expect(warning!.lines[0]!.length).toBeLessThan(200);
    expect(warning!.lines[0]).toMatch(/^n+… \(a\) → x+…$/);
  });

  it('replacing with a complete file changes nothing in it', () => {
    const store = editorWithOneTab();
    const file = [{ id: 't', type: 'tab', label: 'Mine' }, inject('a', 't')];
    expect(importIntoEditor(store, file, 'replace').message).toBe('Imported 1 node on 1 tab. They replace the flows: deploy to run them.');
    expect(store.getState().toFlows()).toEqual(file);
  });

  it('refuses flow JSON with a duplicate id and changes nothing', () => {
    const store = editorWithOneTab();
    const before = store.getState().toFlows();
    expect(() => importIntoEditor(store, [inject('a', 'gone'), inject('a', 'gone')], 'add')).toThrow(/used twice/);
    expect(() => importIntoEditor(store, [inject('a', 'gone'), inject('a', 'gone')], 'replace')).toThrow(/used twice/);
    expect(store.getState().toFlows()).toEqual(before);
  });
});
