/**
 * A stand-in for TDengine's REST API in tests, over an in-memory SQLite database: it records every statement (for
 * exact-SQL assertions) and executes the statement forms tdengine-sql.ts generates, with TDengine's semantics where
 * the backend depends on them: a row per sub-table and millisecond (a second one replaces the first), declared
 * widths enforced, ADD COLUMN refused for an existing column, TIMESTAMP values answered as RFC 3339 strings and BOOL
 * as true/false, INTERVAL windows aligned to the epoch plus an offset.
 *
 * It is not TDengine: it runs only this backend's statement shapes, and says so by throwing on any other. It lets
 * the contract suite exercise the backend's own logic (parsing, merging, skipping) on every run; the contract
 * against a real server runs where TDENGINE_URL is set.
 */
import Database from 'better-sqlite3';

interface FakeColumn {
  field: string;
  type: string;
  length: number;
  note: string;
}

type Answer = Record<string, unknown>;

const FIXED_WIDTH: Record<string, number> = { TIMESTAMP: 8, INT: 4, DOUBLE: 8, BOOL: 1 };
const SQLITE_TYPE: Record<string, string> = { TIMESTAMP: 'INTEGER', INT: 'INTEGER', DOUBLE: 'REAL', BOOL: 'INTEGER', NCHAR: 'TEXT', VARCHAR: 'TEXT' };
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t' };

const ok = (columnMeta: Array<[string, string, number]>, data: unknown[][]): Answer => ({ code: 0, column_meta: columnMeta, data, rows: data.length });
const affected = (n: number): Answer => ok([['affected_rows', 'INT', 4]], [[n]]);
const refused = (code: number, desc: string): Answer => ({ code, desc });

export class FakeTdengine {
  /** Every statement received, in order. */
  readonly sql: string[] = [];
  readonly requests: Array<{ url: string; headers: Record<string, string> }> = [];
  /** Canned answers for statements matching a pattern, checked before executing anything. */
  readonly answers: Array<[RegExp, Answer]> = [];
  precision = 'ms';
  readonly #tables = new Map<string, FakeColumn[]>();
  readonly #db = new Database(':memory:');

