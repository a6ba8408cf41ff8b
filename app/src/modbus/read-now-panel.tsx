/**
 * "Read now": reads one device of the product once with the point table as edited (saved or not) and shows what its
 * slave answered, raw and decoded, so a wrong address or byte order shows before the table is saved. Stores nothing.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { DeviceModbusView, ReadNowResult } from '../../../domain/modbus/modbus-api.ts';
import { apiGet, apiRequest } from '../api.ts';
import { devicePath } from '../devices/device-detail-api.ts';
import { Badge } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { ErrorNote } from '../ui/feedback.tsx';
import { INPUT } from '../ui/field.tsx';
import { Panel } from '../ui/page.tsx';
import { queryString, useApi } from '../use-api.ts';
import { formatReadValue, rawCells } from './modbus-format.ts';
import { t } from './modbus.messages.ts';

/** How many of the product's devices are looked at for a Modbus connection. */
const DEVICES_LOOKED_AT = 100;

export function ReadNowPanel({ productKey, points, edited }: {
  productKey: string;
  /** The table as edited, or null while it has problems. */
  points: Record<string, unknown>[] | null;
  /** Whether the table differs from the saved one (said next to the button). */
  edited: boolean;
}) {
  // Devices are looked for only once there is something to read: a product without points asks nothing per device.
  const hasPoints = points === null || points.length > 0;
  const devices = useApi<{ items: { deviceName: string }[]; total: number }>(hasPoints ? `/devices${queryString({ productKey, limit: DEVICES_LOOKED_AT })}` : null);
  const [connected, setConnected] = useState<DeviceModbusView[] | null>(null);
  const [chosen, setChosen] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ device: string; result: ReadNowResult } | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const items = devices.data?.items;
    if (!items) return;
    let current = true;
    // A device's connection is its own resource: ask for each (a product's first page of devices at most).
    void Promise.all(items.map((d) => apiGet<DeviceModbusView>(`${devicePath(productKey, d.deviceName)}/modbus`).catch(() => null))).then((views) => {
      if (!current) return;
      const withConnection = views.filter((v): v is DeviceModbusView => v !== null && v.connection !== null);
      setConnected(withConnection);
      setChosen((c) => c || withConnection[0]?.deviceName || '');
    });
    return () => {
      current = false;
    };
  }, [devices.data, productKey]);

  const read = async () => {
    if (!points || !chosen) return;
    setBusy(true);
    setError(null);
    try {
      setResult({ device: chosen, result: await apiRequest<ReadNowResult>('POST', `${devicePath(productKey, chosen)}/modbus/read`, { points }) });
    } catch (err) {
      setResult(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Panel title={t('read.title')} actions={<span className="text-xs text-slate-500">{edited ? t('read.hintEdited') : t('read.hintShown')}</span>} bodyClassName="space-y-3">
      <ErrorNote error={devices.error} />
      {!hasPoints ? (
        <p className="text-sm text-slate-600">{t('read.noPoints')}</p>
      ) : connected !== null && connected.length === 0 ? (
        <p className="text-sm text-slate-600">
          {t('read.noConnection')}
        </p>
      ) : (
        <div className="flex flex-wrap items-end gap-2">
          <label className="text-sm">
            <span className="mb-1 block font-medium text-slate-700">{t('read.device')}</span>
            <select className={`${INPUT} w-64`} value={chosen} onChange={(e) => setChosen(e.target.value)} disabled={connected === null}>
              {connected === null && <option value="">{t('read.looking')}</option>}
              {connected?.map((v) => (
                <option key={v.deviceName} value={v.deviceName}>
                  {t('read.option', {
                    device: v.deviceName,
                    address: v.connection!.transport === 'rtu' ? v.connection!.path : `${v.connection!.host}:${v.connection!.port ?? 502}`,
                    unit: String(v.connection!.unitId),
                  })}
                </option>
              ))}
            </select>
          </label>
          <Button onClick={() => void read()} disabled={!points || !chosen || busy} title={points ? undefined : t('read.fixFirst')}>
            <i className="fa fa-bolt" aria-hidden /> {busy ? t('read.reading') : t('read.title')}
          </Button>
          {!points && <span className="pb-2 text-xs text-red-700">{t('read.fixToRead')}</span>}
        </div>
      )}
      <ErrorNote error={error} />
      {result && <ReadNowOutcome result={result.result} device={result.device} />}
    </Panel>
  );
}

function ReadNowOutcome({ result, device }: { result: ReadNowResult; device: string }) {
  if (!result.ok) {
    return (
      <div role="alert" data-testid="read-now-result" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
        <p className="flex flex-wrap items-center gap-2">
          <Badge tone="red">{result.error.kind}</Badge>
          <span>{t('read.failed', { device, ms: result.durationMs })}</span>
        </p>
        <p className="mt-1">{result.error.message}</p>
      </div>
    );
  }
  return (
    <div data-testid="read-now-result" className="space-y-3">
      <p className="text-sm text-slate-600">
        {t('read.answered', { device, count: result.requests.length, ms: result.durationMs })}
      </p>
      <div className="grid gap-3 xl:grid-cols-2">
        <SmallTable label={t('read.requests')} columns={[t('col.function'), t('col.address'), t('read.answer')]}>
              {result.requests.map((r, i) => (
                <tr key={i} className="align-top">
                  <td className="px-2 py-1.5">{r.function}</td>
                  <td className="whitespace-nowrap px-2 py-1.5">{r.address}{r.count > 1 ? `..${r.address + r.count - 1}` : ''}</td>
                  <td className="px-2 py-1.5">
                    {r.error ? (
                      <span className="text-red-700"><Badge tone="red">{r.error.kind}</Badge> {r.error.message}</span>
                    ) : (
                      <div className="flex flex-wrap gap-1 font-mono">
                        {rawCells(r).map((cell) => (
                          <span key={cell.address} className="rounded bg-slate-100 px-1" title={t('read.addressN', { address: String(cell.address) })}>
                            <span className="text-slate-400">{cell.address}:</span> {cell.decimal}{cell.hex && <span className="text-slate-500"> {cell.hex}</span>}
                          </span>
                        ))}
                      </div>
                    )}
                  </td>
                </tr>
              ))}
        </SmallTable>
        <SmallTable label={t('read.values')} columns={[t('col.property'), t('col.type'), t('read.value')]}>
              {result.values.map((v) => (
                <tr key={v.property}>
                  <td className="px-2 py-1.5 font-mono">{v.property}</td>
                  <td className="px-2 py-1.5 text-slate-600">{v.type}</td>
                  <td className="px-2 py-1.5 font-mono">
                    {v.error ? <span className="font-sans text-red-700">{v.error}</span> : formatReadValue(v.value)}
                  </td>
                </tr>
              ))}
        </SmallTable>
      </div>
    </div>
  );
}

/** A compact table of a read's requests or values. */
function SmallTable({ label, columns, children }: { label: string; columns: readonly string[]; children: ReactNode }) {
  return (
    <div className="overflow-x-auto rounded-md border border-slate-200">
      <table aria-label={label} className="min-w-full text-xs">
        <thead className="bg-slate-50 text-left font-semibold uppercase tracking-wide text-slate-600">
          <tr>{columns.map((c) => <th key={c} className="px-2 py-1.5">{c}</th>)}</tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  );
}
