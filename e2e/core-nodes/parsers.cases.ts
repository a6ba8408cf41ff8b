/** The browser test cases of Node-RED's "parser" core nodes (see `../core-node-check.ts`). */
import { expect } from 'vitest';
import type { CoreNodeCase } from '../core-node-check.ts';

export const cases: CoreNodeCase[] = [
  {
    name: 'csv-semicolon-rows',
    type: 'csv',
    async fill(form) {
      await form.getByLabel('Separator', { exact: true }).selectOption({ label: 'semicolon' });
      await form.getByLabel('first row contains column names').check();
      await form.getByLabel('Output', { exact: true }).first().selectOption({ label: 'a single message [array]' });
    },
    run: {
      input: { payload: 'a;b\n1;2\n3;4' },
      expect([out]) {
        expect(out?.map((m) => m['payload'])).toEqual([[{ a: 1, b: 2 }, { a: 3, b: 4 }]]);
      },
    },
  },
  {
    name: 'csv-object-to-csv',
    type: 'csv',
    async fill(form) {
      await form.getByLabel('Columns').fill('t,h');
      await form.getByLabel('Output', { exact: true }).nth(1).selectOption({ label: 'always send column headers' });
      await form.getByLabel('Newline').selectOption({ label: 'Linux (\\n)' });
    },
    run: {
      input: { payload: { t: 21, h: 40 } },
      expect([out]) {
        expect(out?.map((m) => m['payload'])).toEqual(['t,h\n21,40\n']);
      },
    },
  },
  {
    name: 'html-list-text',
    type: 'html',
    async fill(form) {
      await form.getByLabel('Selector').fill('li');
      await form.getByLabel('Output', { exact: true }).selectOption({ label: 'only the text content of the elements' });
    },
    run: {
      input: { payload: '<ul><li>one</li><li>two</li></ul>' },
      expect([out]) {
        expect(out?.map((m) => m['payload'])).toEqual([['one', 'two']]);
      },
    },
  },
  {
    name: 'json-to-object',
    type: 'json',
    async fill(form) {
      await form.getByLabel('Action', { exact: true }).selectOption({ label: 'Always convert to JavaScript Object' });
      await form.getByLabel('Property', { exact: true }).fill('body');
      await form.getByLabel('Name').fill('parse body');
    },
    run: {
      input: { body: '{"temperature":21.5}' },
      expect([out]) {
        expect(out?.[0]?.['body']).toEqual({ temperature: 21.5 });
      },
    },
  },
  {
    name: 'json-to-pretty-string',
    type: 'json',
    async fill(form) {
      await form.getByLabel('Action', { exact: true }).selectOption({ label: 'Always convert to JSON String' });
      await form.getByLabel('Format JSON string').check();
    },
    run: {
      input: { payload: { a: 1 } },
      expect([out]) {
        expect(out?.map((m) => m['payload'])).toEqual(['{\n    "a": 1\n}']);
      },
    },
  },
  {
    name: 'xml-attributes',
    type: 'xml',
    async fill(form) {
      await form.getByLabel('Property name for XML tag attributes').fill('attrs');
    },
    run: {
      input: { payload: '<note id="1">hi</note>' },
      expect([out]) {
        expect(out?.map((m) => m['payload'])).toEqual([{ note: { attrs: { id: '1' }, _: 'hi' } }]);
      },
    },
  },
  {
    name: 'yaml-to-object',
    type: 'yaml',
    async fill(form) {
      await form.getByLabel('Name').fill('parse yaml');
    },
    run: {
      input: { payload: 'a: 1\nb: [x, y]\n' },
      expect([out]) {
        expect(out?.map((m) => m['payload'])).toEqual([{ a: 1, b: ['x', 'y'] }]);
      },
    },
  },
];
