/**
 * Offers the unsaved changes a previous page left behind: restore them, or discard them. When the server's flows
 * changed since that draft was made, it says so: deploying the restored draft will then show the conflict dialog.
 */
import type { PendingDraft } from './flow-draft-storage.ts';
import { t } from '../editor.messages.ts';
import { formatTime } from '../i18n.ts';

export function DraftBanner({ pending, onRestore, onDiscard }: { pending: PendingDraft; onRestore(): void; onDiscard(): void }) {
  const when = pending.draft.savedAt ? formatTime(pending.draft.savedAt) : t('draft.earlier');
  return (
    <div role="status" aria-label={t('draft.label')} className={`flex items-center gap-3 border-b px-3 py-1.5 text-sm ${pending.revMatches ? 'border-sky-200 bg-sky-50 text-sky-900' : 'border-amber-300 bg-amber-50 text-amber-900'}`}>
      <span className="flex-1">
        {t('draft.text', { when })}
        {!pending.revMatches && t('draft.stale')}
      </span>
      <button type="button" onClick={onRestore} className="rounded border border-current px-2 py-0.5 text-xs font-medium hover:bg-white/60">{t('draft.restore')}</button>
      <button type="button" onClick={onDiscard} className="rounded px-2 py-0.5 text-xs hover:bg-white/60">{t('draft.discard')}</button>
    </div>
  );
}
