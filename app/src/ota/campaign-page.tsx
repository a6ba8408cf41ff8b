/**
 * `/ota/campaigns/:id`: one campaign as it runs. Its state and why, the wave it is at, counts by state, a funnel,
 * the strategy, and every device's upgrade with its progress and reason; pause, resume and cancel for `ota:write`.
 * The live feed pushes campaign and device changes: the campaign (with its counts, after every batch of device changes)
 * is replaced and device rows are updated in place; what a push leaves out is read again once per burst (no polling).
 */
import { useState, type ReactNode } from 'react';
import { ApiError } from '../api.ts';
import { useSearch } from '../alerts/use-search.ts';
import { tc } from '../i18n/common.messages.ts';
import { formatNumber } from '../i18n/messages.ts';
import { useLiveOta } from '../live/device-feed.ts';
import { Link, pathOf } from '../routing.ts';
import { useCan } from '../session.ts';
import { Button } from '../ui/button.tsx';
import { cx } from '../ui/cx.ts';
import { ConfirmDialog } from '../ui/dialog.tsx';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { Facts, Page, Panel } from '../ui/page.tsx';
import { Pager } from '../ui/pager.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { formatTime, TimeAgo } from '../ui/time.tsx';
import { queryString, useApi } from '../use-api.ts';
import { durationWords, waveIncrements } from './campaign-strategy.ts';
import { describeTarget } from './campaign-target.ts';
import { CampaignStateBadge, ProgressBar, UpgradeStateBadge } from './ota-badges.tsx';
import {
  cancelCampaign, CAMPAIGNS_HREF, campaignPath, FIRMWARE_HREF, pauseCampaign, resumeCampaign, UPGRADE_STATES,
  type Campaign, type DeviceUpgrade, type DeviceUpgradePage, type UpgradeState,
} from './ota-api.ts';
import { canCancel, canPause, canResume, funnel, percentOf, progressNote, upgradeStateLabel, upgradeStateWord } from './ota-format.ts';
import { newer, useCoalescedReload, withPushed, type Pushed } from './ota-live.ts';
import { t } from './ota.messages.ts';
import { serverText } from '../i18n/server-text.ts';

const PAGE_SIZE = 50;

