import { describe, expect, it } from 'vitest';
import { parseJsonText } from './json-text.ts';

const errorOf = (text: string) => {
  const result = parseJsonText(text);
  if (result.ok) throw new Error('parsed');
  return result.error;
};

describe('parseJsonText', () => {
  it('parses JSON', () => {
    expect(parseJsonText('{"a": [1, 2.5e3, "x", true, null]}')).toEqual({ ok: true, value: { a: [1, 2500, 'x', true, null] } });
  });

  it('points at the first error by line and column, saying what to do', () => {
    expect(errorOf('{\n  "a": 1\n  "b": 2\n}')).toEqual({ message: 'A "," is missing before this name', offset: 13, line: 3, column: 3 });
    expect(errorOf('{"a": [1, 2,]}')).toMatchObject({ message: 'A "," may not come before "]": remove it', line: 1, column: 13 });
    expect(errorOf('{"a": 1,}')).toMatchObject({ message: 'A "," may not come before "}": remove it', column: 9 });
    expect(errorOf("{'a': 1}")).toMatchObject({ message: 'Expected a name in double quotes, not "\'"', column: 2 });
    expect(errorOf('{"a": ')).toMatchObject({ message: 'The text ends where a value should be', offset: 6 });
    expect(errorOf('{"a": "open')).toMatchObject({ message: 'This string is never closed with "', offset: 6 });
    expect(errorOf('{"a": 01}')).toMatchObject({ message: 'Expected "," or "}" after a value, not "1"' });
    expect(errorOf('{"a": tru}')).toMatchObject({ column: 7 });
    expect(errorOf('{} x')).toMatchObject({ message: 'Unexpected "x" after the end of the document', column: 4 });
    expect(errorOf('')).toMatchObject({ message: 'The text ends where a value should be', offset: 0, line: 1, column: 1 });
  });
});
