/**
 * Alerts on the live device feed (`/api/v1/live/devices`): what `{"type":"alerts"}` pushes carry, for the server
 * that sends them (server/live/alert-feed.ts) and the screens that follow them. Types only.
 */
import type { Alert, AlertSeverity, AlertState } from './alert-schemas.ts';
import type { AlertTransition } from './alert-service.ts';

/** Open alerts counted by state and severity (cleared ones are not open). */
export type OpenAlertCounts = Record<Exclude<AlertState, 'cleared'>, Record<AlertSeverity, number>>;

/** One transition as a push carries it: enough to show a toast and find the alert. */
export interface AlertFeedTransition {
  transition: AlertTransition['transition'];
  alert: Pick<Alert, 'id' | 'ruleName' | 'nodeId' | 'productKey' | 'deviceName' | 'severity' | 'state' | 'message' | 'raisedAt'>;
}

/** `{"type":"alerts"}`: the counts now, and the transitions since the last push (none in the push a socket opens with). */
export interface AlertFeedPush {
  type: 'alerts';
  counts: OpenAlertCounts;
  transitions: AlertFeedTransition[];
}
