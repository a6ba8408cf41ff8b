/**
 * The sequence, parser and storage core definitions: Node-RED's labels, and checks that mark what Node-RED's editor
 * rejects while flows Node-RED itself writes (today's and older ones) import clean.
 */
import { describe, expect, it } from 'vitest';
import { checkFlowNodeConfig } from '../definitions.ts';
import { csv, html, json, xml, yaml } from './parsers.def.ts';
import { batch, join, sort, split } from './sequence.def.ts';
import { file, fileIn, watch } from './storage.def.ts';

const problemsOf = (node: Record<string, unknown>) =>
  checkFlowNodeConfig({ id: 'n1', ...node } as { id: string; type: string }).map((p) => ({ path: p.path, message: p.message }));

describe('labels as Node-RED draws them', () => {
  it('names win; otherwise the type, the selector, the files or the count', () => {
    expect(split.labelOf!({ name: '' })).toBe('split');
    expect(split.labelOf!({ name: 'pairs' })).toBe('pairs');
    expect(sort.labelOf!({})).toBe('sort');
    expect(csv.labelOf!({ name: '' })).toBe('csv');
    expect(json.labelOf!({})).toBe('json');
    expect(xml.labelOf!({})).toBe('xml');
    expect(yaml.labelOf!({ name: 'cfg' })).toBe('cfg');
    expect(html.labelOf!({ tag: 'li' })).toBe('li');
    expect(html.labelOf!({ tag: '' })).toBe('html');
    expect(watch.labelOf!({ files: '/var/log' })).toBe('/var/log');
    expect(watch.labelOf!({ files: '' })).toBe('watch');
  });

  it('join shows its count in manual mode, with + when it sends on every later message', () => {
    expect(join.labelOf!({ mode: 'auto', count: '3' })).toBe('join');
    expect(join.labelOf!({ mode: 'custom', count: '3', accumulate: false })).toBe('join 3');
    expect(join.labelOf!({ mode: 'custom', count: '3', accumulate: true })).toBe('join 3+');
    expect(join.labelOf!({ mode: 'custom', count: 'many' })).toBe('join');
  });

  it('batch shows its count or its interval', () => {
    expect(batch.labelOf!({ mode: 'count', count: 10 })).toBe('batch 10');
    expect(batch.labelOf!({ mode: 'interval', interval: '5' })).toBe('batch 5s');
    expect(batch.labelOf!({ mode: 'concat', name: 'merge' })).toBe('merge');
  });

  it('file nodes show the path, env.NAME, "delete …" or their palette label', () => {
    expect(file.labelOf!({ filename: '/tmp/a.txt', filenameType: 'str' })).toBe('/tmp/a.txt');
    expect(file.labelOf!({ filename: 'LOG', filenameType: 'env' })).toBe('env.LOG');
    expect(file.labelOf!({ filename: 'filename', filenameType: 'msg' })).toBe('write file');
    expect(file.labelOf!({ filename: '/tmp/a.txt', filenameType: 'str', overwriteFile: 'delete' })).toBe('delete /tmp/a.txt');
    expect(fileIn.labelOf!({ filename: '', filenameType: 'str' })).toBe('read file');
    expect(fileIn.labelOf!({ filename: '/etc/hosts' })).toBe('/etc/hosts');
    expect([file.paletteLabel, fileIn.paletteLabel]).toEqual(['write file', 'read file']);
  });

  it('read file labels its output by what it sends', () => {
    expect(['utf8', 'lines', '', 'stream'].map((format) => fileIn.outputLabelsOf!({ format })?.[0])).toEqual([
      'UTF8 string', 'UTF8 strings', 'binary buffer', 'binary buffers',
    ]);
  });
});

