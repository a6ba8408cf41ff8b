import type { AuthService } from '../auth/auth-service.ts';
import { allows } from '../../domain/auth/permissions.ts';
import type { RouteTable } from '../http/route-table.ts';
import { Notification, NotificationDetail, NotificationPage, NotificationParams, NotificationsQuery } from '../../domain/notify/notify-schemas.ts';
import type { WebhookOutbox } from './webhook-outbox.ts';

/**
 * `/api/v1/notifications`: the webhooks flows sent, newest first, each with its delivery log; and a retry for one
 * that failed (or that should not wait out its backoff). Notifications belong to flows, so reading them takes
 * `flows:read` and retrying `flows:write`. What was sent and what came back (bodies, response excerpts) is shown only
 * with `flows:write`: operators watch deliveries, they do not read their content. Header values are never shown.
 *
 * @param auth when given, retries are audited (who re-sent what).
 */
export function registerNotifyRoutes(table: RouteTable, outbox: WebhookOutbox, auth?: Pick<AuthService, 'audit'>): void {
  table.add({
    method: 'get', path: '/notifications', access: 'flows:read', tag: 'notifications',
    summary: 'List webhook notifications, newest first, a page at a time, filtered by state and the node that sent them',
    query: NotificationsQuery, response: NotificationPage,
    handler: ({ query }) => outbox.list({ state: query.state, nodeId: query.nodeId }, { limit: query.limit, offset: query.offset }),
  });
  table.add({
    method: 'get', path: '/notifications/:id', access: 'flows:read', tag: 'notifications',
    summary:
      'One notification with the names of its headers and every delivery attempt (status, error); with flows:write also ' +
      'its body and the start of each response',
    params: NotificationParams, response: NotificationDetail,
    async handler({ params, principal }) {
      const detail = await outbox.get(params.id);
      // The same check as a route's access, so it follows the server's permissions rather than a fixed role list.
      return allows(principal, 'flows:write') ? detail : withoutContent(detail);
    },
  });
  table.add({
    method: 'post', path: '/notifications/:id/retry', access: 'flows:write', tag: 'notifications',
    summary:
      'Try a notification again now: a failed one gets a new round of attempts, a pending one skips its backoff. ' +
      'A delivered one answers 409 already_delivered',
    params: NotificationParams, response: Notification,
    async handler({ params, principal }) {
      const notification = await outbox.retry(params.id);
      await auth?.audit(principal.username, 'notification.retry', params.id);
      return notification;
    },
  });
}

/** A notification as an operator sees it: how its delivery went, without what was sent or what came back. */
function withoutContent(detail: NotificationDetail): NotificationDetail {
  const { body: _body, attemptLog, ...rest } = detail;
  return { ...rest, attemptLog: attemptLog.map(({ response: _response, ...attempt }) => attempt) };
}
