/**
 * "Add widget" (and a widget's settings): its type, an optional title, and what it shows: a device and one of its
 * product's published properties (latest value, gauge), up to eight device properties (chart), or the tag that groups
 * the status map's devices. Devices come from the registry, properties from each product's published thing model.
 */
import { useEffect, useMemo, useState } from 'react';
import type { Device } from '../../../domain/devices/device-schemas.ts';
import type { TslProperty } from '../../../domain/thing-model/tsl-types.ts';
import { apiGet } from '../api.ts';
import { tc } from '../i18n/common.messages.ts';
import { usePublishedModels } from '../thing-model/use-published-models.ts';
import { Button } from '../ui/button.tsx';
import { cx } from '../ui/cx.ts';
import { Dialog } from '../ui/dialog.tsx';
import { ErrorNote } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { queryString } from '../use-api.ts';
import { MAX_MAP_DEVICES } from '../../../domain/dashboards/dashboard-schemas.ts';
import { MAX_SERIES, type Widget, type WidgetSeries, type WidgetType } from './dashboard-api.ts';
import { t, type DashboardKey } from './dashboard.messages.ts';
import { isNumeric } from './widgets/widget-model.ts';

/** The widget types as the dialog offers them, with the size a new one gets. */
export const WIDGET_KINDS: readonly { type: WidgetType; icon: string; labelKey: DashboardKey; hintKey: DashboardKey; w: number; h: number }[] = [
  { type: 'value', icon: 'fa-hashtag', labelKey: 'type.value', hintKey: 'type.value.hint', w: 3, h: 2 },
  { type: 'gauge', icon: 'fa-tachometer', labelKey: 'type.gauge', hintKey: 'type.gauge.hint', w: 3, h: 3 },
  { type: 'chart', icon: 'fa-line-chart', labelKey: 'type.chart', hintKey: 'type.chart.hint', w: 6, h: 4 },
  { type: 'status-map', icon: 'fa-th', labelKey: 'type.status-map', hintKey: 'type.status-map.hint', w: 6, h: 3 },
  { type: 'alerts', icon: 'fa-bell', labelKey: 'type.alerts', hintKey: 'type.alerts.hint', w: 6, h: 3 },
  { type: 'rate', icon: 'fa-exchange', labelKey: 'type.rate', hintKey: 'type.rate.hint', w: 4, h: 3 },
];

/** What the dialog answers: the widget without its place (the page finds one) unless it was there already. */
export type WidgetDraft = Omit<Widget, 'id' | 'x' | 'y' | 'w' | 'h'>;

const emptySeries = (): WidgetSeries => ({ productKey: '', deviceName: '', property: '' });
const deviceValue = (s: Pick<WidgetSeries, 'productKey' | 'deviceName'>) => (s.deviceName ? `${s.productKey}/${s.deviceName}` : '');

