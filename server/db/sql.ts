/**
 * One asynchronous way to run SQL against the registry's database, whichever it is: SQLite (`better-sqlite3`, the
 * single-node default) or PostgreSQL (`pg`, cluster mode). Stores write their statements once, in the SQL both
 * understand, with `?` or `@name` parameters; the PostgreSQL side rewrites those to `$1…`.
 *
 * Integers come back as numbers from both (PostgreSQL's bigint and count(*) included), text as strings, booleans as
 * the 0/1 integers the schema stores.
 */
import type Database from 'better-sqlite3';
import pg from 'pg';

export type SqlDialect = 'sqlite' | 'postgres';
/** Positional (`?`) or named (`@name`) parameters. */
export type SqlParams = readonly unknown[] | Readonly<Record<string, unknown>>;

export interface Sql {
  readonly dialect: SqlDialect;
  all<T>(text: string, params?: SqlParams): Promise<T[]>;
  get<T>(text: string, params?: SqlParams): Promise<T | undefined>;
  /** A statement whose rows are not wanted; how many rows it changed. */
  run(text: string, params?: SqlParams): Promise<{ changes: number }>;
  /**
   * Runs `work` in one transaction, on `tx`: committed when it resolves, rolled back when it throws. Statements run
   * on this `Sql` meanwhile wait for it (SQLite) or run beside it on another connection (PostgreSQL). On SQLite the
   * work may wait only for its own statements (see `SqliteSql.transaction`).
   */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  /**
   * Inside a transaction: waits until no other transaction holds `key`, then holds it to the end of this one. For a
   * check then a write that must not interleave with another node's (a per-user limit, say). SQLite's transactions
   * already run one at a time; PostgreSQL takes an advisory lock.
   */
  lock(key: string): Promise<void>;
}

export interface SqlDatabase extends Sql {
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------- SQLite

type Statement = Database.Statement;

/** Statement texts kept prepared (SQLite) or translated (PostgreSQL) per database. */
const MAX_CACHED_STATEMENTS = 2000;

/** SQLite through better-sqlite3: statements prepared once per text, transactions one at a time. */
export class SqliteSql implements SqlDatabase {
  readonly dialect = 'sqlite';
  readonly #statements = new Map<string, Statement>();
  /** The transaction running now; other statements wait for it, or they would run inside it. */
  #busy: Promise<unknown> | undefined;

  constructor(readonly db: Database.Database) {}

  #prepare(text: string): Statement {
    let s = this.#statements.get(text);
    if (!s) {
      s = this.db.prepare(text);
      // Stores' statements are fixed texts; a text built per call (a list of columns, say) is prepared, not kept.
      if (this.#statements.size < MAX_CACHED_STATEMENTS) this.#statements.set(text, s);
    }
    return s;
  }

  /** better-sqlite3's arguments: the positional values, or the one object of named ones. */
  static #args(params: SqlParams | undefined): unknown[] {
    if (params === undefined) return [];
    return Array.isArray(params) ? params : [params];
  }

