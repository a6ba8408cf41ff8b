import { Type } from '@sinclair/typebox';
import type { AuthService } from '../auth/auth-service.ts';
import { ApiError } from '../errors.ts';
import type { RouteTable } from '../http/route-table.ts';
import { PRODUCT_KEY_PATTERN } from '../../domain/products/identity.ts';
import type { ProductStore } from '../products/product-store.ts';
import { checkBulkRows, MAX_BULK_DEVICES, namedDevices, rowsFromCsv, rowsFromJson } from './device-bulk.ts';
import { DeviceParams } from '../../domain/devices/device-hub-schemas.ts';
import { CreatedDevice, Device, DevicePage, DevicePatch, DeviceSecret, DeviceStatus, NewDevice, TagFilter } from '../../domain/devices/device-schemas.ts';
import type { DeviceStore } from './device-store.ts';

const ListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
  productKey: Type.Optional(Type.String({ pattern: PRODUCT_KEY_PATTERN })),
  status: Type.Optional(DeviceStatus),
  enabled: Type.Optional(Type.Boolean()),
  // Repeat `tag` to require several; the bound keeps the set of distinct listing queries small.
  tag: Type.Optional(Type.Union([TagFilter, Type.Array(TagFilter, { maxItems: 10 })])),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Part of the device name or description' })),
});

const target = (p: { productKey: string; deviceName: string }) => `${p.productKey}/${p.deviceName}`;

/**
 * `/api/v1/devices`: create (one, or many from JSON or CSV), list with filters, read, change and delete devices;
 * reveal and rotate device secrets (admins, audited). Secrets appear only in the responses that create, reveal or
 * rotate them.
 */
export function registerDeviceRoutes(table: RouteTable, devices: DeviceStore, products: ProductStore, auth: AuthService): void {
  table.add({
    method: 'get', path: '/devices', access: 'devices:read', tag: 'devices',
    summary: 'List devices, a page at a time, filtered by product, status, enabled, tags (key:value) and text',
    query: ListQuery,
    response: DevicePage,
    handler({ query }) {
      const tags = query.tag === undefined ? [] : [query.tag].flat();
      return devices.list(
        {
          productKey: query.productKey, status: query.status, enabled: query.enabled, q: query.q,
          tags: tags.map((t) => {
            const colon = t.indexOf(':');
            return { key: t.slice(0, colon), value: t.slice(colon + 1) };
          }),
        },
        { limit: query.limit, offset: query.offset },
      );
    },
  });
  table.add({
    method: 'post', path: '/devices', access: 'devices:write', tag: 'devices', status: 201,
    summary: 'Create a device; the response holds its device secret, shown only here (and on an admin\'s reveal)',
    body: NewDevice, response: CreatedDevice,
    async handler({ body, principal }) {
      const device = await devices.create(body);
      await auth.audit(principal.username, 'device.create', target(device));
      return device;
    },
  });
  table.add({
    method: 'post', path: '/devices/bulk', access: 'devices:write', tag: 'devices', status: 201,
    summary:
      `Create up to ${MAX_BULK_DEVICES} devices from JSON {devices:[...]} or CSV (header productKey,deviceName,description,tags; ` +
      'tags as k=v;k=v). Every row is checked first: one bad row answers 422 invalid_devices listing every problem ' +
      '{row, field, message} and creates nothing',
    body: Type.Object({ devices: Type.Array(Type.Unknown(), { description: 'Each as the body of POST /devices' }) }, { additionalProperties: false }),
    textBody: ['text/csv'],
    response: Type.Object({ items: Type.Array(CreatedDevice) }),
    async handler({ body, principal }) {
      const rows = typeof body === 'string' ? rowsFromCsv(body) : rowsFromJson(body.devices);
      // The names the rows give, looked up in a few statements rather than one per row.
      const existing = await devices.existing(namedDevices(rows));
      const { devices: valid, problems } = checkBulkRows(rows, {
        productExists: (productKey) => products.exists(productKey),
        deviceExists: (productKey, deviceName) => existing.has(`${productKey}/${deviceName}`),
      });
      if (problems.length > 0) {
        const badRows = new Set(problems.map((p) => p.row)).size;
        throw new ApiError(
          422, 'invalid_devices',
          `${badRows} of ${rows.length} rows ${badRows === 1 ? 'has' : 'have'} problems; details lists each. Nothing was created.`,
          problems,
        );
      }
      const items = await devices.createMany(valid);
      await auth.audit(principal.username, 'device.bulk-create', null, { count: items.length });
      return { items };
    },
  });
  table.add({
    method: 'get', path: '/devices/:productKey/:deviceName', access: 'devices:read', tag: 'devices',
    summary: 'One device', params: DeviceParams, response: Device,
    handler: ({ params }) => devices.get(params.productKey, params.deviceName),
  });
  table.add({
    method: 'patch', path: '/devices/:productKey/:deviceName', access: 'devices:write', tag: 'devices',
    summary: 'Change a device\'s description, tags (replaced as a whole) or enabled flag',
    params: DeviceParams, body: DevicePatch, response: Device,
    async handler({ params, body, principal }) {
      const device = await devices.update(params.productKey, params.deviceName, body);
      await auth.audit(principal.username, 'device.update', target(params), body);
      return device;
    },
  });
  table.add({
    method: 'delete', path: '/devices/:productKey/:deviceName', access: 'devices:write', tag: 'devices',
    summary: 'Delete a device', params: DeviceParams,
    async handler({ params, principal }) {
      await devices.delete(params.productKey, params.deviceName);
      await auth.audit(principal.username, 'device.delete', target(params));
    },
  });
  table.add({
    method: 'post', path: '/devices/:productKey/:deviceName/secret/reveal', access: 'devices:secret', tag: 'devices',
    summary: 'Show the device secret; the reveal is audited', params: DeviceParams, response: DeviceSecret,
    async handler({ params, principal }) {
      const deviceSecret = await devices.revealSecret(params.productKey, params.deviceName);
      await auth.audit(principal.username, 'device.secret.reveal', target(params));
      return { deviceSecret };
    },
  });
  table.add({
    method: 'post', path: '/devices/:productKey/:deviceName/secret/rotate', access: 'devices:secret', tag: 'devices',
    summary: 'Replace the device secret with a new one, returned here; the old one stops working',
    params: DeviceParams, response: DeviceSecret,
    async handler({ params, principal }) {
      const deviceSecret = await devices.rotateSecret(params.productKey, params.deviceName);
      await auth.audit(principal.username, 'device.secret.rotate', target(params));
      return { deviceSecret };
    },
  });
}
