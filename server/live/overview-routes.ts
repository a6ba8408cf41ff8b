import { Type } from '@sinclair/typebox';
import type { AlertEngine } from '../alerts/alert-engine.ts';
import type { DeviceStore } from '../devices/device-store.ts';
import type { RouteTable } from '../http/route-table.ts';
import type { FleetRate } from './device-feed.ts';
import type { DeviceHub } from '../device-hub/device-hub.ts';

/** Connection events the overview lists. */
export const RECENT_CONNECTIONS = 20;

const Count = Type.Integer({ minimum: 0 });
const BySeverity = Type.Object({ info: Count, warning: Count, critical: Count });
const NullableString = Type.Union([Type.String(), Type.Null()]);

export const Overview = Type.Object({
  devices: Type.Object({
    total: Count,
    online: Count,
    offline: Count,
    inactive: Type.Integer({ minimum: 0, description: 'Devices that never connected' }),
    disabled: Type.Integer({ minimum: 0, description: 'Disabled devices (also counted by their status)' }),
  }),
  messages: Type.Object({
    uplinksPerSecond: Type.Number({ description: 'Device messages received per second, fleet-wide, over the last second' }),
    downlinksPerSecond: Type.Number({ description: 'Commands sent to devices per second, over the last second' }),
    at: Type.String({ format: 'date-time', description: 'When the rate was measured' }),
  }),
  alerts: Type.Object({
    active: BySeverity,
    acknowledged: BySeverity,
  }, { description: 'Open alerts: not yet cleared' }),
  recentConnections: Type.Array(Type.Object({
    productKey: Type.String(),
    deviceName: Type.String(),
    at: Type.String({ format: 'date-time' }),
    event: Type.Union([Type.Literal('connected'), Type.Literal('disconnected'), Type.Literal('refused')]),
    reason: Type.Union([Type.String(), Type.Null()], { description: 'Why it was refused or ended' }),
    protocol: NullableString,
    remoteAddress: NullableString,
  }), { description: `The newest ${RECENT_CONNECTIONS} connection events of all devices, newest first` }),
});

/**
 * `GET /api/v1/overview`: the dashboard's figures in one cheap call: device counts by status (one grouped count),
 * the fleet's message rate, open alerts by severity, and the newest connection events of the whole fleet.
 */
export function registerOverviewRoutes(table: RouteTable, sources: {
  devices: Pick<DeviceStore, 'countByStatus'>;
  hub: Pick<DeviceHub, 'recentConnections'>;
  alerts: Pick<AlertEngine, 'openCounts'>;
  rate: () => FleetRate;
}): void {
  table.add({
    method: 'get', path: '/overview', access: 'devices:read', tag: 'overview',
    summary: 'The fleet at a glance: devices by status, messages per second, open alerts by severity, recent connections',
    response: Overview,
    handler() {
      const { total, online, offline, inactive, disabled } = sources.devices.countByStatus();
      const rate = sources.rate();
      return {
        devices: { total, online, offline, inactive, disabled },
        messages: { uplinksPerSecond: rate.uplinksPerSecond, downlinksPerSecond: rate.downlinksPerSecond, at: new Date(rate.at).toISOString() },
        alerts: sources.alerts.openCounts(),
        recentConnections: sources.hub.recentConnections(RECENT_CONNECTIONS).map((c) => ({
          productKey: c.productKey, deviceName: c.deviceName, at: c.at, event: c.event, reason: c.reason,
          protocol: c.protocol, remoteAddress: c.remoteAddress,
        })),
      };
    },
  });
}