  async all<T>(text: string, params?: SqlParams): Promise<T[]> {
    while (this.#busy) await this.#busy.catch(() => undefined);
    return this.allNow<T>(text, params);
  }

  async get<T>(text: string, params?: SqlParams): Promise<T | undefined> {
    while (this.#busy) await this.#busy.catch(() => undefined);
    return this.getNow<T>(text, params);
  }

  async run(text: string, params?: SqlParams): Promise<{ changes: number }> {
    while (this.#busy) await this.#busy.catch(() => undefined);
    return this.runNow(text, params);
  }

  /** For the transaction's own statements, which must not wait for it. */
  allNow<T>(text: string, params?: SqlParams): T[] {
    return this.#prepare(text).all(...SqliteSql.#args(params)) as T[];
  }

  getNow<T>(text: string, params?: SqlParams): T | undefined {
    return this.#prepare(text).get(...SqliteSql.#args(params)) as T | undefined;
  }

  runNow(text: string, params?: SqlParams): { changes: number } {
    return { changes: this.#prepare(text).run(...SqliteSql.#args(params)).changes };
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    while (this.#busy) await this.#busy.catch(() => undefined);
    const tx = new SqliteTransaction(this);
    const running = (async () => {
      this.db.exec('BEGIN IMMEDIATE');
      // The connection is shared with code that uses it synchronously (better-sqlite3): were the work to wait for
      // anything but its statements (a timer, a socket, a file), such code could run its statements inside this
      // transaction meanwhile. The work's statements resolve at once, so it ends before any other event is handled;
      // if it did not, it is undone.
      let yielded = false;
      const marker = setImmediate(() => (yielded = true));
      try {
        const result = await work(tx);
        clearImmediate(marker);
        if (yielded) throw new Error('a SQLite transaction waited for something other than its own statements; it was rolled back');
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        clearImmediate(marker);
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      } finally {
        tx.done = true;
      }
    })();
    this.#busy = running;
    try {
      return await running;
    } finally {
      this.#busy = undefined;
    }
  }

  async lock(): Promise<void> {
    throw new Error('lock() is for inside a transaction');
  }

  async close(): Promise<void> {
    while (this.#busy) await this.#busy.catch(() => undefined);
    this.db.close();
  }
}

class SqliteTransaction implements Sql {
  readonly dialect = 'sqlite';
  done = false;

  constructor(private readonly owner: SqliteSql) {}

  #open(): void {
    if (this.done) throw new Error('this transaction has ended: run statements on the database, not on a finished transaction');
  }

  async all<T>(text: string, params?: SqlParams): Promise<T[]> {
    this.#open();
    return this.owner.allNow<T>(text, params);
  }

  async get<T>(text: string, params?: SqlParams): Promise<T | undefined> {
    this.#open();
    return this.owner.getNow<T>(text, params);
  }

  async run(text: string, params?: SqlParams): Promise<{ changes: number }> {
    this.#open();
    return this.owner.runNow(text, params);
  }

  async lock(): Promise<void> {
    // The transaction holds SQLite's one write lock from its start (BEGIN IMMEDIATE): nothing else to wait for.
    this.#open();
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    this.#open();
    // Nested: a savepoint, so the inner work can fail alone.
    this.owner.db.exec('SAVEPOINT nested');
    try {
      const result = await work(this);
      this.owner.db.exec('RELEASE nested');
      return result;
    } catch (err) {
      this.owner.db.exec('ROLLBACK TO nested');
      this.owner.db.exec('RELEASE nested');
      throw err;
    }
  }
}

// ------------------------------------------------------------------------------------------------------- PostgreSQL

interface Translated {
  text: string;
  /** For named parameters: the name of each `$n`, in order (a name used twice is two `$n`). */
  names: string[] | undefined;
}

const translations = new Map<string, Translated>();

/**
 * `?` and `@name` parameters as PostgreSQL's `$1…`. Quoted strings, quoted identifiers and comments are left as they
 * are.
 */
export function toPostgresParams(text: string): Translated {
  const cached = translations.get(text);
  if (cached) return cached;
  let out = '';
  let positional = 0;
  const names: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      const stop = end === -1 ? text.length : end + 1;
      out += text.slice(i, stop);
      i = stop;
    } else if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      out += text.slice(i, stop);
      i = stop;
    } else if (c === '?') {
      out += `$${++positional}`;
      i++;
    } else if (c === '@' && /[A-Za-z_]/.test(text[i + 1] ?? '')) {
      // Each use its own $n: PostgreSQL deduces a type per $n, and one name may stand for two types' columns.
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))!;
      out += `$${names.push(m[0])}`;
      i += 1 + m[0].length;
    } else {
      out += c;
      i++;
    }
  }
  if (positional > 0 && names.length > 0) throw new Error(`a statement mixes ? and @name parameters: ${text}`);
  const translated = { text: out, names: names.length > 0 ? names : undefined };
  if (translations.size < MAX_CACHED_STATEMENTS) translations.set(text, translated);
  return translated;
}

