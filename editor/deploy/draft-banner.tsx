/**
 * Offers the unsaved changes a previous page left behind: restore them, or discard them. When the server's flows
 * changed since that draft was made, it says so: deploying the restored draft will then show the conflict dialog.
 */
import type { PendingDraft } from './flow-draft-storage.ts';

export function DraftBanner({ pending, onRestore, onDiscard }: { pending: PendingDraft; onRestore(): void; onDiscard(): void }) {
  const when = pending.draft.savedAt ? new Date(pending.draft.savedAt).toLocaleString() : 'earlier';
  return (
    <div role="status" aria-label="Unsaved changes" className={`flex items-center gap-3 border-b px-3 py-1.5 text-sm ${pending.revMatches ? 'border-sky-200 bg-sky-50 text-sky-900' : 'border-amber-300 bg-amber-50 text-amber-900'}`}>
      <span className="flex-1">
        You have unsaved changes from {when}.
        {!pending.revMatches && ' The flows were deployed since then: restoring shows your version, and deploying it will ask how to resolve the difference.'}
      </span>
      <button type="button" onClick={onRestore} className="rounded border border-current px-2 py-0.5 text-xs font-medium hover:bg-white/60">Restore</button>
      <button type="button" onClick={onDiscard} className="rounded px-2 py-0.5 text-xs hover:bg-white/60">Discard</button>
    </div>
  );
}
