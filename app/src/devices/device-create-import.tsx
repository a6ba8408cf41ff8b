import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api.ts';
import { useCan } from '../session.ts';
import { Badge } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { ErrorNote } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { downloadText } from '../../../editor/import-export/flow-files.ts';
import { tc } from '../i18n/common.messages.ts';
import { richText } from '../i18n/rich.tsx';
import { csvTemplate, previewCsv, secretsCsv, type CsvPreview } from './device-create-csv.ts';
import { CSV_COLUMNS, MAX_BULK_DEVICES, postDevicesCsv, problemText, type CreatedDevice, type RowProblem } from './device-list-api.ts';
import { t } from './devices.messages.ts';

/** Rows drawn in the preview, the problem list and the result; the downloads always hold every row. */
const PREVIEW_ROWS = 5;
const SHOWN_ROWS = 200;

/**
 * "Import devices": a CSV file (or pasted text) in the format of `POST /devices/bulk`, previewed before it is sent;
 * the server checks every row first and creates all of them or none. A refusal lists each row's problems so the file
 * can be fixed; success lists every device with its secret, shown only now, and offers them as a CSV download.
 */
export function ImportDevicesDialog({ open, onOpenChange, templateProductKey, onImported }: {
  open: boolean;
  onOpenChange(open: boolean): void;
  /** The product key the template and the example use. */
  templateProductKey: string;
  onImported(devices: CreatedDevice[]): void;
}) {
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState<string>();
  const [fileError, setFileError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  /** The text the error answered, so the problem table can name each row's device even after edits start. */
  const [refusedPreview, setRefusedPreview] = useState<CsvPreview>();
  const [created, setCreated] = useState<CreatedDevice[]>();
  const preview = useMemo(() => previewCsv(text), [text]);
  const template = csvTemplate(templateProductKey || 'a1productKey');

  const changeOpen = (next: boolean) => {
    if (next) {
      setText('');
      setFileName(undefined);
      setFileError(undefined);
      setError(undefined);
      setCreated(undefined);
    }
    onOpenChange(next);
  };

  const readFile = async (file: File | undefined) => {
    setError(undefined);
    setFileError(undefined);
    if (!file) return;
    try {
      setText(await file.text());
      setFileName(file.name);
    } catch (err) {
      setFileError(t('import.fileUnreadable', { name: file.name, message: (err as Error).message }));
    }
  };

  const send = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { items } = await postDevicesCsv(text);
      setCreated(items);
      onImported(items);
    } catch (err) {
      setError(err);
      setRefusedPreview(preview);
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <Dialog
        open={open}
        onOpenChange={changeOpen}
        wide
        title={t('import.imported', { count: created.length })}
        description={t('import.importedDescription')}
        // Keyed: reusing the Cancel button's element would fade its colour over to primary.
        footer={<Button key="done" variant="primary" onClick={() => changeOpen(false)}>{t('add.done')}</Button>}
      >
        <ImportResult devices={created} />
      </Dialog>
    );
  }

  const rowCount = preview?.rows.length ?? 0;
  const problems = error instanceof ApiError && error.code === 'invalid_devices' && Array.isArray(error.details)
    ? (error.details as RowProblem[])
    : undefined;
  return (
    <Dialog
      open={open}
      onOpenChange={changeOpen}
      wide
      title={t('list.import')}
      description={t('import.description')}
      footer={
        <>
          <Button onClick={() => changeOpen(false)}>{tc('cancel')}</Button>
          <Button variant="primary" disabled={busy || rowCount === 0 || rowCount > MAX_BULK_DEVICES} onClick={() => void send()}>
            {busy ? t('import.importing') : rowCount > 0 ? t('import.importCount', { count: rowCount }) : tc('import')}
          </Button>
        </>
      }
    >
      <div className="space-y-4">
        {/* Open until there is something to import: then the rows matter more than the instructions. */}
        <CsvFormat key={text === '' ? 'empty' : 'filled'} open={text === ''} template={template} />
        <Field label={t('import.file')} error={fileError}>
          <input
            type="file"
            accept=".csv,text/csv,text/plain"
            className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:text-slate-800 hover:file:bg-slate-50"
            // Choosing the same file again (after fixing it) must read it again, which a change event alone misses.
            onClick={(e) => {
              e.currentTarget.value = '';
            }}
            onChange={(e) => void readFile(e.target.files?.[0])}
          />
        </Field>
        <Field label={t('import.text')} hint={fileName ? t('import.loadedFrom', { name: fileName }) : t('import.pasteHint')}>
          <textarea
            className={`${INPUT} font-mono text-xs`}
            rows={5}
            value={text}
            spellCheck={false}
            placeholder={template}
            onChange={(e) => {
              setText(e.target.value);
              setError(undefined);
            }}
          />
        </Field>
        {problems ? (
          <ProblemTable problems={problems} preview={refusedPreview} />
        ) : (
          <>
            {preview && <Preview preview={preview} />}
            <ErrorNote error={error} />
          </>
        )}
      </div>
    </Dialog>
  );
}

