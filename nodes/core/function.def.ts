/** The core nodes of Node-RED's "function" palette category: function, change, switch, delay, trigger, template. Browser-safe. */
import { Type } from '@sinclair/typebox';
import { choice, defineNode, type AnyNodeDefinition } from '../kit/define-node.ts';
import { core, coreHelp, flag, listOf, name, numberText } from './core-kit.def.ts';

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
    outputs: Type.Integer({ title: 'Outputs', default: 1, minimum: 0 }),
    timeout: Type.Union([Type.Number({ minimum: 0 }), Type.Literal('')], { title: 'Timeout (seconds)', default: 0 }),
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
  help: coreHelp('Runs JavaScript against each message.'),
});

export const change = defineNode({
  ...core,
  type: 'change',
  label: 'change',
  category: 'function',
  color: '#E2D96E',
  icon: 'swap.svg',
  inputs: 1,
  outputs: 1,
  config: Type.Object({
    name: name(),
    rules: listOf(
      'Rules',
      {
        t: choice(['set', 'change', 'delete', 'move']),
        p: Type.String(),
        pt: Type.String(),
        to: Type.String(),
        tot: Type.String(),
        from: Type.String(),
        fromt: Type.String(),
        dc: Type.Boolean(),
      },
      [{ t: 'set', p: 'payload', pt: 'msg', to: '', tot: 'str' }],
    ),
    action: Type.String({ title: 'Action (legacy)', default: '' }),
    property: Type.String({ title: 'Property (legacy)', default: '' }),
    from: Type.String({ title: 'From (legacy)', default: '' }),
    to: Type.String({ title: 'To (legacy)', default: '' }),
    reg: Type.Boolean({ title: 'Regular expression (legacy)', default: false }),
  }),
  help: coreHelp('Sets, changes, moves or deletes message, flow and global properties.'),
});

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
    property: Type.String({ title: 'Property', default: 'payload', minLength: 1 }),
    propertyType: choice(['msg', 'flow', 'global', 'jsonata', 'env'], { title: 'Property type', default: 'msg' }),
    rules: listOf(
      'Rules',
      { t: Type.String(), v: Type.String(), vt: Type.String(), v2: Type.String(), v2t: Type.String(), case: Type.Boolean() },
      [{ t: 'eq', v: '', vt: 'str' }],
    ),
    checkall: choice(['true', 'false'], { title: 'Matching', description: '"true": all rules; "false": the first', default: 'true' }),
    repair: Type.Boolean({ title: 'Recreate message sequences', default: false }),
    outputs: Type.Integer({ title: 'Outputs', default: 1, minimum: 0 }),
  }),
  help: coreHelp('Routes each message to the outputs whose rule matches.'),
});

const timeUnits = ['milliseconds', 'seconds', 'minutes', 'hours', 'days'] as const;

export const delay = defineNode({
  ...core,
  type: 'delay',
  label: 'delay',
  category: 'function',
  color: '#E6E0F8',
  icon: 'timer.svg',
  inputs: 1,
  outputs: 1,
  config: Type.Object({
    name: name(),
    pauseType: choice(['delay', 'delayv', 'random', 'rate', 'queue', 'timed'], { title: 'Action', default: 'delay' }),
    timeout: numberText('Delay', '5', { minLength: 1 }),
    timeoutUnits: choice(timeUnits, { title: 'Delay units', default: 'seconds' }),
    rate: numberText('Rate', '1', { minLength: 1 }),
    nbRateUnits: Type.Optional(numberText('Per', '1')),
    rateUnits: choice(['second', 'minute', 'hour', 'day'], { title: 'Rate units', default: 'second' }),
    randomFirst: numberText('Random from', '1', { minLength: 1 }),
    randomLast: numberText('Random to', '5', { minLength: 1 }),
    randomUnits: choice(timeUnits, { title: 'Random units', default: 'seconds' }),
    drop: Type.Boolean({ title: 'Drop intermediate messages', default: false }),
    allowrate: Type.Boolean({ title: 'Allow msg.rate to override', default: false }),
    outputs: Type.Integer({ title: 'Outputs', default: 1, minimum: 1, maximum: 2 }),
  }),
  help: coreHelp('Delays messages or limits their rate.'),
});

const triggerValueTypes = ['val', 'str', 'num', 'bool', 'json', 'bin', 'date', 'env', 'flow', 'global', 'pay', 'nul'] as const;

export const trigger = defineNode({
  ...core,
  type: 'trigger',
  label: 'trigger',
  category: 'function',
  color: '#E6E0F8',
  icon: 'trigger.svg',
  inputs: 1,
  outputs: 1,
  config: Type.Object({
    name: name(),
    op1: Type.String({ title: 'Send', default: '1' }),
    op2: Type.String({ title: 'Then send', default: '0' }),
    op1type: choice(triggerValueTypes, { title: 'Send type', default: 'val' }),
    op2type: choice([...triggerValueTypes, 'payl'], { title: 'Then send type', default: 'val' }),
    duration: numberText('Duration', '250', { minLength: 1 }),
    extend: flag('Extend delay on new message', 'false'),
    overrideDelay: flag('Override delay with msg.delay', 'false'),
    units: choice(['ms', 's', 'min', 'hr'], { title: 'Units', default: 'ms' }),
    reset: Type.String({ title: 'Reset if msg.payload equals', default: '' }),
    bytopic: choice(['all', 'topic'], { title: 'Handling', default: 'all' }),
    topic: Type.String({ title: 'Topic property', default: 'topic', minLength: 1 }),
    outputs: Type.Integer({ title: 'Outputs', default: 1, minimum: 1, maximum: 2 }),
  }),
  help: coreHelp('Sends a message, then optionally a second one after a delay unless reset.'),
});

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
    format: choice(['handlebars', 'html', 'json', 'javascript', 'css', 'markdown', 'php', 'python', 'sql', 'yaml', 'text'], {
      title: 'Syntax highlight',
      default: 'handlebars',
    }),
    syntax: choice(['mustache', 'plain'], { title: 'Format', default: 'mustache' }),
    template: Type.String({ title: 'Template', default: 'This is the payload: {{payload}} !' }),
    output: choice(['str', 'json', 'yaml'], { title: 'Output as', default: 'str' }),
  }),
  ui: { fields: { template: { widget: 'code', language: 'handlebars' } } },
  help: coreHelp('Sets a property from a mustache template.'),
});

/** This category's nodes, in Node-RED's palette order. */
export const functionNodes: readonly AnyNodeDefinition[] = [functionNode, switchNode, change, template, delay, trigger];