function postgresValues(t: Translated, params: SqlParams | undefined): unknown[] {
  if (params === undefined) return [];
  if (t.names) {
    const named = params as Record<string, unknown>;
    return t.names.map((name) => {
      if (!(name in named)) throw new Error(`no value for @${name}`);
      return named[name] ?? null;
    });
  }
  return (params as unknown[]).map((v) => v ?? null);
}

const INT8 = 20;
const NUMERIC = 1700;
/** bigint and numeric as JavaScript numbers: the registry's integers (ids, counts, milliseconds) fit in 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

/** Statements on a pool (each on any free connection) or on one connection (a transaction's). */
abstract class PostgresStatements {
  readonly dialect = 'postgres';

  constructor(private readonly on: pg.Pool | pg.PoolClient) {}

  async #query(text: string, params: SqlParams | undefined): Promise<pg.QueryResult> {
    const t = toPostgresParams(text);
    return this.on.query({ text: t.text, values: postgresValues(t, params) });
  }

  async all<T>(text: string, params?: SqlParams): Promise<T[]> {
    return (await this.#query(text, params)).rows as T[];
  }

  async get<T>(text: string, params?: SqlParams): Promise<T | undefined> {
    return (await this.#query(text, params)).rows[0] as T | undefined;
  }

  async run(text: string, params?: SqlParams): Promise<{ changes: number }> {
    return { changes: (await this.#query(text, params)).rowCount ?? 0 };
  }
}

class PostgresClientSql extends PostgresStatements implements Sql {
  #savepoints = 0;

  constructor(private readonly client: pg.PoolClient) {
    super(client);
  }

  async lock(key: string): Promise<void> {
    await this.client.query({ text: 'SELECT pg_advisory_xact_lock(hashtext($1))', values: [key] });
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    const name = `nested_${++this.#savepoints}`;
    await this.client.query(`SAVEPOINT ${name}`);
    try {
      const result = await work(this);
      await this.client.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (err) {
      await this.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
      throw err;
    }
  }
}

/** PostgreSQL through a `pg` pool. */
export class PostgresSql extends PostgresStatements implements SqlDatabase {
  constructor(readonly pool: pg.Pool) {
    super(pool);
  }

  /** A pool of `max` connections to `url` (`postgres://user:password@host:port/database`). */
  static connect(
    url: string, options: { max?: number; applicationName?: string; searchPath?: readonly string[]; password?: string } = {},
  ): PostgresSql {
    const connectionString = postgresUrlWith(url, options.password);
    const pool = new pg.Pool({
      connectionString, max: options.max ?? 10, application_name: options.applicationName ?? 'thingwire', types,
      // Unqualified names resolve in these schemas, and tables are created in the first.
      ...(options.searchPath ? { options: `-c search_path=${options.searchPath.join(',')}` } : {}),
    });
    // An idle connection that breaks (the server restarted) is dropped by the pool; without a listener it would crash.
    pool.on('error', () => undefined);
    return new PostgresSql(pool);
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      try {
        const result = await work(new PostgresClientSql(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => { broken = true; });
        throw err;
      }
    } finally {
      client.release(broken);
    }
  }

  async lock(): Promise<void> {
    throw new Error('lock() is for inside a transaction');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * `url` with `password` in it. pg lets a connection string's (absent) password override a separate one, so a password
 * kept apart from the URL (it is logged; the password is not) goes into the string given to pg.
 */
export function postgresUrlWith(url: string, password: string | undefined): string {
  if (password === undefined) return url;
  const withPassword = new URL(url);
  withPassword.password = encodeURIComponent(password);
  return withPassword.href;
}

/** `list` in runs of at most `size`: the rows of one multi-row statement each, within either database's parameter limit. */
/** Rows to a multi-row statement: few enough parameters for either database, few enough texts to keep prepared. */
export const ROWS_PER_STATEMENT = 200;

export function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** A unique or primary key constraint refused the statement: SQLite's and PostgreSQL's way of saying so. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** A foreign key refused the statement (a row still referenced, or a reference to none). */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}
