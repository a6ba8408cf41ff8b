import { describe, expect, it } from 'vitest';
import { createFlowStore } from './flow-store.ts';
import { PASTE_STEP, pastePlace } from './paste-place.ts';
import injectFunctionDebug from './fixtures/inject-function-debug.json' with { type: 'json' };

const TAB = '3f1c2a9b8e7d6c51';
const [INJECT, FUNCTION] = ['a41e0c7d92b3f865', '5bd7e3c0f1a29486'];

describe('where a paste lands', () => {
  it('under the mouse when it is on the canvas', () => {
    const store = createFlowStore({ flows: injectFunctionDebug });
    store.getState().select({ nodes: [INJECT, FUNCTION] });
    const text = store.getState().copy()!;
    const place = pastePlace(store.getState().document, text, TAB, { x: 400.4, y: 250.6 })!;
    const ids = store.getState().paste(text, undefined, place);
    const pasted = ids.map((id) => store.getState().document.nodes.find((n) => n.id === id)!);
    // The two nodes (150 and 330 wide apart) are centred on the mouse.
    expect(pasted.map((n) => [n['x'], n['y']])).toEqual([[310, 251], [490, 251]]);
  });

  it('beside the originals otherwise, a step further for each copy already there, selected', () => {
    const store = createFlowStore({ flows: injectFunctionDebug });
    store.getState().select({ nodes: [INJECT] });
    const text = store.getState().copy()!;
    for (const step of [1, 2, 3]) {
      const ids = store.getState().paste(text, undefined, pastePlace(store.getState().document, text, TAB, null));
      expect(store.getState().selection.nodes).toEqual(new Set(ids));
      const node = store.getState().document.nodes.find((n) => n.id === ids[0])!;
      expect([node['x'], node['y']]).toEqual([150 + step * PASTE_STEP, 100 + step * PASTE_STEP]);
    }
  });

  it('where the originals were on a tab that does not have them; nowhere for text that is not flow JSON', () => {
    const store = createFlowStore({ flows: injectFunctionDebug });
    store.getState().select({ nodes: [INJECT] });
    const text = store.getState().copy()!;
    const other = store.getState().addTab('Other');
    expect(pastePlace(store.getState().document, text, other, null)).toEqual({ x: 150, y: 100 });
    expect(pastePlace(store.getState().document, 'not json', TAB, null)).toBeUndefined();
    expect(pastePlace(store.getState().document, '[{"id":"c","type":"mqtt-broker"}]', TAB, null)).toBeUndefined();
  });
});
