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
import { NewProductDialog } from './new-product-dialog.tsx';
import { productPath, type Product } from './product-api.ts';

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
      <i className="fa fa-plus" aria-hidden /> New product
    </Button>
  );
  const items = products.data?.items;

  return (
    <Page
      title="Products"
      subtitle="Kinds of device: each has a thing model (what its devices report and can be asked to do) and its own devices."
      actions={newButton}
    >
      <ErrorNote error={products.error} />
      {products.loading && <Loading what="products" />}
      {items && items.length === 0 && (
        <EmptyState
          title="No products yet"
          action={canWrite ? (
            <Button variant="primary" onClick={() => setCreating(true)}>
              <i className="fa fa-plus" aria-hidden /> Create a product
            </Button>
          ) : undefined}
        >
          A product describes a kind of device, a room sensor or a smart plug: its thing model lists the properties its devices report,
          the services they can be asked to run and the events they send. Every device belongs to one product.
          {canWrite ? ' Create one from scratch, or from a TSL JSON file exported from Alibaba IoT.' : ' Ask an engineer or an admin to create one.'}
        </EmptyState>
      )}
      {items && items.length > 0 && (
        <>
          <div className="flex flex-wrap items-center gap-3">
            <input
              type="search" aria-label="Search products" placeholder="Search by name, key or description" value={search}
              onChange={(e) => setSearch(e.target.value)} className={`${INPUT} max-w-sm`}
            />
            <span className="text-sm text-slate-500">
              {search ? `${shown.length} of ${items.length}` : `${items.length}`} product{items.length === 1 ? '' : 's'}
            </span>
          </div>
          {shown.length === 0 ? (
            <EmptyState title={`No product matches “${search}”`} action={<Button onClick={() => setSearch('')}>Clear the search</Button>} />
          ) : (
            <Table label="Products">
              <thead>
                <tr>
                  <Th>Name</Th>
                  <Th>Product key</Th>
                  <Th>Dialect</Th>
                  <Th className="text-right">Devices</Th>
                  <Th>Thing model</Th>
                  <Th>Created</Th>
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
                      <Link to={`/devices${queryString({ productKey: p.productKey })}`} className="text-sky-800 hover:underline" aria-label={`${p.deviceCount} ${p.deviceCount === 1 ? 'device' : 'devices'} of ${p.name}`}>
                        {p.deviceCount.toLocaleString()}
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
  if (!published) return draft ? <Badge tone="amber">draft, not published</Badge> : <span className="text-slate-500">none yet</span>;
  return (
    <span className="inline-flex items-center gap-1.5">
      <Badge tone="green">version {published.version}</Badge>
      {draft?.unpublishedChanges && <span className="text-xs text-slate-500">+ draft changes</span>}
    </span>
  );
}
