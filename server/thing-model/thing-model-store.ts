import { isDeepStrictEqual } from 'node:util';
import type { Db } from '../db/database.ts';
import { ApiError, conflict, notFound } from '../errors.ts';
import type { ProductStore } from '../products/product-store.ts';
import type { RegistryEvents } from '../registry-events.ts';
import type { CompiledThingModel } from '../../domain/thing-model/compiled-thing-model.ts';
import type { ThingModelValidators } from './thing-model-validators.ts';
import { checkTsl } from './tsl-check.ts';
import type { TslDocument } from '../../domain/thing-model/tsl-types.ts';

/** The draft a product's thing model is edited in. */
export interface ThingModelDraftInfo {
  updatedAt: string;
  updatedBy: string;
  /** False when the draft is what the latest version already publishes (or there is no version yet: true). */
  unpublishedChanges: boolean;
}

/** One published, immutable version. */
export interface ThingModelVersionInfo {
  version: number;
  publishedAt: string;
  publishedBy: string;
}

/** Where a product's thing model stands. */
export interface ThingModelSummary {
  productKey: string;
  draft: ThingModelDraftInfo | null;
  /** The version device messages are validated against now; null until the first publish. */
  published: ThingModelVersionInfo | null;
}

const now = () => new Date().toISOString();

/**
 * Thing models per product: one editable draft and numbered published versions, which never change once published.
 * Both keep the TSL JSON as it was imported (Alibaba's shape, untouched), so exporting gives back the import.
 */
export class ThingModelStore {
  readonly #draft;
  readonly #saveDraft;
  readonly #latest;
  readonly #versions;
  readonly #version;
  readonly #insertVersion;
  readonly #allLatest;
  /**
   * Latest published version per product (null: none), because `compiledFor` runs for every device message. Every
   * publish goes through this store, which keeps it current; it is dropped with the product.
   */
  readonly #latestVersion = new Map<string, number | null>();

