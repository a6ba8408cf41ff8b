/**
 * A product's codec: its JavaScript edited as a draft, published as numbered versions that never change (the thing
 * model's workflow), and a test bench beside the editor that decodes a frame or encodes a command with the text as
 * it stands, saved or not. Changing or trying a codec runs code on the server, so it takes `flows:code`; other roles
 * read the code and are told why they cannot change it.
 */
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import codecsDoc from '../../../docs/codecs.md?raw';
import { ApiError, apiRequest } from '../api.ts';
import { usePublishedTsl } from '../devices/device-detail-api.ts';
import { useCan } from '../session.ts';
import { useLeaveGuard } from '../thing-model/leave-guard.tsx';
import { Badge } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { ConfirmDialog } from '../ui/dialog.tsx';
import { ErrorNote, Loading } from '../ui/feedback.tsx';
import { INPUT } from '../ui/field.tsx';
import { Panel } from '../ui/page.tsx';
import { formatTime } from '../ui/time.tsx';
import { useApi } from '../use-api.ts';
import { publishDraft } from '../products/publish-draft.ts';
import { VersionStatus } from '../products/version-status.tsx';
import { errorPlace, starterSource, type CodecProblem } from './codec-bench.ts';
import { CodecBench } from './codec-bench-panel.tsx';
import { tc } from '../i18n/common.messages.ts';
import { t } from './codecs.messages.ts';

const CodeEditor = lazy(() => import('../../../editor/properties/code-editor.tsx').then((m) => ({ default: m.CodeEditor })));

/** `GET /products/:pk/codec`. */
interface CodecSummary {
  draft: { source: string; updatedAt: string; updatedBy: string; unpublishedChanges: boolean } | null;
  published: { version: number; publishedAt: string; publishedBy: string } | null;
}

interface CodecVersion {
  version: number;
  publishedAt: string;
  publishedBy: string;
  source: string;
}

/** What the routes take at most (server/codecs/codec-routes.ts). */
const MAX_SOURCE_CHARS = 64 * 1024;

