import { Overview, RECENT_CONNECTIONS } from '../../domain/devices/overview-schemas.ts';
import type { AlertEngine } from '../alerts/alert-engine.ts';
import type { DeviceStore } from '../devices/device-store.ts';
import type { RouteTable } from '../http/route-table.ts';
import type { FleetRate } from './device-feed.ts';
import type { DeviceHub } from '../device-hub/device-hub.ts';

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
    async handler() {
      const { total, online, offline, inactive, disabled } = await sources.devices.countByStatus();
      const rate = sources.rate();
      return {
        devices: { total, online, offline, inactive, disabled },
        messages: { uplinksPerSecond: rate.uplinksPerSecond, downlinksPerSecond: rate.downlinksPerSecond, at: new Date(rate.at).toISOString() },
        alerts: await sources.alerts.openCounts(),
        recentConnections: (await sources.hub.recentConnections(RECENT_CONNECTIONS)).map((c) => ({
          productKey: c.productKey, deviceName: c.deviceName, at: c.at, event: c.event, reason: c.reason,
          protocol: c.protocol, remoteAddress: c.remoteAddress,
        })),
      };
    },
  });
}
