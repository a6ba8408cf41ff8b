import { describe, expect, it } from 'vitest';
import { createFlowStore } from './flow-store.ts';
import { selectCanvasNodes } from './flow-selectors.ts';
import type { FlowCanvasNode } from './flow-canvas.ts';

const TAB = { id: 'tab', type: 'tab', label: 'Flow 1' };

describe('nodes on the canvas', () => {
  it('hide their label as Node-RED does: when `l` is false, and link in/out nodes unless `l` is true', () => {
    const flows = [
      TAB,
      { id: 'in', type: 'link in', z: 'tab', x: 100, y: 100, links: [], wires: [[]] },
      { id: 'out', type: 'link out', z: 'tab', x: 300, y: 100, l: true, links: [], wires: [] },
      { id: 'fn', type: 'function', z: 'tab', x: 200, y: 200, l: false, func: 'return msg;', outputs: 1, wires: [[]] },
      { id: 'dbg', type: 'debug', z: 'tab', x: 400, y: 200, wires: [] },
    ];
    const store = createFlowStore({ flows });
    const hidden = (id: string) => (selectCanvasNodes(store.getState()).find((n) => n.id === id) as FlowCanvasNode).data.labelHidden === true;
    expect(['in', 'out', 'fn', 'dbg'].map(hidden)).toEqual([true, false, true, false]);

    store.getState().updateNodeConfig('in', { l: true });
    store.getState().updateNodeConfig('dbg', { l: false });
    expect(['in', 'dbg'].map(hidden)).toEqual([false, true]);
  });
});
