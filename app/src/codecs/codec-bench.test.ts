import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { docExample, errorPlace, exampleCommand, parseHex, spacedHex, starterSource } from './codec-bench.ts';

const docs = fs.readFileSync(new URL('../../../docs/codecs.md', import.meta.url), 'utf8');

describe('the codec test bench', () => {
  it('takes hex as people paste it and says what is wrong with a frame it cannot read', () => {
    expect(parseHex('a5 01 00 07')).toEqual({ ok: true, bytes: 4, hex: 'a5010007' });
    expect(parseHex(' A501\n0007 ')).toEqual({ ok: true, bytes: 4, hex: 'a5010007' });
    expect(parseHex('0xa5, 0x01:ff')).toEqual({ ok: true, bytes: 3, hex: 'a501ff' });
    expect(parseHex('   ')).toMatchObject({ ok: false, message: expect.stringContaining('Paste the bytes') });
    expect(parseHex('a5 1 07')).toEqual({ ok: false, message: '"1" has an odd number of hex digits: every byte is two digits (write 01, not 1).' });
    expect(parseHex('a5 zz')).toMatchObject({ ok: false, message: expect.stringContaining('"z" is not a hex digit') });
    expect(parseHex('00'.repeat(4097))).toMatchObject({ ok: false, message: expect.stringContaining('at most 4,096') });
    expect(spacedHex('a5020b')).toBe('a5 02 0b');
    expect(spacedHex('')).toBe('');
  });

  it('finds the line of a load error and of a throw in its message', () => {
    expect(errorPlace({ kind: 'syntax', message: 'SyntaxError: x (line 2, column 11)', line: 2, column: 11 })).toEqual({ line: 2, column: 11, message: 'SyntaxError: x' });
    expect(errorPlace({ kind: 'threw', message: 'Error: bad checksum (line 13, column 57)' })).toEqual({ line: 13, column: 57, message: 'Error: bad checksum' });
    expect(errorPlace({ kind: 'threw', message: 'Error: at the top (line 4)' })).toEqual({ line: 4, message: 'Error: at the top' });
    expect(errorPlace({ kind: 'timeout', message: 'ran longer than 50 ms and was stopped' })).toBeNull();
  });

  it('starts a new codec from the docs’ worked example and offers a set of the first writable property', () => {
    const starter = starterSource(docs);
    expect(starter).toContain(docExample(docs, 'checked'));
    expect(starter).toContain('function decode(bytes, context)');
    expect(starter).toContain(`// ${docExample(docs, 'uplink')!.trim()}\n`);
    expect(JSON.parse(exampleCommand({
      properties: [
        { identifier: 'voltage', name: 'V', accessMode: 'r', dataType: { type: 'float' } },
        { identifier: 'limit', name: 'Limit', accessMode: 'rw', dataType: { type: 'int', specs: { min: '0', max: '100' } } },
      ],
    }))).toEqual({ kind: 'property.set', id: '1', params: { limit: 50 } });
    expect(JSON.parse(exampleCommand(null))).toEqual({ kind: 'property.set', id: '1', params: { relay: true, powerLimit: 3000 } });
  });
});
