/**
 * What the sequence, parser and storage core definitions share beyond `core-kit.def.ts`: Node-RED's `name || …`
 * labels, numbers it stores as either a number (its default) or the text typed in its editor, and reading a
 * property as text. Browser-safe.
 */
import { Type } from '@sinclair/typebox';
import type { PropertyProblem } from '../kit/typed-values.ts';
import { problemAt, problemText } from '../kit/problem-text.ts';
import { isNodeRedNumber } from './core-kit.def.ts';

/** The node's name, or `fallback` when it has none (Node-RED's `this.name || …`). */
export function nameOr(node: Readonly<Record<string, unknown>>, fallback: string): string {
  const name = node['name'];
  return typeof name === 'string' && name !== '' ? name : fallback;
}

/** A property as text: strings as they are, numbers and booleans written out, nothing as `fallback`. */
export function textProp(node: Readonly<Record<string, unknown>>, prop: string, fallback: string): string {
  const value = node[prop];
  if (value === undefined || value === null) return fallback;
  return typeof value === 'string' ? value : String(value);
}

/**
 * A number whose Node-RED default may be a number (`10`) or text (`""`), and which its editor stores as the text
 * typed once edited (`"5"`): both are accepted.
 */
export const looseNumber = (title: string, defaultValue: number | string) =>
  Type.Union([Type.Number(), Type.String()], { title, default: defaultValue });

/**
 * A problem when an optional number (`""` meaning none) is set to something that is not a number of at least `min`:
 * the runtime would read it as `NaN`.
 */
export function countProblem(node: Readonly<Record<string, unknown>>, prop: 'count' | 'timeout', min: number): PropertyProblem[] {
  const value = node[prop];
  if (value === undefined || value === null || value === '') return [];
  if (isNodeRedNumber(value) && (String(value).includes('${') || Number(value) >= min)) return [];
  return [problemAt(`/${prop}`, problemText(prop === 'count' ? 'join.count' : 'join.timeout', { value: String(value), min }))];
}