export function CampaignPage({ id }: { id: string }) {
  const read = useApi<Campaign>(campaignPath(id));
  const [pushed, setPushed] = useState<Pushed<Campaign>>();
  const [search, setSearch] = useSearch();
  const stateParam = search.get('state') ?? '';
  const stateFilter = (UPGRADE_STATES as readonly string[]).includes(stateParam) ? (stateParam as UpgradeState) : undefined;
  const offset = Math.max(0, Number.parseInt(search.get('offset') ?? '0', 10) || 0);
  const devices = useApi<DeviceUpgradePage>(`${campaignPath(id)}/devices${queryString({ state: stateFilter, limit: PAGE_SIZE, offset })}`);
  const [rows, setRows] = useState<ReadonlyMap<number, Pushed<DeviceUpgrade>>>(new Map());
  const reloadCampaign = useCoalescedReload(read.reload, 1000);
  const reloadDevices = useCoalescedReload(devices.reload, 1000);
  const back = <Link to={CAMPAIGNS_HREF} className="text-sky-700 hover:underline"><i className="fa fa-angle-left" aria-hidden /> {t('label.campaigns')}</Link>;

  useLiveOta((events) => {
    const numericId = Number(id);
    const upgrades: DeviceUpgrade[] = [];
    let counted = false;
    for (const event of events) {
      if (event.type === 'ota.campaign' && event.campaign.id === numericId) {
        setPushed({ value: event.campaign, at: Date.now() });
        counted = true;
      }
      if (event.type === 'ota.device' && event.upgrade.campaignId === numericId) upgrades.push(event.upgrade);
    }
    if (upgrades.length === 0) return;
    const now = Date.now();
    setRows((held) => withPushed(held, upgrades, now));
    // The server follows device changes with the campaign's counts ("progress"); without them, read the counts.
    if (!counted) reloadCampaign();
    // A device not on this page may now belong on it, or one on it no longer (it left the filter's state).
    const shown = new Set(devices.data?.items.map((d) => d.id));
    if (upgrades.some((u) => (shown.has(u.id) ? stateFilter !== undefined && u.state !== stateFilter : !stateFilter || u.state === stateFilter))) {
      reloadDevices();
    }
  }, () => {
    void read.reload();
    void devices.reload();
  });

  const campaign = newer(read.data, read.receivedAt, pushed);
  if (!campaign) {
    const missing = read.error instanceof ApiError && read.error.status === 404;
    return (
      <Page title={t('label.campaign')} back={back}>
        {read.loading ? <Loading what={t('loading.campaign')} /> : missing ? (
          <EmptyState title={t('campaign.missing', { id })}>{t('campaign.missingHint')}</EmptyState>
        ) : <ErrorNote error={read.error} />}
      </Page>
    );
  }

  const setFilter = (state: UpgradeState | undefined) => setSearch({ state, offset: undefined }, { replace: true });
  const waves = campaign.strategy.waves;
  return (
    <Page
      title={<span data-testid="campaign-title">{campaign.name}</span>}
      back={back}
      subtitle={(
        <span className="block max-w-3xl space-y-1">
          <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
            <span data-testid="campaign-state"><CampaignStateBadge state={campaign.state} /></span>
            {campaign.stateReason && <span className={cx(campaign.state === 'stopped' ? 'text-red-800' : 'text-slate-700')} data-testid="campaign-reason">{campaign.stateReason}</span>}
          </span>
          <span className="block">
            <Link to={pathOf('products', campaign.productKey)} className="text-sky-700 hover:underline">{campaign.productKey}</Link>
            {' · '}{t('word.module')} <span className="font-mono">{campaign.module}</span>
            {' · '}{t('word.version')} <Link to={`${FIRMWARE_HREF}${queryString({ productKey: campaign.productKey, module: campaign.module })}`} className="font-mono text-sky-700 hover:underline">{campaign.version}</Link>
            {' · '}<span data-testid="campaign-wave">{t('campaign.waveOf', { wave: Math.min(campaign.wave + 1, waves.length), waves: waves.length })}</span>
          </span>
        </span>
      )}
      actions={<CampaignActions campaign={campaign} onChanged={(c) => setPushed({ value: c, at: Date.now() })} />}
    >
      {read.error && <ErrorNote error={read.error} className="text-xs" />}
      <Counts campaign={campaign} filter={stateFilter} onFilter={setFilter} />
      <div className="grid gap-5 lg:grid-cols-2">
        <Funnel campaign={campaign} />
        <Strategy campaign={campaign} />
      </div>
      <DeviceTable
        campaign={campaign}
        page={devices.data}
        loading={devices.loading}
        error={devices.error}
        readAt={devices.receivedAt}
        pushed={rows}
        filter={stateFilter}
        offset={offset}
        onFilter={setFilter}
        onOffset={(o) => setSearch({ offset: o ? String(o) : undefined })}
      />
    </Page>
  );
}

/**
 * Pause, resume (with "retry failed devices" beside it) and cancel, where the state allows each. A stopped campaign
 * says why it stopped in the header; resuming it without fixing that stops it again.
 */
