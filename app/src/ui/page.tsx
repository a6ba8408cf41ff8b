import type { ReactNode } from 'react';
import { cx } from './cx.ts';

/** A screen of the app: its title, the actions for the whole screen on the right, then the content. */
export function Page({ title, subtitle, actions, back, children }: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
  /** A link back to the list this page belongs to. */
  back?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="h-full overflow-auto">
      <div className="mx-auto max-w-7xl px-4 py-5 sm:px-6">
        {back && <div className="mb-1 text-sm">{back}</div>}
        <div className="mb-5 flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0">
            <h1 className="truncate text-xl font-semibold text-slate-900">{title}</h1>
            {subtitle && <div className="mt-0.5 text-sm text-slate-600">{subtitle}</div>}
          </div>
          {actions && <div className="flex flex-wrap items-center gap-2">{actions}</div>}
        </div>
        <div className="space-y-5">{children}</div>
      </div>
    </div>
  );
}

/** A titled box of related content on a page. */
export function Panel({ title, actions, children, className, bodyClassName }: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  bodyClassName?: string;
}) {
  return (
    <section className={cx('rounded-lg border border-slate-200 bg-white shadow-sm', className)} aria-label={typeof title === 'string' ? title : undefined}>
      {(title || actions) && (
        <header className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 px-4 py-2.5">
          {title && <h2 className="text-sm font-semibold text-slate-800">{title}</h2>}
          {actions && <div className="flex items-center gap-2">{actions}</div>}
        </header>
      )}
      <div className={cx('p-4', bodyClassName)}>{children}</div>
    </section>
  );
}

/** A label/value list (device facts, alert details). */
export function Facts({ items }: { items: readonly [ReactNode, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1.5 text-sm">
      {items.map(([label, value], i) => (
        <div key={i} className="contents">
          <dt className="text-slate-500">{label}</dt>
          <dd className="min-w-0 break-words text-slate-900">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