export function WidgetDialog({ open, onOpenChange, initial, onSave }: {
  open: boolean;
  onOpenChange(open: boolean): void;
  /** A widget's settings to change; absent: a new widget. */
  initial?: Widget;
  onSave(draft: WidgetDraft): void;
}) {
  const [type, setType] = useState<WidgetType>(initial?.type ?? 'value');
  const [title, setTitle] = useState(initial?.title ?? '');
  const [series, setSeries] = useState<WidgetSeries[]>(initial?.series?.length ? initial.series : [emptySeries()]);
  const [tag, setTag] = useState(initial?.tag ?? '');
  const [productKey, setProductKey] = useState(initial?.productKey ?? '');
  const [problem, setProblem] = useState<string>();
  const [devices, setDevices] = useState<Device[]>();
  const [error, setError] = useState<unknown>();

  // The page mounts the dialog when it opens, so its fields start from `initial` each time.
  useEffect(() => {
    if (!open) return;
    let current = true;
    apiGet<{ items: Device[] }>(`/devices${queryString({ limit: MAX_MAP_DEVICES })}`).then((page) => current && setDevices(page.items), (err: unknown) => current && setError(err));
    return () => void (current = false);
  }, [open, initial]);

  const productKeys = useMemo(() => [...new Set((devices ?? []).map((d) => d.productKey))].sort(), [devices]);
  const models = usePublishedModels(productKeys);
  const tagKeys = useMemo(() => [...new Set((devices ?? []).flatMap((d) => Object.keys(d.tags)))].sort(), [devices]);
  const needsSeries = type === 'value' || type === 'gauge' || type === 'chart';
  const numericOnly = type === 'gauge' || type === 'chart';
  const shown = type === 'chart' ? series : series.slice(0, 1);

  const propertiesOf = (pk: string): TslProperty[] => (models.get(pk)?.properties ?? []).filter((p) => !numericOnly || isNumeric(p.dataType));

  const save = () => {
    if (needsSeries && shown.some((s) => !s.deviceName || !s.property)) return setProblem(t('dialog.pickProperty'));
    if (type === 'status-map' && !tag.trim()) return setProblem(t('dialog.pickTag'));
    const draft: WidgetDraft = { type, title: title.trim() };
    if (needsSeries) draft.series = shown;
    if (type === 'status-map') {
      draft.tag = tag.trim();
      if (productKey) draft.productKey = productKey;
    }
    onSave(draft);
  };

  const setRow = (i: number, row: WidgetSeries) => setSeries((list) => list.map((s, j) => (j === i ? row : s)));

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      wide
      title={initial ? t('dialog.editTitle') : t('dialog.addTitle')}
      description={t('dialog.description')}
      footer={(
        <>
          <Button onClick={() => onOpenChange(false)}>{tc('cancel')}</Button>
          <Button variant="primary" onClick={save} data-testid="widget-save">{initial ? tc('save') : t('dialog.add')}</Button>
        </>
      )}
    >
      <div className="space-y-4">
        <fieldset>
          <legend className="mb-1 text-sm font-medium text-slate-700">{t('dialog.type')}</legend>
          <div className="grid grid-cols-2 gap-2 sm:grid-cols-3">
            {WIDGET_KINDS.map((k) => (
              <label
                key={k.type}
                className={cx(
                  'flex cursor-pointer gap-2 rounded-md border px-3 py-2 text-sm',
                  type === k.type ? 'border-sky-600 bg-sky-50 ring-1 ring-sky-600' : 'border-slate-300 hover:bg-slate-50',
                )}
              >
                <input type="radio" name="widget-type" className="sr-only" checked={type === k.type} onChange={() => setType(k.type)} />
                <i aria-hidden className={cx('fa fa-fw mt-0.5', k.icon, type === k.type ? 'text-sky-700' : 'text-slate-400')} />
                <span className="min-w-0">
                  <span className="block font-medium text-slate-800">{t(k.labelKey)}</span>
                  <span className="block text-xs text-slate-500">{t(k.hintKey)}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <Field label={t('dialog.title')} hint={t('dialog.titleHint')}>
          <input className={INPUT} value={title} maxLength={80} onChange={(e) => setTitle(e.target.value)} />
        </Field>
        <ErrorNote error={error} />
        {needsSeries && (
          <div className="space-y-2">
            {shown.map((s, i) => {
              const properties = propertiesOf(s.productKey);
              return (
                <div key={i} className="grid items-end gap-2 sm:grid-cols-[1fr_1fr_auto]" data-series-row={i}>
                  <Field label={t('dialog.device')}>
                    <select
                      className={INPUT}
                      value={deviceValue(s)}
                      onChange={(e) => {
                        const d = devices?.find((x) => deviceValue(x) === e.target.value);
                        setRow(i, { productKey: d?.productKey ?? '', deviceName: d?.deviceName ?? '', property: '' });
                      }}
                    >
                      <option value="">{devices ? t('dialog.chooseDevice') : tc('loadingPlain')}</option>
                      {productKeys.map((pk) => (
                        <optgroup key={pk} label={pk}>
                          {devices!.filter((d) => d.productKey === pk).map((d) => <option key={d.deviceName} value={deviceValue(d)}>{d.deviceName}</option>)}
                        </optgroup>
                      ))}
                    </select>
                  </Field>
                  <Field label={t('dialog.property')}>
                    <select className={INPUT} value={s.property} disabled={!s.deviceName} onChange={(e) => setRow(i, { ...s, property: e.target.value })}>
                      <option value="">
                        {!s.deviceName ? '—' : models.get(s.productKey) === null ? t('dialog.noModel') : properties.length === 0 && models.has(s.productKey) ? t('dialog.noProperties') : t('dialog.chooseProperty')}
                      </option>
                      {properties.map((p) => <option key={p.identifier} value={p.identifier}>{p.name} ({p.identifier})</option>)}
                    </select>
                  </Field>
                  {type === 'chart' && shown.length > 1 ? (
                    <Button variant="ghost" aria-label={t('dialog.removeSeries', { n: i + 1 })} onClick={() => setSeries((list) => list.filter((_, j) => j !== i))}>
                      <i aria-hidden className="fa fa-times" />
                    </Button>
                  ) : <span />}
                </div>
              );
            })}
            {type === 'chart' && series.length < MAX_SERIES && (
              <Button size="sm" onClick={() => setSeries((list) => [...list, emptySeries()])}>
                <i aria-hidden className="fa fa-plus" /> {t('dialog.addSeries')}
              </Button>
            )}
          </div>
        )}
        {type === 'status-map' && (
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label={t('dialog.tag')} hint={tagKeys.length > 0 ? t('dialog.tagHint', { tags: tagKeys.slice(0, 6).join(', ') }) : undefined}>
              <input className={INPUT} value={tag} list="dashboard-tag-keys" maxLength={64} onChange={(e) => setTag(e.target.value)} />
            </Field>
            <datalist id="dashboard-tag-keys">{tagKeys.map((k) => <option key={k} value={k} />)}</datalist>
            <Field label={t('dialog.product')}>
              <select className={INPUT} value={productKey} onChange={(e) => setProductKey(e.target.value)}>
                <option value="">{t('dialog.allProducts')}</option>
                {productKeys.map((pk) => <option key={pk} value={pk}>{pk}</option>)}
              </select>
            </Field>
          </div>
        )}
        {problem && <p role="alert" className="text-sm text-red-700">{problem}</p>}
      </div>
    </Dialog>
  );
}