function CampaignActions({ campaign, onChanged }: { campaign: Campaign; onChanged(campaign: Campaign): void }) {
  const canWrite = useCan('ota:write');
  const [busy, setBusy] = useState<'pause' | 'resume' | 'cancel'>();
  const [error, setError] = useState<unknown>();
  const [confirming, setConfirming] = useState(false);
  const [retryFailed, setRetryFailed] = useState(false);
  if (!canWrite) return null;

  const run = async (what: 'pause' | 'resume' | 'cancel') => {
    setBusy(what);
    setError(undefined);
    try {
      const next = what === 'pause' ? await pauseCampaign(campaign.id) : what === 'resume' ? await resumeCampaign(campaign.id, retryFailed) : await cancelCampaign(campaign.id);
      onChanged(next);
      setConfirming(false);
      setRetryFailed(false);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  };
  const failed = campaign.counts.failed + campaign.counts.timed_out;
  const state = campaign.state;
  if (!canPause(state) && !canResume(state) && !canCancel(state)) return null;

  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex flex-wrap items-center justify-end gap-2">
        {canPause(state) && (
          <Button onClick={() => void run('pause')} disabled={busy !== undefined}>
            <i aria-hidden className="fa fa-pause" /> {busy === 'pause' ? t('action.pausing') : t('action.pause')}
          </Button>
        )}
        {canResume(state) && (
          <>
            <label
              className="flex items-center gap-1.5 text-sm text-slate-700"
              title={t('action.retryTitle')}
            >
              <input type="checkbox" checked={retryFailed} disabled={busy !== undefined} onChange={(e) => setRetryFailed(e.target.checked)} />
              {failed > 0 ? t('action.retryFailedCount', { count: failed }) : t('action.retryFailed')}
            </label>
            <Button variant="primary" onClick={() => void run('resume')} disabled={busy !== undefined}>
              <i aria-hidden className="fa fa-play" /> {busy === 'resume' ? t('action.resuming') : t('action.resume')}
            </Button>
          </>
        )}
        {canCancel(state) && (
          <Button variant="ghost" onClick={() => { setError(undefined); setConfirming(true); }} disabled={busy !== undefined}>
            <i aria-hidden className="fa fa-ban" /> {t('action.cancelCampaignMore')}
          </Button>
        )}
      </div>
      {!confirming && <ErrorNote error={error} />}
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title={t('action.cancelTitle', { name: campaign.name })}
        confirmLabel={t('action.cancelCampaign')}
        dismissLabel={t('action.keep')}
        busy={busy === 'cancel'}
        onConfirm={() => void run('cancel')}
        error={error ? <ErrorNote error={error} /> : undefined}
      >
        {t('action.cancelBody')}
      </ConfirmDialog>
    </div>
  );
}

const countLooks: Record<UpgradeState, string> = {
  queued: 'text-slate-700',
  notified: 'text-sky-800',
  downloading: 'text-sky-800',
  flashing: 'text-violet-800',
  succeeded: 'text-emerald-700',
  failed: 'text-red-700',
  cancelled: 'text-slate-600',
  timed_out: 'text-amber-700',
};

