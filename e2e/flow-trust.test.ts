import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { startWebhookReceiver, type WebhookTestReceiver } from '../server/notify/webhook-test-receiver.ts';
import { startTestServer, type TestServer } from '../server/testing/test-server.ts';
import { AppPages, launchBrowser, screenshot } from './browser.ts';

let server: TestServer;
let browser: Browser;
/** One signed-in page per user for the file's tests (see AppPages). */
const pages = new AppPages(() => browser, () => server);
let engineer: string;
let receiver: WebhookTestReceiver;

const deploy = async (token: string, flows: object[]) => {
  const { rev } = (await server.request('GET', '/api/v1/flows', { token })).body;
  const res = await server.request('POST', '/api/v1/flows', { token, body: { flows, rev } });
  if (res.status !== 200) throw new Error(`deploy: ${JSON.stringify(res.body)}`);
};

beforeAll(async () => {
  // The webhook receiver is on loopback, which webhooks may reach only when allowed.
  [server, browser, receiver] = await Promise.all([
    startTestServer({ config: { webhookAllowCidrs: ['127.0.0.1/32'] } }), launchBrowser(), startWebhookReceiver(),
  ]);
  engineer = await server.tokenFor('engineer');
});

afterAll(async () => {
  await receiver?.close();
  await pages.close();
  await browser?.close();
  await server?.close();
});

