import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/database.ts';
import { ApiError, conflict, notFound } from '../errors.ts';
import { decoyHash, generatePassword, hashPassword, verifyPassword } from './passwords.ts';
import type { Role } from './permissions.ts';

/** Who is calling: resolved from a session token, the session cookie or an API token. */
export interface Principal {
  userId: number;
  username: string;
  role: Role;
  via: 'session' | 'api-token';
  tokenId?: number;
}

export interface User {
  id: number;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

export interface ApiTokenInfo {
  id: number;
  name: string;
  role: Role;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const now = () => new Date().toISOString();
// Session tokens and API tokens are told apart by prefix, so a leaked string says what it is (and secret scanners
// can find it).
const SESSION_PREFIX = 'tws_';
const API_TOKEN_PREFIX = 'twt_';

const loginWindowMs = 15 * 60_000;
const maxFailures = 10;

/** Users, login sessions and long-lived API tokens, stored hashed in SQLite. */
export class AuthService {
  readonly #failures = new Map<string, { count: number; since: number }>();
  readonly #touch;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly sessionTtlMs: number,
  ) {
    this.#touch = db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?');
  }

  /**
   * On first start (no users at all) creates the admin. Returns the password when it was generated, so the caller
   * prints it once; it is stored only as a hash.
   */
  async ensureFirstAdmin(givenPassword?: string): Promise<{ username: string; generatedPassword?: string } | null> {
    const count = this.db.prepare('SELECT count(*) FROM users').pluck().get() as number;
    if (count > 0) return null;
    const password = givenPassword ?? generatePassword();
    await this.createUser('admin', password, 'admin');
    return { username: 'admin', generatedPassword: givenPassword ? undefined : password };
  }

  async createUser(username: string, password: string, role: Role): Promise<User> {
    if (password.length < 10) {
      throw new ApiError(422, 'weak_password', 'Passwords need at least 10 characters.');
    }
    const hash = await hashPassword(password);
    try {
      const t = now();
      const id = this.db
        .prepare('INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
        .run(username, hash, role, t, t).lastInsertRowid;
      return this.getUser(Number(id));
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw conflict('user_exists', `A user named "${username}" already exists.`);
      }
      throw err;
    }
  }

  listUsers(): User[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY id').all() as UserRow[]).map(toUser);
  }

  getUser(id: number): User {
    const row = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    if (!row) throw notFound('User', String(id));
    return toUser(row);
  }

  /** A password change ends the user's sessions, except the one given (the session that asked for the change). */
  async updateUser(id: number, patch: { role?: Role; disabled?: boolean; password?: string }, keepSessionToken?: string): Promise<User> {
    const user = this.getUser(id);
    if ((patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true) this.#keepAnAdmin(user);
    if (patch.password !== undefined) {
      if (patch.password.length < 10) throw new ApiError(422, 'weak_password', 'Passwords need at least 10 characters.');
      this.db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(await hashPassword(patch.password), id);
      this.db.prepare('DELETE FROM sessions WHERE user_id = ? AND token_hash != ?').run(id, keepSessionToken ? sha256(keepSessionToken) : '');
    }
    if (patch.role !== undefined) this.db.prepare('UPDATE users SET role = ? WHERE id = ?').run(patch.role, id);
    if (patch.disabled !== undefined) {
      this.db.prepare('UPDATE users SET disabled = ? WHERE id = ?').run(patch.disabled ? 1 : 0, id);
      if (patch.disabled) this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(id);
    }
    this.db.prepare('UPDATE users SET updated_at = ? WHERE id = ?').run(now(), id);
    return this.getUser(id);
  }

  /** Changes one's own password after checking the current one; ends every other session of the user. */
  async changeOwnPassword(userId: number, current: string, next: string, keepToken?: string): Promise<void> {
    const row = this.db.prepare('SELECT password_hash FROM users WHERE id = ?').get(userId) as { password_hash: string } | undefined;
    if (!row || !(await verifyPassword(current, row.password_hash))) {
      throw new ApiError(403, 'wrong_password', 'The current password is wrong.');
    }
    await this.updateUser(userId, { password: next }, keepToken);
  }

  deleteUser(id: number): void {
    this.#keepAnAdmin(this.getUser(id));
    this.db.prepare('DELETE FROM users WHERE id = ?').run(id);
  }

  /**
   * Refuses to take away the last enabled admin (demoted, disabled or deleted): nobody could manage users or reveal
   * secrets afterwards, and there is no default account to fall back on.
   */
  #keepAnAdmin(user: User): void {
    if (user.role !== 'admin' || user.disabled) return;
    const others = this.db.prepare("SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id != ?").pluck().get(user.id) as number;
    if (others === 0) {
      throw new ApiError(409, 'last_admin', `${user.username} is the only enabled admin: make another user an admin first, then change this one.`);
    }
  }

