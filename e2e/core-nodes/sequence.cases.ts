/** The browser test cases of Node-RED's "sequence" core nodes (see `../core-node-check.ts`). */
import { expect } from 'vitest';
import type { CoreNodeCase } from '../core-node-check.ts';

export const cases: CoreNodeCase[] = [
  {
    name: 'split-array-in-pairs',
    type: 'split',
    async fill(form) {
      await form.getByLabel('Name').fill('pairs');
      // The second "Split using" is the array one.
      await form.getByLabel('Split using', { exact: true }).nth(1).fill('2');
    },
    run: {
      input: { payload: [1, 2, 3, 4] },
      expect([out]) {
        expect(out?.map((m) => m['payload'])).toEqual([[1, 2], [3, 4]]);
        expect(out?.map((m) => (m['parts'] as { index: number; count: number }).index)).toEqual([0, 1]);
      },
    },
  },
  {
    name: 'split-object-copy-key',
    type: 'split',
    async fill(form) {
      await form.getByRole('checkbox', { name: 'Copy key to' }).check();
      await form.getByRole('textbox', { name: 'Copy key to' }).fill('key');
    },
    run: {
      input: { payload: { a: 1, b: 2 } },
      expect([out]) {
        expect(out?.map((m) => [m['key'], m['payload']])).toEqual([['a', 1], ['b', 2]]);
      },
    },
  },
  {
    name: 'join-automatic',
    type: 'join',
    async fill(form) {
      await form.getByLabel('Name').fill('auto join');
    },
    run: {
      inputs: ['p', 'q'].map((payload, index) => ({ payload, parts: { id: 'auto-1', index, count: 2, type: 'array', len: 1 } })),
      expect([out]) {
        expect(out?.map((m) => m['payload'])).toEqual([['p', 'q']]);
      },
    },
  },
  {
    name: 'join-manual-string',
    type: 'join',
    async fill(form) {
      await form.getByLabel('Mode', { exact: true }).selectOption({ label: 'manual' });
      await form.getByLabel('to create', { exact: true }).selectOption({ label: 'a String' });
      await form.getByLabel('joined using', { exact: true }).fill(',');
      await form.getByLabel('After a number of message parts').fill('3');
    },
    run: {
      inputs: [{ payload: 'a' }, { payload: 'b' }, { payload: 'c' }],
      expect([out]) {
        expect(out?.map((m) => m['payload'])).toEqual(['a,b,c']);
      },
    },
  },
  {
    name: 'join-reduce-sum',
    type: 'join',
    async fill(form) {
      await form.getByLabel('Mode', { exact: true }).selectOption({ label: 'reduce sequence' });
      await form.getByLabel('Reduce exp').fill('$A+payload');
      await form.getByLabel('Initial value', { exact: true }).fill('0');
    },
    run: {
      inputs: [1, 2, 3].map((payload, index) => ({ payload, parts: { id: 'sum-1', index, count: 3 } })),
      expect([out]) {
        expect(out?.map((m) => m['payload'])).toEqual([6]);
      },
    },
  },
  {
    name: 'sort-descending-numbers',
    type: 'sort',
    async fill(form) {
      await form.getByLabel('Order', { exact: true }).selectOption({ label: 'descending' });
      await form.getByLabel('as number').check();
    },
    run: {
      input: { payload: ['3', '10', '2'] },
      expect([out]) {
        expect(out?.map((m) => m['payload'])).toEqual([['10', '3', '2']]);
      },
    },
  },
  {
    name: 'sort-sequence',
    type: 'sort',
    async fill(form) {
      await form.getByLabel('Sort type').selectOption({ label: 'message sequence' });
    },
    run: {
      inputs: [3, 1, 2].map((payload, index) => ({ payload, parts: { id: 'seq-1', index, count: 3 } })),
      expect([out]) {
        expect(out?.map((m) => m['payload'])).toEqual([1, 2, 3]);
      },
    },
  },
  {
    name: 'batch-count-overlap',
    type: 'batch',
    async fill(form) {
      await form.getByLabel('Number of messages').fill('3');
      await form.getByLabel('Overlap').fill('1');
    },
    run: {
      inputs: [{ payload: 'a' }, { payload: 'b' }, { payload: 'c' }],
      expect([out]) {
        expect(out?.map((m) => m['payload'])).toEqual(['a', 'b', 'c']);
      },
    },
  },
  {
    name: 'batch-by-interval',
    type: 'batch',
    async fill(form) {
      await form.getByLabel('Mode', { exact: true }).selectOption({ label: 'Group by time interval' });
      await form.getByLabel('Interval', { exact: true }).fill('1');
    },
    run: {
      inputs: [{ payload: 'x' }, { payload: 'y' }],
      expect([out]) {
        // Whether both fall in one interval depends on timing: each comes out in a batch of its interval.
        expect(out?.map((m) => m['payload'])).toEqual(['x', 'y']);
        expect(out?.every((m) => typeof (m['parts'] as { id?: unknown }).id === 'string')).toBe(true);
      },
    },
  },
  {
    name: 'batch-concat-topics',
    type: 'batch',
    async fill(form) {
      await form.getByLabel('Mode', { exact: true }).selectOption({ label: 'Concatenate sequences' });
      await form.getByLabel('Topics 1 topic').fill('a');
      await form.getByRole('button', { name: 'add' }).click();
      await form.getByLabel('Topics 2 topic').fill('b');
    },
    run: {
      // A sequence of topic b arrives first; a's comes out first, in the order the topics are listed.
      inputs: [
        { topic: 'b', payload: 'b1', parts: { id: 'B', index: 0, count: 1 } },
        { topic: 'a', payload: 'a1', parts: { id: 'A', index: 0, count: 1 } },
      ],
      expect([out]) {
        expect(out?.map((m) => m['payload'])).toEqual(['a1', 'b1']);
      },
    },
  },
];
