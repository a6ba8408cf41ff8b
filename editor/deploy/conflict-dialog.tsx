/**
 * Shown when a deploy meets a newer rev: what the other deploy changed (added / removed / changed, by name) and what
 * this editor changed, with the nodes both touched; the user reloads (dropping their edits) or overwrites (deploys
 * theirs over the new rev). Nothing happens until they choose.
 */
import type { FlowDiff, FlowDiffEntry } from '../model/flow-diff.ts';
import { BUTTON, Modal, ModalActions, PRIMARY_BUTTON } from '../ui/modal.tsx';
import type { DeployOutcome } from './deploy-flows.ts';
import { t } from '../editor.messages.ts';
import { tc } from '../i18n.ts';

type Conflict = Extract<DeployOutcome, { status: 'conflict' }>;

export function ConflictDialog({ conflict, onReload, onOverwrite, onCancel, busy }: {
  conflict: Conflict;
  onReload(): void;
  onOverwrite(): void;
  onCancel(): void;
  busy: boolean;
}) {
  const { theirs, ours, conflicting } = conflict.summary;
  return (
    <Modal title={t('conflict.title')} onClose={onCancel} wide>
      <div className="max-h-[50vh] space-y-3 overflow-y-auto text-sm text-slate-700">
        <p>{t('conflict.intro')}</p>
        <DiffList heading={t('conflict.theirs')} diff={theirs} testId="their-changes" />
        <DiffList heading={t('conflict.ours')} diff={ours} testId="your-changes" />
        {conflicting.length > 0 && (
          <div>
            <h3 className="font-medium text-red-800">{t('conflict.both')}</h3>
            <ul className="ml-4 list-disc">{conflicting.map((entry) => <li key={entry.id}>{describe(entry)}</li>)}</ul>
          </div>
        )}
      </div>
      <ModalActions>
        <button type="button" className={BUTTON} onClick={onCancel} disabled={busy}>{tc('cancel')}</button>
        <button type="button" className={BUTTON} onClick={onReload} disabled={busy}>{t('conflict.reload')}</button>
        <button type="button" className={PRIMARY_BUTTON} onClick={onOverwrite} disabled={busy}>{t('conflict.overwrite')}</button>
      </ModalActions>
    </Modal>
  );
}

function DiffList({ heading, diff, testId }: { heading: string; diff: FlowDiff; testId: string }) {
  const rows: ['conflict.added' | 'conflict.removed' | 'conflict.changed', FlowDiffEntry[]][] = [
    ['conflict.added', diff.added],
    ['conflict.removed', diff.removed],
    ['conflict.changed', diff.changed],
  ];
  const empty = rows.every(([, entries]) => entries.length === 0);
  return (
    <div data-testid={testId}>
      <h3 className="font-medium text-slate-900">{heading}</h3>
      {empty ? (
        <p className="text-slate-500">{t('conflict.none')}</p>
      ) : (
        <ul className="ml-4 list-disc">
          {rows.flatMap(([kind, entries]) => entries.map((entry) => <li key={`${kind}:${entry.id}`}>{t(kind, { what: describe(entry) })}</li>))}
        </ul>
      )}
    </div>
  );
}

function describe(entry: FlowDiffEntry): string {
  const what = entry.type === 'tab' ? t('conflict.flow', { label: entry.label }) : `${entry.label || entry.type}${entry.label && entry.label !== entry.type ? ` (${entry.type})` : ''}`;
  return entry.flow ? t('conflict.onFlow', { what, flow: entry.flow }) : what;
}
