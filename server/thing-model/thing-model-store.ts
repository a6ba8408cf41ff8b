import { isDeepStrictEqual } from 'node:util';
import type { Sql } from '../db/sql.ts';
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

  constructor(
    sql: Sql,
    private readonly products: ProductStore,
    private readonly validators: ThingModelValidators,
    private readonly events: RegistryEvents,
  ) {
    this.#tables = new DraftVersions(sql, { drafts: 'thing_model_drafts', versions: 'thing_model_versions', body: 'tsl' });
  }

  /** Reads every product's published thing model into memory, where device messages are validated from (at start). */
  load(): Promise<void> {
    return this.#tables.load();
  }

  /** Reads the product's published thing model again: another node published a version. */
  reload(productKey: string): Promise<void> {
    return this.#tables.reload(productKey);
  }

  /** Whether the product has a draft and which version is published; 404 for an unknown product. */
  async summary(productKey: string): Promise<ThingModelSummary> {
    this.#requireProduct(productKey);
    const [draft, latest] = await Promise.all([this.#tables.draft(productKey), this.#tables.latest(productKey)]);
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
  async saveDraft(productKey: string, doc: unknown, actor: string): Promise<ThingModelDraftInfo> {
    this.#requireProduct(productKey);
    assertValid(doc);
    await this.#tables.saveDraft(productKey, JSON.stringify(doc), actor);
    return (await this.summary(productKey)).draft!;
  }

  /** The draft's TSL JSON text; 404 when the product has none. */
  async draftTsl(productKey: string): Promise<string> {
    this.#requireProduct(productKey);
    const draft = await this.#tables.draft(productKey);
    if (!draft) throw new ApiError(404, 'not_found', `Product "${productKey}" has no thing model draft; import one first.`);
    return draft.body;
  }

  /**
   * Publishes the draft as the next version, which devices' messages are validated against from then on. Refused
   * with 409 `thing_model_unchanged` when the draft is what the latest version already publishes.
   */
  async publish(productKey: string, actor: string): Promise<ThingModelVersionInfo> {
    const tsl = await this.draftTsl(productKey);
    const doc = JSON.parse(tsl) as unknown;
    // Checked again: the checker may have grown stricter since the draft was saved.
    assertValid(doc);
    let compiled: number | undefined;
    try {
      const row = await this.#tables.publishNext(productKey, tsl, actor, (latest, version) => {
        if (latest && isDeepStrictEqual(JSON.parse(latest.body), doc)) {
          throw conflict('thing_model_unchanged', `The draft is identical to version ${latest.version}; change it before publishing.`);
        }
        // Compiled before it is stored, so a model that cannot serve device messages is never published.
        this.validators.get(productKey, version, () => doc);
        compiled = version;
      });
      this.events.emit('thing-model.published', { productKey, version: row.version });
      return versionInfo(row);
    } catch (err) {
      if (compiled !== undefined && this.#tables.latestVersion(productKey) !== compiled) this.validators.evict(productKey, compiled);
      throw err;
    }
  }

  /** Every product's currently published version with its TSL (for storage to prepare its tables at startup). */
  published(): { productKey: string; version: number; tsl: TslDocument }[] {
    return [...this.#tables.allLatest()].map(([productKey, { version, body }]) => ({ productKey, version, tsl: JSON.parse(body) as TslDocument }));
  }

  /** Every published version, newest first. */
  versions(productKey: string): Promise<ThingModelVersionInfo[]> {
    this.#requireProduct(productKey);
    return this.#tables.versions(productKey);
  }

  /** When and by whom a version was published; 404 when it does not exist. */
  async versionInfo(productKey: string, version: number): Promise<ThingModelVersionInfo> {
    return versionInfo(await this.#versionRow(productKey, version));
  }

  /** A published version's TSL JSON text, exactly as it was published. */
  async versionTsl(productKey: string, version: number): Promise<string> {
    return (await this.#versionRow(productKey, version)).body;
  }

  /** The product's currently published TSL JSON text and its version, from memory; undefined before its first publish. */
  publishedTsl(productKey: string): { version: number; tsl: string } | undefined {
    const latest = this.#tables.latestInMemory(productKey);
    return latest && { version: latest.version, tsl: latest.body };
  }

  /** The validators of the product's currently published version; undefined before its first publish. */
  compiledFor(productKey: string): CompiledThingModel | undefined {
    const latest = this.#tables.latestInMemory(productKey);
    if (!latest) return undefined;
    return this.validators.get(productKey, latest.version, () => JSON.parse(latest.body) as TslDocument);
  }

  /** Drops what is held in memory for a product; called when it is deleted (the rows go with it). */
  forget(productKey: string): void {
    this.#tables.forget(productKey);
    this.validators.evict(productKey);
  }

  async #versionRow(productKey: string, version: number): Promise<VersionRow> {
    this.#requireProduct(productKey);
    const row = await this.#tables.version(productKey, version);
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