  constructor(
    db: Db,
    private readonly products: ProductStore,
    private readonly validators: ThingModelValidators,
    private readonly events: RegistryEvents,
  ) {
    this.#draft = db.prepare('SELECT tsl, updated_at, updated_by FROM thing_model_drafts WHERE product_key = ?');
    this.#saveDraft = db.prepare(`
      INSERT INTO thing_model_drafts (product_key, tsl, updated_at, updated_by) VALUES (?, ?, ?, ?)
      ON CONFLICT (product_key) DO UPDATE SET tsl = excluded.tsl, updated_at = excluded.updated_at,
        updated_by = excluded.updated_by`);
    this.#latest = db.prepare(`
      SELECT version, tsl, published_at, published_by FROM thing_model_versions WHERE product_key = ?
      ORDER BY version DESC LIMIT 1`);
    this.#versions = db.prepare(`
      SELECT version, published_at, published_by FROM thing_model_versions WHERE product_key = ?
      ORDER BY version DESC`);
    this.#version = db.prepare(`
      SELECT version, tsl, published_at, published_by FROM thing_model_versions WHERE product_key = ? AND version = ?`);
    this.#allLatest = db.prepare(`
      SELECT v.product_key, v.version, v.tsl FROM thing_model_versions v
      WHERE v.version = (SELECT MAX(version) FROM thing_model_versions WHERE product_key = v.product_key)`);
    this.#insertVersion = db.prepare(`
      INSERT INTO thing_model_versions (product_key, version, tsl, published_at, published_by) VALUES (?, ?, ?, ?, ?)`);
  }

  /** Whether the product has a draft and which version is published; 404 for an unknown product. */
  summary(productKey: string): ThingModelSummary {
    this.#requireProduct(productKey);
    const draft = this.#draft.get(productKey) as DraftRow | undefined;
    const latest = this.#latest.get(productKey) as VersionRow | undefined;
    return {
      productKey,
      draft: draft ? toDraftInfo(draft, latest) : null,
      published: latest ? toVersionInfo(latest) : null,
    };
  }

  /**
   * Replaces the draft with `doc` as sent. A document `checkTsl` finds problems in is refused with 422
   * `invalid_thing_model` listing every problem, and the draft stays as it was.
   */
  saveDraft(productKey: string, doc: unknown, actor: string): ThingModelDraftInfo {
    this.#requireProduct(productKey);
    assertValid(doc);
    this.#saveDraft.run(productKey, JSON.stringify(doc), now(), actor);
    return this.summary(productKey).draft!;
  }

  /** The draft's TSL JSON text; 404 when the product has none. */
  draftTsl(productKey: string): string {
    this.#requireProduct(productKey);
    const draft = this.#draft.get(productKey) as DraftRow | undefined;
    if (!draft) throw new ApiError(404, 'not_found', `Product "${productKey}" has no thing model draft; import one first.`);
    return draft.tsl;
  }

  /**
   * Publishes the draft as the next version, which devices' messages are validated against from then on. Refused
   * with 409 `thing_model_unchanged` when the draft is what the latest version already publishes.
   */
  publish(productKey: string, actor: string): ThingModelVersionInfo {
    const tsl = this.draftTsl(productKey);
    const doc = JSON.parse(tsl) as unknown;
    // Checked again: the checker may have grown stricter since the draft was saved.
    assertValid(doc);
    const latest = this.#latest.get(productKey) as VersionRow | undefined;
    if (latest && isDeepStrictEqual(JSON.parse(latest.tsl), doc)) {
      throw conflict('thing_model_unchanged', `The draft is identical to version ${latest.version}; change it before publishing.`);
    }
    const version = (latest?.version ?? 0) + 1;
    // Compiled before it is stored, so a model that cannot serve device messages is never published.
    this.validators.get(productKey, version, () => doc);
    try {
      this.#insertVersion.run(productKey, version, tsl, now(), actor);
    } catch (err) {
      this.validators.evict(productKey, version);
      throw err;
    }
    this.#latestVersion.set(productKey, version);
    this.events.emit('thing-model.published', { productKey, version });
    return this.versionInfo(productKey, version);
  }

  /** Every product's currently published version with its TSL (for storage to prepare its tables at startup). */
  published(): { productKey: string; version: number; tsl: TslDocument }[] {
    return (this.#allLatest.all() as { product_key: string; version: number; tsl: string }[]).map((r) => ({
      productKey: r.product_key, version: r.version, tsl: JSON.parse(r.tsl) as TslDocument,
    }));
  }

  /** Every published version, newest first. */
  versions(productKey: string): ThingModelVersionInfo[] {
    this.#requireProduct(productKey);
    return (this.#versions.all(productKey) as VersionRow[]).map(toVersionInfo);
  }

  /** When and by whom a version was published; 404 when it does not exist. */
  versionInfo(productKey: string, version: number): ThingModelVersionInfo {
    return toVersionInfo(this.#versionRow(productKey, version));
  }

  /** A published version's TSL JSON text, exactly as it was published. */
  versionTsl(productKey: string, version: number): string {
    return this.#versionRow(productKey, version).tsl;
  }

  /** The validators of the product's currently published version; undefined before its first publish. */
  compiledFor(productKey: string): CompiledThingModel | undefined {
    let version = this.#latestVersion.get(productKey);
    if (version === undefined) {
      version = (this.#latest.get(productKey) as VersionRow | undefined)?.version ?? null;
      this.#latestVersion.set(productKey, version);
    }
    if (version === null) return undefined;
    const v = version;
    return this.validators.get(productKey, v, () => JSON.parse(this.versionTsl(productKey, v)) as TslDocument);
  }

  /** Drops what is held in memory for a product; called when it is deleted (the rows go with it). */
  forget(productKey: string): void {
    this.#latestVersion.delete(productKey);
    this.validators.evict(productKey);
  }

  #versionRow(productKey: string, version: number): VersionRow {
    this.#requireProduct(productKey);
    const row = this.#version.get(productKey, version) as VersionRow | undefined;
    if (!row) throw notFound(`Thing model version of product "${productKey}"`, String(version));
    return row;
  }

  #requireProduct(productKey: string): void {
    if (!this.products.exists(productKey)) throw notFound('Product', productKey);
  }
}

function assertValid(doc: unknown): asserts doc is TslDocument {
  const problems = checkTsl(doc);
  if (problems.length > 0) {
    throw new ApiError(
      422,
      'invalid_thing_model',
      `The thing model has ${problems.length} problem${problems.length === 1 ? '' : 's'}; details lists each by its path.`,
      problems,
    );
  }
}

interface DraftRow {
  tsl: string;
  updated_at: string;
  updated_by: string;
}

interface VersionRow {
  version: number;
  tsl: string;
  published_at: string;
  published_by: string;
}

const toVersionInfo = (r: VersionRow): ThingModelVersionInfo => ({
  version: r.version,
  publishedAt: r.published_at,
  publishedBy: r.published_by,
});

const toDraftInfo = (draft: DraftRow, latest: VersionRow | undefined): ThingModelDraftInfo => ({
  updatedAt: draft.updated_at,
  updatedBy: draft.updated_by,
  unpublishedChanges: !latest || !isDeepStrictEqual(JSON.parse(draft.tsl), JSON.parse(latest.tsl)),
});
