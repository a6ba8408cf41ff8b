import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { ApiError, conflict, notFound } from '../errors.ts';
import { HashGate } from './hash-gate.ts';
import { LoginLimiter } from './login-limiter.ts';
import { decoyHash, defaultHashParams, generatePassword, hashPassword, needsRehash, verifyPassword, type HashParams } from './passwords.ts';
import { rolePermissions, weakerRole, type Permission, type Principal, type Role } from '../../domain/auth/permissions.ts';
import { DEFAULT_PREFERENCES, type ApiToken, type AuditEntry, type Preferences, type User } from '../../domain/auth/auth-schemas.ts';
import { isUniqueViolation, type Sql } from '../db/sql.ts';


const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const now = () => new Date().toISOString();
// Session tokens and API tokens are told apart by prefix, so a leaked string says what it is (and secret scanners
// can find it).
const SESSION_PREFIX = 'tws_';
const API_TOKEN_PREFIX = 'twt_';
/** How exactly an API token's last use is kept (see resolveToken). */
const LAST_USED_PRECISION_MS = 60_000;

export interface AuthServiceOptions {
  /** What each role may do on this server; default {@link rolePermissions}() (engineers deploy no code). */
  permissions?: Record<Role, ReadonlySet<Permission>>;
  /** scrypt parameters for new and upgraded hashes; default {@link defaultHashParams} (tests pass cheaper ones). */
  hashParams?: HashParams;
  /** The bound on concurrent sign-in hashes; default a `HashGate` with its defaults. */
  hashGate?: HashGate;
  /** Failed sign-ins per account and per address; default a `LoginLimiter` with its defaults. */
  loginLimiter?: LoginLimiter;
  /** Told of every successful sign-in (the first admin's password file goes at its first). */
  onSignIn?: (username: string) => void;
}


/** Users, login sessions and long-lived API tokens, stored hashed in the platform database (SQLite or PostgreSQL). */
export class AuthService {
  readonly #hashParams: HashParams;
  readonly #hashGate: HashGate;
  readonly #loginLimiter: LoginLimiter;
  readonly #onSignIn: AuthServiceOptions['onSignIn'];
  /** `access-changed`: a user's sessions, tokens or role changed (see {@link AuthService.events}). */
  readonly events = new EventEmitter<{ 'access-changed': [{ userId: number }] }>();

  readonly #permissions: Record<Role, ReadonlySet<Permission>>;

  constructor(
    private readonly sql: Sql,
    private readonly logger: Logger,
    private readonly sessionTtlMs: number,
    options: AuthServiceOptions = {},
  ) {
    this.#permissions = options.permissions ?? rolePermissions();
    this.#hashParams = options.hashParams ?? defaultHashParams;
    this.#hashGate = options.hashGate ?? new HashGate();
    this.#loginLimiter = options.loginLimiter ?? new LoginLimiter();
    this.#onSignIn = options.onSignIn;
  }

  /**
   * On first start (no users at all) creates the admin. Returns the password when it was generated, so the caller
   * prints it once; it is stored only as a hash.
   */
  async ensureFirstAdmin(givenPassword?: string): Promise<{ username: string; generatedPassword?: string } | null> {
    const { n } = (await this.sql.get<{ n: number }>('SELECT count(*) AS n FROM users'))!;
    if (n > 0) return null;
    const password = givenPassword ?? generatePassword();
    try {
      await this.createUser('admin', password, 'admin');
    } catch (err) {
      // Another node of a cluster, starting at the same time, made it first: its start prints the password.
      if (err instanceof ApiError && err.code === 'user_exists') return null;
      throw err;
    }
    return { username: 'admin', generatedPassword: givenPassword ? undefined : password };
  }

  async createUser(username: string, password: string, role: Role): Promise<User> {
    if (password.length < 10) {
      throw new ApiError(422, 'weak_password', 'Passwords need at least 10 characters.');
    }
    const hash = await hashPassword(password, this.#hashParams);
    try {
      const t = now();
      const row = await this.sql.get<UserRow>(
        'INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING *', [username, hash, role, t, t],
      );
      return toUser(row!);
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw conflict('user_exists', `A user named "${username}" already exists.`);
      }
      throw err;
    }
  }

