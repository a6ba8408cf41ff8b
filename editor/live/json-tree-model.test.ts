import { describe, expect, it } from 'vitest';
import { decodeDebugValue, debugEntryOf } from './debug-message.ts';
import { childrenOf, encodedLabel, isExpandable, jsonKindOf, previewOf, truncateText } from './json-tree-model.ts';

describe('truncateText', () => {
  it('keeps short text and cuts long text, saying how much is hidden', () => {
    expect(truncateText('short', 10)).toEqual({ shown: 'short', hidden: 0 });
    expect(truncateText('x'.repeat(300), 120)).toEqual({ shown: 'x'.repeat(120), hidden: 180 });
  });

  it('never splits a surrogate pair', () => {
    const text = `${'a'.repeat(9)}😀tail`;
    const cut = truncateText(text, 10);
    expect(cut.shown).toBe('a'.repeat(9));
    expect(cut.shown.length + cut.hidden).toBe(text.length);
  });
});

describe('json tree', () => {
  it('opens objects and arrays, and pages big ones', () => {
    expect(isExpandable({ a: 1 })).toBe(true);
    expect(isExpandable([])).toBe(false);
    expect(isExpandable('text')).toBe(false);
    const big = Array.from({ length: 250 }, (_, i) => i);
    const page = childrenOf(big, 100);
    expect(page.entries).toHaveLength(100);
    expect(page.entries[99]).toEqual(['99', 99]);
    expect(page.hidden).toBe(150);
    expect(previewOf(big)).toBe('array[250]');
    expect(previewOf({ a: 1, b: 2, c: 3, d: 4 })).toBe('{ a, b, c, … }');
  });

  it('shows Node-RED’s encoded values by what they are', () => {
    const cut = { __enc__: true, type: 'array', data: [1, 2, 3], length: 2000 };
    expect(jsonKindOf(cut)).toBe('array');
    expect(childrenOf(cut).entries).toHaveLength(3);
    expect(encodedLabel(cut)).toBe('array[2000] (first 3 shown)');
    expect(previewOf({ __enc__: true, type: 'function' })).toBe('[function]');
    expect(previewOf(decodeDebugValue('0a0b', 'buffer[2]'))).toBe('buffer[2] 0a0b');
  });
});

describe('debug messages', () => {
  it('decodes each of Node-RED’s formats', () => {
    expect(decodeDebugValue('{"a":[1,2]}', 'Object')).toEqual({ a: [1, 2] });
    expect(decodeDebugValue('[1,2]', 'array[2]')).toEqual([1, 2]);
    expect(decodeDebugValue('12.5', 'number')).toBe(12.5);
    expect(decodeDebugValue('false', 'boolean')).toBe(false);
    expect(decodeDebugValue('{"not":"json"', 'string[12]')).toBe('{"not":"json"');
    expect(decodeDebugValue('(undefined)', 'null')).toBeNull();
    expect(decodeDebugValue('{"__enc__":true,"type":"error","data":{"name":"TypeError","message":"x is undefined"}}', 'error')).toEqual({
      name: 'TypeError',
      message: 'x is undefined',
    });
  });

  it('marks errors from the runtime log and names the node by its alias inside subflows', () => {
    const entry = debugEntryOf({ id: 'inner', _alias: 'def', z: 'sf', level: 20, msg: 'failed', format: 'string[6]', name: 'parse' }, 1, 0);
    expect(entry).toMatchObject({ nodeId: 'def', level: 'error', value: 'failed', name: 'parse' });
    expect(debugEntryOf({ id: 'w', level: 30, msg: 'careful', format: 'string[7]' }, 2, 0).level).toBe('warn');
  });
});
