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
import { tc } from '../i18n/common.messages.ts';
import { formatNumber } from '../i18n/messages.ts';
import { richText } from '../i18n/rich.tsx';
import { nodeTypeLabel, productPath, SIGN_METHODS, type Product } from './product-api.ts';
import { t } from './products.messages.ts';
import { ProductEditDialog } from './product-edit-dialog.tsx';

/** The topics of each dialect, as the overview shows them (protocol text, not translated). */
const ALINK_TOPICS = 'alink (/sys/{pk}/{dn}/…)';
const THINGS_TOPICS = 'things ({pk}/{dn}/thing/…)';

const TABS = ['overview', 'thing-model', 'codec', 'modbus', 'devices'] as const;
type Tab = (typeof TABS)[number];

/** The tab named in `?tab=`, so a reload or a shared link opens the same one. */
function tabFromUrl(): Tab {
  const tab = new URLSearchParams(window.location.search).get('tab');
  return (TABS as readonly string[]).includes(tab ?? '') ? (tab as Tab) : 'overview';
}

/** Tabs whose editors hold unsaved edits, and what the question before leaving calls them. */
const EDITOR_TABS = {
  'thing-model': 'page.editorTab.thingModel', codec: 'page.editorTab.codec', modbus: 'page.editorTab.modbus',
} as const satisfies Partial<Record<Tab, string>>;
const editorTab = (tab: Tab) => (tab in EDITOR_TABS ? EDITOR_TABS[tab as keyof typeof EDITOR_TABS] : undefined);

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
    if (editorTab(tab) && dirty && next !== tab) setPendingTab(next as Tab);
    else showTab(next as Tab);
  };

  const back = <Link to="/products" className="text-sky-800 hover:underline"><i className="fa fa-angle-left" aria-hidden /> {t('list.title')}</Link>;

  if (product.error && !product.data) {
    const missing = product.error instanceof ApiError && product.error.status === 404;
    return (
      <Page title={missing ? t('page.missing') : t('page.product')} back={back}>
        {missing ? (
          <EmptyState title={t('page.missingTitle', { key: productKey })} action={<Button onClick={() => navigate('/products')}>{t('page.seeAll')}</Button>}>
            {t('page.missingText')}
          </EmptyState>
        ) : <ErrorNote error={product.error} />}
      </Page>
    );
  }
  if (!product.data) return <Page title={t('page.product')} back={back}><Loading what={t('page.loading')} /></Page>;
  const p = product.data;

  return (
    <Page
      title={p.name}
      back={back}
      subtitle={
        <span className="inline-flex flex-wrap items-center gap-2">
          <code className="font-mono text-slate-700">{p.productKey}</code>
          <CopyButton text={p.productKey} label={t('page.copyKey')} />
          <Badge>{p.dialect}</Badge>
          {p.nodeType !== 'direct' && <Badge>{nodeTypeLabel(p.nodeType)}</Badge>}
          <span>{t('page.deviceCount', { count: p.deviceCount })}</span>
        </span>
      }
    >
      <Tabs
        label={t('page.product')} value={tab} onValueChange={changeTab}
        tabs={[
          { value: 'overview', label: t('tab.overview'), content: <Overview product={p} canWrite={canWrite} onChanged={() => void product.reload()} /> },
          { value: 'thing-model', label: t('tab.thingModel'), content: <ThingModelEditor productKey={p.productKey} canWrite={canWrite} onDirtyChange={onDirtyChange} /> },
          { value: 'codec', label: t('tab.codec'), content: <CodecTab productKey={p.productKey} onDirtyChange={onDirtyChange} /> },
          { value: 'modbus', label: t('tab.modbus'), content: <PointTableTab productKey={p.productKey} canWrite={canWrite} onDirtyChange={onDirtyChange} /> },
          { value: 'devices', label: t('tab.devices', { count: p.deviceCount }), content: <ProductDevices product={p} /> },
        ]}
      />
      <LeaveDialog
        open={pendingTab !== null} onStay={() => setPendingTab(null)} what={editorTab(tab) && t(editorTab(tab)!)}
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

  const methods = p.auth.signMethods.map((m) => SIGN_METHODS.find((s) => s.value === m)?.label() ?? m).join(', ');

  return (
    <div className="grid gap-5 lg:grid-cols-2">
      <Panel title={t('page.product')} actions={canWrite && <Button size="sm" onClick={() => setEditing(true)}><i className="fa fa-pencil" aria-hidden /> {tc('edit')}</Button>}>
        <Facts
          items={[
            [t('field.name'), p.name],
            [t('field.productKey'), <code key="k" className="font-mono">{p.productKey}</code>],
            [t('field.description'), p.description || <span className="text-slate-400">{tc('none')}</span>],
            [t('field.dialect'), p.dialect === 'alink' ? ALINK_TOPICS : THINGS_TOPICS],
            [t('field.nodeType'), p.nodeType === 'gateway' ? t('overview.nodeType.gateway') : p.nodeType === 'sub-device' ? t('overview.nodeType.subDevice') : nodeTypeLabel('direct')],
            [t('overview.devices'), <Link key="d" to={`/devices${queryString({ productKey: p.productKey })}`} className="text-sky-800 hover:underline">{formatNumber(p.deviceCount)}</Link>],
            [t('overview.telemetryKept'), p.retentionDays === null ? t('overview.forever') : t('overview.days', { days: p.retentionDays })],
            [t('field.deviceClockAhead'), p.futureTimes === 'clamp' ? t('overview.clamp') : t('overview.refuse')],
            [t('overview.created'), formatTime(p.createdAt)],
            [t('overview.changed'), <TimeAgo key="u" at={p.updatedAt} />],
          ]}
        />
      </Panel>
      <Panel title={t('field.deviceSignIn')}>
        <Facts
          items={[
            [t('overview.signMethods'), methods],
            [t('overview.window'), t('overview.seconds', { n: p.auth.timestampWindowSeconds })],
            [t('overview.timestamp'), p.auth.requireTimestamp ? t('overview.timestampRequired') : t('overview.timestampOptional')],
            [t('overview.dynamicRegistration'), p.auth.dynamicRegistration ? t('overview.dynamicOn') : t('overview.dynamicOff')],
          ]}
        />
        {canSeeSecret && (
          <div className="mt-4 border-t border-slate-100 pt-3">
            <p className="mb-2 text-sm font-medium text-slate-700">{t('field.productSecret')}</p>
            {secret ? (
              <CopyBlock id="product-secret" label={t('field.productSecret')} text={secret} />
            ) : (
              <div className="flex flex-wrap items-center gap-3">
                <Button size="sm" onClick={() => void reveal()}><i className="fa fa-eye" aria-hidden /> {t('overview.reveal')}</Button>
                <span className="text-xs text-slate-500">{t('overview.revealHint')}</span>
              </div>
            )}
            <ErrorNote error={secretError} className="mt-2" />
          </div>
        )}
      </Panel>
      {canWrite && (
        <Panel title={tc('delete')} className="lg:col-span-2 border-red-200">
          <div className="flex flex-wrap items-center justify-between gap-3 text-sm text-slate-700">
            <p>{t('overview.deleteText')}</p>
            <Button variant="danger" onClick={() => { setDeleteError(null); setDeleting(true); }}>{t('overview.delete')}</Button>
          </div>
        </Panel>
      )}
      {editing && <ProductEditDialog product={p} onClose={() => setEditing(false)} onSaved={() => { setEditing(false); onChanged(); }} />}
      <ConfirmDialog
        open={deleting} onOpenChange={setDeleting} title={t('overview.deleteTitle', { name: p.name })} confirmLabel={t('overview.delete')}
        onConfirm={() => void remove()} busy={deleteBusy} error={deleteError ? <ErrorNote error={deleteError} /> : undefined}
      >
        {richText(t('overview.deleteConfirm', { key: p.productKey }), { code: (key) => <code className="font-mono">{key}</code> })}
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
      title={t('devices.title')}
      actions={<Link to={all} className="text-sm text-sky-800 hover:underline">{t('devices.open')} <i className="fa fa-angle-right" aria-hidden /></Link>}
      bodyClassName={devices.data && devices.data.items.length > 0 ? '!p-0' : undefined}
    >
      <ErrorNote error={devices.error} />
      {devices.loading && <Loading what={t('devices.loading')} />}
      {devices.data && devices.data.items.length === 0 && (
        <EmptyState title={t('devices.empty')} action={<Link to={all} className="text-sm text-sky-800 underline">{t('devices.goTo')}</Link>}>
          {t('devices.emptyText')}
        </EmptyState>
      )}
      {devices.data && devices.data.items.length > 0 && (
        <div>
          <Table flush label={t('devices.table')}>
            <thead>
              <tr><Th>{t('devices.deviceName')}</Th><Th>{t('devices.status')}</Th><Th>{t('devices.lastSeen')}</Th><Th>{t('field.description')}</Th></tr>
            </thead>
            <TBody>
              {devices.data.items.map((d) => (
                <tr key={d.deviceName}>
                  <Td><Link to={pathOf('devices', d.productKey, d.deviceName)} className="font-mono text-sky-800 hover:underline">{d.deviceName}</Link></Td>
                  <Td>{!d.enabled ? <Badge tone="amber">{t('devices.disabled')}</Badge> : d.status === 'inactive' ? <Badge>{t('devices.neverConnected')}</Badge> : <OnlineBadge online={d.status === 'online'} />}</Td>
                  <Td><TimeAgo at={d.lastSeenAt} /></Td>
                  <Td className="text-slate-600">{d.description}</Td>
                </tr>
              ))}
            </TBody>
          </Table>
          {devices.data.total > devices.data.items.length && (
            <p className="border-t border-slate-100 px-4 py-2 text-sm text-slate-600">
              {richText(t('devices.more', { shown: devices.data.items.length, total: devices.data.total }), {
                link: (text) => <Link to={all} className="text-sky-800 hover:underline">{text}</Link>,
              })}
            </p>
          )}
        </div>
      )}
    </Panel>
  );
}
