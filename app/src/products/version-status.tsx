/**
 * Where a versioned product document (its thing model, its codec) stands: the published version, by whom and when,
 * and the draft's badges with when it was last saved. One look for both editors, so users read them the same way.
 */
import type { ReactNode } from 'react';
import { Badge } from '../ui/badge.tsx';
import { formatTime, TimeAgo } from '../ui/time.tsx';
import { richText } from '../i18n/rich.tsx';
import { t } from './products.messages.ts';

export function VersionStatus({ label, published, draft, notPublished, badges, testIds }: {
  /** The accessible name of the list ("Thing model status"). */
  label: string;
  published: { version: number; publishedAt: string; publishedBy: string } | null;
  draft: { updatedAt: string; updatedBy: string } | null;
  /** What an unpublished document means for the user. */
  notPublished: string;
  /** The draft's badges (unsaved changes, differs from the version, …). */
  badges: ReactNode;
  testIds: { published: string; draft: string };
}) {
  return (
    <dl className="grid grid-cols-[max-content_1fr] items-center gap-x-3 gap-y-1.5 text-sm" aria-label={label}>
      <dt className="text-slate-500">{t('version.published')}</dt>
      <dd data-testid={testIds.published} className="flex flex-wrap items-center gap-2">
        {published ? (
          <>
            <Badge tone="green">{t('version.version', { version: published.version })}</Badge>
            <span className="text-slate-600">
              {richText(t('version.publishedBy', { user: published.publishedBy }), {
                ago: () => <span title={formatTime(published.publishedAt)}><TimeAgo at={published.publishedAt} /></span>,
              })}
            </span>
          </>
        ) : (
          <>
            <Badge>{t('version.notPublished')}</Badge>
            <span className="text-slate-600">{notPublished}</span>
          </>
        )}
      </dd>
      <dt className="text-slate-500">{t('version.draft')}</dt>
      <dd data-testid={testIds.draft} className="flex flex-wrap items-center gap-2">
        {badges}
        <span className="text-slate-600">
          {draft ? richText(t('version.lastSaved', { user: draft.updatedBy }), { ago: () => <TimeAgo at={draft.updatedAt} /> }) : t('version.notSaved')}
        </span>
      </dd>
    </dl>
  );
}
