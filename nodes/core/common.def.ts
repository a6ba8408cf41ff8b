/**
 * The core nodes of Node-RED's "common" palette category: inject, debug, complete, catch, status, link in, link call,
 * link out, comment. Defaults, labels and checks follow Node-RED 4.1's `core/common/*.html`. (Junctions are in this
 * category too, but have no definition: the editor draws them as structure, as Node-RED does.) Browser-safe.
 */
import { Type } from '@sinclair/typebox';
import { choice, defineNode, type AnyNodeDefinition } from '../kit/define-node.ts';
import { typedValueProblem, type PropertyProblem } from '../kit/typed-values.ts';
import { problemAt, problemText } from '../kit/problem-text.ts';
import { core, coreHelp, isNodeRedNumber, listOf, name, scope } from './core-kit.def.ts';

/** A value Node-RED stores as text or, in older flows, as a number. */
const textOrNumber = (title: string, defaultValue: string | number) =>
  Type.Union([Type.String(), Type.Number()], { title, default: defaultValue });

/** The types whose values Node-RED's inject validator checks (others are taken as they are). */
const CHECKED_INJECT_TYPES = new Set(['msg', 'flow', 'global', 'jsonata', 'json', 'num']);
const ENV_ONLY = /^\$\{[^}]+\}$/;

/** What the inject validators reject: a property value that does not parse as its type, a repeat out of range. */
export function injectProblems(node: Readonly<Record<string, unknown>>): PropertyProblem[] {
  const problems: PropertyProblem[] = [];
  const valueProblem = (path: string, prop: string, type: unknown, value: unknown) => {
    if (typeof type !== 'string' || !CHECKED_INJECT_TYPES.has(type)) return;
    if (typeof value === 'string' && ENV_ONLY.test(value)) return;
    const problem = typedValueProblem(type, value ?? '');
    if (problem !== null) problems.push(problemAt(path, problemText('msgProperty', { prop, detail: problem })));
  };
  const props = Array.isArray(node['props']) ? (node['props'] as unknown[]) : [];
  props.forEach((item, i) => {
    if (typeof item !== 'object' || item === null) return;
    const { p, v, vt } = item as Record<string, unknown>;
    if (typeof p !== 'string' || p.trim() === '') {
      problems.push(problemAt(`/props/${i}/p`, problemText('inject.propertyName', { n: i + 1 })));
      return;
    }
    // The payload (and a string topic) without `v` keep their value in the node's legacy fields.
    if (v === undefined) return;
    valueProblem(`/props/${i}/v`, p, vt, v);
  });
  if (props.some((item) => typeof item === 'object' && item !== null && (item as Record<string, unknown>)['p'] === 'payload')) {
    valueProblem('/payload', 'payload', node['payloadType'], node['payload']);
  }
  const repeat = node['repeat'];
  if (repeat !== undefined && repeat !== '' && !(isNodeRedNumber(repeat) && Number(repeat) >= 0 && Number(repeat) <= 2147483)) {
    problems.push(problemAt('/repeat', problemText('inject.repeat')));
  }
  if (!isNodeRedNumber(node['onceDelay'], true)) problems.push(problemAt('/onceDelay', problemText('inject.onceDelay')));
  return problems;
}

/** How an inject's label ends: ¹ when it fires once on deploy, ↻ when it repeats (named or not). */
export function injectSuffix(node: Readonly<Record<string, unknown>>): string {
  const repeat = node['repeat'];
  if ((repeat !== undefined && repeat !== '' && Number(repeat) !== 0) || (typeof node['crontab'] === 'string' && node['crontab'] !== '')) return '\t↻';
  return node['once'] === true || node['once'] === 'true' ? ' ¹' : '';
}

