/** What an edit of a sequence, parser or storage form writes besides the edited field, as Node-RED's editor saves. */
import { describe, expect, it } from 'vitest';
import { batchSave, csvSave, fileNameSave, joinSave, parserPropertySave } from './seqparse-saves.ts';

describe('join', () => {
  it('writes the reduce fields as text and the accumulate flag as a boolean', () => {
    expect(joinSave({ mode: 'auto', build: 'object', accumulate: 'false' })).toEqual({
      accumulate: false, reduceExp: '', reduceInit: '', reduceInitType: '', reduceFixup: '',
    });
  });

  it('keeps "every subsequent message" only for objects in manual or reduce mode', () => {
    expect(joinSave({ mode: 'custom', build: 'object', accumulate: true }).accumulate).toBe(true);
    expect(joinSave({ mode: 'custom', build: 'merged', accumulate: 'true' }).accumulate).toBe(true);
    expect(joinSave({ mode: 'custom', build: 'string', accumulate: true }).accumulate).toBe(false);
    expect(joinSave({ mode: 'auto', build: 'object', accumulate: true }).accumulate).toBe(false);
  });

  it('types the initial value as a number once the reduce mode shows, keeping what was set', () => {
    expect(joinSave({ mode: 'reduce', reduceInit: '' }).reduceInitType).toBe('num');
    expect(joinSave({ mode: 'reduce', reduceInit: '[]', reduceInitType: 'json' })).toMatchObject({ reduceInit: '[]', reduceInitType: 'json' });
  });
});

describe('batch', () => {
  it('saves an empty topic list outside concatenate mode, the list in it', () => {
    expect(batchSave({ mode: 'count', topics: [{ topic: '' }] })).toEqual({ topics: [] });
    expect(batchSave({ mode: 'concat', topics: [{ topic: 'a' }] })).toEqual({});
  });
});

describe('upgrades of older nodes', () => {
  it('csv: headers flag to a choice, numbers parsed, no line skipped', () => {
    expect(csvSave({ hdrout: true })).toEqual({ hdrout: 'all', strings: true, skip: 0 });
    expect(csvSave({ hdrout: false, strings: false, skip: '2' })).toEqual({ hdrout: 'none' });
    expect(csvSave({ hdrout: 'once', strings: true, skip: '0' })).toEqual({});
  });

  it('json, xml, yaml: a missing property reads payload', () => {
    expect(parserPropertySave({})).toEqual({ property: 'payload' });
    expect(parserPropertySave({ property: 'body' })).toEqual({});
  });

  it('file: an empty name is msg.filename, ${VAR} an environment variable, anything else a path', () => {
    expect(fileNameSave({ filename: '' })).toEqual({ filename: 'filename', filenameType: 'msg' });
    expect(fileNameSave({ filename: '${LOG_FILE}' })).toEqual({ filename: 'LOG_FILE', filenameType: 'env' });
    expect(fileNameSave({ filename: '/var/log/a.txt' })).toEqual({ filenameType: 'str' });
    expect(fileNameSave({ filename: 'x', filenameType: 'msg' })).toEqual({});
  });
});
