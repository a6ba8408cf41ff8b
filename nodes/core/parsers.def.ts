/** The core nodes of Node-RED's "parser" palette category: json. Browser-safe. */
import { Type } from '@sinclair/typebox';
import { choice, defineNode, type AnyNodeDefinition } from '../kit/define-node.ts';
import { core, coreHelp, name } from './core-kit.def.ts';

export const json = defineNode({
  ...core,
  type: 'json',
  label: 'json',
  category: 'parser',
  color: '#DEBD5C',
  icon: 'parser-json.svg',
  inputs: 1,
  outputs: 1,
  config: Type.Object({
    name: name(),
    property: Type.String({ title: 'Property', default: 'payload', minLength: 1 }),
    action: choice(['', 'str', 'obj'], { title: 'Action', description: '"": convert both ways', default: '' }),
    pretty: Type.Boolean({ title: 'Format JSON string', default: false }),
  }),
  help: coreHelp('Converts between a JSON string and its object.'),
});

/** This category's nodes, in Node-RED's palette order. */
export const parserNodes: readonly AnyNodeDefinition[] = [json];