  readonly fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const sql = String(init?.body);
    this.sql.push(sql);
    this.requests.push({ url: String(input), headers: init?.headers as Record<string, string> });
    let answer: Answer;
    try {
      answer = this.#answer(sql);
    } catch (err) {
      answer = refused(0x2600, (err as Error).message);
    }
    return new Response(JSON.stringify(answer), { status: 200 });
  }) as typeof fetch;

  /** The statements since the last call. */
  take(): string[] {
    return this.sql.splice(0);
  }

  close(): void {
    this.#db.close();
  }

  #answer(sql: string): Answer {
    for (const [pattern, answer] of this.answers) if (pattern.test(sql)) return answer;
    let m: RegExpExecArray | null;
    if (sql.startsWith('CREATE DATABASE')) return affected(0);
    if (sql.startsWith('DROP DATABASE')) return affected(0);
    if (sql.includes('information_schema.ins_databases')) {
      return ok([['precision', 'VARCHAR', 2], ['keep', 'VARCHAR', 32]], [[this.precision, '3650d,3650d,3650d']]);
    }
    if ((m = /^CREATE STABLE IF NOT EXISTS \w+\.`([^`]+)` \((.*)\) TAGS \((.*)\)$/.exec(sql))) {
      const table = m[1]!;
      if (!this.#tables.has(table)) {
        const columns = [...definitions(m[2]!, ''), ...definitions(m[3]!, 'TAG')];
        this.#tables.set(table, columns);
        const defs = ['"tbname" TEXT', ...columns.map((c) => `"${c.field}" ${SQLITE_TYPE[c.type]}`)];
        this.#db.exec(`CREATE TABLE "${table}" (${defs.join(', ')}); CREATE INDEX "${table}_key" ON "${table}" (tbname, ts)`);
      }
      return affected(0);
    }
    if ((m = /information_schema\.ins_stables .* `stable_name` = '([^']+)'$/.exec(sql))) {
      return ok([['stable_name', 'VARCHAR', 192]], this.#tables.has(m[1]!) ? [[m[1]]] : []);
    }
    if ((m = /^DESCRIBE \w+\.`([^`]+)`$/.exec(sql))) {
      const columns = this.#tables.get(m[1]!);
      if (!columns) return refused(0x2662, 'Table does not exist');
      return ok(
        [['field', 'VARCHAR', 64], ['type', 'VARCHAR', 32], ['length', 'INT', 4], ['note', 'VARCHAR', 16]],
        columns.map((c) => [c.field, c.type, c.length, c.note]),
      );
    }
    if ((m = /^ALTER STABLE \w+\.`([^`]+)` (ADD|MODIFY) COLUMN (.*)$/.exec(sql))) {
      const [column] = definitions(m[3]!, '');
      const columns = this.#tables.get(m[1]!);
      if (!columns || !column) return refused(0x2662, 'Table does not exist');
      const index = columns.findIndex((c) => c.field === column.field);
      if (m[2] === 'ADD') {
        if (index >= 0) return refused(0x260d, 'Duplicated column names');
        columns.splice(columns.findIndex((c) => c.note === 'TAG'), 0, column);
        this.#db.exec(`ALTER TABLE "${m[1]}" ADD COLUMN "${column.field}" ${SQLITE_TYPE[column.type]}`);
      } else {
        if (index < 0 || columns[index]!.length > column.length) return refused(0x2653, 'Invalid binary/nchar column length');
        columns[index] = column;
      }
      return affected(0);
    }
    if (sql.startsWith('INSERT INTO ')) return this.#insert(sql);
    if (sql.startsWith('DELETE FROM ')) {
      const { text, params } = toSqlite(sql);
      return affected(this.#db.prepare(text).run(...params).changes);
    }
    if (sql.startsWith('SELECT ')) return this.#select(sql);
    throw new Error(`the fake does not run: ${sql.slice(0, 80)}`);
  }

  #insert(sql: string): Answer {
    const tokens = tokenize(sql.slice('INSERT INTO '.length));
    let i = 0;
    const next = () => tokens[i++]!;
    const expect = (value: string) => {
      const t = next();
      if (t.value !== value) throw new Error(`syntax error near "${String(t.value)}"`);
    };
    const list = (): Token[] => {
      expect('(');
      const items: Token[] = [];
      for (let t = next(); t.value !== ')'; t = next()) if (t.value !== ',') items.push(t);
      return items;
    };
    let rows = 0;
    while (i < tokens.length) {
      const subTable = next().value as string;
      expect('USING');
      const superTable = next().value as string;
      const tagNames = list().map((t) => t.value as string);
      expect('TAGS');
      const tagValues = list().map((t) => t.value);
      const names = list().map((t) => t.value as string);
      expect('VALUES');
      const columns = this.#tables.get(superTable);
      if (!columns) return refused(0x2662, 'Table does not exist');
      // TDengine keeps the tags a sub-table was created with.
      const existing = this.#db.prepare(`SELECT ${tagNames.map((n) => `"${n}"`).join(', ')} FROM "${superTable}" WHERE tbname = ? LIMIT 1`).raw().get(subTable) as unknown[] | undefined;
      const tags = existing ?? tagValues;
      const insert = this.#db.prepare(
        `INSERT INTO "${superTable}" (tbname, ${[...tagNames, ...names].map((n) => `"${n}"`).join(', ')}) ` +
          `VALUES (${['?', ...tagNames, ...names].map(() => '?').join(', ')})`,
      );
      const replace = this.#db.prepare(`DELETE FROM "${superTable}" WHERE tbname = ? AND ts = ?`);
      while (tokens[i]?.value === '(') {
        const values = list().map((t) => t.value);
        names.forEach((name, k) => {
          const column = columns.find((c) => c.field === name);
          const value = values[k];
          if (!column) throw new Error(`Invalid column name: ${name}`);
          if (typeof value === 'string' && column.type === 'NCHAR' && [...value].length > column.length) throw new Error('Value too long');
          if (typeof value === 'string' && column.type === 'VARCHAR' && Buffer.byteLength(value) > column.length) throw new Error('Value too long');
        });
        replace.run(subTable, values[0]);
        insert.run(subTable, ...tags, ...values.map((v) => (v === true ? 1 : v === false ? 0 : v)));
        rows++;
      }
    }
    return affected(rows);
  }

  #select(sql: string): Answer {
    const parsed = toSqlite(sql);
    const params = parsed.params;
    let text = parsed.text;
    let m: RegExpExecArray | null;
    if ((m = /^SELECT LAST\("ts"\), LAST\(("[^"]+")\) FROM (\S+) WHERE (.*)$/.exec(text))) {
      text = `SELECT "ts", ${m[1]} FROM ${m[2]} WHERE ${m[3]} ORDER BY "ts" DESC LIMIT 1`;
    } else if ((m = /^SELECT _wstart, (.*) FROM (\S+) WHERE (.*) INTERVAL\((\d+)a(?:, (\d+)a)?\)$/.exec(text))) {
      const [width, offset] = [Number(m[4]), Number(m[5] ?? 0)];
      text = `SELECT (("ts" - ${offset}) / ${width}) * ${width} + ${offset} AS "_wstart", ${m[1]} FROM ${m[2]} WHERE ${m[3]} GROUP BY 1 ORDER BY 1`;
    }
    const table = /FROM "([^"]+)"/.exec(text)?.[1];
    const columns = (table && this.#tables.get(table)) || [];
    const statement = this.#db.prepare(text);
    const names = statement.columns().map((c) => c.name);
    const types = names.map((n) => (n === '_wstart' ? 'TIMESTAMP' : (columns.find((c) => c.field === n)?.type ?? 'DOUBLE')));
    const rows = (statement.raw().all(...params) as unknown[][]).map((row) =>
      row.map((v, k) => (v === null ? null : types[k] === 'TIMESTAMP' ? new Date(v as number).toISOString() : types[k] === 'BOOL' ? v === 1 : v)),
    );
    return ok(names.map((n, k) => [n, types[k]!, 8]), rows);
  }
}

function definitions(list: string, note: string): FakeColumn[] {
  return [...list.matchAll(/`([^`]+)` (\w+)(?:\((\d+)\))?/g)].map(([, field, type, length]) => ({
    field: field!,
    type: type!,
    length: length ? Number(length) : FIXED_WIDTH[type!]!,
    note,
  }));
}

