import { useEffect, useEffectEvent, useMemo, useRef, useState, type ReactNode } from 'react';
import { useLiveDeviceStates } from '../live/device-feed.ts';
import { Link, navigate, useLocationSearch } from '../routing.ts';
import { useCan } from '../session.ts';
import { Button } from '../ui/button.tsx';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { Page } from '../ui/page.tsx';
import { Pager } from '../ui/pager.tsx';
import { useApi } from '../use-api.ts';
import { tc } from '../i18n/common.messages.ts';
import { AddDeviceDialog } from './device-create-dialog.tsx';
import { ImportDevicesDialog } from './device-create-import.tsx';
import type { DevicePage, DeviceStatus, ProductSummary } from './device-list-api.ts';
import {
  deviceListApiPath, deviceListHref, hasFilters, PAGE_SIZE, parseDeviceListQuery, type DeviceListQuery,
} from './device-list-query.ts';
import { DeviceTable } from './device-list-table.tsx';
import { t } from './devices.messages.ts';

/** The list is read again this often, so status is right even when the live feed missed a change. */
const POLL_MS = 10_000;
const SEARCH_DEBOUNCE_MS = 300;

/**
 * `/devices`: every device, a page at a time, with live status; search, product/status/enabled/tag filters and the
 * page in the URL. Engineers and admins add devices one at a time or import them from CSV.
 */
export function DeviceListPage() {
  const search = useLocationSearch();
  const query = useMemo(() => parseDeviceListQuery(search), [search]);
  const canWrite = useCan('devices:write');
  const products = useApi<{ items: ProductSummary[] }>('/products');
  const list = useApi<DevicePage>(deviceListApiPath(query), { pollMs: POLL_MS });
  const live = useLiveDeviceStates();
  // The time the list's answer arrived is what live changes are compared with.
  const listReadAt = list.receivedAt ?? 0;
  const [dialog, setDialog] = useState<'add' | 'import' | null>(null);

  const go = (change: Partial<DeviceListQuery>, options: { replace?: boolean } = {}) =>
    navigate(deviceListHref({ ...query, offset: 0, ...change }), options);

  const productItems = products.data?.items;
  const productsByKey = useMemo(() => new Map((productItems ?? []).map((p) => [p.productKey, p])), [productItems]);
  const deviceCount = productItems?.reduce((n, p) => n + p.deviceCount, 0);
  const filtered = hasFilters(query);

  // A page past the end (devices deleted, a stale link): show the last page there is instead of an empty one.
  const page = list.data;
  useEffect(() => {
    if (page && page.items.length === 0 && page.total > 0 && query.offset > 0) {
      navigate(deviceListHref({ ...query, offset: Math.floor((page.total - 1) / PAGE_SIZE) * PAGE_SIZE }), { replace: true });
    }
  }, [page, query]);

  const changed = () => {
    void list.reload();
    void products.reload();
  };

  const noProducts = productItems !== undefined && productItems.length === 0;
  // With no devices at all the empty state holds the buttons and there is nothing to filter.
  const noDevices = page !== undefined && page.total === 0 && !filtered;
  const addButtons = canWrite && !noProducts && !noDevices && (
    <>
      <Button onClick={() => setDialog('import')}>
        <i className="fa fa-upload" aria-hidden /> {t('list.import')}
      </Button>
      <Button variant="primary" onClick={() => setDialog('add')}>
        <i className="fa fa-plus" aria-hidden /> {t('list.add')}
      </Button>
    </>
  );

  let subtitle: string | undefined;
  if (page && deviceCount !== undefined && !noDevices) {
    subtitle = filtered
      ? t('list.match', { shown: page.total, total: deviceCount })
      : t('list.count', { count: page.total });
  }

  return (
    <Page title={t('list.title')} subtitle={subtitle} actions={addButtons}>
      {noProducts ? (
        <EmptyState
          title={t('list.noProducts.title')}
          action={<Link to="/products" className="rounded-md border border-sky-700 bg-sky-700 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-sky-800">{t('list.noProducts.action')}</Link>}
        >
          {t(canWrite ? 'list.noProducts.writer' : 'list.noProducts.reader')}
        </EmptyState>
      ) : (
        <>
          {!noDevices && <Filters query={query} products={productItems ?? []} go={go} />}
          <DeviceResults
            page={page}
            error={list.error}
            loading={list.loading || products.loading}
            filtered={filtered}
            canWrite={canWrite}
            onClear={() => go({ productKey: undefined, status: undefined, enabled: undefined, q: undefined, tags: [] })}
            onAdd={() => setDialog('add')}
            onImport={() => setDialog('import')}
            onRetry={() => void list.reload()}
          >
            {page && (
              <>
                <DeviceTable
                  devices={page.items}
                  products={productsByKey}
                  live={live}
                  listReadAt={listReadAt}
                  onTag={(tag) => go({ tags: query.tags.includes(tag) ? query.tags : [...query.tags, tag] })}
                />
                <Pager total={page.total} limit={PAGE_SIZE} offset={query.offset} onOffset={(offset) => go({ offset })} />
              </>
            )}
          </DeviceResults>
        </>
      )}
      {canWrite && productItems && productItems.length > 0 && (
        <>
          <AddDeviceDialog
            open={dialog === 'add'}
            onOpenChange={(open) => setDialog(open ? 'add' : null)}
            products={productItems}
            defaultProductKey={query.productKey}
            onCreated={changed}
          />
          <ImportDevicesDialog
            open={dialog === 'import'}
            onOpenChange={(open) => setDialog(open ? 'import' : null)}
            templateProductKey={query.productKey ?? productItems[0]!.productKey}
            onImported={changed}
          />
        </>
      )}
    </Page>
  );
}

