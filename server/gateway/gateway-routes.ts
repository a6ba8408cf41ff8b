import { Type } from '@sinclair/typebox';
import type { AuthService } from '../auth/auth-service.ts';
import type { DeviceHub } from '../device-hub/device-hub.ts';
import { deviceMustExist, type DeviceStore } from '../devices/device-store.ts';
import type { DeviceTopology } from '../devices/device-topology.ts';
import { ApiError } from '../errors.ts';
import type { RouteTable } from '../http/route-table.ts';
import { DeviceParams } from '../../domain/devices/device-hub-schemas.ts';
import { SubDeviceList } from '../../domain/devices/device-schemas.ts';
import { DEVICE_NAME_PATTERN, PRODUCT_KEY_PATTERN } from '../../domain/products/identity.ts';

const SubDeviceParams = Type.Composite([DeviceParams, Type.Object({
  subProductKey: Type.String({ pattern: PRODUCT_KEY_PATTERN }),
  subDeviceName: Type.String({ pattern: DEVICE_NAME_PATTERN }),
})]);

/**
 * A gateway's topology over the API (docs/protocol.md "Gateways and sub-devices"): its sub-devices with their live
 * status, and an engineer removing a link (audited). Links are made by the gateway itself (thing.topo.add, signed with
 * each sub-device's secret); a sub-device names its gateway in its own JSON (`gateway`).
 */
export function registerGatewayRoutes(
  table: RouteTable, deps: { hub: DeviceHub; devices: DeviceStore; topology: DeviceTopology; auth: Pick<AuthService, 'audit'> },
): void {
  const { hub, devices, topology, auth } = deps;

  table.add({
    method: 'get', path: '/devices/:productKey/:deviceName/sub-devices', access: 'devices:read', tag: 'devices',
    summary: 'The gateway\'s sub-devices (its topology), each with whether it is logged in through the gateway now',
    params: DeviceParams, response: SubDeviceList,
    async handler({ params }) {
      await deviceMustExist(devices, params);
      const items = (await topology.subDevices(params)).map((s) => ({ ...s, online: hub.isOnline(s.productKey, s.deviceName) }));
      return { items, total: items.length };
    },
  });

  table.add({
    method: 'delete', path: '/devices/:productKey/:deviceName/sub-devices/:subProductKey/:subDeviceName', access: 'devices:write', tag: 'devices',
    summary: 'Remove a sub-device from the gateway\'s topology (audited); a session it has through the gateway ends. The gateway must add it again (signed) to use it',
    params: SubDeviceParams,
    async handler({ params, principal }) {
      await deviceMustExist(devices, params);
      const sub = { productKey: params.subProductKey, deviceName: params.subDeviceName };
      if (!(await topology.unlink(params, sub, `user ${principal.username}`))) {
        throw new ApiError(404, 'not_found', `${sub.productKey}/${sub.deviceName} is not a sub-device of ${params.productKey}/${params.deviceName}.`);
      }
      await auth.audit(principal.username, 'device.topology.remove', `${params.productKey}/${params.deviceName}`, { subDevice: `${sub.productKey}/${sub.deviceName}` });
    },
  });
}
