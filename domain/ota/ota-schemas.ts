import { Type, type Static } from '@sinclair/typebox';
import { DEVICE_NAME_PATTERN, PRODUCT_KEY_PATTERN } from '../products/identity.ts';
import { pageOf } from '../page-schema.ts';
import { MODULE_PATTERN, VERSION_PATTERN } from './ota-version.ts';

/**
 * The shapes of OTA (docs/ota.md), declared once: the REST routes validate and document with them, the OTA service
 * returns them, the screens render them and the ota nodes put them in `msg.payload`. Browser-safe (TypeBox only).
 */

const Time = Type.String({ format: 'date-time' });
const OptionalTime = Type.Union([Time, Type.Null()]);

export const Version = Type.String({ pattern: VERSION_PATTERN, description: 'major.minor.patch (minor ≤ 99, patch ≤ 999)' });
export const ModuleName = Type.String({ pattern: MODULE_PATTERN, description: 'Firmware module; devices that name none report `default`' });

export const VersionConstraint = Type.Object({
  minVersion: Type.Optional(Version),
  maxVersion: Type.Optional(Version),
  fromVersions: Type.Optional(Type.Array(Version, { maxItems: 100, description: 'Installs only over these versions' })),
}, { additionalProperties: false, description: 'Which versions this firmware installs over; absent fields do not constrain' });

/** One firmware image of a product's module. */
export const Firmware = Type.Object({
  id: Type.Integer(),
  productKey: Type.String(),
  module: Type.String(),
  version: Type.String(),
  versionCode: Type.Integer({ description: 'major*100000 + minor*1000 + patch, as the things dialect carries it' }),
  releaseNotes: Type.String(),
  fileName: Type.String(),
  size: Type.Integer({ description: 'Bytes' }),
  sha256: Type.String({ description: 'Hex; the `sign` of SHA256 upgrade pushes' }),
  md5: Type.String({ description: 'Hex; the `sign` when a product asks for MD5' }),
  constraint: VersionConstraint,
  extData: Type.Record(Type.String(), Type.Unknown(), { description: 'Passed to devices as is (e.g. a signature of the image)' }),
  createdAt: Time,
  createdBy: Type.String(),
});

/** What may change after upload: the image and its version never do (upload a new version instead). */
export const FirmwarePatch = Type.Object({
  releaseNotes: Type.Optional(Type.String({ maxLength: 10_000 })),
  constraint: Type.Optional(VersionConstraint),
  extData: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
}, { additionalProperties: false });

/** Upload metadata, in the query string of `POST /firmware` (the body is the image, `application/octet-stream`). */
export const FirmwareUploadQuery = Type.Object({
  productKey: Type.String({ pattern: PRODUCT_KEY_PATTERN }),
  module: Type.String({ pattern: MODULE_PATTERN, default: 'default' }),
  version: Version,
  fileName: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  releaseNotes: Type.Optional(Type.String({ maxLength: 10_000 })),
  minVersion: Type.Optional(Version),
  maxVersion: Type.Optional(Version),
  fromVersions: Type.Optional(Type.String({ maxLength: 2000, description: 'Comma-separated versions' })),
  extData: Type.Optional(Type.String({ maxLength: 10_000, description: 'A JSON object' })),
});

/** Which devices a campaign is for. */
export const CampaignTarget = Type.Union([
  Type.Object({ type: Type.Literal('all') }, { additionalProperties: false }),
  Type.Object({
    type: Type.Literal('tags'),
    tags: Type.Record(Type.String(), Type.String(), { description: 'Every pair must be among the device\'s tags' }),
  }, { additionalProperties: false }),
  Type.Object({
    type: Type.Literal('devices'),
    deviceNames: Type.Array(Type.String({ pattern: DEVICE_NAME_PATTERN }), { minItems: 1, maxItems: 100_000, description: 'A list, or the device names of a CSV' }),
  }, { additionalProperties: false }),
]);

/** How a campaign rolls out. */
export const CampaignStrategy = Type.Object({
  waves: Type.Array(Type.Number({ exclusiveMinimum: 0, maximum: 100 }), {
    minItems: 1, maxItems: 10, default: [100],
    description: 'Cumulative percentages of the targeted devices, ascending, the last 100: [1, 10, 100] is three waves',
  }),
  ratePerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'At most this many devices notified per minute' })),
  maxInFlight: Type.Integer({ minimum: 1, maximum: 10_000, default: 100, description: 'At most this many devices upgrading at once' }),
  maxConcurrentDownloads: Type.Integer({ minimum: 1, maximum: 10_000, default: 50, description: 'Firmware downloads served at once; more wait (503, Retry-After)' }),
  startAt: Type.Optional(Time),
  endAt: Type.Optional(Type.String({ format: 'date-time', description: 'No device is notified after this; the campaign then completes' })),
  deviceTimeoutSeconds: Type.Integer({ minimum: 10, maximum: 7 * 86_400, default: 1800, description: 'A device silent this long in an upgrade times out' }),
  retries: Type.Integer({ minimum: 0, maximum: 10, default: 0, description: 'Times a failed or timed-out device is notified again' }),
  failureThreshold: Type.Number({
    minimum: 0, maximum: 1, default: 0.2,
    description: 'The campaign stops itself when more than this share of a wave has failed or timed out',
  }),
  signMethod: Type.Union([Type.Literal('SHA256'), Type.Literal('MD5')], { default: 'SHA256' }),
}, { additionalProperties: false });

export const CampaignState = Type.Union([
  Type.Literal('scheduled'), Type.Literal('running'), Type.Literal('paused'), Type.Literal('stopped'),
  Type.Literal('cancelled'), Type.Literal('completed'),
], { description: 'stopped: by itself (failure ratio); paused: by someone; both resume' });

