/**
 * The core nodes of Node-RED's "function" palette category: function, switch, change, range, template, delay,
 * trigger, exec and filter (rbe), with Node-RED 4.1's defaults, labels and editor validators
 * (`node_modules/@node-red/nodes/core/function/*.html`). Browser-safe.
 */
import { Type } from '@sinclair/typebox';
import { choice, defineNode, type AnyNodeDefinition } from '../kit/define-node.ts';
import { propertyPathProblem, typedValueProblem, type PropertyProblem } from '../kit/typed-values.ts';
import { problemAt, problemText, type ProblemCode, type ProblemText } from '../kit/problem-text.ts';
import { core, coreHelp, isNodeRedNumber, listOf, name, numberText } from './core-kit.def.ts';

type Node = Readonly<Record<string, unknown>>;

/** A port count as Node-RED stores it: a number, or the text of one in hand-written flows. */
const portCount = (title: string, defaultValue: number, maximum?: number) =>
  Type.Union([Type.Integer({ minimum: 0, ...(maximum === undefined ? {} : { maximum }) }), Type.String({ pattern: '^\\s*\\d+\\s*$' })], { title, default: defaultValue });

/** A checkbox Node-RED may store as a boolean or as the text `"true"`/`"false"`. */
const looseFlag = (title: string, defaultValue: boolean | 'true' | 'false') =>
  Type.Union([Type.Boolean(), Type.Literal('true'), Type.Literal('false')], { title, default: defaultValue });

const text = (value: unknown): string => (value === undefined || value === null ? '' : typeof value === 'string' ? value : String(value));

/**
 * What Node-RED's editor (`RED.utils.validateTypedProperty`) rejects in a typed value: bad JSON, a bad property path,
 * a number that does not parse (blank is allowed), an empty JSONata expression. Other types it leaves alone, so this
 * does too; an `${ENV}` value is always accepted.
 */
export function typedProblem(type: unknown, value: unknown): ProblemText | null {
  const t = text(type);
  const v = text(value);
  if (/^\$\{[^}]+\}$/.test(v)) return null;
  if (t === 'num' && v === '') return null;
  if (t === 'json' || t === 'msg' || t === 'flow' || t === 'global' || t === 'num' || t === 'jsonata') return typedValueProblem(t, value);
  return null;
}

/** A `msg.` property that must name a property (Node-RED's `typedInput({type: 'msg'})` validator). */
function msgPathProblems(node: Node, property: string, allowBlank = false): PropertyProblem[] {
  const value = text(node[property]);
  if (allowBlank && value === '') return [];
  const problem = propertyPathProblem(value);
  return problem === null ? [] : [problemAt(`/${property}`, problemText('msgProperty', { prop: value, detail: problem }))];
}

/** The codes of the problems a number field of range or delay has. */
type NumberProblemCode = Extract<ProblemCode, `range.${string}` | `delay.${string}`>;

