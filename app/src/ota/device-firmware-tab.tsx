/**
 * The device page's Firmware tab: the module versions the device reported, its OTA history across campaigns, and
 * (`ota:write`) "Upgrade this device" to a newer firmware of its product. The device's upgrade rows follow the live feed.
 */
import { useState } from 'react';
import { upgradeRefusal } from '../../../domain/ota/ota-version.ts';
import { refusalText } from './refusal.messages.ts';
import { richText } from '../i18n/rich.tsx';
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
import { t } from './ota.messages.ts';
import { serverText } from '../i18n/server-text.ts';

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

  if (ota.loading) return <Loading what={t('loading.versions')} />;
  if (!ota.data) return <ErrorNote error={ota.error} />;
  const { modules, upgrades } = ota.data;
  return (
    <div className="space-y-5">
      {ota.error !== undefined && <ErrorNote error={ota.error} className="text-xs" />}
      <div className="grid gap-5 lg:grid-cols-2">
        <Panel title={t('deviceTab.moduleVersions')} bodyClassName={modules.length > 0 ? '!p-0' : undefined}>
          {modules.length === 0 ? (
            <p className="text-sm text-slate-600">
              {richText(t('deviceTab.notReported'), {
                topic: () => <code className="font-mono text-xs">{`/ota/device/inform/${productKey}/${deviceName}`}</code>,
              })}
            </p>
          ) : (
            <Table flush label={t('deviceTab.moduleVersions')}>
              <thead>
                <tr>
                  <Th>{t('label.module')}</Th>
                  <Th>{t('label.version')}</Th>
                  <Th>{t('deviceTab.code')}</Th>
                  <Th>{t('deviceTab.reported')}</Th>
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

      <Panel title={t('deviceTab.history')} bodyClassName={upgrades.length > 0 ? '!p-0' : undefined}>
        {upgrades.length === 0 ? (
          <p className="text-sm text-slate-600">{t('deviceTab.noHistory')}</p>
        ) : (
          <Table flush label={t('deviceTab.history')}>
            <thead>
              <tr>
                <Th>{t('label.campaign')}</Th>
                <Th>{t('label.module')}</Th>
                <Th>{t('deviceTab.fromTo')}</Th>
                <Th>{t('label.state')}</Th>
                <Th className="w-40">{t('label.progress')}</Th>
                <Th>{t('label.reason')}</Th>
                <Th>{t('deviceTab.times')}</Th>
              </tr>
            </thead>
            <TBody>
              {upgrades.map((read) => {
                const u = { ...read, ...newer<DeviceUpgrade>(read, ota.receivedAt, pushed.get(read.id)) };
                const note = progressNote(u);
                return (
                  <tr key={u.id} data-upgrade={u.id}>
                    <Td className="max-w-[12rem]">
                      <Link to={campaignHref(u.campaignId)} className="block truncate text-sky-800 hover:underline" title={u.campaignName}>{u.campaignName || t('deviceTab.campaignN', { id: String(u.campaignId) })}</Link>
                    </Td>
                    <Td className="font-mono text-xs">{u.module}</Td>
                    <Td className="whitespace-nowrap font-mono text-xs">{u.fromVersion || '?'} → {u.toVersion}</Td>
                    <Td><UpgradeStateBadge state={u.state} /></Td>
                    <Td>
                      <ProgressBar percent={u.percent} label={t('deviceTab.upgradeTo', { version: u.toVersion })} tone={u.state === 'succeeded' ? 'green' : u.state === 'failed' ? 'red' : u.state === 'timed_out' ? 'amber' : 'blue'} />
                      {note && <span className="mt-0.5 block max-w-[12rem] truncate text-xs text-slate-500" title={note}>{note}</span>}
                    </Td>
                    <Td className="max-w-[16rem] text-xs">{u.reason ? <span className="line-clamp-2 text-red-800" title={serverText(u.reason)}>{serverText(u.reason)}</span> : <span className="text-slate-400">—</span>}</Td>
                    <Td className="whitespace-nowrap text-xs text-slate-700">
                      <span className="block" title={formatTime(u.queuedAt)}>{richText(t('deviceTab.queuedAgo'), { ago: () => <TimeAgo at={u.queuedAt} /> })}</span>
                      <span className="block text-slate-500" title={u.finishedAt ? formatTime(u.finishedAt) : undefined}>
                        {u.finishedAt ? richText(t('deviceTab.endedAgo'), { ago: () => <TimeAgo at={u.finishedAt} /> }) : t('deviceTab.notEnded')}
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
    if (current === undefined) return t('deviceTab.noVersionOf', { module: f.module });
    if (running.has(f.module)) return t('deviceTab.underWay', { module: f.module });
    const refusal = upgradeRefusal(current, f.version, f.constraint);
    return refusal && refusalText(refusal);
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
    <Panel title={t('label.upgradeDevice')}>
      {images.loading ? <Loading what={t('loading.productFirmware')} /> : all.length === 0 ? (
        <EmptyState title={t('deviceTab.noFirmware')} action={<Link to={`${FIRMWARE_HREF}${queryString({ productKey })}`} className="text-sm font-medium text-sky-700 underline">{t('label.uploadFirmware')}</Link>}>
          {t('deviceTab.noFirmwareHint')}
        </EmptyState>
      ) : (
        <div className="space-y-3">
          {eligible.length > 0 ? (
            <div className="flex flex-wrap items-end gap-2">
              <Field label={t('label.firmware')} className="min-w-[14rem] flex-1">
                <select className={`${INPUT} font-mono`} value={chosen?.id ?? ''} onChange={(e) => { setPicked(Number(e.target.value)); setStarted(undefined); }}>
                  {eligible.map((f) => <option key={f.id} value={f.id}>{f.module} {versions.get(f.module)} → {f.version}</option>)}
                </select>
              </Field>
              <Button variant="primary" disabled={busy || !chosen} onClick={() => void start()}>
                <i aria-hidden className="fa fa-rocket" /> {busy ? t('deviceTab.starting') : t('label.upgradeDevice')}
              </Button>
            </div>
          ) : (
            <p className="text-sm text-slate-600">{t('deviceTab.noneNewer')}</p>
          )}
          <p className="text-xs text-slate-500">{t('deviceTab.startsCampaign')}</p>
          {started && (
            <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
              <i aria-hidden className="fa fa-check mr-1" />{' '}
              {richText(t('deviceTab.started', { version: started.version }), {
                link: () => <Link to={campaignHref(started.id)} className="font-medium underline">{started.name}</Link>,
              })}
            </p>
          )}
          <ErrorNote error={error} />
          {refused.length > 0 && (
            <details className="text-xs text-slate-600">
              <summary className="cursor-pointer">{t('deviceTab.notOffered', { count: refused.length })}</summary>
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
