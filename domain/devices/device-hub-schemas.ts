import { Type, type Static } from '@sinclair/typebox';
import { pageOf } from '../page-schema.ts';
import { DEVICE_NAME_PATTERN, PRODUCT_KEY_PATTERN } from '../products/identity.ts';

/** The request and response shapes of the device hub routes, declared once for validation and OpenAPI. */

export const DeviceParams = Type.Object({
  productKey: Type.String({ pattern: PRODUCT_KEY_PATTERN }),
  deviceName: Type.String({ pattern: DEVICE_NAME_PATTERN }),
});

const Paging = {
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
};

export const ConnectionsQuery = Type.Object(Paging);

export const MessagesQuery = Type.Object({
  ...Paging,
  direction: Type.Optional(Type.Union([Type.Literal('up'), Type.Literal('down')])),
  code: Type.Optional(Type.Integer({ minimum: 100, maximum: 999, description: 'Only messages answered (or ended) with this code' })),
});

const NullableString = Type.Union([Type.String(), Type.Null()]);

export const ConnectionLogItem = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  event: Type.Union([Type.Literal('connected'), Type.Literal('disconnected'), Type.Literal('refused')]),
  reason: Type.Union([Type.String(), Type.Null()], { description: 'Why it was refused or ended (takeover, kicked: device disabled, …)' }),
  remoteAddress: NullableString,
  protocol: NullableString,
  dialect: NullableString,
  clientId: NullableString,
});

export const MessageLogItem = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  direction: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  kind: NullableString,
  identifier: Type.Union([Type.String(), Type.Null()], { description: 'The event or service identifier' }),
  topic: NullableString,
  msgId: NullableString,
  code: Type.Union([Type.Integer(), Type.Null()], {
    description: 'up: the reply code the device got (or the code of its own reply); down: the command\'s outcome',
  }),
  reason: NullableString,
  payload: Type.Union([Type.String(), Type.Null()], { description: 'JSON of the params, cut to 4 KB' }),
  payloadTruncated: Type.Boolean(),
});


export const ConnectionPage = pageOf(ConnectionLogItem);
export const MessagePage = pageOf(MessageLogItem);

export const CommandRequest = Type.Object({
  kind: Type.Union([Type.Literal('property.set'), Type.Literal('service.invoke')]),
  serviceId: Type.Optional(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,31}$', description: 'Required for service.invoke' })),
  params: Type.Record(Type.String(), Type.Unknown(), { default: {}, description: 'Properties to set, or the service\'s input' }),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000, description: 'How long to wait for the device\'s reply (default 10 s)' })),
  whenOffline: Type.Optional(Type.Union([Type.Literal('fail'), Type.Literal('queue')], {
    default: 'fail', description: 'fail: answer 503 at once; queue: deliver when the device next connects (answered 202 at once)',
  })),
  ttlMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 7 * 24 * 3_600_000, description: 'How long a queued command waits (default 24 h)' })),
}, { additionalProperties: false });

export const CommandResult = Type.Object({
  id: Type.String({ description: 'The message id the command was sent with' }),
  code: Type.Integer({ description: 'The device\'s reply code; 503 offline, 504 no answer in time, 410 expired in the queue, 202 queued' }),
  data: Type.Optional(Type.Unknown()),
  message: Type.Optional(Type.String()),
});

export type CommandRequest = Static<typeof CommandRequest>;
export type ConnectionLogItem = Static<typeof ConnectionLogItem>;
export type MessageLogItem = Static<typeof MessageLogItem>;
export type ConnectionPage = Static<typeof ConnectionPage>;
export type MessagePage = Static<typeof MessagePage>;
export type CommandResult = Static<typeof CommandResult>;
