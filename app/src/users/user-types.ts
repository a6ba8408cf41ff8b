/**
 * Users, API tokens and audit entries as `server/auth/auth-routes.ts` answers them (restated here: the app reads the
 * API over HTTP).
 */
import type { Role } from '../../../domain/auth/permissions.ts';

// The server's own role list and ceiling rule (a pure module the app bundles), so the screens offer what it accepts.
export { roleAtMost, roles, type Role } from '../../../domain/auth/permissions.ts';

/** What each role may do (`domain/auth/permissions.ts`). */
export const roleSummaries: Record<Role, string> = {
  operator: 'Reads products, devices, flows and alerts; acknowledges and clears alerts.',
  engineer: 'What an operator does, and edits products, devices and flows (code nodes only where the server allows it).',
  admin: 'What an engineer does, and deploys code nodes (host access), manages users and tokens, reveals device secrets and reads the audit log.',
};

export interface User {
  id: number;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

/** `GET /auth/me`: the user, how this request signed in, and what the role permits. */
export interface Me extends User {
  via: 'session' | 'api-token';
  permissions: string[];
}

export interface ApiToken {
  id: number;
  name: string;
  role: Role;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/** `POST /auth/tokens` answers the token itself, this once, with its description. */
export interface CreatedApiToken extends ApiToken {
  token: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: unknown;
}

/** Usernames the API accepts (`POST /users`). */
export const USERNAME = /^[A-Za-z0-9_.@-]{1,64}$/;
export const USERNAME_RULE = 'Letters, digits and _ . @ - only, up to 64 characters.';
/** The API's shortest password. */
export const MIN_PASSWORD = 10;
