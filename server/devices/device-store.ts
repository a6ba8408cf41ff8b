import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database.ts';
import { ApiError, conflict, notFound } from '../errors.ts';
import { generateDeviceName } from '../products/generated-names.ts';
import type { ProductStore } from '../products/product-store.ts';
import type { DeviceChange, RegistryEvents } from '../registry-events.ts';
import { newSecret, type SecretBox } from '../secrets/secret-box.ts';
import type { CreatedDevice, Device, DevicePatch, DeviceRef, DeviceStatus, NewDevice, Tags } from '../../domain/devices/device-schemas.ts';
import { isUniqueViolation } from '../db/sql.ts';

/** Which devices a listing returns; every given criterion must hold. */
/** A device going online or offline, as the device hub writes it (see DeviceStore.setStatuses). */
export interface StatusChange {
  productKey: string;
  deviceName: string;
  status: 'online' | 'offline';
  /** ISO time of the change. */
  at: string;
  /** Offline: the last time the device was seen, when known. */
  lastSeenAt?: string;
}

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
  gateway: string | null;
}

const now = () => new Date().toISOString();

// The sealed secret is never selected here: listings and reads cannot leak it by accident.
const SELECT_DEVICE = `
  SELECT d.product_key, d.device_name, d.description, d.enabled, d.status, d.last_online_at, d.last_seen_at,
         d.created_at, d.updated_at,
         (SELECT json_group_object(t.key, t.value) FROM device_tags t WHERE t.device_id = d.id) AS tags,
         (SELECT p.node_type FROM products p WHERE p.product_key = d.product_key) AS node_type,
         (SELECT json_object('productKey', g.product_key, 'deviceName', g.device_name)
            FROM device_topology l JOIN devices g ON g.id = l.gateway_id WHERE l.sub_device_id = d.id) AS gateway
  FROM devices d`;

