import { isDeepStrictEqual } from 'node:util';
import type { Db } from '../db/database.ts';
import { DraftVersions, versionInfo, type DraftRow, type VersionInfo, type VersionRow } from '../db/draft-versions.ts';
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
export type ThingModelVersionInfo = VersionInfo;

/** Where a product's thing model stands. */
export interface ThingModelSummary {
  productKey: string;
  draft: ThingModelDraftInfo | null;
  /** The version device messages are validated against now; null until the first publish. */
  published: ThingModelVersionInfo | null;
}

/**
 * Thing models per product: one editable draft and numbered published versions, which never change once published.
 * Both keep the TSL JSON as it was imported (Alibaba's shape, untouched), so exporting gives back the import.
 */
export class ThingModelStore {
  readonly #tables;
  readonly #allLatest;

  constructor(
    db: Db,
    private readonly products: ProductStore,
    private readonly validators: ThingModelValidators,
    private readonly events: RegistryEvents,
  ) {
    this.#tables = new DraftVersions(db, { drafts: 'thing_model_drafts', versions: 'thing_model_versions', body: 'tsl' }, (productKey) => products.exists(productKey));
    this.#allLatest = db.prepare(`
      SELECT v.product_key, v.version, v.tsl FROM thing_model_versions v
      WHERE v.version = (SELECT MAX(version) FROM thing_model_versions WHERE product_key = v.product_key)`);
  }

  /** Whether the product has a draft and which version is published; 404 for an unknown product. */
  summary(productKey: string): ThingModelSummary {
    this.#requireProduct(productKey);
    const draft = this.#tables.draft(productKey);
    const latest = this.#tables.latest(productKey);
    return {
      productKey,
      draft: draft ? toDraftInfo(draft, latest) : null,
      published: latest ? versionInfo(latest) : null,
    };
  }

  /**
   * Replaces the draft with `doc` as sent. A document `checkTsl` finds problems in is refused with 422
   * `invalid_thing_model` listing every problem, and the draft stays as it was.
   */
  saveDraft(productKey: string, doc: unknown, actor: string): ThingModelDraftInfo {
    this.#requireProduct(productKey);
    assertValid(doc);
    this.#tables.saveDraft(productKey, JSON.stringify(doc), actor);
    return this.summary(productKey).draft!;
  }

  /** The draft's TSL JSON text; 404 when the product has none. */
  draftTsl(productKey: string): string {
    this.#requireProduct(productKey);
    const draft = this.#tables.draft(productKey);
    if (!draft) throw new ApiError(404, 'not_found', `Product "${productKey}" has no thing model draft; import one first.`);
    return draft.body;
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
    const latest = this.#tables.latest(productKey);
    if (latest && isDeepStrictEqual(JSON.parse(latest.body), doc)) {
      throw conflict('thing_model_unchanged', `The draft is identical to version ${latest.version}; change it before publishing.`);
    }
    const version = (latest?.version ?? 0) + 1;
    // Compiled before it is stored, so a model that cannot serve device messages is never published.
    this.validators.get(productKey, version, () => doc);
    try {
      this.#tables.insertVersion(productKey, version, tsl, actor);
    } catch (err) {
      this.validators.evict(productKey, version);
      throw err;
    }
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
    return this.#tables.versions(productKey);
  }

  /** When and by whom a version was published; 404 when it does not exist. */
  versionInfo(productKey: string, version: number): ThingModelVersionInfo {
    return versionInfo(this.#versionRow(productKey, version));
  }

  /** A published version's TSL JSON text, exactly as it was published. */
  versionTsl(productKey: string, version: number): string {
    return this.#versionRow(productKey, version).body;
  }

  /** The validators of the product's currently published version; undefined before its first publish. */
  compiledFor(productKey: string): CompiledThingModel | undefined {
    const version = this.#tables.latestVersion(productKey);
    if (version === null) return undefined;
    const v = version;
    return this.validators.get(productKey, v, () => JSON.parse(this.versionTsl(productKey, v)) as TslDocument);
  }

  /** Drops what is held in memory for a product; called when it is deleted (the rows go with it). */
  forget(productKey: string): void {
    this.#tables.forget(productKey);
    this.validators.evict(productKey);
  }

  #versionRow(productKey: string, version: number): VersionRow {
    this.#requireProduct(productKey);
    const row = this.#tables.version(productKey, version);
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

const toDraftInfo = (draft: DraftRow, latest: VersionRow | undefined): ThingModelDraftInfo => ({
  updatedAt: draft.updated_at,
  updatedBy: draft.updated_by,
  unpublishedChanges: !latest || !isDeepStrictEqual(JSON.parse(draft.body), JSON.parse(latest.body)),
});
