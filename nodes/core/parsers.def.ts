/** The core nodes of Node-RED's "parser" palette category: csv, html, json, xml, yaml. Browser-safe. */
import { Type } from '@sinclair/typebox';
import { choice, defineNode, type AnyNodeDefinition } from '../kit/define-node.ts';
import { typedPropertyProblems, type PropertyProblem } from '../kit/typed-values.ts';
import { problemAt, problemText } from '../kit/problem-text.ts';
import { core, coreHelp, name } from './core-kit.def.ts';
import { looseNumber, nameOr, textProp } from './seqparse-kit.def.ts';

const color = '#DEBD5C';

/** The `msg.` property a parser reads; Node-RED allows it to be missing (older flows: `payload`). */
const msgPropertyProblems = (node: Readonly<Record<string, unknown>>, ...props: string[]): PropertyProblem[] =>
  props.filter((p) => node[p] !== undefined).flatMap((p) => typedPropertyProblems(node, [[p, '', 'msg']]));

/** A checkbox Node-RED leaves `""` until it is ticked (its default), then stores as a boolean. */
const unsetFlag = (title: string) => Type.Union([Type.Boolean(), Type.Literal('')], { title, default: '' });

export const csv = defineNode({
  ...core,
  type: 'csv',
  label: 'csv',
  category: 'parser',
  color,
  icon: 'parser-csv.svg',
  inputs: 1,
  outputs: 1,
  labelOf: (node) => nameOr(node, 'csv'),
  config: Type.Object({
    name: name(),
    spec: Type.String({ title: 'Parser', description: '"rfc": RFC4180; "": legacy', default: 'rfc' }),
    sep: Type.String({ title: 'Separator', default: ',' }),
    hdrin: unsetFlag('first row contains column names'),
    hdrout: Type.Union([choice(['none', 'all', 'once']), Type.Boolean(), Type.Literal('')], { title: 'Output (object to CSV)', default: 'none' }),
    multi: choice(['one', 'mult'], { title: 'Output (CSV to object)', description: 'one: a message per row', default: 'one' }),
    ret: Type.String({ title: 'Newline', default: '\\r\\n' }),
    temp: Type.String({ title: 'Columns', default: '' }),
    skip: looseNumber('Skip first … lines', '0'),
    strings: Type.Boolean({ title: 'parse numerical values', default: true }),
    include_empty_strings: unsetFlag('include empty strings'),
    include_null_values: unsetFlag('include null values'),
  }),
  check(node) {
    // Node-RED's validator: a separator of one or two characters (`\t` is stored as the two characters).
    const sep = node['sep'];
    return typeof sep === 'string' && /^.{1,2}$/.test(sep) ? [] : [problemAt('/sep', problemText('csv.separator'))];
  },
  help: coreHelp('Converts between a CSV string and its object form.'),
});

export const html = defineNode({
  ...core,
  type: 'html',
  label: 'html',
  category: 'parser',
  color,
  icon: 'parser-html.svg',
  inputs: 1,
  outputs: 1,
  labelOf: (node) => nameOr(node, textProp(node, 'tag', '') || 'html'),
  config: Type.Object({
    name: name(),
    property: Type.String({ title: 'Property', default: 'payload' }),
    outproperty: Type.String({ title: 'Output property', default: 'payload' }),
    tag: Type.String({ title: 'Selector', default: '' }),
    ret: choice(['html', 'text', 'attr', 'compl'], { title: 'Output', default: 'html' }),
    as: choice(['single', 'multi'], { title: 'Output as', default: 'single' }),
    chr: Type.String({ title: 'Property name for HTML content', default: '_' }),
  }),
  check: (node) => msgPropertyProblems(node, 'property', 'outproperty'),
  help: coreHelp('Extracts elements from an HTML document with a CSS selector.'),
});

export const json = defineNode({
  ...core,
  type: 'json',
  label: 'json',
  category: 'parser',
  color,
  icon: 'parser-json.svg',
  inputs: 1,
  outputs: 1,
  labelOf: (node) => nameOr(node, 'json'),
  config: Type.Object({
    name: name(),
    property: Type.String({ title: 'Property', default: 'payload', minLength: 1 }),
    action: choice(['', 'str', 'obj'], { title: 'Action', description: '"": convert both ways', default: '' }),
    pretty: Type.Boolean({ title: 'Format JSON string', default: false }),
  }),
  check: (node) => msgPropertyProblems(node, 'property'),
  help: coreHelp('Converts between a JSON string and its object.'),
});

export const xml = defineNode({
  ...core,
  type: 'xml',
  label: 'xml',
  category: 'parser',
  color,
  icon: 'parser-xml.svg',
  inputs: 1,
  outputs: 1,
  labelOf: (node) => nameOr(node, 'xml'),
  config: Type.Object({
    name: name(),
    property: Type.String({ title: 'Property', default: 'payload', minLength: 1 }),
    attr: Type.String({ title: 'Property name for XML tag attributes', description: '"": $', default: '' }),
    chr: Type.String({ title: 'Property name for tag text content', description: '"": _', default: '' }),
  }),
  check: (node) => msgPropertyProblems(node, 'property'),
  help: coreHelp('Converts between an XML string and its object form.'),
});

export const yaml = defineNode({
  ...core,
  type: 'yaml',
  label: 'yaml',
  category: 'parser',
  color,
  icon: 'parser-yaml.svg',
  inputs: 1,
  outputs: 1,
  labelOf: (node) => nameOr(node, 'yaml'),
  config: Type.Object({
    property: Type.String({ title: 'Property', default: 'payload', minLength: 1 }),
    name: name(),
  }),
  check: (node) => msgPropertyProblems(node, 'property'),
  help: coreHelp('Converts between a YAML string and its object form.'),
});

/** This category's nodes, in Node-RED's palette order. */
export const parserNodes: readonly AnyNodeDefinition[] = [csv, html, json, xml, yaml];
