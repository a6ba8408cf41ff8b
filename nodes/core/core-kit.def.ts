/**
 * What the core node definitions share: Node-RED's ways of storing numbers, flags, typed values, scopes and lists.
 * The definitions mirror Node-RED 4.1's own `defaults` (node_modules/@node-red/nodes/core/**\/*.html): the same
 * property names, default values (including the strings Node-RED uses for numbers and flags) and option values.
 * Schemas accept every form Node-RED itself stores, because flows exported from stock Node-RED must import
 * unchanged. Browser-safe.
 */
import { Type, type SchemaOptions, type TSchema } from '@sinclair/typebox';

export const core = { core: true, version: 1 } as const;

export const name = (defaultName = '') => Type.String({ title: 'Name', default: defaultName });

/**
 * A number Node-RED keeps as text (`"5"`), or an `${ENV_VAR}` reference, which Node-RED resolves when the flow
 * starts; both pass its editor's number validator.
 */
export const numberText = (title: string, defaultValue: string, options: SchemaOptions = {}) =>
  Type.String({
    title,
    default: defaultValue,
    pattern: '^\\s*(NaN|[+-]?[0-9]*\\.?[0-9]*([eE][-+]?[0-9]+)?|[+-]?0[xX][0-9a-fA-F]+|\\$\\{[^}]+\\})\\s*$',
    ...options,
  });

/** A checkbox whose Node-RED default is the string `"false"`/`"true"`; the editor stores booleans once edited. */
export const flag = (title: string, defaultValue: boolean | 'true' | 'false') => Type.Boolean({ title, default: defaultValue });

/** The value types of Node-RED's typedInput that the core nodes offer. */
export const typedValueTypes = ['msg', 'flow', 'global', 'str', 'num', 'bool', 'json', 'bin', 'date', 'jsonata', 'env', 're'] as const;

/** Scope of catch and status nodes: `null` all nodes, `"group"` the node's group, or the listed node ids. */
export const scope = () =>
  Type.Union([Type.Null(), Type.Literal('group'), Type.Array(Type.String())], {
    title: 'Scope',
    description: 'null: all nodes; "group": nodes in the same group; a list: these node ids',
    default: null,
    'x-node-ref': '*',
  });

/** A loosely typed array of the objects an editor list stores (rules, headers, props): each item is open. */
export const listOf = (title: string, item: Record<string, TSchema>, defaultValue: unknown[]) =>
  Type.Array(Type.Object(Object.fromEntries(Object.entries(item).map(([k, s]) => [k, Type.Optional(s)]))), {
    title,
    default: defaultValue,
  });

export const coreHelp = (summary: string) =>
  `${summary}\n\nA Node-RED core node: see the Node-RED documentation for every option.`;

/** Node-RED's `RED.validators.number`: decimal, binary, octal or hex text (or NaN), a number, or an `${ENV}` reference. */
const NODE_RED_NUMBER = /^\s*(NaN|[+-]?[0-9]*\.?[0-9]*([eE][-+]?[0-9]+)?|[+-]?(0b|0B)[01]+|[+-]?(0o|0O)[0-7]+|[+-]?(0x|0X)[0-9a-fA-F]+)\s*$/;

/** Whether `value` passes Node-RED's `RED.validators.number(blankAllowed)`; every core node's number check asks this. */
export function isNodeRedNumber(value: unknown, blankAllowed = false): boolean {
  if (typeof value === 'number') return true;
  const v = value === undefined || value === null ? '' : String(value);
  if (v === '') return blankAllowed;
  return NODE_RED_NUMBER.test(v) || /^\$\{[^}]+\}$/.test(v);
}
