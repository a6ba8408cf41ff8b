import { Type } from '@sinclair/typebox';
import type { Request } from 'express';
import { forbidden, validationFailed } from '../errors.ts';
import type { RouteTable } from '../http/route-table.ts';
import type { AuthService } from './auth-service.ts';
import { ApiToken, AuditEntry, CreatedApiToken, Me, MIN_PASSWORD_LENGTH, Preferences, Role, User, USERNAME_PATTERN } from '../../domain/auth/auth-schemas.ts';
import { roleAtMost } from '../../domain/auth/permissions.ts';

export const SESSION_COOKIE = 'thingwire_session';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

/** Reads the bearer token or the session cookie of a request. */
export function requestToken(req: Request): { token: string; via: 'header' | 'cookie' } | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return { token: header.slice(7).trim(), via: 'header' };
  const cookie = parseCookies(req.headers.cookie)[SESSION_COOKIE];
  return cookie ? { token: cookie, via: 'cookie' } : undefined;
}

/** Whether `zone` is an IANA time zone name the runtime knows. */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) {
      try {
        out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        // A malformed cookie is simply not ours.
      }
    }
  }
  return out;
}

export function registerAuthRoutes(table: RouteTable, auth: AuthService, sessionTtlHours: number): void {
  table.add({
    method: 'post', path: '/auth/login', access: 'public', tag: 'auth',
    summary: 'Sign in: returns a bearer token and sets the session cookie',
    body: Type.Object({ username: Type.String({ minLength: 1, maxLength: 100 }), password: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false }),
    response: Type.Object({ token: Type.String(), expiresAt: Type.String(), user: User }),
    async handler({ body, req, res }) {
      const session = await auth.login(body.username, body.password, req.ip ?? 'unknown');
      res.cookie(SESSION_COOKIE, session.token, {
        httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: sessionTtlHours * 3_600_000,
      });
      await auth.audit(session.user.username, 'auth.login', null, { from: req.ip });
      return session;
    },
  });
  table.add({
    method: 'post', path: '/auth/logout', access: 'authenticated', tag: 'auth',
    summary: 'End the current session',
    async handler({ req, res, principal }) {
      const t = requestToken(req);
      if (t) await auth.logout(t.token);
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      await auth.audit(principal.username, 'auth.logout', null, { via: principal.via });
    },
  });
  table.add({
    method: 'get', path: '/auth/me', access: 'authenticated', tag: 'auth',
    summary: 'Who am I, with which role, what it permits (so a UI offers only what I may do) and how signed in',
    response: Me,
    handler: async ({ principal }) => ({
      ...(await auth.getUser(principal.userId)), via: principal.via, role: principal.role, permissions: [...principal.permissions],
      preferences: await auth.getPreferences(principal.userId),
    }),
  });
  table.add({
    method: 'put', path: '/auth/me/preferences', access: 'authenticated', tag: 'auth',
    summary: 'Save my UI preferences: language (en, zh-CN; null: the browser\'s), time zone (IANA name; null: the browser\'s) and theme',
    body: Preferences,
    response: Preferences,
    async handler({ body, principal }) {
      if (body.timeZone !== null && !isTimeZone(body.timeZone)) {
        throw validationFailed(`"${body.timeZone}" is not a time zone this server knows (an IANA name such as Asia/Shanghai).`, [
          { path: '/timeZone', message: 'unknown time zone' },
        ]);
      }
      const saved = await auth.setPreferences(principal.userId, body);
      await auth.audit(principal.username, 'auth.preferences', principal.username, saved);
      return saved;
    },
  });

  table.add({
    method: 'post', path: '/auth/password', access: 'authenticated', tag: 'auth',
    summary: 'Change my password (ends my other sessions, and my API tokens unless revokeTokens is false)',
    body: Type.Object({
      currentPassword: Type.String({ minLength: 1, maxLength: 1000 }),
      newPassword: Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 1000 }),
      revokeTokens: Type.Boolean({ default: true, description: 'Also revoke my API tokens (a leaked password may have made some)' }),
    }, { additionalProperties: false }),
    async handler({ body, principal, req }) {
      await auth.changeOwnPassword(principal.userId, body.currentPassword, body.newPassword, {
        sessionToken: principal.via === 'session' ? requestToken(req)?.token : undefined,
        apiTokens: !body.revokeTokens,
      }, req.ip ?? 'unknown');
      await auth.audit(principal.username, 'auth.password-change', principal.username, { tokensRevoked: body.revokeTokens });
    },
  });
  table.add({
    method: 'get', path: '/auth/tokens', access: 'tokens:own', tag: 'auth',
    summary: 'List my API tokens (the tokens themselves are never shown again)',
    response: Type.Object({ items: Type.Array(ApiToken) }),
    handler: async ({ principal }) => ({ items: await auth.listApiTokens(principal.userId) }),
  });
  table.add({
    method: 'post', path: '/auth/tokens', access: 'tokens:own', tag: 'auth', status: 201,
    summary: 'Create a long-lived API token for scripts; its role cannot exceed mine',
    body: Type.Object({
      name: Type.String({ minLength: 1, maxLength: 100 }),
      role: Type.Optional(Role),
      expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    }, { additionalProperties: false }),
    response: CreatedApiToken,
    async handler({ body, principal }) {
      const role = body.role ?? principal.role;
      if (!roleAtMost(role, principal.role)) throw forbidden(`role ${role}`);
      const created = await auth.createApiToken(principal.userId, body.name, role, body.expiresInDays);
      await auth.audit(principal.username, 'token.create', body.name, { id: created.info.id, role, expiresInDays: body.expiresInDays ?? null });
      return { token: created.token, ...created.info };
    },
  });
  table.add({
    method: 'delete', path: '/auth/tokens/:id', access: 'tokens:own', tag: 'auth',
    summary: 'Revoke one of my API tokens', params: IdParams,
    async handler({ params, principal }) {
      const name = await auth.revokeApiToken(principal.userId, params.id);
      await auth.audit(principal.username, 'token.revoke', name, { id: params.id, owner: principal.username });
    },
  });

  table.add({
    method: 'get', path: '/users', access: 'users:manage', tag: 'users', summary: 'List users',
    response: Type.Object({ items: Type.Array(User) }),
    handler: async () => ({ items: await auth.listUsers() }),
  });
  table.add({
    method: 'post', path: '/users', access: 'users:manage', tag: 'users', status: 201, summary: 'Create a user',
    body: Type.Object({
      username: Type.String({ pattern: USERNAME_PATTERN }),
      password: Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 1000 }),
      role: Role,
    }, { additionalProperties: false }),
    response: User,
    async handler({ body, principal }) {
      const user = await auth.createUser(body.username, body.password, body.role);
      await auth.audit(principal.username, 'user.create', user.username, { role: user.role });
      return user;
    },
  });
  table.add({
    method: 'patch', path: '/users/:id', access: 'users:manage', tag: 'users',
    summary: 'Change a user\'s role, password or disabled flag. A new password ends their sessions and (unless revokeTokens is false) their API tokens; disabling ends both',
    params: IdParams,
    body: Type.Object({
      role: Type.Optional(Role), disabled: Type.Optional(Type.Boolean()), password: Type.Optional(Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 1000 })),
      revokeTokens: Type.Boolean({ default: true, description: 'With a new password: also revoke their API tokens' }),
    }, { additionalProperties: false }),
    async handler({ params, body, principal }) {
      const { revokeTokens, ...patch } = body;
      const user = await auth.updateUser(params.id, patch, { apiTokens: !revokeTokens });
      await auth.audit(principal.username, 'user.update', user.username, {
        role: body.role, disabled: body.disabled, password: body.password ? 'changed' : undefined,
        tokensRevoked: body.disabled === true || (body.password !== undefined && revokeTokens) || undefined,
      });
      return user;
    },
  });
  table.add({
    method: 'delete', path: '/users/:id', access: 'users:manage', tag: 'users', summary: 'Delete a user', params: IdParams,
    async handler({ params, principal }) {
      if (params.id === principal.userId) throw forbidden('deleting yourself');
      const user = await auth.getUser(params.id);
      await auth.deleteUser(params.id);
      await auth.audit(principal.username, 'user.delete', user.username);
    },
  });
  table.add({
    method: 'get', path: '/users/:id/tokens', access: 'users:manage', tag: 'users', params: IdParams,
    summary: 'List a user\'s API tokens (names, roles, last use; never the tokens themselves)',
    response: Type.Object({ items: Type.Array(ApiToken) }),
    handler: async ({ params }) => {
      await auth.getUser(params.id);
      return { items: await auth.listApiTokens(params.id) };
    },
  });
  table.add({
    method: 'delete', path: '/users/:id/tokens/:tokenId', access: 'users:manage', tag: 'users',
    summary: 'Revoke one of a user\'s API tokens; it stops working at once',
    params: Type.Object({ id: Type.Integer({ minimum: 1 }), tokenId: Type.Integer({ minimum: 1 }) }),
    async handler({ params, principal }) {
      const owner = await auth.getUser(params.id);
      const name = await auth.revokeApiToken(params.id, params.tokenId);
      await auth.audit(principal.username, 'token.revoke', name, { id: params.tokenId, owner: owner.username });
    },
  });
  table.add({
    method: 'get', path: '/audit', access: 'audit:read', tag: 'users', summary: 'Audit log, newest first',
    query: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }), before: Type.Optional(Type.Integer()) }),
    response: Type.Object({ items: Type.Array(AuditEntry) }),
    handler: async ({ query }) => ({ items: await auth.listAudit(query.limit, query.before) }),
  });
}
