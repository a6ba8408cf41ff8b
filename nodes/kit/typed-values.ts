/**
 * Node-RED's typed values: a value stored as text beside its type (`payload` + `payloadType`), as its typedInput
 * widget writes them and its runtime reads them (`RED.util.evaluateNodeProperty`). What each type accepts, checked
 * the way Node-RED's editor checks it, so a node with a value the runtime would choke on is marked before deploy.
 * Browser-safe.
 */
import { problemText, type ProblemParams, type ProblemText } from './problem-text.ts';

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
 * What is wrong with `value` as a value of `type` (its English `message`, and its code for the editor's language);
 * null when Node-RED would accept it. Types this module does not know (a node's own, such as debug's `full`) are not
 * judged.
 */
export function typedValueProblem(type: string, value: unknown): ProblemText | null {
  const text = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  switch (type) {
    case 'msg':
    case 'flow':
    case 'global': {
      const path = type === 'msg' ? text : text.replace(STORE_PREFIX, '');
      const problem = propertyPathProblem(path);
      return problem === null ? null : problemText('typed.property', { type, text, detail: problem });
    }
    case 'num':
      if (typeof value === 'number' || NUMBER.test(text) || RADIX_NUMBER.test(text) || ENV_REFERENCE.test(text)) return null;
      return problemText('typed.notNumber', { text });
    case 'bool':
      return text === 'true' || text === 'false' || typeof value === 'boolean' ? null : problemText('typed.notBoolean', { text });
    case 'json':
      try {
        JSON.parse(text);
        return null;
      } catch (err) {
        return problemText('typed.invalidJson', { error: err instanceof Error ? err.message : String(err) });
      }
    case 'bin':
      return binaryProblem(text);
    case 're':
      try {
        new RegExp(text);
        return null;
      } catch (err) {
        return problemText('typed.invalidRegex', { error: err instanceof Error ? err.message : String(err) });
      }
    case 'jsonata':
      return text.trim() === '' ? problemText('typed.emptyExpression') : null;
    case 'env':
      return text.trim() === '' ? problemText('typed.noEnvVar') : null;
    default:
      return null;
  }
}

/** A buffer value: a JSON array of bytes (0–255) or a string (Node-RED makes a UTF-8 buffer of it). */
function binaryProblem(text: string): ProblemText | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return problemText('typed.bufferNotJson');
  }
  if (typeof parsed === 'string') return null;
  if (Array.isArray(parsed) && parsed.every((b) => Number.isInteger(b) && (b as number) >= 0 && (b as number) <= 255)) return null;
  return problemText('typed.bufferBytes');
}

/**
 * What is wrong with a property path (`payload`, `a.b[0]`, `a["b c"]`, `a[msg.key]`) as Node-RED's
 * `normalisePropertyExpression` reads it; null when it parses.
 */
export function propertyPathProblem(path: string): ProblemText | null {
  if (path.trim() === '') return problemText('path.empty');
  if (path.startsWith('.')) return problemText('path.leadingDot');
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
      if (depth === 0) return problemText('path.strayBracket');
      depth--;
    } else if (char === '.' && previous === '.') {
      return problemText('path.emptyName');
    } else if (/\s/.test(char) && depth === 0) {
      return problemText('path.spaces');
    }
    previous = char;
  }
  if (quote !== null) return problemText('path.unclosedQuote');
  if (depth > 0) return problemText('path.unclosedBracket');
  if (path.endsWith('.')) return problemText('path.trailingDot');
  return null;
}

/** A problem with one property of a node, as a definition's `check` reports it. */
export interface PropertyProblem {
  /** JSON pointer into the node: `/payload`, `/rules/2/v`. */
  path: string;
  /** In English, as the runtime reports it. */
  message: string;
  /** The problem's code and parameters, for the editor to say it in its language (`nodes/kit/problem-text.ts`). */
  code?: string;
  params?: ProblemParams;
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
    if (problem !== null) problems.push({ path: `${base}/${valueProperty}`, ...problem });
  }
  return problems;
}
