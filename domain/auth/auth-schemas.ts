import { Type, type Static } from '@sinclair/typebox';
import { roles } from './permissions.ts';

/** The shapes of the sign-in, user, token and audit routes, declared once for the server, OpenAPI and the screens. */

/** User names: letters, digits and `_ . @ -`, at most 64. */
export const USERNAME_PATTERN = '^[A-Za-z0-9_.@-]{1,64}$';
/** The shortest password a user may set (the first admin's generated one is longer). */
export const MIN_PASSWORD_LENGTH = 10;

export const Role = Type.Union(roles.map((r) => Type.Literal(r)));

export const User = Type.Object({
  id: Type.Integer(), username: Type.String(), role: Role, disabled: Type.Boolean(), createdAt: Type.String({ format: 'date-time' }),
});

/**
 * A user's choices for the UI: language, time zone (IANA name) and theme. `null` language or time zone: the browser's;
 * `system` theme: the operating system's light or dark setting.
 */
export const Preferences = Type.Object({
  locale: Type.Union([Type.Literal('en'), Type.Literal('zh-CN'), Type.Null()]),
  timeZone: Type.Union([Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_+\\-/]+$' }), Type.Null()]),
  theme: Type.Union([Type.Literal('system'), Type.Literal('light'), Type.Literal('dark')]),
}, { additionalProperties: false });
export type Preferences = Static<typeof Preferences>;
export const DEFAULT_PREFERENCES: Preferences = { locale: null, timeZone: null, theme: 'system' };

/**
 * `GET /auth/me`: the user, the role in effect (a token's may be weaker), what it permits, how they signed in and
 * their UI preferences.
 */
export const Me = Type.Composite([User, Type.Object({
  via: Type.Union([Type.Literal('session'), Type.Literal('api-token')]),
  permissions: Type.Array(Type.String()),
  preferences: Preferences,
})]);

export const ApiToken = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: Role,
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When the token was last used, to the minute; null before its first use' }),
});

/** A token as its creation answers it: the only time the token itself is shown. */
export const CreatedApiToken = Type.Composite([ApiToken, Type.Object({ token: Type.String() })]);

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actor: Type.String(),
  action: Type.String({ description: 'What was done: `user.create`, `flows.deploy`, `auth.logout`, …' }),
  target: Type.Union([Type.String(), Type.Null()]),
  details: Type.Unknown(),
});

export type User = Static<typeof User>;
export type Me = Static<typeof Me>;
export type ApiToken = Static<typeof ApiToken>;
export type CreatedApiToken = Static<typeof CreatedApiToken>;
export type AuditEntry = Static<typeof AuditEntry>;
