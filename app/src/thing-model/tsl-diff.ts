/**
 * What publishing a draft changes, feature by feature: the properties, services and events added, removed and changed,
 * and for a changed one each difference as old → new (data type, specs, access, call type, parameters). Features are
 * matched by identifier, parameters and struct fields too, so reordering is not a change. Alibaba's generated
 * `post`/`set`/`get` repeat the properties and are left out. Pure, no React.
 */
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
      entry('name', p.name),
      entry('access', p.accessMode === 'rw' ? 'read-write (rw)' : p.accessMode === 'r' ? 'read-only (r)' : p.accessMode),
      entry('description', p.desc),
      ...dataTypeEntries(p.dataType, '', []),
    ], (p) => describeDataType(p.dataType)),
    services: diffList(a.services, b.services, (s) => [
      entry('name', s.name),
      entry('call type', s.callType),
      entry('description', s.desc),
      ...paramEntries(s.inputData, 'input', '', []),
      ...paramEntries(s.outputData, 'output', '', []),
    ], (s) => `${s.callType} service`),
    events: diffList(a.events, b.events, (e) => [
      entry('name', e.name),
      entry('event type', e.type),
      entry('description', e.desc),
      ...paramEntries(e.outputData, 'output', '', []),
    ], (e) => `${e.type} event`),
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
    const label = `${prefix}${kind} ${p.identifier}`;
    const inner = [...groups, label];
    out.push(entry(label, describeDataType(p.dataType), inner));
    out.push(entry(`${label}: name`, p.name, inner));
    out.push(entry(`${label}: description`, p.desc, inner));
    out.push(...dataTypeEntries(p.dataType, `${label}: `, inner));
  }
  return out;
}

/** The facts of a data type that matter to a device: its type and the specs of that type. */
function dataTypeEntries(t: DataTypeForm, prefix: string, groups: string[]): Entry[] {
  const e = (label: string, value: string) => entry(`${prefix}${label}`, value.trim(), groups);
  const out = [e('data type', t.type)];
  if (NUMERIC_TYPES.includes(t.type)) {
    out.push(e('min', t.min), e('max', t.max), e('step', t.step), e('unit', t.unit), e('unit name', t.unitName));
  } else if (t.type === 'text') {
    out.push(e('max length', t.length));
  } else if (t.type === 'bool') {
    out.push(e('label of 0', t.falseLabel), e('label of 1', t.trueLabel));
  } else if (t.type === 'enum') {
    for (const v of t.entries) out.push(e(`value ${v.value.trim()}`, v.label));
  } else if (t.type === 'struct') {
    out.push(...paramEntries(t.fields, 'field', prefix, groups));
  } else if (t.type === 'array') {
    out.push(e('array size', t.size));
    if (t.item) out.push(...dataTypeEntries(t.item, `${prefix}element `, groups));
  }
  return out;
}
