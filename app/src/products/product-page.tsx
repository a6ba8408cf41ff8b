import { useCallback, useState } from 'react';
import { ApiError, apiRequest } from '../api.ts';
import { Link, navigate, pathOf } from '../routing.ts';
import { useCan } from '../session.ts';
import { queryString, useApi } from '../use-api.ts';
import { Badge, OnlineBadge } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { CopyBlock, CopyButton } from '../ui/copy-button.tsx';
import { ConfirmDialog } from '../ui/dialog.tsx';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Facts, Page, Panel } from '../ui/page.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { Tabs } from '../ui/tabs.tsx';
import { formatTime, TimeAgo } from '../ui/time.tsx';
import { CodecTab } from '../codecs/codec-tab.tsx';
import { PointTableTab } from '../modbus/point-table-tab.tsx';
import { LeaveDialog } from '../thing-model/leave-guard.tsx';
import { ThingModelEditor } from '../thing-model/thing-model-editor.tsx';
import { productPath, SIGN_METHODS, type Product } from './product-api.ts';
import { ProductEditDialog } from './product-edit-dialog.tsx';

const TABS = ['overview', 'thing-model', 'codec', 'modbus', 'devices'] as const;
type Tab = (typeof TABS)[number];

/** The tab named in `?tab=`, so a reload or a shared link opens the same one. */
function tabFromUrl(): Tab {
  const tab = new URLSearchParams(window.location.search).get('tab');
  return (TABS as readonly string[]).includes(tab ?? '') ? (tab as Tab) : 'overview';
}

/** Tabs whose editors hold unsaved edits, and what the question before leaving calls them. */
const EDITOR_TABS: Partial<Record<Tab, string>> = { 'thing-model': 'The thing model', codec: 'The codec', modbus: 'The point table' };

/** `/products/:productKey`: the product's facts, its thing model, codec and Modbus point table editors, and its devices. */
export function ProductPage({ productKey }: { productKey: string }) {
  const product = useApi<Product>(productPath(productKey));
  const [tab, setTab] = useState<Tab>(tabFromUrl);
  const [dirty, setDirty] = useState(false);
  const [pendingTab, setPendingTab] = useState<Tab | null>(null);
  const canWrite = useCan('products:write');
  const onDirtyChange = useCallback((d: boolean) => setDirty(d), []);

  const showTab = (next: Tab) => {
    setTab(next);
    const url = new URL(window.location.href);
    if (next === 'overview') url.searchParams.delete('tab');
    else url.searchParams.set('tab', next);
    window.history.replaceState(null, '', url.pathname + url.search);
  };
  const changeTab = (next: string) => {
    if (EDITOR_TABS[tab] && dirty && next !== tab) setPendingTab(next as Tab);
    else showTab(next as Tab);
  };

  const back = <Link to="/products" className="text-sky-800 hover:underline"><i className="fa fa-angle-left" aria-hidden /> Products</Link>;

  if (product.error && !product.data) {
    const missing = product.error instanceof ApiError && product.error.status === 404;
    return (
      <Page title={missing ? 'No such product' : 'Product'} back={back}>
        {missing ? (
          <EmptyState title={`There is no product “${productKey}”`} action={<Button onClick={() => navigate('/products')}>See all products</Button>}>
            It may have been deleted, or the link has a typo.
          </EmptyState>
        ) : <ErrorNote error={product.error} />}
      </Page>
    );
  }
  if (!product.data) return <Page title="Product" back={back}><Loading what="the product" /></Page>;
  const p = product.data;

  return (
    <Page
      title={p.name}
      back={back}
      subtitle={
        <span className="inline-flex flex-wrap items-center gap-2">
          <code className="font-mono text-slate-700">{p.productKey}</code>
          <CopyButton text={p.productKey} label="Copy key" />
          <Badge>{p.dialect}</Badge>
          {p.nodeType !== 'direct' && <Badge>{p.nodeType}</Badge>}
          <span>{p.deviceCount.toLocaleString()} device{p.deviceCount === 1 ? '' : 's'}</span>
        </span>
      }
    >
      <Tabs
        label="Product" value={tab} onValueChange={changeTab}
        tabs={[
          { value: 'overview', label: 'Overview', content: <Overview product={p} canWrite={canWrite} onChanged={() => void product.reload()} /> },
          { value: 'thing-model', label: 'Thing model', content: <ThingModelEditor productKey={p.productKey} canWrite={canWrite} onDirtyChange={onDirtyChange} /> },
          { value: 'codec', label: 'Codec', content: <CodecTab productKey={p.productKey} onDirtyChange={onDirtyChange} /> },
          { value: 'modbus', label: 'Modbus', content: <PointTableTab productKey={p.productKey} canWrite={canWrite} onDirtyChange={onDirtyChange} /> },
          { value: 'devices', label: `Devices (${p.deviceCount.toLocaleString()})`, content: <ProductDevices product={p} /> },
        ]}
      />
      <LeaveDialog
        open={pendingTab !== null} onStay={() => setPendingTab(null)} what={EDITOR_TABS[tab]}
        onLeave={() => {
          setDirty(false);
          if (pendingTab) showTab(pendingTab);
          setPendingTab(null);
        }}
      />
    </Page>
  );
}

