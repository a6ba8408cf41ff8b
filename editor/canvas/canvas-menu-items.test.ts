import { describe, expect, it } from 'vitest';
import { nodeById } from '../model/flow-codec.ts';
import { createFlowStore, type FlowStore } from '../model/flow-store.ts';
import { canvasMenuItems } from './canvas-menu-items.ts';
import injectFunctionDebug from '../model/fixtures/inject-function-debug.json' with { type: 'json' };

const [INJECT, FUNCTION, DEBUG, WHOLE] = ['a41e0c7d92b3f865', '5bd7e3c0f1a29486', 'e9c04b17a6d35f28', '0d6a8f24c3b1e597'];

function menu(store: FlowStore, readOnly = false) {
  const copied: string[] = [];
  const items = canvasMenuItems(store, { readOnly, at: { x: 600.4, y: 300 }, onError: () => {}, openQuickAdd: () => {}, writeClipboard: (text) => copied.push(text) });
  const item = (label: RegExp) => items.find((entry) => label.test(entry.label))!;
  const enabled = () => items.filter((entry) => !entry.disabled).map((entry) => entry.label);
  return { item, enabled, copied };
}

describe('the canvas menu', () => {
  it('offers only what applies: nothing selected and an empty clipboard leave add and nothing else', () => {
    const store = createFlowStore({ flows: injectFunctionDebug });
    expect(menu(store).enabled()).toEqual(['Add node here…']);
    store.getState().select({ nodes: [FUNCTION] });
    expect(menu(store).enabled()).toEqual(['Add node here…', 'Cut', 'Copy', 'Delete', 'Group selection', 'Disable', 'Select connected']);
  });

  it('copies to both clipboards, pastes where the menu was opened, disables and enables again', () => {
    const store = createFlowStore({ flows: injectFunctionDebug });
    store.getState().select({ nodes: [INJECT] });
    const { item, copied } = menu(store);
    item(/^Copy/).onSelect();
    expect(copied).toHaveLength(1);
    expect(store.getState().clipboard).toBe(copied[0]);
    menu(store).item(/^Paste/).onSelect();
    const [pasted] = [...store.getState().selection.nodes];
    expect(nodeById(store.getState().document, pasted!)).toMatchObject({ type: 'inject', x: 600, y: 300 });

    store.getState().select({ nodes: [INJECT, FUNCTION] });
    menu(store).item(/Disable/).onSelect();
    expect([INJECT, FUNCTION].map((id) => nodeById(store.getState().document, id)?.['d'])).toEqual([true, true]);
    expect(menu(store).item(/able$/).label).toBe('Enable');
    menu(store).item(/Enable/).onSelect();
    expect(nodeById(store.getState().document, INJECT)?.['d']).toBeUndefined();
  });

  it('selects everything wired to the selection', () => {
    const store = createFlowStore({ flows: injectFunctionDebug });
    store.getState().select({ nodes: [WHOLE] });
    menu(store).item(/Select connected/).onSelect();
    expect(store.getState().selection.nodes).toEqual(new Set([INJECT, FUNCTION, DEBUG, WHOLE]));
  });

  it('leaves a read-only user copy and select connected only, and nothing it offers changes the flows', () => {
    const store = createFlowStore({ flows: injectFunctionDebug, readOnly: true });
    store.getState().select({ nodes: [FUNCTION] });
    const { enabled, item } = menu(store, true);
    expect(enabled()).toEqual(['Copy', 'Select connected']);
    const before = store.getState().document;
    for (const label of [/Cut/, /Delete/, /Group/, /Disable/]) item(label).onSelect();
    expect(store.getState().document).toBe(before);
  });
});
