/**
 * Users (admin) and My account (everyone) as a person uses them: an admin creates an engineer, who signs in without a
 * Users section; roles change, passwords are reset, users deleted; an API token made on My account works against
 * the API until it is revoked; a wrong current password is answered under its field.
 */
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/testing/test-server.ts';
import { AppPages, launchBrowser, openApp, screenshot, signIn } from './browser.ts';

let server: TestServer;
let browser: Browser;
/** The admin's page and the operator's, each signed in once for the file. */
const pages = new AppPages(() => browser, () => server);

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
});

afterAll(async () => {
  await pages.close();
  await browser?.close();
  await server?.close();
});

/** The text that describes a control (its hint or error under it), as a screen reader announces it. */
async function description(control: Locator): Promise<string> {
  const ids = (await control.getAttribute('aria-describedby')) ?? '';
  const texts = await Promise.all(ids.split(' ').filter(Boolean).map((id) => control.page().locator(`[id="${id}"]`).textContent()));
  return texts.join(' ');
}

async function users(): Promise<{ id: number; username: string; role: string }[]> {
  return (await server.request('GET', '/api/v1/users', { token: server.adminToken })).body.items;
}

describe('users and my account', () => {
  it('lets an admin create an engineer, who signs in and sees no Users section', async () => {
    const { page, errors, close } = await pages.open('/users');
    const table = page.getByRole('table', { name: 'Users' });
    expect(await table.getByRole('row', { name: 'admin', exact: true }).textContent()).toContain('you');

    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog', { name: 'New user' });
    await dialog.getByLabel('Username').fill('eng2');
    await dialog.getByLabel('Role').selectOption('engineer');
    await dialog.getByRole('button', { name: 'Generate' }).click();
    const password = await dialog.getByLabel('Initial password').inputValue();
    expect(password).toMatch(/^[A-Za-z0-9]{16}$/);
    await screenshot(page, 'users-new');
    const created = page.waitForResponse((res) => res.url().endsWith('/api/v1/users') && res.request().method() === 'POST');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    expect((await created).status()).toBe(201);
    await page.getByRole('dialog', { name: 'Created eng2' }).waitFor();
    expect(await page.getByLabel('Initial password').textContent()).toBe(password);
    await page.getByRole('button', { name: 'Done' }).click();
    await table.getByRole('row', { name: 'eng2', exact: true }).waitFor();
    expect((await users()).find((u) => u.username === 'eng2')?.role).toBe('engineer');

    // The same name again: the API's refusal is under the Username field.
    await page.getByRole('button', { name: 'New user' }).click();
    await dialog.getByLabel('Username').fill('eng2');
    await dialog.getByRole('button', { name: 'Generate' }).click();
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.getByText('already exists').waitFor();
    expect(await description(dialog.getByLabel('Username'))).toBe('A user named "eng2" already exists.');
    expect(await dialog.getByLabel('Username').getAttribute('aria-invalid')).toBe('true');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('table', { name: 'Audit log' }).getByText('user.create').first().waitFor();
    await screenshot(page, 'users');

    const engineer = await openApp(browser, server, '/dashboard');
    await signIn(engineer.page, 'eng2', password);
    const nav = engineer.page.getByRole('navigation', { name: 'Sections' });
    const sections = await nav.getByRole('link').allTextContents();
    expect(sections).toContain('My account');
    expect(sections).not.toContain('Users');
    await engineer.page.goto('/users');
    await engineer.page.getByText('Nothing at /users').waitFor();
    expect(engineer.errors).toEqual([]);
    await engineer.close();
    expect(errors).toEqual([]);
    await close();
  });

  it('changes a role, resets a password and deletes a user after asking', async () => {
    const made = await server.request('POST', '/api/v1/users', { token: server.adminToken, body: { username: 'temp1', password: 'temp-password-1', role: 'operator' } });
    expect(made.status).toBe(201);
    const { page, errors, close } = await pages.open('/users');
    const table = page.getByRole('table', { name: 'Users' });
    const row = table.getByRole('row', { name: 'temp1', exact: true });

    const patched = page.waitForResponse((res) => res.url().endsWith(`/api/v1/users/${made.body.id}`) && res.request().method() === 'PATCH');
    await row.getByLabel('Role of temp1').selectOption('engineer');
    expect((await patched).status()).toBe(200);
    expect((await users()).find((u) => u.username === 'temp1')?.role).toBe('engineer');

    await row.getByRole('button', { name: 'Reset the password of temp1' }).click();
    const reset = page.getByRole('dialog', { name: 'Reset the password of temp1' });
    await reset.getByRole('button', { name: 'Generate' }).click();
    const password = await reset.getByLabel('New password').inputValue();
    await reset.getByRole('button', { name: 'Set password' }).click();
    await reset.getByText('sessions are ended').waitFor();
    expect((await server.request('POST', '/api/v1/auth/login', { body: { username: 'temp1', password } })).status).toBe(200);
    expect((await server.request('POST', '/api/v1/auth/login', { body: { username: 'temp1', password: 'temp-password-1' } })).status).toBe(401);
    await reset.getByRole('button', { name: 'Done' }).click();

    // No way to delete or demote oneself from here.
    const me = table.getByRole('row', { name: 'admin', exact: true });
    expect(await me.count()).toBe(1);
    expect(await me.getByRole('button', { name: /^Delete/ }).count()).toBe(0);
    expect(await me.getByRole('combobox').count()).toBe(0);
    expect(await me.getByRole('button', { name: /Reset the password/ }).count()).toBe(0);

    await row.getByRole('button', { name: 'Delete temp1' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete temp1?' });
    await confirm.getByRole('button', { name: 'Delete user' }).click();
    await confirm.waitFor({ state: 'detached' });
    await row.waitFor({ state: 'detached' });
    expect((await users()).some((u) => u.username === 'temp1')).toBe(false);
    await page.getByRole('table', { name: 'Audit log' }).getByText('user.delete').waitFor();
    expect(errors).toEqual([]);
    await close();
  });

  it('shows the sign-in screen on an open page as soon as an admin disables the user', async () => {
    const made = await server.request('POST', '/api/v1/users', { token: server.adminToken, body: { username: 'leaver', password: 'leaver-password-1', role: 'operator' } });
    expect(made.status).toBe(201);
    // The dashboard holds the live device feed open; disabling the user closes it (4401), and the page asks who it is.
    const { page, close } = await openApp(browser, server, '/dashboard', undefined, { signedIn: ['leaver', 'leaver-password-1'] });
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const disabled = await server.request('PATCH', `/api/v1/users/${made.body.id}`, { token: server.adminToken, body: { disabled: true } });
    expect(disabled.status).toBe(200);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.getByTestId('current-user').count()).toBe(0);
    await close();
  });

  it('creates an API token on My account that works against the API once shown, until it is revoked', async () => {
    const { page, errors, close } = await pages.open('/account');
    await page.getByText('No API tokens yet').waitFor();
    await page.getByRole('button', { name: 'New token' }).first().click();
    const form = page.getByRole('form', { name: 'New API token' });
    expect(await form.getByLabel('Token role').locator('option').allTextContents()).toEqual(['operator', 'engineer', 'admin']);
    await form.getByLabel('Token name').fill('ci-script');
    await form.getByLabel('Token role').selectOption('operator');
    await form.getByLabel('Expires after (days)').fill('30');
    await form.getByRole('button', { name: 'Create token' }).click();

    const shown = page.getByRole('dialog', { name: /Copy the token “ci-script” now/ });
    await shown.waitFor();
    expect(await shown.textContent()).toContain('only time');
    const token = (await shown.getByLabel('New API token').textContent())!;
    await screenshot(page, 'account-token');
    expect(token).toMatch(/^twt_/);
    const me = await fetch(`${server.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: 'admin', role: 'operator', via: 'api-token' });
    await shown.getByRole('button', { name: 'I have copied it' }).click();

    const row = page.getByRole('row', { name: 'ci-script' });
    await row.waitFor();
    expect(await row.textContent()).toContain('operator');
    // Tried once above: "last used" says so.
    await row.getByText('s ago').waitFor();
    // The token is never on the page again.
    expect(await page.content()).not.toContain(token);
    await screenshot(page, 'account');

    await row.getByRole('button', { name: 'Revoke ci-script' }).click();
    await page.getByRole('alertdialog', { name: 'Revoke ci-script?' }).getByRole('button', { name: 'Revoke token' }).click();
    await row.waitFor({ state: 'detached' });
    const after = await fetch(`${server.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
    expect(errors).toEqual([]);
    await close();
  });

  it('shows an admin another user\'s API tokens and revokes one, which stops working at once', async () => {
    const engineer = await server.tokenFor('engineer');
    const made = (await server.request('POST', '/api/v1/auth/tokens', { token: engineer, body: { name: 'grafana-export', role: 'operator' } })).body;
    const { page, errors, close } = await pages.open('/users');
    await page.getByRole('button', { name: 'API tokens of engineer1' }).click();
    const dialog = page.getByRole('dialog', { name: 'API tokens of engineer1' });
    const row = dialog.getByRole('row', { name: 'grafana-export' });
    await row.waitFor();
    expect(await row.textContent()).toContain('operator');
    await screenshot(page, 'users-tokens');
    await row.getByRole('button', { name: 'Revoke grafana-export' }).click();
    await page.getByRole('alertdialog', { name: 'Revoke grafana-export?' }).getByRole('button', { name: 'Revoke token' }).click();
    await dialog.getByText('engineer1 has no API tokens.').waitFor();
    expect((await fetch(`${server.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${made.token}` } })).status).toBe(401);
    expect(errors).toEqual([]);
    await close();
  });

  it('offers an operator only operator tokens', async () => {
    await server.tokenFor('operator');
    const { page, errors, close } = await pages.open('/account', undefined, ['operator1', 'operator-password-1']);
    await page.getByRole('button', { name: 'New token' }).first().click();
    const form = page.getByRole('form', { name: 'New API token' });
    expect(await form.getByLabel('Token role').locator('option').allTextContents()).toEqual(['operator']);
    expect(await page.getByRole('navigation', { name: 'Sections' }).getByRole('link').allTextContents()).not.toContain('Users');
    expect(errors).toEqual([]);
    await close();
  });

  it('answers a wrong current password under its field, and a mismatched confirmation before asking', async () => {
    const { page, errors, close } = await pages.open('/account');
    const form = page.getByRole('form', { name: 'Change password' });
    const current = form.getByLabel('Current password');
    await current.fill('not-my-password');
    await form.getByLabel('New password', { exact: true }).fill('a-brand-new-password');
    await form.getByLabel('Confirm new password').fill('a-different-password');
    await form.getByRole('button', { name: 'Change password' }).click();
    expect(await description(form.getByLabel('Confirm new password'))).toBe('This does not match the new password.');

    await form.getByLabel('Confirm new password').fill('a-brand-new-password');
    const answer = page.waitForResponse((res) => res.url().endsWith('/api/v1/auth/password'));
    await form.getByRole('button', { name: 'Change password' }).click();
    const res = await answer;
    expect(res.status()).toBe(403);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('wrong_password');
    await form.getByText(error.message).waitFor();
    expect(await description(current)).toBe(error.message);
    expect(await current.getAttribute('aria-invalid')).toBe('true');
    // Still signed in with the old password.
    expect((await server.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'a-brand-new-password' } })).status).toBe(401);
    expect(errors).toEqual([]);
    await close();
  });
});
