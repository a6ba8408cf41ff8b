/**
 * The Campaigns tab: every campaign, newest first, filtered by product and state (in the URL), with how far each got.
 * Campaign changes (with their counts) arrive on the live feed and replace their row; a new campaign reloads the page.
 */
import { useState } from 'react';
import { useSearch } from '../alerts/use-search.ts';
import { useLiveOta } from '../live/device-feed.ts';
import { Link, pathOf } from '../routing.ts';
import { useCan } from '../session.ts';
import { Button } from '../ui/button.tsx';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { Pager } from '../ui/pager.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { formatTime, TimeAgo } from '../ui/time.tsx';
import { queryString, useApi } from '../use-api.ts';
import { describeTarget } from './campaign-target.ts';
import type { ProductChoice } from './firmware-list.tsx';
import { CampaignStateBadge, PRIMARY_LINK, ProgressBar } from './ota-badges.tsx';
import { campaignHref, newCampaignHref, type Campaign, type CampaignPage, type CampaignState } from './ota-api.ts';
import { campaignStateWord, percentOf } from './ota-format.ts';
import { newer, useCoalescedReload } from './ota-live.ts';
import { t } from './ota.messages.ts';

const PAGE_SIZE = 25;
const STATES: readonly CampaignState[] = ['scheduled', 'running', 'paused', 'stopped', 'cancelled', 'completed'];

