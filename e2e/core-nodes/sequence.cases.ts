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
    name: 'batch-by-interval',
    type: 'batch',
    async fill(form) {
      await form.getByLabel('Mode', { exact: true }).selectOption({ label: 'Group by time interval' });
      await form.getByLabel('Interval', { exact: true }).fill('1');
    },
    run: {
      inputs: [{ payload: 'x' }, { payload: 'y' }],
      expect([out]) {
        expect(out?.map((m) => m['payload'])).toEqual(['x', 'y']);
        expect(out?.map((m) => (m['parts'] as { count: number }).count)).toEqual([2, 2]);
      },
    },
  },
];
