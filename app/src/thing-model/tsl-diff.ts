/**
 * What publishing a draft changes, feature by feature: the properties, services and events added, removed and changed,
 * and for a changed one each difference as old → new (data type, specs, access, call type, parameters). Features are
 * matched by identifier, parameters and struct fields too, so reordering is not a change. Alibaba's generated
 * `post`/`set`/`get` repeat the properties and are left out. Pure, no React.
 */
import { t } from './thing-model.messages.ts';
import { describeDataType, formFromTsl, NUMERIC_TYPES, type DataTypeForm, type ParamForm } from './tsl-form.ts';

/** One difference of a changed feature; `—` stands for "not there". */
export interface FeatureChange {
  label: string;
  from: string;
  to: string;
}

/** A feature only one side has, with its type or kind in a few words. */
export interface FeatureSummary {
  identifier: string;
  name: string;
  summary: string;
}

export interface ChangedFeature {
  identifier: string;
  name: string;
  changes: FeatureChange[];
}

export interface ListDiff {
  added: FeatureSummary[];
  removed: FeatureSummary[];
  changed: ChangedFeature[];
}

export interface ThingModelDiff {
  properties: ListDiff;
  services: ListDiff;
  events: ListDiff;
}

export const NOTHING = '—';

/** One comparable fact of a feature. `groups` are the parameters it belongs to, outermost first. */
interface Entry {
  label: string;
  value: string;
  groups: string[];
}

/** The differences between the published document (null: nothing published yet) and the draft. */
export function diffThingModels(before: unknown, after: unknown): ThingModelDiff {
  const a = formFromTsl(before ?? {});
  const b = formFromTsl(after);
  return {
    properties: diffList(a.properties, b.properties, (p) => [
      entry(t('diff.name'), p.name),
      entry(t('diff.access'), p.accessMode === 'rw' ? t('diff.readWrite') : p.accessMode === 'r' ? t('diff.readOnly') : p.accessMode),
      entry(t('diff.description'), p.desc),
      ...dataTypeEntries(p.dataType, '', []),
    ], (p) => describeDataType(p.dataType)),
    services: diffList(a.services, b.services, (s) => [
      entry(t('diff.name'), s.name),
      entry(t('diff.callType'), s.callType),
      entry(t('diff.description'), s.desc),
      ...paramEntries(s.inputData, t('diff.input'), '', []),
      ...paramEntries(s.outputData, t('diff.output'), '', []),
    ], (s) => t('diff.service', { callType: s.callType })),
    events: diffList(a.events, b.events, (e) => [
      entry(t('diff.name'), e.name),
      entry(t('diff.eventType'), e.type),
      entry(t('diff.description'), e.desc),
      ...paramEntries(e.outputData, t('diff.output'), '', []),
    ], (e) => t('diff.event', { type: e.type })),
  };
}

/** Whether publishing would change no feature at all. */
export function isEmptyDiff(diff: ThingModelDiff): boolean {
  return Object.values(diff).every((d: ListDiff) => d.added.length + d.removed.length + d.changed.length === 0);
}

/** How many features a diff adds, removes and changes, over all three lists. */
export function diffCounts(diff: ThingModelDiff): { added: number; removed: number; changed: number } {
  const lists = Object.values(diff) as ListDiff[];
  const sum = (k: keyof ListDiff) => lists.reduce((n, d) => n + d[k].length, 0);
  return { added: sum('added'), removed: sum('removed'), changed: sum('changed') };
}

const entry = (label: string, value: string, groups: string[] = []): Entry => ({ label, value, groups });

function diffList<T extends { identifier: string; name: string }>(
  before: T[],
  after: T[],
  entries: (item: T) => Entry[],
  summary: (item: T) => string,
): ListDiff {
  const old = new Map(before.map((f) => [f.identifier, f]));
  const now = new Map(after.map((f) => [f.identifier, f]));
  const diff: ListDiff = { added: [], removed: [], changed: [] };
  for (const f of after) if (!old.has(f.identifier)) diff.added.push({ identifier: f.identifier, name: f.name, summary: summary(f) });
  for (const f of before) if (!now.has(f.identifier)) diff.removed.push({ identifier: f.identifier, name: f.name, summary: summary(f) });
  for (const f of after) {
    const was = old.get(f.identifier);
    if (!was) continue;
    const changes = compareEntries(entries(was), entries(f));
    if (changes.length > 0) diff.changed.push({ identifier: f.identifier, name: f.name, changes });
  }
  return diff;
}

