/**
 * JSON text as a person edits it: parsed, or where and why it is not JSON. Browsers word `JSON.parse` errors
 * differently and some give no position at all, so the place of the first error is found by a small scanner of our
 * own. Pure, no React.
 */

export interface JsonTextError {
  message: string;
  /** Offset of the character in error (the text's length when it ends too early). */
  offset: number;
  /** 1-based, for people. */
  line: number;
  column: number;
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; error: JsonTextError };

/** Parses `text`, or says where and why it is not JSON. */
export function parseJsonText(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    const { offset, message } = locateJsonError(text);
    return { ok: false, error: { message, offset, ...lineAndColumn(text, offset) } };
  }
}

/** The 1-based line and column of `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

class JsonSyntax {
  constructor(readonly offset: number, readonly message: string) {}
}

const show = (c: string | undefined) => (c === undefined ? 'the end' : JSON.stringify(c));

/** The first syntax error of text that `JSON.parse` refused. */
export function locateJsonError(text: string): { offset: number; message: string } {
  let i = 0;
  const fail = (message: string, at = i): never => {
    throw new JsonSyntax(at, message);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = () => {
    const start = i;
    i++;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('\\u must be followed by four hex digits');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail(`${show(`\\${e ?? ''}`)} is not a JSON escape`);
      } else if (c < ' ') {
        fail(c === '\n' ? 'A string cannot span lines: close it with " or write \\n' : 'Control characters in a string must be escaped');
      } else i++;
    }
    fail('This string is never closed with "', start);
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      const number = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
      number.lastIndex = i;
      if (!number.test(text)) fail('Not a valid number');
      i = number.lastIndex;
      return;
    }
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    if (c === undefined) fail('The text ends where a value should be');
    if (c === "'") fail('Strings and names must be in double quotes (")');
    fail(`Expected a value (text in double quotes, a number, true, false, null, {…} or […]), not ${show(c)}`);
  };
  const object = () => {
    i++;
    ws();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (text[i] === '}') fail('A "," may not come before "}": remove it');
      if (text[i] !== '"') fail(text[i] === undefined ? 'The text ends inside an object: close it with "}"' : `Expected a name in double quotes, not ${show(text[i])}`);
      string();
      ws();
      if (text[i] !== ':') fail(`Expected ":" after the name, not ${show(text[i])}`);
      i++;
      value();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      fail(text[i] === undefined ? 'The text ends inside an object: close it with "}"' : text[i] === '"' ? 'A "," is missing before this name' : `Expected "," or "}" after a value, not ${show(text[i])}`);
    }
  };
  const array = () => {
    i++;
    ws();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (text[i] === ']') fail('A "," may not come before "]": remove it');
      value();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      fail(text[i] === undefined ? 'The text ends inside a list: close it with "]"' : text[i] === '"' || text[i] === '{' ? 'A "," is missing before this value' : `Expected "," or "]" after a value, not ${show(text[i])}`);
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`Unexpected ${show(text[i])} after the end of the document`);
  } catch (err) {
    if (err instanceof JsonSyntax) return { offset: Math.min(err.offset, text.length), message: err.message };
    throw err;
  }
  // JSON.parse refused what the scanner accepts (lone surrogates are fine in both; nothing else is known).
  return { offset: 0, message: 'The text is not valid JSON' };
}
