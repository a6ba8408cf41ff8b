/**
 * The device page's Firmware tab: the module versions the device reported, its OTA history across campaigns, and
 * (`ota:write`) "Upgrade this device" to a newer firmware of its product. The device's upgrade rows follow the live feed.
 */
import { useState } from 'react';
import { upgradeRefusal } from '../../../domain/ota/ota-version.ts';
import { useLiveOta } from '../live/device-feed.ts';
import { Link } from '../routing.ts';
import { useCan } from '../session.ts';
import { Button } from '../ui/button.tsx';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { Panel } from '../ui/page.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { formatTime, TimeAgo } from '../ui/time.tsx';
import { queryString, useApi } from '../use-api.ts';
import { ProgressBar, UpgradeStateBadge } from './ota-badges.tsx';
import {
  campaignHref, deviceOtaPath, FIRMWARE_HREF, upgradeDevice, type Campaign, type DeviceOta, type DeviceUpgrade, type Firmware, type FirmwarePage,
} from './ota-api.ts';
import { progressNote } from './ota-format.ts';
import { newer, useCoalescedReload, withPushed, type Pushed } from './ota-live.ts';

export function DeviceFirmwareTab({ productKey, deviceName }: { productKey: string; deviceName: string }) {
  const ota = useApi<DeviceOta>(deviceOtaPath(productKey, deviceName));
  const canWrite = useCan('ota:write');
  const [pushed, setPushed] = useState<ReadonlyMap<number, Pushed<DeviceUpgrade>>>(new Map());
  const reloadSoon = useCoalescedReload(ota.reload, 1000);

  useLiveOta((events) => {
    const mine = events.flatMap((e) => (e.type === 'ota.device' && e.upgrade.productKey === productKey && e.upgrade.deviceName === deviceName ? [e.upgrade] : []));
    if (mine.length === 0) return;
    const now = Date.now();
    setPushed((held) => withPushed(held, mine, now));
    // A new upgrade, or one that ended (the device reported its new version): read the versions and history again.
    if (mine.some((u) => u.state === 'succeeded' || !ota.data?.upgrades.some((known) => known.id === u.id))) reloadSoon();
  }, () => void ota.reload());

  if (ota.loading) return <Loading what="the firmware versions" />;
  if (!ota.data) return <ErrorNote error={ota.error} />;
  const { modules, upgrades } = ota.data;
  return (
    <div className="space-y-5">
      {ota.error !== undefined && <ErrorNote error={ota.error} className="text-xs" />}
      <div className="grid gap-5 lg:grid-cols-2">
        <Panel title="Module versions" bodyClassName={modules.length > 0 ? '!p-0' : undefined}>
          {modules.length === 0 ? (
            <p className="text-sm text-slate-600">
              The device has not reported a firmware version yet. Devices report one per module at every start (alink:{' '}
              <code className="font-mono text-xs">/ota/device/inform/{productKey}/{deviceName}</code>); until then it is
              left out of campaigns.
            </p>
          ) : (
            <Table flush label="Module versions">
              <thead>
                <tr>
                  <Th>Module</Th>
                  <Th>Version</Th>
                  <Th>Code</Th>
                  <Th>Reported</Th>
                </tr>
              </thead>
              <TBody>
                {modules.map((m) => (
                  <tr key={m.module} data-module={m.module}>
                    <Td className="font-mono">{m.module}</Td>
                    <Td className="font-mono font-semibold">{m.version}</Td>
                    <Td className="font-mono text-xs text-slate-600">{m.versionCode}</Td>
                    <Td className="whitespace-nowrap text-xs"><span title={formatTime(m.reportedAt)}><TimeAgo at={m.reportedAt} /></span></Td>
                  </tr>
                ))}
              </TBody>
            </Table>
          )}
        </Panel>
        {canWrite && <UpgradePanel productKey={productKey} deviceName={deviceName} ota={ota.data} onStarted={() => void ota.reload()} />}
      </div>

      <Panel title="OTA history" bodyClassName={upgrades.length > 0 ? '!p-0' : undefined}>
        {upgrades.length === 0 ? (
          <p className="text-sm text-slate-600">No campaign has upgraded this device yet.</p>
        ) : (
          <Table flush label="OTA history">
            <thead>
              <tr>
                <Th>Campaign</Th>
                <Th>Module</Th>
                <Th>From → to</Th>
                <Th>State</Th>
                <Th className="w-40">Progress</Th>
                <Th>Reason</Th>
                <Th>Times</Th>
              </tr>
            </thead>
            <TBody>
              {upgrades.map((read) => {
                const u = { ...read, ...newer<DeviceUpgrade>(read, ota.receivedAt, pushed.get(read.id)) };
                const note = progressNote(u);
                return (
                  <tr key={u.id} data-upgrade={u.id}>
                    <Td className="max-w-[12rem]">
                      <Link to={campaignHref(u.campaignId)} className="block truncate text-sky-800 hover:underline" title={u.campaignName}>{u.campaignName || `Campaign ${u.campaignId}`}</Link>
                    </Td>
                    <Td className="font-mono text-xs">{u.module}</Td>
                    <Td className="whitespace-nowrap font-mono text-xs">{u.fromVersion || '?'} → {u.toVersion}</Td>
                    <Td><UpgradeStateBadge state={u.state} /></Td>
                    <Td>
                      <ProgressBar percent={u.percent} label={`Upgrade to ${u.toVersion}`} tone={u.state === 'succeeded' ? 'green' : u.state === 'failed' ? 'red' : u.state === 'timed_out' ? 'amber' : 'blue'} />
                      {note && <span className="mt-0.5 block max-w-[12rem] truncate text-xs text-slate-500" title={note}>{note}</span>}
                    </Td>
                    <Td className="max-w-[16rem] text-xs">{u.reason ? <span className="line-clamp-2 text-red-800" title={u.reason}>{u.reason}</span> : <span className="text-slate-400">—</span>}</Td>
                    <Td className="whitespace-nowrap text-xs text-slate-700">
                      <span className="block" title={formatTime(u.queuedAt)}>queued <TimeAgo at={u.queuedAt} /></span>
                      <span className="block text-slate-500" title={u.finishedAt ? formatTime(u.finishedAt) : undefined}>
                        {u.finishedAt ? <>ended <TimeAgo at={u.finishedAt} /></> : 'not ended'}
                      </span>
                    </Td>
                  </tr>
                );
              })}
            </TBody>
          </Table>
        )}
      </Panel>
    </div>
  );
}