/** The label of an unnamed inject: "timestamp", "topic:payload", "flow.key", with ¹ (once) or ↻ (repeat). */
export function injectLabel(node: Readonly<Record<string, unknown>>): string {
  const suffix = injectSuffix(node);
  const payload = typeof node['payload'] === 'string' ? node['payload'] : node['payload'] === undefined || node['payload'] === null ? '' : String(node['payload']);
  const payloadType = typeof node['payloadType'] === 'string' && node['payloadType'] !== '' ? node['payloadType'] : 'str';
  const topic = typeof node['topic'] === 'string' ? node['topic'] : '';
  if (['string', 'str', 'num', 'bool', 'json'].includes(payloadType)) {
    if (topic !== '' && topic.length + payload.length <= 32) return `${topic}:${payload}${suffix}`;
    if (payload.length > 0 && payload.length < 24) return payload + suffix;
    return `inject${suffix}`;
  }
  if (payloadType === 'date' || payloadType === 'bin' || payloadType === 'env') {
    const typeLabel = { date: 'timestamp', bin: 'buffer', env: 'env variable' }[payloadType];
    return topic !== '' && topic.length <= 16 ? `${topic}:${typeLabel}${suffix}` : typeLabel + suffix;
  }
  if (payloadType === 'flow' || payloadType === 'global') return `${payloadType}.${payload.replace(/^#:\([^)]*\)::/, '')}${suffix}`;
  return `inject${suffix}`;
}

const INJECT_TYPE_LABELS: Readonly<Record<string, string>> = {
  flow: 'flow context', global: 'global context', str: 'string', num: 'number', bool: 'boolean', json: 'object', bin: 'buffer',
  date: 'timestamp', env: 'env variable', object: 'object', string: 'string', boolean: 'boolean', number: 'number', Array: 'array',
  invalid: 'Invalid JSON Object',
};

/** The label of an inject's output: each property and the type of its value ("payload: timestamp"), five at most. */
export function injectOutputLabel(node: Readonly<Record<string, unknown>>): string {
  const props = Array.isArray(node['props'])
    ? (node['props'] as Record<string, unknown>[]).filter((p) => typeof p === 'object' && p !== null)
    : [{ p: 'payload', v: node['payload'], vt: node['payloadType'] }, { p: 'topic', v: node['topic'], vt: 'str' }];
  const lines: string[] = [];
  for (const [i, prop] of props.entries()) {
    if (i === 5) {
      lines.push(`... +${props.length - 5}`);
      break;
    }
    let type = String((prop['p'] === 'payload' ? node['payloadType'] : prop['vt']) ?? '');
    if (type === 'json') {
      try {
        const parsed = JSON.parse(String(prop['p'] === 'payload' ? node['payload'] : prop['v'])) as unknown;
        type = Array.isArray(parsed) ? 'Array' : typeof parsed;
      } catch {
        type = 'invalid';
      }
    }
    lines.push(`${String(prop['p'] ?? '')}: ${INJECT_TYPE_LABELS[type] ?? type}`);
  }
  return lines.join('\n');
}

export const inject = defineNode({
  ...core,
  type: 'inject',
  label: 'inject',
  labelOf: injectLabel,
  nameSuffixOf: injectSuffix,
  outputLabelsOf: (node) => [injectOutputLabel(node)],
  category: 'common',
  color: '#a6bbcf',
  icon: 'inject.svg',
  inputs: 0,
  outputs: 1,
  config: Type.Object({
    name: name(),
    // The properties to set; the payload and a string topic keep their values in `payload`/`topic` (no `v`).
    props: listOf(
      'Message properties',
      { p: Type.String(), v: Type.Union([Type.String(), Type.Number(), Type.Boolean()]), vt: Type.String() },
      [{ p: 'payload' }, { p: 'topic', vt: 'str' }],
    ),
    repeat: textOrNumber('Repeat (seconds)', ''),
    crontab: Type.String({ title: 'Schedule (cron)', default: '' }),
    once: Type.Union([Type.Boolean(), Type.Literal('true'), Type.Literal('false')], { title: 'Inject once after start', default: false }),
    onceDelay: textOrNumber('Delay before the first message (seconds)', 0.1),
    topic: Type.String({ title: 'Topic', default: '' }),
    payload: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Boolean()], { title: 'Payload', default: '' })),
    payloadType: Type.Optional(Type.String({ title: 'Payload type', default: 'date' })),
  }),
  check: injectProblems,
  help: coreHelp('Injects a message into a flow by hand or on a schedule.'),
});

/** The label of an unnamed debug node: "msg.payload", "msg", "JSONata", with ⇲ when it also logs to the console. */
export function debugLabel(node: Readonly<Record<string, unknown>>): string {
  const suffix = node['console'] === true || node['console'] === 'true' ? '\t⇲' : '';
  if (node['targetType'] === 'jsonata') return `JSONata${suffix}`;
  const complete = node['complete'];
  if (complete === true || complete === 'true') return `msg${suffix}`;
  return `msg.${!complete || complete === 'false' ? 'payload' : String(complete)}${suffix}`;
}

