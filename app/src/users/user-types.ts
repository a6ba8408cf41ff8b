/** Users, API tokens and audit entries as the API answers them (`domain/auth/auth-schemas.ts`), and the role rules. */
import { MIN_PASSWORD_LENGTH, USERNAME_PATTERN } from '../../../domain/auth/auth-schemas.ts';
import type { Role } from '../../../domain/auth/permissions.ts';

// The server's own role list and ceiling rule, so the screens offer what it accepts.
export { roleAtMost, roles, type Role } from '../../../domain/auth/permissions.ts';

/** What each role may do (`domain/auth/permissions.ts`). */
export const roleSummaries: Record<Role, string> = {
  operator: 'Reads products, devices, flows and alerts; acknowledges and clears alerts.',
  engineer: 'What an operator does, and edits products, devices and flows (code nodes only where the server allows it).',
  admin: 'What an engineer does, and deploys code nodes (host access), manages users and tokens, reveals device secrets and reads the audit log.',
};

export type { ApiToken, AuditEntry, CreatedApiToken, Me, User } from '../../../domain/auth/auth-schemas.ts';

/** Usernames the API accepts (`POST /users`). */
export const USERNAME = new RegExp(USERNAME_PATTERN);
export const USERNAME_RULE = 'Letters, digits and _ . @ - only, up to 64 characters.';
/** The API's shortest password. */
export const MIN_PASSWORD = MIN_PASSWORD_LENGTH;
