import { describe, expect, it } from 'vitest';
import { describeTarget, namesFromCsv, namesFromList, targetFromForm, type TargetForm } from './campaign-target.ts';

describe('namesFromList', () => {
  it('takes names one per line or separated by commas, semicolons and spaces, each once, in order', () => {
    expect(namesFromList('room-101\nroom-102, room-103;room-104  room-101\r\n\n')).toEqual({
      names: ['room-101', 'room-102', 'room-103', 'room-104'], invalid: [], duplicates: 1, otherProduct: 0,
    });
  });

  it('keeps what is not a device name apart, to be shown', () => {
    expect(namesFromList('ok-1 bad/name ok-2 ' + 'x'.repeat(65))).toMatchObject({ names: ['ok-1', 'ok-2'], invalid: ['bad/name', 'x'.repeat(65)] });
  });
});

describe('namesFromCsv', () => {
  it('reads the deviceName column when the header names one, leaving out rows of another product', () => {
    const csv = 'productKey,deviceName,description\r\na1Thermo,hall,"Hall, ground floor"\r\na1Other,x,\r\na1Thermo,lobby,\r\n,cellar,\r\n';
    expect(namesFromCsv(csv, 'a1Thermo')).toEqual({ names: ['hall', 'lobby', 'cellar'], invalid: [], duplicates: 0, otherProduct: 1, column: 'deviceName' });
    // Without a product to compare with, every row counts.
    expect(namesFromCsv(csv).names).toEqual(['hall', 'x', 'lobby', 'cellar']);
  });

  it('finds the column in any spelling and any position', () => {
    expect(namesFromCsv('floor,Device_Name\n1,a\n2,b\n').names).toEqual(['a', 'b']);
    expect(namesFromCsv('id,device name\n1,a\n').names).toEqual(['a']);
  });

  it('reads the first column otherwise, skipping a first line that is a header', () => {
    expect(namesFromCsv('hall,1\nlobby,2\n')).toMatchObject({ names: ['hall', 'lobby'], column: 'first' });
    expect(namesFromCsv('Device name,Room\nhall,1\n').names).toEqual(['hall']);
    expect(namesFromCsv('name\nhall\nlobby\n').names).toEqual(['hall', 'lobby']);
    // A BOM (Excel's "CSV UTF-8") and quotes do not end up in the names.
    expect(namesFromCsv('\ufeff"hall"\n"lobby"\n').names).toEqual(['hall', 'lobby']);
  });

  it('answers an empty list for an empty file', () => {
    expect(namesFromCsv('')).toMatchObject({ names: [], invalid: [], duplicates: 0 });
  });
});

describe('targetFromForm', () => {
  const form = (change: Partial<TargetForm>): TargetForm => ({ kind: 'all', tags: [], names: '', ...change });

  it('targets every device, devices with all the tags given, or the names listed', () => {
    expect(targetFromForm(form({}))).toEqual({ target: { type: 'all' } });
    expect(targetFromForm(form({ kind: 'tags', tags: [{ key: ' building ', value: 'north ' }, { key: '', value: '' }, { key: 'floor', value: '1' }] })))
      .toEqual({ target: { type: 'tags', tags: { building: 'north', floor: '1' } } });
    expect(targetFromForm(form({ kind: 'devices', names: 'a\nb\na' }))).toEqual({ target: { type: 'devices', deviceNames: ['a', 'b'] } });
  });

  it('says what to fix: no tag, a tag without key, a key twice, no names, names that are not', () => {
    expect(targetFromForm(form({ kind: 'tags', tags: [{ key: '', value: '' }] }))).toEqual({ problem: expect.stringContaining('at least one tag') });
    expect(targetFromForm(form({ kind: 'tags', tags: [{ key: '', value: 'north' }] }))).toEqual({ problem: expect.stringContaining('needs a key') });
    expect(targetFromForm(form({ kind: 'tags', tags: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] }))).toEqual({ problem: expect.stringContaining('twice') });
    expect(targetFromForm(form({ kind: 'devices', names: ' \n ' }))).toEqual({ problem: expect.stringContaining('Paste device names') });
    expect(targetFromForm(form({ kind: 'devices', names: 'ok a/b c/d e/f g/h' }))).toEqual({ problem: expect.stringMatching(/"a\/b", "c\/d", "e\/f" and 1 more/) });
  });

  it('describes a target in words', () => {
    expect(describeTarget({ type: 'all' })).toBe('All devices of the product');
    expect(describeTarget({ type: 'tags', tags: { building: 'north', floor: '1' } })).toBe('Devices tagged building=north and floor=1');
    expect(describeTarget({ type: 'devices', deviceNames: ['a'] })).toBe('1 named device');
  });
});