describe('flows Node-RED writes import clean', () => {
  const stock: Record<string, unknown>[] = [
    { type: 'split', name: '', splt: '\\n', spltType: 'str', arraySplt: 1, arraySpltType: 'len', stream: false, addname: '', property: 'payload' },
    { type: 'split', name: '', splt: '3', spltType: 'len', arraySplt: '2', arraySpltType: 'len', stream: true, addname: 'topic' },
    { type: 'split', splt: '[10]', spltType: 'bin', arraySplt: 1, arraySpltType: 'len', stream: false, addname: '' },
    {
      type: 'join', name: '', mode: 'auto', build: 'object', property: 'payload', propertyType: 'msg', key: 'topic', joiner: '\\n',
      joinerType: 'str', useparts: false, accumulate: 'false', timeout: '', count: '', reduceRight: false,
    },
    {
      type: 'join', name: '', mode: 'custom', build: 'object', property: '', propertyType: 'full', key: 'topic', joiner: '\\n', joinerType: 'str',
      useparts: true, accumulate: true, timeout: '5', count: '2', reduceRight: false, reduceExp: '', reduceInit: '', reduceInitType: '', reduceFixup: '',
    },
    {
      type: 'join', mode: 'reduce', build: 'array', property: 'payload', propertyType: 'msg', key: 'topic', joiner: '\\n', joinerType: 'str',
      accumulate: false, timeout: '', count: '', reduceRight: false, reduceExp: '$A+payload', reduceInit: '0', reduceInitType: 'num', reduceFixup: '$A/$N',
    },
    { type: 'sort', name: '', order: 'ascending', as_num: false, target: 'payload', targetType: 'msg', msgKey: 'payload', msgKeyType: 'elem', seqKey: 'payload', seqKeyType: 'msg' },
    { type: 'sort', name: '', order: 'descending', as_num: true, target: '', targetType: 'seq', msgKey: 'payload', msgKeyType: 'elem', seqKey: 'payload.t', seqKeyType: 'msg' },
    { type: 'batch', name: '', mode: 'count', count: 10, overlap: 0, interval: 10, allowEmptySequence: false, honourParts: false, topics: [{ topic: '' }] },
    { type: 'batch', name: '', mode: 'concat', count: '5', overlap: '1', interval: '2', allowEmptySequence: true, honourParts: true, topics: [{ topic: 'a' }, { topic: 'b' }] },
    {
      type: 'csv', name: '', spec: 'rfc', sep: ',', hdrin: '', hdrout: 'none', multi: 'one', ret: '\\r\\n', temp: '', skip: '0', strings: true,
      include_empty_strings: '', include_null_values: '',
    },
    { type: 'csv', name: '', sep: '\\t', hdrin: true, hdrout: false, multi: 'mult', ret: '\\n', temp: 'a,b', skip: 0, strings: false },
    { type: 'html', name: '', property: 'payload', outproperty: 'payload', tag: '', ret: 'html', as: 'single', chr: '_' },
    { type: 'html', name: '', tag: 'h1', ret: 'compl', as: 'multi' },
    { type: 'json', name: '', property: 'payload', action: '', pretty: false },
    { type: 'xml', name: '', property: 'payload', attr: '', chr: '' },
    { type: 'yaml', property: 'payload', name: '' },
    { type: 'file', name: '', filename: '/tmp/out.txt', filenameType: 'str', appendNewline: true, createDir: false, overwriteFile: 'false', encoding: 'none' },
    { type: 'file', name: '', filename: '', appendNewline: true, createDir: false, overwriteFile: 'true' },
    { type: 'file', name: '', filename: 'LOG_FILE', filenameType: 'env', appendNewline: false, createDir: true, overwriteFile: 'delete', encoding: 'setbymsg' },
    { type: 'file in', name: '', filename: 'filename', filenameType: 'msg', format: 'utf8', chunk: false, sendError: false, encoding: 'none', allProps: false },
    { type: 'file in', name: '', filename: '/etc/hosts', format: 'lines', chunk: false, sendError: false },
    { type: 'watch', name: '', files: '/tmp/a,/tmp/b', recursive: '' },
    { type: 'watch', name: '', files: '/var/log', recursive: true },
  ];

  it.each(stock.map((node) => [`${node['type'] as string} ${JSON.stringify(node).slice(0, 60)}`, node]))('%s', (_title, node) => {
    expect(problemsOf(node)).toEqual([]);
  });
});

