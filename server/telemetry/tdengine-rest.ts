/**
 * TDengine's REST API (`POST {url}/rest/sql`, served by taosAdapter), spoken with Node's fetch.
 *
 * Why not `@tdengine/rest`: the package declares itself unmaintained, and what it wraps is one HTTP POST
 * with a SQL body and a JSON answer, documented and stable across TDengine 3.x. Our own twenty lines add no
 * dependency, take an injected `fetch` (so the exact SQL is unit-tested with a recording fake), and give typed errors
 * carrying TDengine's error code.
 */

export interface TdengineConnection {
  /** Base URL of taosAdapter, e.g. `http://localhost:6041`. */
  url: string;
  /** Basic auth; TDengine's defaults are root / taosdata. */
  user?: string;
  password?: string;
  /** TDengine Cloud: a token sent as the `token` query parameter instead of Basic auth. */
  token?: string;
  /** Per request; default 30 s. */
  timeoutMs?: number;
  /** For tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** One column of a result, as `column_meta` describes it. */
export interface TdColumn {
  name: string;
  type: string;
  length: number;
}

export interface TdResult {
  columns: TdColumn[];
  rows: unknown[][];
}

/** A statement TDengine refused, or a failed request; `code` is TDengine's error code (0 when it sent none). */
export class TdengineError extends Error {
  override name = 'TdengineError';
  readonly code = 'tdengine_failed';
  constructor(
    message: string,
    readonly tdCode: number,
    readonly httpStatus: number,
    /** The start of the statement, for logs; values may be in it, so it is cut short. */
    readonly sql: string,
  ) {
    super(message);
  }
}

interface RestAnswer {
  code?: number;
  desc?: string;
  column_meta?: Array<[string, string, number]>;
  data?: unknown[][];
}

export class TdengineRest {
  readonly #endpoint: string;
  readonly #headers: Record<string, string>;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(connection: TdengineConnection) {
    const base = connection.url.replace(/\/+$/, '');
    this.#endpoint = `${base}/rest/sql${connection.token ? `?token=${encodeURIComponent(connection.token)}` : ''}`;
    this.#headers = { 'content-type': 'text/plain; charset=utf-8' };
    if (!connection.token) {
      const credentials = `${connection.user ?? 'root'}:${connection.password ?? 'taosdata'}`;
      this.#headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    this.#fetch = connection.fetch ?? fetch;
    this.#timeoutMs = connection.timeoutMs ?? 30_000;
  }

  /** Runs one statement (the REST API takes one per request). */
  async query(sql: string): Promise<TdResult> {
    const excerpt = sql.length > 300 ? `${sql.slice(0, 300)}…` : sql;
    let response: Response;
    try {
      response = await this.#fetch(this.#endpoint, {
        method: 'POST',
        headers: this.#headers,
        body: sql,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw new TdengineError(`TDengine is unreachable: ${(err as Error).message}`, 0, 0, excerpt);
    }
    const text = await response.text();
    let answer: RestAnswer;
    try {
      answer = JSON.parse(text) as RestAnswer;
    } catch {
      throw new TdengineError(`TDengine answered HTTP ${response.status} with ${text.slice(0, 200) || 'no body'}`, 0, response.status, excerpt);
    }
    // taosAdapter answers errors with 200 or 4xx/5xx depending on its `httpCodeServerError`; the body says which.
    if (!response.ok || (answer.code ?? 0) !== 0) {
      const code = answer.code ?? 0;
      throw new TdengineError(
        `TDengine refused the statement: ${answer.desc ?? `HTTP ${response.status}`} (code 0x${code.toString(16)})`,
        code,
        response.status,
        excerpt,
      );
    }
    return {
      columns: (answer.column_meta ?? []).map(([name, type, length]) => ({ name, type, length })),
      rows: answer.data ?? [],
    };
  }
}

/** Rows affected by an INSERT or DELETE (`[["affected_rows", "INT", 4]]`, `[[n]]`). */
export function affectedRows(result: TdResult): number {
  const value = result.columns[0]?.name === 'affected_rows' ? result.rows[0]?.[0] : undefined;
  return typeof value === 'number' ? value : 0;
}
