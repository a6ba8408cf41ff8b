/** The core nodes of Node-RED's "common" palette category: inject, debug, catch, status, link in/out, comment. Browser-safe. */
import { Type } from '@sinclair/typebox';
import { choice, defineNode, type AnyNodeDefinition } from '../kit/define-node.ts';
import { core, coreHelp, listOf, name, numberText, scope, typedValueTypes } from './core-kit.def.ts';

export const inject = defineNode({
  ...core,
  type: 'inject',
  label: 'inject',
  category: 'common',
  color: '#a6bbcf',
  icon: 'inject.svg',
  inputs: 0,
  outputs: 1,
  config: Type.Object({
    name: name(),
    // Node-RED keeps msg.payload and msg.topic in these fields; `props` lists them (without values) and any others.
    payloadType: choice(typedValueTypes, { title: 'Payload type', default: 'date', description: 'date: the time of the inject, in ms' }),
    payload: Type.String({ title: 'Payload', default: '', description: 'msg.payload, read as the payload type' }),
    topic: Type.String({ title: 'Topic', default: '', description: 'msg.topic' }),
    props: listOf('Message properties', { p: Type.String(), v: Type.String(), vt: Type.String() }, [
      { p: 'payload' },
      { p: 'topic', vt: 'str' },
    ]),
    repeat: numberText('Repeat (seconds)', '', { description: 'Empty: no repeat' }),
    crontab: Type.String({ title: 'Schedule (cron)', default: '' }),
    once: Type.Boolean({ title: 'Inject once after start', default: false }),
    onceDelay: Type.Union([Type.Number(), Type.Literal('')], { title: 'Delay before first (seconds)', default: 0.1 }),
  }),
  help: coreHelp('Injects a message into a flow by hand or on a schedule.'),
});

export const debug = defineNode({
  ...core,
  type: 'debug',
  label: 'debug',
  category: 'common',
  color: '#87a980',
  icon: 'debug.svg',
  inputs: 1,
  outputs: 0,
  config: Type.Object({
    name: name('_DEFAULT_'),
    active: Type.Boolean({ title: 'Active', default: true }),
    tosidebar: Type.Boolean({ title: 'To debug window', default: true }),
    console: Type.Boolean({ title: 'To system console', default: false }),
    tostatus: Type.Boolean({ title: 'To node status', default: false }),
    complete: Type.String({
      title: 'Output',
      description: '"false": msg.payload; "true": the whole message; else a msg property or JSONata expression',
      default: 'false',
      minLength: 1,
    }),
    targetType: Type.Optional(choice(['msg', 'full', 'jsonata'], { title: 'Output type' })),
    statusVal: Type.String({ title: 'Status value', default: '' }),
    statusType: choice(['auto', 'msg', 'jsonata', 'counter'], { title: 'Status type', default: 'auto' }),
  }),
  help: coreHelp('Shows messages in the debug sidebar, the log or the node status.'),
});

export const catchNode = defineNode({
  ...core,
  type: 'catch',
  label: 'catch',
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

export const linkOut = defineNode({
  ...core,
  type: 'link out',
  label: 'link out',
  category: 'common',
  color: '#ddd',
  icon: 'link-out.svg',
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
export const commonNodes: readonly AnyNodeDefinition[] = [inject, debug, catchNode, status, linkIn, linkOut, comment];