interface Token {
  value: string | number | boolean | null;
}

/** Tokens of an INSERT: backquoted names (database prefix dropped), string and number literals, words, punctuation. */
function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === ' ') {
      i++;
    } else if (c === "'") {
      const [value, end] = readString(sql, i);
      tokens.push({ value });
      i = end;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ value: c });
      i++;
    } else {
      let end = i;
      while (end < sql.length && !' (),'.includes(sql[end]!)) end++;
      const word = sql.slice(i, end);
      i = end;
      const name = /`([^`]+)`$/.exec(word);
      if (name) tokens.push({ value: name[1]! });
      else if (word === 'NULL') tokens.push({ value: null });
      else if (word === 'true' || word === 'false') tokens.push({ value: word === 'true' });
      else if (/^-?[\d.]+(e[-+]?\d+)?$/i.test(word)) tokens.push({ value: Number(word) });
      else tokens.push({ value: word });
    }
  }
  return tokens;
}

/** A TDengine string literal at `start` → its value and the index after it. */
function readString(sql: string, start: number): [string, number] {
  let value = '';
  let i = start + 1;
  while (sql[i] !== "'") {
    if (i >= sql.length) throw new Error('unterminated string');
    if (sql[i] === '\\') {
      i++;
      value += ESCAPES[sql[i]!] ?? sql[i];
    } else {
      value += sql[i];
    }
    i++;
  }
  return [value, i + 1];
}

/** A SELECT or DELETE in SQLite's terms: string literals become parameters, backquotes double quotes, no database prefix. */
function toSqlite(sql: string): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  let text = '';
  for (let i = 0; i < sql.length; ) {
    const c = sql[i]!;
    if (c === "'") {
      const [value, end] = readString(sql, i);
      params.push(value);
      text += '?';
      i = end;
    } else {
      text += c === '`' ? '"' : c;
      i++;
    }
  }
  return { text: text.replace(/\b\w+\.(?=")/g, ''), params };
}
