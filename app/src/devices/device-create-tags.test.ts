import { describe, expect, it } from 'vitest';
import { tagsFromRows } from './device-create-tags.tsx';

describe('tags typed into the tag editor', () => {
  it('become the API\'s tags object, trimmed, empty rows left out', () => {
    expect(tagsFromRows([{ key: ' room ', value: ' 101 ' }, { key: '', value: '' }, { key: 'wing', value: '' }])).toEqual({ tags: { room: '101', wing: '' } });
  });

  it('say what is wrong before anything is sent: a missing or repeated key, characters tags cannot hold', () => {
    expect(tagsFromRows([{ key: '', value: 'north' }])).toEqual({ problem: 'The tag with value "north" needs a key.' });
    expect(tagsFromRows([{ key: 'a', value: '1' }, { key: 'a', value: '2' }])).toEqual({ problem: 'The key "a" appears twice.' });
    expect(tagsFromRows([{ key: 'room name', value: '1' }])).toMatchObject({ problem: expect.stringContaining('only letters, digits') });
    expect(tagsFromRows([{ key: 'wing', value: 'north;side' }])).toMatchObject({ problem: expect.stringContaining('may not contain ";"') });
  });
});
