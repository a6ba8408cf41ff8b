import type { Sql } from '../db/sql.ts';
import { DraftVersions, versionInfo, type DraftRow, type VersionInfo, type VersionRow } from '../db/draft-versions.ts';
import { ApiError, conflict, notFound, validationFailed } from '../errors.ts';
import type { ProductStore } from '../products/product-store.ts';
import type { RegistryEvents } from '../registry-events.ts';
import type { CodecSandbox, CodecStats, CompileError } from './codec-sandbox.ts';

/** The draft a product's codec is edited in. */
export interface CodecDraftInfo {
  source: string;
  updatedAt: string;
  updatedBy: string;
  /** False when the draft is what the latest version already publishes (or there is no version yet: true). */
  unpublishedChanges: boolean;
}

/** One published, immutable version. */
export type CodecVersionInfo = VersionInfo;

/** Where a product's codec stands. */
export interface CodecSummary {
  productKey: string;
  draft: CodecDraftInfo | null;
  /** The version listeners run; null until the first publish. */
  published: CodecVersionInfo | null;
}

/** The sandbox, created on first use (loading QuickJS costs ~50 ms and most servers never run a codec). */
export type CodecSandboxSource = () => Promise<CodecSandbox>;

/**
 * The sandbox key drafts are compiled and tried under: one for every product, so trying codecs costs one WebAssembly
 * instance, not one per product. Products' published codecs use their product key, so a try never replaces them.
 */
const benchKey = '\u0000test-bench';

/**
 * Codecs per product, versioned like the thing model: one editable draft and numbered published versions, which never
 * change once published. A draft is compiled in the sandbox before it is saved, so a draft that does not parse or has
 * no `decode` is never stored.
 */
export class CodecStore {
  readonly #tables;
  /** Bench runs one at a time: they share {@link benchKey}, and loading a source there awaits a new instance. */
  #bench: Promise<unknown> = Promise.resolve();
  #sandboxUsed = false;
  /**
   * The version of each product's codec loaded for listeners: a publish loads the new version at once for them, and
   * asking again for the same version reads nothing.
   */
  readonly #loadedVersion = new Map<string, number>();
  #loaded: CodecSandbox | undefined;

  constructor(
    sql: Sql,
    private readonly products: ProductStore,
    private readonly sandbox: CodecSandboxSource,
    private readonly events?: RegistryEvents,
  ) {
    this.#tables = new DraftVersions(sql, { drafts: 'product_codec_drafts', versions: 'product_codec_versions', body: 'source' });
  }

  /** Reads which version of each product's codec is published (at start). */
  load(): Promise<void> {
    return this.#tables.load();
  }