export const debug = defineNode({
  ...core,
  type: 'debug',
  label: 'debug',
  labelOf: debugLabel,
  category: 'common',
  color: '#87a980',
  icon: 'debug.svg',
  inputs: 1,
  outputs: 0,
  config: Type.Object({
    name: name('_DEFAULT_'),
    active: Type.Boolean({ title: 'Active', default: true }),
    tosidebar: Type.Boolean({ title: 'To debug window', default: true }),
    console: Type.Union([Type.Boolean(), Type.Literal('true'), Type.Literal('false')], { title: 'To system console', default: false }),
    tostatus: Type.Boolean({ title: 'To node status', default: false }),
    complete: Type.Union([Type.String({ minLength: 1 }), Type.Boolean()], {
      title: 'Output',
      description: '"false": msg.payload; "true": the whole message; else a msg property or JSONata expression',
      default: 'false',
    }),
    // Node-RED's default is undefined: a new node has none until its form is saved.
    targetType: Type.Optional(choice(['msg', 'full', 'jsonata'], { title: 'Output type' })),
    statusVal: Type.String({ title: 'Status value', default: '' }),
    statusType: choice(['auto', 'msg', 'jsonata', 'counter'], { title: 'Status type', default: 'auto' }),
  }),
  check(node) {
    const problems: PropertyProblem[] = [];
    const complete = node['complete'];
    if (node['targetType'] === 'jsonata') {
      const problem = typedValueProblem('jsonata', complete);
      if (problem) problems.push(problemAt('/complete', problemText('debug.jsonata', { detail: problem })));
    } else if (typeof complete === 'string' && complete !== 'true' && complete !== 'false') {
      const problem = typedValueProblem('msg', complete);
      if (problem) problems.push(problemAt('/complete', problem));
    }
    if (node['tostatus'] === true && (node['statusType'] === 'msg' || node['statusType'] === 'jsonata')) {
      const problem = typedValueProblem(node['statusType'], node['statusVal']);
      if (problem) problems.push(problemAt('/statusVal', problem));
    }
    return problems;
  },
  help: coreHelp('Shows messages in the debug sidebar, the log or the node status.'),
});

const lengthOf = (value: unknown) => (Array.isArray(value) ? value.length : 0);

export const complete = defineNode({
  ...core,
  type: 'complete',
  label: 'complete',
  labelOf: (node) => `complete: ${lengthOf(node['scope'])}`,
  category: 'common',
  color: '#c0edc0',
  icon: 'alert.svg',
  inputs: 0,
  outputs: 1,
  config: Type.Object({
    name: name(),
    scope: Type.Array(Type.String(), { title: 'Nodes', description: 'The nodes whose completion is reported', default: [], 'x-node-ref': '*' }),
    uncaught: Type.Boolean({ title: 'Uncaught', default: false }),
  }),
  check: (node) => (lengthOf(node['scope']) > 0 ? [] : [problemAt('/scope', problemText('complete.scope'))]),
  help: coreHelp('Sends a message when the selected nodes finish handling a message.'),
});

/** The label of an unnamed catch or status node: "catch: all", "catch: group", "catch: 2", "catch: uncaught". */
export function scopeLabel(kind: 'catch' | 'status', node: Readonly<Record<string, unknown>>): string {
  if (node['scope'] === 'group') return `${kind}: group`;
  if (Array.isArray(node['scope'])) return `${kind}: ${node['scope'].length}`;
  return kind === 'catch' && node['uncaught'] === true ? 'catch: uncaught' : `${kind}: all`;
}

export const catchNode = defineNode({
  ...core,
  type: 'catch',
  label: 'catch',
  labelOf: (node) => scopeLabel('catch', node),
  category: 'common',
  color: '#e49191',
  icon: 'alert.svg',
  inputs: 0,
  outputs: 1,
  config: Type.Object({
    name: name(),
    scope: scope(),
    uncaught: Type.Boolean({ title: 'Ignore errors handled by other Catch nodes', default: false }),
  }),
  help: coreHelp('Catches errors thrown by nodes in the same flow.'),
});

