import { conflict, notFound } from '../errors.ts';
import type { RegistryEvents } from '../registry-events.ts';
import { newSecret, type SecretBox } from '../secrets/secret-box.ts';
import { generateProductKey } from './generated-names.ts';
import type { Dialect, FutureTimes, NewProduct, NodeType, Product, ProductAuth, ProductPatch, SignMethod } from '../../domain/products/product-schemas.ts';
import { isForeignKeyViolation, isUniqueViolation, type Sql } from '../db/sql.ts';

/** What a product gets for every auth setting it is created without. */
export const DEFAULT_PRODUCT_AUTH: Readonly<ProductAuth> = Object.freeze<ProductAuth>({
  signMethods: ['hmacsha256', 'hmacsha1'],
  timestampWindowSeconds: 300,
  requireTimestamp: false,
  dynamicRegistration: false,
});

interface ProductRow {
  product_key: string;
  name: string;
  description: string;
  dialect: Dialect;
  node_type: NodeType;
  sign_methods: string;
  timestamp_window_seconds: number;
  require_timestamp: number;
  dynamic_registration: number;
  retention_days: number | null;
  future_times: FutureTimes;
  created_at: string;
  updated_at: string;
  device_count: number;
}

const now = () => new Date().toISOString();

// The sealed secret is never selected here: it is read only by the one statement that reveals it.
const SELECT_PRODUCT = `
  SELECT p.product_key, p.name, p.description, p.dialect, p.node_type, p.sign_methods, p.timestamp_window_seconds,
         p.require_timestamp, p.dynamic_registration, p.retention_days, p.future_times, p.created_at, p.updated_at,
         (SELECT count(*) FROM devices d WHERE d.product_key = p.product_key) AS device_count
  FROM products p`;

/** What the hot paths ask of a product on every CONNECT and message, kept in memory (see {@link ProductStore.load}). */
interface ProductSettings {
  nodeType: NodeType;
  auth: ProductAuth;
  futureTimes: FutureTimes;
}

type SettingsRow = Pick<ProductRow, 'product_key' | 'node_type' | 'sign_methods' | 'timestamp_window_seconds' | 'require_timestamp' | 'dynamic_registration' | 'future_times'>;
const SELECT_SETTINGS = `
  SELECT product_key, node_type, sign_methods, timestamp_window_seconds, require_timestamp, dynamic_registration, future_times
  FROM products`;

/**
 * Products: their identity, sign-in settings and sealed product secret, in the registry's database (SQLite or
 * PostgreSQL). The settings device traffic asks for (node type, sign-in, future times) are answered from memory:
 * {@link load} reads them at start, each change through this store updates them, and {@link reload} takes a change
 * made elsewhere (another node of a cluster).
 */
export class ProductStore {
  readonly #settings = new Map<string, ProductSettings>();

  constructor(
    private readonly sql: Sql,
    private readonly secrets: SecretBox,
    private readonly events: RegistryEvents,
  ) {}

  /** Reads every product's settings into memory; before the first device connects. */
  async load(): Promise<void> {
    const rows = await this.sql.all<SettingsRow>(SELECT_SETTINGS);
    this.#settings.clear();
    for (const r of rows) this.#settings.set(r.product_key, toSettings(r));
  }

  /** Reads one product's settings again (or forgets them, when it is gone): after a change made elsewhere. */
  async reload(productKey: string): Promise<void> {
    const row = await this.sql.get<SettingsRow>(`${SELECT_SETTINGS} WHERE product_key = ?`, [productKey]);
    if (row) this.#settings.set(productKey, toSettings(row));
    else this.#settings.delete(productKey);
  }

  /** The product's node type, undefined for a product that does not exist. Asked on every CONNECT and gateway operation. */
  nodeType(productKey: string): NodeType | undefined {
    return this.#settings.get(productKey)?.nodeType;
  }