  /** Reads the product's published version again (another node published one); a loaded codec is replaced by it. */
  async reload(productKey: string): Promise<void> {
    await this.#tables.reload(productKey);
    if (this.#loadedVersion.has(productKey)) await this.published(productKey);
  }

  /** The draft (with its source) and which version is published; 404 for an unknown product. */
  async summary(productKey: string): Promise<CodecSummary> {
    this.#requireProduct(productKey);
    const [draft, latest] = await Promise.all([this.#tables.draft(productKey), this.#tables.latest(productKey)]);
    return {
      productKey,
      draft: draft ? toDraftInfo(draft, latest) : null,
      published: latest ? versionInfo(latest) : null,
    };
  }

  /**
   * Compiles `source` and, when it loads and defines `decode`, makes it the draft. Otherwise 422 `validation_failed`
   * with the compile error (kind, message, line and column of a syntax error) as details, and the draft stays as it was.
   */
  async saveDraft(productKey: string, source: string, actor: string): Promise<CodecDraftInfo> {
    this.#requireProduct(productKey);
    await this.#assertCompiles(source);
    // Checked again: compiling waits its turn on the bench, and the product may have been deleted meanwhile.
    this.#requireProduct(productKey);
    await this.#tables.saveDraft(productKey, source, actor);
    return (await this.summary(productKey)).draft!;
  }

  /** The draft's source; 404 when the product has none. */
  async draftSource(productKey: string): Promise<string> {
    this.#requireProduct(productKey);
    const draft = await this.#tables.draft(productKey);
    if (!draft) throw new ApiError(404, 'not_found', `Product "${productKey}" has no codec draft; save one first.`);
    return draft.body;
  }

  /**
   * Publishes the draft as the next version, the one listeners run from then on. Refused with 409 `codec_unchanged`
   * when the draft is what the latest version already publishes.
   */
  async publish(productKey: string, actor: string): Promise<CodecVersionInfo> {
    const source = await this.draftSource(productKey);
    // Compiled again: the sandbox's limits may have changed since the draft was saved.
    await this.#assertCompiles(source);
    this.#requireProduct(productKey);
    const row = await this.#tables.publishNext(productKey, source, actor, (latest) => {
      if (latest?.body === source) {
        throw conflict('codec_unchanged', `The draft is identical to version ${latest.version}; change it before publishing.`);
      }
    });
    // Devices connected now decode their next frame with it (a listener holds the sandbox, keyed by product).
    if (this.#loadedVersion.has(productKey)) await this.published(productKey);
    this.events?.emit('codec.published', { productKey, version: row.version });
    return versionInfo(row);
  }

  /** A published version with its source; 404 when it does not exist. */
  async version(productKey: string, version: number): Promise<CodecVersionInfo & { source: string }> {
    const row = await this.#versionRow(productKey, version);
    return { ...versionInfo(row), source: row.body };
  }

  /**
   * The sandbox with the product's published codec loaded under its product key (compiled on first use, and again
   * after a publish), and that version; undefined when the product has no published codec.
   */
  async published(productKey: string): Promise<{ sandbox: CodecSandbox; version: number } | undefined> {
    const latest = this.#tables.latestInMemory(productKey);
    if (!latest) return undefined;
    const { version } = latest;
    const sandbox = await this.#sandbox();
    if (this.#loadedVersion.get(productKey) !== version) {
      await sandbox.load(productKey, latest.body);
      this.#loadedVersion.set(productKey, version);
    }
    this.#loaded = sandbox;
    return { sandbox, version };
  }

  /**
   * The product's published codec when it is loaded now, for a listener deciding per frame; undefined when the product
   * has none, or while its latest version is still loading (started here).
   */
  loadedCodec(productKey: string): { sandbox: CodecSandbox; productKey: string } | undefined {
    const version = this.#tables.latestVersion(productKey);
    if (version === null) return undefined;
    if (this.#loaded && this.#loadedVersion.get(productKey) === version) return { sandbox: this.#loaded, productKey };
    this.published(productKey).catch(() => undefined); // a failure is the next caller's to see
    return undefined;
  }

  /** Whether the product has a published codec (read once per product, then kept up to date by publishes). */
  hasPublished(productKey: string): boolean {
    return this.#tables.latestVersion(productKey) !== null;
  }

  /**
   * Runs `run` against `source` loaded in the bench's sandbox: what the test bench answers. Bench runs queue one
   * after another; a run that times out or runs out of memory costs only the bench's instance, rebuilt next time.
   */
  bench<T>(source: string, run: (sandbox: CodecSandbox, key: string, compiled: Awaited<ReturnType<CodecSandbox['load']>>) => T): Promise<T> {
    const next = this.#bench.then(async () => {
      const sandbox = await this.#sandbox();
      const compiled = await sandbox.load(benchKey, source, []);
      return run(sandbox, benchKey, compiled);
    });
    this.#bench = next.catch(() => undefined);
    return next;
  }

  /** What each product's codec that listeners run has cost so far (calls, errors by kind, busy time, restarts). */
  stats(): { productKey: string; stats: CodecStats }[] {
    const loaded = this.#loaded;
    if (!loaded) return [];
    return [...this.#loadedVersion.keys()].flatMap((productKey) => {
      const stats = loaded.stats(productKey);
      return stats ? [{ productKey, stats }] : [];
    });
  }

  /** Frees a deleted product's loaded codec (its rows go with it); creates no sandbox to do so. */
  async forget(productKey: string): Promise<void> {
    this.#loadedVersion.delete(productKey);
    this.#tables.forget(productKey);
    if (this.#sandboxUsed) (await this.sandbox()).unload(productKey);
  }

  #sandbox(): Promise<CodecSandbox> {
    this.#sandboxUsed = true;
    return this.sandbox();
  }

  async #assertCompiles(source: string): Promise<void> {
    const compiled = await this.bench(source, (_sandbox, _key, c) => (c.ok && !c.functions.includes('decode') ? missingDecode() : c));
    if (!compiled.ok) throw codecInvalid(compiled.error);
  }

  async #versionRow(productKey: string, version: number): Promise<VersionRow> {
    this.#requireProduct(productKey);
    const row = await this.#tables.version(productKey, version);
    if (!row) throw notFound(`Codec version of product "${productKey}"`, String(version));
    return row;
  }

  #requireProduct(productKey: string): void {
    if (!this.products.exists(productKey)) throw notFound('Product', productKey);
  }
}

const missingDecode = () =>
  ({ ok: false, error: { kind: 'missing-function', message: 'The codec must define function decode(…).' } }) as const;

/** A codec that does not load, as the 422 the API answers: details are the compile error, line and column included. */
export function codecInvalid(error: CompileError): ApiError {
  return validationFailed(`The codec does not load: ${error.message}`, error);
}

const toDraftInfo = (draft: DraftRow, latest: VersionRow | undefined): CodecDraftInfo => ({
  source: draft.body,
  updatedAt: draft.updated_at,
  updatedBy: draft.updated_by,
  unpublishedChanges: latest?.body !== draft.body,
});
