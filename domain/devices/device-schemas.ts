import { Type, type Static } from '@sinclair/typebox';
import { pageOf } from '../page-schema.ts';
import { DEVICE_NAME_PATTERN, PRODUCT_KEY_PATTERN } from '../products/identity.ts';

/**
 * The request and response shapes of devices, declared once: the routes validate and document with them, bulk
 * import checks each row with them, the store is typed by them.
 */

/**
 * Tag keys leave out `:` (the list filter is `tag=key:value`), `=` and `;` (the CSV tags cell is `k=v;k=v`).
 * Values may not hold `;` for the same CSV reason.
 */
export const TAG_KEY = '[A-Za-z0-9_.-]{1,64}';
export const TAG_VALUE = '[^;]{0,256}';
export const MAX_TAGS = 50;

export const Tags = Type.Record(Type.String(), Type.String({ pattern: `^${TAG_VALUE}$` }), {
  propertyNames: { pattern: `^${TAG_KEY}$` },
  maxProperties: MAX_TAGS,
  description: 'Free-form labels {key: value} for grouping and filtering',
});

/** The listing filter `tag=key:value`; the key cannot hold `:`, so the first `:` separates them. */
export const TagFilter = Type.String({ pattern: `^${TAG_KEY}:${TAG_VALUE}$`, description: 'key:value' });

export const DeviceStatus = Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('inactive')], {
  description: 'inactive: never connected',
});

const Description = Type.String({ maxLength: 2000 });

export const NewDevice = Type.Object({
  productKey: Type.String({ pattern: PRODUCT_KEY_PATTERN }),
  deviceName: Type.Optional(Type.String({
    pattern: DEVICE_NAME_PATTERN, description: 'Unique within the product; generated (20 characters) when left out',
  })),
  description: Type.Optional(Description),
  tags: Type.Optional(Tags),
}, { additionalProperties: false });

export const DevicePatch = Type.Object({
  description: Type.Optional(Description),
  /** Replaces every tag: send the whole set. */
  tags: Type.Optional(Tags),
  enabled: Type.Optional(Type.Boolean({ description: 'false: the device may not connect' })),
}, { additionalProperties: false });

/** A device named by its identity, as the topology names gateways and sub-devices. */
export const DeviceRef = Type.Object({ productKey: Type.String(), deviceName: Type.String() });

export const Device = Type.Object({
  productKey: Type.String(),
  deviceName: Type.String(),
  nodeType: Type.Union([Type.Literal('direct'), Type.Literal('gateway'), Type.Literal('sub-device')], { description: 'Its product\'s node type' }),
  gateway: Type.Union([DeviceRef, Type.Null()], { description: 'The gateway this sub-device is linked to (its topology), or null' }),
  description: Type.String(),
  tags: Type.Record(Type.String(), Type.String()),
  enabled: Type.Boolean(),
  status: DeviceStatus,
  lastOnlineAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When the device last connected' }),
  lastSeenAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When the device last sent anything (a message or a keepalive); written every few seconds, so it may lag that much',
  }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const DeviceSecret = Type.Object({ deviceSecret: Type.String({ description: '32 random bytes as hex' }) });

export const CreatedDevice = Type.Composite([Device, DeviceSecret]);

/** A page of `GET /devices`. */
export const DevicePage = pageOf(Device);

/** One sub-device of a gateway, as `GET /devices/{pk}/{dn}/sub-devices` lists it. */
export const SubDevice = Type.Object({
  productKey: Type.String(),
  deviceName: Type.String(),
  enabled: Type.Boolean(),
  status: DeviceStatus,
  online: Type.Boolean({ description: 'Logged in through the gateway now' }),
  lastSeenAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  linkedAt: Type.String({ format: 'date-time', description: 'When it was added to the gateway\'s topology' }),
});

export const SubDeviceList = Type.Object({ items: Type.Array(SubDevice), total: Type.Integer() });

export type DeviceRef = Static<typeof DeviceRef>;
export type SubDevice = Static<typeof SubDevice>;
export type SubDeviceList = Static<typeof SubDeviceList>;
export type Tags = Static<typeof Tags>;
export type DeviceStatus = Static<typeof DeviceStatus>;
export type NewDevice = Static<typeof NewDevice>;
export type DevicePatch = Static<typeof DevicePatch>;
export type Device = Static<typeof Device>;
export type CreatedDevice = Static<typeof CreatedDevice>;
export type DevicePage = Static<typeof DevicePage>;
