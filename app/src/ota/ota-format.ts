/** How the OTA screens say sizes, hashes, steps and progress. Pure. */
import type { CampaignState, DeviceUpgrade, StateCounts, UpgradeState } from '../../../domain/ota/ota-schemas.ts';
import type { VersionConstraintInput } from '../../../domain/ota/ota-schemas.ts';
import { currentLocale } from '../i18n/locale.ts';
import { t } from './ota.messages.ts';
import { serverText } from '../i18n/server-text.ts';

/** `432945` → `422.8 KiB` (and the exact bytes go in a tooltip). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${new Intl.NumberFormat(currentLocale(), { maximumFractionDigits: value < 10 ? 2 : 1 }).format(value)} ${units[unit]}`;
}

/** A hash shortened to its first and last characters, as git does: enough to compare by eye. */
export function shortHash(hex: string, each = 8): string {
  return hex.length <= each * 2 + 1 ? hex : `${hex.slice(0, each)}…${hex.slice(-4)}`;
}

/** What the device's progress step says (docs/ota.md "Progress steps"). */
export function stepText(step: number | null): string {
  if (step === null) return '';
  switch (step) {
    case -1: return t('step.upgradeFailed');
    case -2: return t('step.downloadFailed');
    case -3: return t('step.verifyFailed');
    case -4: return t('step.flashFailed');
    default: return t(step < 0 ? 'step.failed' : 'step.n', { step: String(step) });
  }
}

/** `a: b` (or `a：b`), or whichever of the two is not empty. */
function joined(a: string, b: string): string {
  return a && b ? t('join', { a, b }) : a || b;
}

/**
 * The progress column of a device upgrade: the device's step and text while it upgrades (or after it succeeded); for an
 * upgrade that ended otherwise, where it had got to (the reason column says why it ended, and the last text the
 * platform kept, such as "told to upgrade", would only mislead), or '' when it never started.
 */
export function progressNote(u: Pick<DeviceUpgrade, 'state' | 'step' | 'message'>): string {
  if (u.state === 'queued') return '';
  if (u.state === 'failed' || u.state === 'timed_out' || u.state === 'cancelled') {
    if (u.step === null || u.step < 0) return '';
    return joined(t('step.gotTo', { step: String(u.step) }), serverText(u.message));
  }
  return joined(stepText(u.step), serverText(u.message));
}

/** The version constraint in words, or '' when there is none. */
export function constraintText(constraint: VersionConstraintInput | undefined): string {
  if (!constraint) return '';
  const parts: string[] = [];
  const min = constraint.minVersion;
  const max = constraint.maxVersion;
  if (min && max) parts.push(t('constraint.range', { min, max }));
  else if (min) parts.push(t('constraint.min', { min }));
  else if (max) parts.push(t('constraint.max', { max }));
  if (constraint.fromVersions?.length) parts.push(t('constraint.from', { versions: constraint.fromVersions.join(', ') }));
  return parts.join(t('semicolon'));
}

/** One bar of the campaign's funnel. */
export interface FunnelStage {
  id: 'targeted' | 'notified' | 'downloading' | 'flashing' | 'succeeded';
  label: string;
  /** Devices at this stage or past it (still on their way, or done). */
  count: number;
}

/** Where devices leave the funnel, beside it. */
export interface FunnelExit {
  id: 'failed' | 'timed_out' | 'cancelled';
  label: string;
  count: number;
}

/**
 * The campaign's funnel from the counts by state: each stage counts the devices that are there or further on the
 * happy path (`downloading` = downloading + flashing + succeeded), so the bars only narrow; failed, timed-out and
 * cancelled devices are counted beside it (where they dropped out is in each device's reason).
 */
export function funnel(counts: StateCounts, total: number): { stages: FunnelStage[]; exits: FunnelExit[] } {
  const succeeded = counts.succeeded;
  const flashing = succeeded + counts.flashing;
  const downloading = flashing + counts.downloading;
  const notified = downloading + counts.notified;
  return {
    stages: [
      { id: 'targeted', label: t('funnel.targeted'), count: total },
      { id: 'notified', label: upgradeStateLabel('notified'), count: notified },
      { id: 'downloading', label: upgradeStateLabel('downloading'), count: downloading },
      { id: 'flashing', label: upgradeStateLabel('flashing'), count: flashing },
      { id: 'succeeded', label: upgradeStateLabel('succeeded'), count: succeeded },
    ],
    exits: [
      { id: 'failed', label: upgradeStateLabel('failed'), count: counts.failed },
      { id: 'timed_out', label: upgradeStateLabel('timed_out'), count: counts.timed_out },
      { id: 'cancelled', label: upgradeStateLabel('cancelled'), count: counts.cancelled },
    ],
  };
}

/** A share as a whole percent for a bar's width and label; 0 of 0 is 0. */
export function percentOf(part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Math.max(0, Math.min(100, Math.round((part / whole) * 100)));
}

/** Devices whose upgrade ended (for "done of total"). */
export function finishedCount(counts: StateCounts): number {
  return counts.succeeded + counts.failed + counts.cancelled + counts.timed_out;
}

/** States of a campaign that someone can pause, resume or cancel. */
export const canPause = (state: CampaignState): boolean => state === 'running' || state === 'scheduled';
export const canResume = (state: CampaignState): boolean => state === 'paused' || state === 'stopped';
export const canCancel = (state: CampaignState): boolean => state === 'running' || state === 'scheduled' || state === 'paused' || state === 'stopped';

/** An upgrade state in words, for filters and headings ("Timed out"). */
export function upgradeStateLabel(state: UpgradeState): string {
  return t(`upgradeState.${state}`);
}

/** An upgrade state as a word in a badge or a sentence ("timed out"); an unknown state as it is. */
export function upgradeStateWord(state: UpgradeState): string {
  return t(`upgradeWord.${state}`);
}

/** A campaign's state as a word ("running"). */
export function campaignStateWord(state: CampaignState): string {
  return t(`campaignState.${state}`);
}
