import { EventEmitter } from 'node:events';
import type { Sql } from '../db/sql.ts';
import { ApiError, notFound, validationFailed } from '../errors.ts';
import type { ProductStore } from '../products/product-store.ts';
import type { ThingModelStore } from '../thing-model/thing-model-store.ts';
import { checkPointTable, pointLabel, type ModbusPoint, type PointProblem } from '../../domain/modbus/point-table.ts';
import type { ModbusConnection, PointTableView } from '../../domain/modbus/modbus-api.ts';
import type { TslDocument } from '../../domain/thing-model/tsl-types.ts';
import { deviceIdOf } from '../devices/device-store.ts';

/** A device the poller may read: its connection, and its product's point table. */
export interface ModbusTarget {
  productKey: string;
  deviceName: string;
  enabled: boolean;
  connection: ModbusConnection;
  points: ModbusPoint[];
}

/** Said after a point table or a device's connection was saved or removed (committed), so pollers follow at once. */
export interface ModbusStoreEvents {
  changed: [{ productKey: string; deviceName?: string }];
}

const now = () => new Date().toISOString();

/**
 * Products' point tables and devices' Modbus connections. Both go with what they belong to (foreign keys with
 * ON DELETE CASCADE): deleting a device or a product removes its Modbus data.
 */
export class ModbusStore {
  readonly events = new EventEmitter<ModbusStoreEvents>();

  constructor(
    private readonly sql: Sql,
    private readonly products: ProductStore,
    private readonly thingModels: ThingModelStore,
  ) {}

  /** The product's point table; an empty one (never saved) for a product that has none; 404 for an unknown product. */
  async points(productKey: string): Promise<PointTableView> {
    if (!this.products.exists(productKey)) throw notFound('Product', productKey);
    const row = await this.sql.get<PointsRow>('SELECT points, updated_at, updated_by FROM product_modbus_points WHERE product_key = ?', [productKey]);
    return row
      ? { productKey, points: JSON.parse(row.points) as ModbusPoint[], updatedAt: row.updated_at, updatedBy: row.updated_by }
      : { productKey, points: [], updatedAt: null, updatedBy: null };
  }

  /**
   * Checks and saves a product's point table. 422 `validation_failed` with every {@link PointProblem} when a point is
   * wrong, names a property the product's published thing model lacks, or is writable while its property is read-only;
   * nothing is saved then.
   */
  async savePoints(productKey: string, input: unknown, actor: string): Promise<PointTableView> {
    if (!this.products.exists(productKey)) throw notFound('Product', productKey);
    const outcome = checkPointTable(input);
    if (!outcome.ok) throw pointsInvalid(outcome.problems);
    const problems = this.#thingModelProblems(productKey, outcome.points);
    if (problems.length > 0) throw pointsInvalid(problems);
    await this.sql.run(`
      INSERT INTO product_modbus_points (product_key, points, updated_at, updated_by) VALUES (?, ?, ?, ?)
      ON CONFLICT (product_key) DO UPDATE SET points = excluded.points, updated_at = excluded.updated_at,
        updated_by = excluded.updated_by`, [productKey, JSON.stringify(outcome.points), now(), actor]);
    this.events.emit('changed', { productKey });
    return this.points(productKey);
  }

  /** The device's connection, or null; 404 for an unknown device. */
  async connection(productKey: string, deviceName: string): Promise<ModbusConnection | null> {
    await this.#deviceIdOf(productKey, deviceName);
    const row = await this.sql.get<{ connection: string }>(`
      SELECT c.connection FROM device_modbus_connections c JOIN devices d ON d.id = c.device_id
      WHERE d.product_key = ? AND d.device_name = ?`, [productKey, deviceName]);
    return row === undefined ? null : (JSON.parse(row.connection) as ModbusConnection);
  }

  /** Saves how the device is reached (checked with {@link checkConnection} first; 422 when it does not hold together). */
  async saveConnection(productKey: string, deviceName: string, connection: ModbusConnection, actor: string): Promise<ModbusConnection> {
    const id = await this.#deviceIdOf(productKey, deviceName);
    const checked = checkConnection(connection);
    await this.sql.run(`
      INSERT INTO device_modbus_connections (device_id, connection, updated_at, updated_by) VALUES (?, ?, ?, ?)
      ON CONFLICT (device_id) DO UPDATE SET connection = excluded.connection, updated_at = excluded.updated_at,
        updated_by = excluded.updated_by`, [id, JSON.stringify(checked), now(), actor]);
    this.events.emit('changed', { productKey, deviceName });
    return checked;
  }

  /** Removes the device's connection: it is no longer polled. False when it had none. */
  async deleteConnection(productKey: string, deviceName: string): Promise<boolean> {
    const id = await this.#deviceIdOf(productKey, deviceName);
    const removed = (await this.sql.run('DELETE FROM device_modbus_connections WHERE device_id = ?', [id])).changes > 0;
    if (removed) this.events.emit('changed', { productKey, deviceName });
    return removed;
  }

