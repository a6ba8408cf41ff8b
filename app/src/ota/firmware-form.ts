/**
 * The upload and edit dialogs' forms, checked in the browser the way the API checks them (so the message sits at the
 * field before anything is sent), and turned into the query of `POST /firmware` or the body of `PATCH /firmware/:id`.
 * The server checks again; its verdict is placed at the field it names ({@link uploadErrors}, {@link patchErrors}).
 */
import { isModuleName, versionCode, DEFAULT_MODULE } from '../../../domain/ota/ota-version.ts';
import { PRODUCT_KEY_PATTERN } from '../../../domain/products/identity.ts';
import type { Firmware, FirmwarePatch, FirmwareUploadQuery, VersionConstraintInput } from '../../../domain/ota/ota-schemas.ts';
import { ApiError } from '../api.ts';
import { t } from './ota.messages.ts';

export interface FirmwareForm {
  productKey: string;
  module: string;
  version: string;
  releaseNotes: string;
  minVersion: string;
  maxVersion: string;
  /** Versions separated by commas or spaces. */
  fromVersions: string;
  /** A JSON object, or empty. */
  extData: string;
  file: { name: string; size: number } | undefined;
}

export type FirmwareField = keyof FirmwareForm;

export const EMPTY_FIRMWARE_FORM: FirmwareForm = {
  productKey: '', module: DEFAULT_MODULE, version: '', releaseNotes: '', minVersion: '', maxVersion: '', fromVersions: '', extData: '', file: undefined,
};

/** What a version looks like, in the current language. */
export const versionHint = (): string => t('form.versionHint');
/** The example of extData in messages and hints. */
export const EXT_DATA_EXAMPLE = '{"signature": "…"}';
const PRODUCT_KEY = new RegExp(PRODUCT_KEY_PATTERN);
const MAX_NOTES = 10_000;
const MAX_EXT_DATA = 10_000;

/** What is wrong with a version typed in a field, or undefined when it is one. */
export function versionProblem(text: string): string | undefined {
  if (versionCode(text) !== undefined) return undefined;
  if (/^v\d/i.test(text)) return t('form.leaveOutV', { version: text.slice(1) });
  if (/^\d+\.\d+$/.test(text)) return t('form.threeNumbers', { version: text });
  return t('form.notVersion', { text, hint: versionHint() });
}

/** The versions of a comma- or space-separated list. */
export function splitVersions(text: string): string[] {
  return text.split(/[\s,;]+/).filter(Boolean);
}

/** The fields that may change after upload (`PATCH /firmware/:id`), shared by the upload and edit dialogs. */
export type FirmwareMetaField = 'releaseNotes' | 'minVersion' | 'maxVersion' | 'fromVersions' | 'extData';
export type FirmwareMeta = Pick<FirmwareForm, FirmwareMetaField>;

/** The metadata fields, checked and parsed: trimmed notes, the constraint as the API has it, extData parsed. */
interface CheckedMeta {
  releaseNotes: string;
  constraint: VersionConstraintInput;
  /** Undefined when the field is empty. */
  extData: Record<string, unknown> | undefined;
}

/**
 * The problem of each metadata field that has one, and the values once there is none. `version` is the firmware's
 * own version, when it is one: only older source versions can take it.
 */
