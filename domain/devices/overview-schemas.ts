import { Type, type Static } from '@sinclair/typebox';
import { ConnectionLogItem } from './device-hub-schemas.ts';

/** `GET /api/v1/overview`: the dashboard's figures. */

/** Connection events the overview lists. */
export const RECENT_CONNECTIONS = 20;

const Count = Type.Integer({ minimum: 0 });
const BySeverity = Type.Object({ info: Count, warning: Count, critical: Count });

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
  // A device's connection log entry (its own page lists the same), with whose it is.
  recentConnections: Type.Array(Type.Composite([
    Type.Object({ productKey: Type.String(), deviceName: Type.String() }),
    Type.Pick(ConnectionLogItem, ['at', 'event', 'reason', 'protocol', 'remoteAddress']),
  ]), { description: `The newest ${RECENT_CONNECTIONS} connection events of all devices, newest first` }),
});

export type Overview = Static<typeof Overview>;
export type ConnectionEvent = Overview['recentConnections'][number];
export type Severity = keyof Overview['alerts']['active'];
