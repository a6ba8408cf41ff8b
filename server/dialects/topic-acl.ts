import type { DeviceIdentity } from './dialect.ts';

/**
 * A device namespace as MQTT levels: literals, `{pk}` and `{dn}` (the device's own), `+` (any one level) and a final
 * `#` (any rest, the parent level included, as in MQTT). Written as a topic template: `/sys/{pk}/{dn}/#`.
 */
export type Namespace = readonly string[];

/** Compiles topic templates once, at module load. */
export const namespaces = (...templates: string[]): readonly Namespace[] => templates.map((t) => t.split('/'));

const PK = '{pk}';
const DN = '{dn}';

const literalMatches = (template: string, level: string, id: DeviceIdentity): boolean =>
  template === PK ? level === id.productKey : template === DN ? level === id.deviceName : template === level;

/** Whether `topic` is a valid publish topic (no wildcard, no NUL) inside one of the namespaces. */
export function topicInNamespaces(spaces: readonly Namespace[], id: DeviceIdentity, topic: string): boolean {
  if (topic.length === 0 || topic.includes('+') || topic.includes('#') || topic.includes('\0')) return false;
  const levels = topic.split('/');
  for (const space of spaces) if (matches(space, id, levels, false)) return true;
  return false;
}

/**
 * Whether every topic `filter` can match lies inside one of the namespaces: a wildcard is accepted only where the
 * namespace itself has one (`+` for `+`, anything under its final `#`), so `+` or `#` in place of pk or dn, or a
 * `#` above the device's own level, is refused. Invalid filters (a `#` not last, a wildcard sharing a level) are
 * refused too.
 */
export function filterInNamespaces(spaces: readonly Namespace[], id: DeviceIdentity, filter: string): boolean {
  if (filter.length === 0 || filter.includes('\0')) return false;
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.length > 1 && (level.includes('+') || level.includes('#'))) return false;
    if (level === '#' && i !== levels.length - 1) return false;
  }
  for (const space of spaces) if (matches(space, id, levels, true)) return true;
  return false;
}

function matches(space: Namespace, id: DeviceIdentity, levels: readonly string[], isFilter: boolean): boolean {
  for (let i = 0; i < space.length; i++) {
    const template = space[i]!;
    if (template === '#') return true;
    const level = levels[i];
    if (level === undefined) return false;
    if (isFilter && level === '#') return false;
    if (template === '+') continue;
    if ((isFilter && level === '+') || !literalMatches(template, level, id)) return false;
  }
  return levels.length === space.length;
}
