import type { AuthService } from '../auth/auth-service.ts';
import { deviceMustExist, type DeviceStore } from '../devices/device-store.ts';
import { validationFailed } from '../errors.ts';
import type { RouteTable } from '../http/route-table.ts';
import type { DeviceHub } from './device-hub.ts';
import {
  CommandRequest, CommandResult, ConnectionPage, ConnectionsQuery, DeviceParams, MessagePage, MessagesQuery,
} from '../../domain/devices/device-hub-schemas.ts';

/**
 * `/api/v1/devices/:productKey/:deviceName/{connections,messages,commands}`: a device's connection history and message
 * log, newest first, and commands sent from the API (the UI's "set property" and "invoke service", and tests).
 * Status and lastSeenAt are on the device itself (`GET /devices/...`).
 *
 * @param auth when given, commands sent through the API are audited (who set what on which device).
 */
export function registerDeviceHubRoutes(table: RouteTable, hub: DeviceHub, devices: DeviceStore, auth?: Pick<AuthService, 'audit'>): void {

  table.add({
    method: 'get', path: '/devices/:productKey/:deviceName/connections', access: 'devices:read', tag: 'devices',
    summary: 'The device\'s connection history, newest first: connected, disconnected (with why) and refused attempts (with the real reason)',
    params: DeviceParams, query: ConnectionsQuery, response: ConnectionPage,
    async handler({ params, query }) {
      await deviceMustExist(devices, params);
      return hub.connections(params.productKey, params.deviceName, { limit: query.limit, offset: query.offset });
    },
  });

  table.add({
    method: 'get', path: '/devices/:productKey/:deviceName/messages', access: 'devices:read', tag: 'devices',
    summary: 'The device\'s message log, newest first: uplinks with the reply code they got, commands with their outcome',
    params: DeviceParams, query: MessagesQuery, response: MessagePage,
    async handler({ params, query }) {
      await deviceMustExist(devices, params);
      return hub.messages(
        params.productKey, params.deviceName,
        { direction: query.direction, code: query.code },
        { limit: query.limit, offset: query.offset },
      );
    },
  });

  table.add({
    method: 'post', path: '/devices/:productKey/:deviceName/commands', access: 'devices:write', tag: 'devices',
    summary:
      'Set properties or invoke a service and wait for the device\'s reply. The answer is 200 with the outcome in `code` ' +
      '(the device\'s code; 503 offline, 504 no reply in time); with whenOffline=queue and the device offline, 202 at once. ' +
      'A command that does not fit the product\'s published thing model is refused with 422 and never sent; a product ' +
      'without a published thing model has nothing to check against, so its commands go out unchecked',
    params: DeviceParams, body: CommandRequest, response: CommandResult,
    errors: {
      422: 'Not sent: the command does not fit the product\'s published thing model (a property that is not in it or is ' +
        'read-only, a value of the wrong type, out of range, not in the enum or too long; a service that is not in it or ' +
        'an input it does not take). `validation_failed`, each failing field in `details` as {path, message}, e.g. ' +
        '{"path": "/params/mode", "message": "must be one of 0 (off), 1 (on)"}; also in the device\'s message log as 422',
    },
    async handler({ params, body, principal, res }) {
      await deviceMustExist(devices, params);
      if (body.kind === 'service.invoke' && body.serviceId === undefined) {
        throw validationFailed('The request body is invalid.', [{ path: '/serviceId', message: 'is required for service.invoke' }]);
      }
      if (body.kind === 'property.set' && body.serviceId !== undefined) {
        throw validationFailed('The request body is invalid.', [{ path: '/serviceId', message: 'is only for service.invoke' }]);
      }
      await auth?.audit(principal.username, 'device.command', `${params.productKey}/${params.deviceName}`, { kind: body.kind, serviceId: body.serviceId });
      // Queued (the device is offline: it may wait a day for its device, so the caller is told at once and the outcome
      // goes to the log) or answered, whichever comes first. In a cluster the command may first go to the node
      // holding the device, so queuing is not known at once.
      let queue: (queued: { id: string; ttlMs: number }) => void = () => undefined;
      const queued = new Promise<{ id: string; ttlMs: number }>((resolve) => (queue = resolve));
      const result = hub.sendCommand({ ...params, ...body }, { onQueued: (id, ttlMs) => queue({ id, ttlMs }) });
      const first = await Promise.race([result.then((outcome) => ({ outcome })), queued.then((q) => ({ queued: q }))]);
      if ('queued' in first) {
        res.status(202).json({ id: first.queued.id, code: 202, message: `queued until the device connects (at most ${first.queued.ttlMs} ms); the outcome will be in its message log` });
        return undefined;
      }
      const outcome = first.outcome;
      // Refused by the hub before sending (it does not fit the published thing model): the request was wrong, so it is
      // an error, with the failing fields where request validation puts them. A device's own 422 stays a 200 outcome.
      if (outcome.code === 422 && outcome.details) {
        const message = outcome.message ?? 'not sent: the command does not fit the thing model';
        throw validationFailed(
          message.charAt(0).toUpperCase() + message.slice(1),
          outcome.details.map((d) => ({ path: pointer(d.field), message: d.reason })),
        );
      }
      return outcome;
    },
  });
}

/** A path in the command (`params.pos.lat`, `params.list[2]`, `serviceId`) as a JSON pointer into the request body. */
function pointer(field: string): string {
  return `/${field.replace(/\[(\d+)\]/g, '.$1').split('.').join('/')}`;
}