export const UpgradeState = Type.Union([
  Type.Literal('queued'), Type.Literal('notified'), Type.Literal('downloading'), Type.Literal('flashing'),
  Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('cancelled'), Type.Literal('timed_out'),
]);

export const UPGRADE_STATES = ['queued', 'notified', 'downloading', 'flashing', 'succeeded', 'failed', 'cancelled', 'timed_out'] as const;
/** States a device upgrade ends in. */
export const FINAL_UPGRADE_STATES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);

export const StateCounts = Type.Object(Object.fromEntries(UPGRADE_STATES.map((s) => [s, Type.Integer()])) as Record<(typeof UPGRADE_STATES)[number], ReturnType<typeof Type.Integer>>);

export const NewCampaign = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  firmwareId: Type.Integer({ minimum: 1 }),
  target: CampaignTarget,
  strategy: Type.Optional(CampaignStrategy),
}, { additionalProperties: false });

export const Campaign = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  productKey: Type.String(),
  module: Type.String(),
  firmwareId: Type.Integer(),
  version: Type.String({ description: 'The firmware version it installs' }),
  target: CampaignTarget,
  strategy: CampaignStrategy,
  state: CampaignState,
  /** Why it stopped, paused, was cancelled or completed; empty while running. */
  stateReason: Type.String(),
  /** 0-based index into strategy.waves of the wave being rolled out. */
  wave: Type.Integer(),
  /** How many devices each wave holds, cumulative as the waves are. */
  waveSizes: Type.Array(Type.Integer()),
  total: Type.Integer(),
  counts: StateCounts,
  createdAt: Time,
  createdBy: Type.String(),
  startedAt: OptionalTime,
  finishedAt: OptionalTime,
});

/** One device's upgrade in a campaign. */
export const DeviceUpgrade = Type.Object({
  id: Type.Integer(),
  campaignId: Type.Integer(),
  productKey: Type.String(),
  deviceName: Type.String(),
  module: Type.String(),
  fromVersion: Type.String(),
  toVersion: Type.String(),
  /** 0-based wave it belongs to. */
  wave: Type.Integer(),
  state: UpgradeState,
  /** The device's last progress step: 0..100, or -1 upgrade, -2 download, -3 verification, -4 flash failed; null before any. */
  step: Type.Union([Type.Integer(), Type.Null()]),
  /** 0..100: bytes downloaded while downloading, the step after. */
  percent: Type.Integer(),
  /** The device's last progress text, or what the platform saw. */
  message: Type.String(),
  /** Why it failed, timed out or was cancelled; empty otherwise. */
  reason: Type.String(),
  attempts: Type.Integer({ description: 'Times it was notified' }),
  queuedAt: Time,
  notifiedAt: OptionalTime,
  updatedAt: Time,
  finishedAt: OptionalTime,
});

export const CampaignPreview = Type.Object({
  productKey: Type.String(),
  module: Type.String(),
  version: Type.String(),
  targeted: Type.Integer({ description: 'Devices the target names' }),
  matched: Type.Integer({ description: 'Devices the campaign would upgrade' }),
  waveSizes: Type.Array(Type.Integer()),
  excluded: Type.Array(Type.Object({
    reason: Type.String(),
    count: Type.Integer(),
    examples: Type.Array(Type.String(), { description: 'A few device names' }),
  })),
});

/** A module version a device reported. */
export const ModuleVersion = Type.Object({
  module: Type.String(),
  version: Type.String(),
  versionCode: Type.Integer(),
  reportedAt: Time,
});

export const DeviceOta = Type.Object({
  modules: Type.Array(ModuleVersion),
  /** Its upgrades, newest first. */
  upgrades: Type.Array(Type.Composite([DeviceUpgrade, Type.Object({ campaignName: Type.String() })])),
});

/**
 * What the ota node emits and the live socket pushes: a device's upgrade changed state, or a campaign did (started,
 * stopped by the failure ratio, paused, resumed, cancelled, completed, moved to its next wave).
 */
export const OtaEvent = Type.Union([
  Type.Object({ type: Type.Literal('ota.device'), upgrade: DeviceUpgrade }),
  Type.Object({ type: Type.Literal('ota.campaign'), campaign: Campaign, change: Type.String({ description: 'scheduled, started, wave, stopped, paused, resumed, cancelled, completed; on the live feed also progress (the counts after device changes)' }) }),
]);

export const FirmwarePage = pageOf(Firmware);
export const CampaignPage = pageOf(Campaign);
export const DeviceUpgradePage = pageOf(DeviceUpgrade);

export type VersionConstraintInput = Static<typeof VersionConstraint>;
export type Firmware = Static<typeof Firmware>;
export type FirmwarePatch = Static<typeof FirmwarePatch>;
export type FirmwareUploadQuery = Static<typeof FirmwareUploadQuery>;
export type CampaignTarget = Static<typeof CampaignTarget>;
export type CampaignStrategy = Static<typeof CampaignStrategy>;
export type CampaignState = Static<typeof CampaignState>;
export type UpgradeState = Static<typeof UpgradeState>;
export type StateCounts = Static<typeof StateCounts>;
export type NewCampaign = Static<typeof NewCampaign>;
export type Campaign = Static<typeof Campaign>;
export type DeviceUpgrade = Static<typeof DeviceUpgrade>;
export type CampaignPreview = Static<typeof CampaignPreview>;
export type ModuleVersion = Static<typeof ModuleVersion>;
export type DeviceOta = Static<typeof DeviceOta>;
export type OtaEvent = Static<typeof OtaEvent>;
