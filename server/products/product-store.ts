import type { Db } from '../db/database.ts';
import { conflict, notFound } from '../errors.ts';
import type { RegistryEvents } from '../registry-events.ts';
import { newSecret, type SecretBox } from '../secrets/secret-box.ts';
import { generateProductKey } from './generated-names.ts';
import type { Dialect, FutureTimes, NewProduct, NodeType, Product, ProductAuth, ProductPatch, SignMethod } from '../../domain/products/product-schemas.ts';
import { isUniqueViolation } from '../db/sql.ts';

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

/** Products: their identity, sign-in settings and sealed product secret. */
export class ProductStore {
  readonly #insert;
  readonly #list;
  readonly #get;
  readonly #exists;
  readonly #update;
  readonly #delete;
  readonly #secret;
  readonly #auth;
  readonly #retention;
  readonly #futureTimes;
  /** `futureTimes` by product key, read once per product: it is asked on every device message. */
  readonly #futureTimesCache = new Map<string, FutureTimes>();
  readonly #nodeType;
  readonly #nodeTypeCache = new Map<string, NodeType>();

  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    private readonly events: RegistryEvents,
  ) {
    this.#insert = db.prepare(`
      INSERT INTO products (product_key, name, description, dialect, node_type, sign_methods, timestamp_window_seconds,
                            require_timestamp, dynamic_registration, retention_days, future_times, product_secret,
                            created_at, updated_at)
      VALUES (@productKey, @name, @description, @dialect, @nodeType, @signMethods, @timestampWindowSeconds,
              @requireTimestamp, @dynamicRegistration, @retentionDays, @futureTimes, @productSecret, @at, @at)`);
    this.#list = db.prepare(`${SELECT_PRODUCT} ORDER BY p.product_key`);
    this.#get = db.prepare(`${SELECT_PRODUCT} WHERE p.product_key = ?`);
    this.#exists = db.prepare('SELECT 1 FROM products WHERE product_key = ?').pluck();
    this.#update = db.prepare(`
      UPDATE products SET name = @name, description = @description, dialect = @dialect, sign_methods = @signMethods,
        timestamp_window_seconds = @timestampWindowSeconds, require_timestamp = @requireTimestamp,
        dynamic_registration = @dynamicRegistration, retention_days = @retentionDays, future_times = @futureTimes,
        updated_at = @at
      WHERE product_key = @productKey`);
    this.#delete = db.prepare('DELETE FROM products WHERE product_key = ?');
    this.#secret = db.prepare('SELECT product_secret FROM products WHERE product_key = ?').pluck();
    this.#auth = db.prepare(
      'SELECT sign_methods, timestamp_window_seconds, require_timestamp, dynamic_registration FROM products WHERE product_key = ?',
    );
    this.#retention = db.prepare('SELECT product_key AS productKey, retention_days AS days FROM products ORDER BY product_key');
    this.#futureTimes = db.prepare('SELECT future_times FROM products WHERE product_key = ?').pluck();
    this.#nodeType = db.prepare('SELECT node_type FROM products WHERE product_key = ?').pluck();
  }

  /**
   * The product's node type, undefined for a product that does not exist. Asked on every CONNECT and gateway
   * operation; kept in memory once read (it never changes while the product exists).
   */
  nodeType(productKey: string): NodeType | undefined {
    let value = this.#nodeTypeCache.get(productKey);
    if (value === undefined) {
      value = this.#nodeType.get(productKey) as NodeType | undefined;
      if (value === undefined) return undefined;
      this.#nodeTypeCache.set(productKey, value);
    }
    return value;
  }

  /** A product's sign-in settings, or undefined when it does not exist: one indexed read, run on every CONNECT. */
  auth(productKey: string): ProductAuth | undefined {
    const r = this.#auth.get(productKey) as Pick<ProductRow, 'sign_methods' | 'timestamp_window_seconds' | 'require_timestamp' | 'dynamic_registration'> | undefined;
    return r && toAuth(r);
  }

  /** Creates a product; the plain product secret is returned only here. Duplicate key → 409 `product_exists`. */
  create(input: NewProduct): { product: Product; productSecret: string } {
    const productKey = input.productKey ?? generateProductKey();
    const productSecret = newSecret();
    try {
      this.#insert.run({
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
    this.events.emit('product.changed', { productKey, change: 'created' });
    return { product: this.get(productKey), productSecret };
  }

  /** Every product with its device count, by key. */
  list(): Product[] {
    return (this.#list.all() as ProductRow[]).map(toProduct);
  }

  /** One product; 404 when it does not exist. */
  get(productKey: string): Product {
    const row = this.#get.get(productKey) as ProductRow | undefined;
    if (!row) throw notFound('Product', productKey);
    return toProduct(row);
  }

  /** Whether the product exists, without reading it. */
  exists(productKey: string): boolean {
    return this.#exists.get(productKey) !== undefined;
  }

  /** Changes the fields given; `auth` fields not given keep their values; `retentionDays: null` clears the retention. */
  update(productKey: string, patch: ProductPatch): Product {
    const current = this.get(productKey);
    this.#update.run({
      productKey,
      name: patch.name ?? current.name,
      description: patch.description ?? current.description,
      dialect: patch.dialect ?? current.dialect,
      ...authColumns({ ...current.auth, ...patch.auth }),
      retentionDays: patch.retentionDays === undefined ? current.retentionDays : patch.retentionDays,
      futureTimes: patch.futureTimes ?? current.futureTimes,
      at: now(),
    });
    this.#futureTimesCache.delete(productKey);
    this.events.emit('product.changed', { productKey, change: 'updated' });
    return this.get(productKey);
  }

  /**
   * Deletes a product with its thing models. Refused with 409 `product_has_devices` while it has devices: deleting
   * them is a decision of its own, not a side effect.
   */
  delete(productKey: string): void {
    this.db.transaction(() => {
      const { deviceCount } = this.get(productKey);
      if (deviceCount > 0) {
        throw conflict(
          'product_has_devices',
          `Product "${productKey}" still has ${deviceCount} device${deviceCount === 1 ? '' : 's'}; delete ${deviceCount === 1 ? 'it' : 'them'} first.`,
          { deviceCount },
        );
      }
      this.#delete.run(productKey);
    })();
    this.#futureTimesCache.delete(productKey);
    this.#nodeTypeCache.delete(productKey);
    this.events.emit('product.changed', { productKey, change: 'deleted' });
  }

  /**
   * Every product's telemetry retention (`days: null` keeps it forever), by key: one read of the products table
   * without the device counts, for the retention sweeper to ask at each sweep.
   */
  retentionPolicies(): { productKey: string; days: number | null }[] {
    return this.#retention.all() as { productKey: string; days: number | null }[];
  }

  /**
   * What becomes of the product's device times too far ahead of the server clock; asked for every device message, so
   * kept in memory once read (every change goes through this store). `refuse` for a product that does not exist.
   */
  futureTimes(productKey: string): FutureTimes {
    let value = this.#futureTimesCache.get(productKey);
    if (value === undefined) {
      value = this.#futureTimes.get(productKey) as FutureTimes | undefined;
      if (value === undefined) return 'refuse';
      this.#futureTimesCache.set(productKey, value);
    }
    return value;
  }

  /** The plain product secret (for dynamic registration); callers audit who asked. */
  revealSecret(productKey: string): string {
    const sealed = this.#secret.get(productKey) as string | undefined;
    if (sealed === undefined) throw notFound('Product', productKey);
    return this.secrets.open(sealed);
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