/** What stands where the table goes: loading, the error, an empty state fitting the reason, or the table. */
function DeviceResults({ page, error, loading, filtered, canWrite, onClear, onAdd, onImport, onRetry, children }: {
  page: DevicePage | undefined;
  error: unknown;
  loading: boolean;
  filtered: boolean;
  canWrite: boolean;
  onClear(): void;
  onAdd(): void;
  onImport(): void;
  onRetry(): void;
  children: ReactNode;
}) {
  // Until the products are read too: the empty state's Add device needs them, and a button that opens nothing yet
  // would lose the click.
  if (!page || loading) {
    if (error) {
      return (
        <div className="space-y-2">
          <ErrorNote error={error} />
          <Button size="sm" onClick={onRetry}>{tc('retry')}</Button>
        </div>
      );
    }
    return loading ? <Loading what={t('list.loading')} /> : null;
  }
  const stale = error ? <ErrorNote error={error} className="text-xs" /> : null;
  if (page.total === 0 && filtered) {
    return (
      <>
        {stale}
        <EmptyState title={t('list.noMatch.title')} action={<Button onClick={onClear}>{t('list.clearFilters')}</Button>}>
          {t('list.noMatch.body')}
        </EmptyState>
      </>
    );
  }
  if (page.total === 0) {
    return (
      <>
        {stale}
        <EmptyState
          title={t('list.empty.title')}
          action={canWrite && (
            <>
              <Button onClick={onImport}><i className="fa fa-upload" aria-hidden /> {t('list.empty.importCsv')}</Button>
              <Button variant="primary" onClick={onAdd}><i className="fa fa-plus" aria-hidden /> {t('list.add')}</Button>
            </>
          )}
        >
          {t(canWrite ? 'list.empty.writer' : 'list.empty.reader')}
        </EmptyState>
      </>
    );
  }
  return (
    <div className="space-y-3">
      {stale}
      {children}
    </div>
  );
}

/** The status filter's options; labels are read in render (the language may change). */
const STATUS_OPTIONS: readonly [DeviceStatus | '', () => string][] = [
  ['', () => t('filter.anyStatus')],
  ['online', () => tc('online')],
  ['offline', () => tc('offline')],
  ['inactive', () => t('status.neverConnectedOption')],
];

