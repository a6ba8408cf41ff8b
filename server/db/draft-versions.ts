import type { Sql } from './sql.ts';

/** A product's editable draft: its body as stored (TSL JSON text, codec source). */
export interface DraftRow {
  body: string;
  updated_at: string;
  updated_by: string;
}

/** One published, immutable version. */
export interface VersionRow {
  version: number;
  body: string;
  published_at: string;
  published_by: string;
}

/** When and by whom a version was published, as the API answers it. */
export interface VersionInfo {
  version: number;
  publishedAt: string;
  publishedBy: string;
}

export const versionInfo = (r: Pick<VersionRow, 'version' | 'published_at' | 'published_by'>): VersionInfo => ({
  version: r.version,
  publishedAt: r.published_at,
  publishedBy: r.published_by,
});

/**
 * The tables of something a product has as one draft plus numbered published versions that never change (its thing
 * model, its codec): `{drafts}(product_key, {body}, updated_at, updated_by)` and `{versions}(product_key, version,
 * {body}, published_at, published_by)`. Each product's latest version (its number and body) is kept in memory: the
 * hot paths ask for it per message. It is read for every product by {@link load} at start, then kept current by
 * {@link publishNext} and {@link forget}.
 */
export class DraftVersions {
  readonly #sql: Sql;
  readonly #drafts: string;
  readonly #versions: string;
  readonly #body: string;
  /** The latest version of each product that has one. */
  readonly #latest = new Map<string, { version: number; body: string }>();

  /** `drafts`, `versions` and `body` are the project's own table and column names, never input. */
  constructor(sql: Sql, tables: { drafts: string; versions: string; body: string }) {
    this.#sql = sql;
    this.#drafts = tables.drafts;
    this.#versions = tables.versions;
    this.#body = tables.body;
  }

  /** Reads every product's latest version (at start, and again after missing other nodes' publishes). */
  async load(): Promise<void> {
    const rows = await this.#latestRows();
    this.#latest.clear();
    for (const r of rows) this.#latest.set(r.product_key, { version: r.version, body: r.body });
  }

  /** Reads one product's latest version again (another node published it), or forgets it when there is none. */
  async reload(productKey: string): Promise<void> {
    const [row] = await this.#latestRows(productKey);
    if (row) this.#latest.set(productKey, { version: row.version, body: row.body });
    else this.#latest.delete(productKey);
  }

  /** The latest version of every product, or of one. */
  #latestRows(productKey?: string): Promise<{ product_key: string; version: number; body: string }[]> {
    return this.#sql.all(`
      SELECT v.product_key, v.version, v.${this.#body} AS body FROM ${this.#versions} v
      WHERE v.version = (SELECT MAX(version) FROM ${this.#versions} WHERE product_key = v.product_key)
      ${productKey === undefined ? '' : 'AND v.product_key = ?'}`, productKey === undefined ? [] : [productKey]);
  }

  draft(productKey: string): Promise<DraftRow | undefined> {
    return this.#sql.get<DraftRow>(`SELECT ${this.#body} AS body, updated_at, updated_by FROM ${this.#drafts} WHERE product_key = ?`, [productKey]);
  }

  async saveDraft(productKey: string, body: string, actor: string): Promise<void> {
    await this.#sql.run(`
      INSERT INTO ${this.#drafts} (product_key, ${this.#body}, updated_at, updated_by) VALUES (?, ?, ?, ?)
      ON CONFLICT (product_key) DO UPDATE SET ${this.#body} = excluded.${this.#body}, updated_at = excluded.updated_at,
        updated_by = excluded.updated_by`, [productKey, body, new Date().toISOString(), actor]);
  }

  latest(productKey: string, on: Sql = this.#sql): Promise<VersionRow | undefined> {
    return on.get<VersionRow>(`
      SELECT version, ${this.#body} AS body, published_at, published_by FROM ${this.#versions} WHERE product_key = ?
      ORDER BY version DESC LIMIT 1`, [productKey]);
  }

  /** The latest version's number (null: none yet), from memory. */
  latestVersion(productKey: string): number | null {
    return this.#latest.get(productKey)?.version ?? null;
  }

  /** The latest version's number and body, from memory; undefined before the first publish. */
  latestInMemory(productKey: string): { version: number; body: string } | undefined {
    return this.#latest.get(productKey);
  }

  /** Every product's latest version, from memory. */
  allLatest(): ReadonlyMap<string, { version: number; body: string }> {
    return this.#latest;
  }

  /** Every published version, newest first. */
  async versions(productKey: string): Promise<VersionInfo[]> {
    return (await this.#sql.all<VersionRow>(
      `SELECT version, published_at, published_by FROM ${this.#versions} WHERE product_key = ? ORDER BY version DESC`, [productKey],
    )).map(versionInfo);
  }

  version(productKey: string, version: number): Promise<VersionRow | undefined> {
    return this.#sql.get<VersionRow>(`
      SELECT version, ${this.#body} AS body, published_at, published_by FROM ${this.#versions} WHERE product_key = ? AND version = ?`,
    [productKey, version]);
  }

  /**
   * Stores `body` as the next version, one publish per product at a time (also across nodes): `check` sees the latest
   * version and the number the new one gets, and may refuse by throwing. Answers the new version's row.
   */
  async publishNext(productKey: string, body: string, actor: string, check: (latest: VersionRow | undefined, next: number) => void): Promise<VersionRow> {
    const row = await this.#sql.transaction(async (tx) => {
      await tx.lock(`${this.#versions} of ${productKey}`);
      const latest = await this.latest(productKey, tx);
      const version = (latest?.version ?? 0) + 1;
      check(latest, version);
      return (await tx.get<VersionRow>(`
        INSERT INTO ${this.#versions} (product_key, version, ${this.#body}, published_at, published_by) VALUES (?, ?, ?, ?, ?)
        RETURNING version, ${this.#body} AS body, published_at, published_by`, [productKey, version, body, new Date().toISOString(), actor]))!;
    });
    this.#latest.set(productKey, { version: row.version, body: row.body });
    return row;
  }

  /** Drops what is held in memory for a product (deleted: its rows go with it). */
  forget(productKey: string): void {
    this.#latest.delete(productKey);
  }
}
