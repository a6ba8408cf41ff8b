/** The core nodes of Node-RED's "sequence" palette category: split, join, sort, batch. Browser-safe. */
import { Type } from '@sinclair/typebox';
import { choice, defineNode, type AnyNodeDefinition } from '../kit/define-node.ts';
import { typedPropertyProblems, typedValueProblem, type PropertyProblem } from '../kit/typed-values.ts';
import { problemAt, problemText } from '../kit/problem-text.ts';
import { core, coreHelp, flag, listOf, name } from './core-kit.def.ts';
import { countProblem, looseNumber, nameOr, textProp } from './seqparse-kit.def.ts';

const color = '#E2D96E';

export const split = defineNode({
  ...core,
  type: 'split',
  label: 'split',
  category: 'sequence',
  color,
  icon: 'split.svg',
  inputs: 1,
  outputs: 1,
  labelOf: (node) => nameOr(node, 'split'),
  config: Type.Object({
    name: name(),
    splt: Type.String({ title: 'Split using (string / buffer)', default: '\\n' }),
    spltType: choice(['str', 'bin', 'len'], { title: 'Split using type', default: 'str' }),
    arraySplt: looseNumber('Split using (array): fixed length of', 1),
    arraySpltType: Type.Literal('len', { title: 'Array split type', default: 'len' }),
    stream: Type.Boolean({ title: 'Handle as a stream of messages', default: false }),
    addname: Type.String({ title: 'Copy key to', description: '"": do not copy the key', default: '' }),
    property: Type.String({ title: 'Split property', default: 'payload' }),
  }),
  check(node) {
    const problems: PropertyProblem[] = [];
    const type = textProp(node, 'spltType', 'str');
    if (type === 'len' && !/^\d+$/.test(textProp(node, 'splt', ''))) {
      problems.push(problemAt('/splt', problemText('split.length')));
    } else if (type === 'bin') {
      problems.push(...typedPropertyProblems(node, [['splt', 'spltType']]));
    }
    if (!/^\d+$/.test(textProp(node, 'arraySplt', '1'))) problems.push(problemAt('/arraySplt', problemText('split.length')));
    const addname = textProp(node, 'addname', '');
    if (addname !== '') problems.push(...typedPropertyProblems(node, [['addname', '', 'msg']]));
    if (node['property'] !== undefined) problems.push(...typedPropertyProblems(node, [['property', '', 'msg']]));
    return problems;
  },
  help: coreHelp('Splits a message into a sequence of messages: a string or buffer by a separator or length, an array by length, an object by key.'),
});

export const join = defineNode({
  ...core,
  type: 'join',
  label: 'join',
  category: 'sequence',
  color,
  icon: 'join.svg',
  inputs: 1,
  outputs: 1,
  labelOf(node) {
    let label = nameOr(node, 'join');
    if (node['mode'] === 'custom' && !Number.isNaN(Number(node['count']))) {
      label += ` ${textProp(node, 'count', '')}`;
      if (node['accumulate'] === true) label += '+';
    }
    return label;
  },
  config: Type.Object({
    name: name(),
    mode: choice(['auto', 'custom', 'reduce'], { title: 'Mode', description: 'auto: automatic; custom: manual', default: 'auto' }),
    build: choice(['object', 'string', 'buffer', 'array', 'merged'], { title: 'to create', default: 'object' }),
    property: Type.String({ title: 'Combine each', default: 'payload' }),
    propertyType: choice(['msg', 'full'], { title: 'Combine each: type', default: 'msg' }),
    key: Type.String({ title: 'using the value of … as the key', default: 'topic' }),
    joiner: Type.String({ title: 'joined using', default: '\\n' }),
    joinerType: choice(['str', 'bin'], { title: 'joined using: type', default: 'str' }),
    useparts: Type.Boolean({ title: 'Use existing msg.parts property', default: false }),
    accumulate: flag('and every subsequent message', 'false'),
    timeout: looseNumber('After a timeout following the first message (seconds)', ''),
    count: looseNumber('After a number of message parts', ''),
    reduceRight: Type.Boolean({ title: 'Evaluate in reverse order (last to first)', default: false }),
    reduceExp: Type.Optional(Type.String({ title: 'Reduce exp' })),
    reduceInit: Type.Optional(Type.String({ title: 'Initial value' })),
    reduceInitType: Type.Optional(Type.String({ title: 'Initial value: type' })),
    reduceFixup: Type.Optional(Type.String({ title: 'Fix-up exp' })),
  }),
  check(node) {
    const problems: PropertyProblem[] = [];
    const mode = textProp(node, 'mode', 'auto');
    if (mode === 'custom') {
      const propertyType = textProp(node, 'propertyType', 'msg');
      if (propertyType === 'msg') problems.push(...typedPropertyProblems(node, [['property', 'propertyType', 'msg']]));
      const build = textProp(node, 'build', 'object');
      if (build === 'object') problems.push(...typedPropertyProblems(node, [['key', '', 'msg']]));
      if (build === 'string' || build === 'buffer') problems.push(...typedPropertyProblems(node, [['joiner', 'joinerType', 'str']]));
      problems.push(...countProblem(node, 'count', 0), ...countProblem(node, 'timeout', 0));
    } else if (mode === 'reduce') {
      for (const prop of ['reduceExp', 'reduceFixup'] as const) {
        const text = textProp(node, prop, '');
        if (text !== '') {
          const problem = typedValueProblem('jsonata', text);
          if (problem) problems.push(problemAt(`/${prop}`, problem));
        }
      }
      const initType = textProp(node, 'reduceInitType', '');
      if (initType !== '') problems.push(...typedPropertyProblems(node, [['reduceInit', 'reduceInitType']]));
    }
    return problems;
  },
  help: coreHelp('Joins a sequence of messages into one: automatically after a split, manually into a string, buffer, array or object, or by reducing it with an expression.'),
});

