import type { ReactNode, TdHTMLAttributes, ThHTMLAttributes } from 'react';
import { cx } from './cx.ts';

/**
 * A list of records as a table that scrolls sideways on narrow screens instead of squeezing its columns. `relative`
 * keeps absolutely positioned cell content (an `sr-only` header) inside the scroll box, not widening the page.
 */
export function Table({ children, label, flush }: {
  children: ReactNode; label: string;
  /** Inside a panel that frames it already: no border, corners or shadow of its own. */
  flush?: boolean;
}) {
  return (
    <div className={cx('relative overflow-x-auto bg-white', !flush && 'rounded-lg border border-slate-200 shadow-sm')}>
      <table aria-label={label} className="min-w-full divide-y divide-slate-200 text-sm">{children}</table>
    </div>
  );
}

export function Th({ className, ...rest }: ThHTMLAttributes<HTMLTableCellElement>) {
  return <th scope="col" className={cx('whitespace-nowrap bg-slate-50 px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-600', className)} {...rest} />;
}

export function Td({ className, ...rest }: TdHTMLAttributes<HTMLTableCellElement>) {
  return <td className={cx('px-3 py-2 align-middle text-slate-800', className)} {...rest} />;
}

/** The body rows get dividers and a hover. */
export function TBody({ children }: { children: ReactNode }) {
  return <tbody className="divide-y divide-slate-100 [&>tr:hover]:bg-slate-50">{children}</tbody>;
}