/**
 * The differences of two entry lists. A parameter (or struct field) only one side has is one change, "added" or
 * "removed" with its type, rather than a line for each of its specs.
 */
function compareEntries(before: Entry[], after: Entry[]): FeatureChange[] {
  const groupsOf = (list: Entry[]) => new Map(list.filter((e) => e.label === e.groups.at(-1)).map((e) => [e.label, e.value]));
  const oldGroups = groupsOf(before);
  const newGroups = groupsOf(after);
  const oneSided = (e: Entry) => e.groups.some((g) => !oldGroups.has(g) || !newGroups.has(g));
  const changes: FeatureChange[] = [];
  const seen = new Set<string>();
  const oldValues = new Map(before.map((e) => [e.label, e]));
  const newValues = new Map(after.map((e) => [e.label, e]));
  for (const e of [...after, ...before]) {
    if (seen.has(e.label)) continue;
    seen.add(e.label);
    const from = oldValues.get(e.label);
    const to = newValues.get(e.label);
    if (oneSided(e)) {
      // Only the parameter's own line, and only where it starts being one-sided.
      const outermost = e.groups.find((g) => !oldGroups.has(g) || !newGroups.has(g));
      if (outermost !== e.label) continue;
      changes.push({ label: e.label, from: from ? `${from.value}` : NOTHING, to: to ? `${to.value}` : NOTHING });
      continue;
    }
    // A parameter both sides have is compared by its facts below, not by its one-line summary.
    if (e.label === e.groups.at(-1)) continue;
    const a = from?.value ?? '';
    const b = to?.value ?? '';
    if (a !== b) changes.push({ label: e.label, from: a === '' ? NOTHING : a, to: b === '' ? NOTHING : b });
  }
  return changes;
}

function paramEntries(list: ParamForm[], kind: string, prefix: string, groups: string[]): Entry[] {
  const out: Entry[] = [];
  for (const p of list) {
    const label = t('diff.param', { prefix, kind, id: p.identifier });
    const inner = [...groups, label];
    const own = t('diff.prefix', { label });
    out.push(entry(label, describeDataType(p.dataType), inner));
    out.push(entry(`${own}${t('diff.name')}`, p.name, inner));
    out.push(entry(`${own}${t('diff.description')}`, p.desc, inner));
    out.push(...dataTypeEntries(p.dataType, own, inner));
  }
  return out;
}

/** The facts of a data type that matter to a device: its type and the specs of that type. */
function dataTypeEntries(type: DataTypeForm, prefix: string, groups: string[]): Entry[] {
  const e = (label: string, value: string) => entry(`${prefix}${label}`, value.trim(), groups);
  const out = [e(t('diff.dataType'), type.type)];
  if (NUMERIC_TYPES.includes(type.type)) {
    out.push(e(t('diff.min'), type.min), e(t('diff.max'), type.max), e(t('diff.step'), type.step), e(t('diff.unit'), type.unit), e(t('diff.unitName'), type.unitName));
  } else if (type.type === 'text') {
    out.push(e(t('diff.maxLength'), type.length));
  } else if (type.type === 'bool') {
    out.push(e(t('diff.label0'), type.falseLabel), e(t('diff.label1'), type.trueLabel));
  } else if (type.type === 'enum') {
    for (const v of type.entries) out.push(e(t('diff.value', { value: v.value.trim() }), v.label));
  } else if (type.type === 'struct') {
    out.push(...paramEntries(type.fields, t('diff.field'), prefix, groups));
  } else if (type.type === 'array') {
    out.push(e(t('diff.arraySize'), type.size));
    if (type.item) out.push(...dataTypeEntries(type.item, t('diff.element', { prefix }), groups));
  }
  return out;
}