/** A tile per state with its count; a click shows only those devices in the table below. */
function Counts({ campaign, filter, onFilter }: { campaign: Campaign; filter: UpgradeState | undefined; onFilter(state: UpgradeState | undefined): void }) {
  return (
    <Panel title={t('counts.title', { total: campaign.total })}>
      <ul className="grid grid-cols-2 gap-2 sm:grid-cols-4 xl:grid-cols-8" aria-label={t('counts.label')}>
        {UPGRADE_STATES.map((state) => {
          const count = campaign.counts[state];
          const active = filter === state;
          return (
            <li key={state}>
              <button
                type="button"
                data-count={state}
                aria-pressed={active}
                title={active ? t('counts.showAll') : t('counts.showOnly', { state: upgradeStateWord(state) })}
                onClick={() => onFilter(active ? undefined : state)}
                className={cx(
                  'w-full rounded-md border px-3 py-2 text-left transition-colors hover:border-sky-300 hover:bg-sky-50/50',
                  active ? 'border-sky-500 bg-sky-50 ring-1 ring-sky-500' : 'border-slate-200 bg-white',
                )}
              >
                <span className="block text-xs font-medium text-slate-600">{upgradeStateLabel(state)}</span>
                <span className={cx('block text-2xl font-semibold tabular-nums', count === 0 ? 'text-slate-300' : countLooks[state])} data-value>
                  {formatNumber(count)}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </Panel>
  );
}

const stageColours: Record<string, string> = {
  targeted: 'bg-slate-400',
  notified: 'bg-sky-400',
  downloading: 'bg-sky-600',
  flashing: 'bg-violet-500',
  succeeded: 'bg-emerald-600',
  failed: 'bg-red-600',
  timed_out: 'bg-amber-500',
  cancelled: 'bg-slate-400',
};

/** The happy path as narrowing bars, and where devices dropped out beside it. */
function Funnel({ campaign }: { campaign: Campaign }) {
  const { stages, exits } = funnel(campaign.counts, campaign.total);
  const bar = (id: string, label: string, count: number) => (
    <li key={id} className="grid grid-cols-[6.5rem_1fr_4.5rem] items-center gap-3 text-sm" data-stage={id}>
      <span className="text-slate-700">{label}</span>
      <span className="h-5 overflow-hidden rounded bg-slate-100">
        <span className={cx('block h-full rounded transition-[width] duration-300', stageColours[id])} style={{ width: `${percentOf(count, campaign.total)}%` }} />
      </span>
      <span className="text-right tabular-nums text-slate-800">
        {formatNumber(count)} <span className="text-xs text-slate-500">{percentOf(count, campaign.total)}%</span>
      </span>
    </li>
  );
  return (
    <Panel title={t('funnel.title')}>
      <ol aria-label={t('funnel.stagesLabel')} className="space-y-1.5">{stages.map((s) => bar(s.id, s.label, s.count))}</ol>
      <p className="mt-2 text-xs text-slate-500">{t('funnel.note')}</p>
      <p className="mb-1.5 mt-4 border-t border-slate-100 pt-3 text-xs font-semibold uppercase tracking-wide text-slate-500">{t('funnel.droppedOut')}</p>
      <ul aria-label={t('funnel.droppedLabel')} className="space-y-1.5">{exits.map((s) => bar(s.id, s.label, s.count))}</ul>
    </Panel>
  );
}

/** The firmware, target, waves and limits the campaign runs with, and its times. */
function Strategy({ campaign }: { campaign: Campaign }) {
  const s = campaign.strategy;
  const adds = waveIncrements(campaign.waveSizes);
  const items: [ReactNode, ReactNode][] = [
    [t('rollout.target'), describeTarget(campaign.target)],
    [t('rollout.waves'), (
      <ol key="w" className="space-y-0.5">
        {s.waves.map((pct, i) => (
          <li key={i} className={cx(i === campaign.wave && !['completed', 'cancelled'].includes(campaign.state) ? 'font-semibold text-sky-900' : '')}>
            {t('rollout.wave', { n: i + 1, pct, count: campaign.waveSizes[i] ?? 0 })}
            {i > 0 && <span className="text-slate-500"> (+{formatNumber(adds[i] ?? 0)})</span>}
            {i === campaign.wave && !['completed', 'cancelled'].includes(campaign.state) && <span className="text-xs font-normal text-slate-500">{t('rollout.now')}</span>}
          </li>
        ))}
      </ol>
    )],
    [t('rollout.rate'), s.ratePerMinute ? t('rollout.ratePerMinute', { count: s.ratePerMinute }) : t('rollout.noLimit')],
    [t('rollout.atOnce'), t('rollout.atOnceValue', { upgrading: s.maxInFlight, downloading: s.maxConcurrentDownloads })],
    [t('rollout.window'), s.startAt || s.endAt
      ? t('rollout.windowValue', { start: s.startAt ? formatTime(s.startAt) : t('rollout.startNow'), end: s.endAt ? formatTime(s.endAt) : t('rollout.openEnd') })
      : t('rollout.anyTime')],
    [t('rollout.timeout'), durationWords(s.deviceTimeoutSeconds)],
    [t('rollout.retries'), s.retries === 0 ? tc('none') : t('rollout.retriesValue', { count: s.retries })],
    [t('rollout.stops'), t('rollout.stopsValue', { pct: Math.round(s.failureThreshold * 1000) / 10 })],
    [t('rollout.signMethod'), s.signMethod],
    [t('label.created'), <span key="c">{t('rollout.createdValue', { time: formatTime(campaign.createdAt), user: campaign.createdBy })}</span>],
    [t('rollout.started'), campaign.startedAt ? formatTime(campaign.startedAt) : <span key="s" className="text-slate-400">{t('rollout.notYet')}</span>],
    [t('rollout.finished'), campaign.finishedAt ? formatTime(campaign.finishedAt) : <span key="f" className="text-slate-400">—</span>],
  ];
  return (
    <Panel title={t('rollout.title')}>
      <Facts items={items} />
    </Panel>
  );
}

const barTone = (state: UpgradeState) =>
  state === 'succeeded' ? 'green' : state === 'failed' ? 'red' : state === 'timed_out' ? 'amber' : state === 'cancelled' || state === 'queued' ? 'slate' : 'blue';

/** Every device's upgrade: filterable by state, paged, rows replaced by what the feed pushes. */
function DeviceTable({ campaign, page, loading, error, readAt, pushed, filter, offset, onFilter, onOffset }: {
  campaign: Campaign;
  page: DeviceUpgradePage | undefined;
  loading: boolean;
  error: unknown;
  readAt: number | undefined;
  pushed: ReadonlyMap<number, { value: DeviceUpgrade; at: number }>;
  filter: UpgradeState | undefined;
  offset: number;
  onFilter(state: UpgradeState | undefined): void;
  onOffset(offset: number): void;
}) {
  return (
    <Panel
      title={t('label.devices')}
      bodyClassName="!p-0"
      actions={(
        <Field label={<span className="sr-only">{t('label.state')}</span>} className="w-48">
          <select className={INPUT} value={filter ?? ''} aria-label={t('devices.showInState')} onChange={(e) => onFilter((e.target.value || undefined) as UpgradeState | undefined)}>
            <option value="">{t('devices.everyState', { count: campaign.total })}</option>
            {UPGRADE_STATES.map((s) => <option key={s} value={s}>{t('withCount', { label: upgradeStateLabel(s), count: campaign.counts[s] })}</option>)}
          </select>
        </Field>
      )}
    >
      {error !== undefined && <ErrorNote error={error} className="m-3" />}
      {loading ? <div className="px-4"><Loading what={t('loading.devices')} /></div> : !page ? null : page.total === 0 ? (
        <p className="px-4 py-6 text-center text-sm text-slate-600">
          {filter ? <>{t('devices.noneInState', { state: upgradeStateWord(filter) })} <Button size="sm" variant="ghost" onClick={() => onFilter(undefined)}>{t('counts.showAll')}</Button></> : t('devices.none')}
        </p>
      ) : (
        <div className="space-y-3">
          <Table flush label={t('devices.table')}>
            <thead>
              <tr>
                <Th>{t('devices.device')}</Th>
                <Th>{t('devices.wave')}</Th>
                <Th>{t('label.state')}</Th>
                <Th className="w-44">{t('label.progress')}</Th>
                <Th>{t('devices.stepMessage')}</Th>
                <Th>{t('label.reason')}</Th>
                <Th className="text-right">{t('devices.attempts')}</Th>
                <Th>{t('devices.updated')}</Th>
              </tr>
            </thead>
            <TBody>
              {page.items.map((read) => {
                const u = newer(read, readAt, pushed.get(read.id))!;
                const note = progressNote(u);
                return (
                  <tr key={u.id} data-upgrade={u.deviceName} aria-label={t('join', { a: u.deviceName, b: upgradeStateWord(u.state) })}>
                    <Td className="whitespace-nowrap">
                      <Link to={`${pathOf('devices', u.productKey, u.deviceName)}?tab=firmware`} className="font-mono font-medium text-sky-800 hover:underline">{u.deviceName}</Link>
                      <span className="block font-mono text-xs text-slate-500">{u.fromVersion || '?'} → {u.toVersion}</span>
                    </Td>
                    <Td className="tabular-nums">{u.wave + 1}</Td>
                    <Td><UpgradeStateBadge state={u.state} /></Td>
                    <Td><ProgressBar percent={u.percent} label={t('devices.progressLabel', { name: u.deviceName })} tone={barTone(u.state)} /></Td>
                    <Td className="max-w-[14rem] text-xs text-slate-700">
                      {note ? <span className="line-clamp-2" title={note}>{note}</span> : <span className="text-slate-400">—</span>}
                    </Td>
                    <Td className="max-w-[16rem] text-xs">
                      {u.reason ? <span className="line-clamp-2 text-red-800" title={serverText(u.reason)}>{serverText(u.reason)}</span> : <span className="text-slate-400">—</span>}
                    </Td>
                    <Td className="text-right tabular-nums">{u.attempts}</Td>
                    <Td className="whitespace-nowrap text-xs text-slate-700"><TimeAgo at={u.updatedAt} /></Td>
                  </tr>
                );
              })}
            </TBody>
          </Table>
          {(page.total > PAGE_SIZE || offset > 0) && (
            <div className="px-4 pb-3">
              <Pager total={page.total} limit={PAGE_SIZE} offset={offset} onOffset={onOffset} />
            </div>
          )}
        </div>
      )}
    </Panel>
  );
}
