/**
 * Where a versioned product document (its thing model, its codec) stands: the published version, by whom and when,
 * and the draft's badges with when it was last saved. One look for both editors, so users read them the same way.
 */
import type { ReactNode } from 'react';
import { Badge } from '../ui/badge.tsx';
import { formatTime, TimeAgo } from '../ui/time.tsx';

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
      <dt className="text-slate-500">Published</dt>
      <dd data-testid={testIds.published} className="flex flex-wrap items-center gap-2">
        {published ? (
          <>
            <Badge tone="green">version {published.version}</Badge>
            <span className="text-slate-600">
              <span title={formatTime(published.publishedAt)}><TimeAgo at={published.publishedAt} /></span> by {published.publishedBy}
            </span>
          </>
        ) : (
          <>
            <Badge>not published</Badge>
            <span className="text-slate-600">{notPublished}</span>
          </>
        )}
      </dd>
      <dt className="text-slate-500">Draft</dt>
      <dd data-testid={testIds.draft} className="flex flex-wrap items-center gap-2">
        {badges}
        <span className="text-slate-600">
          {draft ? <>last saved <TimeAgo at={draft.updatedAt} /> by {draft.updatedBy}</> : 'not saved yet'}
        </span>
      </dd>
    </dl>
  );
}
