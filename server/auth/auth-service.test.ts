/**
 * Users, sessions, API tokens and the audit log on both platform databases (SQLite, and a real PostgreSQL, as a
 * cluster keeps them): what signing in and every API call rest on answers the same on both. The routes over it are
 * auth.test.ts's and login.test.ts's.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { REGISTRY_DIALECTS, registryDatabases } from '../testing/registry-databases.ts';
import { TEST_HASH_PARAMS } from '../testing/test-server.ts';
import { AuthService } from './auth-service.ts';

const databases = registryDatabases();
const authOn = async (dialect: (typeof REGISTRY_DIALECTS)[number]) =>
  new AuthService(await databases.open(dialect), createLogger('silent'), 3_600_000, { hashParams: TEST_HASH_PARAMS });

describe.each(REGISTRY_DIALECTS)('auth on %s', (dialect) => {
  it('creates the first admin once, signs in, resolves the session, and ends it on sign-out', async () => {
    const auth = await authOn(dialect);
    const first = await auth.ensureFirstAdmin();
    expect(first).toMatchObject({ username: 'admin', generatedPassword: expect.any(String) });
    expect(await auth.ensureFirstAdmin()).toBeNull();
    const { token, user } = await auth.login('admin', first!.generatedPassword!, '198.51.100.1');
    expect(user).toMatchObject({ username: 'admin', role: 'admin', disabled: false });
    expect(await auth.resolveToken(token)).toMatchObject({ username: 'admin', role: 'admin', via: 'session' });
    await auth.logout(token);
    expect(await auth.resolveToken(token)).toBeUndefined();
    await expect(auth.login('admin', 'wrong password!', '198.51.100.1')).rejects.toMatchObject({ status: 401 });
  });

  it('acts with the weaker of a token\'s role and its owner\'s, notes its use to the minute, and forgets it when revoked', async () => {
    const auth = await authOn(dialect);
    const eng = await auth.createUser('eng', 'engineer-password', 'engineer');
    await expect(auth.createUser('ENG', 'engineer-password', 'engineer')).rejects.toMatchObject({ status: 409 });
    const { token, info } = await auth.createApiToken(eng.id, 'ci', 'engineer', 30);
    expect(info).toMatchObject({ name: 'ci', role: 'engineer', lastUsedAt: null, expiresAt: expect.any(String) });
    expect(await auth.resolveToken(token)).toMatchObject({ username: 'eng', role: 'engineer', via: 'api-token', tokenId: info.id });
    const firstUse = (await auth.listApiTokens(eng.id))[0]!.lastUsedAt;
    expect(firstUse).toEqual(expect.any(String));
    // Kept to the minute: another call right away writes nothing.
    await auth.resolveToken(token);
    expect((await auth.listApiTokens(eng.id))[0]!.lastUsedAt).toBe(firstUse);
    await auth.updateUser(eng.id, { role: 'operator' });
    expect(await auth.resolveToken(token)).toMatchObject({ role: 'operator' });
    expect(await auth.revokeApiToken(eng.id, info.id)).toBe('ci');
    expect(await auth.resolveToken(token)).toBeUndefined();
    await expect(auth.revokeApiToken(eng.id, info.id)).rejects.toMatchObject({ status: 404 });
  });

  it('keeps one enabled admin, ends a disabled user\'s sessions, and keeps preferences and the audit log', async () => {
    const auth = await authOn(dialect);
    const admin = await auth.createUser('root', 'admin-password', 'admin');
    await expect(auth.updateUser(admin.id, { role: 'engineer' })).rejects.toMatchObject({ status: 409, code: 'last_admin' });
    await expect(auth.deleteUser(admin.id)).rejects.toMatchObject({ status: 409, code: 'last_admin' });
    const other = await auth.createUser('second', 'admin-password', 'admin');
    const { token } = await auth.login('second', 'admin-password', '198.51.100.2');
    await auth.updateUser(other.id, { disabled: true });
    expect(await auth.resolveToken(token)).toBeUndefined();
    await expect(auth.updateUser(admin.id, { disabled: true })).rejects.toMatchObject({ code: 'last_admin' });
    await auth.deleteUser(other.id);
    expect((await auth.listUsers()).map((u) => u.username)).toEqual(['root']);

    expect(await auth.getPreferences(admin.id)).toEqual({ locale: null, timeZone: null, theme: 'system' });
    await auth.setPreferences(admin.id, { locale: 'zh-CN', timeZone: 'Asia/Shanghai', theme: 'dark' });
    expect(await auth.getPreferences(admin.id)).toEqual({ locale: 'zh-CN', timeZone: 'Asia/Shanghai', theme: 'dark' });

    await auth.audit('root', 'device.secret.reveal', 'pk/dn');
    await auth.audit('root', 'user.update', 'second', { disabled: true });
    const log = await auth.listAudit(10);
    expect(log.map((e) => [e.actor, e.action, e.target, e.details])).toEqual([
      ['root', 'user.update', 'second', { disabled: true }],
      ['root', 'device.secret.reveal', 'pk/dn', null],
    ]);
    expect(await auth.listAudit(10, log[0]!.id)).toHaveLength(1);
  });
});