/** Devices of all products: identity, tags, enabled flag, connection status and the sealed device secret. */
export class DeviceStore {
  readonly #insert;
  readonly #insertTag;
  readonly #deleteTags;
  readonly #get;
  readonly #id;
  readonly #update;
  readonly #delete;
  readonly #secret;
  readonly #setSecret;
  readonly #credentials;
  readonly #setOnline;
  readonly #setOffline;
  readonly #touch;
  /** Status changes not written yet (see queueStatus). */
  #statusChanges: StatusChange[] = [];
  readonly #allOffline;
  readonly #links;
  /**
   * Listing statements by SQL text. The text varies only with which filters are present and how many tags (at most
   * 10, see the route), so this holds a few hundred statements at most.
   */
  readonly #listings = new Map<string, Statement>();

  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    private readonly products: ProductStore,
    private readonly events: RegistryEvents,
  ) {
    this.#insert = db.prepare(`
      INSERT INTO devices (product_key, device_name, description, device_secret, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?)`);
    this.#insertTag = db.prepare('INSERT INTO device_tags (device_id, key, value) VALUES (?, ?, ?)');
    this.#deleteTags = db.prepare('DELETE FROM device_tags WHERE device_id = ?');
    this.#get = db.prepare(`${SELECT_DEVICE} WHERE d.product_key = ? AND d.device_name = ?`);
    this.#id = db.prepare('SELECT id FROM devices WHERE product_key = ? AND device_name = ?').pluck();
    this.#update = db.prepare(`
      UPDATE devices SET description = coalesce(@description, description), enabled = coalesce(@enabled, enabled),
        updated_at = @at
      WHERE id = @id`);
    this.#delete = db.prepare('DELETE FROM devices WHERE product_key = ? AND device_name = ?');
    this.#secret = db.prepare('SELECT device_secret FROM devices WHERE product_key = ? AND device_name = ?').pluck();
    this.#setSecret = db.prepare(
      'UPDATE devices SET device_secret = ?, updated_at = ? WHERE product_key = ? AND device_name = ?',
    );
    this.#credentials = db.prepare('SELECT device_secret, enabled FROM devices WHERE product_key = ? AND device_name = ?');
    // Status columns leave updated_at alone: it says when someone last edited the device, and would otherwise move on
    // every reconnect.
    // Positional parameters: binding an object per row costs more than the update itself.
    this.#setOnline = db.prepare(`
      UPDATE devices SET status = 'online', last_online_at = ?, last_seen_at = ? WHERE product_key = ? AND device_name = ?`);
    this.#setOffline = db.prepare(`
      UPDATE devices SET status = 'offline', last_seen_at = coalesce(?, last_seen_at) WHERE product_key = ? AND device_name = ?`);
    this.#touch = db.prepare('UPDATE devices SET last_seen_at = ? WHERE product_key = ? AND device_name = ?');
    this.#links = db.prepare(`
      SELECT g.product_key AS gk, g.device_name AS gn, s.product_key AS sk, s.device_name AS sn
      FROM device_topology l JOIN devices g ON g.id = l.gateway_id JOIN devices s ON s.id = l.sub_device_id
      WHERE (g.product_key = ? AND g.device_name = ?) OR (s.product_key = ? AND s.device_name = ?)`);
    this.#allOffline = db.prepare(
      "UPDATE devices SET status = 'offline' WHERE status = 'online' RETURNING product_key AS productKey, device_name AS deviceName",
    );
  }

  /**
   * Creates a device; its plain secret is returned only here. Unknown product → 404, a name already taken in the
   * product → 409 `device_exists`.
   */
  create(input: NewDevice): CreatedDevice {
    return this.createMany([input])[0]!;
  }

  /** Creates every device in one transaction: all of them, or (on the first error, thrown) none. */
  createMany(inputs: readonly NewDevice[]): CreatedDevice[] {
    const at = now();
    const created = this.db.transaction(() =>
      inputs.map((input) => {
        const deviceName = input.deviceName ?? generateDeviceName();
        if (!this.products.exists(input.productKey)) {
          throw new ApiError(404, 'not_found', `Product "${input.productKey}" does not exist; create the product first.`);
        }
        const deviceSecret = newSecret();
        let id: number;
        try {
          id = Number(this.#insert.run(input.productKey, deviceName, input.description ?? '', this.secrets.seal(deviceSecret), at, at).lastInsertRowid);
        } catch (err) {
          if (isUniqueViolation(err)) {
            throw conflict('device_exists', `Product "${input.productKey}" already has a device named "${deviceName}".`);
          }
          throw err;
        }
        this.#writeTags(id, input.tags ?? {});
        return { productKey: input.productKey, deviceName, deviceSecret };
      }),
    )();
    return created.map(({ productKey, deviceName, deviceSecret }) => {
      this.#emit(productKey, deviceName, 'created');
      return { ...this.get(productKey, deviceName), deviceSecret };
    });
  }

  /** A page of the devices matching `filter`, ordered by product key and device name. */
  list(filter: DeviceFilter, page: { limit: number; offset: number }): DevicePage {
    this.flushStatus();
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
      where.push("(d.device_name LIKE ? ESCAPE '\\' OR d.description LIKE ? ESCAPE '\\')");
      const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      args.push(pattern, pattern);
    }
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const total = this.#listing(`SELECT count(*) FROM devices d${clause}`).pluck().get(...args) as number;
    const rows = this.#listing(`${SELECT_DEVICE}${clause} ORDER BY d.product_key, d.device_name LIMIT ? OFFSET ?`)
      .all(...args, page.limit, page.offset) as DeviceRow[];
    return { items: rows.map(toDevice), total, ...page };
  }

  /** One device; 404 when it does not exist. */
  get(productKey: string, deviceName: string): Device {
    this.flushStatus();
    const row = this.#get.get(productKey, deviceName) as DeviceRow | undefined;
    if (!row) throw deviceNotFound(productKey, deviceName);
    return toDevice(row);
  }

  /** Whether the device exists, without reading it. */
  exists(productKey: string, deviceName: string): boolean {
    return this.#id.get(productKey, deviceName) !== undefined;
  }

  /** Changes the fields given; `tags` replaces the whole set. Emits `enabled`/`disabled` and `updated`. */
  update(productKey: string, deviceName: string, patch: DevicePatch): Device {
    const before = this.get(productKey, deviceName);
    this.db.transaction(() => {
      const id = this.#id.get(productKey, deviceName) as number;
      this.#update.run({
        id, description: patch.description ?? null, enabled: patch.enabled === undefined ? null : patch.enabled ? 1 : 0, at: now(),
      });
      if (patch.tags !== undefined) {
        this.#deleteTags.run(id);
        this.#writeTags(id, patch.tags);
      }
    })();
    if (patch.enabled !== undefined && patch.enabled !== before.enabled) {
      this.#emit(productKey, deviceName, patch.enabled ? 'enabled' : 'disabled');
    }
    if (patch.description !== undefined || patch.tags !== undefined) this.#emit(productKey, deviceName, 'updated');
    return this.get(productKey, deviceName);
  }

  /** Deletes the device with its tags; 404 when it does not exist. */
  delete(productKey: string, deviceName: string): void {
    // The topology links go with the device (ON DELETE CASCADE); read first, so the other side can be told.
    const links = this.#links.all(productKey, deviceName, productKey, deviceName) as { gk: string; gn: string; sk: string; sn: string }[];
    if (this.#delete.run(productKey, deviceName).changes === 0) throw deviceNotFound(productKey, deviceName);
    this.#emit(productKey, deviceName, 'deleted');
    for (const l of links) {
      this.events.emit('topology.changed', {
        gateway: { productKey: l.gk, deviceName: l.gn }, subDevice: { productKey: l.sk, deviceName: l.sn }, change: 'removed', by: 'device deleted',
      });
    }
  }

  /** The plain device secret; callers audit who asked. */
  revealSecret(productKey: string, deviceName: string): string {
    const sealed = this.#secret.get(productKey, deviceName) as string | undefined;
    if (sealed === undefined) throw deviceNotFound(productKey, deviceName);
    return this.secrets.open(sealed);
  }

  /** Replaces the device secret and returns the new one; emits `secret-rotated` so live sessions can be ended. */
  rotateSecret(productKey: string, deviceName: string): string {
    const deviceSecret = newSecret();
    const { changes } = this.#setSecret.run(this.secrets.seal(deviceSecret), now(), productKey, deviceName);
    if (changes === 0) throw deviceNotFound(productKey, deviceName);
    this.#emit(productKey, deviceName, 'secret-rotated');
    return deviceSecret;
  }

  /**
   * The credentials device sign-in checks signatures with, or undefined for an unknown device. On the connect path:
   * one indexed lookup, and the secret is decrypted only for a device that exists.
   */
  credentialsFor(productKey: string, deviceName: string): DeviceCredentials | undefined {
    const row = this.#credentials.get(productKey, deviceName) as { device_secret: string; enabled: number } | undefined;
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
   * Writes the queued status changes, in order, in one transaction (a device that no longer exists is left out).
   * If the write fails the changes are dropped and the error thrown: the hub's live view stays right, and each
   * device's next change writes its row again.
   */
  flushStatus(): void {
    const changes = this.#statusChanges;
    if (changes.length === 0) return;
    this.#statusChanges = [];
    this.db.transaction(() => {
      for (const { productKey, deviceName, status, at, lastSeenAt } of changes) {
        if (status === 'online') this.#setOnline.run(at, at, productKey, deviceName);
        else this.#setOffline.run(lastSeenAt ?? null, productKey, deviceName);
      }
    })();
  }

  /** Writes when devices were last seen, all in one transaction: the device hub's batched lastSeen. */
  touch(seen: Iterable<{ productKey: string; deviceName: string; lastSeenAt: string }>): void {
    this.db.transaction(() => {
      for (const s of seen) this.#touch.run(s.lastSeenAt, s.productKey, s.deviceName);
    })();
  }

  /**
   * How many devices there are, by status, and how many of them are disabled: one grouped count over the table, never
   * a read of its rows (the dashboard asks every few seconds, with tens of thousands of devices).
   */
  countByStatus(): { total: number; online: number; offline: number; inactive: number; disabled: number } {
    this.flushStatus();
    const counts = { total: 0, online: 0, offline: 0, inactive: 0, disabled: 0 };
    const rows = this.#listing('SELECT status, enabled, count(*) AS n FROM devices GROUP BY status, enabled')
      .all() as { status: DeviceStatus; enabled: number; n: number }[];
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
  markAllOffline(): { productKey: string; deviceName: string }[] {
    return this.#allOffline.all() as { productKey: string; deviceName: string }[];
  }

  #writeTags(deviceId: number, tags: Tags): void {
    for (const [key, value] of Object.entries(tags)) this.#insertTag.run(deviceId, key, value);
  }

  #listing(sql: string): Statement {
    let statement = this.#listings.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#listings.set(sql, statement);
    }
    return statement;
  }

  #emit(productKey: string, deviceName: string, change: DeviceChange['change']): void {
    this.events.emit('device.changed', { productKey, deviceName, change });
  }
}

const deviceNotFound = (productKey: string, deviceName: string) => notFound('Device', `${productKey}/${deviceName}`);

const toDevice = (r: DeviceRow): Device => ({
  productKey: r.product_key,
  deviceName: r.device_name,
  description: r.description,
  tags: JSON.parse(r.tags) as Tags,
  nodeType: r.node_type,
  gateway: r.gateway === null ? null : JSON.parse(r.gateway) as DeviceRef,
  enabled: r.enabled === 1,
  status: r.status,
  lastOnlineAt: r.last_online_at,
  lastSeenAt: r.last_seen_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
