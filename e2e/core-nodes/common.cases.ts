/**
 * The browser test cases of Node-RED's "common" core nodes (see `../core-node-check.ts`). They build on each other,
 * in this order, on the one canvas: the complete node watches the debug node, the link nodes link to the link in
 * "answers", the catch node catches the link call's timeout, and the status node hears the debug node's status.
 * Nodes without outputs (debug, link out) are checked where their messages arrive: the debug sidebar feed, or the
 * link in they send to.
 */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { TestJson } from '../../server/testing/test-server.ts';
import { DebugCollector, rigIds, type CoreNodeCase, type DebugMessage, type RunContext } from '../core-node-check.ts';

/** Presses a running inject node, as its button does. */
async function press(context: RunContext, injectId: string): Promise<void> {
  const res = await context.server.request('POST', `/api/v1/flows/inject/${encodeURIComponent(injectId)}`, { token: context.server.adminToken });
  if (res.status !== 204) throw new Error(`inject ${injectId}: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Debug feeds opened by a case's trigger, by case name: what a node's debug messages were since. */
const feeds = new Map<string, DebugCollector>();

/** Opens a debug feed for the case, then presses the inject nodes (so nothing they cause is missed). */
async function pressWatching(context: RunContext, caseName: string, injectIds: readonly string[]): Promise<void> {
  feeds.get(caseName)?.close();
  feeds.set(caseName, await DebugCollector.open(context.server));
  for (const id of injectIds) await press(context, id);
}

/** The debug messages node `id` sent to the feed of a case; the feed closes once `check` passes. */
function expectFeed(caseName: string, id: string, check: (messages: DebugMessage[]) => void): void {
  check(feeds.get(caseName)?.byNode.get(id) ?? []);
  feeds.get(caseName)?.close();
  feeds.delete(caseName);
}

/** The deployed node of a type and name. */
function deployedNode(context: RunContext, type: string, name: string): Record<string, TestJson> {
  const found = [...context.deployed.values()].find((n) => n.type === type && n.name === name);
  if (!found) throw new Error(`no deployed ${type} named ${name}`);
  return found;
}

const firstOf = (value: TestJson | undefined) => (Array.isArray(value) ? (value[0] as string) : '');

/** The id of the node a form edits. */
const formNodeId = async (form: Locator) => (await form.locator('[data-node-id]').first().getAttribute('data-node-id')) ?? '';

/** Waits for a node on the canvas drawn with Node-RED's label for it. */
const labelled = (page: Page, label: string) =>
  page.getByTestId('flow-canvas').locator(`[data-testid="flow-node"][data-label="${label.replace(/["\\]/g, '\\$&')}"]`).first().waitFor();

/** The link call with a fixed target, once its case has created it (the return case answers it). */
let linkCallId = '';