  async listUsers(): Promise<User[]> {
    return (await this.sql.all<UserRow>('SELECT * FROM users ORDER BY id')).map(toUser);
  }

  async getUser(id: number): Promise<User> {
    const row = await this.sql.get<UserRow>('SELECT * FROM users WHERE id = ?', [id]);
    if (!row) throw notFound('User', String(id));
    return toUser(row);
  }

  /** A user's UI preferences (language, time zone, theme); the defaults until they chose. */
  async getPreferences(id: number): Promise<Preferences> {
    const row = await this.sql.get<{ preferences: string | null }>('SELECT preferences FROM users WHERE id = ?', [id]);
    if (!row) throw notFound('User', String(id));
    if (!row.preferences) return { ...DEFAULT_PREFERENCES };
    return { ...DEFAULT_PREFERENCES, ...(JSON.parse(row.preferences) as Partial<Preferences>) };
  }

  /** Saves a user's UI preferences; answers them. */
  async setPreferences(id: number, preferences: Preferences): Promise<Preferences> {
    const { changes } = await this.sql.run('UPDATE users SET preferences = ?, updated_at = ? WHERE id = ?', [JSON.stringify(preferences), now(), id]);
    if (!changes) throw notFound('User', String(id));
    return preferences;
  }

  /**
   * Changes a user. A new password ends the user's sessions (except `keep.sessionToken`, the one that asked) and, unless
   * `keep.apiTokens`, their API tokens; disabling ends both for good (re-enabling does not bring them back).
   */
  async updateUser(
    id: number,
    patch: { role?: Role; disabled?: boolean; password?: string },
    keep: { sessionToken?: string; apiTokens?: boolean } = {},
  ): Promise<User> {
    await this.getUser(id);
    if (patch.password !== undefined && patch.password.length < 10) {
      throw new ApiError(422, 'weak_password', 'Passwords need at least 10 characters.');
    }
    const hash = patch.password === undefined ? undefined : await hashPassword(patch.password, this.#hashParams);
    await this.sql.transaction(async (tx) => {
      // Under the lock, so that two changes (on two nodes) cannot each leave the other's admin the last one, then both go.
      if ((patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true) await this.#keepAnAdmin(tx, id);
      if (hash !== undefined) {
        await tx.run('UPDATE users SET password_hash = ? WHERE id = ?', [hash, id]);
        await tx.run('DELETE FROM sessions WHERE user_id = ? AND token_hash != ?', [id, keep.sessionToken ? sha256(keep.sessionToken) : '']);
        if (!keep.apiTokens) await tx.run('DELETE FROM api_tokens WHERE user_id = ?', [id]);
      }
      if (patch.role !== undefined) await tx.run('UPDATE users SET role = ? WHERE id = ?', [patch.role, id]);
      if (patch.disabled !== undefined) {
        await tx.run('UPDATE users SET disabled = ? WHERE id = ?', [patch.disabled ? 1 : 0, id]);
        if (patch.disabled) {
          await tx.run('DELETE FROM sessions WHERE user_id = ?', [id]);
          await tx.run('DELETE FROM api_tokens WHERE user_id = ?', [id]);
        }
      }
      await tx.run('UPDATE users SET updated_at = ? WHERE id = ?', [now(), id]);
    });
    this.#accessChanged(id);
    return this.getUser(id);
  }

  /**
   * Changes one's own password after checking the current one (under the sign-in limits: a stolen session must not
   * become a way to guess it); ends every other session, and the API tokens unless kept.
   */
  async changeOwnPassword(
    userId: number,
    current: string,
    next: string,
    keep: { sessionToken?: string; apiTokens?: boolean } = {},
    from = 'unknown',
  ): Promise<void> {
    const user = await this.getUser(userId);
    if (!(await this.#checkPassword(user.username, current, from))) {
      throw new ApiError(403, 'wrong_password', 'The current password is wrong.');
    }
    await this.updateUser(userId, { password: next }, keep);
  }

  /** Deletes a user; their sessions and API tokens go with them (foreign keys cascade). */
  async deleteUser(id: number): Promise<void> {
    await this.getUser(id);
    await this.sql.transaction(async (tx) => {
      await this.#keepAnAdmin(tx, id);
      await tx.run('DELETE FROM users WHERE id = ?', [id]);
    });
    this.#accessChanged(id);
  }

  /**
   * Tells listeners (live sockets) that what a user's credentials grant may have changed: a session ended, a token was
   * revoked, a role changed, the user was disabled or deleted. They re-resolve their credentials at once.
   */
  #accessChanged(userId: number): void {
    this.events.emit('access-changed', { userId });
  }

  /**
   * Refuses to take away the last enabled admin (demoted, disabled or deleted): nobody could manage users or reveal
   * secrets afterwards, and there is no default account to fall back on.
   */
  async #keepAnAdmin(tx: Sql, id: number): Promise<void> {
    await tx.lock('users:admins');
    const user = await tx.get<UserRow>('SELECT * FROM users WHERE id = ?', [id]);
    if (!user || user.role !== 'admin' || user.disabled) return;
    const { n } = (await tx.get<{ n: number }>("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled = 0 AND id != ?", [id]))!;
    if (n === 0) {
      throw new ApiError(409, 'last_admin', `${user.username} is the only enabled admin: make another user an admin first, then change this one.`);
    }
  }

  /**
   * Checks a username and password. Refuses (429) after repeated failures for the account or from the address, and
   * (503) when too many checks wait; neither costs a hash. A stored hash weaker than the current parameters is
   * replaced with the password just proven.
   */
  async login(username: string, password: string, from: string): Promise<{ token: string; expiresAt: string; user: User }> {
    const row = await this.#checkPassword(username, password, from);
    if (!row) throw new ApiError(401, 'invalid_credentials', 'Wrong username or password.');
    const token = SESSION_PREFIX + randomBytes(32).toString('base64url');
    const expires = Date.now() + this.sessionTtlMs;
    await this.sql.run('DELETE FROM sessions WHERE expires_at < ?', [Date.now()]);
    await this.sql.run('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)', [sha256(token), row.id, now(), expires]);
    this.#onSignIn?.(row.username);
    return { token, expiresAt: new Date(expires).toISOString(), user: toUser(row) };
  }

  /**
   * Checks a password under the sign-in limits and the hash bound (a refusal throws 429 or 503 without hashing);
   * answers the enabled user it proves, or undefined. Sign-ins and password changes both come here: either is a way
   * to guess a password, and each check costs the same memory.
   */
  async #checkPassword(username: string, password: string, from: string): Promise<UserRow | undefined> {
    // Reserved before any await, so parallel attempts count each other: at most the limit's number of checks run.
    const attempt = this.#loginLimiter.reserve(username, from);
    let checked: { row: UserRow | undefined; ok: boolean };
    try {
      checked = await this.#hashGate.run(async () => {
        // Read in our turn, not before waiting for it: the password may have changed meanwhile.
        const row = await this.sql.get<UserRow>('SELECT * FROM users WHERE username = ?', [username]);
        const ok = await verifyPassword(password, row?.password_hash ?? decoyHash(this.#hashParams));
        // In the same turn: the new hash takes as much memory as any other, so it counts against the same bound.
        if (row && ok && !row.disabled && needsRehash(row.password_hash, this.#hashParams)) await this.#rehash(row, password);
        return { row, ok };
      }, { urgent: !attempt.suspect, label: username });
    } catch (err) {
      attempt.cancelled();
      throw err;
    }
    const { row, ok } = checked;
    if (!row || !ok || row.disabled) {
      attempt.failed();
      this.logger.warn({ username, from }, 'wrong password');
      return undefined;
    }
    attempt.succeeded();
    return row;
  }

  /** Replaces a user's hash made with weaker parameters, unless the password changed since it was read. */
  async #rehash(row: UserRow, password: string): Promise<void> {
    const hash = await hashPassword(password, this.#hashParams);
    const { changes } = await this.sql.run('UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?', [hash, row.id, row.password_hash]);
    if (changes) this.logger.info({ username: row.username, ...this.#hashParams }, 'password hash upgraded');
  }

  async logout(token: string): Promise<void> {
    const row = await this.sql.get<{ user_id: number }>('DELETE FROM sessions WHERE token_hash = ? RETURNING user_id', [sha256(token)]);
    if (row) this.#accessChanged(row.user_id);
  }

  /**
   * Resolves a session or API token to its principal, or undefined when unknown, expired or its user is disabled. An
   * API token acts with the weaker of its own role and its owner's role now: demoting a user demotes their tokens.
   */
  async resolveToken(token: string): Promise<Principal | undefined> {
    if (token.startsWith(SESSION_PREFIX)) {
      const row = await this.sql.get<{ id: number; username: string; role: Role }>(
        `SELECT u.id, u.username, u.role FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0`, [sha256(token), Date.now()],
      );
      return row && { userId: row.id, username: row.username, role: row.role, permissions: this.#permissions[row.role], via: 'session' };
    }
    if (token.startsWith(API_TOKEN_PREFIX)) {
      const row = await this.sql.get<{ token_id: number; role: Role; id: number; username: string; user_role: Role; last_used_at: string | null }>(
        `SELECT t.id AS token_id, t.role, u.id, u.username, u.role AS user_role, t.last_used_at FROM api_tokens t
         JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = ? AND (t.expires_at IS NULL OR t.expires_at > ?) AND u.disabled = 0`, [sha256(token), Date.now()],
      );
      if (!row) return undefined;
      // Noted to the minute: a script calling the API in a loop costs a write a minute, not one per request.
      if (row.last_used_at === null || Date.parse(row.last_used_at) < Date.now() - LAST_USED_PRECISION_MS) {
        await this.sql.run('UPDATE api_tokens SET last_used_at = ? WHERE id = ?', [now(), row.token_id]);
      }
      const role = weakerRole(row.role, row.user_role);
      return { userId: row.id, username: row.username, role, permissions: this.#permissions[role], via: 'api-token', tokenId: row.token_id };
    }
    return undefined;
  }

  /** A long-lived token for scripts; the token itself is returned only here. */
  async createApiToken(userId: number, name: string, role: Role, expiresInDays?: number): Promise<{ token: string; info: ApiToken }> {
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const expires = expiresInDays ? Date.now() + expiresInDays * 86_400_000 : null;
    const row = await this.sql.get<ApiTokenRow>(
      `INSERT INTO api_tokens (user_id, name, token_hash, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
       RETURNING id, name, role, created_at, expires_at, last_used_at`, [userId, name, sha256(token), role, now(), expires],
    );
    return { token, info: toApiToken(row!) };
  }

  async listApiTokens(userId: number): Promise<ApiToken[]> {
    const rows = await this.sql.all<ApiTokenRow>('SELECT id, name, role, created_at, expires_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY id', [userId]);
    return rows.map(toApiToken);
  }

  /** Revokes one of a user's API tokens; it stops working at once. Answers the token's name. */
  async revokeApiToken(userId: number, tokenId: number): Promise<string> {
    const row = await this.sql.get<{ name: string }>('DELETE FROM api_tokens WHERE id = ? AND user_id = ? RETURNING name', [tokenId, userId]);
    if (row === undefined) throw notFound('API token', String(tokenId));
    this.#accessChanged(userId);
    return row.name;
  }

  /** Appends to the audit log (who revealed which secret, who changed which user…). */
  async audit(actor: string, action: string, target: string | null, details?: unknown): Promise<void> {
    await this.sql.run('INSERT INTO audit_log (at, actor, action, target, details) VALUES (?, ?, ?, ?, ?)', [
      now(), actor, action, target, details === undefined ? null : JSON.stringify(details),
    ]);
  }

  async listAudit(limit: number, before?: number): Promise<AuditEntry[]> {
    const rows = await this.sql.all<{ id: number; at: string; actor: string; action: string; target: string | null; details: string | null }>(
      'SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?', [before ?? Number.MAX_SAFE_INTEGER, limit],
    );
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

interface ApiTokenRow {
  id: number;
  name: string;
  role: Role;
  created_at: string;
  expires_at: number | null;
  last_used_at: string | null;
}

const toApiToken = (r: ApiTokenRow): ApiToken => ({
  id: r.id,
  name: r.name,
  role: r.role,
  createdAt: r.created_at,
  expiresAt: r.expires_at === null ? null : new Date(r.expires_at).toISOString(),
  lastUsedAt: r.last_used_at,
});

const toUser = (r: UserRow): User => ({
  id: r.id,
  username: r.username,
  role: r.role,
  disabled: !!r.disabled,
  createdAt: r.created_at,
});
