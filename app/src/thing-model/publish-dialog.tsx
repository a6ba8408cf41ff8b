/**
 * Asks before publishing, showing what devices will see change: features added, removed and changed (old → new),
 * compared with the version published now. Publishing a draft with unsaved edits saves them first.
 */
import { Badge } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { ErrorNote } from '../ui/feedback.tsx';
import { tc } from '../i18n/common.messages.ts';
import { t } from './thing-model.messages.ts';
import { diffCounts, isEmptyDiff, type ListDiff, type ThingModelDiff } from './tsl-diff.ts';

const TITLES = [['properties', 'title.properties'], ['services', 'title.services'], ['events', 'title.events']] as const satisfies readonly [keyof ThingModelDiff, string][];

export function PublishDialog({ diff, publishedVersion, unsaved, busy, error, onConfirm, onClose }: {
  diff: ThingModelDiff;
  /** The version published now; null before the first publish. */
  publishedVersion: number | null;
  /** The editor holds edits not saved yet: they are saved first. */
  unsaved: boolean;
  busy: boolean;
  error: unknown;
  onConfirm(): void;
  onClose(): void;
}) {
  const counts = diffCounts(diff);
  const next = (publishedVersion ?? 0) + 1;
  const empty = isEmptyDiff(diff);
  return (
    <Dialog
      open wide onOpenChange={(open) => !open && !busy && onClose()}
      title={t('publish.title', { version: next })}
      description={
        publishedVersion === null
          ? t('publish.first')
          : t('publish.compared', { version: publishedVersion })
      }
      footer={
        <>
          <Button onClick={onClose} disabled={busy}>{tc('cancel')}</Button>
          <Button variant="primary" onClick={onConfirm} disabled={busy}>
            {busy ? t('publish.busy') : unsaved ? t('publish.saveAndPublish', { version: next }) : t('publish.publish', { version: next })}
          </Button>
        </>
      }
    >
      <div className="space-y-4" data-testid="thing-model-diff">
        <p className="flex flex-wrap gap-2 text-sm">
          {counts.added > 0 && <Badge tone="green">{t('publish.added', { count: counts.added })}</Badge>}
          {counts.removed > 0 && <Badge tone="red">{t('publish.removed', { count: counts.removed })}</Badge>}
          {counts.changed > 0 && <Badge tone="amber">{t('publish.changed', { count: counts.changed })}</Badge>}
          {unsaved && <span className="text-slate-600">{t('publish.unsaved')}</span>}
        </p>
        {counts.removed > 0 && (
          <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            {t('publish.removedWarning')}
          </p>
        )}
        {empty && (
          <p className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700">
            {t('publish.noChanges')}
          </p>
        )}
        {TITLES.map(([key, title]) => <ListChanges key={key} title={t(title)} diff={diff[key]} />)}
        <ErrorNote error={error} />
      </div>
    </Dialog>
  );
}

function ListChanges({ title, diff }: { title: string; diff: ListDiff }) {
  if (diff.added.length + diff.removed.length + diff.changed.length === 0) return null;
  return (
    <section aria-label={t('publish.region', { title })}>
      <h3 className="mb-1.5 text-sm font-semibold text-slate-800">{title}</h3>
      <ul className="divide-y divide-slate-100 rounded-md border border-slate-200 text-sm">
        {diff.added.map((f) => (
          <li key={`+${f.identifier}`} className="flex flex-wrap items-baseline gap-2 px-3 py-2">
            <Badge tone="green">{t('badge.added')}</Badge>
            <span className="font-mono">{f.identifier}</span>
            <span className="text-slate-600">{f.name}</span>
            <span className="text-slate-500">· {f.summary}</span>
          </li>
        ))}
        {diff.removed.map((f) => (
          <li key={`-${f.identifier}`} className="flex flex-wrap items-baseline gap-2 px-3 py-2">
            <Badge tone="red">{t('badge.removed')}</Badge>
            <span className="font-mono line-through decoration-red-400">{f.identifier}</span>
            <span className="text-slate-600">{f.name}</span>
            <span className="text-slate-500">· {f.summary}</span>
          </li>
        ))}
        {diff.changed.map((f) => (
          <li key={`~${f.identifier}`} className="px-3 py-2">
            <div className="flex flex-wrap items-baseline gap-2">
              <Badge tone="amber">{t('badge.changed')}</Badge>
              <span className="font-mono">{f.identifier}</span>
              <span className="text-slate-600">{f.name}</span>
            </div>
            <table className="mt-1.5 w-full text-xs">
              <thead className="sr-only">
                <tr><th>{t('publish.what')}</th><th>{t('publish.beforeAfter')}</th></tr>
              </thead>
              <tbody>
                {f.changes.map((c) => (
                  <tr key={c.label} className="align-top">
                    <td className="w-2/5 py-0.5 pr-3 text-slate-600">{c.label}</td>
                    <td className="py-0.5">
                      <span className="break-all rounded bg-red-50 px-1 font-mono text-red-800">{c.from}</span>
                      <span aria-hidden className="px-1.5 text-slate-400">→</span>
                      <span className="break-all rounded bg-emerald-50 px-1 font-mono text-emerald-800">{c.to}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </li>
        ))}
      </ul>
    </section>
  );
}
