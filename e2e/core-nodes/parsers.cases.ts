/** The browser test cases of Node-RED's "parser" core nodes (see `../core-node-check.ts`). */
import { expect } from 'vitest';
import type { CoreNodeCase } from '../core-node-check.ts';

export const cases: CoreNodeCase[] = [
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
];
