/**
 * Node-RED's typed values: a value stored as text beside its type (`payload` + `payloadType`), as its typedInput
 * widget writes them and its runtime reads them (`RED.util.evaluateNodeProperty`). What each type accepts, checked
 * the way Node-RED's editor checks it, so a node with a value the runtime would choke on is marked before deploy.
 * Browser-safe.
 */

/**
 * The built-in types: message, flow and global properties, a string, number, boolean, JSON, buffer (`bin`), regular
 * expression (`re`), timestamp (`date`), JSONata expression, environment variable, and the node itself (`node`).
 */
export const TYPED_VALUE_TYPES = ['msg', 'flow', 'global', 'str', 'num', 'bool', 'json', 'bin', 're', 'date', 'jsonata', 'env', 'node'] as const;

export type TypedValueType = (typeof TYPED_VALUE_TYPES)[number];

const NUMBER = /^\s*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*$/;
const RADIX_NUMBER = /^\s*[+-]?0(?:[xX][0-9a-fA-F]+|[bB][01]+|[oO][0-7]+)\s*$/;
const ENV_REFERENCE = /\$\{[^}]+\}/;
/** A context store prefix Node-RED allows on flow/global keys: `#:(file)::key`. */
const STORE_PREFIX = /^#:\([^)]*\)::/;

/**
 * What is wrong with `value` as a value of `type`; null when Node-RED would accept it. Types this module does not
 * know (a node's own, such as debug's `full`) are not judged.
 */
export function typedValueProblem(type: string, value: unknown): string | null {
  const text = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  switch (type) {
    case 'msg':
    case 'flow':
    case 'global': {
      const path = type === 'msg' ? text : text.replace(STORE_PREFIX, '');
      const problem = propertyPathProblem(path);
      return problem === null ? null : `${type}.${text}: ${problem}`;
    }
    case 'num':
      if (typeof value === 'number' || NUMBER.test(text) || RADIX_NUMBER.test(text) || ENV_REFERENCE.test(text)) return null;
      return `"${text}" is not a number`;
    case 'bool':
      return text === 'true' || text === 'false' || typeof value === 'boolean' ? null : `"${text}" is not true or false`;
    case 'json':
      try {
        JSON.parse(text);
        return null;
      } catch (err) {
        return `not valid JSON: ${err instanceof Error ? err.message : String(err)}`;
      }
    case 'bin':
      return binaryProblem(text);
    case 're':
      try {
        new RegExp(text);
        return null;
      } catch (err) {
        return `not a valid regular expression: ${err instanceof Error ? err.message : String(err)}`;
      }
    case 'jsonata':
      return text.trim() === '' ? 'an empty expression' : null;
    case 'env':
      return text.trim() === '' ? 'names no environment variable' : null;
    default:
      return null;
  }
}

/** A buffer value: a JSON array of bytes (0–255) or a string (Node-RED makes a UTF-8 buffer of it). */
function binaryProblem(text: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'not a buffer: write a JSON array of bytes, e.g. [1, 2, 255]';
  }
  if (typeof parsed === 'string') return null;
  if (Array.isArray(parsed) && parsed.every((b) => Number.isInteger(b) && (b as number) >= 0 && (b as number) <= 255)) return null;
  return 'not a buffer: write a JSON array of bytes (0–255), e.g. [1, 2, 255]';
}

/**
 * What is wrong with a property path (`payload`, `a.b[0]`, `a["b c"]`, `a[msg.key]`) as Node-RED's
 * `normalisePropertyExpression` reads it; null when it parses.
 */
export function propertyPathProblem(path: string): string | null {
  if (path.trim() === '') return 'no property named';
  if (path.startsWith('.')) return 'a property cannot start with "."';
  let depth = 0;
  let quote: string | null = null;
  let previous = '';
  for (const char of path) {
    if (quote !== null) {
      if (char === quote && previous !== '\\') quote = null;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '[') {
      depth++;
    } else if (char === ']') {
      if (depth === 0) return 'a "]" without its "["';
      depth--;
    } else if (char === '.' && previous === '.') {
      return 'an empty name between two dots';
    } else if (/\s/.test(char) && depth === 0) {
      return 'spaces need brackets: a["b c"]';
    }
    previous = char;
  }
  if (quote !== null) return 'an unclosed quote';
  if (depth > 0) return 'an unclosed "["';
  if (path.endsWith('.')) return 'a property cannot end with "."';
  return null;
}

/** A problem with one property of a node, as a definition's `check` reports it. */
export interface PropertyProblem {
  /** JSON pointer into the node: `/payload`, `/rules/2/v`. */
  path: string;
  message: string;
}

/**
 * Checks the typed values of a node: each pair names the property holding the value and the one holding its type
 * (`['payload', 'payloadType']`); a missing type means `fallbackType`.
 */
export function typedPropertyProblems(
  node: Readonly<Record<string, unknown>>,
  pairs: readonly (readonly [valueProperty: string, typeProperty: string, fallbackType?: string])[],
  base = '',
): PropertyProblem[] {
  const problems: PropertyProblem[] = [];
  for (const [valueProperty, typeProperty, fallbackType = 'str'] of pairs) {
    const type = typeof node[typeProperty] === 'string' && node[typeProperty] !== '' ? (node[typeProperty] as string) : fallbackType;
    const problem = typedValueProblem(type, node[valueProperty]);
    if (problem !== null) problems.push({ path: `${base}/${valueProperty}`, message: problem });
  }
  return problems;
}