  /** Checks a username and password; refuses after repeated failures for the same name and address. */
  async login(username: string, password: string, from: string): Promise<{ token: string; expiresAt: string; user: User }> {
    const key = `${username.toLowerCase()}|${from}`;
    const failures = this.#failures.get(key);
    if (failures && Date.now() - failures.since < loginWindowMs && failures.count >= maxFailures) {
      throw new ApiError(429, 'too_many_attempts', 'Too many failed sign-ins for this user. Wait 15 minutes and try again.');
    }
    const row = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    const ok = await verifyPassword(password, row?.password_hash ?? decoyHash);
    if (!row || !ok || row.disabled) {
      const f = failures && Date.now() - failures.since < loginWindowMs ? failures : { count: 0, since: Date.now() };
      f.count += 1;
      this.#failures.set(key, f);
      this.logger.warn({ username, from }, 'failed sign-in');
      throw new ApiError(401, 'invalid_credentials', 'Wrong username or password.');
    }
    this.#failures.delete(key);
    const token = SESSION_PREFIX + randomBytes(32).toString('base64url');
    const expires = Date.now() + this.sessionTtlMs;
    this.db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(Date.now());
    this.db
      .prepare('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(sha256(token), row.id, now(), expires);
    return { token, expiresAt: new Date(expires).toISOString(), user: toUser(row) };
  }

  logout(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(sha256(token));
  }

  /** Resolves a session or API token to its principal, or undefined when unknown, expired or its user is disabled. */
  resolveToken(token: string): Principal | undefined {
    if (token.startsWith(SESSION_PREFIX)) {
      const row = this.db
        .prepare(
          `SELECT u.id, u.username, u.role FROM sessions s JOIN users u ON u.id = s.user_id
           WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0`,
        )
        .get(sha256(token), Date.now()) as { id: number; username: string; role: Role } | undefined;
      return row && { userId: row.id, username: row.username, role: row.role, via: 'session' };
    }
    if (token.startsWith(API_TOKEN_PREFIX)) {
      const row = this.db
        .prepare(
          `SELECT t.id AS token_id, t.role, u.id, u.username, u.role AS user_role FROM api_tokens t
           JOIN users u ON u.id = t.user_id
           WHERE t.token_hash = ? AND (t.expires_at IS NULL OR t.expires_at > ?) AND u.disabled = 0`,
        )
        .get(sha256(token), Date.now()) as
        | { token_id: number; role: Role; id: number; username: string; user_role: Role }
        | undefined;
      if (!row) return undefined;
      this.#touch.run(now(), row.token_id);
      return { userId: row.id, username: row.username, role: row.role, via: 'api-token', tokenId: row.token_id };
    }
    return undefined;
  }

  /** A long-lived token for scripts; the token itself is returned only here. */
  createApiToken(userId: number, name: string, role: Role, expiresInDays?: number): { token: string; info: ApiTokenInfo } {
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const expires = expiresInDays ? Date.now() + expiresInDays * 86_400_000 : null;
    const id = this.db
      .prepare('INSERT INTO api_tokens (user_id, name, token_hash, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(userId, name, sha256(token), role, now(), expires).lastInsertRowid;
    return { token, info: this.listApiTokens(userId).find((t) => t.id === Number(id))! };
  }

  listApiTokens(userId: number): ApiTokenInfo[] {
    const rows = this.db
      .prepare('SELECT id, name, role, created_at, expires_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY id')
      .all(userId) as { id: number; name: string; role: Role; created_at: string; expires_at: number | null; last_used_at: string | null }[];
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      role: r.role,
      createdAt: r.created_at,
      expiresAt: r.expires_at === null ? null : new Date(r.expires_at).toISOString(),
      lastUsedAt: r.last_used_at,
    }));
  }

  revokeApiToken(userId: number, tokenId: number): void {
    const { changes } = this.db.prepare('DELETE FROM api_tokens WHERE id = ? AND user_id = ?').run(tokenId, userId);
    if (!changes) throw notFound('API token', String(tokenId));
  }

  /** Appends to the audit log (who revealed which secret, who changed which user…). */
  audit(actor: string, action: string, target: string | null, details?: unknown): void {
    this.db
      .prepare('INSERT INTO audit_log (at, actor, action, target, details) VALUES (?, ?, ?, ?, ?)')
      .run(now(), actor, action, target, details === undefined ? null : JSON.stringify(details));
  }

  listAudit(limit: number, before?: number): { id: number; at: string; actor: string; action: string; target: string | null; details: unknown }[] {
    const rows = this.db
      .prepare('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?')
      .all(before ?? Number.MAX_SAFE_INTEGER, limit) as { id: number; at: string; actor: string; action: string; target: string | null; details: string | null }[];
    return rows.map((r) => ({ ...r, details: r.details ? JSON.parse(r.details) : null }));
  }
}

interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  role: Role;
  disabled: number;
  created_at: string;
}

const toUser = (r: UserRow): User => ({
  id: r.id,
  username: r.username,
  role: r.role,
  disabled: !!r.disabled,
  createdAt: r.created_at,
});
