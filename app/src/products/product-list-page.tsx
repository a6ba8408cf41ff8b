import { useMemo, useState } from 'react';
import { Link } from '../routing.ts';
import { useCan } from '../session.ts';
import { queryString, useApi } from '../use-api.ts';
import { Badge } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { INPUT } from '../ui/field.tsx';
import { Page } from '../ui/page.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { formatTime } from '../ui/time.tsx';
import { formatNumber } from '../i18n/messages.ts';
import { NewProductDialog } from './new-product-dialog.tsx';
import { productPath, type Product } from './product-api.ts';
import { t } from './products.messages.ts';

/** `/products`: every product with its devices and published thing model; engineers create them here. */
export function ProductListPage() {
  const canWrite = useCan('products:write');
  const products = useApi<{ items: Product[] }>('/products');
  const [creating, setCreating] = useState(false);
  const [search, setSearch] = useState('');

  // The API answers every product at once, so the search filters here.
  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    const items = products.data?.items ?? [];
    return q ? items.filter((p) => [p.name, p.productKey, p.description].some((s) => s.toLowerCase().includes(q))) : items;
  }, [products.data, search]);

  const newButton = canWrite && (
    <Button variant="primary" onClick={() => setCreating(true)}>
      <i className="fa fa-plus" aria-hidden /> {t('new.title')}
    </Button>
  );
  const items = products.data?.items;

  return (
    <Page
      title={t('list.title')}
      subtitle={t('list.subtitle')}
      actions={newButton}
    >
      <ErrorNote error={products.error} />
      {products.loading && <Loading what={t('list.loading')} />}
      {items && items.length === 0 && (
        <EmptyState
          title={t('list.empty')}
          action={canWrite ? (
            <Button variant="primary" onClick={() => setCreating(true)}>
              <i className="fa fa-plus" aria-hidden /> {t('list.createFirst')}
            </Button>
          ) : undefined}
        >
          {t('list.emptyText')}
          {canWrite ? t('list.emptyWriter') : t('list.emptyReader')}
        </EmptyState>
      )}
      {items && items.length > 0 && (
        <>
          <div className="flex flex-wrap items-center gap-3">
            <input
              type="search" aria-label={t('list.search')} placeholder={t('list.searchPlaceholder')} value={search}
              onChange={(e) => setSearch(e.target.value)} className={`${INPUT} max-w-sm`}
            />
            <span className="text-sm text-slate-500">
              {search ? t('list.countFiltered', { shown: shown.length, count: items.length }) : t('list.count', { count: items.length })}
            </span>
          </div>
          {shown.length === 0 ? (
            <EmptyState title={t('list.noMatch', { search })} action={<Button onClick={() => setSearch('')}>{t('list.clearSearch')}</Button>} />
          ) : (
            <Table label={t('list.title')}>
              <thead>
                <tr>
                  <Th>{t('field.name')}</Th>
                  <Th>{t('field.productKey')}</Th>
                  <Th>{t('list.dialect')}</Th>
                  <Th className="text-right">{t('list.devices')}</Th>
                  <Th>{t('list.thingModel')}</Th>
                  <Th>{t('list.created')}</Th>
                </tr>
              </thead>
              <TBody>
                {shown.map((p) => (
                  <tr key={p.productKey}>
                    <Td className="max-w-xs">
                      <Link to={productPath(p.productKey)} className="whitespace-nowrap font-medium text-sky-800 hover:underline">{p.name}</Link>
                      {p.description && <p className="truncate text-xs text-slate-500" title={p.description}>{p.description}</p>}
                    </Td>
                    <Td className="font-mono text-xs">{p.productKey}</Td>
                    <Td>{p.dialect}</Td>
                    <Td className="text-right tabular-nums">
                      <Link to={`/devices${queryString({ productKey: p.productKey })}`} className="text-sky-800 hover:underline" aria-label={t('list.devicesOf', { count: p.deviceCount, name: p.name })}>
                        {formatNumber(p.deviceCount)}
                      </Link>
                    </Td>
                    <Td><PublishedVersion productKey={p.productKey} /></Td>
                    <Td className="whitespace-nowrap text-slate-600">{formatTime(p.createdAt)}</Td>
                  </tr>
                ))}
              </TBody>
            </Table>
          )}
        </>
      )}
      <NewProductDialog open={creating} onOpenChange={setCreating} onCreated={() => void products.reload()} />
    </Page>
  );
}

/** The product's published thing model version; the product list does not carry it, so each row asks. */
function PublishedVersion({ productKey }: { productKey: string }) {
  const summary = useApi<{ draft: { unpublishedChanges: boolean } | null; published: { version: number } | null }>(`${productPath(productKey)}/thing-model`);
  if (!summary.data) return <span className="text-slate-400">…</span>;
  const { draft, published } = summary.data;
  if (!published) return draft ? <Badge tone="amber">{t('list.draftOnly')}</Badge> : <span className="text-slate-500">{t('list.noneYet')}</span>;
  return (
    <span className="inline-flex items-center gap-1.5">
      <Badge tone="green">{t('version.version', { version: published.version })}</Badge>
      {draft?.unpublishedChanges && <span className="text-xs text-slate-500">{t('list.draftChanges')}</span>}
    </span>
  );
}
