/**
 * The wizard's target step: all devices, devices with tags, or a list of names pasted or read from a CSV file, as the
 * `target` of a campaign. Pure, so the rules are tested without a browser.
 */
import type { CampaignTarget } from '../../../domain/ota/ota-schemas.ts';
import { DEVICE_NAME_PATTERN } from '../../../domain/products/identity.ts';
import { readCsv } from '../devices/device-create-csv.ts';
import { t } from './ota.messages.ts';

const DEVICE_NAME = new RegExp(DEVICE_NAME_PATTERN);
/** The most names a target takes (the API's limit). */
export const MAX_TARGET_NAMES = 100_000;

/** Device names read from text, with what was left out and why. */
export interface NameList {
  /** Valid names, each once, in the order they came. */
  names: string[];
  /** Entries that are not device names (shown so the user can fix them). */
  invalid: string[];
  /** Entries that repeated a name already in the list. */
  duplicates: number;
  /** Rows of another product (a CSV with a productKey column). */
  otherProduct: number;
  /** Where the names came from in a CSV: its `deviceName` column or its first column. */
  column?: 'deviceName' | 'first';
}

function collect(entries: Iterable<string>): Pick<NameList, 'names' | 'invalid' | 'duplicates'> {
  const names = new Set<string>();
  const invalid: string[] = [];
  let duplicates = 0;
  for (const raw of entries) {
    const name = raw.trim();
    if (name === '') continue;
    if (!DEVICE_NAME.test(name)) invalid.push(name);
    else if (names.has(name)) duplicates++;
    else names.add(name);
  }
  return { names: [...names], invalid, duplicates };
}

/** Names pasted as a list: one per line, or separated by commas, semicolons or spaces. */
export function namesFromList(text: string): NameList {
  return { ...collect(text.split(/[\s,;]+/)), otherProduct: 0 };
}

const header = (cell: string) => cell.trim().toLowerCase().replace(/[\s_-]/g, '');
/** First cells that are a header's, though they would pass as device names. */
const HEADER_WORDS = new Set(['name', 'names', 'device', 'devices', 'dn']);

/**
 * Names in a CSV file: its `deviceName` column when the first line names one (any case, `device_name` too), else
 * its first column, skipping a first line that is plainly a header ("name", "device", or not a device name at all). With
 * `productKey`, rows whose `productKey` column names another product are left out (the device import's CSV has one).
 */
export function namesFromCsv(text: string, productKey?: string): NameList {
  const records = readCsv(text);
  const first = records[0]?.cells ?? [];
  const nameColumn = first.findIndex((c) => header(c) === 'devicename');
  const productColumn = first.findIndex((c) => header(c) === 'productkey');
  let rows = records;
  let column: 'deviceName' | 'first' = 'first';
  let index = 0;
  if (nameColumn >= 0) {
    rows = records.slice(1);
    column = 'deviceName';
    index = nameColumn;
  } else if (first.length > 0 && (!DEVICE_NAME.test(first[0]!.trim()) || HEADER_WORDS.has(header(first[0]!)))) {
    rows = records.slice(1);
  }
  let otherProduct = 0;
  if (productColumn >= 0 && productKey !== undefined) {
    rows = rows.filter((r) => {
      const pk = r.cells[productColumn]?.trim() ?? '';
      const same = pk === '' || pk === productKey;
      if (!same) otherProduct++;
      return same;
    });
  }
  return { ...collect(rows.map((r) => r.cells[index] ?? '')), otherProduct, column };
}

/** One `key = value` row of the tag target. */
export interface TagPair {
  key: string;
  value: string;
}

export type TargetKind = CampaignTarget['type'];

export interface TargetForm {
  kind: TargetKind;
  tags: TagPair[];
  /** The names as the text box holds them (one per line after a CSV was read). */
  names: string;
}

export const EMPTY_TARGET_FORM: TargetForm = { kind: 'all', tags: [{ key: '', value: '' }], names: '' };

/** The form as a campaign target, or what must be fixed first. */
export function targetFromForm(form: TargetForm): { target: CampaignTarget } | { problem: string } {
  if (form.kind === 'all') return { target: { type: 'all' } };
  if (form.kind === 'tags') {
    const tags: Record<string, string> = {};
    for (const { key: rawKey, value: rawValue } of form.tags) {
      const key = rawKey.trim();
      const value = rawValue.trim();
      if (key === '' && value === '') continue;
      if (key === '') return { problem: t('target.tagNoKey', { value }) };
      if (key in tags) return { problem: t('target.keyTwice', { key }) };
      tags[key] = value;
    }
    if (Object.keys(tags).length === 0) return { problem: t('target.noTags') };
    return { target: { type: 'tags', tags } };
  }
  const list = namesFromList(form.names);
  if (list.invalid.length > 0) {
    const shown = list.invalid.slice(0, 3).map((n) => t('quote', { text: n })).join(t('listSep'));
    const more = list.invalid.length > 3 ? t('target.andMore', { count: list.invalid.length - 3 }) : '';
    return { problem: t('target.notNames', { shown, more }) };
  }
  if (list.names.length === 0) return { problem: t('target.noNames') };
  if (list.names.length > MAX_TARGET_NAMES) return { problem: t('target.tooMany', { max: MAX_TARGET_NAMES }) };
  return { target: { type: 'devices', deviceNames: list.names } };
}

/** The target in a few words, for the review and the campaign page. */
export function describeTarget(target: CampaignTarget): string {
  if (target.type === 'all') return t('target.describeAll');
  if (target.type === 'tags') return t('target.describeTags', { tags: Object.entries(target.tags).map(([k, v]) => `${k}=${v}`).join(t('target.and')) });
  return t('target.describeNamed', { count: target.deviceNames.length });
}
