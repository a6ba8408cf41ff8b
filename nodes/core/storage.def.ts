/**
 * The core nodes of Node-RED's "storage" palette category: write file, read file, watch. They touch the host's files,
 * so Thingwire installs them only with `--host-nodes` and only admins deploy them. Browser-safe.
 */
import { Type } from '@sinclair/typebox';
import { choice, defineNode, type AnyNodeDefinition } from '../kit/define-node.ts';
import { typedPropertyProblems, type PropertyProblem } from '../kit/typed-values.ts';
import { problemAt, problemText } from '../kit/problem-text.ts';
import { core, coreHelp, name } from './core-kit.def.ts';
import { nameOr, textProp } from './seqparse-kit.def.ts';

/** Node-RED's "BurlyWood". */
const color = '#DEB887';

/** The file name a file node's label shows: a path or `env.NAME`; nothing for a name taken from the message. */
function fileLabel(node: Readonly<Record<string, unknown>>): string {
  const type = node['filenameType'];
  const filename = textProp(node, 'filename', '');
  if (type === 'env') return `env.${filename}`;
  return type === 'str' || type === undefined ? filename : '';
}

/** Node-RED's filename typedInput: a path, a msg property, an expression or an environment variable. */
const filenameTypes = ['str', 'msg', 'jsonata', 'env'] as const;

function filenameProblems(node: Readonly<Record<string, unknown>>): PropertyProblem[] {
  // A node saved before `filenameType` existed takes its name from msg.filename when the name is empty.
  if (node['filenameType'] === undefined) return [];
  return typedPropertyProblems(node, [['filename', 'filenameType']]);
}

/** The encodings Node-RED's file nodes offer, by group (the first group's title is "Native"). */
export const fileEncodings: readonly { group: string; encodings: readonly string[] }[] = [
  { group: 'Native', encodings: ['utf8', 'ucs2', 'utf-16le', 'ascii', 'binary', 'base64', 'hex'] },
  { group: 'Unicode', encodings: ['utf-16be'] },
  { group: 'Japanese', encodings: ['Shift_JIS', 'Windows-31j', 'Windows932', 'EUC-JP'] },
  { group: 'Chinese', encodings: ['GB2312', 'GBK', 'GB18030', 'Windows936', 'EUC-CN'] },
  { group: 'Korean', encodings: ['KS_C_5601', 'Windows949', 'EUC-KR'] },
  { group: 'Taiwan/Hong Kong', encodings: ['Big5', 'Big5-HKSCS', 'Windows950'] },
  { group: 'Windows codepages', encodings: ['cp874', 'cp1250', 'cp1251', 'cp1252', 'cp1253', 'cp1254', 'cp1255', 'cp1256', 'cp1257', 'cp1258'] },
  {
    group: 'ISO codepages',
    encodings: Array.from({ length: 16 }, (_, i) => `ISO-8859-${i + 1}`),
  },
  {
    group: 'IBM codepages',
    encodings: ['cp437', 'cp737', 'cp775', 'cp808', 'cp850', 'cp852', 'cp855', 'cp856', 'cp857', 'cp858', 'cp860', 'cp861', 'cp866', 'cp869', 'cp922', 'cp1046', 'cp1124', 'cp1125', 'cp1129', 'cp1133', 'cp1161', 'cp1162', 'cp1163'],
  },
  { group: 'Mac codepages', encodings: ['maccroatian', 'maccyrillic', 'macgreek', 'maciceland', 'macroman', 'macromania', 'macthai', 'macturkish', 'macukraine', 'maccenteuro', 'macintosh'] },
  { group: 'KOI8 codepages', encodings: ['koi8-r', 'koi8-u', 'koi8-ru', 'koi8-t'] },
  { group: 'Miscellaneous', encodings: ['armscii8', 'rk1048', 'tcvn', 'georgianacademy', 'georgianps', 'pt154', 'viscii', 'iso646cn', 'iso646jp', 'hproman8', 'tis620'] },
];

export const file = defineNode({
  ...core,
  type: 'file',
  label: 'write file',
  paletteLabel: 'write file',
  category: 'storage',
  color,
  icon: 'file-out.svg',
  inputs: 1,
  outputs: 1,
  labelOf(node) {
    const fn = fileLabel(node);
    if (node['overwriteFile'] === 'delete') return nameOr(node, `delete ${fn}`);
    return nameOr(node, fn || 'write file');
  },
  config: Type.Object({
    name: name(),
    filename: Type.String({ title: 'Filename', default: '' }),
    filenameType: choice(filenameTypes, { title: 'Filename: type', default: 'str' }),
    appendNewline: Type.Boolean({ title: 'Add newline (\\n) to each payload?', default: true }),
    createDir: Type.Boolean({ title: "Create directory if it doesn't exist?", default: false }),
    overwriteFile: Type.Union([choice(['false', 'true', 'delete']), Type.Boolean()], { title: 'Action', description: '"false": append; "true": overwrite', default: 'false' }),
    encoding: Type.String({ title: 'Encoding', default: 'none' }),
  }),
  check: filenameProblems,
  help: coreHelp('Writes, appends to or deletes a file on the server.'),
});

export const fileIn = defineNode({
  ...core,
  type: 'file in',
  label: 'read file',
  paletteLabel: 'read file',
  category: 'storage',
  color,
  icon: 'file-in.svg',
  inputs: 1,
  outputs: 1,
  labelOf: (node) => nameOr(node, fileLabel(node) || 'read file'),
  outputLabelsOf: (node) => [
    node['format'] === 'utf8' ? 'UTF8 string' : node['format'] === 'lines' ? 'UTF8 strings' : node['format'] === 'stream' ? 'binary buffers' : 'binary buffer',
  ],
  config: Type.Object({
    name: name(),
    filename: Type.String({ title: 'Filename', default: '' }),
    filenameType: choice(filenameTypes, { title: 'Filename: type', default: 'str' }),
    format: choice(['utf8', 'lines', '', 'stream'], { title: 'Output', description: '"": a single Buffer object', default: 'utf8' }),
    chunk: Type.Boolean({ title: 'Break into chunks (legacy, not in the form)', default: false }),
    sendError: Type.Boolean({ title: 'Send message on error (legacy mode, not in the form)', default: false }),
    encoding: Type.String({ title: 'Encoding', default: 'none' }),
    allProps: Type.Boolean({ title: 'include all existing properties in each msg', default: false }),
  }),
  check: filenameProblems,
  help: coreHelp('Reads a file on the server: as one string or buffer, a message per line, or a stream of buffers.'),
});

export const watch = defineNode({
  ...core,
  type: 'watch',
  label: 'watch',
  category: 'storage',
  color,
  icon: 'watch.svg',
  inputs: 0,
  outputs: 1,
  labelOf: (node) => nameOr(node, textProp(node, 'files', '') || 'watch'),
  config: Type.Object({
    name: name(),
    files: Type.String({ title: 'File(s)', description: 'Comma-separated list of files and/or directories', default: '' }),
    recursive: Type.Union([Type.Boolean(), Type.Literal('')], { title: 'Watch sub-directories recursively', default: '' }),
  }),
  check: (node) => (textProp(node, 'files', '').trim() === '' ? [problemAt('/files', problemText('watch.files'))] : []),
  help: coreHelp('Sends a message when a watched file or directory changes.'),
});

/** This category's nodes, in Node-RED's palette order. */
export const storageNodes: readonly AnyNodeDefinition[] = [file, fileIn, watch];
