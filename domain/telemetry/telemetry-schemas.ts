import { Type, type Static } from '@sinclair/typebox';
import { DeviceParams } from '../devices/device-hub-schemas.ts';
import { TSL_IDENTIFIER } from '../thing-model/tsl-problems.ts';
import { DEFAULT_LIMIT, MAX_BUCKETS, MAX_LIMIT } from './telemetry-rows.ts';

/** The request and response shapes of the telemetry routes, declared once for validation and OpenAPI. */

const identifier = TSL_IDENTIFIER.source.slice(1, -1);

const Time = Type.String({ format: 'date-time' });

/** Query times are text: ISO 8601 or epoch ms, told apart and checked by the handler (see `parseTime`). */
const Range = {
  from: Type.Optional(Type.String({
    description: 'Start, inclusive: ISO 8601 with a zone (2024-05-01T08:00:00Z, 2024-05-01T16:00:00%2B08:00, 2024-05-01) ' +
      'or milliseconds since the epoch. Default: 24 h before `to`',
  })),
  to: Type.Optional(Type.String({ description: 'End, exclusive, in the same forms as `from`. Default: now' })),
};

const limit = (description: string) => Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description });
const order = (fallback: 'asc' | 'desc', description: string) =>
  Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: fallback, description });
const EventType = Type.Union([Type.Literal('info'), Type.Literal('alert'), Type.Literal('error')]);

export const HistoryQuery = Type.Object({
  ...Range,
  buckets: Type.Optional(Type.Integer({
    minimum: 1, maximum: MAX_BUCKETS,
    description: 'Downsample a numeric property into this many equal time buckets (min/max/avg/count each) instead of raw points',
  })),
  limit: limit('Raw points only: at most this many; narrow the range to see the rest'),
  order: order('asc', 'Raw points only: asc gives the first `limit` points of the range, desc the last'),
});

export const EventsQuery = Type.Object({
  ...Range,
  eventId: Type.Optional(Type.String({ pattern: `^${identifier}$` })),
  type: Type.Optional(EventType),
  limit: limit('At most this many events'),
  order: order('desc', 'desc gives the newest `limit` events of the range, newest first; asc the oldest, oldest first'),
});

export const CsvQuery = Type.Object({
  ...Range,
  properties: Type.Optional(Type.String({
    pattern: `^${identifier}(,${identifier})*$`,
    description: 'Property identifiers, comma-separated, one column each in this order. Default: every property the device has reported',
  })),
});

export const PropertyList = Type.Object({
  items: Type.Array(Type.Object({
    identifier: Type.String(),
    value: Type.Unknown({ description: 'As stored: a number (int, float, double, enum; 0/1 for bool), text, UTC ms as text for date, JSON for struct and array' }),
    time: Time,
    name: Type.Optional(Type.String({ description: 'From the published thing model, when it defines the property' })),
    unit: Type.Optional(Type.String({ description: 'From the published thing model, for numeric properties that have one' })),
  })),
});

const RawHistory = Type.Object({
  items: Type.Array(Type.Object({ time: Time, value: Type.Unknown() })),
});

const BucketHistory = Type.Object({
  bucketMs: Type.Integer({ description: 'Width of each bucket; bucket i covers [from + i·bucketMs, from + (i+1)·bucketMs)' }),
  items: Type.Array(Type.Object({
    time: Type.String({ format: 'date-time', description: 'The bucket\'s start' }),
    min: Type.Number(),
    max: Type.Number(),
    avg: Type.Number(),
    count: Type.Integer(),
  }), { description: 'Only buckets holding at least one value' }),
});

export const History = Type.Union([RawHistory, BucketHistory]);

export const EventList = Type.Object({
  items: Type.Array(Type.Object({
    deviceName: Type.String(),
    time: Time,
    receivedAt: Time,
    eventId: Type.String(),
    type: EventType,
    data: Type.Record(Type.String(), Type.Unknown(), { description: 'The event\'s output parameters' }),
  })),
});

export const PropertyParams = Type.Composite([DeviceParams, Type.Object({ identifier: Type.String({ pattern: `^${identifier}$` }) })]);

export type PropertyList = Static<typeof PropertyList>;
export type EventList = Static<typeof EventList>;
