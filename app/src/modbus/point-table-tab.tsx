/**
 * A product's Modbus point table: which registers or coils of its devices hold which thing model property. Edited as
 * a table with the server's own check shown under each row as the user types, imported from and exported to CSV (the
 * form vendors' register maps come in), and tried on a real device with "read now" before it is saved.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { downloadText } from '../../../editor/import-export/flow-files.ts';
import type { PointTableView } from '../../../domain/modbus/modbus-api.ts';
import { checkPointTable, pointCount, type PointProblem, type PointType } from '../../../domain/modbus/point-table.ts';
import { pointTableFromCsvCoded, pointTableToCsv } from '../../../domain/modbus/point-table-csv.ts';
import { ApiError, apiRequest } from '../api.ts';
import { usePublishedTsl } from '../devices/device-detail-api.ts';
import { useLeaveGuard } from '../thing-model/leave-guard.tsx';
import { Badge } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { cx } from '../ui/cx.ts';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Panel } from '../ui/page.tsx';
import { TimeAgo } from '../ui/time.tsx';
import { useApi } from '../use-api.ts';
import {
  applies, FUNCTIONS, newRow, pointInput, POINT_TYPES, rowFromPoint, rowProblems, tableProblems, type ModelProperty, type PointRow,
} from './point-table-form.ts';
import { ReadNowPanel } from './read-now-panel.tsx';
import { tc } from '../i18n/common.messages.ts';
import { richText } from '../i18n/rich.tsx';
import { t } from './modbus.messages.ts';
import { csvProblemText, type ShownCsvProblem } from './point-problems.messages.ts';

/** A CSV larger than this is refused before it is read: a point table of 10,000 rows is well under it. */
const MAX_CSV_BYTES = 2 * 1024 * 1024;

/** The CSV columns a point table has, and those it may have (CSV header words, not translated). */
const CSV_COLUMNS = ['property', 'function', 'address', 'type'];
const CSV_OPTIONAL_COLUMNS = ['count', 'byteOrder', 'wordOrder', 'scale', 'offset', 'writable'];

/** Byte orders as Modbus tools write them. */
const BYTES_AB = 'AB';
const BYTES_BA = 'BA';

const CELL = 'block rounded border border-slate-300 bg-white px-1.5 py-1 text-xs text-slate-900 focus:border-sky-600 focus:outline-none focus:ring-1 focus:ring-sky-600 disabled:bg-slate-50 disabled:text-slate-500 aria-[invalid=true]:border-red-500 aria-[invalid=true]:bg-red-50';

