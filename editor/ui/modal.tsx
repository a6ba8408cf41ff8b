/**
 * A modal dialog: a titled panel over a dimmed page, closed with Escape. Keys typed in it do not reach the canvas
 * (the canvas ignores events from inside `role="dialog"`).
 */
import { useEffect, type ReactNode } from 'react';

export function Modal({ title, onClose, children, wide = false }: { title: string; onClose(): void; children: ReactNode; wide?: boolean }) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="fixed inset-0 z-50 flex items-start justify-center bg-black/40 pt-24 dark:bg-black/60">
      <div role="dialog" aria-modal="true" aria-label={title} className={`${wide ? 'w-[40rem]' : 'w-[26rem]'} max-w-[95vw] rounded-md bg-white p-4 shadow-xl`}>
        <h2 className="mb-3 text-base font-semibold text-slate-900">{title}</h2>
        {children}
      </div>
    </div>
  );
}

/** The buttons row of a dialog. */
export function ModalActions({ children }: { children: ReactNode }) {
  return <div className="mt-4 flex justify-end gap-2">{children}</div>;
}

export const BUTTON = 'rounded border border-slate-300 bg-white px-3 py-1 text-sm text-slate-800 hover:bg-slate-100 disabled:opacity-50';
export const PRIMARY_BUTTON = 'rounded border border-red-800 bg-red-700 px-3 py-1 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-50';