export function CampaignList() {
  const [search, setSearch] = useSearch();
  const productKey = search.get('productKey') ?? '';
  const stateParam = search.get('state') ?? '';
  const state = (STATES as readonly string[]).includes(stateParam) ? stateParam : '';
  const offset = Math.max(0, Number.parseInt(search.get('offset') ?? '0', 10) || 0);
  const canWrite = useCan('ota:write');
  const products = useApi<{ items: ProductChoice[] }>('/products');
  const list = useApi<CampaignPage>(`/ota/campaigns${queryString({ productKey, state, limit: PAGE_SIZE, offset })}`);
  const [pushed, setPushed] = useState<ReadonlyMap<number, { value: Campaign; at: number }>>(new Map());
  const reloadSoon = useCoalescedReload(list.reload, 2000);

  useLiveOta((events) => {
    const campaigns = events.flatMap((e) => (e.type === 'ota.campaign' ? [e.campaign] : []));
    if (campaigns.length > 0) {
      setPushed((held) => {
        const next = new Map(held);
        for (const c of campaigns) next.set(c.id, { value: c, at: Date.now() });
        return next;
      });
    }
    // A new campaign may belong on this page; device changes come with their campaign's counts, else read them.
    const counted = new Set(campaigns.map((c) => c.id));
    const shown = new Set(list.data?.items.map((c) => c.id));
    if (events.some((e) => (e.type === 'ota.device' ? !counted.has(e.upgrade.campaignId) : !shown.has(e.campaign.id)))) reloadSoon();
  }, () => void list.reload());

  const filtered = productKey !== '' || state !== '';
  const productItems = products.data?.items ?? [];
  const names = new Map(productItems.map((p) => [p.productKey, p.name]));
  const setFilter = (changes: Record<string, string | undefined>) => setSearch({ ...changes, offset: undefined }, { replace: true });
  const clear = () => setSearch({ productKey: undefined, state: undefined, offset: undefined }, { replace: true });
  const page = list.data;

  return (
    <div className="space-y-4">
      <form role="search" aria-label={t('list.filterCampaigns')} onSubmit={(e) => e.preventDefault()} className="grid grid-cols-2 gap-3 rounded-lg border border-slate-200 bg-white p-3 shadow-sm md:grid-cols-4">
        <Field label={t('label.product')}>
          <select className={INPUT} value={productKey} onChange={(e) => setFilter({ productKey: e.target.value })}>
            <option value="">{t('label.allProducts')}</option>
            {productItems.map((p) => <option key={p.productKey} value={p.productKey}>{p.name} ({p.productKey})</option>)}
          </select>
        </Field>
        <Field label={t('label.state')}>
          <select className={INPUT} value={state} onChange={(e) => setFilter({ state: e.target.value })}>
            <option value="">{t('list.anyState')}</option>
            {STATES.map((s) => <option key={s} value={s}>{campaignStateWord(s)}</option>)}
          </select>
        </Field>
        {filtered && (
          <div className="flex items-end">
            <Button variant="ghost" onClick={clear}><i aria-hidden className="fa fa-times" /> {t('label.clearFilters')}</Button>
          </div>
        )}
      </form>

      {list.error && <ErrorNote error={list.error} />}
      {list.loading ? (
        <Loading what={t('loading.campaigns')} />
      ) : !page ? null : page.total === 0 ? (
        filtered ? (
          <EmptyState title={t('list.noMatch')} action={<Button onClick={clear}>{t('label.clearFilters')}</Button>}>
            {t('list.noMatchHint')}
          </EmptyState>
        ) : (
          <EmptyState title={t('list.none')} action={canWrite && <Link to={newCampaignHref()} className={PRIMARY_LINK}><i aria-hidden className="fa fa-plus" /> {t('label.newCampaign')}</Link>}>
            {t('list.noneHint')}{canWrite ? '' : t('list.noneWho')}
          </EmptyState>
        )
      ) : (
        <>
          <p className="text-sm text-slate-600">{t('list.count', { count: page.total })}</p>
          <Table label={t('label.campaigns')}>
            <thead>
              <tr>
                <Th>{t('label.campaign')}</Th>
                <Th>{t('list.productModule')}</Th>
                <Th>{t('label.version')}</Th>
                <Th>{t('label.state')}</Th>
                <Th className="w-56">{t('label.progress')}</Th>
                <Th>{t('label.created')}</Th>
              </tr>
            </thead>
            <TBody>
              {page.items.map((read) => {
                const c = newer(read, list.receivedAt, pushed.get(read.id))!;
                const failed = c.counts.failed + c.counts.timed_out;
                return (
                  <tr key={c.id} data-campaign={c.id}>
                    <Td className="max-w-[18rem]">
                      <Link to={campaignHref(c.id)} className="block truncate font-medium text-sky-800 hover:underline" title={c.name}>{c.name}</Link>
                      <span className="block truncate text-xs text-slate-500">{describeTarget(c.target)}</span>
                    </Td>
                    <Td className="whitespace-nowrap">
                      <Link to={pathOf('products', c.productKey)} className="block max-w-[12rem] truncate text-sky-800 hover:underline" title={c.productKey}>{names.get(c.productKey) ?? c.productKey}</Link>
                      <span className="block font-mono text-xs text-slate-500">{c.module}</span>
                    </Td>
                    <Td className="whitespace-nowrap font-mono">{c.version}</Td>
                    <Td className="max-w-[14rem]">
                      <CampaignStateBadge state={c.state} />
                      {c.stateReason && <span className="mt-0.5 block truncate text-xs text-slate-500" title={c.stateReason}>{c.stateReason}</span>}
                    </Td>
                    <Td>
                      <ProgressBar
                        percent={percentOf(c.counts.succeeded, c.total)}
                        label={t('list.succeededLabel', { name: c.name })}
                        tone={c.total > 0 && c.counts.succeeded === c.total ? 'green' : 'blue'}
                      />
                      <span className="mt-0.5 block whitespace-nowrap text-xs text-slate-600">
                        {t('list.succeededOf', { succeeded: c.counts.succeeded, total: c.total })}
                        {failed > 0 && <span className="text-red-700">{t('list.failed', { count: failed })}</span>}
                      </span>
                    </Td>
                    <Td className="whitespace-nowrap text-xs">
                      <span title={formatTime(c.createdAt)}><TimeAgo at={c.createdAt} /></span>
                      <span className="block text-slate-500">{t('list.createdBy', { user: c.createdBy })}</span>
                    </Td>
                  </tr>
                );
              })}
            </TBody>
          </Table>
          <Pager total={page.total} limit={PAGE_SIZE} offset={offset} onOffset={(o) => setSearch({ offset: o ? String(o) : undefined })} />
        </>
      )}
    </div>
  );
}