export function checkFirmwareMeta(meta: FirmwareMeta, version: string | undefined): { errors: Partial<Record<FirmwareMetaField, string>> } | { value: CheckedMeta } {
  const errors: Partial<Record<FirmwareMetaField, string | undefined>> = {};
  if (meta.releaseNotes.length > MAX_NOTES) errors.releaseNotes = t('maxChars', { max: MAX_NOTES });
  const min = meta.minVersion.trim();
  const max = meta.maxVersion.trim();
  if (min) errors.minVersion = versionProblem(min);
  if (max) errors.maxVersion = versionProblem(max);
  if (min && max && !errors.minVersion && !errors.maxVersion && versionCode(min)! > versionCode(max)!) {
    errors.maxVersion = t('form.maxBelowMin', { min });
  }
  const from = splitVersions(meta.fromVersions);
  const badFrom = from.filter((v) => versionCode(v) === undefined);
  if (badFrom.length > 0) errors.fromVersions = t('form.notVersions', { list: badFrom.join(', '), hint: versionHint() });
  else if (from.length > 100) errors.fromVersions = t('form.tooManyVersions', { max: 100 });
  // Only a newer version is ever pushed: a source version at or above the firmware's would never match a device.
  const target = version === undefined ? undefined : versionCode(version);
  if (target !== undefined) {
    if (!errors.minVersion && min && versionCode(min)! >= target) errors.minVersion = t('form.minNotNewer', { min, version });
    const notOlder = errors.fromVersions ? [] : from.filter((v) => versionCode(v)! >= target);
    if (notOlder.length > 0) errors.fromVersions = t('form.notOlder', { version, list: notOlder.join(', ') });
  }
  const extData = meta.extData.trim();
  if (extData) errors.extData = extDataProblem(extData);

  const problems = Object.fromEntries(Object.entries(errors).filter(([, v]) => v !== undefined)) as Partial<Record<FirmwareMetaField, string>>;
  if (Object.keys(problems).length > 0) return { errors: problems };
  const constraint: VersionConstraintInput = {};
  if (min) constraint.minVersion = min;
  if (max) constraint.maxVersion = max;
  if (from.length > 0) constraint.fromVersions = [...new Set(from)];
  return { value: { releaseNotes: meta.releaseNotes.trim(), constraint, extData: extData ? (JSON.parse(extData) as Record<string, unknown>) : undefined } };
}

/** The form as the upload's query, or the problem of each field that has one. */
export function firmwareUpload(form: FirmwareForm): { query: FirmwareUploadQuery } | { errors: Partial<Record<FirmwareField, string>> } {
  const errors: Partial<Record<FirmwareField, string>> = {};
  const productKey = form.productKey.trim();
  const module = form.module.trim() || DEFAULT_MODULE;
  const version = form.version.trim();
  if (!PRODUCT_KEY.test(productKey)) errors.productKey = t('form.chooseProduct');
  if (!isModuleName(module)) errors.module = t('form.moduleRule');
  const versionError = version ? versionProblem(version) : t('form.versionNeeded', { hint: versionHint() });
  if (versionError) errors.version = versionError;
  const meta = checkFirmwareMeta(form, versionError ? undefined : version);
  if ('errors' in meta) Object.assign(errors, meta.errors);
  if (!form.file) errors.file = t('form.chooseImage');
  else if (form.file.size === 0) errors.file = t('form.fileEmpty', { file: form.file.name });

  if (Object.keys(errors).length > 0 || !('value' in meta)) return { errors };
  const { releaseNotes, constraint, extData } = meta.value;
  const query: FirmwareUploadQuery = { productKey, module, version };
  if (form.file) query.fileName = form.file.name.slice(0, 255);
  if (releaseNotes) query.releaseNotes = releaseNotes;
  if (constraint.minVersion) query.minVersion = constraint.minVersion;
  if (constraint.maxVersion) query.maxVersion = constraint.maxVersion;
  if (constraint.fromVersions) query.fromVersions = constraint.fromVersions.join(',');
  if (extData) query.extData = JSON.stringify(extData);
  return { query };
}

/** A stored firmware's metadata as the edit dialog's fields. */
export function firmwareMetaForm(firmware: Pick<Firmware, 'releaseNotes' | 'constraint' | 'extData'>): FirmwareMeta {
  return {
    releaseNotes: firmware.releaseNotes,
    minVersion: firmware.constraint.minVersion ?? '',
    maxVersion: firmware.constraint.maxVersion ?? '',
    fromVersions: (firmware.constraint.fromVersions ?? []).join(', '),
    extData: Object.keys(firmware.extData).length > 0 ? JSON.stringify(firmware.extData, null, 2) : '',
  };
}

/**
 * The edit dialog's fields as the body of `PATCH /firmware/:id`, checked as the upload checks them: only what differs
 * from the stored firmware (the constraint and extData whole, as the API replaces them; empty clears them), so an
 * unchanged form is an empty patch. Or the problem of each field that has one.
 */
export function firmwarePatch(
  firmware: Pick<Firmware, 'version' | 'releaseNotes' | 'constraint' | 'extData'>,
  meta: FirmwareMeta,
): { patch: FirmwarePatch } | { errors: Partial<Record<FirmwareMetaField, string>> } {
  const checked = checkFirmwareMeta(meta, firmware.version);
  if ('errors' in checked) return checked;
  const { releaseNotes, constraint, extData = {} } = checked.value;
  const patch: FirmwarePatch = {};
  if (releaseNotes !== firmware.releaseNotes.trim()) patch.releaseNotes = releaseNotes;
  if (!sameJson(constraint, normalConstraint(firmware.constraint))) patch.constraint = constraint;
  if (!sameJson(extData, firmware.extData)) patch.extData = extData;
  return { patch };
}

