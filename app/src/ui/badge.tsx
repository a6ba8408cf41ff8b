import type { ReactNode } from 'react';
import { cx } from './cx.ts';
import { t } from './ui.messages.ts';

export type Tone = 'neutral' | 'green' | 'amber' | 'red' | 'blue' | 'violet';

const tones: Record<Tone, string> = {
  neutral: 'bg-slate-100 text-slate-700 ring-slate-300',
  green: 'bg-emerald-50 text-emerald-800 ring-emerald-300',
  amber: 'bg-amber-50 text-amber-800 ring-amber-300',
  red: 'bg-red-50 text-red-800 ring-red-300',
  blue: 'bg-sky-50 text-sky-800 ring-sky-300',
  violet: 'bg-violet-50 text-violet-800 ring-violet-300',
};

export function Badge({ tone = 'neutral', children, className }: { tone?: Tone; children: ReactNode; className?: string }) {
  return <span className={cx('inline-flex items-center gap-1 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset', tones[tone], className)}>{children}</span>;
}

/** Online/offline with a dot (colour is not the only cue: the word is there too). */
export function OnlineBadge({ online }: { online: boolean }) {
  return (
    <Badge tone={online ? 'green' : 'neutral'}>
      <span aria-hidden className={cx('h-1.5 w-1.5 rounded-full', online ? 'bg-emerald-500' : 'bg-slate-400')} />
      {online ? t('state.online') : t('state.offline')}
    </Badge>
  );
}

const severityTones: Record<string, Tone> = { critical: 'red', warning: 'amber', info: 'blue' };

export function SeverityBadge({ severity }: { severity: string }) {
  const known = severity === 'critical' || severity === 'warning' || severity === 'info';
  return <Badge tone={severityTones[severity] ?? 'neutral'}>{known ? t(`severity.${severity}`) : severity}</Badge>;
}

/** A device reply or command result code as the device protocol defines them (docs/protocol.md "Reply codes"): 200 green, 4xx amber, 5xx red. */
export function CodeBadge({ code }: { code: number | null | undefined }) {
  if (code === null || code === undefined) return <Badge>{t('badge.pending')}</Badge>;
  const tone: Tone = code >= 200 && code < 300 ? 'green' : code >= 500 ? 'red' : 'amber';
  return <Badge tone={tone}>{code}</Badge>;
}
