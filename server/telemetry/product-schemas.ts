import { ApiError } from '../errors.ts';
import type { EventType, TslDataType, TslDocument } from '../../domain/thing-model/tsl-types.ts';
import {
  assertProductKey,
  eventTypesOf,
  planColumns,
  propertyColumns,
  type PropertyColumn,
  type SchemaPlan,
  type StorageKind,
  type StoredColumn,
} from './telemetry-columns.ts';

/** What a backend knows of one product's tables. */
export interface ProductSchema {
  productKey: string;
  /** Every property column, in table order: reads use all of a property's columns. */
  columns: PropertyColumn[];
  /**
   * Property → the column new values go to; present only once `ensureSchema` ran in this process, since with a type
   * change behind it the table alone does not say which of a property's columns is current.
   */
  current?: Map<string, PropertyColumn>;
  /** The model version `current` and `eventTypes` come from. */
  version?: number;
  /** Event identifier → type, from the model given to `ensureSchema`. */
  eventTypes: Map<string, EventType>;
}

/** The table operations a backend provides to {@link ProductSchemas}. */
export interface SchemaStorage {
  /** Creates the product's property and event tables if missing (idempotent), sized for `tsl` where that matters. */
  createTables(productKey: string, tsl: TslDocument): Promise<void>;
  /** The property table's columns; undefined when the product has no table. */
  describe(productKey: string): Promise<StoredColumn[] | undefined>;
  /** Adds and widens columns as planned; `existing` is what the plan was made from. */
  alter(productKey: string, plan: SchemaPlan, existing: readonly StoredColumn[]): Promise<void>;
}

/**
 * The per-product schema cache and the one `ensureSchema` algorithm both backends run: create the tables, read the
 * columns back from the database, plan, alter. Reading back rather than trusting memory is what lets several
 * Thingwire instances share one TDengine database; an alter that loses a race with another instance (column already
 * added) is retried once against a fresh description.
 */
export class ProductSchemas {
  readonly #schemas = new Map<string, ProductSchema>();
  /** One schema change at a time per product: a publish can arrive while startup is still ensuring. */
  readonly #pending = new Map<string, Promise<unknown>>();

  constructor(
    private readonly storage: SchemaStorage,
    private readonly widthOf?: (dataType: TslDataType, kind: StorageKind) => number | undefined,
  ) {}

  /** The schema as last ensured or read in this process. */
  cached(productKey: string): ProductSchema | undefined {
    return this.#schemas.get(productKey);
  }

  /** The schema for reading: cached, else described from the database (undefined when the product has no table). */
  async forReading(productKey: string): Promise<ProductSchema | undefined> {
    assertProductKey(productKey);
    const cached = this.#schemas.get(productKey);
    if (cached) return cached;
    const columns = await this.storage.describe(productKey);
    if (columns === undefined) return undefined;
    const schema: ProductSchema = { productKey, columns: propertyColumns(columns), eventTypes: new Map() };
    // An ensure that finished while this was reading has the better (current-column) answer.
    return this.#schemas.get(productKey) ?? (this.#schemas.set(productKey, schema), schema);
  }

  ensure(productKey: string, version: number, tsl: TslDocument): Promise<ProductSchema> {
    assertProductKey(productKey);
    const previous = this.#pending.get(productKey) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.#ensure(productKey, version, tsl));
    this.#pending.set(productKey, next);
    void next.finally(() => {
      if (this.#pending.get(productKey) === next) this.#pending.delete(productKey);
    }).catch(() => undefined);
    return next;
  }

  async #ensure(productKey: string, version: number, tsl: TslDocument): Promise<ProductSchema> {
    await this.storage.createTables(productKey, tsl);
    let plan: SchemaPlan;
    for (let attempt = 1; ; attempt++) {
      const existing = (await this.storage.describe(productKey)) ?? [];
      plan = planColumns(existing, tsl, version, this.widthOf);
      try {
        if (plan.add.length > 0 || plan.widen.length > 0) await this.storage.alter(productKey, plan, existing);
        const widened = existing.map((c) => plan.widen.find((w) => w.name === c.name) ?? c);
        const columns = propertyColumns([...widened, ...plan.add]);
        const newer = this.#schemas.get(productKey);
        // An older version ensured late (startup racing a publish) adds what it needs but does not take over writes.
        const schema: ProductSchema =
          newer?.version !== undefined && newer.version > version
            ? { ...newer, columns, current: refreshed(newer.current!, columns) }
            : { productKey, columns, current: plan.current, version, eventTypes: eventTypesOf(tsl) };
        this.#schemas.set(productKey, schema);
        return schema;
      } catch (err) {
        // An ApiError is the model's fault (a row too wide, say) and would fail again.
        if (attempt >= 2 || err instanceof ApiError) throw err;
      }
    }
  }

  /** Drops a product from the cache (its tables were deleted, or another instance may have changed them). */
  forget(productKey: string): void {
    this.#schemas.delete(productKey);
  }
}

/** The same current columns, with the widths just read from the table. */
function refreshed(current: Map<string, PropertyColumn>, columns: readonly PropertyColumn[]): Map<string, PropertyColumn> {
  return new Map([...current].map(([id, c]) => [id, columns.find((f) => f.name === c.name) ?? c]));
}
