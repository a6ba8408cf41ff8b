import type { ReactNode } from 'react';
import { ApiError } from '../api.ts';
import { errorText } from '../use-api.ts';
import { cx } from './cx.ts';
import { tc } from '../i18n/common.messages.ts';
import { t } from './ui.messages.ts';

/** What an empty list says: what this is for and what to do next (usually a button). */
export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 bg-slate-50 px-6 py-10 text-center">
      <p className="text-sm font-semibold text-slate-800">{title}</p>
      {children && <div className="mx-auto mt-1 max-w-md text-sm text-slate-600">{children}</div>}
      {action && <div className="mt-4 flex justify-center gap-2">{action}</div>}
    </div>
  );
}

/** The field problems in an API error's `details` (`[{path|field, message, row?}]`), as lines a user can read. */
export function errorDetails(err: unknown): string[] {
  if (!(err instanceof ApiError) || !Array.isArray(err.details)) return [];
  return err.details.slice(0, 20).map((d: { path?: string; field?: string; row?: number; message?: string }) => {
    const where = [d.row !== undefined ? t('details.row', { row: d.row }) : '', d.path || d.field || ''].filter(Boolean).join(' ');
    return where ? `${where}: ${d.message ?? ''}` : String(d.message ?? JSON.stringify(d));
  });
}

/** A failed call, in the API's own words with its field problems; placed next to what caused it. */
export function ErrorNote({ error, className }: { error: unknown; className?: string }) {
  if (!error) return null;
  const details = errorDetails(error);
  return (
    <div role="alert" className={cx('rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800', className)}>
      <p>{errorText(error)}</p>
      {details.length > 0 && (
        <ul className="mt-1 list-disc pl-5 text-xs">
          {details.map((d) => <li key={d}>{d}</li>)}
        </ul>
      )}
    </div>
  );
}

/** A quiet line while the first answer is on its way. */
export function Loading({ what }: { what: string }) {
  return <p className="py-6 text-sm text-slate-500" aria-live="polite">{tc('loading', { what })}</p>;
}
