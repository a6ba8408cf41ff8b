/**
 * JSON text as a person edits it: parsed, or where and why it is not JSON. Browsers word `JSON.parse` errors
 * differently and some give no position at all, so the place of the first error is found by a small scanner of our
 * own. Pure, no React.
 */
import { t } from './thing-model.messages.ts';

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

const show = (c: string | undefined) => (c === undefined ? t('json.end') : JSON.stringify(c));

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
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail(t('json.unicodeEscape'));
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail(t('json.badEscape', { what: show(`\\${e ?? ''}`) }));
      } else if (c < ' ') {
        fail(c === '\n' ? t('json.stringLines') : t('json.control'));
      } else i++;
    }
    fail(t('json.unclosedString'), start);
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
      if (!number.test(text)) fail(t('json.badNumber'));
      i = number.lastIndex;
      return;
    }
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    if (c === undefined) fail(t('json.endsAtValue'));
    if (c === "'") fail(t('json.singleQuotes'));
    fail(t('json.expectedValue', { what: show(c) }));
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
      if (text[i] === '}') fail(t('json.commaBeforeBrace'));
      if (text[i] !== '"') fail(text[i] === undefined ? t('json.endsInObject') : t('json.expectedName', { what: show(text[i]) }));
      string();
      ws();
      if (text[i] !== ':') fail(t('json.expectedColon', { what: show(text[i]) }));
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
      fail(text[i] === undefined ? t('json.endsInObject') : text[i] === '"' ? t('json.commaBeforeName') : t('json.expectedCommaBrace', { what: show(text[i]) }));
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
      if (text[i] === ']') fail(t('json.commaBeforeBracket'));
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
      fail(text[i] === undefined ? t('json.endsInList') : text[i] === '"' || text[i] === '{' ? t('json.commaBeforeValue') : t('json.expectedCommaBracket', { what: show(text[i]) }));
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail(t('json.trailing', { what: show(text[i]) }));
  } catch (err) {
    if (err instanceof JsonSyntax) return { offset: Math.min(err.offset, text.length), message: err.message };
    throw err;
  }
  // JSON.parse refused what the scanner accepts (lone surrogates are fine in both; nothing else is known).
  return { offset: 0, message: t('json.invalid') };
}