export function PointTableTab({ productKey, canWrite, onDirtyChange }: {
  productKey: string;
  canWrite: boolean;
  onDirtyChange?(dirty: boolean): void;
}) {
  const path = `/products/${encodeURIComponent(productKey)}/modbus/points`;
  const table = useApi<PointTableView>(path);
  const { tsl } = usePublishedTsl(productKey);
  const properties = useMemo<ModelProperty[] | null>(
    () => (tsl ? (tsl.properties ?? []).map((p) => ({ identifier: p.identifier, accessMode: p.accessMode })) : null),
    [tsl],
  );

  const [baseline, setBaseline] = useState<string | undefined>(undefined);
  const [rows, setRows] = useState<PointRow[]>([]);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [serverProblems, setServerProblems] = useState<{ sent: string; problems: PointProblem[] } | null>(null);
  const [imported, setImported] = useState<{ text: string; undo: PointRow[] } | null>(null);
  const [csvProblems, setCsvProblems] = useState<{ file: string; problems: ShownCsvProblem[] } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  // The first answer fills the table (during render, so no frame shows it empty).
  if (baseline === undefined && table.data) {
    const loaded = table.data.points.map(rowFromPoint);
    setRows(loaded);
    setBaseline(JSON.stringify(loaded.map(pointInput)));
  }

  const inputs = useMemo(() => rows.map(pointInput), [rows]);
  const sent = JSON.stringify(inputs);
  const dirty = baseline !== undefined && sent !== baseline;
  const leaveGuard = useLeaveGuard(dirty, t('table.leaveWhat'));
  useEffect(() => onDirtyChange?.(dirty), [dirty, onDirtyChange]);

  const problems = useMemo(() => {
    const own = tableProblems(rows, properties);
    const server = serverProblems?.sent === sent ? serverProblems.problems : [];
    const all = [...own, ...server];
    return all.filter((p, i) => all.findIndex((q) => q.index === p.index && q.message === p.message) === i);
  }, [properties, rows, sent, serverProblems]);
  const checked = useMemo(() => checkPointTable(inputs), [inputs]);

  const change = (next: PointRow[]) => {
    setRows(next);
    setNotice(null);
    setSaveError(null);
  };
  const update = (index: number, patch: Partial<PointRow>) => change(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));

  const save = async () => {
    setBusy(true);
    setSaveError(null);
    try {
      const view = await apiRequest<PointTableView>('PUT', path, { points: inputs });
      const saved = view.points.map(rowFromPoint);
      setRows(saved);
      setBaseline(JSON.stringify(saved.map(pointInput)));
      setServerProblems(null);
      setImported(null);
      setNotice(t('table.saved', { count: view.points.length }));
      void table.reload();
    } catch (err) {
      if (err instanceof ApiError && Array.isArray(err.details)) setServerProblems({ sent, problems: err.details as PointProblem[] });
      setSaveError(err);
    } finally {
      setBusy(false);
    }
  };

  const importCsv = async (file: File) => {
    setCsvProblems(null);
    setImported(null);
    if (file.size > MAX_CSV_BYTES) {
      setCsvProblems({ file: file.name, problems: [{ line: 0, message: t('table.tooBig', { file: file.name, size: Math.round(file.size / 1024 / 1024 * 10) / 10 }) }] });
      return;
    }
    const outcome = pointTableFromCsvCoded(await file.text());
    if (!outcome.ok) {
      setCsvProblems({ file: file.name, problems: outcome.problems });
      return;
    }
    setImported({ text: t('table.imported', { count: outcome.points.length, file: file.name }), undo: rows });
    change(outcome.points.map(rowFromPoint));
  };

  if (table.error && !table.data) return <ErrorNote error={table.error} />;
  if (!table.data || baseline === undefined) return <Loading what={t('table.loading')} />;
  const optionsFor = (current: string) => {
    const ids = properties?.map((p) => p.identifier) ?? [];
    return current && !ids.includes(current) ? [...ids, current] : ids;
  };

  return (
    <div className="space-y-4">
      {leaveGuard}
      <Panel
        title={t('table.title')}
        actions={(
          <span className="text-xs text-slate-500">
            {table.data.updatedAt
              ? richText(t('table.savedAgo', { user: table.data.updatedBy }), { ago: () => <TimeAgo at={table.data!.updatedAt} /> })
              : t('table.notSaved')}
          </span>
        )}
        bodyClassName="space-y-3"
      >
        <p className="text-sm text-slate-600">
          {t('table.intro')}
        </p>
        {tsl === null && (
          <p role="status" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            {t('table.noModel')}
          </p>
        )}
        <div className="flex flex-wrap items-center justify-between gap-2">
          <div className="flex flex-wrap items-center gap-2">
            {dirty && <Badge tone="amber"><i className="fa fa-pencil" aria-hidden /> {t('table.unsaved')}</Badge>}
            {problems.length > 0 && (
              <span className="text-sm text-red-700"><i className="fa fa-exclamation-circle" aria-hidden /> {t('table.problems', { count: problems.length })}</span>
            )}
          </div>
          <div className="flex flex-wrap items-center gap-2">
            {canWrite && (
              <>
                <input
                  ref={fileInput} type="file" accept=".csv,text/csv" className="sr-only" tabIndex={-1} aria-label={t('table.importLabel')}
                  onChange={(e) => {
                    const file = e.target.files?.[0];
                    e.target.value = '';
                    if (file) void importCsv(file);
                  }}
                />
                <Button onClick={() => fileInput.current?.click()}><i className="fa fa-upload" aria-hidden /> {t('table.import')}</Button>
              </>
            )}
            <Button
              disabled={!checked.ok || rows.length === 0} title={checked.ok ? undefined : t('table.exportBlocked')}
              onClick={() => checked.ok && downloadText(pointTableToCsv(checked.points), `${productKey}-modbus-points.csv`, 'text/csv')}
            >
              <i className="fa fa-download" aria-hidden /> {t('table.export')}
            </Button>
            {canWrite && (
              <Button variant="primary" onClick={() => void save()} disabled={!dirty || busy || problems.length > 0}>
                {busy ? tc('saving') : tc('save')}
              </Button>
            )}
          </div>
        </div>
        {notice && <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">{notice}</p>}
        {saveError !== null && !(serverProblems?.sent === sent) && <ErrorNote error={saveError} />}
        {saveError !== null && serverProblems?.sent === sent && (
          <p role="alert" className="text-sm text-red-700">{t('table.refused', { message: errorMessage(saveError) })}</p>
        )}
        {imported && (
          <div role="status" className="flex flex-wrap items-center justify-between gap-2 rounded-md border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-900">
            <span>{imported.text}</span>
            <Button size="sm" variant="ghost" onClick={() => { change(imported.undo); setImported(null); }}>{t('table.undoImport')}</Button>
          </div>
        )}
        {csvProblems && (
          <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="csv-problems">
            <p className="font-medium">{t('table.notImported', { file: csvProblems.file })}</p>
            <ul className="mt-1 list-disc space-y-0.5 pl-5 text-xs">
              {csvProblems.problems.slice(0, 30).map((p, i) => <li key={i}>{csvProblemText(p)}</li>)}
              {csvProblems.problems.length > 30 && <li>{t('table.more', { count: csvProblems.problems.length - 30 })}</li>}
            </ul>
          </div>
        )}
      </Panel>

      {rows.length === 0 ? (
        <EmptyState
          title={t('table.empty')}
          action={canWrite && (
            <>
              <Button variant="primary" onClick={() => change([newRow(rows, properties)])}><i className="fa fa-plus" aria-hidden /> {t('table.addPoint')}</Button>
              <Button onClick={() => fileInput.current?.click()}><i className="fa fa-upload" aria-hidden /> {t('table.import')}</Button>
            </>
          )}
        >
          {richText(t('table.emptyText', { columns: CSV_COLUMNS.join(', '), optional: CSV_OPTIONAL_COLUMNS.join(', ') }), { code: (text) => <code className="font-mono text-xs">{text}</code> })}
        </EmptyState>
      ) : (
        <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
          <table aria-label={t('table.label')} className="min-w-full text-sm">
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="px-1.5 py-2">#</th>
                <th scope="col" className="px-1.5 py-2">{t('col.property')}</th>
                <th scope="col" className="px-1.5 py-2">{t('col.function')}</th>
                <th scope="col" className="px-1.5 py-2">{t('col.address')}</th>
                <th scope="col" className="px-1.5 py-2">{t('col.count')}</th>
                <th scope="col" className="px-1.5 py-2">{t('col.type')}</th>
                <th scope="col" className="px-1.5 py-2" title={t('col.bytesHint')}>{t('col.bytes')}</th>
                <th scope="col" className="px-1.5 py-2" title={t('col.wordsHint')}>{t('col.words')}</th>
                <th scope="col" className="px-1.5 py-2">{t('col.scale')}</th>
                <th scope="col" className="px-1.5 py-2">{t('col.offset')}</th>
                <th scope="col" className="px-1.5 py-2">{t('col.write')}</th>
                {canWrite && <th scope="col" className="px-1.5 py-2"><span className="sr-only">{t('col.remove')}</span></th>}
              </tr>
            </thead>
            {rows.map((row, index) => (
              <PointRowView
                key={row.key} row={row} index={index} canWrite={canWrite} options={optionsFor(row.property)}
                problems={rowProblems(problems, index)}
                onChange={(patch) => update(index, patch)}
                onRemove={() => change(rows.filter((_, i) => i !== index))}
              />
            ))}
          </table>
          {canWrite && (
            <div className="border-t border-slate-100 px-3 py-2">
              <Button size="sm" onClick={() => change([...rows, newRow(rows, properties)])}><i className="fa fa-plus" aria-hidden /> {t('table.addPoint')}</Button>
            </div>
          )}
        </div>
      )}

      <ReadNowPanel productKey={productKey} points={checked.ok ? inputs : null} edited={dirty} />
    </div>
  );
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** One point: its controls in a row, and its problems in a row under it. */
function PointRowView({ row, index, canWrite, options, problems, onChange, onRemove }: {
  row: PointRow;
  index: number;
  canWrite: boolean;
  options: string[];
  problems: { messages: string[]; fields: Set<string> };
  onChange(patch: Partial<PointRow>): void;
  onRemove(): void;
}) {
  const n = index + 1;
  const invalid = (field: string) => (problems.fields.has(field) ? true : undefined);
  const derived = pointCount({ function: Number(row.function) as 1, type: row.type, count: undefined });
  const bad = problems.messages.length > 0;
  return (
    <tbody className={cx('border-t border-slate-100', bad && 'bg-red-50/40')}>
      <tr>
        <td className="px-1.5 py-1.5 text-xs text-slate-500">{n}</td>
        <td className="px-1.5 py-1.5">
          <select aria-label={t('row.property', { n })} className={cx(CELL, 'w-32')} value={row.property} disabled={!canWrite} aria-invalid={invalid('property')}
            onChange={(e) => onChange({ property: e.target.value })}>
            {row.property === '' && <option value="">{t('row.choose')}</option>}
            {options.map((id) => <option key={id} value={id}>{id}</option>)}
          </select>
        </td>
        <td className="px-1.5 py-1.5">
          <select aria-label={t('row.function', { n })} className={cx(CELL, 'w-32')} value={row.function} disabled={!canWrite} aria-invalid={invalid('function')}
            onChange={(e) => {
              const fn = e.target.value;
              // Coils and discrete inputs are single bits: their only type is bool, so it follows the function.
              onChange({ function: fn, ...(fn === '1' || fn === '2' ? { type: 'bool' as const } : {}), ...(fn === '2' || fn === '4' ? { writable: false } : {}) });
            }}>
            {FUNCTIONS.map(([value, label]) => <option key={value} value={value}>{t(label)}</option>)}
          </select>
        </td>
        <td className="px-1.5 py-1.5">
          <input aria-label={t('row.address', { n })} inputMode="numeric" className={cx(CELL, 'w-20')} value={row.address} disabled={!canWrite} aria-invalid={invalid('address')}
            onChange={(e) => onChange({ address: e.target.value })} />
        </td>
        <td className="px-1.5 py-1.5">
          {applies(row, 'count') ? (
            <input aria-label={t('row.count', { n })} inputMode="numeric" className={cx(CELL, 'w-16')} value={row.count} disabled={!canWrite} aria-invalid={invalid('count')}
              placeholder={t('row.countPlaceholder')} onChange={(e) => onChange({ count: e.target.value })} />
          ) : <span className="px-1.5 text-xs text-slate-500" title={t('row.derived')}>{derived ?? ''}</span>}
        </td>
        <td className="px-1.5 py-1.5">
          <select aria-label={t('row.type', { n })} className={cx(CELL, 'w-[5.5rem]')} value={row.type} disabled={!canWrite} aria-invalid={invalid('type')}
            onChange={(e) => onChange({ type: e.target.value as PointType })}>
            {POINT_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </td>
        <td className="px-1.5 py-1.5">
          {applies(row, 'byteOrder') ? (
            <select aria-label={t('row.byteOrder', { n })} className={cx(CELL, 'w-16')} value={row.byteOrder} disabled={!canWrite} aria-invalid={invalid('byteOrder')}
              onChange={(e) => onChange({ byteOrder: e.target.value as PointRow['byteOrder'] })}>
              <option value="big">{BYTES_AB}</option>
              <option value="little">{BYTES_BA}</option>
            </select>
          ) : <span className="px-1.5 text-xs text-slate-400">–</span>}
        </td>
        <td className="px-1.5 py-1.5">
          {applies(row, 'wordOrder') ? (
            <select aria-label={t('row.wordOrder', { n })} className={cx(CELL, 'w-24')} value={row.wordOrder} disabled={!canWrite} aria-invalid={invalid('wordOrder')}
              onChange={(e) => onChange({ wordOrder: e.target.value as PointRow['wordOrder'] })}>
              <option value="big">{t('row.highFirst')}</option>
              <option value="little">{t('row.lowFirst')}</option>
            </select>
          ) : <span className="px-1.5 text-xs text-slate-400">–</span>}
        </td>
        <td className="px-1.5 py-1.5">
          <input aria-label={t('row.scale', { n })} inputMode="decimal" className={cx(CELL, 'w-16')} value={row.scale} disabled={!canWrite} aria-invalid={invalid('scale')}
            placeholder="1" onChange={(e) => onChange({ scale: e.target.value })} />
        </td>
        <td className="px-1.5 py-1.5">
          <input aria-label={t('row.offset', { n })} inputMode="decimal" className={cx(CELL, 'w-16')} value={row.offset} disabled={!canWrite} aria-invalid={invalid('offset')}
            placeholder="0" onChange={(e) => onChange({ offset: e.target.value })} />
        </td>
        <td className="px-1.5 py-1.5 text-center">
          <input type="checkbox" aria-label={t('row.writable', { n })} className="h-4 w-4 accent-sky-700" checked={row.writable} aria-invalid={invalid('writable')}
            disabled={!canWrite || (!applies(row, 'writable') && !row.writable)} onChange={(e) => onChange({ writable: e.target.checked })} />
        </td>
        {canWrite && (
          <td className="px-1.5 py-1.5 text-right">
            <Button size="sm" variant="ghost" aria-label={t('row.remove', { n })} onClick={onRemove}><i className="fa fa-trash-o" aria-hidden /></Button>
          </td>
        )}
      </tr>
      {bad && (
        <tr>
          <td />
          <td colSpan={canWrite ? 11 : 10} className="px-2 pb-2">
            <ul className="space-y-0.5 text-xs text-red-700" data-testid={`point-problems-${n}`}>
              {problems.messages.map((m) => <li key={m}><i className="fa fa-exclamation-circle mr-1" aria-hidden />{m}</li>)}
            </ul>
          </td>
        </tr>
      )}
    </tbody>
  );
}