/** A constraint with its parts in the order the form builds them (so a stored one compares equal to its form). */
function normalConstraint(c: VersionConstraintInput): VersionConstraintInput {
  const out: VersionConstraintInput = {};
  if (c.minVersion) out.minVersion = c.minVersion;
  if (c.maxVersion) out.maxVersion = c.maxVersion;
  if (c.fromVersions?.length) out.fromVersions = [...new Set(c.fromVersions)];
  return out;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function extDataProblem(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return t('form.notJson', { error: (err as Error).message });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return t('form.jsonObject', { example: EXT_DATA_EXAMPLE });
  if (JSON.stringify(value).length > MAX_EXT_DATA) return t('form.jsonTooLong', { max: MAX_EXT_DATA });
  return undefined;
}

/** Error codes of the upload (server/ota/ota-routes.ts) that are about one field. */
const FIELD_OF_CODE: Record<string, FirmwareField> = {
  firmware_exists: 'version',
  firmware_too_large: 'file',
  firmware_empty: 'file',
};

/** Query names the API's problems point at (`/querystring/version`, `/version`, `version`). */
const FIELDS: readonly FirmwareField[] = ['productKey', 'module', 'version', 'releaseNotes', 'minVersion', 'maxVersion', 'fromVersions', 'extData'];

/**
 * The API's refusal of an upload split over the form: each problem under its field (by `details` path or error
 * code), and what belongs to no field kept for the dialog.
 */
export function uploadErrors(err: unknown): { fields: Partial<Record<FirmwareField, string>>; rest: unknown } {
  if (!(err instanceof ApiError)) return { fields: {}, rest: err };
  const byCode = FIELD_OF_CODE[err.code];
  if (byCode) return { fields: { [byCode]: err.message }, rest: undefined };
  if (err.status === 413) return { fields: { file: err.message }, rest: undefined };
  // `Product "x" does not exist.`
  if (err.status === 404 && /^Product\b/.test(err.message)) return { fields: { productKey: err.message }, rest: undefined };
  const fields: Partial<Record<FirmwareField, string>> = {};
  let unplaced = !Array.isArray(err.details) || err.details.length === 0;
  for (const d of Array.isArray(err.details) ? (err.details as { path?: string; field?: string; message?: string }[]) : []) {
    const name = String(d.path ?? d.field ?? '').split('/').filter(Boolean).find((part) => (FIELDS as readonly string[]).includes(part)) as FirmwareField | undefined;
    if (!name) {
      unplaced = true;
      continue;
    }
    const message = d.message?.startsWith('must match pattern') ? (name === 'module' ? t('form.moduleRule') : versionHint()) : d.message ?? t('invalid');
    fields[name] = fields[name] ? `${fields[name]}${t('semicolon')}${message}` : message;
  }
  // A message about one field that came without details ("extData is not a JSON object") is placed there too.
  if (unplaced && Object.keys(fields).length === 0) {
    const named = FIELDS.find((f) => new RegExp(`\\b${f}\\b`).test(err.message));
    if (named) return { fields: { [named]: err.message }, rest: undefined };
  }
  return { fields, rest: unplaced ? err : undefined };
}

const META_FIELDS: readonly string[] = ['releaseNotes', 'minVersion', 'maxVersion', 'fromVersions', 'extData'] satisfies FirmwareMetaField[];

/**
 * The API's refusal of an edit split over the edit dialog's fields, as {@link uploadErrors} does for the upload (the
 * body's `/constraint/minVersion` lands at the lowest source version); what belongs to none of them is kept for the
 * dialog.
 */
export function patchErrors(err: unknown): { fields: Partial<Record<FirmwareMetaField, string>>; rest: unknown } {
  const { fields, rest } = uploadErrors(err);
  const own = Object.entries(fields).filter(([name]) => META_FIELDS.includes(name));
  if (own.length < Object.keys(fields).length) return { fields: Object.fromEntries(own), rest: err };
  return { fields: Object.fromEntries(own), rest };
}
