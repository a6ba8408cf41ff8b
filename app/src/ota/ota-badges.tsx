/** The OTA screens' small pieces: state badges, progress bars, hashes with a copy button. */
import { useId, useState } from 'react';
import type { CampaignState, UpgradeState } from '../../../domain/ota/ota-schemas.ts';
import { Badge, type Tone } from '../ui/badge.tsx';
import { cx } from '../ui/cx.ts';
import { tc } from '../i18n/common.messages.ts';
import { campaignStateWord, shortHash, upgradeStateWord } from './ota-format.ts';
import { t } from './ota.messages.ts';

/** A link that looks like the app's primary button (an action that opens a page: "New campaign"). */
export const PRIMARY_LINK =
  'inline-flex items-center justify-center gap-1.5 rounded-md border border-sky-700 bg-sky-700 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-sky-800';

const upgradeLooks: Record<UpgradeState, { tone: Tone; icon: string }> = {
  queued: { tone: 'neutral', icon: 'fa-clock-o' },
  notified: { tone: 'blue', icon: 'fa-bell-o' },
  downloading: { tone: 'blue', icon: 'fa-download' },
  flashing: { tone: 'violet', icon: 'fa-bolt' },
  succeeded: { tone: 'green', icon: 'fa-check' },
  failed: { tone: 'red', icon: 'fa-times' },
  cancelled: { tone: 'neutral', icon: 'fa-ban' },
  timed_out: { tone: 'amber', icon: 'fa-hourglass-end' },
};

/** A device upgrade's state: the word, an icon and a colour (never the colour alone). */
export function UpgradeStateBadge({ state }: { state: UpgradeState }) {
  const known = upgradeLooks[state];
  const look = known ?? { tone: 'neutral' as Tone, icon: 'fa-question' };
  return (
    <Badge tone={look.tone}>
      <i aria-hidden className={`fa ${look.icon}`} />
      {known ? upgradeStateWord(state) : state}
    </Badge>
  );
}

const campaignLooks: Record<CampaignState, { tone: Tone; icon: string }> = {
  scheduled: { tone: 'neutral', icon: 'fa-calendar' },
  running: { tone: 'blue', icon: 'fa-play' },
  paused: { tone: 'amber', icon: 'fa-pause' },
  stopped: { tone: 'red', icon: 'fa-exclamation-triangle' },
  cancelled: { tone: 'neutral', icon: 'fa-ban' },
  completed: { tone: 'green', icon: 'fa-check' },
};

/** A campaign's state; `stopped` (by itself, the failure ratio) stands out from `paused` (by someone). */
export function CampaignStateBadge({ state }: { state: CampaignState }) {
  const known = campaignLooks[state];
  const look = known ?? { tone: 'neutral' as Tone, icon: 'fa-question' };
  return (
    <Badge tone={look.tone}>
      <i aria-hidden className={`fa ${look.icon}`} />
      {known ? campaignStateWord(state) : state}
    </Badge>
  );
}

const barTones = {
  blue: 'bg-sky-600',
  green: 'bg-emerald-600',
  red: 'bg-red-600',
  amber: 'bg-amber-500',
  slate: 'bg-slate-400',
} as const;

/** A horizontal bar filled to `percent`, with the figure beside it (and to screen readers, as a progressbar). */
export function ProgressBar({ percent, label, tone = 'blue', text, className }: {
  percent: number;
  label: string;
  tone?: keyof typeof barTones;
  /** What is written beside the bar; the percent by default. */
  text?: string;
  className?: string;
}) {
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  return (
    <div className={cx('flex min-w-[7rem] items-center gap-2', className)}>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value}
        className="h-2 flex-1 overflow-hidden rounded-full bg-slate-200"
      >
        <div className={cx('h-full rounded-full transition-[width] duration-300', barTones[tone])} style={{ width: `${value}%` }} />
      </div>
      <span className="w-9 shrink-0 text-right text-xs tabular-nums text-slate-600">{text ?? `${value}%`}</span>
    </div>
  );
}

/**
 * A hash shortened for a table, the whole of it in the tooltip and copied by the icon beside it (the Clipboard API
 * needs a secure context; elsewhere the hash is selected for Ctrl+C).
 */
export function HashValue({ label, hex }: { label: string; hex: string }) {
  const id = useId();
  const [state, setState] = useState<'idle' | 'copied' | 'select'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(hex);
      setState('copied');
    } catch {
      const target = document.getElementById(id);
      if (target) window.getSelection()?.selectAllChildren(target);
      setState('select');
    }
    setTimeout(() => setState('idle'), 2000);
  };
  return (
    <span className="inline-flex items-center gap-1 whitespace-nowrap">
      <span className="w-14 text-xs text-slate-500">{label}</span>
      <code className="font-mono text-xs text-slate-800" title={hex} data-hash={label}>{shortHash(hex)}</code>
      {/* The whole hash, for the fallback selection (visually hidden). */}
      <span id={id} className="sr-only">{hex}</span>
      <button
        type="button"
        onClick={() => void copy()}
        aria-label={t('hash.copy', { label })}
        title={state === 'copied' ? tc('copied') : state === 'select' ? t('hash.selected') : t('hash.copyWhole', { label })}
        className="rounded px-1 text-slate-400 hover:bg-slate-100 hover:text-slate-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-600"
      >
        <i aria-hidden className={`fa ${state === 'copied' ? 'fa-check text-emerald-600' : 'fa-clipboard'}`} />
        <span className="sr-only" aria-live="polite">{state === 'copied' ? tc('copied') : ''}</span>
      </button>
    </span>
  );
}