function numberProblems(node: Node, properties: readonly (readonly [property: string, code: NumberProblemCode])[], { min }: { min?: number } = {}): PropertyProblem[] {
  const problems: PropertyProblem[] = [];
  for (const [property, code] of properties) {
    const value = node[property];
    const ok = isNodeRedNumber(value) && (min === undefined || /\$\{/.test(text(value)) || Number(value) >= min);
    if (!ok) problems.push(problemAt(`/${property}`, problemText(code)));
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// function

/** Variable names a function node cannot import a module as (Node-RED's `invalidModuleVNames`). */
const RESERVED_MODULE_NAMES = ['console', 'util', 'Buffer', 'Date', 'RED', 'node', '__node__', 'context', 'flow', 'global', 'env', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'promisify'];

export function functionProblems(node: Node): PropertyProblem[] {
  const problems: PropertyProblem[] = [];
  if (typeof node['noerr'] === 'number' && node['noerr'] > 0) problems.push(problemAt('/noerr', problemText('function.codeError')));
  const outputs = Number(text(node['outputs']) || 'NaN');
  if (!Number.isInteger(outputs) || outputs < 0 || outputs > 500) problems.push(problemAt('/outputs', problemText('function.outputs')));
  const timeout = node['timeout'];
  if (!(timeout === '' || timeout === undefined || (isNodeRedNumber(timeout) && Number(timeout) >= 0))) {
    problems.push(problemAt('/timeout', problemText('function.timeout')));
  }
  const libs = Array.isArray(node['libs']) ? (node['libs'] as unknown[]) : [];
  libs.forEach((lib, i) => {
    const entry = (lib ?? {}) as Record<string, unknown>;
    const variable = text(entry['var']);
    if (variable === '' || / /.test(variable) || !/^[A-Za-z_$][\w$]*$/.test(variable)) {
      problems.push(problemAt(`/libs/${i}/var`, problemText('function.libVariable', { name: variable })));
    } else if (RESERVED_MODULE_NAMES.includes(variable)) {
      problems.push(problemAt(`/libs/${i}/var`, problemText('function.libReserved', { name: variable })));
    }
    if (text(entry['module']).trim() === '') problems.push(problemAt(`/libs/${i}/module`, problemText('function.libModule')));
  });
  return problems;
}

export const functionNode = defineNode({
  ...core,
  type: 'function',
  label: 'function',
  category: 'function',
  color: '#fdd0a2',
  icon: 'function.svg',
  inputs: 1,
  outputs: 1,
  config: Type.Object({
    name: name('_DEFAULT_'),
    func: Type.String({ title: 'On message', default: '\nreturn msg;' }),
    outputs: portCount('Outputs', 1, 500),
    timeout: Type.Union([Type.Number({ minimum: 0 }), Type.Literal(''), numberText('Timeout', '')], { title: 'Timeout (seconds)', default: 0 }),
    noerr: Type.Integer({ title: 'Syntax errors', description: 'Set by the editor; 0 when the code parses', default: 0 }),
    initialize: Type.String({ title: 'On start', default: '' }),
    finalize: Type.String({ title: 'On stop', default: '' }),
    libs: listOf('Modules', { var: Type.String(), module: Type.String() }, []),
  }),
  ui: {
    fields: {
      func: { widget: 'code', language: 'javascript' },
      initialize: { widget: 'code', language: 'javascript' },
      finalize: { widget: 'code', language: 'javascript' },
      noerr: { widget: 'hidden' },
    },
  },
  check: functionProblems,
  help: coreHelp('Runs JavaScript against each message.'),
});

// ---------------------------------------------------------------------------------------------------------------
// switch

/** Switch operators, in Node-RED's order: `kind` V value rules, S sequence rules, O the rest. */
export const switchOperators = [
  { v: 'eq', t: '==', kind: 'V' },
  { v: 'neq', t: '!=', kind: 'V' },
  { v: 'lt', t: '<', kind: 'V' },
  { v: 'lte', t: '<=', kind: 'V' },
  { v: 'gt', t: '>', kind: 'V' },
  { v: 'gte', t: '>=', kind: 'V' },
  { v: 'hask', t: 'has key', kind: 'V' },
  { v: 'btwn', t: 'is between', kind: 'V' },
  { v: 'cont', t: 'contains', kind: 'V' },
  { v: 'regex', t: 'matches regex', kind: 'V' },
  { v: 'true', t: 'is true', kind: 'V' },
  { v: 'false', t: 'is false', kind: 'V' },
  { v: 'null', t: 'is null', kind: 'V' },
  { v: 'nnull', t: 'is not null', kind: 'V' },
  { v: 'istype', t: 'is of type', kind: 'V' },
  { v: 'empty', t: 'is empty', kind: 'V' },
  { v: 'nempty', t: 'is not empty', kind: 'V' },
  { v: 'head', t: 'head', kind: 'S' },
  { v: 'index', t: 'index between', kind: 'S' },
  { v: 'tail', t: 'tail', kind: 'S' },
  { v: 'jsonata_exp', t: 'JSONata exp', kind: 'O' },
  { v: 'else', t: 'otherwise', kind: 'O' },
] as const;

/** Operators that take no value. */
export const VALUELESS_SWITCH_OPERATORS: readonly string[] = ['true', 'false', 'null', 'nnull', 'empty', 'nempty', 'else'];

export interface SwitchRule {
  t: string;
  v?: string;
  vt?: string;
  v2?: string;
  v2t?: string;
  case?: boolean;
}

/**
 * A rule as Node-RED's `exportRule` writes it for operator `t`: only the properties that operator has (`v`/`vt`,
 * `v2`/`v2t` for the ranges, `case` for regex; `istype` keeps its type in both `v` and `vt`).
 */
export function exportSwitchRule(rule: SwitchRule): SwitchRule {
  const { t } = rule;
  if (VALUELESS_SWITCH_OPERATORS.includes(t)) return { t };
  if (t === 'btwn' || t === 'index') return { t, v: rule.v ?? '', vt: rule.vt ?? 'num', v2: rule.v2 ?? '', v2t: rule.v2t ?? 'num' };
  if (t === 'istype') {
    const type = rule.vt && ISTYPE_VALUES.includes(rule.vt) ? rule.vt : 'string';
    return { t, v: type, vt: type };
  }
  const out: SwitchRule = { t, v: rule.v ?? '', vt: rule.vt ?? (t === 'head' || t === 'tail' ? 'num' : t === 'jsonata_exp' ? 'jsonata' : 'str') };
  if (t === 'regex') out.case = rule.case === true;
  return out;
}

/** The types "is of type" tells apart. */
export const ISTYPE_VALUES: readonly string[] = ['string', 'number', 'boolean', 'array', 'buffer', 'object', 'json', 'undefined', 'null'];

function clip(value: string): string {
  return value.length > 15 ? `${value.substring(0, 15)}...` : value;
}

/** A context key without its store prefix (`#:(file)::count` → `count`), as Node-RED's `parseContextKey` reads it. */
export function contextKeyName(key: string): string {
  const match = /^#:\((\S+?)\)::(.*)$/.exec(key);
  return match ? match[2]! : key;
}

function valueLabel(type: string | undefined, value: string | undefined): string {
  const v = value ?? '';
  if (type === 'str') return `"${clip(v)}"`;
  if (type === 'msg') return `msg.${clip(v)}`;
  if (type === 'flow' || type === 'global') return `${type}.${clip(contextKeyName(v))}`;
  return clip(v);
}

/** The label of a switch output, as Node-RED's `outputLabels` writes it: `== "on"`, `is between 1 & 5`. */
export function switchOutputLabel(rule: SwitchRule | undefined): string | undefined {
  if (!rule) return undefined;
  let label = switchOperators.find((o) => o.v === rule.t)?.t ?? '';
  if (rule.t === 'btwn' || rule.t === 'index') label += ` ${valueLabel(rule.vt, rule.v)} & ${valueLabel(rule.v2t, rule.v2)}`;
  else if (!VALUELESS_SWITCH_OPERATORS.includes(rule.t)) label += ` ${valueLabel(rule.vt, rule.v)}`;
  return label;
}

const rulesOf = (node: Node): Record<string, unknown>[] =>
  Array.isArray(node['rules']) ? (node['rules'] as unknown[]).map((r) => (r && typeof r === 'object' ? (r as Record<string, unknown>) : {})) : [];

export function switchProblems(node: Node): PropertyProblem[] {
  const problems: PropertyProblem[] = [];
  const propertyProblem = typedProblem(node['propertyType'] ?? 'msg', node['property']);
  if (text(node['property']) === '') problems.push(problemAt('/property', problemText('property.required')));
  else if (propertyProblem !== null) problems.push(problemAt('/property', propertyProblem));
  rulesOf(node).forEach((rule, i) => {
    if (rule['t'] === 'istype') return;
    for (const [value, type] of [['v', 'vt'], ['v2', 'v2t']] as const) {
      if (!(value in rule)) continue;
      const problem = typedProblem(rule[type], rule[value]);
      if (problem !== null) problems.push(problemAt(`/rules/${i}/${value}`, problemText('rule', { n: i + 1, detail: problem })));
    }
    if (rule['t'] === 'regex' && rule['vt'] === 'str') {
      const problem = typedValueProblem('re', rule['v']);
      if (problem !== null) problems.push(problemAt(`/rules/${i}/v`, problemText('rule', { n: i + 1, detail: problem })));
    }
  });
  return problems;
}

export const switchNode = defineNode({
  ...core,
  type: 'switch',
  label: 'switch',
  category: 'function',
  color: '#E2D96E',
  icon: 'switch.svg',
  inputs: 1,
  outputs: 1,
  config: Type.Object({
    name: name(),
    property: Type.String({ title: 'Property', default: 'payload' }),
    propertyType: choice(['msg', 'flow', 'global', 'jsonata', 'env'], { title: 'Property type', default: 'msg' }),
    rules: listOf(
      'Rules',
      { t: Type.String(), v: Type.Unknown(), vt: Type.String(), v2: Type.Unknown(), v2t: Type.String(), case: Type.Boolean() },
      [{ t: 'eq', v: '', vt: 'str' }],
    ),
    checkall: looseFlag('Matching', 'true'),
    repair: Type.Boolean({ title: 'Recreate message sequences', default: false }),
    outputs: portCount('Outputs', 1),
  }),
  outputLabelsOf: (node) => rulesOf(node).map((rule) => switchOutputLabel(rule as unknown as SwitchRule) ?? ''),
  check: switchProblems,
  help: coreHelp('Routes each message to the outputs whose rule matches.'),
});

// ---------------------------------------------------------------------------------------------------------------
// change

export interface ChangeRule {
  t: 'set' | 'change' | 'delete' | 'move' | string;
  p?: string;
  pt?: string;
  to?: string;
  tot?: string;
  from?: string;
  fromt?: string;
  dc?: boolean;
}

/** A rule as Node-RED's `oneditsave` writes it for action `t`: only the properties that action has. */
export function exportChangeRule(rule: ChangeRule): ChangeRule {
  const base = { t: rule.t, p: rule.p ?? '', pt: rule.pt ?? 'msg' };
  if (rule.t === 'set') return { ...base, to: rule.to ?? '', tot: rule.tot ?? 'str', ...(rule.dc ? { dc: true } : {}) };
  if (rule.t === 'move') return { ...base, to: rule.to ?? '', tot: rule.tot && ['msg', 'flow', 'global'].includes(rule.tot) ? rule.tot : 'msg' };
  if (rule.t === 'change') return { ...base, from: rule.from ?? '', fromt: rule.fromt ?? 'str', to: rule.to ?? '', tot: rule.tot ?? 'str' };
  return base;
}

/** Node-RED's change label: "set msg.payload", "change: 3 rules", or from the legacy single-action fields. */
export function changeLabel(node: Node): string | undefined {
  const rules = node['rules'];
  if (!Array.isArray(rules)) {
    const property = `msg.${text(node['property'])}`;
    const action = node['action'];
    return action === 'replace' ? `set ${property}` : action === 'change' ? `change ${property}` : action === 'move' ? `move ${property}` : `delete ${property}`;
  }
  if (rules.length !== 1) return `change: ${rules.length} rules`;
  const rule = (rules[0] ?? {}) as Record<string, unknown>;
  const property = `${text(rule['pt']) || 'msg'}.${contextKeyName(text(rule['p']))}`;
  const verb = rule['t'] === 'set' || rule['t'] === 'change' || rule['t'] === 'move' ? rule['t'] : 'delete';
  return `${verb} ${property}`;
}

export function changeProblems(node: Node): PropertyProblem[] {
  const problems: PropertyProblem[] = [];
  rulesOf(node).forEach((rule, i) => {
    const t = rule['t'];
    const pairs: [string, string][] = [];
    if (t === 'set' || t === 'change' || t === 'delete' || t === 'move') pairs.push(['p', 'pt']);
    if (t === 'set' || t === 'change' || t === 'move') pairs.push(['to', 'tot']);
    if (t === 'change') pairs.push(['from', 'fromt']);
    for (const [value, type] of pairs) {
      const problem = typedProblem(rule[type] ?? (value === 'p' ? 'msg' : 'str'), rule[value]);
      if (problem !== null) problems.push(problemAt(`/rules/${i}/${value}`, problemText('rule', { n: i + 1, detail: problem })));
    }
    if (t === 'change' && rule['fromt'] === 're') {
      const problem = typedValueProblem('re', rule['from']);
      if (problem !== null) problems.push(problemAt(`/rules/${i}/from`, problemText('rule', { n: i + 1, detail: problem })));
    }
  });
  return problems;
}

export const change = defineNode({
  ...core,
  type: 'change',
  label: 'change',
  category: 'function',
  color: '#E2D96E',
  icon: 'swap.svg',
  inputs: 1,
  outputs: 1,
  labelOf: changeLabel,
  config: Type.Object({
    name: name(),
    rules: listOf(
      'Rules',
      {
        t: choice(['set', 'change', 'delete', 'move']),
        p: Type.String(),
        pt: Type.String(),
        to: Type.Unknown(),
        tot: Type.String(),
        from: Type.Unknown(),
        fromt: Type.String(),
        dc: Type.Boolean(),
      },
      [{ t: 'set', p: 'payload', pt: 'msg', to: '', tot: 'str' }],
    ),
    // Node-RED 0.x kept one action in these; its editor still writes them, empty, on every change node.
    action: Type.String({ title: 'Node-RED 0.x action', default: '' }),
    property: Type.String({ title: 'Node-RED 0.x property', default: '' }),
    from: Type.String({ title: 'Node-RED 0.x from', default: '' }),
    to: Type.String({ title: 'Node-RED 0.x to', default: '' }),
    reg: Type.Boolean({ title: 'Node-RED 0.x regular expression', default: false }),
  }),
  ui: { fields: { action: { widget: 'hidden' }, property: { widget: 'hidden' }, from: { widget: 'hidden' }, to: { widget: 'hidden' }, reg: { widget: 'hidden' } } },
  check: changeProblems,
  help: coreHelp('Sets, changes, moves or deletes message, flow and global properties.'),
});

// ---------------------------------------------------------------------------------------------------------------
// range

export function rangeLabel(node: Node): string | undefined {
  const minout = text(node['minout']);
  const maxout = text(node['maxout']);
  return minout !== '' && maxout !== '' ? `${minout} - ${maxout}` : undefined;
}

export function rangeProblems(node: Node): PropertyProblem[] {
  return [
    ...numberProblems(node, [
      ['minin', 'range.inputFrom'],
      ['maxin', 'range.inputTo'],
      ['minout', 'range.targetFrom'],
      ['maxout', 'range.targetTo'],
    ]),
    ...msgPathProblems(node, 'property', true),
  ];
}

export const range = defineNode({
  ...core,
  type: 'range',
  label: 'range',
  category: 'function',
  color: '#E2D96E',
  icon: 'range.svg',
  inputs: 1,
  outputs: 1,
  labelOf: rangeLabel,
  outputLabelsOf: (node) => {
    const range = `${text(node['minout'])} - ${text(node['maxout'])}`;
    return [node['action'] === 'clamp' ? `[${range}]` : node['action'] === 'drop' ? `x${range}x` : node['action'] === 'roll' ? `>${range}>` : range];
  },
  config: Type.Object({
    minin: Type.Union([Type.String(), Type.Number()], { title: 'Input from', default: '' }),
    maxin: Type.Union([Type.String(), Type.Number()], { title: 'Input to', default: '' }),
    minout: Type.Union([Type.String(), Type.Number()], { title: 'Target from', default: '' }),
    maxout: Type.Union([Type.String(), Type.Number()], { title: 'Target to', default: '' }),
    action: choice(['scale', 'clamp', 'roll', 'drop'], { title: 'Action', default: 'scale' }),
    round: Type.Boolean({ title: 'Round result to the nearest integer', default: false }),
    property: Type.String({ title: 'Property', default: 'payload' }),
    name: name(),
  }),
  check: rangeProblems,
  help: coreHelp('Maps a number from one range to another.'),
});

// ---------------------------------------------------------------------------------------------------------------
// template

export const template = defineNode({
  ...core,
  type: 'template',
  label: 'template',
  category: 'function',
  color: 'rgb(243, 181, 103)',
  icon: 'template.svg',
  inputs: 1,
  outputs: 1,
  config: Type.Object({
    name: name(),
    field: Type.String({ title: 'Set property', default: 'payload' }),
    fieldType: choice(['msg', 'flow', 'global'], { title: 'Property type', default: 'msg' }),
    format: Type.String({ title: 'Syntax highlight', default: 'handlebars' }),
    syntax: choice(['mustache', 'plain'], { title: 'Format', default: 'mustache' }),
    template: Type.String({ title: 'Template', default: 'This is the payload: {{payload}} !' }),
    output: choice(['str', 'json', 'yaml'], { title: 'Output as', default: 'str' }),
  }),
  ui: { fields: { template: { widget: 'code', language: 'handlebars' } } },
  check: (node) => {
    const problem = typedProblem(node['fieldType'] || 'msg', node['field'] || 'payload');
    return problem === null ? [] : [problemAt('/field', problem)];
  },
  help: coreHelp('Sets a property from a mustache template.'),
});

// ---------------------------------------------------------------------------------------------------------------
// delay

const timeUnits = ['milliseconds', 'seconds', 'minutes', 'hours', 'days'] as const;

/** Node-RED's delay label: "delay 5s", "variable", "random", "limit 1 msg/s", "limit topic 2 msg/5m". */
export function delayLabel(node: Node): string | undefined {
  const pauseType = node['pauseType'];
  if (pauseType === 'delayv') return 'variable';
  if (pauseType === 'delay') {
    const unitsText = text(node['timeoutUnits']);
    const units = unitsText === 'milliseconds' ? 'ms' : unitsText ? unitsText.charAt(0) : 's';
    return `delay ${text(node['timeout'])}${units}`;
  }
  if (pauseType === 'random') return 'random';
  const rateUnits = text(node['rateUnits']);
  const per = Number(node['nbRateUnits']) > 1 ? text(node['nbRateUnits']) : '';
  const rate = `${text(node['rate'])} msg/${rateUnits ? per + rateUnits.charAt(0) : 's'}`;
  return pauseType === 'rate' ? `limit ${rate}` : `limit topic ${rate}`;
}

export function delayProblems(node: Node): PropertyProblem[] {
  const problems = numberProblems(node, [
    ['timeout', 'delay.delay'],
    ['rate', 'delay.rate'],
    ['randomFirst', 'delay.randomFirst'],
    ['randomLast', 'delay.randomLast'],
  ], { min: 0 });
  if (node['nbRateUnits'] !== undefined) problems.push(...numberProblems(node, [['nbRateUnits', 'delay.rateUnits']], { min: 0 }));
  return problems;
}

export const delay = defineNode({
  ...core,
  type: 'delay',
  label: 'delay',
  category: 'function',
  color: '#E6E0F8',
  icon: 'timer.svg',
  inputs: 1,
  outputs: 1,
  labelOf: delayLabel,
  config: Type.Object({
    name: name(),
    pauseType: choice(['delay', 'delayv', 'random', 'rate', 'queue', 'timed'], { title: 'Action', default: 'delay' }),
    timeout: numberText('Delay', '5'),
    timeoutUnits: choice(timeUnits, { title: 'Delay units', default: 'seconds' }),
    rate: numberText('Rate', '1'),
    nbRateUnits: numberText('Per', '1'),
    rateUnits: choice(['second', 'minute', 'hour', 'day'], { title: 'Rate units', default: 'second' }),
    randomFirst: numberText('Random from', '1'),
    randomLast: numberText('Random to', '5'),
    randomUnits: choice(timeUnits, { title: 'Random units', default: 'seconds' }),
    drop: Type.Boolean({ title: 'Drop intermediate messages', default: false }),
    allowrate: Type.Boolean({ title: 'Allow msg.rate to override', default: false }),
    outputs: portCount('Outputs', 1, 2),
  }),
  check: delayProblems,
  help: coreHelp('Delays messages or limits their rate.'),
});

// ---------------------------------------------------------------------------------------------------------------
// trigger

const triggerValueTypes = ['val', 'str', 'num', 'bool', 'json', 'bin', 'date', 'env', 'flow', 'global', 'pay', 'payl', 'nul'] as const;

/** Node-RED's trigger label: "trigger 250ms", "resend every 2s", "trigger & block". */
export function triggerLabel(node: Node): string | undefined {
  const duration = Number(node['duration']);
  const units = text(node['units']);
  if (duration > 0) return `trigger ${text(node['duration'])}${units}`;
  if (duration < 0) return `resend every ${duration * -1}${units}`;
  return 'trigger & block';
}

export function triggerProblems(node: Node): PropertyProblem[] {
  const problems: PropertyProblem[] = [];
  for (const [value, type, code] of [['op1', 'op1type', 'trigger.send'], ['op2', 'op2type', 'trigger.thenSend']] as const) {
    const problem = typedProblem(node[type], node[value]);
    if (problem !== null) problems.push(problemAt(`/${value}`, problemText(code, { detail: problem })));
  }
  if (!isNodeRedNumber(node['duration'])) problems.push(problemAt('/duration', problemText('trigger.duration')));
  if (node['bytopic'] === 'topic') problems.push(...msgPathProblems(node, 'topic'));
  return problems;
}

export const trigger = defineNode({
  ...core,
  type: 'trigger',
  label: 'trigger',
  category: 'function',
  color: '#E6E0F8',
  icon: 'trigger.svg',
  inputs: 1,
  outputs: 1,
  labelOf: triggerLabel,
  config: Type.Object({
    name: name(),
    op1: Type.String({ title: 'Send', default: '1' }),
    op2: Type.String({ title: 'Then send', default: '0' }),
    op1type: choice(triggerValueTypes, { title: 'Send type', default: 'val' }),
    op2type: choice(triggerValueTypes, { title: 'Then send type', default: 'val' }),
    duration: Type.Union([numberText('Duration', '250'), Type.Number()], { title: 'Duration', default: '250' }),
    extend: looseFlag('Extend delay on new message', 'false'),
    overrideDelay: looseFlag('Override delay with msg.delay', 'false'),
    units: choice(['ms', 's', 'min', 'hr'], { title: 'Units', default: 'ms' }),
    reset: Type.String({ title: 'Reset if msg.payload equals', default: '' }),
    bytopic: choice(['all', 'topic'], { title: 'Handling', default: 'all' }),
    topic: Type.String({ title: 'Topic property', default: 'topic' }),
    outputs: portCount('Outputs', 1, 2),
  }),
  check: triggerProblems,
  help: coreHelp('Sends a message, then optionally a second one after a delay unless reset.'),
});

// ---------------------------------------------------------------------------------------------------------------
// exec

/** Node-RED's exec label: the command (its `\n ` escaped), else "exec" or "spawn". */
export function execLabel(node: Node): string | undefined {
  const command = text(node['command']).replace(/\\n /g, '\\\\n ');
  return command || (text(node['useSpawn']) === 'true' ? 'spawn' : 'exec');
}

export const exec = defineNode({
  ...core,
  type: 'exec',
  label: 'exec',
  category: 'function',
  color: 'darksalmon',
  icon: 'cog.svg',
  inputs: 1,
  outputs: 3,
  outputLabels: ['stdout', 'stderr', 'return code'],
  labelOf: execLabel,
  config: Type.Object({
    command: Type.String({ title: 'Command', default: '' }),
    addpay: Type.Union([Type.String(), Type.Boolean()], { title: 'Append msg property', description: '"": append nothing', default: '' }),
    append: Type.String({ title: 'Extra parameters', default: '' }),
    useSpawn: looseFlag('Spawn mode', 'false'),
    timer: Type.Union([numberText('Timeout', ''), Type.Number()], { title: 'Timeout (seconds)', default: '' }),
    winHide: looseFlag('Hide console', false),
    oldrc: looseFlag('Old style output', false),
    name: name(),
  }),
  check: (node) => {
    const addpay = node['addpay'];
    return typeof addpay === 'string' && addpay !== '' ? msgPathProblems(node, 'addpay') : [];
  },
  help: coreHelp('Runs a command on the server and sends its output (admins only).'),
});

// ---------------------------------------------------------------------------------------------------------------
// filter (rbe)

/** Node-RED's filter label: the mode without "Eq" ("deadband", "narrowband"), "filter" for the change-only modes. */
export function rbeLabel(node: Node): string | undefined {
  return text(node['func']).replace('Eq', '').replace('rbei', 'filter').replace('rbe', 'filter') || undefined;
}

export function rbeProblems(node: Node): PropertyProblem[] {
  const problems: PropertyProblem[] = [];
  if (!/^(\d*[.]*\d*|)(%|)$/.test(text(node['gap']))) problems.push(problemAt('/gap', problemText('rbe.gap')));
  if (node['property'] !== undefined) problems.push(...msgPathProblems(node, 'property'));
  if (node['topi'] !== undefined && node['septopics'] !== false) problems.push(...msgPathProblems(node, 'topi'));
  return problems;
}

export const rbe = defineNode({
  ...core,
  type: 'rbe',
  label: 'filter',
  paletteLabel: 'filter',
  category: 'function',
  color: '#E2D96E',
  icon: 'rbe.svg',
  inputs: 1,
  outputs: 1,
  labelOf: rbeLabel,
  config: Type.Object({
    name: name(),
    func: choice(['rbe', 'rbei', 'deadbandEq', 'deadband', 'narrowbandEq', 'narrowband'], { title: 'Mode', default: 'rbe' }),
    gap: Type.Union([Type.String(), Type.Number()], { title: 'Value change', default: '' }),
    start: Type.Union([Type.String(), Type.Number()], { title: 'Start value', default: '' }),
    inout: choice(['out', 'in'], { title: 'Compared to', default: 'out' }),
    septopics: Type.Boolean({ title: 'Apply mode separately for each topic', default: true }),
    property: Type.String({ title: 'Property', default: 'payload' }),
    topi: Type.String({ title: 'Topic property', default: 'topic' }),
  }),
  check: rbeProblems,
  help: coreHelp('Passes a message on only when its value changes (or changes by more, or less, than a band).'),
});

/** This category's nodes, in Node-RED's palette order. */
export const functionNodes: readonly AnyNodeDefinition[] = [functionNode, switchNode, change, range, template, delay, trigger, exec, rbe];