  /** Every device with a connection whose product has a non-empty point table, disabled ones included. */
  async targets(): Promise<ModbusTarget[]> {
    // Only devices whose product has a table: the rest have nothing to read.
    const rows = await this.sql.all<TargetRow>(`
      SELECT d.product_key, d.device_name, d.enabled, c.connection, p.points
      FROM device_modbus_connections c JOIN devices d ON d.id = c.device_id
      JOIN product_modbus_points p ON p.product_key = d.product_key
      ORDER BY d.product_key, d.device_name`);
    return rows.flatMap((r) => {
      const points = JSON.parse(r.points) as ModbusPoint[];
      if (points.length === 0) return [];
      return [{
        productKey: r.product_key, deviceName: r.device_name, enabled: r.enabled === 1,
        connection: JSON.parse(r.connection) as ModbusConnection, points,
      }];
    });
  }

  async #deviceIdOf(productKey: string, deviceName: string): Promise<number> {
    const id = await deviceIdOf(this.sql, { productKey, deviceName });
    if (id === undefined) throw notFound('Device', `${productKey}/${deviceName}`);
    return id;
  }

  /** Each point's property must be in the published thing model, and a writable point's property read-write. */
  #thingModelProblems(productKey: string, points: ModbusPoint[]): PointProblem[] {
    if (points.length === 0) return [];
    const published = this.thingModels.publishedTsl(productKey);
    if (published === undefined) {
      return [{ index: -1, field: '', message: `Product "${productKey}" has no published thing model: publish one, then map its properties` }];
    }
    const { version } = published;
    const tsl = JSON.parse(published.tsl) as TslDocument;
    const properties = new Map((tsl.properties ?? []).map((p) => [p.identifier, p]));
    const problems: PointProblem[] = [];
    points.forEach((point, index) => {
      const property = properties.get(point.property);
      const at = { index, property: point.property, field: 'property' };
      if (!property) {
        problems.push({ ...at, message: `${pointLabel(index, point.property)}: the published thing model (version ${version}) has no property "${point.property}"` });
      } else if (!fits(point, property.dataType.type)) {
        problems.push({ ...at, field: 'type', message: `${pointLabel(index, point.property)}: a ${point.type} point cannot hold "${point.property}", a ${property.dataType.type} in the thing model; ${point.type === 'string' ? 'map a text property' : 'map a number, bool, enum or date property'}` });
      } else if (point.writable && property.accessMode !== 'rw') {
        problems.push({ ...at, field: 'writable', message: `${pointLabel(index, point.property)}: "${point.property}" is read-only in the thing model; make it read-write there, or the point not writable` });
      }
    });
    return problems;
  }
}

/**
 * The connection as it is kept: tcp and rtu-over-tcp need a host (port 502 when absent) and take no serial settings;
 * rtu needs an absolute device path, a unit id 1–247 (0 is broadcast, which nothing answers), and takes no host or
 * port. 422 naming each field otherwise.
 */
export function checkConnection(c: ModbusConnection): ModbusConnection {
  const problems: { path: string; message: string }[] = [];
  const serialFields = (['path', 'baudRate', 'parity', 'dataBits', 'stopBits'] as const).filter((f) => c[f] !== undefined);
  if (c.transport === 'rtu') {
    if (c.path === undefined) problems.push({ path: '/path', message: 'is required for rtu: the serial device, e.g. /dev/ttyUSB0' });
    else if (!c.path.startsWith('/') || c.path.includes('\0')) problems.push({ path: '/path', message: 'must be an absolute path to a serial device' });
    for (const f of (['host', 'port'] as const).filter((f) => c[f] !== undefined)) {
      problems.push({ path: `/${f}`, message: `is for tcp and rtu-over-tcp; an rtu device is reached by its path` });
    }
    if (c.unitId < 1 || c.unitId > 247) problems.push({ path: '/unitId', message: 'must be 1–247 on a serial line (0 is broadcast, which no slave answers)' });
  } else {
    if (c.host === undefined) problems.push({ path: '/host', message: `is required for ${c.transport}: the device's (or gateway's) host name or address` });
    for (const f of serialFields) problems.push({ path: `/${f}`, message: `is for rtu (a serial line); a ${c.transport} device is reached by host and port` });
  }
  if (problems.length > 0) throw validationFailed('The Modbus connection does not hold together.', problems);
  return c.transport === 'rtu' ? c : { ...c, port: c.port ?? 502 };
}

/** Whether what a point reads can be a value of the property: text from strings only, numbers into the scalar types. */
function fits(point: ModbusPoint, dataType: string): boolean {
  if (point.type === 'string') return dataType === 'text';
  return ['int', 'float', 'double', 'bool', 'enum', 'date'].includes(dataType);
}

function pointsInvalid(problems: PointProblem[]): ApiError {
  return validationFailed(
    `The point table has ${problems.length} problem${problems.length === 1 ? '' : 's'}; details lists each by its row.`,
    problems,
  );
}

interface PointsRow {
  points: string;
  updated_at: string;
  updated_by: string;
}

interface TargetRow {
  product_key: string;
  device_name: string;
  enabled: number;
  connection: string;
  points: string;
}
