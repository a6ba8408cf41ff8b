/**
 * Unsaved edits kept in localStorage across a page reload: written (debounced) while the flows differ from what was
 * loaded or deployed, removed once they do not. On the next load the editor offers the draft back, warning when the
 * server's rev moved on since the draft's flows were loaded (deploying it then meets the conflict dialog).
 * Browser-safe; the storage is passed in so tests use a Map.
 */
import { readDraft, type FlowDraft } from '../model/flow-draft.ts';
import type { FlowStore } from '../model/flow-store.ts';

/** The localStorage key of the draft. */
export const DRAFT_KEY = 'thingwire.flow-editor.draft';

/** A draft found at load. */
export interface PendingDraft {
  text: string;
  draft: FlowDraft;
  /** Whether the draft was made on the flows the server has now. */
  revMatches: boolean;
}

/** The draft left by an earlier page, if any and readable (an unreadable one is removed: it can never be restored). */
export function pendingDraft(storage: Pick<Storage, 'getItem' | 'removeItem'>, serverRev: string): PendingDraft | null {
  const text = storage.getItem(DRAFT_KEY);
  if (text === null) return null;
  try {
    const draft = readDraft(text);
    return { text, draft, revMatches: draft.rev === serverRev };
  } catch {
    storage.removeItem(DRAFT_KEY);
    return null;
  }
}

/** Removes the stored draft. */
export function discardDraft(storage: Pick<Storage, 'removeItem'>): void {
  storage.removeItem(DRAFT_KEY);
}

/**
 * Keeps the draft in step with the store: saved `delayMs` after the last change while dirty, removed when clean.
 * Returns a function that stops watching (and saves a pending change at once).
 */
export function watchDraft(store: FlowStore, storage: Pick<Storage, 'setItem' | 'removeItem'>, delayMs = 400): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const save = () => {
    timer = undefined;
    const state = store.getState();
    if (state.isDirty()) storage.setItem(DRAFT_KEY, state.serializeDraft());
    else storage.removeItem(DRAFT_KEY);
  };
  const unsubscribe = store.subscribe((state, previous) => {
    if (state.document === previous.document && state.baseline === previous.baseline) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(save, delayMs);
  });
  return () => {
    unsubscribe();
    if (timer !== undefined) {
      clearTimeout(timer);
      save();
    }
  };
}