function CsvFormat({ template, open }: { template: string; open: boolean }) {
  return (
    <details className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700" open={open}>
      <summary className="cursor-pointer font-medium text-slate-800">{t('import.format')}</summary>
      <p className="mt-2">
        {richText(t('import.formatBody', { columns: CSV_COLUMNS.join(','), max: MAX_BULK_DEVICES }), {
          code: (text) => <code className="font-mono">{text}</code>,
          b: (text) => <strong>{text}</strong>,
        })}
      </p>
      <pre aria-label={t('import.example')} className="mt-2 overflow-x-auto rounded bg-white p-2 font-mono text-xs text-slate-800 ring-1 ring-slate-200">{template}</pre>
      <Button size="sm" className="mt-2" onClick={() => downloadText(template, 'devices-template.csv', 'text/csv')}>
        <i className="fa fa-download" aria-hidden /> {t('import.downloadTemplate')}
      </Button>
    </details>
  );
}

function Preview({ preview }: { preview: CsvPreview }) {
  const count = preview.rows.length;
  const columns = preview.header;
  return (
    <section aria-label={t('preview.label')} className="space-y-2">
      <p className="text-sm text-slate-700" aria-live="polite">
        {richText(count > PREVIEW_ROWS ? t('preview.countFirst', { count, shown: PREVIEW_ROWS }) : t('preview.count', { count }), {
          b: (text) => <strong>{text}</strong>,
        })}
        {count > MAX_BULK_DEVICES && <span className="text-red-700">{t('preview.tooMany')}</span>}
      </p>
      {preview.headerProblems.length > 0 && (
        <ul className="list-disc rounded-md border border-amber-300 bg-amber-50 py-2 pl-8 pr-3 text-sm text-amber-900">
          {preview.headerProblems.map((p) => <li key={p}>{p}</li>)}
        </ul>
      )}
      {count > 0 && (
        <Table label={t('preview.rows')}>
          <thead>
            <tr>
              <Th className="normal-case">{t('field.line')}</Th>
              {columns.map((c) => <Th key={c} className="normal-case">{c}</Th>)}
            </tr>
          </thead>
          <TBody>
            {preview.rows.slice(0, PREVIEW_ROWS).map((row) => (
              <tr key={row.line}>
                <Td className="tabular-nums text-slate-500">{row.line}</Td>
                {columns.map((c) => <Td key={c} className="max-w-[16rem] truncate font-mono text-xs" title={row.values[c]}>{row.values[c] || <span className="text-slate-400">—</span>}</Td>)}
              </tr>
            ))}
          </TBody>
        </Table>
      )}
    </section>
  );
}

