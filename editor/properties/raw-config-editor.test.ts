import { describe, expect, it } from 'vitest';
import { configChanges, configOf, parseConfig } from './raw-config-editor.tsx';

describe('JSON properties of a node without a form', () => {
  const split = { id: 's1', type: 'split', z: 't1', name: 'lines', splt: '\\n', spltType: 'str', arraySplt: 1, x: 100, y: 80, wires: [['n2']] };

  it('shows the node\'s own properties, not what places it on the canvas', () => {
    expect(configOf(split)).toEqual({ name: 'lines', splt: '\\n', spltType: 'str', arraySplt: 1 });
  });

  it('turns an edit into changes, removed properties included', () => {
    expect(configChanges(configOf(split), { name: 'words', splt: ' ', spltType: 'str' })).toEqual({
      name: 'words', splt: ' ', spltType: 'str', arraySplt: undefined,
    });
  });

  it('refuses text that is not a JSON object, or that moves the node, saying why', () => {
    expect(parseConfig('{"name": "x"')).toMatchObject({ ok: false, message: expect.stringContaining('Not JSON yet') });
    expect(parseConfig('[1, 2]')).toMatchObject({ ok: false, message: expect.stringContaining('one JSON object') });
    expect(parseConfig('{"name": "x", "x": 5, "wires": []}')).toMatchObject({ ok: false, message: 'x, wires: set on the canvas, not here. Remove them.' });
    expect(parseConfig('{"name": "x"}')).toEqual({ ok: true, config: { name: 'x' } });
  });
});
