import { cloneElement, isValidElement, useId, type ReactElement, type ReactNode } from 'react';
import { cx } from './cx.ts';

/** Classes of text inputs, selects and text areas, so every form looks the same. */
export const INPUT =
  'block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 shadow-sm ' +
  'placeholder:text-slate-400 focus:border-sky-600 focus:outline-none focus:ring-1 focus:ring-sky-600 ' +
  'disabled:bg-slate-50 disabled:text-slate-500 aria-[invalid=true]:border-red-500 aria-[invalid=true]:ring-red-500';

/**
 * A labelled form control with an optional hint and the error that belongs to it, shown under the control and tied to
 * it (`aria-describedby`, `aria-invalid`), so a screen reader and a sighted user both learn what to fix where.
 */
export function Field({ label, hint, error, children, className }: {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  children: ReactElement<Record<string, unknown>>;
  className?: string;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const control = isValidElement(children)
    ? cloneElement(children, {
        id,
        'aria-describedby': [hintId, errorId].filter(Boolean).join(' ') || undefined,
        'aria-invalid': error ? true : undefined,
      })
    : children;
  return (
    <div className={cx('text-sm', className)}>
      <label htmlFor={id} className="mb-1 block font-medium text-slate-700">{label}</label>
      {control}
      {hint && !error && <p id={hintId} className="mt-1 text-xs text-slate-500">{hint}</p>}
      {error && <p id={errorId} className="mt-1 text-xs text-red-700">{error}</p>}
    </div>
  );
}