function Overview({ product: p, canWrite, onChanged }: { product: Product; canWrite: boolean; onChanged(): void }) {
  const canSeeSecret = useCan('devices:secret');
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteBusy, setDeleteBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [secretError, setSecretError] = useState<unknown>(null);

  const remove = async () => {
    setDeleteBusy(true);
    setDeleteError(null);
    try {
      await apiRequest('DELETE', productPath(p.productKey));
      navigate('/products');
    } catch (err) {
      setDeleteError(err);
    } finally {
      setDeleteBusy(false);
    }
  };

  const reveal = async () => {
    setSecretError(null);
    try {
      setSecret((await apiRequest<{ productSecret: string }>('POST', `${productPath(p.productKey)}/secret/reveal`)).productSecret);
    } catch (err) {
      setSecretError(err);
    }
  };

  const methods = p.auth.signMethods.map((m) => SIGN_METHODS.find((s) => s.value === m)?.label ?? m).join(', ');

  return (
    <div className="grid gap-5 lg:grid-cols-2">
      <Panel title="Product" actions={canWrite && <Button size="sm" onClick={() => setEditing(true)}><i className="fa fa-pencil" aria-hidden /> Edit</Button>}>
        <Facts
          items={[
            ['Name', p.name],
            ['Product key', <code key="k" className="font-mono">{p.productKey}</code>],
            ['Description', p.description || <span className="text-slate-400">none</span>],
            ['Topic dialect', p.dialect === 'alink' ? 'alink (/sys/{pk}/{dn}/…)' : 'things ({pk}/{dn}/thing/…)'],
            ['Node type', p.nodeType === 'gateway' ? 'gateway (speaks for its sub-devices)' : p.nodeType === 'sub-device' ? 'sub-device (reached through a gateway)' : 'direct'],
            ['Devices', <Link key="d" to={`/devices${queryString({ productKey: p.productKey })}`} className="text-sky-800 hover:underline">{p.deviceCount.toLocaleString()}</Link>],
            ['Telemetry kept', p.retentionDays === null ? 'forever' : `${p.retentionDays} days`],
            ['Device clock ahead', p.futureTimes === 'clamp' ? 'times taken as received' : 'messages refused (400)'],
            ['Created', formatTime(p.createdAt)],
            ['Changed', <TimeAgo key="u" at={p.updatedAt} />],
          ]}
        />
      </Panel>
      <Panel title="Device sign-in">
        <Facts
          items={[
            ['Sign methods', methods],
            ['Timestamp window', `${p.auth.timestampWindowSeconds} s`],
            ['Timestamp', p.auth.requireTimestamp ? 'required in every signature' : 'optional'],
            ['Dynamic registration', p.auth.dynamicRegistration ? 'on: devices with the product secret may register' : 'off'],
          ]}
        />
        {canSeeSecret && (
          <div className="mt-4 border-t border-slate-100 pt-3">
            <p className="mb-2 text-sm font-medium text-slate-700">Product secret</p>
            {secret ? (
              <CopyBlock id="product-secret" label="Product secret" text={secret} />
            ) : (
              <div className="flex flex-wrap items-center gap-3">
                <Button size="sm" onClick={() => void reveal()}><i className="fa fa-eye" aria-hidden /> Reveal product secret</Button>
                <span className="text-xs text-slate-500">For dynamic registration only. Revealing it is recorded in the audit log.</span>
              </div>
            )}
            <ErrorNote error={secretError} className="mt-2" />
          </div>
        )}
      </Panel>
      {canWrite && (
        <Panel title="Delete" className="lg:col-span-2 border-red-200">
          <div className="flex flex-wrap items-center justify-between gap-3 text-sm text-slate-700">
            <p>Deleting the product deletes its thing model and every published version. A product with devices cannot be deleted.</p>
            <Button variant="danger" onClick={() => { setDeleteError(null); setDeleting(true); }}>Delete product</Button>
          </div>
        </Panel>
      )}
      {editing && <ProductEditDialog product={p} onClose={() => setEditing(false)} onSaved={() => { setEditing(false); onChanged(); }} />}
      <ConfirmDialog
        open={deleting} onOpenChange={setDeleting} title={`Delete ${p.name}?`} confirmLabel="Delete product"
        onConfirm={() => void remove()} busy={deleteBusy} error={deleteError ? <ErrorNote error={deleteError} /> : undefined}
      >
        The product <code className="font-mono">{p.productKey}</code>, its thing model and its published versions are deleted. This cannot be undone.
      </ConfirmDialog>
    </div>
  );
}