export const status = defineNode({
  ...core,
  type: 'status',
  label: 'status',
  labelOf: (node) => scopeLabel('status', node),
  category: 'common',
  color: '#94c1d0',
  icon: 'status.svg',
  inputs: 0,
  outputs: 1,
  config: Type.Object({ name: name(), scope: scope() }),
  help: coreHelp('Reports status changes of nodes in the same flow.'),
});

export const linkIn = defineNode({
  ...core,
  type: 'link in',
  label: 'link in',
  outputLabelsOf: (node) => [typeof node['name'] === 'string' && node['name'] !== '' && node['name'] !== '_DEFAULT_' ? node['name'] : 'link in'],
  category: 'common',
  color: '#ddd',
  icon: 'link-out.svg',
  inputs: 0,
  outputs: 1,
  config: Type.Object({
    name: name('_DEFAULT_'),
    links: Type.Array(Type.String(), { title: 'Linked link out nodes', default: [], 'x-node-ref': 'link out' }),
  }),
  help: coreHelp('Receives messages from link out nodes, across flows.'),
});

/** The label of an unnamed link call: "Dynamic", its target's name (else "link call"), or "none" without a target. */
export function linkCallLabel(
  node: Readonly<Record<string, unknown>>,
  nodeById: (id: string) => Readonly<Record<string, unknown>> | undefined = () => undefined,
): string {
  if (node['linkType'] === 'dynamic') return 'Dynamic';
  const target = Array.isArray(node['links']) ? node['links'][0] : node['links'];
  if (typeof target !== 'string' || target === '') return 'none';
  const name = nodeById(target)?.['name'];
  return typeof name === 'string' && name !== '' ? name : 'link call';
}

export const linkCall = defineNode({
  ...core,
  type: 'link call',
  label: 'link call',
  labelOf: linkCallLabel,
  category: 'common',
  color: '#ddd',
  icon: 'link-call.svg',
  inputs: 1,
  outputs: 1,
  config: Type.Object({
    name: name(),
    links: Type.Union([Type.Array(Type.String()), Type.String()], { title: 'Target link in node', default: [], 'x-node-ref': 'link in' }),
    linkType: choice(['static', 'dynamic'], { title: 'Link type', description: '"dynamic": the target is msg.target (a link in id or name)', default: 'static' }),
    timeout: textOrNumber('Timeout (seconds)', '30'),
  }),
  check(node) {
    const problems: PropertyProblem[] = [];
    if ((node['linkType'] ?? 'static') === 'static' && lengthOf(node['links']) === 0 && !(typeof node['links'] === 'string' && node['links'] !== '')) {
      problems.push(problemAt('/links', problemText('linkCall.target')));
    }
    if (!isNodeRedNumber(node['timeout'], true)) problems.push(problemAt('/timeout', problemText('linkCall.timeout')));
    return problems;
  },
  help: coreHelp('Calls the flow behind a link in node and waits for its link out (return) node to answer.'),
});

export const linkOut = defineNode({
  ...core,
  type: 'link out',
  label: 'link out',
  labelOf: (node) => (node['mode'] === 'return' ? 'link return' : 'link out'),
  category: 'common',
  color: '#ddd',
  icon: 'link-out.svg',
  iconOf: (node) => (node['mode'] === 'return' ? 'link-return.svg' : undefined),
  inputs: 1,
  outputs: 0,
  config: Type.Object({
    name: name('_DEFAULT_'),
    mode: choice(['link', 'return'], { title: 'Mode', description: '"return": answer the calling link call node', default: 'link' }),
    links: Type.Array(Type.String(), { title: 'Linked link in nodes', default: [], 'x-node-ref': 'link in' }),
  }),
  help: coreHelp('Sends messages to link in nodes, across flows, or returns them to a link call node.'),
});

export const comment = defineNode({
  ...core,
  type: 'comment',
  label: 'comment',
  category: 'common',
  color: '#ffffff',
  icon: 'comment.svg',
  inputs: 0,
  outputs: 0,
  config: Type.Object({ name: name(), info: Type.String({ title: 'Text', default: '' }) }),
  ui: { fields: { info: { widget: 'textarea' } } },
  help: coreHelp('A note on the canvas; its text is markdown shown in the info sidebar.'),
});

/** This category's nodes, in Node-RED's palette order. */
export const commonNodes: readonly AnyNodeDefinition[] = [inject, debug, complete, catchNode, status, linkIn, linkCall, linkOut, comment];