/**
 * "Upgrade this device": the product's firmware the device may take (newer than its module's version and inside the
 * firmware's source constraints, as the server decides), the others listed with why not.
 */
function UpgradePanel({ productKey, deviceName, ota, onStarted }: { productKey: string; deviceName: string; ota: DeviceOta; onStarted(): void }) {
  const images = useApi<FirmwarePage>(`/firmware${queryString({ productKey, limit: 100 })}`);
  const [picked, setPicked] = useState<number>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [started, setStarted] = useState<Campaign>();

  const versions = new Map(ota.modules.map((m) => [m.module, m.version]));
  const running = new Set(ota.upgrades.filter((u) => !['succeeded', 'failed', 'cancelled', 'timed_out'].includes(u.state)).map((u) => u.module));
  const all = [...(images.data?.items ?? [])].sort((a, b) => a.module.localeCompare(b.module) || b.versionCode - a.versionCode);
  const why = (f: Firmware): string | undefined => {
    const current = versions.get(f.module);
    if (current === undefined) return `the device has not reported a version of ${f.module}`;
    if (running.has(f.module)) return `an upgrade of ${f.module} is under way`;
    return upgradeRefusal(current, f.version, f.constraint)?.text;
  };
  const eligible = all.filter((f) => why(f) === undefined);
  const refused = all.filter((f) => why(f) !== undefined);
  const chosen = eligible.find((f) => f.id === picked) ?? eligible[0];

  const start = async () => {
    if (!chosen) return;
    setBusy(true);
    setError(undefined);
    try {
      setStarted(await upgradeDevice(productKey, deviceName, chosen.id));
      onStarted();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Panel title="Upgrade this device">
      {images.loading ? <Loading what="the product's firmware" /> : all.length === 0 ? (
        <EmptyState title="No firmware for this product" action={<Link to={`${FIRMWARE_HREF}${queryString({ productKey })}`} className="text-sm font-medium text-sky-700 underline">Upload firmware</Link>}>
          Upload an image of one of its modules to upgrade the device.
        </EmptyState>
      ) : (
        <div className="space-y-3">
          {eligible.length > 0 ? (
            <div className="flex flex-wrap items-end gap-2">
              <Field label="Firmware" className="min-w-[14rem] flex-1">
                <select className={`${INPUT} font-mono`} value={chosen?.id ?? ''} onChange={(e) => { setPicked(Number(e.target.value)); setStarted(undefined); }}>
                  {eligible.map((f) => <option key={f.id} value={f.id}>{f.module} {versions.get(f.module)} → {f.version}</option>)}
                </select>
              </Field>
              <Button variant="primary" disabled={busy || !chosen} onClick={() => void start()}>
                <i aria-hidden className="fa fa-rocket" /> {busy ? 'Starting…' : 'Upgrade this device'}
              </Button>
            </div>
          ) : (
            <p className="text-sm text-slate-600">No firmware of this product is newer than what the device runs (or allowed over its version).</p>
          )}
          <p className="text-xs text-slate-500">Starts a campaign of this one device; it is notified now if online, else when it next connects.</p>
          {started && (
            <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
              <i aria-hidden className="fa fa-check mr-1" /> Upgrade to {started.version} started:{' '}
              <Link to={campaignHref(started.id)} className="font-medium underline">{started.name}</Link>
            </p>
          )}
          <ErrorNote error={error} />
          {refused.length > 0 && (
            <details className="text-xs text-slate-600">
              <summary className="cursor-pointer">{refused.length} {refused.length === 1 ? 'image is' : 'images are'} not offered</summary>
              <ul className="mt-1 space-y-0.5 pl-4">
                {refused.slice(0, 20).map((f) => <li key={f.id}><span className="font-mono">{f.module} {f.version}</span>: {why(f)}</li>)}
              </ul>
            </details>
          )}
        </div>
      )}
    </Panel>
  );
}