/** The server's per-row verdict: line, the row's device (from the file as sent), field and problem. */
function ProblemTable({ problems, preview }: { problems: readonly RowProblem[]; preview?: CsvPreview }) {
  const byLine = new Map(preview?.rows.map((r) => [r.line, r.values]) ?? []);
  const sorted = [...problems].sort((a, b) => a.row - b.row);
  const badRows = new Set(problems.map((p) => p.row)).size;
  const rows = preview?.rows.length;
  const ref = useRef<HTMLElement>(null);
  // The verdict is below the inputs: bring it into view rather than leave the user wondering what happened.
  useEffect(() => {
    // A block body: newer Chromium answers scrollIntoView with a promise, which React would take for a cleanup.
    ref.current?.scrollIntoView({ block: 'nearest' });
  }, [problems]);
  return (
    <section ref={ref} aria-label={t('problems.label')} className="space-y-2">
      <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
        <p className="font-medium">
          {rows === undefined ? t('problems.head', { bad: badRows }) : t('problems.headOf', { bad: badRows, rows })}
        </p>
        <p className="mt-0.5 text-xs">{t('problems.fix')}</p>
      </div>
      <Table label={t('problems.byRow')}>
        <thead>
          <tr>
            <Th>{t('field.line')}</Th>
            <Th>{t('field.device')}</Th>
            <Th>{t('field.field')}</Th>
            <Th>{t('field.problem')}</Th>
          </tr>
        </thead>
        <TBody>
          {sorted.slice(0, SHOWN_ROWS).map((p, i) => {
            const values = byLine.get(p.row);
            return (
              <tr key={i}>
                <Td className="tabular-nums">{p.row}</Td>
                <Td className="font-mono text-xs">{values?.deviceName || <span className="text-slate-400">—</span>}</Td>
                <Td className="font-mono text-xs">{p.field || <span className="font-sans text-slate-400">{t('problems.wholeRow')}</span>}</Td>
                <Td className="text-red-800">{problemText(p.field, p.message)}</Td>
              </tr>
            );
          })}
        </TBody>
      </Table>
      {sorted.length > SHOWN_ROWS && <p className="text-xs text-slate-600">{t('problems.more', { count: sorted.length - SHOWN_ROWS })}</p>}
    </section>
  );
}

function ImportResult({ devices }: { devices: readonly CreatedDevice[] }) {
  const canReveal = useCan('devices:secret');
  const [downloaded, setDownloaded] = useState(false);
  return (
    <div className="space-y-3">
      <div role="note" className="flex flex-wrap items-center justify-between gap-3 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
        <p className="min-w-0 flex-1">
          <i className="fa fa-exclamation-triangle mr-1.5" aria-hidden />
          {richText(t(canReveal ? 'result.secretsAdmin' : 'result.secretsOther'), { b: (text) => <strong>{text}</strong> })}
        </p>
        <Button
          variant="primary"
          onClick={() => {
            downloadText(secretsCsv(devices), `device-secrets-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.csv`, 'text/csv');
            setDownloaded(true);
          }}
        >
          <i className="fa fa-download" aria-hidden /> {downloaded ? t('result.downloadAgain') : t('result.download')}
        </Button>
      </div>
      <Table label={t('result.table')}>
        <thead>
          <tr>
            <Th>{t('field.product')}</Th>
            <Th>{t('field.deviceName')}</Th>
            <Th>{t('field.result')}</Th>
            <Th>{t('field.deviceSecret')}</Th>
          </tr>
        </thead>
        <TBody>
          {devices.slice(0, SHOWN_ROWS).map((d) => (
            <tr key={`${d.productKey}/${d.deviceName}`}>
              <Td className="font-mono text-xs">{d.productKey}</Td>
              <Td className="font-mono text-xs">{d.deviceName}</Td>
              <Td><Badge tone="green">{t('result.created')}</Badge></Td>
              <Td className="break-all font-mono text-xs">{d.deviceSecret}</Td>
            </tr>
          ))}
        </TBody>
      </Table>
      {devices.length > SHOWN_ROWS && (
        <p className="text-xs text-slate-600">{t('result.firstShown', { shown: SHOWN_ROWS, total: devices.length })}</p>
      )}
    </div>
  );
}
