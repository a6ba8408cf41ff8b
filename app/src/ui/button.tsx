import { forwardRef, type ButtonHTMLAttributes } from 'react';
import { cx } from './cx.ts';

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'ghost';

const variants: Record<ButtonVariant, string> = {
  primary: 'border-sky-700 bg-sky-700 text-white hover:bg-sky-800 font-medium',
  secondary: 'border-slate-300 bg-white text-slate-800 hover:bg-slate-50',
  danger: 'border-red-700 bg-red-700 text-white hover:bg-red-800 font-medium',
  ghost: 'border-transparent bg-transparent text-slate-700 hover:bg-slate-100',
};

/** The one button of the app: `primary` for the page's main action, `danger` for what cannot be undone. */
export const Button = forwardRef<HTMLButtonElement, ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant; size?: 'sm' | 'md' }>(
  function Button({ variant = 'secondary', size = 'md', className, type = 'button', ...rest }, ref) {
    return (
      <button
        ref={ref}
        type={type}
        className={cx(
          'inline-flex shrink-0 items-center justify-center gap-1.5 whitespace-nowrap rounded-md border shadow-sm transition-colors',
          'focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600',
          'disabled:cursor-not-allowed disabled:opacity-50',
          size === 'sm' ? 'px-2 py-1 text-xs' : 'px-3 py-1.5 text-sm',
          variants[variant],
          className,
        )}
        {...rest}
      />
    );
  },
);
