import { Type } from '@sinclair/typebox';
import type { AuthService } from '../auth/auth-service.ts';
import type { RouteTable } from '../http/route-table.ts';
import { ProductParams } from '../../domain/products/product-schemas.ts';
import { DeviceParams } from '../../domain/devices/device-hub-schemas.ts';
import { ModbusConnection } from '../../domain/modbus/modbus-api.ts';
import { MODBUS_MAX_READ_REGISTERS } from '../../domain/modbus/point-table.ts';
import type { PointInput } from '../../domain/modbus/point-table.ts';
import type { ModbusService } from './modbus-service.ts';
import type { ModbusStore } from './modbus-store.ts';

/**
 * Points arrive as a list checked by `checkPointTable`, which names every problem by its row (the schema's own errors
 * would stop at the first and speak in JSON pointers); the route only bounds the size.
 */
const Points = Type.Array(Type.Unknown(), { maxItems: 10_000, description: 'PointInput[] (domain/modbus/point-table.ts)' });
const PointTableView = Type.Object({
  productKey: Type.String(),
  points: Type.Array(Type.Unknown()),
  updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});
const DeviceModbusView = Type.Object({
  productKey: Type.String(),
  deviceName: Type.String(),
  connection: Type.Union([ModbusConnection, Type.Null()]),
  status: Type.Object({
    state: Type.Union([Type.Literal('polling'), Type.Literal('failing'), Type.Literal('offline'), Type.Literal('not-polled')]),
    lastPollAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    failures: Type.Integer({ minimum: 0 }),
    lastError: Type.Union([Type.String(), Type.Null()]),
  }),
});
const productBase = '/products/:productKey/modbus/points';
const deviceBase = '/devices/:productKey/:deviceName/modbus';

/** The routes of domain/modbus/modbus-api.ts: point tables, device connections and their status, and "read now". */
export function registerModbusRoutes(table: RouteTable, store: ModbusStore, modbus: ModbusService, auth: AuthService): void {
  table.add({
    method: 'get', path: productBase, access: 'products:read', tag: 'modbus',
    summary: 'The product\'s Modbus point table (empty, updatedAt null, when it has none)',
    params: ProductParams, response: PointTableView,
    handler: ({ params }) => store.points(params.productKey),
  });
  table.add({
    method: 'put', path: productBase, access: 'products:write', tag: 'modbus',
    summary: 'Replace the product\'s point table; every point is checked, and its property must be in the published thing model',
    params: ProductParams, body: Type.Object({ points: Points }, { additionalProperties: false }), response: PointTableView,
    errors: { 422: 'validation_failed: details lists each problem {index, property?, field, message}' },
    async handler({ params, body, principal }) {
      const view = await store.savePoints(params.productKey, body.points, principal.username);
      await auth.audit(principal.username, 'modbus.points.save', params.productKey, { points: view.points.length });
      return view;
    },
  });
  table.add({
    method: 'get', path: deviceBase, access: 'devices:read', tag: 'modbus',
    summary: 'How the device is reached over Modbus (null: it is not) and how polling it goes',
    params: DeviceParams, response: DeviceModbusView,
    handler: ({ params }) => modbus.view(params.productKey, params.deviceName),
  });
  table.add({
    method: 'put', path: deviceBase, access: 'devices:write', tag: 'modbus',
    summary: 'Set how the device is reached over Modbus; pollers take it up at once',
    params: DeviceParams, body: ModbusConnection, response: DeviceModbusView,
    errors: { 422: 'validation_failed: the connection does not hold together (host for tcp, path for rtu, …)' },
    async handler({ params, body, principal }) {
      const connection = await store.saveConnection(params.productKey, params.deviceName, body, principal.username);
      await auth.audit(principal.username, 'modbus.connection.save', `${params.productKey}/${params.deviceName}`, {
        transport: connection.transport, unitId: connection.unitId, intervalMs: connection.intervalMs,
      });
      // The answer says whether it is polled now: the pollers take the change before it is made.
      await modbus.refresh();
      return modbus.view(params.productKey, params.deviceName);
    },
  });
  table.add({
    method: 'delete', path: deviceBase, access: 'devices:write', tag: 'modbus',
    summary: 'Remove the device\'s Modbus connection: it is no longer polled',
    params: DeviceParams,
    async handler({ params, principal }) {
      const removed = await store.deleteConnection(params.productKey, params.deviceName);
      if (removed) await auth.audit(principal.username, 'modbus.connection.delete', `${params.productKey}/${params.deviceName}`);
      return undefined;
    },
  });
  table.add({
    method: 'post', path: `${deviceBase}/read`, access: 'devices:read', tag: 'modbus',
    summary: 'Read every point once, now (the product\'s table, or the points sent), and store nothing',
    params: DeviceParams,
    body: Type.Object({ points: Type.Optional(Type.Array(Type.Unknown(), { maxItems: MODBUS_MAX_READ_REGISTERS * 8 })) }, { additionalProperties: false }),
    response: Type.Object({}, { additionalProperties: true }),
    errors: {
      409: 'modbus_not_configured: the device has no connection; modbus_no_points: nothing to read',
      422: 'validation_failed: the points sent are wrong (details as for the point table)',
      429: 'read_in_progress: a read of this device is already running',
    },
    async handler({ params, body, principal }) {
      const result = await modbus.readNow(params.productKey, params.deviceName, body.points as PointInput[] | undefined);
      await auth.audit(principal.username, 'modbus.read', `${params.productKey}/${params.deviceName}`, {
        ok: result.ok, durationMs: result.durationMs, ...(result.ok ? {} : { error: result.error.kind }),
      });
      return result;
    },
  });
}
