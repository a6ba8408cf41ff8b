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
import { csvTemplate, previewCsv, secretsCsv, type CsvPreview } from './device-create-csv.ts';
import { CSV_COLUMNS, MAX_BULK_DEVICES, postDevicesCsv, problemText, type CreatedDevice, type RowProblem } from './device-list-api.ts';

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
      setFileError(`"${file.name}" could not be read: ${(err as Error).message}`);
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
        title={`${created.length.toLocaleString('en')} ${created.length === 1 ? 'device' : 'devices'} imported`}
        description="Every row was created. Each device signs in with its product key, its name and the secret below."
        // Keyed: reusing the Cancel button's element would fade its colour over to primary.
        footer={<Button key="done" variant="primary" onClick={() => changeOpen(false)}>Done</Button>}
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
      title="Import devices"
      description="Create many devices from a CSV file. Every row is checked first: if any row has a problem, nothing is created and each problem is listed here."
      footer={
        <>
          <Button onClick={() => changeOpen(false)}>Cancel</Button>
          <Button variant="primary" disabled={busy || rowCount === 0 || rowCount > MAX_BULK_DEVICES} onClick={() => void send()}>
            {busy ? 'Importing…' : rowCount > 0 ? `Import ${rowCount.toLocaleString('en')} ${rowCount === 1 ? 'device' : 'devices'}` : 'Import'}
          </Button>
        </>
      }
    >
      <div className="space-y-4">
        {/* Open until there is something to import: then the rows matter more than the instructions. */}
        <CsvFormat key={text === '' ? 'empty' : 'filled'} open={text === ''} template={template} />
        <Field label="CSV file" error={fileError}>
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
        <Field label="CSV text" hint={fileName ? `Loaded from "${fileName}"; you can edit it here before importing.` : 'Paste the rows here, or choose a file above.'}>
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
      <summary className="cursor-pointer font-medium text-slate-800">The file's format</summary>
      <p className="mt-2">
        The first line names the columns: <code className="font-mono">{CSV_COLUMNS.join(',')}</code>.{' '}
        <strong>productKey</strong> is required; an empty <strong>deviceName</strong> gets a generated name;{' '}
        <strong>tags</strong> are written <code className="font-mono">key=value;key=value</code>. At most{' '}
        {MAX_BULK_DEVICES.toLocaleString('en')} devices per file.
      </p>
      <pre aria-label="Example CSV" className="mt-2 overflow-x-auto rounded bg-white p-2 font-mono text-xs text-slate-800 ring-1 ring-slate-200">{template}</pre>
      <Button size="sm" className="mt-2" onClick={() => downloadText(template, 'devices-template.csv', 'text/csv')}>
        <i className="fa fa-download" aria-hidden /> Download template
      </Button>
    </details>
  );
}

function Preview({ preview }: { preview: CsvPreview }) {
  const count = preview.rows.length;
  const columns = preview.header;
  return (
    <section aria-label="Preview" className="space-y-2">
      <p className="text-sm text-slate-700" aria-live="polite">
        <strong>{count.toLocaleString('en')} {count === 1 ? 'device' : 'devices'}</strong> in the file
        {count > PREVIEW_ROWS ? `; the first ${PREVIEW_ROWS} are shown` : ''}.
        {count > MAX_BULK_DEVICES && <span className="text-red-700"> That is more than one import takes; split the file.</span>}
      </p>
      {preview.headerProblems.length > 0 && (
        <ul className="list-disc rounded-md border border-amber-300 bg-amber-50 py-2 pl-8 pr-3 text-sm text-amber-900">
          {preview.headerProblems.map((p) => <li key={p}>{p}</li>)}
        </ul>
      )}
      {count > 0 && (
        <Table label="Rows to import">
          <thead>
            <tr>
              <Th className="normal-case">Line</Th>
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
    <section ref={ref} aria-label="Problems" className="space-y-2">
      <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
        <p className="font-medium">
          {badRows.toLocaleString('en')} {rows === undefined ? '' : `of ${rows.toLocaleString('en')} `}
          {(rows ?? badRows) === 1 ? 'row' : 'rows'} {badRows === 1 ? 'has' : 'have'} problems. Nothing was created.
        </p>
        <p className="mt-0.5 text-xs">Fix these lines (the header is line 1), then import again.</p>
      </div>
      <Table label="Problems by row">
        <thead>
          <tr>
            <Th>Line</Th>
            <Th>Device</Th>
            <Th>Field</Th>
            <Th>Problem</Th>
          </tr>
        </thead>
        <TBody>
          {sorted.slice(0, SHOWN_ROWS).map((p, i) => {
            const values = byLine.get(p.row);
            return (
              <tr key={i}>
                <Td className="tabular-nums">{p.row}</Td>
                <Td className="font-mono text-xs">{values?.deviceName || <span className="text-slate-400">—</span>}</Td>
                <Td className="font-mono text-xs">{p.field || <span className="font-sans text-slate-400">whole row</span>}</Td>
                <Td className="text-red-800">{problemText(p.field, p.message)}</Td>
              </tr>
            );
          })}
        </TBody>
      </Table>
      {sorted.length > SHOWN_ROWS && <p className="text-xs text-slate-600">And {sorted.length - SHOWN_ROWS} more problems.</p>}
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
          <strong>The secrets are shown only now.</strong> Download them before you close this.{' '}
          {canReveal ? 'As an admin you can reveal a secret again on its device page.' : 'Later only an admin can reveal a secret, on its device page.'}
        </p>
        <Button
          variant="primary"
          onClick={() => {
            downloadText(secretsCsv(devices), `device-secrets-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.csv`, 'text/csv');
            setDownloaded(true);
          }}
        >
          <i className="fa fa-download" aria-hidden /> {downloaded ? 'Download again' : 'Download secrets as CSV'}
        </Button>
      </div>
      <Table label="Imported devices">
        <thead>
          <tr>
            <Th>Product</Th>
            <Th>Device name</Th>
            <Th>Result</Th>
            <Th>Device secret</Th>
          </tr>
        </thead>
        <TBody>
          {devices.slice(0, SHOWN_ROWS).map((d) => (
            <tr key={`${d.productKey}/${d.deviceName}`}>
              <Td className="font-mono text-xs">{d.productKey}</Td>
              <Td className="font-mono text-xs">{d.deviceName}</Td>
              <Td><Badge tone="green">created</Badge></Td>
              <Td className="break-all font-mono text-xs">{d.deviceSecret}</Td>
            </tr>
          ))}
        </TBody>
      </Table>
      {devices.length > SHOWN_ROWS && (
        <p className="text-xs text-slate-600">The first {SHOWN_ROWS} are shown; the download holds all {devices.length.toLocaleString('en')}.</p>
      )}
    </div>
  );
}
