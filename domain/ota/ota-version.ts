/**
 * Firmware versions (docs/ota.md "Versions"): `major.minor.patch`, compared as the integer
 * `major*100000 + minor*1000 + patch` (1.2.34 → 102034), the encoding the things dialect sends and RMQTT Things uses.
 * minor ≤ 99 and patch ≤ 999 keep the encoding one-to-one; major ≤ 21473 keeps it a 32-bit integer.
 */

export const VERSION_PATTERN = '^(0|[1-9]\\d{0,4})\\.(0|[1-9]\\d?)\\.(0|[1-9]\\d{0,2})$';
const VERSION = new RegExp(VERSION_PATTERN);
const MAX_MAJOR = 21473;

/** The module a device reports when it names none. */
export const DEFAULT_MODULE = 'default';
/** Module names: what Alibaba's console allows (letters, digits, `_`, `-`, `.`), 1 to 64 characters. */
export const MODULE_PATTERN = '^[A-Za-z0-9_.-]{1,64}$';
const MODULE = new RegExp(MODULE_PATTERN);

/** Whether a value is a module name ({@link MODULE_PATTERN}). */
export const isModuleName = (value: unknown): value is string => typeof value === 'string' && MODULE.test(value);

/** The integer of a version string, or undefined when it is not `major.minor.patch` within the limits. */
export function versionCode(version: string): number | undefined {
  const m = VERSION.exec(version);
  if (!m) return undefined;
  const major = Number(m[1]);
  if (major > MAX_MAJOR) return undefined;
  return major * 100_000 + Number(m[2]) * 1000 + Number(m[3]);
}

/** The version string of an integer code (every integer in range is one), or undefined when negative, fractional or too big. */
export function versionOfCode(code: number): string | undefined {
  if (!Number.isSafeInteger(code) || code < 0 || code > MAX_MAJOR * 100_000 + 99_999) return undefined;
  const patch = code % 1000;
  const minor = Math.floor(code / 1000) % 100;
  return `${Math.floor(code / 100_000)}.${minor}.${patch}`;
}

/**
 * A version a device reported, as a string or as its integer code (things dialect); undefined when it is neither a
 * valid version nor a valid code. Devices that report `1.2` or `v1.2.0` are told so by the ota node.
 */
export function parseReportedVersion(value: unknown): { version: string; code: number } | undefined {
  if (typeof value === 'number') {
    const version = versionOfCode(value);
    return version === undefined ? undefined : { version, code: value };
  }
  if (typeof value === 'string') {
    const code = versionCode(value);
    return code === undefined ? undefined : { version: value, code };
  }
  return undefined;
}

/** Which source versions a firmware may be installed over; absent fields do not constrain. */
export interface VersionConstraint {
  /** Lowest version it installs over, inclusive. */
  minVersion?: string;
  /** Highest version it installs over, inclusive. */
  maxVersion?: string;
  /** Only these versions (an upgrade path that a delta image needs). */
  fromVersions?: string[];
}

/**
 * Why a device may not take a firmware: `group` is the same for every device refused alike (a preview counts them).
 * `code` and `params` say the same as data (versions as the device and the firmware write them), so a screen can say
 * it in its own language; `group` and `text` are the English.
 */
export interface UpgradeRefusal {
  code: UpgradeRefusalCode;
  params: UpgradeRefusalParams;
  group: string;
  text: string;
}

/** `current`: the device's version; `target`: the firmware's; `minVersion`/`maxVersion`/`versions`: its constraint. */
export type UpgradeRefusalParams = Readonly<Record<string, string>>;

/** Every refusal by code: its English group and text. */
const ENGLISH = {
  badCurrent: (p: UpgradeRefusalParams) => ({
    group: 'reports a version that is not major.minor.patch', text: `reports version "${p.current}", which is not major.minor.patch`,
  }),
  badTarget: (p: UpgradeRefusalParams) => ({
    group: 'the firmware version is not major.minor.patch', text: `the firmware version "${p.target}" is not major.minor.patch`,
  }),
  alreadyRuns: (p: UpgradeRefusalParams) => ({ group: `already runs ${p.target}`, text: `already runs ${p.target}` }),
  newer: (p: UpgradeRefusalParams) => ({ group: `runs a newer version than ${p.target}`, text: `runs ${p.current}, newer than ${p.target}` }),
  belowMin: (p: UpgradeRefusalParams) => ({
    group: `runs a version below the firmware's minimum source version ${p.minVersion}`,
    text: `runs ${p.current}, below the firmware's minimum source version ${p.minVersion}`,
  }),
  aboveMax: (p: UpgradeRefusalParams) => ({
    group: `runs a version above the firmware's maximum source version ${p.maxVersion}`,
    text: `runs ${p.current}, above the firmware's maximum source version ${p.maxVersion}`,
  }),
  notFrom: (p: UpgradeRefusalParams) => ({
    group: `runs a version the firmware does not install over (only ${p.versions})`,
    text: `runs ${p.current}, not one of the versions the firmware installs over (${p.versions})`,
  }),
} satisfies Record<string, (params: UpgradeRefusalParams) => { group: string; text: string }>;

export type UpgradeRefusalCode = keyof typeof ENGLISH;

/** Every code {@link upgradeRefusal} can give, for a screen's catalog to be checked against. */
export const UPGRADE_REFUSAL_CODES = Object.keys(ENGLISH) as readonly UpgradeRefusalCode[];

function refusal(code: UpgradeRefusalCode, params: UpgradeRefusalParams): UpgradeRefusal {
  return { code, params, ...ENGLISH[code](params) };
}

/**
 * Why a device at `current` may not take firmware `target` under `constraint`, or undefined when it may: only a
 * newer version is pushed, and only over the versions the firmware allows.
 */
export function upgradeRefusal(current: string, target: string, constraint: VersionConstraint | null | undefined): UpgradeRefusal | undefined {
  const from = versionCode(current);
  const to = versionCode(target);
  if (from === undefined) return refusal('badCurrent', { current, target });
  if (to === undefined) return refusal('badTarget', { current, target });
  if (from === to) return refusal('alreadyRuns', { current, target });
  if (from > to) return refusal('newer', { current, target });
  if (!constraint) return undefined;
  const { minVersion, maxVersion, fromVersions } = constraint;
  if (minVersion !== undefined && from < (versionCode(minVersion) ?? 0)) {
    return refusal('belowMin', { current, target, minVersion });
  }
  if (maxVersion !== undefined && from > (versionCode(maxVersion) ?? Infinity)) {
    return refusal('aboveMax', { current, target, maxVersion });
  }
  if (fromVersions?.length && !fromVersions.includes(current)) {
    return refusal('notFrom', { current, target, versions: fromVersions.join(', ') });
  }
  return undefined;
}
