import { Type, type Static } from '@sinclair/typebox';
import { pageOf } from '../page-schema.ts';

/**
 * The request and response shapes of the notification routes, declared once for validation and OpenAPI. Browser-safe:
 * the notify node's definition takes {@link HEADER_NAME_PATTERN} from here.
 */

/** An HTTP header name (an RFC 9110 token), as the notify node's config and the outbox check it. */
export const HEADER_NAME_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

const NullableString = (description?: string) => Type.Union([Type.String(), Type.Null()], description ? { description } : {});
const NullableInteger = (description?: string) => Type.Union([Type.Integer(), Type.Null()], description ? { description } : {});
const NullableTime = (description?: string) =>
  Type.Union([Type.String({ format: 'date-time' }), Type.Null()], description ? { description } : {});

export const NotificationState = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')], {
  description: 'pending: waiting for its next attempt; delivered: a 2xx answer; failed: a permanent error or out of attempts',
});

export const NotificationParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const NotificationsQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
  state: Type.Optional(NotificationState),
  nodeId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Only those the flow node with this id sent' })),
});

export const Notification = Type.Object({
  id: Type.String({ format: 'uuid', description: 'Also sent as X-Thingwire-Notification-Id, the same on every attempt' }),
  nodeId: NullableString('The flow node that sent it'),
  url: Type.String(),
  method: Type.Literal('POST'),
  state: NotificationState,
  attempts: Type.Integer({ description: 'Attempts in the current round (a retry starts a new round)' }),
  maxAttempts: Type.Integer(),
  nextAttemptAt: NullableTime('When it is next tried; null unless pending'),
  lastStatus: NullableInteger('HTTP status of the last attempt; null when it got no response'),
  lastError: NullableString('Why the last attempt did not deliver it'),
  createdAt: Type.String({ format: 'date-time' }),
  deliveredAt: NullableTime(),
});

export const NotificationAttempt = Type.Object({
  attempt: Type.Integer({ description: 'Counts every attempt of the notification, across retries' }),
  startedAt: Type.String({ format: 'date-time' }),
  durationMs: Type.Integer(),
  outcome: Type.Union([Type.Literal('delivered'), Type.Literal('retry'), Type.Literal('failed'), Type.Literal('interrupted')], {
    description: 'retry: another attempt follows; interrupted: delivery stopped during it, as the platform stopped or another node took delivery over (not counted as an attempt)',
  }),
  status: NullableInteger(),
  error: NullableString(),
  // A receiver's answer can echo what it was sent or hold its own secrets: shown to those who may change flows only.
  response: Type.Optional(NullableString('The first 1 KB of the response body; only for callers with flows:write')),
});

export const NotificationDetail = Type.Object({
  ...Notification.properties,
  headerNames: Type.Array(Type.String(), {
    description: 'Names of the sender\'s extra headers. Their values (credentials, often) are stored encrypted and never shown',
  }),
  body: Type.Optional(Type.String({ description: 'The JSON text sent, byte for byte what is signed; only for callers with flows:write' })),
  attemptLog: Type.Array(NotificationAttempt, { description: 'Every attempt, oldest first' }),
});

export const NotificationPage = pageOf(Notification);

export type NotificationState = Static<typeof NotificationState>;
export type Notification = Static<typeof Notification>;
export type NotificationAttempt = Static<typeof NotificationAttempt>;
export type NotificationDetail = Static<typeof NotificationDetail>;
export type NotificationPage = Static<typeof NotificationPage>;