  /** A product's sign-in settings, or undefined when it does not exist. Asked on every CONNECT. */
  auth(productKey: string): ProductAuth | undefined {
    return this.#settings.get(productKey)?.auth;
  }

  /** Whether the product exists. */
  exists(productKey: string): boolean {
    return this.#settings.has(productKey);
  }

  /** What becomes of the product's device times too far ahead of the server clock; `refuse` for an unknown product. */
  futureTimes(productKey: string): FutureTimes {
    return this.#settings.get(productKey)?.futureTimes ?? 'refuse';
  }

  /** Creates a product; the plain product secret is returned only here. Duplicate key → 409 `product_exists`. */
  async create(input: NewProduct): Promise<{ product: Product; productSecret: string }> {
    const productKey = input.productKey ?? generateProductKey();
    const productSecret = newSecret();
    try {
      await this.sql.run(`
        INSERT INTO products (product_key, name, description, dialect, node_type, sign_methods, timestamp_window_seconds,
                              require_timestamp, dynamic_registration, retention_days, future_times, product_secret,
                              created_at, updated_at)
        VALUES (@productKey, @name, @description, @dialect, @nodeType, @signMethods, @timestampWindowSeconds,
                @requireTimestamp, @dynamicRegistration, @retentionDays, @futureTimes, @productSecret, @at, @at)`, {
        productKey,
        name: input.name,
        description: input.description ?? '',
        dialect: input.dialect ?? 'alink',
        nodeType: input.nodeType ?? 'direct',
        ...authColumns({ ...DEFAULT_PRODUCT_AUTH, ...input.auth }),
        retentionDays: input.retentionDays ?? null,
        futureTimes: input.futureTimes ?? 'refuse',
        productSecret: this.secrets.seal(productSecret),
        at: now(),
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw conflict('product_exists', `A product with the key "${productKey}" already exists.`);
      }
      throw err;
    }
    const product = await this.get(productKey);
    this.#remember(product);
    this.events.emit('product.changed', { productKey, change: 'created' });
    return { product, productSecret };
  }

  /** Every product with its device count, by key. */
  async list(): Promise<Product[]> {
    return (await this.sql.all<ProductRow>(`${SELECT_PRODUCT} ORDER BY p.product_key`)).map(toProduct);
  }

  /** One product; 404 when it does not exist. */
  async get(productKey: string): Promise<Product> {
    const row = await this.sql.get<ProductRow>(`${SELECT_PRODUCT} WHERE p.product_key = ?`, [productKey]);
    if (!row) throw notFound('Product', productKey);
    return toProduct(row);
  }

  /** Changes the fields given; `auth` fields not given keep their values; `retentionDays: null` clears the retention. */
  async update(productKey: string, patch: ProductPatch): Promise<Product> {
    const product = await this.sql.transaction(async (tx) => {
      // Read and written under the product's lock: two edits of different fields at once both land.
      await tx.lock(`product:${productKey}`);
      const row = await tx.get<ProductRow>(`${SELECT_PRODUCT} WHERE p.product_key = ?`, [productKey]);
      if (!row) throw notFound('Product', productKey);
      const current = toProduct(row);
      const next: Product = {
        ...current,
        name: patch.name ?? current.name,
        description: patch.description ?? current.description,
        dialect: patch.dialect ?? current.dialect,
        auth: { ...current.auth, ...patch.auth },
        retentionDays: patch.retentionDays === undefined ? current.retentionDays : patch.retentionDays,
        futureTimes: patch.futureTimes ?? current.futureTimes,
        updatedAt: now(),
      };
      await tx.run(`
        UPDATE products SET name = @name, description = @description, dialect = @dialect, sign_methods = @signMethods,
          timestamp_window_seconds = @timestampWindowSeconds, require_timestamp = @requireTimestamp,
          dynamic_registration = @dynamicRegistration, retention_days = @retentionDays, future_times = @futureTimes,
          updated_at = @at
        WHERE product_key = @productKey`, {
        productKey,
        name: next.name,
        description: next.description,
        dialect: next.dialect,
        ...authColumns(next.auth),
        retentionDays: next.retentionDays,
        futureTimes: next.futureTimes,
        at: next.updatedAt,
      });
      // What was written, with the device count read under the same lock: no second read of the row.
      return next;
    });
    this.#remember(product);
    this.events.emit('product.changed', { productKey, change: 'updated' });
    return product;
  }

  /**
   * Deletes a product with its thing models. Refused with 409 `product_has_devices` while it has devices: deleting
   * them is a decision of its own, not a side effect.
   */
  async delete(productKey: string): Promise<void> {
    const hasDevices = (deviceCount: number) => conflict(
      'product_has_devices',
      `Product "${productKey}" still has ${deviceCount} device${deviceCount === 1 ? '' : 's'}; delete ${deviceCount === 1 ? 'it' : 'them'} first.`,
      { deviceCount },
    );
    try {
      await this.sql.transaction(async (tx) => {
        const row = await tx.get<ProductRow>(`${SELECT_PRODUCT} WHERE p.product_key = ?`, [productKey]);
        if (!row) throw notFound('Product', productKey);
        if (row.device_count > 0) throw hasDevices(row.device_count);
        await tx.run('DELETE FROM products WHERE product_key = ?', [productKey]);
      });
    } catch (err) {
      // A device created meanwhile (on another connection): the foreign key refused the delete.
      if (isForeignKeyViolation(err)) throw hasDevices((await this.get(productKey)).deviceCount);
      throw err;
    }
    this.#settings.delete(productKey);
    this.events.emit('product.changed', { productKey, change: 'deleted' });
  }

  /**
   * Every product's telemetry retention (`days: null` keeps it forever), by key: one read of the products table
   * without the device counts, for the retention sweeper to ask at each sweep.
   */
  async retentionPolicies(): Promise<{ productKey: string; days: number | null }[]> {
    return this.sql.all('SELECT product_key AS "productKey", retention_days AS days FROM products ORDER BY product_key');
  }

  /** The plain product secret (for dynamic registration); callers audit who asked. */
  async revealSecret(productKey: string): Promise<string> {
    const row = await this.sql.get<{ product_secret: string }>('SELECT product_secret FROM products WHERE product_key = ?', [productKey]);
    if (row === undefined) throw notFound('Product', productKey);
    return this.secrets.open(row.product_secret);
  }

  #remember(product: Product): void {
    this.#settings.set(product.productKey, { nodeType: product.nodeType, auth: product.auth, futureTimes: product.futureTimes });
  }
}

function authColumns(auth: ProductAuth) {
  return {
    signMethods: JSON.stringify(auth.signMethods),
    timestampWindowSeconds: auth.timestampWindowSeconds,
    requireTimestamp: auth.requireTimestamp ? 1 : 0,
    dynamicRegistration: auth.dynamicRegistration ? 1 : 0,
  };
}

const toSettings = (r: SettingsRow): ProductSettings => ({ nodeType: r.node_type, auth: toAuth(r), futureTimes: r.future_times });

const toProduct = (r: ProductRow): Product => ({
  productKey: r.product_key,
  name: r.name,
  description: r.description,
  dialect: r.dialect,
  nodeType: r.node_type,
  auth: toAuth(r),
  retentionDays: r.retention_days,
  futureTimes: r.future_times,
  deviceCount: r.device_count,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

function toAuth(r: Pick<ProductRow, 'sign_methods' | 'timestamp_window_seconds' | 'require_timestamp' | 'dynamic_registration'>): ProductAuth {
  return {
    signMethods: JSON.parse(r.sign_methods) as SignMethod[],
    timestampWindowSeconds: r.timestamp_window_seconds,
    requireTimestamp: r.require_timestamp === 1,
    dynamicRegistration: r.dynamic_registration === 1,
  };
}