/** Search (debounced) and the filters; each change is a new URL, so back and forward step through them. */
function Filters({ query, products, go }: {
  query: DeviceListQuery;
  products: readonly ProductSummary[];
  go(change: Partial<DeviceListQuery>, options?: { replace?: boolean }): void;
}) {
  const [text, setText] = useState(query.q ?? '');
  // The search this box last put in the URL: a URL change from elsewhere (back, "Clear filters") replaces the text,
  // the box's own change does not (the user may have typed on since).
  const pushed = useRef(query.q ?? '');
  const urlQ = query.q ?? '';
  useEffect(() => {
    if (urlQ !== pushed.current) {
      pushed.current = urlQ;
      setText(urlQ);
    }
  }, [urlQ]);
  const pushSearch = useEffectEvent((q: string | undefined) => go({ q }));
  useEffect(() => {
    const wanted = text.trim().slice(0, 100);
    if (wanted === urlQ) return;
    const timer = setTimeout(() => {
      pushed.current = wanted;
      pushSearch(wanted || undefined);
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, urlQ]);

  const filtered = hasFilters(query);
  return (
    <div className="space-y-2">
      <div role="search" aria-label={t('filter.label')} className="grid grid-cols-3 gap-3 lg:grid-cols-[minmax(0,2fr)_minmax(0,1.4fr)_minmax(0,1fr)_minmax(0,1fr)]">
        <Field label={tc('search')} className="col-span-3 lg:col-span-1">
          <input
            type="search"
            className={INPUT}
            placeholder={t('filter.searchPlaceholder')}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                // Enter searches at once instead of waiting for the pause.
                const wanted = text.trim().slice(0, 100);
                pushed.current = wanted;
                if (wanted !== urlQ) go({ q: wanted || undefined });
              }
            }}
          />
        </Field>
        <Field label={t('field.product')}>
          <select className={INPUT} value={query.productKey ?? ''} onChange={(e) => go({ productKey: e.target.value || undefined })}>
            <option value="">{t('filter.allProducts')}</option>
            {products.map((p) => <option key={p.productKey} value={p.productKey}>{p.name} ({p.productKey})</option>)}
            {query.productKey && !products.some((p) => p.productKey === query.productKey) && (
              <option value={query.productKey}>{t('filter.unknownProduct', { productKey: query.productKey })}</option>
            )}
          </select>
        </Field>
        <Field label={t('field.status')}>
          <select className={INPUT} value={query.status ?? ''} onChange={(e) => go({ status: (e.target.value || undefined) as DeviceStatus | undefined })}>
            {STATUS_OPTIONS.map(([value, label]) => <option key={value} value={value}>{label()}</option>)}
          </select>
        </Field>
        <Field label={t('field.enabled')}>
          <select
            className={INPUT}
            value={query.enabled === undefined ? '' : String(query.enabled)}
            onChange={(e) => go({ enabled: e.target.value === '' ? undefined : e.target.value === 'true' })}
          >
            <option value="">{t('filter.any')}</option>
            <option value="true">{tc('enabled')}</option>
            <option value="false">{tc('disabled')}</option>
          </select>
        </Field>
      </div>
      {filtered && (
        <div className="flex flex-wrap items-center gap-2 text-sm">
          {query.tags.length > 0 && (
            <ul aria-label={t('filter.tagFilters')} className="flex flex-wrap items-center gap-2">
              <li className="text-slate-600">{t('filter.tagged')}</li>
              {query.tags.map((tag) => {
                const colon = tag.indexOf(':');
                const label = `${tag.slice(0, colon)}=${tag.slice(colon + 1)}`;
                return (
                  <li key={tag}>
                    <span className="inline-flex items-center gap-1 rounded-full bg-sky-50 py-0.5 pl-2.5 pr-1 font-mono text-xs text-sky-900 ring-1 ring-inset ring-sky-300">
                      {label}
                      <button
                        type="button"
                        aria-label={t('filter.removeTag', { label })}
                        className="rounded-full px-1 text-sky-700 hover:bg-sky-100"
                        onClick={() => go({ tags: query.tags.filter((t) => t !== tag) })}
                      >
                        <i className="fa fa-times" aria-hidden />
                      </button>
                    </span>
                  </li>
                );
              })}
            </ul>
          )}
          <Button size="sm" variant="ghost" onClick={() => go({ productKey: undefined, status: undefined, enabled: undefined, q: undefined, tags: [] })}>
            <i className="fa fa-times" aria-hidden /> {t('list.clearFilters')}
          </Button>
        </div>
      )}
    </div>
  );
}