describe('checks mark what Node-RED rejects', () => {
  it('split: a fixed length that is not a whole number, a bad buffer, a bad key property', () => {
    expect(problemsOf({ type: 'split', splt: 'x', spltType: 'len', arraySplt: '1.5', addname: 'a..b', property: 'payload' }).map((p) => p.path))
      .toEqual(['/splt', '/arraySplt', '/addname']);
    expect(problemsOf({ type: 'split', splt: '[300]', spltType: 'bin', arraySplt: 1, property: 'payload' }).map((p) => p.path)).toEqual(['/splt']);
  });

  it('join: a bad key in manual object mode, a count that is no number, a bad initial value', () => {
    expect(problemsOf({ type: 'join', mode: 'custom', build: 'object', key: '', property: 'payload', propertyType: 'msg', count: 'x' }).map((p) => p.path))
      .toEqual(['/key', '/count']);
    expect(problemsOf({ type: 'join', mode: 'reduce', reduceExp: '$A', reduceInit: 'abc', reduceInitType: 'num' }).map((p) => p.path)).toEqual(['/reduceInit']);
    // The key only matters when the join builds an object.
    expect(problemsOf({ type: 'join', mode: 'custom', build: 'array', key: '', property: 'payload', propertyType: 'msg' })).toEqual([]);
  });

  it('batch: a count below 1, a negative overlap, an interval that is no number', () => {
    expect(problemsOf({ type: 'batch', mode: 'count', count: '0', overlap: '-1', interval: 'x', topics: [] }).map((p) => p.message))
      .toEqual(['Invalid count', 'Invalid overlap', 'Invalid interval']);
  });

  it('csv: a separator of more than two characters; sort: a bad key expression; file: an env type with no name', () => {
    expect(problemsOf({ type: 'csv', sep: ';;;' }).map((p) => p.path)).toEqual(['/sep']);
    expect(problemsOf({ type: 'sort', targetType: 'seq', seqKey: '', seqKeyType: 'jsonata' }).map((p) => p.path)).toEqual(['/seqKey']);
    expect(problemsOf({ type: 'file', filename: '', filenameType: 'env' }).map((p) => p.path)).toEqual(['/filename']);
  });

  it('watch: files are required', () => {
    expect(problemsOf({ type: 'watch', files: ' ' }).map((p) => p.path)).toEqual(['/files']);
  });

  it('source and sink ports: watch has no input', () => {
    expect([watch.inputs, watch.outputs, file.inputs, fileIn.inputs]).toEqual([0, 1, 1, 1]);
  });
});

describe('odd input never throws', () => {
  const odd: unknown[] = [null, 0, 7, true, [], {}, [1, 2], { a: 1 }, '', '${X}', 'x'.repeat(10_000)];
  const definitions = [split, join, sort, batch, csv, html, json, xml, yaml, file, fileIn, watch];

  it.each(definitions.map((d) => [d.type, d]))('%s: labels and checks take any property values', (_type, definition) => {
    for (const value of odd) {
      const node = Object.fromEntries(Object.keys(definition.config.properties).map((k) => [k, value]));
      expect(typeof definition.labelOf!(node)).toBe('string');
      expect(Array.isArray(definition.check!(node))).toBe(true);
      expect(() => problemsOf({ type: definition.type, ...node })).not.toThrow();
    }
  });
});

describe('a node fresh from the palette', () => {
  const definitions = [split, join, sort, batch, csv, html, json, xml, yaml, file, fileIn, watch];

  it('is clean with its defaults, except a watch, which must name what it watches (as in Node-RED)', () => {
    const flagged = definitions.filter((definition) => {
      const defaults = Object.entries(definition.config.properties as Record<string, { default?: unknown }>)
        .filter(([, schema]) => 'default' in schema)
        .map(([key, schema]) => [key, schema.default]);
      return problemsOf({ type: definition.type, ...Object.fromEntries(defaults) }).length > 0;
    });
    expect(flagged.map((d) => d.type)).toEqual(['watch']);
  });
});
