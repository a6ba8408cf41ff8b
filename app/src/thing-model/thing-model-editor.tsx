/**
 * A product's thing model: its properties, services and events, edited as forms or as the TSL JSON itself (the same
 * draft both ways), saved as the draft and published as numbered versions after a look at what changes. Roles
 * without products:write see it all read-only, without a single button that would change it.
 */
import { lazy, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import { DropdownMenu } from 'radix-ui';
import { ApiError, apiGet, apiRequest } from '../api.ts';
import { useApi } from '../use-api.ts';
import { Badge } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { cx } from '../ui/cx.ts';
import { ErrorNote, Loading } from '../ui/feedback.tsx';
import { Panel } from '../ui/page.tsx';
import { publishDraft } from '../products/publish-draft.ts';
import { VersionStatus } from '../products/version-status.tsx';
import { FeatureDialog, type Feature, type FeatureList } from './feature-dialog.tsx';
import { FeatureSection } from './feature-lists.tsx';
import type { JsonTextError } from './json-text.ts';
import { parseJsonText } from './json-text.ts';
import { useLeaveGuard } from './leave-guard.tsx';
import { problemsUnder, type Problem } from './problems.tsx';
import { PublishDialog } from './publish-dialog.tsx';
import { downloadJson, exportFileName, featureCounts, readTslFile } from './tsl-file.ts';
import { diffThingModels } from './tsl-diff.ts';
import {
  emptyThingModel, featurePath, formFromTsl, jsonEqual, newEvent, newProperty, newService, tslFromForm, type ThingModelForm,
} from './tsl-form.ts';
import { checkTsl } from '../../../domain/thing-model/tsl-problems.ts';
import { shownTslProblems } from './tsl-problems.messages.ts';
import { tc } from '../i18n/common.messages.ts';
import { t } from './thing-model.messages.ts';

const TslJsonEditor = lazy(() => import('./tsl-json-editor.tsx').then((m) => ({ default: m.TslJsonEditor })));

/** `GET /products/:pk/thing-model`. */
interface ThingModelSummary {
  productKey: string;
  draft: { updatedAt: string; updatedBy: string; unpublishedChanges: boolean } | null;
  published: { version: number; publishedAt: string; publishedBy: string } | null;
}

/** The JSON view's text, the document it last parsed to, and its syntax error, if any. */
interface JsonSource {
  text: string;
  doc: unknown;
  error: JsonTextError | null;
}

type Json = Record<string, unknown>;
const LISTS: FeatureList[] = ['properties', 'services', 'events'];
/** Format names, the same in every language. */
const JSON_LABEL = 'JSON';
const TSL_JSON = 'TSL JSON';

export function ThingModelEditor({ productKey, canWrite, onDirtyChange }: {
  productKey: string;
  canWrite: boolean;
  /** Whether the editor holds edits that are not saved, for the page to ask before they are dropped. */
  onDirtyChange?(dirty: boolean): void;
}) {
  const base = `/products/${encodeURIComponent(productKey)}/thing-model`;
  const summary = useApi<ThingModelSummary>(base);
  const publishedVersion = summary.data?.published?.version ?? null;
  const published = useApi<unknown>(publishedVersion === null ? null : `${base}/versions/${publishedVersion}`);

  // The saved draft (what "unsaved" is measured against) and the editor's content.
  const [baseline, setBaseline] = useState<Json | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [form, setForm] = useState<ThingModelForm>(() => emptyThingModel(productKey));
  const [json, setJson] = useState<JsonSource | null>(null);

  const [editing, setEditing] = useState<{ list: FeatureList; index: number; item: Feature } | null>(null);
  const [busy, setBusy] = useState<'save' | 'publish' | null>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [serverProblems, setServerProblems] = useState<{ doc: unknown; problems: Problem[] } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [importNote, setImportNote] = useState<{ text: string; problems: number; undo: { form: ThingModelForm; json: JsonSource | null } } | null>(null);
  const [importError, setImportError] = useState<string | null>(null);
  const [viewError, setViewError] = useState<string | null>(null);
  const [publishing, setPublishing] = useState<{ error: unknown } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let current = true;
    apiGet<unknown>(`${base}/draft`).then(
      (doc) => {
        if (!current) return;
        const f = formFromTsl(doc);
        setForm(f);
        setBaseline(tslFromForm(f));
      },
      (err: unknown) => {
        if (!current) return;
        if (err instanceof ApiError && err.status === 404) {
          // No draft yet: start from Alibaba's empty skeleton, which counts as nothing to save.
          const f = emptyThingModel(productKey);
          setForm(f);
          setBaseline(tslFromForm(f));
        } else setLoadError(err);
      },
    );
    return () => {
      current = false;
    };
  }, [base, productKey]);

  const { doc, formProblems } = useMemo(() => {
    if (json) return { doc: json.doc, formProblems: [] as Problem[] };
    const problems: Problem[] = [];
    return { doc: tslFromForm(form, problems) as unknown, formProblems: problems };
  }, [form, json]);
  const problems = useMemo(() => {
    const server = serverProblems && jsonEqual(serverProblems.doc, doc) ? serverProblems.problems : [];
    const all = shownTslProblems(doc, formProblems, server);
    return all.filter((p, i) => all.findIndex((q) => q.path === p.path && q.message === p.message) === i);
  }, [doc, formProblems, serverProblems]);

  const dirty = baseline !== null && !jsonEqual(doc, baseline);
  const publishedDoc = published.data;
  const differsFromPublished = publishedVersion === null ? true : publishedDoc === undefined ? null : !jsonEqual(doc, publishedDoc);
  const leaveGuard = useLeaveGuard(dirty);

  useEffect(() => onDirtyChange?.(dirty), [dirty, onDirtyChange]);

  const changed = () => {
    setNotice(null);
    setSaveError(null);
  };

  const updateForm = (next: ThingModelForm) => {
    changed();
    setForm(next);
  };

  const saveDraft = async (): Promise<boolean> => {
    if (json?.error) return false;
    setBusy('save');
    setSaveError(null);
    try {
      await apiRequest('PUT', `${base}/draft`, doc);
      setBaseline(doc as Json);
      setServerProblems(null);
      setNotice(t('editor.saved'));
      void summary.reload();
      return true;
    } catch (err) {
      if (err instanceof ApiError && Array.isArray(err.details)) setServerProblems({ doc, problems: err.details as Problem[] });
      setSaveError(err);
      return false;
    } finally {
      setBusy(null);
    }
  };

  const publish = async () => {
    setBusy('publish');
    setPublishing({ error: null });
    try {
      const version = await publishDraft(base, dirty ? { body: doc, onSaved: () => setBaseline(doc as Json) } : null);
      setPublishing(null);
      setNotice(t('editor.published', { version }));
      setServerProblems(null);
      await summary.reload();
    } catch (err) {
      if (err instanceof ApiError && Array.isArray(err.details)) setServerProblems({ doc, problems: err.details as Problem[] });
      setPublishing({ error: err });
    } finally {
      setBusy(null);
    }
  };

  const importFile = async (file: File) => {
    setImportError(null);
    setImportNote(null);
    const result = await readTslFile(file);
    if (!result.ok) {
      setImportError(result.message);
      return;
    }
    const undo = { form, json };
    changed();
    const next = formFromTsl(result.doc);
    setForm(next);
    if (json) setJson({ text: JSON.stringify(result.doc, null, 2), doc: result.doc, error: null });
    setImportNote({
      text: t('editor.imported', { file: file.name, summary: featureCounts(result.doc) }),
      problems: checkTsl(result.doc).length,
      undo,
    });
  };

  const showJson = () => {
    setViewError(null);
    setJson({ text: `${JSON.stringify(doc, null, 2)}\n`, doc, error: null });
  };
  const showForm = () => {
    if (!json) return;
    if (json.error) {
      setViewError(t('editor.jsonErrorToForm', { line: json.error.line, column: json.error.column }));
      return;
    }
    setViewError(null);
    setForm(formFromTsl(json.doc));
    setJson(null);
  };
  const editJson = (text: string) => {
    changed();
    const parsed = parseJsonText(text);
    setJson((j) => (parsed.ok ? { text, doc: parsed.value, error: null } : { text, doc: j?.doc ?? doc, error: parsed.error }));
    if (parsed.ok) setViewError(null);
  };

  if (summary.error && !summary.data) return <ErrorNote error={summary.error} />;
  if (loadError) return <ErrorNote error={loadError} />;
  if (!summary.data || baseline === null) return <Loading what={t('editor.loading')} />;

  const s = summary.data;
  const problemsOf = (list: FeatureList) => (index: number) => problemsUnder(problems, featurePath(form, list, index));
  const topProblems = problems.filter((p) => !LISTS.some((l) => p.path.startsWith(`/${l}/`)));
  const canPublish = canWrite && !json?.error && differsFromPublished === true && busy === null;
  const hasContent = LISTS.some((l) => form[l].length > 0);

  return (
    <div className="space-y-4">
      {leaveGuard}
      <Panel bodyClassName="space-y-3">
        <VersionStatus
          label={t('editor.status')} published={s.published} draft={s.draft} testIds={{ published: 'published-version', draft: 'draft-status' }}
          notPublished={t('editor.notPublished')}
          badges={(
            <>
              {dirty && <Badge tone="amber"><i className="fa fa-pencil" aria-hidden /> {t('badge.unsaved')}</Badge>}
              {s.published && differsFromPublished === true && <Badge tone="blue">{t('badge.differs', { version: s.published.version })}</Badge>}
              {s.published && differsFromPublished === false && <Badge tone="green">{t('badge.same', { version: s.published.version })}</Badge>}
              {!s.published && hasContent && !dirty && s.draft && <Badge tone="blue">{t('badge.ready')}</Badge>}
            </>
          )}
        />

        <div className="flex flex-wrap items-center justify-between gap-2 border-t border-slate-100 pt-3">
          <div className="flex flex-wrap items-center gap-3">
            <div role="group" aria-label={t('editor.view')} className="inline-flex rounded-md border border-slate-300 bg-white p-0.5 text-sm shadow-sm">
              {(['form', 'json'] as const).map((v) => (
                <button
                  key={v} type="button" aria-pressed={(v === 'json') === !!json}
                  onClick={v === 'json' ? () => !json && showJson() : showForm}
                  className={cx('rounded px-3 py-1', (v === 'json') === !!json ? 'bg-sky-700 font-medium text-white' : 'text-slate-700 hover:bg-slate-100')}
                >
                  {v === 'form' ? t('editor.form') : JSON_LABEL}
                </button>
              ))}
            </div>
            {problems.length > 0 && (
              <p className="text-sm text-red-700">
                <i className="fa fa-exclamation-circle" aria-hidden /> {t('editor.problems', { count: problems.length })}
              </p>
            )}
          </div>
          <div className="flex flex-wrap items-center gap-2">
            {canWrite && (
              <>
                <input
                  ref={fileInput} type="file" accept=".json,application/json" className="sr-only" aria-label={t('editor.importFile')} tabIndex={-1}
                  onChange={(e) => {
                    const file = e.target.files?.[0];
                    e.target.value = '';
                    if (file) void importFile(file);
                  }}
                />
                <Button onClick={() => fileInput.current?.click()}><i className="fa fa-upload" aria-hidden /> {tc('import')}</Button>
              </>
            )}
            <ExportMenu
              publishedVersion={publishedVersion}
              onExportDraft={() => downloadJson(exportFileName(productKey), doc)}
              onExportPublished={() => publishedDoc !== undefined && downloadJson(exportFileName(productKey), publishedDoc)}
            />
            {canWrite && (
              <>
                <Button onClick={() => void saveDraft()} disabled={!dirty || busy !== null || !!json?.error}>
                  {busy === 'save' ? tc('saving') : t('editor.saveDraft')}
                </Button>
                <Button variant="primary" onClick={() => setPublishing({ error: null })} disabled={!canPublish}
                  title={differsFromPublished === false ? t('editor.sameAsVersion', { version: publishedVersion }) : undefined}>
                  <i className="fa fa-rocket" aria-hidden /> {t('editor.publish')}
                </Button>
              </>
            )}
          </div>
        </div>
        {viewError && <p role="alert" className="text-sm text-red-700">{viewError}</p>}

        {notice && <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">{notice}</p>}
        <ErrorNote error={saveError} />
        {importError && <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">{importError}</p>}
        {importNote && (
          <div role="status" className="flex flex-wrap items-center justify-between gap-2 rounded-md border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-900">
            <span>
              {importNote.text}
              {importNote.problems > 0 && t('editor.importProblems', { count: importNote.problems })}
            </span>
            <Button size="sm" variant="ghost" onClick={() => {
              setForm(importNote.undo.form);
              setJson(importNote.undo.json);
              setImportNote(null);
            }}>{t('editor.undoImport')}</Button>
          </div>
        )}
      </Panel>

      {json ? (
        <Panel title={TSL_JSON} actions={<span className="text-xs text-slate-500">{t('editor.jsonHint')}</span>}>
          <Suspense fallback={<Loading what={t('editor.loadingJson')} />}>
            <TslJsonEditor value={json.text} onChange={editJson} error={json.error} label={t('editor.jsonLabel')} readOnly={!canWrite} />
          </Suspense>
          {json.error && (
            <p className="mt-2 text-sm text-red-700">
              {t('editor.jsonInvalid', { line: json.error.line, column: json.error.column })}
            </p>
          )}
          {!json.error && problems.length > 0 && <ProblemList problems={problems} />}
        </Panel>
      ) : (
        <>
          {topProblems.length > 0 && <ProblemList problems={topProblems} />}
          {LISTS.map((list) => (
            <FeatureSection
              key={list} list={list} items={form[list]} problemsOf={problemsOf(list)} canWrite={canWrite}
              onAdd={() => setEditing({ list, index: form[list].length, item: list === 'properties' ? newProperty() : list === 'services' ? newService() : newEvent() })}
              onOpen={(index) => setEditing({ list, index, item: form[list][index]! })}
              onRemove={(index) => updateForm({ ...form, [list]: form[list].filter((_, i) => i !== index) })}
            />
          ))}
        </>
      )}

      {editing && (
        <FeatureDialog
          list={editing.list} form={form} index={editing.index} initial={editing.item} readOnly={!canWrite}
          serverProblems={serverProblems && jsonEqual(serverProblems.doc, doc) ? serverProblems.problems : []}
          onClose={() => setEditing(null)}
          onApply={(item) => {
            const items = [...form[editing.list]] as Feature[];
            items[editing.index] = item;
            updateForm({ ...form, [editing.list]: items });
            setEditing(null);
          }}
        />
      )}

      {publishing && (
        <PublishDialog
          diff={diffThingModels(publishedDoc ?? null, doc)} publishedVersion={publishedVersion} unsaved={dirty}
          busy={busy === 'publish'} error={publishing.error} onConfirm={() => void publish()} onClose={() => setPublishing(null)}
        />
      )}
    </div>
  );
}

/** Problems not tied to one feature row (or every problem, in the JSON view), by path. */
function ProblemList({ problems }: { problems: readonly Problem[] }) {
  return (
    <div role="alert" className="mt-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      <p className="font-medium">{t('editor.refused')}</p>
      <ul className="mt-1 list-disc space-y-0.5 pl-5 text-xs">
        {problems.slice(0, 30).map((p) => (
          <li key={`${p.path} ${p.message}`}><code className="font-mono">{p.path || '/'}</code>: {p.message}</li>
        ))}
        {problems.length > 30 && <li>{t('editor.more', { count: problems.length - 30 })}</li>}
      </ul>
    </div>
  );
}

function ExportMenu({ publishedVersion, onExportDraft, onExportPublished }: {
  publishedVersion: number | null;
  onExportDraft(): void;
  onExportPublished(): void;
}) {
  const item = 'cursor-pointer rounded px-3 py-1.5 text-sm text-slate-800 outline-none data-[highlighted]:bg-sky-50 data-[highlighted]:text-sky-900';
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger asChild>
        <Button><i className="fa fa-download" aria-hidden /> {tc('export')} <i className="fa fa-caret-down" aria-hidden /></Button>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content align="end" sideOffset={4} className="z-50 min-w-[14rem] rounded-md border border-slate-200 bg-white p-1 shadow-lg">
          <DropdownMenu.Item className={item} onSelect={onExportDraft}>{t('export.draft')}</DropdownMenu.Item>
          {publishedVersion !== null && (
            <DropdownMenu.Item className={item} onSelect={onExportPublished}>{t('export.published', { version: publishedVersion })}</DropdownMenu.Item>
          )}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