export const sort = defineNode({
  ...core,
  type: 'sort',
  label: 'sort',
  category: 'sequence',
  color,
  icon: 'sort.svg',
  inputs: 1,
  outputs: 1,
  labelOf: (node) => nameOr(node, 'sort'),
  config: Type.Object({
    name: name(),
    order: choice(['ascending', 'descending'], { title: 'Order', default: 'ascending' }),
    as_num: Type.Boolean({ title: 'as number', default: false }),
    target: Type.String({ title: 'Sort', default: 'payload' }),
    targetType: choice(['msg', 'seq'], { title: 'Sort: type', description: 'seq: the message sequence', default: 'msg' }),
    msgKey: Type.String({ title: 'Key (a property)', default: 'payload' }),
    msgKeyType: choice(['elem', 'jsonata'], { title: 'Key: type', description: 'elem: the element value', default: 'elem' }),
    seqKey: Type.String({ title: 'Key (a sequence)', default: 'payload' }),
    seqKeyType: choice(['msg', 'jsonata'], { title: 'Key: type', default: 'msg' }),
  }),
  check(node) {
    const problems: PropertyProblem[] = [];
    if (textProp(node, 'targetType', 'msg') === 'seq') {
      problems.push(...typedPropertyProblems(node, [['seqKey', 'seqKeyType', 'msg']]));
    } else {
      problems.push(...typedPropertyProblems(node, [['target', '', 'msg']]));
      if (textProp(node, 'msgKeyType', 'elem') === 'jsonata') problems.push(...typedPropertyProblems(node, [['msgKey', 'msgKeyType']]));
    }
    return problems;
  },
  help: coreHelp('Sorts an array property of a message, or a sequence of messages.'),
});

export const batch = defineNode({
  ...core,
  type: 'batch',
  label: 'batch',
  category: 'sequence',
  color,
  icon: 'batch.svg',
  inputs: 1,
  outputs: 1,
  labelOf(node) {
    let label = nameOr(node, 'batch');
    if (node['mode'] === 'count' && !Number.isNaN(Number(node['count']))) label += ` ${textProp(node, 'count', '')}`;
    if (node['mode'] === 'interval' && !Number.isNaN(Number(node['interval']))) label += ` ${textProp(node, 'interval', '')}s`;
    return label;
  },
  config: Type.Object({
    name: name(),
    mode: choice(['count', 'interval', 'concat'], { title: 'Mode', default: 'count' }),
    count: looseNumber('Number of messages', 10),
    overlap: looseNumber('Overlap', 0),
    interval: looseNumber('Interval (seconds)', 10),
    allowEmptySequence: Type.Boolean({ title: 'send empty message when no message arrives', default: false }),
    honourParts: Type.Boolean({ title: 'Allow msg.parts to also complete batch operation.', default: false }),
    topics: listOf('Topics', { topic: Type.String() }, [{ topic: '' }]),
  }),
  check(node) {
    // Node-RED validates the three numbers whatever the mode.
    const bad = (prop: 'count' | 'overlap' | 'interval', min: number): PropertyProblem[] => {
      const value = node[prop];
      const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      return Number.isFinite(number) && number >= min ? [] : [problemAt(`/${prop}`, problemText(`batch.${prop}`))];
    };
    return [...bad('count', 1), ...bad('overlap', 0), ...bad('interval', 1)];
  },
  help: coreHelp('Groups messages into sequences: by count (with overlap), by time interval, or by concatenating sequences by topic.'),
});

/** This category's nodes, in Node-RED's palette order. */
export const sequenceNodes: readonly AnyNodeDefinition[] = [split, join, sort, batch];
