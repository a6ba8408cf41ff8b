import type { Db } from './database.ts';

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
 * {body}, published_at, published_by)`. Keeps each product's latest version number in memory (asked per message by
 * the hot paths), current through {@link insertVersion} and {@link forget}.
 */
export class DraftVersions {
  readonly #draft;
  readonly #saveDraft;
  readonly #latest;
  readonly #versions;
  readonly #version;
  readonly #insertVersion;
  /** Latest version per product, null for none; filled on first ask. */
  readonly #latestVersion = new Map<string, number | null>();

  /**
   * `drafts`, `versions` and `body` are the project's own table and column names, never input. `productExists` keeps
   * the cache to real products: a product key from a device's datagram may be anything.
   */
  constructor(db: Db, tables: { drafts: string; versions: string; body: string }, private readonly productExists: (productKey: string) => boolean) {
    const { drafts, versions, body } = tables;
    this.#draft = db.prepare(`SELECT ${body} AS body, updated_at, updated_by FROM ${drafts} WHERE product_key = ?`);
    this.#saveDraft = db.prepare(`
      INSERT INTO ${drafts} (product_key, ${body}, updated_at, updated_by) VALUES (?, ?, ?, ?)
      ON CONFLICT (product_key) DO UPDATE SET ${body} = excluded.${body}, updated_at = excluded.updated_at,
        updated_by = excluded.updated_by`);
    this.#latest = db.prepare(`
      SELECT version, ${body} AS body, published_at, published_by FROM ${versions} WHERE product_key = ?
      ORDER BY version DESC LIMIT 1`);
    this.#versions = db.prepare(`
      SELECT version, published_at, published_by FROM ${versions} WHERE product_key = ? ORDER BY version DESC`);
    this.#version = db.prepare(`
      SELECT version, ${body} AS body, published_at, published_by FROM ${versions} WHERE product_key = ? AND version = ?`);
    this.#insertVersion = db.prepare(`
      INSERT INTO ${versions} (product_key, version, ${body}, published_at, published_by) VALUES (?, ?, ?, ?, ?)`);
  }

  draft(productKey: string): DraftRow | undefined {
    return this.#draft.get(productKey) as DraftRow | undefined;
  }

  saveDraft(productKey: string, body: string, actor: string): void {
    this.#saveDraft.run(productKey, body, new Date().toISOString(), actor);
  }

  latest(productKey: string): VersionRow | undefined {
    return this.#latest.get(productKey) as VersionRow | undefined;
  }

  /** The latest version's number (null: none yet), read once per product. */
  latestVersion(productKey: string): number | null {
    let version = this.#latestVersion.get(productKey);
    if (version === undefined) {
      version = this.latest(productKey)?.version ?? null;
      if (version !== null || this.productExists(productKey)) this.#latestVersion.set(productKey, version);
    }
    return version;
  }

  /** Every published version, newest first. */
  versions(productKey: string): VersionInfo[] {
    return (this.#versions.all(productKey) as VersionRow[]).map(versionInfo);
  }

  version(productKey: string, version: number): VersionRow | undefined {
    return this.#version.get(productKey, version) as VersionRow | undefined;
  }

  /** Stores `body` as `version` (the latest's number + 1). */
  insertVersion(productKey: string, version: number, body: string, actor: string): void {
    this.#insertVersion.run(productKey, version, body, new Date().toISOString(), actor);
    this.#latestVersion.set(productKey, version);
  }

  /** Drops what is held in memory for a product (deleted: its rows go with it). */
  forget(productKey: string): void {
    this.#latestVersion.delete(productKey);
  }
}
