import { ApiError, conflict, notFound } from '../errors.ts';
import { generateDeviceName } from '../products/generated-names.ts';
import type { ProductStore } from '../products/product-store.ts';
import type { DeviceChange, RegistryEvents } from '../registry-events.ts';
import { newSecret, type SecretBox } from '../secrets/secret-box.ts';
import type { CreatedDevice, Device, DevicePatch, DeviceRef, DeviceStatus, NewDevice, Tags } from '../../domain/devices/device-schemas.ts';
import { chunks, isForeignKeyViolation, isUniqueViolation, ROWS_PER_STATEMENT, type Sql, type SqlDialect } from '../db/sql.ts';

/** A device going online or offline, as the device hub writes it (see DeviceStore.queueStatus). */
export interface StatusChange {
  productKey: string;
  deviceName: string;
  status: 'online' | 'offline';
  /** ISO time of the change. */
  at: string;
  /** Offline: the last time the device was seen, when known. */
  lastSeenAt?: string;
}

/** Which devices a listing returns; every given criterion must hold. */
export interface DeviceFilter {
  productKey?: string;
  status?: DeviceStatus;
  enabled?: boolean;
  /** Each pair must be among the device's tags. */
  tags?: { key: string; value: string }[];
  /** Case-insensitive substring of the device name or description. */
  q?: string;
}

/** One page of a listing, with the number of devices matching the filter across all pages. */
export interface DevicePage {
  items: Device[];
  total: number;
  limit: number;
  offset: number;
}

/** What signed device authentication needs: the plain secret and whether the device may connect at all. */
export interface DeviceCredentials {
  secret: string;
  enabled: boolean;
}

interface DeviceRow {
  id: number;
  product_key: string;
  device_name: string;
  description: string;
  enabled: number;
  status: DeviceStatus;
  last_online_at: string | null;
  last_seen_at: string | null;
  created_at: string;
  updated_at: string;
  tags: string;
  node_type: Device['nodeType'];
  gateway_product_key: string | null;
  gateway_device_name: string | null;
}

const now = () => new Date().toISOString();

/** A device's tags as one JSON object text ('{}' without tags), in each database's own aggregate. */
const TAGS_JSON: Record<SqlDialect, string> = {
  sqlite: '(SELECT json_group_object(t.key, t.value) FROM device_tags t WHERE t.device_id = d.id)',
  postgres: "(SELECT coalesce(json_object_agg(t.key, t.value), '{}')::text FROM device_tags t WHERE t.device_id = d.id)",
};

/** Case-insensitive LIKE: SQLite's LIKE already is (for ASCII); PostgreSQL's is not. */
const LIKE: Record<SqlDialect, string> = { sqlite: 'LIKE', postgres: 'ILIKE' };

// The sealed secret is never selected here: listings and reads cannot leak it by accident.
const selectDevice = (dialect: SqlDialect) => `
  SELECT d.id, d.product_key, d.device_name, d.description, d.enabled, d.status, d.last_online_at, d.last_seen_at,
         d.created_at, d.updated_at, ${TAGS_JSON[dialect]} AS tags,
         (SELECT p.node_type FROM products p WHERE p.product_key = d.product_key) AS node_type,
         g.product_key AS gateway_product_key, g.device_name AS gateway_device_name
  FROM devices d
  LEFT JOIN device_topology l ON l.sub_device_id = d.id
  LEFT JOIN devices g ON g.id = l.gateway_id`;

/** The `online_node` of a single node's devices: the node is the whole installation. */
const SINGLE_NODE = 'single';

/** Each device's status columns after a batch of changes, in the order they happened (see flushStatus). */
interface StatusColumns {
  productKey: string;
  deviceName: string;
  status: 'online' | 'offline';
  lastOnlineAt: string | null;
  lastSeenAt: string | null;
}

/**
 * Devices of all products, in the registry's database (SQLite or PostgreSQL): identity, tags, enabled flag,
 * connection status and the sealed device secret.
 */
