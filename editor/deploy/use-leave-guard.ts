/**
 * Asks before the page is left (closed, reloaded, navigated away) while there are undeployed changes; the browser
 * shows its own wording. The local draft keeps the edits either way.
 */
import { useEffect } from 'react';
import type { FlowStore } from '../model/flow-store.ts';

export function useLeaveGuard(store: FlowStore): void {
  useEffect(() => {
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (!store.getState().isDirty()) return;
      event.preventDefault();
      // Chromium before 119 and some others still need returnValue set.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [store]);
}