export const cases: CoreNodeCase[] = [
  {
    name: 'inject-properties-once',
    type: 'inject',
    async fill(form, page) {
      await form.getByLabel('Property 1 value type').selectOption('num');
      await form.getByLabel('Property 1 value', { exact: true }).fill('42');
      await form.getByLabel('Property 2 value', { exact: true }).fill('sensors');
      await form.getByRole('button', { name: 'add', exact: true }).click();
      await form.getByLabel('Property 3 name', { exact: true }).fill('unit');
      await form.getByLabel('Property 3 value', { exact: true }).fill('C');
      await form.getByLabel('Inject once after').check();
      await form.getByLabel('Seconds before the first message').fill('0.5');
      await labelled(page, 'sensors:42 ¹');
    },
    run: {
      async trigger(context) {
        await press(context, context.node.id as string);
      },
      expect([out]) {
        expect(out).toContainEqual(expect.objectContaining({ payload: 42, topic: 'sensors', unit: 'C' }));
      },
    },
  },
  {
    name: 'inject-every-2-minutes',
    type: 'inject',
    async fill(form, page) {
      await form.getByLabel('Property 1 value type').selectOption('json');
      await form.getByLabel('Property 1 value', { exact: true }).fill('{"level":3}');
      await form.getByLabel('Repeat').selectOption({ label: 'interval' });
      await form.getByLabel('Interval', { exact: true }).fill('2');
      await form.getByLabel('Interval units').selectOption({ label: 'minutes' });
      await labelled(page, '{"level":3}\t↻');
    },
    run: {
      async trigger(context) {
        await press(context, context.node.id as string);
      },
      expect([out]) {
        expect(out).toContainEqual(expect.objectContaining({ payload: { level: 3 }, topic: '' }));
      },
    },
  },
  {
    name: 'inject-at-a-time',
    type: 'inject',
    async fill(form, page) {
      await form.getByRole('button', { name: 'Remove Property 2' }).click();
      await form.getByLabel('Repeat').selectOption({ label: 'at a specific time' });
      await form.getByLabel('Time', { exact: true }).fill('07:30');
      for (const day of ['Tuesday', 'Thursday', 'Saturday', 'Sunday']) await form.getByLabel(day).uncheck();
      await labelled(page, 'timestamp\t↻');
    },
    run: {
      async trigger(context) {
        await press(context, context.node.id as string);
      },
      expect([out]) {
        expect(typeof out?.[0]?.['payload']).toBe('number');
        expect(out?.[0]).not.toHaveProperty('topic');
      },
    },
  },
  {
    name: 'debug-complete-message-to-status',
    type: 'debug',
    async fill(form) {
      await form.getByLabel('Output type').selectOption({ label: 'complete msg object' });
      expect(await form.getByLabel('Status type').count(), 'the status row shows with "node status" only').toBe(0);
      await form.getByLabel('node status (32 characters)').check();
      expect(await form.getByLabel('Status type').inputValue()).toBe('auto');
      await form.getByLabel('Name').fill('whole message');
    },
    run: {
      input: { payload: 'seen', note: 'all of it' },
      async trigger(context) {
        await pressWatching(context, 'debug', [rigIds(context.node.id as string).inject]);
      },
      expect(_outputs, context) {
        expectFeed('debug', context.node.id as string, (messages) => {
          expect(messages).toContainEqual(expect.objectContaining({ payload: 'seen', note: 'all of it' }));
        });
      },
    },
  },
  {
    name: 'complete-of-debug',
    type: 'complete',
    async fill(form, page) {
      await form.getByRole('checkbox', { name: 'whole message' }).check();
      await labelled(page, 'complete: 1');
    },
    run: {
      async trigger(context) {
        await press(context, rigIds(firstOf(context.node.scope)).inject);
      },
      expect([out]) {
        expect(out).toContainEqual(expect.objectContaining({ payload: 'seen' }));
      },
    },
  },
  {
    name: 'link-in-answers',
    type: 'link in',
    async fill(form) {
      await form.getByLabel('Name').fill('answers');
    },
    run: {
      // Its link out (ticked on the link out's form) sends it a message.
      async trigger(context) {
        await press(context, rigIds(firstOf(context.node.links)).inject);
      },
      expect([out]) {
        expect(out).toContainEqual(expect.objectContaining({ payload: 'via link' }));
      },
    },
  },
  {
    name: 'link-call-fixed-target',
    type: 'link call',
    async fill(form) {
      linkCallId = await formNodeId(form);
      await form.getByLabel('Name').fill('call answers');
      await form.getByLabel('Timeout').fill('2');
      await form.getByRole('radio', { name: 'answers' }).check();
    },
    run: {
      input: { payload: 'ping' },
      async trigger(context) {
        await pressWatching(context, 'link-call', [rigIds(context.node.id as string).inject]);
      },
      expect(_outputs, context) {
        const linkIn = firstOf(context.node.links);
        expectFeed('link-call', rigIds(linkIn).debug(0), (messages) => {
          expect(messages).toContainEqual(expect.objectContaining({
            payload: 'ping', _linkSource: [expect.objectContaining({ node: context.node.id })],
          }));
        });
      },
    },
  },
  {
    name: 'link-call-dynamic',
    type: 'link call',
    async fill(form) {
      await form.getByLabel('Name').fill('by target');
      await form.getByLabel('Link Type').selectOption({ label: 'Dynamic target (msg.target)' });
    },
    run: {
      input: { payload: 'by name', target: 'answers' },
      async trigger(context) {
        await pressWatching(context, 'link-call-dynamic', [rigIds(context.node.id as string).inject]);
      },
      expect(_outputs, context) {
        const linkIn = deployedNode(context, 'link in', 'answers');
        expectFeed('link-call-dynamic', rigIds(linkIn.id as string).debug(0), (messages) => {
          expect(messages).toContainEqual(expect.objectContaining({ payload: 'by name', target: 'answers' }));
        });
      },
    },
  },
  {
    name: 'link-out-to-answers',
    type: 'link out',
    async fill(form, page) {
      await form.getByLabel('Name').fill('to answers');
      const answers = form.getByRole('checkbox', { name: 'answers' });
      await answers.check();
      // One undo unlinks both ends (a link in that still listed this node would keep the box ticked).
      await page.getByRole('button', { name: 'Undo' }).click();
      await expect.poll(() => answers.isChecked()).toBe(false);
      await answers.check();
    },
    run: {
      input: { payload: 'via link' },
      async trigger(context) {
        await pressWatching(context, 'link-out', [rigIds(context.node.id as string).inject]);
      },
      expect(_outputs, context) {
        expectFeed('link-out', rigIds(firstOf(context.node.links)).debug(0), (messages) => {
          expect(messages).toContainEqual(expect.objectContaining({ payload: 'via link' }));
        });
      },
    },
  },
  {
    name: 'link-out-return',
    type: 'link out',
    async fill(form) {
      await form.getByLabel('Name').fill('reply');
      await form.getByLabel('Mode').selectOption({ label: 'Return to calling link node' });
      expect(await form.getByRole('group', { name: 'Linked link in nodes' }).count(), 'return mode lists no targets').toBe(0);
    },
    run: {
      // The message a link call's target flow carries: who called. (The rig replaces the wires such a flow has.)
      get input() {
        return { payload: 'pong', _linkSource: [{ id: 'an-earlier-call', node: linkCallId }] };
      },
      async trigger(context) {
        await pressWatching(context, 'link-return', [rigIds(context.node.id as string).inject]);
      },
      expect() {
        expectFeed('link-return', rigIds(linkCallId).debug(0), (messages) => {
          expect(messages).toContainEqual(expect.objectContaining({ payload: 'pong' }));
        });
      },
    },
  },
  {
    name: 'catch-link-call-timeout',
    type: 'catch',
    async fill(form, page) {
      expect(await form.getByLabel('Ignore errors handled by other Catch nodes').count()).toBe(1);
      await form.getByLabel('Catch errors from').selectOption({ label: 'selected nodes' });
      expect(await form.getByLabel('Ignore errors handled by other Catch nodes').count(), 'selected nodes hide "uncaught"').toBe(0);
      await form.getByRole('checkbox', { name: 'call answers', exact: true }).check();
      await labelled(page, 'catch: 1');
    },
    run: {
      // The fixed-target call gets no answer: it times out after 2 s, an error this node catches.
      async trigger(context) {
        await press(context, rigIds(firstOf(context.node.scope)).inject);
      },
      expect([out], context) {
        expect(out).toContainEqual(expect.objectContaining({
          payload: 'ping', error: expect.objectContaining({ message: 'timeout', source: expect.objectContaining({ id: firstOf(context.node.scope) }) }),
        }));
      },
    },
  },
  {
    name: 'status-all-nodes',
    type: 'status',
    async fill(form) {
      await form.getByLabel('Name').fill('all statuses');
    },
    run: {
      // The debug node shows what it gets as its status.
      async trigger(context) {
        await press(context, rigIds(deployedNode(context, 'debug', 'whole message').id as string).inject);
      },
      expect([out]) {
        expect(out).toContainEqual(expect.objectContaining({
          status: expect.objectContaining({ text: 'seen', source: expect.objectContaining({ type: 'debug', name: 'whole message' }) }),
        }));
      },
    },
  },
  {
    name: 'comment-markdown',
    type: 'comment',
    async fill(form) {
      await form.getByLabel('Name').fill('read me');
      await form.locator('.cm-content').first().fill('# Wiring\n\nSee the manual.');
    },
    why: 'a comment has no input or output: it only carries its text',
  },
];