describe('flows cannot take the platform', () => {
  it('runs no script of an engineer\'s flow page in the admin\'s browser: the page cannot create an admin', async () => {
    // The attack of the review: http in → template page whose script posts /api/v1/users with the visitor's cookie.
    const script = `fetch('/api/v1/users', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'pwned', password: 'pwned-password-1', role: 'admin' }) }).then(() => { document.title = 'ran'; });`;
    await deploy(engineer, [
      { id: 'tab-evil', type: 'tab', label: 'Report' },
      { id: 'evil-in', type: 'http in', z: 'tab-evil', x: 100, y: 100, url: '/report', method: 'get', wires: [['evil-page']] },
      {
        id: 'evil-page', type: 'template', z: 'tab-evil', x: 250, y: 100, field: 'payload', fieldType: 'msg', format: 'html', syntax: 'plain', output: 'str',
        template: `<!doctype html><title>report</title><h1>Monthly report</h1><script>${script}</script>`, wires: [['evil-out']],
      },
      { id: 'evil-out', type: 'http response', z: 'tab-evil', x: 400, y: 100, statusCode: '', headers: { 'content-type': 'text/html' }, wires: [] },
    ]);
    const { page, close } = await pages.open('/');
    try {
      const blocked = page.waitForEvent('console', (m) => /sandboxed/i.test(m.text()));
      await page.goto('/nodes/report');
      await page.getByRole('heading', { name: 'Monthly report' }).waitFor();
      await blocked;
      expect(await page.title()).toBe('report');
    } finally {
      await close();
    }
    const users = (await server.request('GET', '/api/v1/users', { token: server.adminToken })).body.items as { username: string }[];
    expect(users.map((u) => u.username)).not.toContain('pwned');
    expect((await fetch(`${server.url}/nodes/report`)).status).toBe(401);
  });

  it('shows an engineer the admin\'s function node locked, and lets them move it and deploy', async () => {
    await deploy(server.adminToken, [
      { id: 'tab-code', type: 'tab', label: 'Code' },
      { id: 'pub-in', type: 'http in', z: 'tab-code', x: 120, y: 100, name: 'status', url: '/status', method: 'get', public: true, wires: [['fn']] },
      { id: 'fn', type: 'function', z: 'tab-code', x: 320, y: 100, name: 'shape', func: 'msg.payload = { ok: true };\nreturn msg;', outputs: 1, noerr: 0, initialize: '', finalize: '', libs: [], wires: [['pub-out']] },
      { id: 'pub-out', type: 'http response', z: 'tab-code', x: 520, y: 100, statusCode: '', headers: {}, wires: [] },
    ]);
    const { page, errors, close } = await pages.open('/flows', { width: 1440, height: 900 }, ['engineer1', 'engineer-password-1']);
    page.setDefaultTimeout(18_000);
    try {
      await page.getByRole('tab', { name: 'Code' }).click();
      const canvas = page.getByTestId('flow-canvas');
      const fnNode = canvas.locator('[data-testid="flow-node"][data-label="shape"]');
      await expect.poll(() => fnNode.getByRole('img', { name: /Locked/ }).count()).toBe(1);
      await expect.poll(() => canvas.locator('[data-testid="flow-node"][data-label="status"]').getByTestId('public-endpoint').count()).toBe(1);
      expect(await page.getByRole('complementary', { name: 'Palette' }).locator('[data-node-type="function"]').getAttribute('aria-disabled')).toBe('true');

      await fnNode.click();
      const properties = page.getByRole('complementary', { name: 'Properties' });
      await properties.getByTestId('code-lock').waitFor();
      expect(await properties.locator('.cm-content').first().getAttribute('contenteditable')).toBe('false');
      await screenshot(page, 'flow-code-locked');
      // The endpoint's form says it is public, where its author set it.
      await canvas.locator('[data-testid="flow-node"][data-label="status"]').click();
      expect(await properties.getByLabel('Public (no sign-in)').isChecked()).toBe(true);
      await screenshot(page, 'flow-public-endpoint');
      await fnNode.click();

      // Moving it is allowed: drag it down, deploy, and the server keeps the code as it was.
      const box = (await fnNode.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 + 120, { steps: 8 });
      await page.mouse.up();
      await page.getByRole('button', { name: 'Deploy', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Deployed.' }).waitFor();
      const deployed = (await server.request('GET', '/api/v1/flows', { token: engineer })).body.flows as { id: string; y: number; func: string }[];
      const fn = deployed.find((n) => n.id === 'fn')!;
      expect(fn.y).toBeGreaterThan(150);
      expect(fn.func).toBe('msg.payload = { ok: true };\nreturn msg;');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('takes a webhook\'s headers in the form, sends them, and never shows or stores them in the flows', async () => {
    const secretHeader = 'Bearer receiver-key-9f3a';
    await deploy(server.adminToken, [
      { id: 'tab-hook', type: 'tab', label: 'Hooks' },
      { id: 'hook-in', type: 'http in', z: 'tab-hook', x: 120, y: 100, name: 'ring', url: '/ring', method: 'get', public: true, wires: [['hook', 'hook-out']] },
      {
        id: 'hook', type: 'notify', v: 2, z: 'tab-hook', x: 320, y: 100, name: 'to receiver', url: receiver.url, method: 'POST', body: 'payload',
        timeoutMs: 5000, maxAttempts: 3, wires: [[]], credentials: { secret: 'a-signing-secret-of-enough-length' },
      },
      { id: 'hook-out', type: 'http response', z: 'tab-hook', x: 320, y: 160, statusCode: '', headers: {}, wires: [] },
      { id: 'ws-open', type: 'websocket-listener', path: '/ws/open', wholemsg: 'false', public: true },
    ]);
    const { page, errors, close } = await pages.open('/flows', { width: 1440, height: 900 }, ['engineer1', 'engineer-password-1']);
    page.setDefaultTimeout(18_000);
    try {
      await page.getByRole('tab', { name: 'Hooks' }).click();
      await page.getByTestId('flow-canvas').locator('[data-testid="flow-node"][data-label="to receiver"]').click();
      const properties = page.getByRole('complementary', { name: 'Properties' });
      const headers = properties.getByLabel('Headers');
      expect(await headers.inputValue()).toBe('');
      // Half-typed: the node is marked on the canvas, as for any other field.
      const hook = page.getByTestId('flow-canvas').locator('[data-testid="flow-node"][data-label="to receiver"]');
      await headers.fill('{"Authorization": ');
      await headers.blur();
      await hook.getByTestId('node-problem').waitFor();
      // Selected again, the text typed is still there.
      await page.getByTestId('flow-canvas').locator('[data-testid="flow-node"][data-label="ring"]').click();
      await hook.click();
      expect(await headers.inputValue()).toBe('{"Authorization": ');
      await headers.fill(JSON.stringify({ Authorization: secretHeader }));
      await headers.blur();
      await hook.getByTestId('node-problem').waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Deploy', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Deployed.' }).waitFor();
      await screenshot(page, 'flow-webhook-headers');

      // The receiver gets them; the flows, the flow file and the form never show them again.
      expect((await fetch(`${server.url}/nodes/ring`)).status).toBe(200);
      expect((await receiver.request(0)).headers['authorization']).toBe(secretHeader);
      expect(JSON.stringify((await server.request('GET', '/api/v1/flows', { token: engineer })).body)).not.toContain('receiver-key');
      expect(fs.readFileSync(path.join(server.dataDir, 'node-red', 'flows.json'), 'utf8')).not.toContain('receiver-key');
      await page.reload();
      await page.getByRole('tab', { name: 'Hooks' }).click();
      await page.getByTestId('flow-canvas').locator('[data-testid="flow-node"][data-label="to receiver"]').click();
      expect(await properties.getByLabel('Headers').inputValue()).toBe('');

      // The public WebSocket listener is marked where config nodes are listed.
      await page.getByRole('tab', { name: 'Config nodes' }).click();
      const listener = page.getByRole('region', { name: 'Configuration nodes' }).getByRole('button', { name: /ws\/open/ });
      expect(await listener.textContent()).toContain('public');
      await screenshot(page, 'flow-config-public-listener');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
