/** Dialogs on Radix primitives: focus is trapped and returned, Escape closes, the title names the dialog. */
import { AlertDialog, Dialog as RadixDialog } from 'radix-ui';
import type { ReactNode } from 'react';
import { tc } from '../i18n/common.messages.ts';
import { Button } from './button.tsx';
import { t } from './ui.messages.ts';
import { cx } from './cx.ts';

// Black, not slate: the dark palette turns slate over, and a light veil over a dark page would wash it out.
const OVERLAY = 'fixed inset-0 z-40 bg-black/40 dark:bg-black/60';
const CONTENT = 'fixed left-1/2 top-[8vh] z-50 max-h-[84vh] -translate-x-1/2 overflow-auto rounded-lg bg-white p-5 shadow-xl focus:outline-none';

/** A dialog for a form or a detail: `footer` holds its buttons. */
export function Dialog({ open, onOpenChange, title, description, children, footer, wide = false }: {
  open: boolean;
  onOpenChange(open: boolean): void;
  title: string;
  description?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}) {
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className={OVERLAY} />
        <RadixDialog.Content className={cx(CONTENT, wide ? 'w-[48rem]' : 'w-[30rem]', 'max-w-[94vw]')}>
          <RadixDialog.Title className="text-base font-semibold text-slate-900">{title}</RadixDialog.Title>
          {description ? (
            <RadixDialog.Description className="mt-1 text-sm text-slate-600">{description}</RadixDialog.Description>
          ) : (
            <RadixDialog.Description className="sr-only">{title}</RadixDialog.Description>
          )}
          <div className="mt-4">{children}</div>
          {footer && <div className="mt-5 flex flex-wrap justify-end gap-2">{footer}</div>}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

/**
 * Asks before something that cannot be undone (delete, rotate a secret). `error` is the API's refusal, shown inside
 * the dialog next to the button that caused it.
 */
export function ConfirmDialog({ open, onOpenChange, title, children, confirmLabel, onConfirm, busy = false, error, dismissLabel }: {
  open: boolean;
  onOpenChange(open: boolean): void;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm(): void;
  busy?: boolean;
  error?: ReactNode;
  /** The button that leaves things as they are; say what it keeps when the action is itself a "cancel". */
  dismissLabel?: string;
}) {
  return (
    <AlertDialog.Root open={open} onOpenChange={onOpenChange}>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className={OVERLAY} />
        <AlertDialog.Content className={cx(CONTENT, 'w-[28rem] max-w-[94vw]')}>
          <AlertDialog.Title className="text-base font-semibold text-slate-900">{title}</AlertDialog.Title>
          <AlertDialog.Description asChild>
            <div className="mt-2 text-sm text-slate-700">{children}</div>
          </AlertDialog.Description>
          {error && <div className="mt-3">{error}</div>}
          <div className="mt-5 flex justify-end gap-2">
            <AlertDialog.Cancel asChild>
              <Button>{dismissLabel ?? tc('cancel')}</Button>
            </AlertDialog.Cancel>
            {/* Not AlertDialog.Action: that closes at once, and a refusal must stay visible. */}
            <Button variant="danger" disabled={busy} onClick={onConfirm}>{busy ? t('dialog.working') : confirmLabel}</Button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