interface DevicePage {
  items: { productKey: string; deviceName: string; description: string; status: string; enabled: boolean; lastSeenAt: string | null }[];
  total: number;
}

function ProductDevices({ product }: { product: Product }) {
  const devices = useApi<DevicePage>(`/devices${queryString({ productKey: product.productKey, limit: 10 })}`);
  const all = `/devices${queryString({ productKey: product.productKey })}`;
  return (
    <Panel
      title="Devices"
      actions={<Link to={all} className="text-sm text-sky-800 hover:underline">Open in Devices <i className="fa fa-angle-right" aria-hidden /></Link>}
      bodyClassName={devices.data && devices.data.items.length > 0 ? '!p-0' : undefined}
    >
      <ErrorNote error={devices.error} />
      {devices.loading && <Loading what="devices" />}
      {devices.data && devices.data.items.length === 0 && (
        <EmptyState title="No devices yet" action={<Link to={all} className="text-sm text-sky-800 underline">Go to Devices</Link>}>
          Devices of this product are created on the Devices page, one at a time or in bulk from a CSV file.
        </EmptyState>
      )}
      {devices.data && devices.data.items.length > 0 && (
        <div>
          <Table flush label="Devices of this product">
            <thead>
              <tr><Th>Device name</Th><Th>Status</Th><Th>Last seen</Th><Th>Description</Th></tr>
            </thead>
            <TBody>
              {devices.data.items.map((d) => (
                <tr key={d.deviceName}>
                  <Td><Link to={pathOf('devices', d.productKey, d.deviceName)} className="font-mono text-sky-800 hover:underline">{d.deviceName}</Link></Td>
                  <Td>{!d.enabled ? <Badge tone="amber">disabled</Badge> : d.status === 'inactive' ? <Badge>never connected</Badge> : <OnlineBadge online={d.status === 'online'} />}</Td>
                  <Td><TimeAgo at={d.lastSeenAt} /></Td>
                  <Td className="text-slate-600">{d.description}</Td>
                </tr>
              ))}
            </TBody>
          </Table>
          {devices.data.total > devices.data.items.length && (
            <p className="border-t border-slate-100 px-4 py-2 text-sm text-slate-600">
              {devices.data.items.length} of {devices.data.total.toLocaleString()}. <Link to={all} className="text-sky-800 hover:underline">See them all</Link>
            </p>
          )}
        </div>
      )}
    </Panel>
  );
}
