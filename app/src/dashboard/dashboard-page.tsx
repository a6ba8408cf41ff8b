/**
 * `/dashboard`, the landing page after sign-in. A picker of dashboards: the built-in "Fleet" overview (the default
 * when the user has none or picks it), the user's own and the shared ones (`?dashboard=<id>`, remembered in this
 * browser). A dashboard is widgets on a 12-column grid, live over the device feed, with a time range for its charts;
 * its owner (or an admin, for a shared one) edits it: add, configure, move, resize and remove widgets, rename, share,
 * delete. Any dashboard can be exported as JSON, and a file imported as a new one.
 */
import { useEffect, useEffectEvent, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api.ts';
import { tc } from '../i18n/common.messages.ts';
import type { RangePreset } from '../devices/history-range.ts';
import { navigate, useLocationSearch } from '../routing.ts';
import { useCan, useUser } from '../session.ts';
import { usePublishedModels } from '../thing-model/use-published-models.ts';
import { Button } from '../ui/button.tsx';
import { cx } from '../ui/cx.ts';
import { ConfirmDialog, Dialog } from '../ui/dialog.tsx';
import { ErrorNote } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { Page } from '../ui/page.tsx';
import { useApi } from '../use-api.ts';
import {
  dashboardApi, exportFileName, FLEET, newWidgetId, rememberDashboard, rememberedDashboard,
  type Dashboard, type DashboardSummary, type Widget,
} from './dashboard-api.ts';
import { DashboardGrid } from './dashboard-grid.tsx';
import { DeviceWatchers, LiveProvider, useNewDashboardLive } from './dashboard-live.tsx';
import { t, type DashboardKey } from './dashboard.messages.ts';
import { FleetOverview, LiveIndicator } from './fleet-overview.tsx';
import { freePlace } from './grid-layout.ts';
import { WIDGET_KINDS, WidgetDialog, type WidgetDraft } from './widget-dialog.tsx';

export function DashboardPage() {
  const user = useUser();
  const search = useLocationSearch();
  const list = useApi<{ items: DashboardSummary[] }>('/dashboards');
  const asked = new URLSearchParams(search).get('dashboard');
  const choice = asked ?? rememberedDashboard(user.username) ?? FLEET;
  const items = list.data?.items;
  // A remembered or linked dashboard that is gone (deleted, unshared) falls back to the fleet.
  const known = choice === FLEET || items === undefined || items.some((d) => String(d.id) === choice);
  const current = known ? choice : FLEET;
  const [dialog, setDialog] = useState<'create' | 'import'>();

  const choose = (next: string, replace = false) => {
    rememberDashboard(user.username, next);
    navigate(next === FLEET ? '/dashboard' : `/dashboard?dashboard=${encodeURIComponent(next)}`, { replace });
  };

  const opener = (which: 'create' | 'import') => (open: boolean) => setDialog(open ? which : undefined);
  const summary = items?.find((d) => String(d.id) === current);
  const subtitle = current === FLEET
    ? t('fleet.subtitle')
    : summary
      ? summary.shared ? t('subtitle.shared', { owner: summary.owner }) : t('subtitle.personal')
      : undefined;

  return (
    <Page
      title={t('title')}
      subtitle={subtitle}
      actions={(
        <>
          <LiveIndicator />
          <label className="sr-only" htmlFor="dashboard-picker">{t('picker.label')}</label>
          <select id="dashboard-picker" className={cx(INPUT, '!w-56')} value={current} onChange={(e) => choose(e.target.value)} data-testid="dashboard-picker">
            <option value={FLEET}>{t('picker.fleet')}</option>
            {(items ?? []).some((d) => d.owner === user.username && !d.shared) && (
              <optgroup label={t('picker.mine')}>
                {items!.filter((d) => d.owner === user.username && !d.shared).map((d) => <option key={d.id} value={String(d.id)}>{d.name}</option>)}
              </optgroup>
            )}
            {(items ?? []).some((d) => d.shared) && (
              <optgroup label={t('picker.shared')}>
                {items!.filter((d) => d.shared).map((d) => <option key={d.id} value={String(d.id)}>{d.name}</option>)}
              </optgroup>
            )}
          </select>
          <Button onClick={() => setDialog('create')}><i aria-hidden className="fa fa-plus" /> {t('action.new')}</Button>
          <Button onClick={() => setDialog('import')}><i aria-hidden className="fa fa-upload" /> {tc('import')}</Button>
        </>
      )}
    >
      <ErrorNote error={list.error} className="text-xs" />
      {current === FLEET ? (
        <FleetOverview />
      ) : (
        <CustomDashboard
          key={current}
          id={Number(current)}
          onChanged={() => void list.reload()}
          onGone={() => {
            void list.reload();
            choose(FLEET, true);
          }}
        />
      )}
      {dialog === 'create' && <NameDialog
        open
        onOpenChange={opener('create')}
        titleKey="create.title"
        confirmKey="create.confirm"
        initial=""
        onSave={async (name) => {
          const d = await dashboardApi.create(name);
          await list.reload();
          setDialog(undefined);
          choose(String(d.id));
        }}
      />}
      {dialog === 'import' && <ImportDialog
        open
        onOpenChange={opener('import')}
        onImported={async (d) => {
          await list.reload();
          setDialog(undefined);
          choose(String(d.id));
        }}
      />}
    </Page>
  );
}

const RANGES: readonly { value: RangePreset; labelKey: DashboardKey }[] = [
  { value: '15m', labelKey: 'range.15m' },
  { value: '1h', labelKey: 'range.1h' },
  { value: '6h', labelKey: 'range.6h' },
  { value: '24h', labelKey: 'range.24h' },
  { value: '7d', labelKey: 'range.7d' },
];
const RANGE_KEY = 'thingwire.dashboard.range';

function savedRange(): RangePreset {
  try {
    const saved = window.localStorage.getItem(RANGE_KEY);
    return RANGES.find((r) => r.value === saved)?.value ?? '1h';
  } catch {
    return '1h';
  }
}

const RANGE_BUTTON = 'border-r border-slate-300 px-2.5 py-1 text-sm last:border-r-0';
const RANGE_ON = 'bg-sky-700 font-medium text-white';
const RANGE_OFF = 'text-slate-700 hover:bg-slate-50';

function RangePicker({ value, onChange }: { value: RangePreset; onChange(value: RangePreset): void }) {
  return (
    <div role="group" aria-label={t('range.label')} className="inline-flex overflow-hidden rounded-md border border-slate-300 bg-white shadow-sm">
      {RANGES.map((r) => (
        <button
          key={r.value}
          type="button"
          aria-pressed={value === r.value}
          onClick={() => onChange(r.value)}
          className={cx(RANGE_BUTTON, value === r.value ? RANGE_ON : RANGE_OFF)}
        >
          {t(r.labelKey)}
        </button>
      ))}
    </div>
  );
}

/** One stored dashboard: its toolbar, the grid, and the live values its widgets show. */
function CustomDashboard({ id, onChanged, onGone }: { id: number; onChanged(): void; onGone(): void }) {
  const [dashboard, setDashboard] = useState<Dashboard>();
  const [loadError, setLoadError] = useState<unknown>();
  const [error, setError] = useState<unknown>();
  const [editing, setEditing] = useState(false);
  const [preset, setPreset] = useState<RangePreset>(savedRange);
  const [widgetDialog, setWidgetDialog] = useState<{ widget?: Widget }>();
  const [dialog, setDialog] = useState<'rename' | 'delete'>();
  const [busy, setBusy] = useState(false);
  const canShare = useCan('dashboards:share');
  const live = useNewDashboardLive();
  const saving = useRef(Promise.resolve());

  const gone = useEffectEvent(onGone);
  useEffect(() => {
    let current = true;
    dashboardApi.get(id).then((d) => current && setDashboard(d), (err: unknown) => {
      if (!current) return;
      if (err instanceof ApiError && err.status === 404) gone();
      else setLoadError(err);
    });
    return () => void (current = false);
  }, [id]);

  const widgets = useMemo(() => dashboard?.widgets ?? [], [dashboard]);
  const models = usePublishedModels(useMemo(() => widgets.flatMap((w) => (w.series ?? []).map((s) => s.productKey)), [widgets]));
  const watched = useMemo(() => [...new Set(widgets.flatMap((w) => (w.series ?? []).map((s) => `${s.productKey}/${s.deviceName}`)))].sort(), [widgets]);

  if (loadError) return <ErrorNote error={loadError} />;
  if (!dashboard) return <p className="py-6 text-sm text-slate-500">{t('loading')}</p>;

  /** Shows the change at once and saves it; a refusal puts back what the server holds. */
  const save = (next: Widget[]) => {
    setDashboard((d) => d && { ...d, widgets: next });
    saving.current = saving.current.then(async () => {
      try {
        setDashboard(await dashboardApi.update(id, { widgets: next }));
        setError(undefined);
      } catch (err) {
        setError(err);
        setDashboard(await dashboardApi.get(id).catch(() => dashboard));
      }
    });
  };

  const addOrChange = (draft: WidgetDraft) => {
    const editingWidget = widgetDialog?.widget;
    if (editingWidget) {
      save(widgets.map((w) => (w.id === editingWidget.id ? { id: w.id, x: w.x, y: w.y, w: w.w, h: w.h, ...draft } : w)));
    } else {
      const kind = WIDGET_KINDS.find((k) => k.type === draft.type)!;
      save([...widgets, { id: newWidgetId(widgets), ...freePlace(widgets, kind.w, kind.h), ...draft }]);
    }
    setWidgetDialog(undefined);
  };

  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    try {
      await action();
      setError(undefined);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const shareIcon = dashboard.shared ? 'fa fa-lock' : 'fa fa-share-alt';
  const toggleShared = () => act(async () => {
    setDashboard(await dashboardApi.share(id, !dashboard.shared));
    onChanged();
  });

  return (
    <LiveProvider value={live}>
      <DeviceWatchers live={live} devices={watched} />
      <div className="flex flex-wrap items-center gap-2" data-testid="dashboard-toolbar">
        <h2 className="mr-2 min-w-0 truncate text-base font-semibold text-slate-900" data-testid="dashboard-name">{dashboard.name}</h2>
        {dashboard.shared && <span className="rounded bg-sky-100 px-1.5 py-0.5 text-xs font-medium text-sky-800">{t('badge.shared')}</span>}
        {!dashboard.canEdit && <span className="text-xs text-slate-500">{t('readOnly', { owner: dashboard.owner })}</span>}
        <div className="ml-auto flex flex-wrap items-center gap-2">
          <RangePicker value={preset} onChange={(p) => {
            setPreset(p);
            try {
              window.localStorage.setItem(RANGE_KEY, p);
            } catch {
              // The range still applies to this page.
            }
          }} />
          <a
            href={`/api/v1/dashboards/${id}/export`}
            download={exportFileName(dashboard.name)}
            className="inline-flex items-center gap-1.5 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-800 shadow-sm hover:bg-slate-50"
          >
            <i aria-hidden className="fa fa-download" /> {tc('export')}
          </a>
          {dashboard.canEdit && (
            editing ? (
              <Button variant="primary" onClick={() => setEditing(false)}><i aria-hidden className="fa fa-check" /> {t('action.done')}</Button>
            ) : (
              <Button onClick={() => setEditing(true)}><i aria-hidden className="fa fa-pencil" /> {tc('edit')}</Button>
            )
          )}
        </div>
      </div>
      {editing && (
        <div className="flex flex-wrap items-center gap-2 rounded-lg border border-sky-200 bg-sky-50 px-3 py-2" data-testid="edit-bar">
          <Button variant="primary" onClick={() => setWidgetDialog({})}><i aria-hidden className="fa fa-plus" /> {t('action.addWidget')}</Button>
          <Button onClick={() => setDialog('rename')}>{t('action.rename')}</Button>
          {canShare && (
            <Button onClick={() => void toggleShared()} disabled={busy} aria-pressed={dashboard.shared}>
              <i aria-hidden className={shareIcon} /> {dashboard.shared ? t('action.unshare') : t('action.share')}
            </Button>
          )}
          <Button variant="ghost" className="text-red-700" onClick={() => setDialog('delete')}><i aria-hidden className="fa fa-trash" /> {tc('delete')}</Button>
          <span className="ml-auto text-xs text-slate-600">{t('editHint')}</span>
        </div>
      )}
      <ErrorNote error={error} />
      {widgets.length === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 bg-slate-50 px-6 py-12 text-center">
          <p className="text-sm font-semibold text-slate-800">{t('empty.title')}</p>
          <p className="mx-auto mt-1 max-w-md text-sm text-slate-600">{dashboard.canEdit ? t('empty.text') : t('empty.textReadOnly')}</p>
          {dashboard.canEdit && (
            <div className="mt-4">
              <Button variant="primary" onClick={() => {
                setEditing(true);
                setWidgetDialog({});
              }}><i aria-hidden className="fa fa-plus" /> {t('action.addWidget')}</Button>
            </div>
          )}
        </div>
      ) : (
        <DashboardGrid
          widgets={widgets}
          models={models}
          preset={preset}
          editing={editing}
          onLayout={save}
          onEdit={(widget) => setWidgetDialog({ widget })}
          onRemove={(widget) => save(widgets.filter((w) => w.id !== widget.id))}
        />
      )}
      {widgetDialog && <WidgetDialog open onOpenChange={(open) => !open && setWidgetDialog(undefined)} initial={widgetDialog.widget} onSave={addOrChange} />}
      {dialog === 'rename' && <NameDialog
        open
        onOpenChange={(open) => setDialog(open ? 'rename' : undefined)}
        titleKey="rename.title"
        confirmKey="rename.confirm"
        initial={dashboard.name}
        onSave={async (name) => {
          setDashboard(await dashboardApi.update(id, { name }));
          onChanged();
          setDialog(undefined);
        }}
      />}
      <ConfirmDialog
        open={dialog === 'delete'}
        onOpenChange={(open) => setDialog(open ? 'delete' : undefined)}
        title={t('delete.title', { name: dashboard.name })}
        confirmLabel={tc('delete')}
        busy={busy}
        error={error ? <ErrorNote error={error} /> : undefined}
        onConfirm={() => void act(async () => {
          await dashboardApi.remove(id);
          setDialog(undefined);
          onGone();
        })}
      >
        {dashboard.shared ? t('delete.textShared') : t('delete.text')}
      </ConfirmDialog>
    </LiveProvider>
  );
}

/** Asks for a dashboard's name (new or renamed); the API's refusal stays in the dialog. */
function NameDialog({ open, onOpenChange, titleKey, confirmKey, initial, onSave }: {
  open: boolean;
  onOpenChange(open: boolean): void;
  titleKey: DashboardKey;
  confirmKey: DashboardKey;
  initial: string;
  onSave(name: string): Promise<void>;
}) {
  const [name, setName] = useState(initial);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!name.trim()) return;
    setBusy(true);
    try {
      await onSave(name.trim());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={t(titleKey)}
      footer={(
        <>
          <Button onClick={() => onOpenChange(false)}>{tc('cancel')}</Button>
          <Button variant="primary" disabled={busy || !name.trim()} onClick={() => void submit()}>{busy ? tc('saving') : t(confirmKey)}</Button>
        </>
      )}
    >
      <form onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}>
        <Field label={t('name.label')}>
          <input className={INPUT} value={name} maxLength={80} autoFocus onChange={(e) => setName(e.target.value)} />
        </Field>
      </form>
      <ErrorNote error={error} className="mt-3" />
    </Dialog>
  );
}

/** Imports a `thingwire-dashboard` file as a new personal dashboard; the API checks it and names what is wrong. */
function ImportDialog({ open, onOpenChange, onImported }: { open: boolean; onOpenChange(open: boolean): void; onImported(d: Dashboard): Promise<void> }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const read = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    setError(undefined);
    try {
      let parsed: unknown;
      try {
        parsed = JSON.parse(await file.text());
      } catch {
        throw new Error(t('import.notJson', { file: file.name }));
      }
      await onImported(await dashboardApi.importFile(parsed));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={t('import.title')}
      description={t('import.description')}
      footer={<Button onClick={() => onOpenChange(false)}>{tc('close')}</Button>}
    >
      <Field label={t('import.file')}>
        <input type="file" accept="application/json,.json" className={INPUT} disabled={busy} onChange={(e) => void read(e.target.files?.[0])} data-testid="dashboard-import-file" />
      </Field>
      <ErrorNote error={error} className="mt-3" />
    </Dialog>
  );
}
