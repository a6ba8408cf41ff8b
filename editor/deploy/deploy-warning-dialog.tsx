/**
 * Node-RED's deploy warning: the flows have nodes that are not properly configured. They can still be deployed (the
 * runtime leaves those nodes inert), after the user has seen which they are.
 */
import type { ProblemEntry } from '../model/problem-list.ts';
import { BUTTON, Modal, ModalActions, PRIMARY_BUTTON } from '../ui/modal.tsx';
import { t } from '../editor.messages.ts';
import { tc } from '../i18n.ts';

/** Entries listed at most; the rest are counted. */
const LISTED = 10;

export function DeployWarningDialog({ entries, onCancel, onConfirm }: { entries: readonly ProblemEntry[]; onCancel(): void; onConfirm(): void }) {
  return (
    <Modal title={t('warning.title')} onClose={onCancel}>
      <p className="text-sm text-slate-700">{t('warning.intro')}</p>
      <ul aria-label={t('warning.list')} className="mt-2 max-h-60 list-disc overflow-y-auto pl-5 text-sm">
        {entries.slice(0, LISTED).map((entry) => (
          <li key={entry.nodeId}>
            <span className="font-medium text-slate-900">{entry.label}</span>
            <span className="text-slate-500"> · {entry.tabLabel}</span>
            <span className="block text-xs text-red-700">{entry.messages.join(' · ')}</span>
          </li>
        ))}
      </ul>
      {entries.length > LISTED && <p className="mt-1 text-xs text-slate-500">{t('warning.more', { count: entries.length - LISTED })}</p>}
      <p className="mt-2 text-sm text-slate-700">{t('warning.question')}</p>
      <ModalActions>
        <button type="button" className={BUTTON} onClick={onCancel} autoFocus>
          {tc('cancel')}
        </button>
        <button type="button" className={PRIMARY_BUTTON} onClick={onConfirm}>
          {t('warning.confirm')}
        </button>
      </ModalActions>
    </Modal>
  );
}
