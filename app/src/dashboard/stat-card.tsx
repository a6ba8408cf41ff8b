import type { ReactNode } from 'react';
import { formatNumber } from '../i18n/messages.ts';
import { Link } from '../routing.ts';
import { cx } from '../ui/cx.ts';

export type StatTone = 'neutral' | 'green' | 'slate' | 'amber' | 'red' | 'blue';

const accents: Record<StatTone, string> = {
  neutral: 'text-slate-900',
  green: 'text-emerald-700',
  slate: 'text-slate-600',
  amber: 'text-amber-700',
  red: 'text-red-700',
  blue: 'text-sky-800',
};

const icons: Record<StatTone, string> = {
  neutral: 'text-slate-400',
  green: 'text-emerald-500',
  slate: 'text-slate-400',
  amber: 'text-amber-500',
  red: 'text-red-500',
  blue: 'text-sky-500',
};

/**
 * One figure of the dashboard as a link to the list it counts (the device list filtered by status, the alerts of one
 * severity). `id` names it for tests (`data-stat`).
 */
export function StatCard({ id, label, value, icon, tone = 'neutral', to, hint }: {
  id: string;
  label: string;
  value: number;
  icon: string;
  tone?: StatTone;
  to: string;
  hint?: ReactNode;
}) {
  return (
    <Link
      to={to}
      data-stat={id}
      className="group block min-w-0 rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm transition-colors hover:border-sky-300 hover:bg-sky-50/40 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-600"
    >
      <div className="flex items-center justify-between gap-2 text-sm font-medium text-slate-600">
        <span className="truncate">{label}</span>
        <i aria-hidden className={cx('fa fa-fw', icon, icons[tone])} />
      </div>
      <div className={cx('mt-1 text-3xl font-semibold tabular-nums', value === 0 ? 'text-slate-400' : accents[tone])} data-value>
        {formatNumber(value)}
      </div>
      {hint && <div className="mt-0.5 truncate text-xs text-slate-500">{hint}</div>}
    </Link>
  );
}
