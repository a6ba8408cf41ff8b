/** The browser test cases of Node-RED's "function" core nodes (see `../core-node-check.ts`). */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { CoreNodeCase, DebugMessage } from '../core-node-check.ts';

/** Replaces the text of a code editor, as a paste would (no auto-indent on the way). */
async function code(form: Locator, page: Page, label: string, text: string): Promise<void> {
  await form.getByRole('textbox', { name: label, exact: true }).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(text);
}

const payloads = (messages: DebugMessage[] | undefined) => (messages ?? []).map((m) => m['payload']);

export const cases: CoreNodeCase[] = [
  {
    name: 'function-two-outputs',
    type: 'function',
    async fill(form, page) {
      await form.getByLabel('Name').fill('add base');
      await form.getByRole('tab', { name: 'Setup' }).click();
      await form.getByLabel('Outputs').fill('2');
      await form.getByLabel('Timeout').fill('5');
      await form.getByRole('tab', { name: 'On Start' }).click();
      await code(form, page, 'On Start', "context.set('base', 100);");
      await form.getByRole('tab', { name: 'On Message' }).click();
      // Code that does not parse marks the node, as Node-RED's editor does (its noerr).
      await code(form, page, 'On Message', 'return msg +;');
      await form.getByRole('alert', { name: 'Node problems' }).getByText('Error in JavaScript code').waitFor();
      await code(form, page, 'On Message', "msg.payload += context.get('base'); return [msg, null];");
    },
    run: {
      input: { payload: 5 },
      expect([first, second]) {
        expect(payloads(first)).toEqual([105]);
        expect(second).toEqual([]);
      },
    },
  },
  {
    name: 'switch-first-match',
    type: 'switch',
    async fill(form) {
      await form.getByLabel('Name').fill('band');
      await form.getByLabel('Rule 1 operator').selectOption('lt');
      await form.getByLabel('Rule 1 value type').selectOption('num');
      await form.getByLabel('Rule 1 value', { exact: true }).fill('10');
      await form.getByRole('button', { name: 'add' }).click();
      await form.getByLabel('Rule 2 operator').selectOption('else');
      await form.getByRole('button', { name: 'add' }).click();
      await form.getByLabel('Rule 3 operator').selectOption('btwn');
      await form.getByLabel('Rule 3 value', { exact: true }).fill('10');
      await form.getByLabel('Rule 3 second value', { exact: true }).fill('20');
      // "otherwise" goes last: the between rule moves up, and takes output 2.
      await form.getByRole('button', { name: 'Move Rule 3 up' }).click();
      await form.getByLabel('Rules are checked').selectOption({ label: 'stopping after first match' });
    },
    run: {
      inputs: [{ payload: 5 }, { payload: 15 }, { payload: 25 }],
      expect([low, middle, rest]) {
        expect(payloads(low)).toEqual([5]);
        expect(payloads(middle)).toEqual([15]);
        expect(payloads(rest)).toEqual([25]);
      },
    },
  },
  {
    name: 'change-every-action',
    type: 'change',
    async fill(form) {
      await form.getByLabel('Rule 1 property', { exact: true }).fill('topic');
      await form.getByLabel('Rule 1 value', { exact: true }).fill('reading');
      await form.getByRole('button', { name: 'add' }).click();
      await form.getByLabel('Rule 2 action').selectOption('change');
      await form.getByLabel('Rule 2 search for', { exact: true }).fill('cold');
      await form.getByLabel('Rule 2 replace with', { exact: true }).fill('warm');
      await form.getByRole('button', { name: 'add' }).click();
      await form.getByLabel('Rule 3 action').selectOption('move');
      await form.getByLabel('Rule 3 property', { exact: true }).fill('note');
      await form.getByLabel('Rule 3 to', { exact: true }).fill('comment');
      await form.getByRole('button', { name: 'add' }).click();
      await form.getByLabel('Rule 4 action').selectOption('delete');
      await form.getByLabel('Rule 4 property', { exact: true }).fill('secret');
      await form.getByRole('button', { name: 'add' }).click();
      await form.getByLabel('Rule 5 property', { exact: true }).fill('copy');
      await form.getByLabel('Rule 5 value type').selectOption('msg');
      await form.getByLabel('Rule 5 value', { exact: true }).fill('meta');
      await form.getByLabel('Deep copy value').check();
      await form.getByLabel('Name').fill('tidy');
    },
    run: {
      input: { payload: 'cold day', note: 'n1', secret: 'x', meta: { a: 1 } },
      expect([out]) {
        expect(out).toHaveLength(1);
        const msg = out![0]!;
        expect(msg).toMatchObject({ topic: 'reading', payload: 'warm day', comment: 'n1', copy: { a: 1 }, meta: { a: 1 } });
        expect(msg).not.toHaveProperty('note');
        expect(msg).not.toHaveProperty('secret');
      },
    },
  },
  {
    name: 'range-clamp',
    type: 'range',
    async fill(form) {
      await form.getByLabel('Action').selectOption({ label: 'Scale and limit to the target range' });
      await form.getByLabel('input from').fill('0');
      await form.getByLabel('input to').fill('100');
      await form.getByLabel('target from').fill('0');
      await form.getByLabel('target to').fill('10');
      await form.getByLabel('Round result to the nearest integer?').check();
    },
    run: {
      inputs: [{ payload: 55 }, { payload: 150 }],
      expect([out]) {
        expect(payloads(out)).toEqual([6, 10]);
      },
    },
  },
  {
    name: 'template-json',
    type: 'template',
    async fill(form, page) {
      await form.getByLabel('Syntax Highlight').selectOption({ label: 'JSON' });
      await code(form, page, 'Template', '{"greeting": "Hi {{payload}}"}');
      await form.getByLabel('Output as').selectOption({ label: 'Parsed JSON' });
      await form.getByLabel('Name').fill('greet');
    },
    run: {
      input: { payload: 'Ann' },
      expect([out]) {
        expect(payloads(out)).toEqual([{ greeting: 'Hi Ann' }]);
      },
    },
  },
  {
    name: 'delay-fixed',
    type: 'delay',
    async fill(form) {
      await form.getByLabel('For', { exact: true }).fill('200');
      await form.getByLabel('Delay units').selectOption({ label: 'Milliseconds' });
    },
    run: {
      input: { payload: 'late' },
      expect([out]) {
        expect(payloads(out)).toEqual(['late']);
      },
    },
  },
  {
    name: 'delay-rate-limit',
    type: 'delay',
    async fill(form) {
      await form.getByLabel('Action').selectOption({ label: 'Rate Limit' });
      await form.getByLabel('Rate units').selectOption('minute');
      await form.getByLabel('Intermediate messages').selectOption({ label: 'Send intermediate messages on 2nd output' });
    },
    run: {
      inputs: [{ payload: 1 }, { payload: 2 }, { payload: 3 }],
      expect([passed, over]) {
        expect(payloads(passed)).toEqual([1]);
        expect(payloads(over)).toEqual([2, 3]);
      },
    },
  },
  {
    name: 'trigger-two-outputs',
    type: 'trigger',
    async fill(form) {
      await form.getByLabel('Send', { exact: true }).fill('on');
      await form.getByLabel('duration', { exact: true }).fill('100');
      await form.getByLabel('then send', { exact: true }).fill('off');
      await form.getByLabel('send second message to separate output').check();
    },
    run: {
      input: { payload: 'go' },
      expect([first, second]) {
        expect(payloads(first)).toEqual(['on']);
        expect(payloads(second)).toEqual(['off']);
      },
    },
  },
  {
    name: 'exec-echo',
    type: 'exec',
    async fill(form) {
      await form.getByLabel('Command').fill('echo');
      await form.getByLabel('Append msg property').check();
      await form.getByLabel('Name').fill('say');
    },
    run: {
      input: { payload: 'hello' },
      expect([stdout, stderr, rc]) {
        expect(payloads(stdout)).toEqual(['hello\n']);
        expect(stderr).toEqual([]);
        expect(payloads(rc)).toEqual([{ code: 0 }]);
      },
    },
  },
  {
    name: 'filter-deadband',
    type: 'rbe',
    async fill(form) {
      await form.getByLabel('Mode', { exact: true }).selectOption({ label: 'block unless value change is greater than' });
      await form.getByLabel('value change', { exact: true }).fill('5');
    },
    run: {
      inputs: [{ payload: 10 }, { payload: 12 }, { payload: 20 }],
      expect([out]) {
        expect(payloads(out)).toEqual([10, 20]);
      },
    },
  },
];
