/** Users, API tokens and audit entries as the API answers them (`domain/auth/auth-schemas.ts`), and the role rules. */
import { MIN_PASSWORD_LENGTH, USERNAME_PATTERN } from '../../../domain/auth/auth-schemas.ts';
import type { Role } from '../../../domain/auth/permissions.ts';
import { t, type UsersKey } from './users.messages.ts';

// The server's own role list and ceiling rule, so the screens offer what it accepts.
export { roleAtMost, roles, type Role } from '../../../domain/auth/permissions.ts';

const roleKeys: Record<Role, { label: UsersKey; summary: UsersKey }> = {
  operator: { label: 'role.operator', summary: 'roleSummary.operator' },
  engineer: { label: 'role.engineer', summary: 'roleSummary.engineer' },
  admin: { label: 'role.admin', summary: 'roleSummary.admin' },
};

/** A role's name in the UI's language ("operator", "运维员"); one the screens do not know as it is. */
export function roleLabel(role: string): string {
  const keys = roleKeys[role as Role];
  return keys ? t(keys.label) : role;
}

/** What a role may do (`domain/auth/permissions.ts`), in a sentence. */
export function roleSummary(role: Role): string {
  const keys = roleKeys[role];
  return keys ? t(keys.summary) : '';
}

export type { ApiToken, AuditEntry, CreatedApiToken, Me, User } from '../../../domain/auth/auth-schemas.ts';

/** Usernames the API accepts (`POST /users`). */
export const USERNAME = new RegExp(USERNAME_PATTERN);
/** What the username pattern allows, in words. */
export function usernameRule(): string {
  return t('usernameRule');
}
/** The API's shortest password. */
export const MIN_PASSWORD = MIN_PASSWORD_LENGTH;