export function CodecTab({ productKey, onDirtyChange }: {
  productKey: string;
  /** Whether the editor holds edits that are not saved, for the page to ask before they are dropped. */
  onDirtyChange?(dirty: boolean): void;
}) {
  const base = `/products/${encodeURIComponent(productKey)}/codec`;
  const summary = useApi<CodecSummary>(base);
  const canCode = useCan('flows:code');
  const { tsl } = usePublishedTsl(productKey);
  const starter = useMemo(() => starterSource(codecsDoc), []);

  // The saved draft's source (null: none saved yet) and the editor's text.
  const [baseline, setBaseline] = useState<string | null | undefined>(undefined);
  const [text, setText] = useState('');
  const [viewing, setViewing] = useState<number | 'draft'>('draft');
  const version = useApi<CodecVersion>(viewing === 'draft' ? null : `${base}/versions/${viewing}`);
  const [busy, setBusy] = useState<'save' | 'publish' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<{ error: unknown; source: string } | null>(null);
  const [benchProblem, setBenchProblem] = useState<{ problem: CodecProblem; source: string } | null>(null);
  const [publishing, setPublishing] = useState<{ error: unknown } | null>(null);

  // The first answer fills the editor (during render, so no frame shows it empty).
  if (baseline === undefined && summary.data) {
    setBaseline(summary.data.draft?.source ?? null);
    setText(summary.data.draft?.source ?? starter);
  }

  const dirty = baseline !== undefined && text !== (baseline ?? starter);
  const unsaved = dirty || baseline === null;
  const leaveGuard = useLeaveGuard(dirty, t('tab.leaveWhat'));
  useEffect(() => onDirtyChange?.(dirty), [dirty, onDirtyChange]);

  const shown = viewing === 'draft' ? text : version.data?.source;
  // A compile error from saving, or the place a test bench run failed at, marked while the text is what failed.
  const marked = useMemo(() => {
    if (viewing === 'draft' && saveError && saveError.source === text && saveError.error instanceof ApiError) {
      const details = saveError.error.details as CodecProblem | undefined;
      if (details && typeof details.message === 'string') return errorPlace(details);
    }
    if (benchProblem && benchProblem.source === shown) return errorPlace(benchProblem.problem);
    return null;
  }, [benchProblem, saveError, shown, text, viewing]);

  const edit = (next: string) => {
    setText(next);
    setNotice(null);
    // A bench run's failure was about the text it ran; the next run says whether the edit fixed it.
    setBenchProblem(null);
  };

  const saveDraft = async (): Promise<boolean> => {
    const source = text;
    setBusy('save');
    setSaveError(null);
    setNotice(null);
    try {
      await apiRequest('PUT', `${base}/draft`, { source });
      setBaseline(source);
      setNotice(t('tab.saved'));
      void summary.reload();
      return true;
    } catch (err) {
      setSaveError({ error: err, source });
      return false;
    } finally {
      setBusy(null);
    }
  };

  const publish = async () => {
    setBusy('publish');
    setPublishing({ error: null });
    try {
      const version = await publishDraft(base, unsaved ? { body: { source: text }, onSaved: () => setBaseline(text) } : null);
      setPublishing(null);
      setSaveError(null);
      setNotice(t('tab.published', { version }));
      await summary.reload();
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) setSaveError({ error: err, source: text });
      setPublishing({ error: err });
    } finally {
      setBusy(null);
    }
  };

  if (summary.error && !summary.data) return <ErrorNote error={summary.error} />;
  if (!summary.data || baseline === undefined) return <Loading what={t('tab.loading')} />;
  const s = summary.data;
  const latest = s.published?.version ?? 0;
  const tooLong = text.length > MAX_SOURCE_CHARS;
  const publishedSame = s.published !== null && !unsaved && s.draft?.unpublishedChanges === false;

  return (
    <div className="space-y-4">
      {leaveGuard}
      <Panel bodyClassName="space-y-3">
        <VersionStatus
          label={t('tab.status')} published={s.published} draft={s.draft} testIds={{ published: 'codec-published', draft: 'codec-draft' }}
          notPublished={t('tab.notPublished')}
          badges={(
            <>
              {dirty && <Badge tone="amber"><i className="fa fa-pencil" aria-hidden /> {t('badge.unsaved')}</Badge>}
              {baseline === null && !dirty && <Badge tone="amber">{t('badge.starter')}</Badge>}
              {s.draft?.unpublishedChanges && <Badge tone="blue">{t('badge.unpublished')}</Badge>}
              {publishedSame && <Badge tone="green">{t('badge.same', { version: latest })}</Badge>}
            </>
          )}
        />

        <div className="flex flex-wrap items-center justify-between gap-2 border-t border-slate-100 pt-3">
          <label className="flex items-center gap-2 whitespace-nowrap text-sm text-slate-700">
            {t('tab.show')}
            <select
              className={`${INPUT} w-auto`} value={String(viewing)}
              onChange={(e) => setViewing(e.target.value === 'draft' ? 'draft' : Number(e.target.value))}
            >
              <option value="draft">{t('tab.showDraft')}</option>
              {Array.from({ length: latest }, (_, i) => latest - i).map((n) => (
                <option key={n} value={n}>{t(n === latest ? 'tab.showPublished' : 'tab.showVersion', { version: n })}</option>
              ))}
            </select>
          </label>
          {canCode && viewing === 'draft' && (
            <div className="flex flex-wrap items-center gap-2">
              <Button onClick={() => void saveDraft()} disabled={!unsaved || busy !== null || tooLong}>
                {busy === 'save' ? tc('saving') : t('tab.saveDraft')}
              </Button>
              <Button
                variant="primary" onClick={() => setPublishing({ error: null })} disabled={busy !== null || publishedSame || tooLong}
                title={publishedSame ? t('tab.sameAsVersion', { version: latest }) : undefined}
              >
                <i className="fa fa-rocket" aria-hidden /> {t('tab.publish')}
              </Button>
            </div>
          )}
          {canCode && viewing !== 'draft' && version.data && (
            <Button onClick={() => { edit(version.data!.source); setViewing('draft'); }}>
              <i className="fa fa-undo" aria-hidden /> {t('tab.copyVersion', { version: viewing })}
            </Button>
          )}
        </div>
        {!canCode && (
          <p className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700" data-testid="codec-read-only">
            <i className="fa fa-lock mr-1 text-slate-400" aria-hidden />
            {t('tab.readOnly')}
          </p>
        )}
        {tooLong && <p role="alert" className="text-sm text-red-700">{t('tab.tooLong', { length: text.length, max: MAX_SOURCE_CHARS })}</p>}
        {notice && <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">{notice}</p>}
        {saveError && saveError.source === text && <ErrorNote error={saveError.error} />}
      </Panel>

      <div className={canCode ? 'grid items-start gap-4 lg:grid-cols-[minmax(0,1fr)_24rem]' : ''}>
        <Panel
          title={viewing === 'draft' ? t('tab.sourceDraft') : t('tab.version', { version: viewing })}
          actions={viewing !== 'draft' && version.data && (
            <span className="text-xs text-slate-500">{t('tab.publishedBy', { time: formatTime(version.data.publishedAt), user: version.data.publishedBy })}</span>
          )}
        >
          <ErrorNote error={viewing === 'draft' ? undefined : version.error} />
          <div data-testid="codec-editor">
            <Suspense fallback={<Loading what={t('tab.loadingEditor')} />}>
              {viewing === 'draft' ? (
                <CodeEditor
                  key="draft" value={text} language="javascript" label={t('tab.sourceLabel')} size="page"
                  readOnly={!canCode} error={marked} onChange={edit}
                />
              ) : version.data ? (
                <CodeEditor
                  key={`v${viewing}`} value={version.data.source} language="javascript" label={t('tab.versionLabel', { version: viewing })}
                  size="page" readOnly error={marked} onChange={() => {}}
                />
              ) : <Loading what={t('tab.loadingVersion', { version: viewing })} />}
            </Suspense>
          </div>
        </Panel>
        {canCode && (
          <CodecBench
            base={base} source={shown} tsl={tsl}
            what={viewing === 'draft' ? (unsaved ? t('tab.runsUnsaved') : t('tab.runsDraft')) : t('tab.runsVersion', { version: viewing })}
            onProblem={(problem) => setBenchProblem(problem && shown !== undefined ? { problem, source: shown } : null)}
          />
        )}
      </div>

      {publishing && (
        <ConfirmDialog
          open onOpenChange={(open) => !open && setPublishing(null)} title={t('publish.title', { version: latest + 1 })}
          confirmLabel={unsaved ? t('publish.saveAndPublish', { version: latest + 1 }) : t('publish.publish', { version: latest + 1 })}
          onConfirm={() => void publish()} busy={busy === 'publish'} error={publishing.error ? <ErrorNote error={publishing.error} /> : undefined}
        >
          {t('publish.text')}{unsaved && t('publish.savedFirst')}
        </ConfirmDialog>
      )}
    </div>
  );
}
