import { Type } from '@sinclair/typebox';
import type { AuthService } from '../auth/auth-service.ts';
import type { RouteTable } from '../http/route-table.ts';
import { DEVICE_NAME_PATTERN, PRODUCT_KEY_PATTERN } from '../../domain/products/identity.ts';
import type { AlertEngine } from './alert-engine.ts';
import { Alert, AlertRuleSummary, AlertSeverity } from '../../domain/alerts/alert-schemas.ts';
import { pageOf } from '../../domain/page-schema.ts';

const AlertParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const ListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
  state: Type.Optional(Type.Union(
    [Type.Literal('open'), Type.Literal('active'), Type.Literal('acknowledged'), Type.Literal('cleared')],
    { description: 'open: active or acknowledged' },
  )),
  severity: Type.Optional(AlertSeverity),
  productKey: Type.Optional(Type.String({ pattern: PRODUCT_KEY_PATTERN })),
  deviceName: Type.Optional(Type.String({ pattern: DEVICE_NAME_PATTERN })),
  ruleId: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The alert node that raised them' })),
});

/** What the routes need of the engine: operator actions go through it so the rule's node hears of them. */
export type AlertOperations = Pick<AlertEngine, 'list' | 'get' | 'acknowledge' | 'clear'>;

/**
 * `/api/v1/alerts`: list and read alerts; acknowledge and clear them (audited). Acknowledging changes nothing
 * downstream (alert nodes emit only raised and cleared); clearing makes the rule's node emit `cleared`. With `rules`,
 * also `/alerts/rules`: every alert node of the deployed flows.
 */
export function registerAlertRoutes(table: RouteTable, alerts: AlertOperations, auth: Pick<AuthService, 'audit'>, rules?: () => Promise<AlertRuleSummary[]>): void {
  // Before `/alerts/:id`, which would take "rules" for an id.
  if (rules) {
    table.add({
      method: 'get', path: '/alerts/rules', access: 'alerts:read', tag: 'alerts',
      summary: 'Every alert rule (alert node) of the deployed flows: where it is, its trigger, whether it runs, its open alerts',
      response: Type.Object({ items: Type.Array(AlertRuleSummary) }),
      handler: async () => ({ items: await rules() }),
    });
  }
  table.add({
    method: 'get', path: '/alerts', access: 'alerts:read', tag: 'alerts',
    summary: 'List alerts, newest first, a page at a time, filtered by state (open = active or acknowledged), severity, product, device and rule',
    query: ListQuery,
    response: pageOf(Alert),
    handler({ query }) {
      const { limit, offset, ...filter } = query;
      return alerts.list(filter, { limit, offset });
    },
  });
  table.add({
    method: 'get', path: '/alerts/:id', access: 'alerts:read', tag: 'alerts',
    summary: 'One alert', params: AlertParams, response: Alert,
    handler: ({ params }) => alerts.get(params.id),
  });
  table.add({
    method: 'post', path: '/alerts/:id/acknowledge', access: 'alerts:ack', tag: 'alerts',
    summary:
      'Acknowledge an active alert: someone is on it. It stays open and still clears by itself. ' +
      '409 alert_acknowledged when someone already did (the error says who), 409 alert_cleared when it is over',
    params: AlertParams, response: Alert,
    async handler({ params, principal }) {
      const alert = await alerts.acknowledge(params.id, principal.username);
      await auth.audit(principal.username, 'alert.acknowledge', `alert:${alert.id}`, { ruleId: alert.ruleId, device: `${alert.productKey}/${alert.deviceName}` });
      return alert;
    },
  });
  table.add({
    method: 'post', path: '/alerts/:id/clear', access: 'alerts:ack', tag: 'alerts',
    summary:
      'Clear an open alert by hand; the rule\'s flow gets a cleared message, and a condition that still holds raises ' +
      'a new alert. 409 alert_cleared when it is cleared already',
    params: AlertParams, response: Alert,
    async handler({ params, principal }) {
      const alert = await alerts.clear(params.id, principal.username);
      await auth.audit(principal.username, 'alert.clear', `alert:${alert.id}`, { ruleId: alert.ruleId, device: `${alert.productKey}/${alert.deviceName}` });
      return alert;
    },
  });
}