export class DeviceStore {
  /** Status changes not written yet (see queueStatus). */
  #statusChanges: StatusChange[] = [];
  readonly #select: string;
  readonly #like: string;

  /**
   * @param nodeId this node's id in a cluster: its devices' `online_node`. Without one, the node is the whole
   *   installation and every device online is its own.
   */
  constructor(
    private readonly sql: Sql,
    private readonly secrets: SecretBox,
    private readonly products: ProductStore,
    private readonly events: RegistryEvents,
    private readonly nodeId?: string,
  ) {
    this.#select = selectDevice(sql.dialect);
    this.#like = LIKE[sql.dialect];
  }

  /**
   * Creates a device; its plain secret is returned only here. Unknown product → 404, a name already taken in the
   * product → 409 `device_exists`.
   */
  async create(input: NewDevice): Promise<CreatedDevice> {
    return (await this.createMany([input]))[0]!;
  }

  /** Creates every device in one transaction: all of them, or (on the first error, thrown) none. */
  async createMany(inputs: readonly NewDevice[]): Promise<CreatedDevice[]> {
    const at = now();
    const rows = inputs.map((input) => {
      if (!this.products.exists(input.productKey)) throw productNotFound(input.productKey);
      return { input, deviceName: input.deviceName ?? generateDeviceName(), deviceSecret: newSecret() };
    });
    const seen = new Set<string>();
    for (const { input, deviceName } of rows) {
      const key = `${input.productKey}/${deviceName}`;
      if (seen.has(key)) throw deviceExists(input.productKey, deviceName);
      seen.add(key);
    }
    const refs = rows.map(({ input, deviceName }) => ({ productKey: input.productKey, deviceName }));
    try {
      await this.sql.transaction(async (tx) => {
        for (const part of chunks(rows, ROWS_PER_STATEMENT)) {
          const ids = await tx.all<{ id: number; product_key: string; device_name: string }>(
            `INSERT INTO devices (product_key, device_name, description, device_secret, created_at, updated_at)
             VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')} RETURNING id, product_key, device_name`,
            part.flatMap(({ input, deviceName, deviceSecret }) => [input.productKey, deviceName, input.description ?? '', this.secrets.seal(deviceSecret), at, at]),
          );
          const idOf = new Map(ids.map((r) => [`${r.product_key}/${r.device_name}`, r.id]));
          await this.#writeTags(tx, part.map(({ input, deviceName }) => ({ id: idOf.get(`${input.productKey}/${deviceName}`)!, tags: input.tags ?? {} })));
        }
      });
    } catch (err) {
      // Rolled back; which name was taken is read afterwards (PostgreSQL's failed transaction answers nothing more).
      if (isUniqueViolation(err)) {
        const found = await existingIn(this.sql, refs);
        const taken = refs.find((r) => found.has(`${r.productKey}/${r.deviceName}`)) ?? refs[0]!;
        throw deviceExists(taken.productKey, taken.deviceName);
      }
      // A product deleted meanwhile (on another node): this node's memory of products had not heard yet.
      if (isForeignKeyViolation(err)) throw productNotFound(refs[0]!.productKey);
      throw err;
    }
    for (const { input, deviceName } of rows) this.#emit(input.productKey, deviceName, 'created');
    const created = new Map((await this.#read(refs)).map((d) => [`${d.productKey}/${d.deviceName}`, d]));
    return rows.map(({ input, deviceName, deviceSecret }) => ({ ...created.get(`${input.productKey}/${deviceName}`)!, deviceSecret }));
  }

  /** A page of the devices matching `filter`, ordered by product key and device name. */
  async list(filter: DeviceFilter, page: { limit: number; offset: number }): Promise<DevicePage> {
    await this.flushStatus();
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.productKey !== undefined) {
      where.push('d.product_key = ?');
      args.push(filter.productKey);
    }
    if (filter.status !== undefined) {
      where.push('d.status = ?');
      args.push(filter.status);
    }
    if (filter.enabled !== undefined) {
      where.push('d.enabled = ?');
      args.push(filter.enabled ? 1 : 0);
    }
    for (const tag of filter.tags ?? []) {
      where.push('EXISTS (SELECT 1 FROM device_tags t WHERE t.device_id = d.id AND t.key = ? AND t.value = ?)');
      args.push(tag.key, tag.value);
    }
    if (filter.q) {
      where.push(`(d.device_name ${this.#like} ? ESCAPE '\\' OR d.description ${this.#like} ? ESCAPE '\\')`);
      const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      args.push(pattern, pattern);
    }
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const [count, rows] = await Promise.all([
      this.sql.get<{ n: number }>(`SELECT count(*) AS n FROM devices d${clause}`, args),
      this.sql.all<DeviceRow>(`${this.#select}${clause} ORDER BY d.product_key, d.device_name LIMIT ? OFFSET ?`, [...args, page.limit, page.offset]),
    ]);
    return { items: rows.map(toDevice), total: count?.n ?? 0, ...page };
  }

  /** One device; 404 when it does not exist. */
  async get(productKey: string, deviceName: string): Promise<Device> {
    await this.flushStatus();
    const row = await this.sql.get<DeviceRow>(`${this.#select} WHERE d.product_key = ? AND d.device_name = ?`, [productKey, deviceName]);
    if (!row) throw deviceNotFound(productKey, deviceName);
    return toDevice(row);
  }

  /** Whether the device exists, without reading it. */
  async exists(productKey: string, deviceName: string): Promise<boolean> {
    return (await this.sql.get('SELECT 1 AS one FROM devices WHERE product_key = ? AND device_name = ?', [productKey, deviceName])) !== undefined;
  }

  /** Which of `refs` exist, as `productKey/deviceName` keys: a few statements for thousands (a bulk upload's check). */
  async existing(refs: readonly DeviceRef[]): Promise<Set<string>> {
    return existingIn(this.sql, refs);
  }

  /** Changes the fields given; `tags` replaces the whole set. Emits `enabled`/`disabled` and `updated`. */
  async update(productKey: string, deviceName: string, patch: DevicePatch): Promise<Device> {
    const before = await this.get(productKey, deviceName);
    await this.sql.transaction(async (tx) => {
      const id = await deviceIdOf(tx, { productKey, deviceName });
      if (id === undefined) throw deviceNotFound(productKey, deviceName);
      await tx.run(`
        UPDATE devices SET description = coalesce(@description, description), enabled = coalesce(@enabled, enabled),
          updated_at = @at
        WHERE id = @id`, {
        id, description: patch.description ?? null, enabled: patch.enabled === undefined ? null : patch.enabled ? 1 : 0, at: now(),
      });
      if (patch.tags !== undefined) {
        await tx.run('DELETE FROM device_tags WHERE device_id = ?', [id]);
        await this.#writeTags(tx, [{ id, tags: patch.tags }]);
      }
    });
    if (patch.enabled !== undefined && patch.enabled !== before.enabled) {
      this.#emit(productKey, deviceName, patch.enabled ? 'enabled' : 'disabled');
    }
    if (patch.description !== undefined || patch.tags !== undefined) this.#emit(productKey, deviceName, 'updated');
    return this.get(productKey, deviceName);
  }

  /** Deletes the device with its tags; 404 when it does not exist. */
  async delete(productKey: string, deviceName: string): Promise<void> {
    // The topology links go with the device (ON DELETE CASCADE); read in the same transaction, so the other side can be told.
    const links = await this.sql.transaction(async (tx) => {
      const found = await tx.all<{ gk: string; gn: string; sk: string; sn: string }>(`
        SELECT g.product_key AS gk, g.device_name AS gn, s.product_key AS sk, s.device_name AS sn
        FROM device_topology l JOIN devices g ON g.id = l.gateway_id JOIN devices s ON s.id = l.sub_device_id
        WHERE (g.product_key = ? AND g.device_name = ?) OR (s.product_key = ? AND s.device_name = ?)`, [productKey, deviceName, productKey, deviceName]);
      const { changes } = await tx.run('DELETE FROM devices WHERE product_key = ? AND device_name = ?', [productKey, deviceName]);
      if (changes === 0) throw deviceNotFound(productKey, deviceName);
      return found;
    });
    this.#emit(productKey, deviceName, 'deleted');
    for (const l of links) {
      this.events.emit('topology.changed', {
        gateway: { productKey: l.gk, deviceName: l.gn }, subDevice: { productKey: l.sk, deviceName: l.sn }, change: 'removed', by: 'device deleted',
      });
    }
  }

  /** The plain device secret; callers audit who asked. */
  async revealSecret(productKey: string, deviceName: string): Promise<string> {
    const row = await this.sql.get<{ device_secret: string }>('SELECT device_secret FROM devices WHERE product_key = ? AND device_name = ?', [productKey, deviceName]);
    if (row === undefined) throw deviceNotFound(productKey, deviceName);
    return this.secrets.open(row.device_secret);
  }

  /** Replaces the device secret and returns the new one; emits `secret-rotated` so live sessions can be ended. */
  async rotateSecret(productKey: string, deviceName: string): Promise<string> {
    const deviceSecret = newSecret();
    const { changes } = await this.sql.run(
      'UPDATE devices SET device_secret = ?, updated_at = ? WHERE product_key = ? AND device_name = ?',
      [this.secrets.seal(deviceSecret), now(), productKey, deviceName],
    );
    if (changes === 0) throw deviceNotFound(productKey, deviceName);
    this.#emit(productKey, deviceName, 'secret-rotated');
    return deviceSecret;
  }

  /**
   * The credentials device sign-in checks signatures with, or undefined for an unknown device. On the connect path:
   * one indexed lookup, and the secret is decrypted only for a device that exists.
   */
  async credentialsFor(productKey: string, deviceName: string): Promise<DeviceCredentials | undefined> {
    const row = await this.sql.get<{ device_secret: string; enabled: number }>(
      'SELECT device_secret, enabled FROM devices WHERE product_key = ? AND device_name = ?', [productKey, deviceName],
    );
    return row && { secret: this.secrets.open(row.device_secret), enabled: row.enabled === 1 };
  }

  /**
   * Queues a connection status change; only the device hub calls this (the API cannot: DevicePatch has no status).
   * `online` also sets lastOnlineAt and lastSeenAt to `at`; `offline` keeps lastOnlineAt and writes the last time the
   * device was seen, when known. Queued changes are written together by {@link flushStatus} (the hub calls it 50 ms
   * after the first), and before any read of this store, so nobody reads a status older than the hub's.
   */
  queueStatus(change: StatusChange): number {
    return this.#statusChanges.push(change);
  }

  /**
   * Writes the queued status changes in one transaction: each device's last state, in a statement per
   * {@link ROWS_PER_STATEMENT} devices (a device that no longer exists is left out). If the write fails the changes are
   * dropped and the error thrown: the hub's live view stays right, and each device's next change writes its row again.
   */
  async flushStatus(): Promise<void> {
    const changes = this.#statusChanges;
    if (changes.length === 0) return;
    this.#statusChanges = [];
    const final = new Map<string, StatusColumns>();
    for (const { productKey, deviceName, status, at, lastSeenAt } of changes) {
      const key = `${productKey}/${deviceName}`;
      const before = final.get(key);
      if (status === 'online') final.set(key, { productKey, deviceName, status, lastOnlineAt: at, lastSeenAt: at });
      else final.set(key, { productKey, deviceName, status, lastOnlineAt: before?.lastOnlineAt ?? null, lastSeenAt: lastSeenAt ?? before?.lastSeenAt ?? null });
    }
    // Status columns leave updated_at alone: it says when someone last edited the device, and would otherwise move on
    // every reconnect. Offline is written only over this node's own online: a device that has moved to another node
    // of a cluster meanwhile stays online there.
    const node = this.nodeId ?? SINGLE_NODE;
    await this.#updateFrom([...final.values()], 6, (c) => [c.productKey, c.deviceName, c.status, c.lastOnlineAt, c.lastSeenAt, node], `
      status = v.column3, last_online_at = coalesce(v.column4, devices.last_online_at), last_seen_at = coalesce(v.column5, devices.last_seen_at),
      online_node = CASE WHEN v.column3 = 'online' THEN v.column6 ELSE NULL END`,
      "(v.column3 = 'online' OR devices.online_node IS NULL OR devices.online_node = v.column6)");
  }

  /** Writes when devices were last seen, in one transaction: the device hub's batched lastSeen. */
  async touch(seen: readonly { productKey: string; deviceName: string; lastSeenAt: string }[]): Promise<void> {
    await this.#updateFrom(seen, 3, (s) => [s.productKey, s.deviceName, s.lastSeenAt], 'last_seen_at = v.column3');
  }

  /**
   * How many devices there are, by status, and how many of them are disabled: one grouped count over the table, never
   * a read of its rows (the dashboard asks every few seconds, with tens of thousands of devices).
   */
  async countByStatus(): Promise<{ total: number; online: number; offline: number; inactive: number; disabled: number }> {
    await this.flushStatus();
    const counts = { total: 0, online: 0, offline: 0, inactive: 0, disabled: 0 };
    const rows = await this.sql.all<{ status: DeviceStatus; enabled: number; n: number }>('SELECT status, enabled, count(*) AS n FROM devices GROUP BY status, enabled');
    for (const { status, enabled, n } of rows) {
      counts.total += n;
      counts[status] += n;
      if (enabled === 0) counts.disabled += n;
    }
    return counts;
  }

  /**
   * Marks every device still `online` as `offline` and returns them. The device hub calls this on start: sessions do
   * not survive the process, so an `online` left in the table is from a process that stopped without saying so.
   */
  async markAllOffline(): Promise<DeviceRef[]> {
    if (this.nodeId === undefined) return this.markOffline();
    return this.markOffline(this.nodeId);
  }

  /**
   * Sets `offline` the devices still `online` through node `heldBy` (another node's, when the cluster's leader finds
   * it gone: {@link heldBy}), or every device `online` at all; answers them.
   */
  async markOffline(heldBy?: string): Promise<DeviceRef[]> {
    const [where, params] = heldBy === undefined ? ["status = 'online'", []] : ['online_node = ?', [heldBy]];
    return this.sql.all<DeviceRef>(
      `UPDATE devices SET status = 'offline', online_node = NULL WHERE ${where} RETURNING product_key AS "productKey", device_name AS "deviceName"`, params,
    );
  }

  /** The nodes that hold online devices, with how many each: what a cluster's leader checks against the nodes alive. */
  async heldBy(): Promise<Map<string, number>> {
    const rows = await this.sql.all<{ node: string; n: number }>('SELECT online_node AS node, count(*) AS n FROM devices WHERE online_node IS NOT NULL GROUP BY online_node');
    return new Map(rows.map((r) => [r.node, r.n]));
  }

  /**
   * `UPDATE devices SET <set> FROM (VALUES …) v WHERE` the row's device is v's first two columns and `also` holds: one statement per
   * {@link ROWS_PER_STATEMENT} rows, all in one transaction. Both databases name VALUES columns column1, column2….
   */
  async #updateFrom<T>(rows: readonly T[], width: number, values: (row: T) => unknown[], set: string, also = 'TRUE'): Promise<void> {
    if (rows.length === 0) return;
    const tuple = `(${Array.from({ length: width }, () => '?').join(', ')})`;
    await this.sql.transaction(async (tx) => {
      for (const part of chunks(rows, ROWS_PER_STATEMENT)) {
        await tx.run(
          `UPDATE devices SET ${set} FROM (VALUES ${part.map(() => tuple).join(', ')}) AS v
           WHERE devices.product_key = v.column1 AND devices.device_name = v.column2 AND ${also}`,
          part.flatMap(values),
        );
      }
    });
  }

  /** The devices named, read in a statement per {@link ROWS_PER_STATEMENT} (created ones, for the answer). */
  async #read(refs: readonly DeviceRef[]): Promise<Device[]> {
    return (await rowsOf<DeviceRow>(this.sql, this.#select, refs)).map(toDevice);
  }

  async #writeTags(tx: Sql, devices: readonly { id: number; tags: Tags }[]): Promise<void> {
    const rows = devices.flatMap(({ id, tags }) => Object.entries(tags).map(([key, value]) => [id, key, value]));
    for (const part of chunks(rows, ROWS_PER_STATEMENT)) {
      await tx.run(`INSERT INTO device_tags (device_id, key, value) VALUES ${part.map(() => '(?, ?, ?)').join(', ')}`, part.flat());
    }
  }

  #emit(productKey: string, deviceName: string, change: DeviceChange['change']): void {
    this.events.emit('device.changed', { productKey, deviceName, change });
  }
}

/**
 * The rows `select` (a statement on `devices d`) gives for the devices named: one statement per
 * {@link ROWS_PER_STATEMENT} of them, matched on (product key, device name) pairs.
 */
async function rowsOf<T>(sql: Sql, select: string, refs: readonly DeviceRef[]): Promise<T[]> {
  const rows: T[] = [];
  for (const part of chunks(refs, ROWS_PER_STATEMENT)) {
    rows.push(...await sql.all<T>(
      `${select} WHERE (d.product_key, d.device_name) IN (${part.map(() => '(?, ?)').join(', ')})`, part.flatMap((r) => [r.productKey, r.deviceName]),
    ));
  }
  return rows;
}

/** Which of the devices named exist, as `{productKey}/{deviceName}` keys. */
export async function existingIn(sql: Sql, refs: readonly DeviceRef[]): Promise<Set<string>> {
  const rows = await rowsOf<{ product_key: string; device_name: string }>(sql, 'SELECT d.product_key, d.device_name FROM devices d', refs);
  return new Set(rows.map((r) => `${r.product_key}/${r.device_name}`));
}

/** A device's row id, or undefined when there is no such device. */
export async function deviceIdOf(sql: Sql, device: DeviceRef): Promise<number | undefined> {
  return (await sql.get<{ id: number }>('SELECT id FROM devices WHERE product_key = ? AND device_name = ?', [device.productKey, device.deviceName]))?.id;
}

const deviceNotFound = (productKey: string, deviceName: string) => notFound('Device', `${productKey}/${deviceName}`);

/** For a route about one device: 404 when the device does not exist. */
export async function deviceMustExist(devices: Pick<DeviceStore, 'exists'>, p: DeviceRef): Promise<void> {
  if (!(await devices.exists(p.productKey, p.deviceName))) throw deviceNotFound(p.productKey, p.deviceName);
}
const productNotFound = (productKey: string) => new ApiError(404, 'not_found', `Product "${productKey}" does not exist; create the product first.`);
const deviceExists = (productKey: string, deviceName: string) => conflict('device_exists', `Product "${productKey}" already has a device named "${deviceName}".`);

const toDevice = (r: DeviceRow): Device => ({
  productKey: r.product_key,
  deviceName: r.device_name,
  description: r.description,
  tags: JSON.parse(r.tags) as Tags,
  nodeType: r.node_type,
  gateway: r.gateway_product_key === null ? null : { productKey: r.gateway_product_key, deviceName: r.gateway_device_name! },
  enabled: r.enabled === 1,
  status: r.status,
  lastOnlineAt: r.last_online_at,
  lastSeenAt: r.last_seen_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
