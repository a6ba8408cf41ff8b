/**
 * Unsaved edits are not lost by accident: closing or reloading the tab asks the browser's own question, and following
 * a link inside the app asks ours first.
 */
import { useEffect, useState } from 'react';
import { navigate } from '../routing.ts';
import { ConfirmDialog } from '../ui/dialog.tsx';
import { t } from './thing-model.messages.ts';

/** The question before unsaved edits are dropped; `what` names what holds them ("The codec"). */
export function LeaveDialog({ open, onStay, onLeave, what }: { open: boolean; onStay(): void; onLeave(): void; what?: string }) {
  return (
    <ConfirmDialog
      open={open} onOpenChange={(o) => !o && onStay()} title={t('leave.title')} confirmLabel={t('leave.confirm')} onConfirm={onLeave}
    >
      {t('leave.text', { what: what ?? t('leave.thingModel') })}
    </ConfirmDialog>
  );
}

/** While `active`, guards the page against leaving; render what it returns. */
export function useLeaveGuard(active: boolean, what?: string) {
  const [pending, setPending] = useState<string | null>(null);

  useEffect(() => {
    if (!active) return;
    const beforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers need returnValue set to ask.
      event.returnValue = '';
    };
    // Capture phase on the document runs before the app's links handle the click.
    const click = (event: MouseEvent) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const link = (event.target as Element | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
      if (!link || link.target === '_blank' || link.hasAttribute('download')) return;
      const url = new URL(link.href, window.location.href);
      if (url.origin !== window.location.origin) return;
      const to = url.pathname + url.search;
      if (to === window.location.pathname + window.location.search) return;
      event.preventDefault();
      setPending(to);
    };
    window.addEventListener('beforeunload', beforeUnload);
    document.addEventListener('click', click, true);
    return () => {
      window.removeEventListener('beforeunload', beforeUnload);
      document.removeEventListener('click', click, true);
    };
  }, [active]);

  return (
    <LeaveDialog
      open={pending !== null} onStay={() => setPending(null)} what={what}
      onLeave={() => {
        const to = pending;
        setPending(null);
        if (to) navigate(to);
      }}
    />
  );
}
